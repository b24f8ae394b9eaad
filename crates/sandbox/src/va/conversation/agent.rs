//! The simulated live agent: what it sends (text or one of the documented output controls) and
//! what it does to a conversation in the live-agent queue.

use serde::Deserialize;
use serde_json::Value;

use crate::common::datetime::UnixSeconds;
use crate::va::bot;
use crate::va::conversation::registry::Conversations;
use crate::va::conversation::transcript::{EntryKind, Party, ReplyFlags};
use crate::va::conversation::{Agent, AgentError, Conversation, ConversationState};
use crate::va::wire::AgentInfo;

/// What the simulated live agent sends: text, or one of the output controls of
/// `va-api-controls.md`. The admin API takes it as `{"text": ...}`, `{"link": {...}}`,
/// `{"image": {...}}` or `{"card": {...}}`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub(crate) enum AgentMessage {
    Text(String),
    /// "Output Link": `url` becomes `value.action`.
    Link {
        url: String,
        label: String,
        #[serde(default)]
        header: Option<String>,
    },
    /// "Output Image": `url` becomes `value`.
    Image {
        url: String,
        #[serde(default)]
        alt_text: Option<String>,
    },
    /// "Output Card": one of the documented templates, and its data, which goes out as a JSON
    /// string ("The data field will be of type string").
    Card {
        template_name: String,
        data: Value,
    },
}

/// The card templates `va-api-controls.md` shows ("Output Card").
const CARD_TEMPLATES: [&str; 4] = [
    "Large image with text",
    "Small image with text",
    "Youtube Video Card",
    "Card",
];

impl Conversations {
    /// The agent accepts a waiting conversation; Agent Chat's greeting goes out from them.
    pub(crate) fn accept(
        &mut self,
        id: &str,
        agent_name: &str,
        now: UnixSeconds,
    ) -> Result<(), AgentError> {
        let conversation_idx = self.index_for_change(id)?;
        let conversation = &mut self.conversations[conversation_idx];
        conversation.expect_state(ConversationState::Waiting, "accepting", "waiting")?;
        let agent = Agent {
            name: agent_name.to_owned(),
            id: self.ids.next(),
        };
        conversation.state = ConversationState::WithAgent;
        conversation.agent = Some(agent);
        conversation.accepted_at = Some(now);
        let message_id = self.ids.next();
        let greeting = AgentMessage::Text(bot::AGENT_GREETING.to_owned());
        conversation.agent_says(EntryKind::AgentJoined, &greeting, message_id, now);
        Ok(())
    }

    /// The agent sends a message to the user.
    pub(crate) fn agent_message(
        &mut self,
        id: &str,
        message: &AgentMessage,
        now: UnixSeconds,
    ) -> Result<(), AgentError> {
        message.validate()?;
        let conversation_idx = self.index_for_change(id)?;
        let conversation = &mut self.conversations[conversation_idx];
        conversation.expect_state(ConversationState::WithAgent, "sending", "an agent")?;
        let message_id = self.ids.next();
        conversation.agent_says(EntryKind::AgentMessage, message, message_id, now);
        Ok(())
    }

    /// The agent starts or stops typing.
    pub(crate) fn agent_typing(
        &mut self,
        id: &str,
        typing: bool,
        now: UnixSeconds,
    ) -> Result<(), AgentError> {
        let conversation_idx = self.index_for_change(id)?;
        let conversation = &mut self.conversations[conversation_idx];
        conversation.expect_state(ConversationState::WithAgent, "typing", "an agent")?;
        let kind = match typing {
            true => EntryKind::TypingStarted,
            false => EntryKind::TypingStopped,
        };
        let flags = ReplyFlags::agent_chat();
        let reply = conversation.reply(vec![bot::typing_indicator(typing)], &flags);
        conversation.push_outbound(Party::Agent, kind, None, None, &reply, now);
        Ok(())
    }

    /// The agent ends a conversation that reached the live-agent queue.
    pub(crate) fn agent_end(&mut self, id: &str, now: UnixSeconds) -> Result<(), AgentError> {
        let conversation_idx = self.index_for_change(id)?;
        let conversation = &mut self.conversations[conversation_idx];
        if !conversation.agent_involved() {
            return Err(conversation.wrong_state("ending", "waiting or an agent"));
        }
        conversation.end(Party::Agent, now);
        Ok(())
    }
}

impl Conversation {
    /// Appends `message` from the conversation's agent; `message_id` is what `UPDATE_MESSAGES`
    /// will name it by.
    fn agent_says(
        &mut self,
        kind: EntryKind,
        message: &AgentMessage,
        message_id: String,
        now: UnixSeconds,
    ) {
        let agent = self
            .agent
            .as_ref()
            .expect("only conversations with an agent get agent messages");
        let agent_info = AgentInfo {
            sent_from_agent: true,
            agent_name: agent.name.clone(),
            agent_id: agent.id.clone(),
        };
        let flags = ReplyFlags::agent_chat();
        let body = vec![bot::agent_message(message, agent_info, message_id.clone())];
        let reply = self.reply(body, &flags);
        let text = Some(message.transcript_text());
        self.push_outbound(Party::Agent, kind, text, Some(message_id), &reply, now);
    }

    /// Refuses an agent action unless the conversation is in the `expected` state.
    fn expect_state(
        &self,
        expected: ConversationState,
        operation: &'static str,
        expected_label: &'static str,
    ) -> Result<(), AgentError> {
        match self.state == expected {
            true => Ok(()),
            false => Err(self.wrong_state(operation, expected_label)),
        }
    }

    fn wrong_state(&self, operation: &'static str, expected: &'static str) -> AgentError {
        AgentError::WrongState {
            id: self.id.clone(),
            state: self.state,
            operation,
            expected,
        }
    }
}

impl AgentMessage {
    /// Refuses an empty text and links, images and cards the documented controls cannot carry.
    pub(in crate::va::conversation) fn validate(&self) -> Result<(), AgentError> {
        let invalid = |control, reason: String| AgentError::InvalidControl { control, reason };
        match self {
            AgentMessage::Text(text) if text.trim().is_empty() => Err(AgentError::EmptyText),
            AgentMessage::Text(_) => Ok(()),
            AgentMessage::Link { url, label, .. } => {
                check_url(url).map_err(|reason| invalid("link", reason))?;
                match label.trim().is_empty() {
                    true => Err(invalid("link", "the label is empty".to_owned())),
                    false => Ok(()),
                }
            }
            AgentMessage::Image { url, .. } => {
                check_url(url).map_err(|reason| invalid("image", reason))
            }
            AgentMessage::Card {
                template_name,
                data,
            } => {
                if !CARD_TEMPLATES.contains(&template_name.as_str()) {
                    let reason = format!(
                        "unknown template `{template_name}`, expected one of {}",
                        CARD_TEMPLATES.join(", ")
                    );
                    return Err(invalid("card", reason));
                }
                match data.is_object() {
                    true => Ok(()),
                    false => Err(invalid("card", "data must be a JSON object".to_owned())),
                }
            }
        }
    }

    /// The message as the agent's transcript shows it.
    fn transcript_text(&self) -> String {
        match self {
            AgentMessage::Text(text) => text.clone(),
            AgentMessage::Link { url, label, .. } => format!("{label}: {url}"),
            AgentMessage::Image { url, alt_text } => match alt_text {
                Some(alt_text) => format!("Image {alt_text}: {url}"),
                None => format!("Image: {url}"),
            },
            AgentMessage::Card {
                template_name,
                data,
            } => match data.get("title").and_then(Value::as_str) {
                Some(title) => format!("Card {template_name}: {title}"),
                None => format!("Card {template_name}"),
            },
        }
    }
}

/// Links and images the client is to open or fetch: absolute `http` or `https` URLs.
fn check_url(url: &str) -> Result<(), String> {
    let parsed = reqwest::Url::parse(url).map_err(|_| format!("`{url}` is not a URL"))?;
    match matches!(parsed.scheme(), "http" | "https") {
        true => Ok(()),
        false => Err(format!("`{url}` is not an http or https URL")),
    }
}
