//! Conversations, their transcripts and the simulated live agent. This is the pure part of the
//! Virtual Agent API: requests and agent actions go in with the time, transcript entries come out
//! (outbound ones marked for delivery); `crate::va::delivery` does the posting.
//!
//! Every inbound request and every reply is one transcript entry with a sequence number that
//! counts up from 1 within its conversation, so a test can check that nothing was lost or sent
//! twice.
//!
//! Every change is remembered until taken for the database (`stored.rs`), so that `--data` keeps
//! conversations across restarts.

pub(crate) mod stored;

use std::collections::BTreeSet;

use axum::body::Bytes;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::common::datetime::UnixSeconds;
use crate::va::attachments::AttachmentRef;
use crate::va::bot::{self, EndChoice, Intent};
use crate::va::inbound::ValidRequest;
use crate::va::wire::{Action, AgentInfo, BodyItem, InboundRequest, OutboundMessage};

/// Every conversation the instance has seen, and the requests it turned away.
#[derive(Debug)]
pub(crate) struct Conversations {
    conversations: Vec<Conversation>,
    rejected: Vec<RejectedRequest>,
    ids: IdGenerator,
    /// The indexes of the conversations changed since the database last took them.
    unsaved: BTreeSet<usize>,
    /// How many of `rejected` the database has.
    n_saved_rejected: usize,
}

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

/// The Time Out Abandoned B2B Conversations job (`va-b2b-open-conversation.md`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct IdleTimeout {
    /// `com.glide.cs.b2b_conversation_idle_timeout`: how long a conversation may stay open
    /// "after the requester's last response".
    pub(crate) timeout_secs: i64,
    /// How often the job runs: "This job runs hourly each day".
    pub(crate) job_interval_secs: i64,
}

/// The live agent in a conversation.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Agent {
    name: String,
    /// `agentInfo.agentId`.
    id: String,
}

/// One transcript entry: an inbound request, or a reply posted (or to be posted) to the webhook.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Entry {
    seq: u64,
    at: UnixSeconds,
    direction: Direction,
    from: Party,
    kind: EntryKind,
    #[serde(skip_serializing_if = "Option::is_none")]
    action: Option<Action>,
    #[serde(skip_serializing_if = "Option::is_none")]
    text: Option<String>,
    /// `body.messageId` of an agent's message, which `UPDATE_MESSAGES` refers to.
    #[serde(skip_serializing_if = "Option::is_none")]
    message_id: Option<String>,
    /// `message.status` from `UPDATE_MESSAGES`: `sent_to_user` or `external_error`.
    #[serde(skip_serializing_if = "Option::is_none")]
    client_status: Option<String>,
    /// `message.text` from `UPDATE_MESSAGES`: the text as the client showed it.
    #[serde(skip_serializing_if = "Option::is_none")]
    updated_text: Option<String>,
    /// `message.attachment` of a request, as the instance fetched it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    attachments: Vec<Attachment>,
    /// The request body, or the body posted to the webhook.
    payload: Value,
    #[serde(skip_serializing_if = "Option::is_none")]
    delivery: Option<Delivery>,
    /// The exact bytes posted (and signed).
    #[serde(skip)]
    wire: String,
    /// Whether the database has the entry as it is now.
    #[serde(skip)]
    saved: bool,
}

/// One attachment of a request and what became of it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Attachment {
    /// The sandbox's id, for `GET /sandbox/va/attachments/{id}`.
    id: String,
    file_name: String,
    content_type: String,
    url: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    client_attachment_id: Option<String>,
    /// Whether `headers` carried an `Authorization` (its value is not kept here).
    with_authorization: bool,
    status: AttachmentStatus,
    #[serde(skip_serializing_if = "Option::is_none")]
    size_bytes: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<String>,
    #[serde(skip)]
    content: Option<Bytes>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum AttachmentStatus {
    /// Being downloaded.
    Pending,
    Received,
    /// Not trusted, not found, too large or unreachable; the chat gets no reply for it, as
    /// `bot-api.md` describes a 200 "but don't receive a response back".
    Failed,
}

/// What became of one inbound request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Handled {
    pub(crate) conversation_id: String,
    pub(crate) sync_reply: SyncReply,
    /// The ids given to the request's attachments, in order, to report their downloads by.
    pub(crate) attachment_ids: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum Direction {
    Inbound,
    Outbound,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum Party {
    Visitor,
    Bot,
    Agent,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum EntryKind {
    /// An inbound request; `action` says which.
    Request,
    BotReply,
    /// The `StartSpinner` with the estimated wait, after the hand-off to the live-agent queue.
    WaitTime,
    AgentJoined,
    AgentMessage,
    TypingStarted,
    TypingStopped,
    ConversationEnded,
    /// The `{"status": "success"}` that answers `SEND_HISTORY`.
    HistoryAck,
}

/// Where a reply is in its delivery.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Delivery {
    pub(crate) status: DeliveryStatus,
    pub(crate) attempts: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) last_error: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum DeliveryStatus {
    Pending,
    Delivered,
    /// Every attempt failed, or there is no webhook to post to.
    Undelivered,
    /// A bot reply while `silentMessage` is on; never posted.
    Suppressed,
    /// Returned in the HTTP response of a synchronous channel; never posted.
    InResponse,
}

/// A request whose static token or signature did not match. The documented instance answers
/// such requests 200 and never replies ("Whether the request is failing in Static, JWT, or Hash
/// Based Token validation", `bot-api.md` status codes); the sandbox keeps them for tests.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct RejectedRequest {
    at: UnixSeconds,
    request_id: String,
    user_id: String,
    reason: String,
}

/// What the synchronous answer to an inbound request is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum SyncReply {
    /// `{"status": "success"}`; replies follow on the webhook.
    Ack,
    /// `UPDATE_MESSAGES` is "a synchronous action irrespective of synchronous/asynchronous
    /// nature of the channel"; it answers "Message Processed Successfully".
    MessagesUpdated,
    /// A synchronous channel answers with the reply itself, the exact JSON that would otherwise
    /// be posted to the response endpoint.
    Reply(String),
}

/// How the channel the request came through is set up.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Channel {
    /// The Bot to Bot channel's Synchronous check box
    /// (`virtual-agent-api-enable-synchronous-support.md`).
    pub(crate) synchronous: bool,
    /// The `third_party_chat` custom adapter property
    /// (`va-api-interaction-record-third-party-chat.md`).
    pub(crate) third_party_chat: bool,
    /// The `store_history_as` custom adapter property (`va-api-support-chat-history.md`).
    pub(crate) store_history_as: Option<HistoryFormat>,
    /// `va.bot.to.bot.take.control_times` (`bot2bot.md`): after this many messages in a row the
    /// bot did not understand, control goes back to the primary bot; 0 never hands it back.
    pub(crate) take_control_times: u32,
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

/// The top-level flags of a reply besides `body`.
#[derive(Debug, Clone, Default)]
struct ReplyFlags {
    agent_chat: bool,
    completed: bool,
    take_control: bool,
    not_understood: bool,
    interaction_id: Option<String>,
}

/// What the Virtual Agent does with one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Step {
    UpdateMessages,
    VisitorTyping(bool),
    /// Kept in the transcript, nothing said (`SET_USER_TIMEZONE`, a start or a `SWITCH` while an
    /// agent is involved).
    Nothing,
    HistoryAck,
    Create,
    Greet,
    /// The disambiguation picker after the `agent` utterance.
    WhichAgentTopic,
    /// The Bye command's picker.
    OfferToEnd,
    /// Attachments for the bot: it answers once they are downloaded.
    ReceiveFiles,
    AskForAgent,
    NotUnderstood,
    End,
    Fault,
    /// A visitor message while an agent is involved: for the agent's transcript only.
    ToAgent,
}

/// The wait per chat in the queue before any agent accepted one: the documented `StartSpinner`
/// example's "8 Seconds".
const DEFAULT_WAIT_SECS: u64 = 8;

/// How many of the latest accepted chats the wait estimate averages.
const RECENT_WAITS: usize = 10;

/// The card templates `va-api-controls.md` shows ("Output Card").
const CARD_TEMPLATES: [&str; 4] = [
    "Large image with text",
    "Small image with text",
    "Youtube Video Card",
    "Card",
];

/// 32 lowercase hex digits, like sys_ids; deterministic per seed.
#[derive(Debug)]
struct IdGenerator {
    state: u64,
}

impl Conversations {
    /// An empty instance; `seed` varies the ids it hands out.
    pub(crate) fn new(seed: u64) -> Conversations {
        Conversations {
            conversations: Vec::new(),
            rejected: Vec::new(),
            ids: IdGenerator { state: seed },
            unsaved: BTreeSet::new(),
            n_saved_rejected: 0,
        }
    }

    /// Applies a validated request: finds the user's open conversation or starts one, records
    /// the request, and records the replies, pending delivery. Returns the conversation's id and
    /// the answer to the request itself.
    pub(crate) fn handle_request(
        &mut self,
        valid: &ValidRequest,
        now: UnixSeconds,
        channel: Channel,
    ) -> Result<Handled, RequestError> {
        let ValidRequest {
            request,
            action,
            raw,
            attachments,
        } = valid;
        let action = *action;
        let wait_secs = self.wait_estimate_secs();
        let client_session_id = request.client_session_id.clone().unwrap_or_default();
        let open = self.conversations.iter().rposition(|conversation| {
            conversation.state != ConversationState::Ended
                && conversation.user_id == request.user_id
                && conversation.client_session_id == client_session_id
        });
        let mut fresh = None;
        let conversation = match open {
            Some(conversation_idx) => &mut self.conversations[conversation_idx],
            None => {
                let timezone = self.user_timezone(&request.user_id);
                let mut conversation =
                    Conversation::new(&mut self.ids, &request.user_id, client_session_id, now);
                conversation.timezone = timezone;
                fresh.insert(conversation)
            }
        };
        let step = conversation.step(request, action);
        if step == Step::AskForAgent && channel.synchronous {
            return Err(RequestError::NoLiveAgent);
        }
        if step == Step::UpdateMessages && !channel.third_party_chat {
            return Err(RequestError::NotThirdPartyChat);
        }
        let first_new_seq = conversation.next_seq();
        conversation.remember(request, action, channel);
        let attachments: Vec<Attachment> = attachments
            .iter()
            .map(|attachment| Attachment::pending(self.ids.next(), attachment))
            .collect();
        let attachment_ids = attachments
            .iter()
            .map(|attachment| attachment.id.clone())
            .collect();
        conversation.push_inbound(action, message_text(request), attachments, raw.clone(), now);
        let mut sync_reply =
            conversation.perform(step, &mut self.ids, request, now, wait_secs, channel);
        if channel.synchronous && sync_reply == SyncReply::Ack {
            if let Some(reply) = conversation.answer_in_response(first_new_seq) {
                sync_reply = SyncReply::Reply(reply);
            }
        }
        let conversation_id = conversation.id.clone();
        let conversation_idx = match fresh {
            Some(conversation) => {
                self.conversations.push(conversation);
                self.conversations.len() - 1
            }
            None => open.expect("a request without a fresh conversation went to an open one"),
        };
        self.unsaved.insert(conversation_idx);
        Ok(Handled {
            conversation_id,
            sync_reply,
            attachment_ids,
        })
    }

    /// Records a request turned away by token or signature validation.
    pub(crate) fn reject(&mut self, request: &InboundRequest, reason: &str, now: UnixSeconds) {
        self.rejected.push(RejectedRequest {
            at: now,
            request_id: request.request_id.clone(),
            user_id: request.user_id.clone(),
            reason: reason.to_owned(),
        });
    }

    /// Applies every run of the Time Out Abandoned B2B Conversations job up to `now`: the job
    /// runs at each whole `job_interval_secs` and "closes any bot-to-bot conversations that have
    /// been idle longer than the specified time" (`va-b2b-open-conversation.md`). Each closed
    /// conversation ends at the run that closed it; the vendor documents no message for it, so
    /// nothing is posted.
    pub(crate) fn close_idle(&mut self, now: UnixSeconds, idle: IdleTimeout) {
        let interval = idle.job_interval_secs.max(1);
        for (conversation_idx, conversation) in self.conversations.iter_mut().enumerate() {
            if conversation.state == ConversationState::Ended || !conversation.bot_to_bot {
                continue;
            }
            let idle_from = conversation.last_request_at();
            // The first run at which the conversation has been idle longer than the timeout.
            let closing_run = (idle_from
                .saturating_add(idle.timeout_secs)
                .div_euclid(interval)
                + 1)
                * interval;
            if closing_run <= now {
                conversation.state = ConversationState::Ended;
                conversation.visitor_typing = false;
                conversation.ended_at = Some(closing_run);
                conversation.end_reason = Some(EndReason::IdleTimeout);
                self.unsaved.insert(conversation_idx);
            }
        }
    }

    pub(crate) fn rejected(&self) -> &[RejectedRequest] {
        &self.rejected
    }

    /// Summaries, oldest first; only those in `state` if given.
    pub(crate) fn list(&self, state: Option<ConversationState>) -> Vec<ConversationSummary> {
        self.conversations
            .iter()
            .filter(|conversation| state.is_none_or(|state| conversation.state == state))
            .map(Conversation::summary)
            .collect()
    }

    /// Every conversation, oldest first.
    pub(crate) fn all(&self) -> &[Conversation] {
        &self.conversations
    }

    pub(crate) fn get(&self, id: &str) -> Option<&Conversation> {
        self.conversations
            .iter()
            .find(|conversation| conversation.id == id)
    }

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
        let flags = ReplyFlags {
            agent_chat: true,
            ..ReplyFlags::default()
        };
        let reply = conversation.reply(vec![bot::typing_indicator(typing)], &flags);
        conversation.push_outbound(Party::Agent, kind, None, None, &reply, now);
        Ok(())
    }

    /// The agent ends a conversation that reached the live-agent queue.
    pub(crate) fn agent_end(&mut self, id: &str, now: UnixSeconds) -> Result<(), AgentError> {
        let conversation_idx = self.index_for_change(id)?;
        let conversation = &mut self.conversations[conversation_idx];
        let agent_involved = matches!(
            conversation.state,
            ConversationState::Waiting | ConversationState::WithAgent
        );
        if !agent_involved {
            return Err(conversation.wrong_state("ending", "waiting or an agent"));
        }
        conversation.end(Party::Agent, now);
        Ok(())
    }

    /// Marks the conversation as being delivered; `false` when a delivery task already is.
    pub(crate) fn start_delivering(&mut self, id: &str) -> bool {
        let Some(conversation) = self.get_mut(id) else {
            return false;
        };
        let already = conversation.delivering;
        conversation.delivering = true;
        !already
    }

    /// The oldest reply still to be posted, as `(seq, body)`. When there is none, the delivery
    /// task is done; the flag is cleared under the same lock so no reply is left behind.
    pub(crate) fn next_pending(&mut self, id: &str) -> Option<(u64, String)> {
        let conversation = self.get_mut(id)?;
        let pending = conversation.entries.iter().find(|entry| {
            entry
                .delivery
                .as_ref()
                .is_some_and(|delivery| delivery.status == DeliveryStatus::Pending)
        });
        match pending {
            Some(entry) => Some((entry.seq, entry.wire.clone())),
            None => {
                conversation.delivering = false;
                None
            }
        }
    }

    /// Records where the delivery of reply `seq` stands.
    pub(crate) fn record_delivery(&mut self, id: &str, seq: u64, delivery: Delivery) {
        let Some(conversation_idx) = self.position(id) else {
            return;
        };
        let entry = self.conversations[conversation_idx]
            .entries
            .iter_mut()
            .find(|entry| entry.seq == seq);
        if let Some(entry) = entry {
            entry.delivery = Some(delivery);
            entry.saved = false;
            self.unsaved.insert(conversation_idx);
        }
    }

    /// Whether every reply of the conversation has been delivered or given up on.
    pub(crate) fn is_settled(&self, id: &str) -> bool {
        self.get(id).is_none_or(|conversation| {
            conversation.entries.iter().all(|entry| {
                let delivered = entry
                    .delivery
                    .as_ref()
                    .is_none_or(|delivery| delivery.status != DeliveryStatus::Pending);
                let downloaded = entry
                    .attachments
                    .iter()
                    .all(|attachment| attachment.status != AttachmentStatus::Pending);
                delivered && downloaded
            })
        })
    }

    /// Records the download of attachment `attachment_id`. Once every attachment of its request
    /// is done and at least one arrived, a conversation still with the bot gets the documented
    /// reply and ends; one with a live agent leaves it to the agent. On a synchronous channel the
    /// reply is returned instead of queued.
    pub(crate) fn attachment_fetched(
        &mut self,
        conversation_id: &str,
        attachment_id: &str,
        download: Result<Bytes, String>,
        now: UnixSeconds,
        channel: Channel,
    ) -> Option<String> {
        let conversation_idx = self.position(conversation_id)?;
        let conversation = &mut self.conversations[conversation_idx];
        let entry = conversation.entries.iter_mut().find(|entry| {
            entry
                .attachments
                .iter()
                .any(|attachment| attachment.id == attachment_id)
        })?;
        let attachment = entry
            .attachments
            .iter_mut()
            .find(|attachment| attachment.id == attachment_id)?;
        match download {
            Ok(content) => {
                attachment.status = AttachmentStatus::Received;
                attachment.size_bytes = Some(content.len());
                attachment.content = Some(content);
            }
            Err(error) => {
                attachment.status = AttachmentStatus::Failed;
                attachment.error = Some(error);
            }
        }
        entry.saved = false;
        self.unsaved.insert(conversation_idx);
        let statuses: Vec<AttachmentStatus> = entry
            .attachments
            .iter()
            .map(|attachment| attachment.status)
            .collect();
        let all_done = !statuses.contains(&AttachmentStatus::Pending);
        let any_received = statuses.contains(&AttachmentStatus::Received);
        let with_bot = matches!(
            conversation.state,
            ConversationState::Bot | ConversationState::Created
        );
        if !(all_done && any_received && with_bot) {
            return None;
        }
        let first_new_seq = conversation.next_seq();
        conversation.files_received(now);
        match channel.synchronous {
            true => conversation.answer_in_response(first_new_seq),
            false => None,
        }
    }

    /// An attachment by its id, in any conversation.
    pub(crate) fn attachment(&self, attachment_id: &str) -> Option<&Attachment> {
        self.conversations
            .iter()
            .flat_map(|conversation| &conversation.entries)
            .flat_map(|entry| &entry.attachments)
            .find(|attachment| attachment.id == attachment_id)
    }

    /// The time zone the latest `SET_USER_TIMEZONE` of `user_id` set, in any of their
    /// conversations: it "remains in effect until you reset it using this same parameter"
    /// (`bot-api.md`, `action`), so the user's new conversations start with it. The transcript
    /// keeps every request, so it is the record of the setting.
    fn user_timezone(&self, user_id: &str) -> Option<String> {
        self.conversations
            .iter()
            .filter(|conversation| conversation.user_id == user_id)
            .flat_map(|conversation| &conversation.entries)
            .filter(|entry| entry.action == Some(Action::SetUserTimezone))
            .filter_map(|entry| {
                let timezone = entry.payload.get("timezone").and_then(Value::as_str)?;
                Some((entry.at, timezone))
            })
            // The last of the latest, as `max_by_key` keeps the last of equal keys.
            .max_by_key(|(at, _)| *at)
            .map(|(_, timezone)| timezone.to_owned())
    }

    /// How long a chat joining the live-agent queue now may wait, in seconds. The vendor
    /// documents only how the wait is shown; the sandbox's estimate gives every chat in the queue,
    /// the new one included, the mean wait of the latest accepted chats.
    fn wait_estimate_secs(&self) -> u64 {
        let recent_waits: Vec<u64> = self
            .conversations
            .iter()
            .rev()
            .filter_map(|conversation| {
                let waited = conversation.accepted_at? - conversation.waiting_since?;
                Some(u64::try_from(waited).unwrap_or(0))
            })
            .take(RECENT_WAITS)
            .collect();
        let n_recent = recent_waits.len() as u64;
        let per_chat = match n_recent {
            0 => DEFAULT_WAIT_SECS,
            _ => (recent_waits.iter().sum::<u64>() + n_recent / 2) / n_recent,
        };
        let n_waiting = self
            .conversations
            .iter()
            .filter(|conversation| conversation.state == ConversationState::Waiting)
            .count() as u64;
        per_chat.max(1) * (n_waiting + 1)
    }

    fn get_mut(&mut self, id: &str) -> Option<&mut Conversation> {
        self.conversations
            .iter_mut()
            .find(|conversation| conversation.id == id)
    }

    fn position(&self, id: &str) -> Option<usize> {
        self.conversations
            .iter()
            .position(|conversation| conversation.id == id)
    }

    /// The index of conversation `id`, which is about to change.
    fn index_for_change(&mut self, id: &str) -> Result<usize, AgentError> {
        let conversation_idx = self
            .position(id)
            .ok_or_else(|| AgentError::NoConversation(id.to_owned()))?;
        self.unsaved.insert(conversation_idx);
        Ok(conversation_idx)
    }
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

    /// What the Virtual Agent does with `request`, decided before anything changes.
    fn step(&self, request: &InboundRequest, action: Option<Action>) -> Step {
        let with_agent = matches!(
            self.state,
            ConversationState::Waiting | ConversationState::WithAgent
        );
        match action {
            Some(Action::UpdateMessages) => Step::UpdateMessages,
            Some(Action::Typing) => Step::VisitorTyping(true),
            Some(Action::Viewing) => Step::VisitorTyping(false),
            Some(Action::SetUserTimezone) => Step::Nothing,
            Some(Action::SendHistory) => Step::HistoryAck,
            Some(Action::CreateConversation) => Step::Create,
            Some(Action::StartConversation | Action::StartCreatedConversation) => {
                match (with_agent, self.wants_live_agent_only(request)) {
                    (true, _) => Step::Nothing,
                    (false, true) => Step::AskForAgent,
                    (false, false) => Step::Greet,
                }
            }
            Some(Action::Agent) => Step::AskForAgent,
            // "Only use the SWITCH action for topic switching when the intent discovery happens
            // in the primary bot": while a live agent has the chat no topic runs, so there is
            // nothing to switch. The vendor documents no answer for it; the sandbox records the
            // request and leaves the chat with the agent, as it does a start.
            Some(Action::Switch) if with_agent => Step::Nothing,
            Some(Action::Switch) => {
                let names = [
                    request
                        .intent
                        .as_ref()
                        .and_then(|intent| intent.id.as_deref()),
                    request
                        .topic
                        .as_ref()
                        .and_then(|topic| topic.name.as_deref()),
                    request.topic.as_ref().and_then(|topic| topic.id.as_deref()),
                ];
                match names.into_iter().flatten().any(bot::is_live_agent_topic) {
                    true => Step::AskForAgent,
                    false => Step::NotUnderstood,
                }
            }
            Some(Action::EndConversation) => Step::End,
            Some(Action::FaultConversation) => Step::Fault,
            None if with_agent => Step::ToAgent,
            None if self.wants_live_agent_only(request) => Step::AskForAgent,
            None if has_attachment(request) => Step::ReceiveFiles,
            None => {
                let text = message_text(request).unwrap_or_default();
                let choice = self.offered_end.then(|| bot::end_choice(&text)).flatten();
                match (choice, bot::intent(&text)) {
                    (Some(EndChoice::End), _) => Step::End,
                    (Some(EndChoice::Cancel), _) | (None, Intent::Greet) => Step::Greet,
                    (None, Intent::AskForAgent) => Step::WhichAgentTopic,
                    (None, Intent::Bye) => Step::OfferToEnd,
                    (None, Intent::LiveAgentTopic) => Step::AskForAgent,
                    (None, Intent::NotUnderstood) => Step::NotUnderstood,
                }
            }
        }
    }

    /// Whether the chat should skip the bot: `contextVariables` `live_agent_only` is `"true"`, or
    /// `topic` names the live-agent topic (both in `bot-api.md`'s `contextVariables` example).
    /// The request's own variables count before those kept from earlier requests.
    fn wants_live_agent_only(&self, request: &InboundRequest) -> bool {
        let variable = |name: &str| {
            let from_request = request
                .context_variables
                .as_ref()
                .and_then(|variables| variables.get(name));
            let kept = self
                .context_variables
                .as_ref()
                .and_then(|variables| variables.get(name));
            from_request.or(kept).cloned()
        };
        let live_agent_only = match variable("live_agent_only") {
            Some(Value::Bool(flag)) => flag,
            Some(Value::String(text)) => text.eq_ignore_ascii_case("true"),
            _ => false,
        };
        let live_agent_topic = variable("topic")
            .as_ref()
            .and_then(Value::as_str)
            .is_some_and(|topic| topic == bot::LIVE_AGENT_TOPIC_ID);
        live_agent_only || live_agent_topic
    }

    /// Does `step` for `request`, which is already in the transcript, and says what the request
    /// itself is answered with.
    fn perform(
        &mut self,
        step: Step,
        ids: &mut IdGenerator,
        request: &InboundRequest,
        now: UnixSeconds,
        wait_secs: u64,
        channel: Channel,
    ) -> SyncReply {
        let bot_talks = matches!(
            step,
            Step::Greet
                | Step::WhichAgentTopic
                | Step::NotUnderstood
                | Step::OfferToEnd
                | Step::ReceiveFiles
        );
        if bot_talks {
            self.state = ConversationState::Bot;
        }
        self.offered_end = step == Step::OfferToEnd;
        let understood = !matches!(
            step,
            Step::NotUnderstood
                | Step::VisitorTyping(_)
                | Step::Nothing
                | Step::HistoryAck
                | Step::UpdateMessages
        );
        if understood {
            self.n_not_understood = 0;
        }
        match step {
            Step::UpdateMessages => {
                self.update_messages(request.message.as_ref());
                return SyncReply::MessagesUpdated;
            }
            Step::VisitorTyping(typing) => self.visitor_typing = typing,
            Step::Nothing => {}
            Step::HistoryAck => {
                let ack = serde_json::json!({"status": "success"});
                self.push_outbound(Party::Bot, EntryKind::HistoryAck, None, None, &ack, now);
            }
            Step::Create => {
                self.state = ConversationState::Created;
                let message_id = ids.next();
                let flags = ReplyFlags {
                    interaction_id: Some(self.interaction.sys_id.clone()),
                    ..ReplyFlags::default()
                };
                let body = vec![bot::conversation_created(
                    &self.id,
                    &self.interaction.sys_id,
                    message_id,
                )];
                self.bot_says(body, &flags, now);
            }
            Step::Greet => self.bot_says(bot::greeting(), &ReplyFlags::default(), now),
            Step::WhichAgentTopic => {
                self.bot_says(bot::which_agent_topic(), &ReplyFlags::default(), now)
            }
            Step::AskForAgent => self.ask_for_agent(now, wait_secs),
            Step::OfferToEnd => self.bot_says(bot::end_picker(), &ReplyFlags::default(), now),
            Step::NotUnderstood => self.not_understood(now, channel.take_control_times),
            Step::End => self.end(Party::Visitor, now),
            Step::Fault => {
                let flags = ReplyFlags {
                    take_control: true,
                    not_understood: true,
                    ..ReplyFlags::default()
                };
                self.bot_says(Vec::new(), &flags, now);
                self.state = ConversationState::Ended;
                self.ended_at = Some(now);
                self.end_reason = Some(EndReason::Fault);
                self.fault_cause = request.cause.clone();
            }
            Step::ToAgent => self.visitor_typing = false,
            Step::ReceiveFiles => {}
        }
        SyncReply::Ack
    }

    /// Keeps what later replies echo and what the agent should see.
    fn remember(&mut self, request: &InboundRequest, action: Option<Action>, channel: Channel) {
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

    /// The user asks for a live agent: the documented stand-by message with `agentChat: true`,
    /// then the wait-time spinner, and the conversation waits in the queue.
    fn ask_for_agent(&mut self, now: UnixSeconds, wait_secs: u64) {
        let already_queued = matches!(
            self.state,
            ConversationState::Waiting | ConversationState::WithAgent
        );
        if already_queued {
            return;
        }
        self.state = ConversationState::Waiting;
        self.waiting_since = Some(now);
        let flags = ReplyFlags {
            agent_chat: true,
            ..ReplyFlags::default()
        };
        self.bot_says(bot::stand_by(), &flags, now);
        let spinner = self.reply(vec![bot::wait_time_spinner(wait_secs)], &flags);
        self.push_outbound(Party::Bot, EntryKind::WaitTime, None, None, &spinner, now);
    }

    /// The documented answer to attachments, which ends the conversation.
    fn files_received(&mut self, now: UnixSeconds) {
        let flags = ReplyFlags {
            completed: true,
            ..ReplyFlags::default()
        };
        self.bot_says(bot::files_received(), &flags, now);
        self.state = ConversationState::Ended;
        self.visitor_typing = false;
        self.ended_at = Some(now);
        self.end_reason = Some(EndReason::Completed);
    }

    /// The documented reply to what the bot does not understand. In a bot-to-bot conversation
    /// the `take_control_times`-th one in a row also hands control back to the primary bot:
    /// "Number of times that Virtual Agent tries to get a response, after which control is
    /// returned to the primary bot" (`bot2bot.md`), with `takeControl: true` ("the ServiceNow
    /// Virtual Agent wants to hand control back over to the primary bot", `bot-api.md`). The
    /// document does not say what follows; the sandbox keeps the conversation open and counts
    /// again from zero.
    fn not_understood(&mut self, now: UnixSeconds, take_control_times: u32) {
        self.n_not_understood = self.n_not_understood.saturating_add(1);
        let take_control = self.bot_to_bot
            && take_control_times > 0
            && self.n_not_understood >= take_control_times;
        if take_control {
            self.n_not_understood = 0;
        }
        let flags = ReplyFlags {
            not_understood: true,
            take_control,
            ..ReplyFlags::default()
        };
        self.bot_says(bot::not_understood(), &flags, now);
    }

    /// Ends the conversation with the documented message; a conversation that reached the
    /// live-agent queue ends with `completed: true` ("End a Live Agent conversation").
    fn end(&mut self, by: Party, now: UnixSeconds) {
        let flags = ReplyFlags {
            completed: matches!(
                self.state,
                ConversationState::Waiting | ConversationState::WithAgent
            ),
            ..ReplyFlags::default()
        };
        self.state = ConversationState::Ended;
        self.visitor_typing = false;
        self.ended_at = Some(now);
        self.end_reason = Some(match by {
            Party::Agent => EndReason::Agent,
            Party::Visitor | Party::Bot => EndReason::Visitor,
        });
        let reply = self.reply(bot::conversation_ended(), &flags);
        let text = text_of(&reply.body);
        self.push_outbound(by, EntryKind::ConversationEnded, text, None, &reply, now);
    }

    fn update_messages(&mut self, message: Option<&Value>) {
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

    fn bot_says(&mut self, body: Vec<BodyItem>, flags: &ReplyFlags, now: UnixSeconds) {
        let reply = self.reply(body, flags);
        let text = text_of(&reply.body);
        self.push_outbound(Party::Bot, EntryKind::BotReply, text, None, &reply, now);
    }

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
        let flags = ReplyFlags {
            agent_chat: true,
            ..ReplyFlags::default()
        };
        let body = vec![bot::agent_message(message, agent_info, message_id.clone())];
        let reply = self.reply(body, &flags);
        let text = Some(message.transcript_text());
        self.push_outbound(Party::Agent, kind, text, Some(message_id), &reply, now);
    }

    fn reply(&self, body: Vec<BodyItem>, flags: &ReplyFlags) -> OutboundMessage {
        OutboundMessage {
            request_id: self.last_request.request_id.clone(),
            client_session_id: self.client_session_id.clone(),
            now_session_id: self.last_request.now_session_id.clone(),
            message: self.last_request.message.clone(),
            user_id: self.user_id.clone(),
            interaction_id: flags.interaction_id.clone(),
            body,
            agent_chat: flags.agent_chat.then_some(true),
            completed: flags.completed.then_some(true),
            take_control: flags.take_control.then_some(true),
            score: match flags.not_understood {
                true => 0,
                false => 1,
            },
            client_variables: self.last_request.client_variables.clone(),
        }
    }

    fn push_inbound(
        &mut self,
        action: Option<Action>,
        text: Option<String>,
        attachments: Vec<Attachment>,
        raw: Value,
        now: UnixSeconds,
    ) {
        self.entries.push(Entry {
            seq: self.next_seq(),
            at: now,
            direction: Direction::Inbound,
            from: Party::Visitor,
            kind: EntryKind::Request,
            action,
            text,
            message_id: None,
            client_status: None,
            updated_text: None,
            attachments,
            payload: raw,
            delivery: None,
            wire: String::new(),
            saved: false,
        });
    }

    fn push_outbound<T: Serialize>(
        &mut self,
        from: Party,
        kind: EntryKind,
        text: Option<String>,
        message_id: Option<String>,
        payload: &T,
        now: UnixSeconds,
    ) {
        let wire = serde_json::to_string(payload).expect("replies are plain JSON");
        let payload = serde_json::to_value(payload).expect("replies are plain JSON");
        let status = match from == Party::Bot && self.silent {
            true => DeliveryStatus::Suppressed,
            false => DeliveryStatus::Pending,
        };
        self.entries.push(Entry {
            seq: self.next_seq(),
            at: now,
            direction: Direction::Outbound,
            from,
            kind,
            action: None,
            text,
            message_id,
            client_status: None,
            updated_text: None,
            attachments: Vec::new(),
            payload,
            delivery: Some(Delivery {
                status,
                attempts: 0,
                last_error: None,
            }),
            wire,
            saved: false,
        });
    }

    /// When the requester last sent anything; the conversation's start if never.
    fn last_request_at(&self) -> UnixSeconds {
        self.entries
            .iter()
            .rev()
            .find(|entry| entry.direction == Direction::Inbound)
            .map_or(self.created_at, |entry| entry.at)
    }

    fn next_seq(&self) -> u64 {
        self.entries.last().map_or(1, |entry| entry.seq + 1)
    }

    /// Takes the replies recorded from `first_seq` on out of the delivery queue, to be returned
    /// in the HTTP response instead; a request gets at most one reply, so that one is returned.
    fn answer_in_response(&mut self, first_seq: u64) -> Option<String> {
        let mut answer = None;
        for entry in self
            .entries
            .iter_mut()
            .filter(|entry| entry.seq >= first_seq)
        {
            let Some(delivery) = entry.delivery.as_mut() else {
                continue;
            };
            if delivery.status != DeliveryStatus::Pending {
                continue;
            }
            delivery.status = DeliveryStatus::InResponse;
            entry.saved = false;
            answer = Some(entry.wire.clone());
        }
        answer
    }

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
    fn validate(&self) -> Result<(), AgentError> {
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

impl Entry {
    pub(crate) fn direction(&self) -> Direction {
        self.direction
    }

    pub(crate) fn from(&self) -> Party {
        self.from
    }

    pub(crate) fn text(&self) -> Option<&str> {
        self.text.as_deref()
    }

    pub(crate) fn attachments(&self) -> &[Attachment] {
        &self.attachments
    }
}

impl Attachment {
    fn pending(id: String, attachment: &AttachmentRef) -> Attachment {
        Attachment {
            id,
            file_name: attachment.file_name.clone(),
            content_type: attachment.content_type.clone(),
            url: attachment.url.to_string(),
            client_attachment_id: attachment.client_attachment_id.clone(),
            with_authorization: attachment.has_authorization(),
            status: AttachmentStatus::Pending,
            size_bytes: None,
            error: None,
            content: None,
        }
    }

    pub(crate) fn id(&self) -> &str {
        &self.id
    }

    pub(crate) fn file_name(&self) -> &str {
        &self.file_name
    }

    pub(crate) fn content_type(&self) -> &str {
        &self.content_type
    }

    pub(crate) fn status(&self) -> AttachmentStatus {
        self.status
    }

    pub(crate) fn content(&self) -> Option<&Bytes> {
        self.content.as_ref()
    }
}

impl IdGenerator {
    fn next(&mut self) -> String {
        format!("{:016x}{:016x}", self.next_u64(), self.next_u64())
    }

    /// SplitMix64: ids need only be unique and look random, not be secret.
    fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
}

/// The primary bot's history as Agent Chat stores it for the agent: one message per item
/// (`multi-text`), one block (`text`) or one HTML message (`html`). The document names the three
/// forms but not their layout; `displayName: value` lines are the sandbox's own.
fn history_for_agent(items: &[Value], format: HistoryFormat) -> Vec<String> {
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

/// Links and images the client is to open or fetch: absolute `http` or `https` URLs.
fn check_url(url: &str) -> Result<(), String> {
    let parsed = reqwest::Url::parse(url).map_err(|_| format!("`{url}` is not a URL"))?;
    match matches!(parsed.scheme(), "http" | "https") {
        true => Ok(()),
        false => Err(format!("`{url}` is not an http or https URL")),
    }
}

/// Whether a request's `message.attachment` names anything.
fn has_attachment(request: &InboundRequest) -> bool {
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
fn message_text(request: &InboundRequest) -> Option<String> {
    request
        .message
        .as_ref()
        .and_then(|message| message.get("text"))
        .and_then(Value::as_str)
        .map(str::to_owned)
}

/// The texts of the `OutputText` items of a reply, one per line, for the agent's transcript.
fn text_of(body: &[BodyItem]) -> Option<String> {
    let texts: Vec<&str> = body
        .iter()
        .filter_map(|item| match item {
            BodyItem::OutputText { value, .. } => Some(value.as_str()),
            BodyItem::OutputLabel { label, .. } => Some(label.as_str()),
            _ => None,
        })
        .collect();
    match texts.is_empty() {
        true => None,
        false => Some(texts.join("\n")),
    }
}

/// For `skip_serializing_if`: counters that are zero stay out of the admin API's view.
fn is_zero(count: &u32) -> bool {
    *count == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: UnixSeconds = 1_700_000_000;

    fn request(json: Value) -> ValidRequest {
        crate::va::inbound::parse(json.to_string().as_bytes()).unwrap()
    }

    fn send(conversations: &mut Conversations, json: Value) -> String {
        conversations
            .handle_request(&request(json), NOW, Channel::default())
            .unwrap()
            .conversation_id
    }

    /// The kinds and texts of the outbound entries, in order.
    fn replies(conversations: &Conversations, id: &str) -> Vec<(EntryKind, String)> {
        conversations
            .get(id)
            .unwrap()
            .entries()
            .iter()
            .filter(|entry| entry.direction() == Direction::Outbound)
            .map(|entry| (entry.kind, entry.text().unwrap_or_default().to_owned()))
            .collect()
    }

    fn message(request_id: &str, text: &str) -> Value {
        serde_json::json!({
            "requestId": request_id,
            "clientSessionId": "s1",
            "userId": "abel.tuter",
            "message": {"text": text, "typed": true},
        })
    }

    #[test]
    fn hands_a_conversation_to_the_agent_and_back() {
        let mut conversations = Conversations::new(7);
        let start = serde_json::json!({
            "requestId": "r1", "action": "START_CONVERSATION", "clientSessionId": "s1",
            "userId": "abel.tuter", "message": {"text": "", "typed": true},
        });
        let id = send(&mut conversations, start);
        assert_eq!(send(&mut conversations, message("r2", "agent")), id);
        assert_eq!(
            send(&mut conversations, message("r3", "Live Agent Support.")),
            id
        );
        assert_eq!(
            conversations.list(Some(ConversationState::Waiting)).len(),
            1
        );
        conversations.accept(&id, "Beth Anglin", NOW).unwrap();
        send(&mut conversations, message("r4", "My VPN is down"));
        conversations.agent_typing(&id, true, NOW).unwrap();
        let text = AgentMessage::Text("Restart the client".to_owned());
        conversations.agent_message(&id, &text, NOW).unwrap();
        conversations.agent_end(&id, NOW).unwrap();

        let ended = "The conversation has ended. If you need help again, type hi.";
        assert_eq!(
            replies(&conversations, &id),
            [
                (
                    EntryKind::BotReply,
                    "Hi, I'm your Virtual Agent. Let me know how I can help you today.".to_owned()
                ),
                (EntryKind::BotReply, String::new()),
                (
                    EntryKind::BotReply,
                    "Please stand by while I connect you to a live agent.".to_owned()
                ),
                (EntryKind::WaitTime, String::new()),
                (EntryKind::AgentJoined, bot::AGENT_GREETING.to_owned()),
                (EntryKind::TypingStarted, String::new()),
                (EntryKind::AgentMessage, "Restart the client".to_owned()),
                (EntryKind::ConversationEnded, ended.to_owned()),
            ]
        );
        let conversation = conversations.get(&id).unwrap();
        let seqs: Vec<u64> = conversation
            .entries()
            .iter()
            .map(|entry| entry.seq)
            .collect();
        assert_eq!(seqs, (1..=12).collect::<Vec<u64>>());
        assert_eq!(conversation.state(), ConversationState::Ended);
        let last = conversation.entries().last().unwrap();
        assert_eq!(last.payload["completed"], true);
        assert_eq!(last.payload["requestId"], "r4");
    }

    #[test]
    fn estimates_the_wait_from_the_queue() {
        let mut conversations = Conversations::new(13);
        let ask = |session: &str, at: UnixSeconds, conversations: &mut Conversations| {
            let mut asking = message("r1", "Live Agent Support.");
            asking["clientSessionId"] = Value::from(session);
            let id = conversations
                .handle_request(&request(asking), at, Channel::default())
                .unwrap()
                .conversation_id;
            let spinner = conversations.get(&id).unwrap().entries().last().unwrap();
            assert_eq!(spinner.kind, EntryKind::WaitTime);
            let wait_time = spinner.payload["body"][0]["waitTime"].clone();
            (id, wait_time)
        };
        let (first, wait_time) = ask("s1", NOW, &mut conversations);
        assert_eq!(wait_time, "8 Seconds", "nobody waited yet");
        let (_, wait_time) = ask("s2", NOW, &mut conversations);
        assert_eq!(wait_time, "16 Seconds", "one chat ahead");
        conversations
            .accept(&first, "Beth Anglin", NOW + 30)
            .unwrap();
        let (_, wait_time) = ask("s3", NOW + 30, &mut conversations);
        assert_eq!(
            wait_time, "60 Seconds",
            "one ahead, and the last chat waited 30 s"
        );
    }

    #[test]
    fn agent_actions_need_the_right_state() {
        let mut conversations = Conversations::new(1);
        let id = send(&mut conversations, message("r1", "hi"));
        let hello = AgentMessage::Text("hello".to_owned());
        assert_eq!(
            conversations.agent_message(&id, &hello, NOW),
            Err(AgentError::WrongState {
                id: id.clone(),
                state: ConversationState::Bot,
                operation: "sending",
                expected: "an agent",
            })
        );
        assert!(conversations.accept(&id, "Beth Anglin", NOW).is_err());
        assert!(conversations.agent_end(&id, NOW).is_err());
        assert_eq!(
            conversations.accept("nope", "Beth Anglin", NOW),
            Err(AgentError::NoConversation("nope".to_owned()))
        );
        send(
            &mut conversations,
            serde_json::json!({"requestId": "r2", "action": "AGENT", "clientSessionId": "s1", "userId": "abel.tuter"}),
        );
        conversations.accept(&id, "Beth Anglin", NOW).unwrap();
        let blank = AgentMessage::Text("  ".to_owned());
        assert_eq!(
            conversations.agent_message(&id, &blank, NOW),
            Err(AgentError::EmptyText)
        );
    }

    #[test]
    fn refuses_controls_the_documents_cannot_carry() {
        let check = |message: AgentMessage, expected: &str| match message.validate() {
            Err(error) => assert_eq!(error.to_string(), expected),
            Ok(()) => panic!("{message:?} was accepted"),
        };
        let link = |url: &str, label: &str| AgentMessage::Link {
            url: url.to_owned(),
            label: label.to_owned(),
            header: None,
        };
        check(
            link("javascript:alert(1)", "Click"),
            "invalid link: `javascript:alert(1)` is not an http or https URL",
        );
        check(link("/kb", "KB"), "invalid link: `/kb` is not a URL");
        check(
            link("https://www.servicenow.com", ""),
            "invalid link: the label is empty",
        );
        check(
            AgentMessage::Card {
                template_name: "Poster".to_owned(),
                data: serde_json::json!({}),
            },
            "invalid card: unknown template `Poster`, expected one of Large image with text, Small image with text, Youtube Video Card, Card",
        );
        check(
            AgentMessage::Card {
                template_name: "Card".to_owned(),
                data: Value::from("{}"),
            },
            "invalid card: data must be a JSON object",
        );
        let image = AgentMessage::Image {
            url: "https://adaptivecards.io/content/cats/1.png".to_owned(),
            alt_text: None,
        };
        assert_eq!(image.validate(), Ok(()));
    }

    #[test]
    fn answers_the_documented_actions() {
        let mut conversations = Conversations::new(3);
        let create = serde_json::json!({
            "requestId": "c1", "action": "CREATE_CONVERSATION", "userId": "abel.tuter",
            "message": {"text": "hi", "typed": false},
        });
        let id = send(&mut conversations, create);
        let reply = &conversations.get(&id).unwrap().entries()[1].payload;
        assert_eq!(reply["body"][0]["actionType"], "CreateConversation");
        assert_eq!(reply["interactionId"], reply["body"][0]["interactionId"]);
        assert_eq!(reply["body"][0]["conversationId"], id.as_str());

        let fault = serde_json::json!({
            "requestId": "f1", "action": "FAULT_CONVERSATION", "cause": "EXTERNAL_FAILURE",
            "userId": "abel.tuter",
        });
        send(&mut conversations, fault);
        let conversation = conversations.get(&id).unwrap();
        let reply = &conversation.entries()[3].payload;
        assert_eq!(reply["takeControl"], true);
        assert_eq!(reply["score"], 0);
        assert_eq!(reply["body"], serde_json::json!([]));
        assert_eq!(conversation.state(), ConversationState::Ended);
        assert_eq!(
            conversation.fault_cause.as_deref(),
            Some("EXTERNAL_FAILURE")
        );

        let history = serde_json::json!({
            "requestId": "h1", "action": "SEND_HISTORY", "userId": "abel.tuter",
            "history": [{"isBotMessage": false, "value": "help", "displayName": "User", "type": "text"}],
        });
        let second = send(&mut conversations, history);
        assert_ne!(second, id, "a new conversation after the fault");
        let conversation = conversations.get(&second).unwrap();
        assert_eq!(conversation.history.len(), 1);
        assert_eq!(
            conversation.entries()[1].payload,
            serde_json::json!({"status": "success"})
        );
    }

    #[test]
    fn suppresses_bot_replies_while_silent() {
        let mut conversations = Conversations::new(5);
        let mut silent = message("r1", "hi");
        silent["silentMessage"] = Value::Bool(true);
        let id = send(&mut conversations, silent);
        let reply = conversations.get(&id).unwrap().entries()[1].clone();
        assert_eq!(reply.delivery.unwrap().status, DeliveryStatus::Suppressed);
        assert!(conversations.is_settled(&id));
        assert!(conversations.start_delivering(&id));
        assert_eq!(conversations.next_pending(&id), None);
    }

    #[test]
    fn updates_agent_messages() {
        let mut conversations = Conversations::new(9);
        let id = send(&mut conversations, message("r1", "Live Agent Support."));
        conversations.accept(&id, "Beth Anglin", NOW).unwrap();
        // The request, the stand-by message and the spinner come first.
        let joined = conversations.get(&id).unwrap().entries()[3].clone();
        assert_eq!(joined.kind, EntryKind::AgentJoined);
        let message_id = joined.payload["body"][0]["messageId"].as_str().unwrap();
        let update = serde_json::json!({
            "requestId": "u1", "action": "UPDATE_MESSAGES", "clientSessionId": "s1",
            "userId": "abel.tuter",
            "message": [{"status": "SENT_TO_USER", "id": message_id, "text": "Thanks!"}],
        });
        let update = request(update);
        let refused = conversations.handle_request(&update, NOW, Channel::default());
        assert_eq!(refused, Err(RequestError::NotThirdPartyChat));
        let third_party_chat = Channel {
            third_party_chat: true,
            ..Channel::default()
        };
        let sync_reply = conversations
            .handle_request(&update, NOW, third_party_chat)
            .unwrap()
            .sync_reply;
        assert_eq!(sync_reply, SyncReply::MessagesUpdated);
        let joined = &conversations.get(&id).unwrap().entries()[3];
        assert_eq!(joined.client_status.as_deref(), Some("sent_to_user"));
        assert_eq!(joined.updated_text.as_deref(), Some("Thanks!"));
    }

    #[test]
    fn the_idle_job_closes_conversations_at_its_next_run() {
        let hourly = IdleTimeout {
            timeout_secs: 3600,
            job_interval_secs: 3600,
        };
        let start = 7200 + 600;
        let mut conversations = Conversations::new(11);
        let id = conversations
            .handle_request(&request(message("r1", "hi")), start, Channel::default())
            .unwrap()
            .conversation_id;
        let mut standalone = message("r1", "hi");
        standalone["clientSessionId"] = Value::from("s2");
        standalone["botToBot"] = Value::Bool(false);
        let standalone_id = conversations
            .handle_request(&request(standalone), start, Channel::default())
            .unwrap()
            .conversation_id;

        // Idle for longer than an hour only after 11400; the next hourly run is at 14400.
        conversations.close_idle(14_399, hourly);
        assert_eq!(
            conversations.get(&id).unwrap().state(),
            ConversationState::Bot
        );
        conversations.close_idle(14_400, hourly);
        let closed = conversations.get(&id).unwrap();
        assert_eq!(closed.state(), ConversationState::Ended);
        assert_eq!(closed.ended_at, Some(14_400));
        assert_eq!(closed.end_reason, Some(EndReason::IdleTimeout));
        assert_eq!(
            conversations.get(&standalone_id).unwrap().state(),
            ConversationState::Bot,
            "only bot-to-bot conversations time out"
        );

        // A run exactly at the time-out does not close: "idle longer than" the timeout.
        let exact = IdleTimeout {
            timeout_secs: 60,
            job_interval_secs: 60,
        };
        let mut conversations = Conversations::new(12);
        let id = conversations
            .handle_request(&request(message("r1", "hi")), 600, Channel::default())
            .unwrap()
            .conversation_id;
        conversations.close_idle(660, exact);
        assert_eq!(
            conversations.get(&id).unwrap().state(),
            ConversationState::Bot
        );
        conversations.close_idle(720, exact);
        assert_eq!(conversations.get(&id).unwrap().ended_at, Some(720));
    }

    #[test]
    fn stores_the_history_for_the_agent_as_configured() {
        let items = [
            serde_json::json!({"isBotMessage": true, "value": "How can I help you?", "displayName": "Genesys Bot"}),
            serde_json::json!({"isBotMessage": false, "value": "VPN <down>"}),
        ];
        assert_eq!(
            history_for_agent(&items, HistoryFormat::MultiText),
            ["Genesys Bot: How can I help you?", "User: VPN <down>"]
        );
        assert_eq!(
            history_for_agent(&items, HistoryFormat::Text),
            ["Genesys Bot: How can I help you?\nUser: VPN <down>"]
        );
        assert_eq!(
            history_for_agent(&items, HistoryFormat::Html),
            ["<div><p><strong>Genesys Bot</strong>: How can I help you?</p><p><strong>User</strong>: VPN &lt;down&gt;</p></div>"]
        );
        assert!(history_for_agent(&[], HistoryFormat::Text).is_empty());
    }
}
