//! Every conversation the instance has seen: a request finds its user's open conversation here
//! or starts one, agent actions and deliveries find theirs by id, and the ids of conversations,
//! messages and attachments are handed out here.

use std::collections::BTreeSet;

use axum::body::Bytes;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::common::datetime::UnixSeconds;
use crate::va::conversation::flow::{Channel, Step, SyncReply};
use crate::va::conversation::request::message_text;
use crate::va::conversation::transcript::{Attachment, AttachmentStatus, Delivery};
use crate::va::conversation::{
    AgentError, Conversation, ConversationState, ConversationSummary, RequestError,
};
use crate::va::inbound::ValidRequest;
use crate::va::wire::{Action, InboundRequest};

/// Every conversation the instance has seen, and the requests it turned away.
#[derive(Debug)]
pub(crate) struct Conversations {
    pub(in crate::va::conversation) conversations: Vec<Conversation>,
    pub(in crate::va::conversation) rejected: Vec<RejectedRequest>,
    pub(in crate::va::conversation) ids: IdGenerator,
    /// The indexes of the conversations changed since the database last took them.
    pub(in crate::va::conversation) unsaved: BTreeSet<usize>,
    /// How many of `rejected` the database has.
    pub(in crate::va::conversation) n_saved_rejected: usize,
}

/// What became of one inbound request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Handled {
    pub(crate) conversation_id: String,
    pub(crate) sync_reply: SyncReply,
    /// The ids given to the request's attachments, in order, to report their downloads by.
    pub(crate) attachment_ids: Vec<String>,
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

/// 32 lowercase hex digits, like sys_ids; deterministic per seed.
#[derive(Debug)]
pub(in crate::va::conversation) struct IdGenerator {
    pub(in crate::va::conversation) state: u64,
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
        let pending = conversation
            .entries
            .iter()
            .find(|entry| entry.is_pending_delivery());
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
            conversation
                .entries
                .iter()
                .all(|entry| !entry.is_pending_delivery() && entry.downloads_done())
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
        let all_done = entry.downloads_done();
        let any_received = entry
            .attachments
            .iter()
            .any(|attachment| attachment.status == AttachmentStatus::Received);
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
    pub(in crate::va::conversation) fn index_for_change(
        &mut self,
        id: &str,
    ) -> Result<usize, AgentError> {
        let conversation_idx = self
            .position(id)
            .ok_or_else(|| AgentError::NoConversation(id.to_owned()))?;
        self.unsaved.insert(conversation_idx);
        Ok(conversation_idx)
    }
}

impl IdGenerator {
    pub(in crate::va::conversation) fn next(&mut self) -> String {
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
