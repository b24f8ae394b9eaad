//! What a conversation keeps of each request it receives: what later replies echo, the flags and
//! variables the request sets, the primary bot's chat history and how the live agent sees it, and
//! the client's reports on the agent's messages (`UPDATE_MESSAGES`).

use serde_json::Value;

use crate::va::conversation::flow::Channel;
use crate::va::conversation::{Conversation, Echo, HistoryFormat, StoredHistory};
use crate::va::wire::{Action, InboundRequest};

impl Conversation {
    /// Keeps what later replies echo and what the agent should see.
    pub(in crate::va::conversation) fn remember(
        &mut self,
        request: &InboundRequest,
        action: Option<Action>,
        channel: Channel,
    ) {
        if channel.third_party_chat {
            self.interaction.client_session_id = request.client_session_id.clone();
        }
        let mut message = request.message.clone();
        if action == Some(Action::EndConversation) {
            // `message.text` "Must be empty if the value of the action property is
            // END_CONVERSATION", and the documented reply to one that sent "b2b topic" echoes
            // `"text": ""` ("End a Virtual Agent conversation by setting the action parameter").
            if let Some(text) = message.as_mut().and_then(|message| message.get_mut("text")) {
                *text = Value::from("");
            }
        }
        self.last_request = Echo {
            request_id: request.request_id.clone(),
            now_session_id: request.now_session_id.clone(),
            message,
            client_variables: request
                .client_variables
                .clone()
                .or_else(|| self.last_request.client_variables.take()),
        };
        if let Some(silent) = request.silent_message {
            self.silent = silent;
        }
        if let Some(bot_to_bot) = request.bot_to_bot {
            self.bot_to_bot = bot_to_bot;
        }
        if let Some(email_id) = &request.email_id {
            self.email_id = Some(email_id.clone());
        }
        if let Some(timezone) = &request.timezone {
            self.timezone = Some(timezone.clone());
        }
        if let Some(context_variables) = &request.context_variables {
            self.context_variables = Some(context_variables.clone());
        }
        let items = match &request.history {
            Some(Value::Array(items)) => items.clone(),
            Some(item @ Value::Object(_)) => vec![item.clone()],
            _ => Vec::new(),
        };
        if let Some(format) = channel.store_history_as {
            let stored = history_for_agent(&items, format)
                .into_iter()
                .map(|content| StoredHistory { format, content });
            self.agent_history.extend(stored);
        }
        self.history.extend(items);
    }

    /// Records what the client reports of the agent's messages it names (`UPDATE_MESSAGES`).
    pub(in crate::va::conversation) fn update_messages(&mut self, message: Option<&Value>) {
        let Some(Value::Array(updates)) = message else {
            return;
        };
        for update in updates {
            let Some(message_id) = update.get("id").and_then(Value::as_str) else {
                continue;
            };
            let entry = self
                .entries
                .iter_mut()
                .find(|entry| entry.message_id.as_deref() == Some(message_id));
            let Some(entry) = entry else {
                continue;
            };
            entry.saved = false;
            if let Some(status) = update.get("status").and_then(Value::as_str) {
                entry.client_status = Some(status.to_ascii_lowercase());
            }
            if let Some(text) = update.get("text").and_then(Value::as_str) {
                entry.updated_text = Some(text.to_owned());
            }
        }
    }
}

/// The primary bot's history as Agent Chat stores it for the agent: one message per item
/// (`multi-text`), one block (`text`) or one HTML message (`html`). The document names the three
/// forms but not their layout; `displayName: value` lines are the sandbox's own.
pub(in crate::va::conversation) fn history_for_agent(
    items: &[Value],
    format: HistoryFormat,
) -> Vec<String> {
    let lines: Vec<(String, String)> = items
        .iter()
        .map(|item| {
            let field = |name: &str| item.get(name).and_then(Value::as_str);
            let from_bot = item.get("isBotMessage").and_then(Value::as_bool) == Some(true);
            let speaker = field("displayName")
                .unwrap_or(match from_bot {
                    true => "Bot",
                    false => "User",
                })
                .to_owned();
            (speaker, field("value").unwrap_or_default().to_owned())
        })
        .collect();
    if lines.is_empty() {
        return Vec::new();
    }
    let plain = lines
        .iter()
        .map(|(speaker, text)| format!("{speaker}: {text}"));
    match format {
        HistoryFormat::MultiText => plain.collect(),
        HistoryFormat::Text => vec![plain.collect::<Vec<String>>().join("\n")],
        HistoryFormat::Html => {
            let paragraphs: String = lines
                .iter()
                .map(|(speaker, text)| {
                    format!(
                        "<p><strong>{}</strong>: {}</p>",
                        crate::common::html::escape(speaker),
                        crate::common::html::escape(text)
                    )
                })
                .collect();
            vec![format!("<div>{paragraphs}</div>")]
        }
    }
}

/// Whether a request's `message.attachment` names anything.
pub(in crate::va::conversation) fn has_attachment(request: &InboundRequest) -> bool {
    let attachment = request
        .message
        .as_ref()
        .and_then(|message| message.get("attachment"));
    match attachment {
        None | Some(Value::Null) => false,
        Some(Value::Array(items)) => !items.is_empty(),
        Some(_) => true,
    }
}

/// `message.text` of a request, when the message is an object with a text.
pub(in crate::va::conversation) fn message_text(request: &InboundRequest) -> Option<String> {
    request
        .message
        .as_ref()
        .and_then(|message| message.get("text"))
        .and_then(Value::as_str)
        .map(str::to_owned)
}
