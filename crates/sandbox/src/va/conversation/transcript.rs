//! A conversation's transcript: one entry per inbound request and per reply, numbered from 1,
//! with each request's attachments and each reply's delivery; and how replies are made from the
//! request they answer and appended.

use axum::body::Bytes;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::common::datetime::UnixSeconds;
use crate::va::attachments::AttachmentRef;
use crate::va::conversation::Conversation;
use crate::va::wire::{Action, BodyItem, OutboundMessage};

/// One transcript entry: an inbound request, or a reply posted (or to be posted) to the webhook.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Entry {
    pub(in crate::va::conversation) seq: u64,
    pub(in crate::va::conversation) at: UnixSeconds,
    direction: Direction,
    from: Party,
    pub(in crate::va::conversation) kind: EntryKind,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(in crate::va::conversation) action: Option<Action>,
    #[serde(skip_serializing_if = "Option::is_none")]
    text: Option<String>,
    /// `body.messageId` of an agent's message, which `UPDATE_MESSAGES` refers to.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(in crate::va::conversation) message_id: Option<String>,
    /// `message.status` from `UPDATE_MESSAGES`: `sent_to_user` or `external_error`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(in crate::va::conversation) client_status: Option<String>,
    /// `message.text` from `UPDATE_MESSAGES`: the text as the client showed it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(in crate::va::conversation) updated_text: Option<String>,
    /// `message.attachment` of a request, as the instance fetched it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub(in crate::va::conversation) attachments: Vec<Attachment>,
    /// The request body, or the body posted to the webhook.
    pub(in crate::va::conversation) payload: Value,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(in crate::va::conversation) delivery: Option<Delivery>,
    /// The exact bytes posted (and signed).
    #[serde(skip)]
    pub(in crate::va::conversation) wire: String,
    /// Whether the database has the entry as it is now.
    #[serde(skip)]
    pub(in crate::va::conversation) saved: bool,
}

/// One attachment of a request and what became of it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Attachment {
    /// The sandbox's id, for `GET /sandbox/va/attachments/{id}`.
    pub(in crate::va::conversation) id: String,
    file_name: String,
    content_type: String,
    url: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    client_attachment_id: Option<String>,
    /// Whether `headers` carried an `Authorization` (its value is not kept here).
    with_authorization: bool,
    pub(in crate::va::conversation) status: AttachmentStatus,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(in crate::va::conversation) size_bytes: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(in crate::va::conversation) error: Option<String>,
    #[serde(skip)]
    pub(in crate::va::conversation) content: Option<Bytes>,
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

/// The top-level flags of a reply besides `body`.
#[derive(Debug, Clone, Default)]
pub(in crate::va::conversation) struct ReplyFlags {
    pub(in crate::va::conversation) agent_chat: bool,
    pub(in crate::va::conversation) completed: bool,
    pub(in crate::va::conversation) take_control: bool,
    pub(in crate::va::conversation) not_understood: bool,
    pub(in crate::va::conversation) interaction_id: Option<String>,
}

impl ReplyFlags {
    /// The flags of a reply the live agent is part of: the hand-off to the queue and whatever
    /// the agent sends.
    pub(in crate::va::conversation) fn agent_chat() -> ReplyFlags {
        ReplyFlags {
            agent_chat: true,
            ..ReplyFlags::default()
        }
    }
}

impl Conversation {
    /// Appends a bot reply with `body`.
    pub(in crate::va::conversation) fn bot_says(
        &mut self,
        body: Vec<BodyItem>,
        flags: &ReplyFlags,
        now: UnixSeconds,
    ) {
        self.says(Party::Bot, EntryKind::BotReply, body, flags, now);
    }

    /// Appends a reply with `body`, its texts kept for the agent's transcript.
    pub(in crate::va::conversation) fn says(
        &mut self,
        from: Party,
        kind: EntryKind,
        body: Vec<BodyItem>,
        flags: &ReplyFlags,
        now: UnixSeconds,
    ) {
        let reply = self.reply(body, flags);
        let text = text_of(&reply.body);
        self.push_outbound(from, kind, text, None, &reply, now);
    }

    /// A reply with `body`, echoing the last request as every documented reply does.
    pub(in crate::va::conversation) fn reply(
        &self,
        body: Vec<BodyItem>,
        flags: &ReplyFlags,
    ) -> OutboundMessage {
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

    /// Appends a request as it was received.
    pub(in crate::va::conversation) fn push_inbound(
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

    /// Appends a reply, pending delivery unless it is the bot's and the chat is silent.
    pub(in crate::va::conversation) fn push_outbound<T: Serialize>(
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
    pub(in crate::va::conversation) fn last_request_at(&self) -> UnixSeconds {
        self.entries
            .iter()
            .rev()
            .find(|entry| entry.direction == Direction::Inbound)
            .map_or(self.created_at, |entry| entry.at)
    }

    pub(in crate::va::conversation) fn next_seq(&self) -> u64 {
        self.entries.last().map_or(1, |entry| entry.seq + 1)
    }

    /// Takes the replies recorded from `first_seq` on out of the delivery queue, to be returned
    /// in the HTTP response instead; a request gets at most one reply, so that one is returned.
    pub(in crate::va::conversation) fn answer_in_response(
        &mut self,
        first_seq: u64,
    ) -> Option<String> {
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

    /// Whether the entry is a reply still to be posted.
    pub(in crate::va::conversation) fn is_pending_delivery(&self) -> bool {
        self.delivery
            .as_ref()
            .is_some_and(|delivery| delivery.status == DeliveryStatus::Pending)
    }

    /// Whether every attachment of the entry is downloaded or given up on.
    pub(in crate::va::conversation) fn downloads_done(&self) -> bool {
        self.attachments
            .iter()
            .all(|attachment| attachment.status != AttachmentStatus::Pending)
    }
}

impl Attachment {
    pub(in crate::va::conversation) fn pending(
        id: String,
        attachment: &AttachmentRef,
    ) -> Attachment {
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
