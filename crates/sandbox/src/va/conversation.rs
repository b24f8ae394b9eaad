//! Conversations, their transcripts and the simulated live agent. This is the pure part of the
//! Virtual Agent API: requests and agent actions go in with the time, transcript entries come out
//! (outbound ones marked for delivery); `crate::va::delivery` does the posting.
//!
//! Every inbound request and every reply is one transcript entry with a sequence number that
//! counts up from 1 within its conversation, so a test can check that nothing was lost or sent
//! twice.
//!
//! **Architecture Invariant:** the conversation core does no I/O. It takes the time as an
//! argument and never reads a clock, a socket or a file; it only marks what changed (the
//! conversation indexes in `Conversations::unsaved`, `Entry::saved`). `stored.rs` turns those
//! marks into rows, and the lock guard `crate::va::VaGuard` writes the rows to the database when
//! it is dropped, so every change is written and none is written from in here.
//!
//! - this file: the model, a conversation and its states, and the errors of the core.
//! - `transcript.rs`: transcript entries, their attachments and deliveries, and how replies are
//!   made and appended.
//! - `registry.rs`: every conversation, the requests turned away, ids; a request finds or starts
//!   its conversation here.
//! - `flow.rs`: what one conversation does with a request, from the bot to the live-agent queue
//!   to the end, and the idle time-out.
//! - `request.rs`: what a conversation keeps of each request it receives.
//! - `agent.rs`: the simulated live agent's messages and actions.
//! - `stored.rs`: the rows the database keeps.

pub(crate) mod agent;
pub(crate) mod flow;
pub(crate) mod registry;
mod request;
pub(crate) mod stored;
pub(crate) mod transcript;

#[cfg(test)]
mod tests;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::common::datetime::UnixSeconds;
use crate::va::conversation::registry::IdGenerator;
use crate::va::conversation::transcript::Entry;

/// One conversation: a user (and client session) talking to the bot, then maybe to an agent.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Conversation {
    id: String,
    /// The Interaction [interaction] record of the chat.
    interaction: Interaction,
    user_id: String,
    client_session_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    email_id: Option<String>,
    state: ConversationState,
    #[serde(skip_serializing_if = "Option::is_none")]
    agent: Option<Agent>,
    /// Set by `TYPING`, cleared by `VIEWING` or a message.
    visitor_typing: bool,
    /// `silentMessage`: bot replies are suppressed until it is turned off again.
    silent: bool,
    /// The end user's time zone: the latest `timezone` a request of the conversation sent, or
    /// the one the user's last `SET_USER_TIMEZONE` set before the conversation started. None
    /// means the instance's ("Default: GMT time zone of the ServiceNow instance").
    #[serde(skip_serializing_if = "Option::is_none")]
    timezone: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    context_variables: Option<Value>,
    /// The primary bot's chat history as received (`SEND_HISTORY` or `history`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    history: Vec<Value>,
    /// The chat history as the live agent sees it, stored as the `store_history_as` custom
    /// adapter property says (`va-api-support-chat-history.md`); empty without the property.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    agent_history: Vec<StoredHistory>,
    created_at: UnixSeconds,
    #[serde(skip_serializing_if = "Option::is_none")]
    waiting_since: Option<UnixSeconds>,
    /// When the live agent accepted it.
    #[serde(skip_serializing_if = "Option::is_none")]
    accepted_at: Option<UnixSeconds>,
    /// `cause` of a `FAULT_CONVERSATION`.
    #[serde(skip_serializing_if = "Option::is_none")]
    fault_cause: Option<String>,
    /// `botToBot` of the latest request that sent it (default `true`); only bot-to-bot
    /// conversations time out when idle (`va-b2b-open-conversation.md`) and hand control back
    /// to the primary bot.
    bot_to_bot: bool,
    /// How many messages in a row the bot did not understand since it last understood one or
    /// handed control back (`va.bot.to.bot.take.control_times`, `bot2bot.md`).
    #[serde(default, skip_serializing_if = "is_zero")]
    n_not_understood: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    ended_at: Option<UnixSeconds>,
    #[serde(skip_serializing_if = "Option::is_none")]
    end_reason: Option<EndReason>,
    /// Never empty but while the database stores the conversation's other fields, as the
    /// entries have rows of their own.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    entries: Vec<Entry>,
    #[serde(skip)]
    last_request: Echo,
    /// Whether the last bot reply was the Bye command's "End conversation" / "Cancel" picker.
    #[serde(skip)]
    offered_end: bool,
    /// Whether a delivery task is working through this conversation's pending replies.
    #[serde(skip)]
    delivering: bool,
}

/// A conversation in a list: everything but the transcript.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct ConversationSummary {
    id: String,
    user_id: String,
    client_session_id: String,
    state: ConversationState,
    #[serde(skip_serializing_if = "Option::is_none")]
    agent_name: Option<String>,
    visitor_typing: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    waiting_since: Option<UnixSeconds>,
    #[serde(skip_serializing_if = "Option::is_none")]
    end_reason: Option<EndReason>,
    n_entries: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum ConversationState {
    /// `CREATE_CONVERSATION` made it; nothing was said yet.
    Created,
    /// The user talks to the Virtual Agent.
    Bot,
    /// The user asked for a live agent; none has accepted yet.
    Waiting,
    /// A live agent accepted and chats with the user.
    WithAgent,
    Ended,
}

/// Why a conversation ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum EndReason {
    /// `END_CONVERSATION`.
    Visitor,
    /// The simulated live agent ended it.
    Agent,
    /// `FAULT_CONVERSATION`.
    Fault,
    /// The bot's topic ended it (the attachment examples answer `completed: true`).
    Completed,
    /// The Time Out Abandoned B2B Conversations job closed it (`va-b2b-open-conversation.md`).
    IdleTimeout,
}

/// The live agent in a conversation.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Agent {
    name: String,
    /// `agentInfo.agentId`.
    id: String,
}

/// The values of `store_history_as` (`va-api-support-chat-history.md`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) enum HistoryFormat {
    /// "The chat history will be displayed in individual messages."
    #[serde(rename = "multi-text")]
    MultiText,
    /// "The chat history will be displayed in a single block."
    #[serde(rename = "text")]
    Text,
    /// "The chat history will be displayed in HTML."
    #[serde(rename = "html")]
    Html,
}

/// One message of chat history as the live agent sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct StoredHistory {
    pub(crate) format: HistoryFormat,
    pub(crate) content: String,
}

/// The Interaction [interaction] record of a chat.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Interaction {
    /// `interactionId` in replies.
    sys_id: String,
    /// `clientSessionId`, which "is only updated if the value of the third_party_chat field is
    /// true in the Custom Adapter Property form" (`bot-api.md`, `clientSessionId`;
    /// `va-api-interaction-record-third-party-chat.md`).
    #[serde(skip_serializing_if = "Option::is_none")]
    client_session_id: Option<String>,
}

/// Why a request is refused before anything is recorded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(crate) enum RequestError {
    /// Synchronous support requires excluding the Bot to Bot channel from Agent Chat
    /// (`com.glide.cs.exclude.liveagent.support`, "Before you begin" in
    /// `virtual-agent-api-enable-synchronous-support.md`), so no live agent can take the chat.
    /// The vendor documents no reply for this; refusing it is the sandbox's own choice.
    #[error("the synchronous Bot to Bot channel is excluded from Agent Chat, so no live agent can take the conversation")]
    NoLiveAgent,
    /// `UPDATE_MESSAGES` "is only valid if custom adapter property with name third_party_chat
    /// tied to provider application is set to `true`" (`bot-api.md`). What an instance answers
    /// otherwise is not documented; 400 ("A bad request type ... was detected") is the
    /// sandbox's reading.
    #[error("UPDATE_MESSAGES is only valid with the third_party_chat custom adapter property set to true")]
    NotThirdPartyChat,
}

/// What an agent action cannot be applied to.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(crate) enum AgentError {
    #[error("no conversation `{0}`")]
    NoConversation(String),
    #[error("conversation `{id}` is {state:?}, but {operation} needs {expected}")]
    WrongState {
        id: String,
        state: ConversationState,
        operation: &'static str,
        expected: &'static str,
    },
    #[error("the message text is empty")]
    EmptyText,
    /// A link, image or card that the documented controls cannot carry.
    #[error("invalid {control}: {reason}")]
    InvalidControl {
        control: &'static str,
        reason: String,
    },
}

/// What a reply echoes of the request it answers: agent messages echo the last request, as the
/// documented agent message does ("Pass agent name and avatar").
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
struct Echo {
    request_id: String,
    now_session_id: Option<String>,
    message: Option<Value>,
    /// The latest `clientVariables` any request of the conversation sent, not only the last
    /// request's: they "can be used to keep specific customer information attached to the
    /// conversation" (`bot-api.md`), so a request without them (a `TYPING`, say) keeps them.
    client_variables: Option<Value>,
}

impl Conversation {
    pub(crate) fn id(&self) -> &str {
        &self.id
    }

    pub(crate) fn state(&self) -> ConversationState {
        self.state
    }

    pub(crate) fn user_id(&self) -> &str {
        &self.user_id
    }

    pub(crate) fn agent_name(&self) -> Option<&str> {
        self.agent.as_ref().map(|agent| agent.name.as_str())
    }

    pub(crate) fn visitor_typing(&self) -> bool {
        self.visitor_typing
    }

    pub(crate) fn agent_history(&self) -> &[StoredHistory] {
        &self.agent_history
    }

    pub(crate) fn entries(&self) -> &[Entry] {
        &self.entries
    }

    /// A conversation with the bot, started at `now`.
    fn new(
        ids: &mut IdGenerator,
        user_id: &str,
        client_session_id: String,
        now: UnixSeconds,
    ) -> Conversation {
        Conversation {
            id: ids.next(),
            interaction: Interaction {
                sys_id: ids.next(),
                client_session_id: None,
            },
            user_id: user_id.to_owned(),
            client_session_id,
            email_id: None,
            state: ConversationState::Bot,
            agent: None,
            visitor_typing: false,
            silent: false,
            timezone: None,
            context_variables: None,
            history: Vec::new(),
            agent_history: Vec::new(),
            created_at: now,
            waiting_since: None,
            accepted_at: None,
            fault_cause: None,
            bot_to_bot: true,
            n_not_understood: 0,
            ended_at: None,
            end_reason: None,
            entries: Vec::new(),
            last_request: Echo::default(),
            offered_end: false,
            delivering: false,
        }
    }

    /// Whether the chat reached the live-agent queue: it waits there or is with the agent.
    fn agent_involved(&self) -> bool {
        matches!(
            self.state,
            ConversationState::Waiting | ConversationState::WithAgent
        )
    }

    fn summary(&self) -> ConversationSummary {
        ConversationSummary {
            id: self.id.clone(),
            user_id: self.user_id.clone(),
            client_session_id: self.client_session_id.clone(),
            state: self.state,
            agent_name: self.agent_name().map(str::to_owned),
            visitor_typing: self.visitor_typing,
            waiting_since: self.waiting_since,
            end_reason: self.end_reason,
            n_entries: self.entries.len(),
        }
    }
}

/// For `skip_serializing_if`: counters that are zero stay out of the admin API's view.
fn is_zero(count: &u32) -> bool {
    *count == 0
}
