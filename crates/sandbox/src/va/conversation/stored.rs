//! The conversations as the database keeps them (`crate::va::persist` does the SQL): a row of
//! fields per conversation, a row per transcript entry with the exact bytes posted, the contents
//! of received attachments, and the requests turned away. Changes are collected as rows here,
//! without I/O, and read back into conversations on start.

use std::collections::HashMap;

use axum::body::Bytes;
use serde::{Deserialize, Serialize};

use crate::va::conversation::registry::Conversations;
use crate::va::conversation::transcript::{AttachmentStatus, Entry};
use crate::va::conversation::{Conversation, Echo};

/// What changed since the database last took the changes.
#[derive(Debug)]
pub(crate) struct Unsaved {
    pub(crate) conversations: Vec<ConversationRow>,
    /// Requests turned away, each with its position among them.
    pub(crate) rejected: Vec<(usize, String)>,
    /// The id generator's state, so that no id is handed out twice.
    pub(crate) id_state: u64,
}

/// A conversation as stored; on the way in, only the entries that changed.
#[derive(Debug)]
pub(crate) struct ConversationRow {
    pub(crate) id: String,
    /// Where it is among the conversations, oldest first.
    pub(crate) position: usize,
    /// JSON: every field but the transcript.
    pub(crate) fields: String,
    pub(crate) entries: Vec<EntryRow>,
}

/// A transcript entry as stored.
#[derive(Debug)]
pub(crate) struct EntryRow {
    pub(crate) seq: u64,
    /// JSON, as the admin API shows the entry.
    pub(crate) fields: String,
    /// The exact bytes posted; empty for a request.
    pub(crate) wire: String,
    /// The contents of the entry's received attachments, by attachment id.
    pub(crate) attachment_contents: Vec<(String, Bytes)>,
}

/// Everything read back on start.
#[derive(Debug, Default)]
pub(crate) struct StoredConversations {
    /// Oldest first, each with its whole transcript in order.
    pub(crate) conversations: Vec<ConversationRow>,
    pub(crate) attachment_contents: HashMap<String, Bytes>,
    /// Oldest first.
    pub(crate) rejected: Vec<String>,
    pub(crate) id_state: Option<u64>,
}

/// A stored row that cannot be read back.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("corrupt {kind} {id}")]
pub(crate) struct CorruptRow {
    pub(crate) kind: &'static str,
    pub(crate) id: String,
}

/// The fields row of a conversation: what the admin API shows, and what later replies depend on.
#[derive(Serialize)]
struct FieldsOut<'a> {
    #[serde(flatten)]
    conversation: &'a Conversation,
    last_request: &'a Echo,
    offered_end: bool,
}

#[derive(Deserialize)]
struct FieldsIn {
    #[serde(flatten)]
    conversation: Conversation,
    last_request: Echo,
    offered_end: bool,
}

/// Why a download still pending at a restart never finished: the task doing it is gone, and the
/// request's credentials for the URL were never kept.
const DOWNLOAD_CUT_SHORT: &str = "the sandbox restarted before the download finished";

impl Conversations {
    /// The changes since the last call, or `None` if there are none.
    pub(crate) fn take_unsaved(&mut self) -> Option<Unsaved> {
        let new_rejected = self.n_saved_rejected < self.rejected.len();
        if self.unsaved.is_empty() && !new_rejected {
            return None;
        }
        let conversations = std::mem::take(&mut self.unsaved)
            .into_iter()
            .map(|conversation_idx| self.conversations[conversation_idx].take_row(conversation_idx))
            .collect();
        let rejected = self.rejected[self.n_saved_rejected..]
            .iter()
            .enumerate()
            .map(|(offset, request)| {
                let json = serde_json::to_string(request).expect("requests are plain JSON");
                (self.n_saved_rejected + offset, json)
            })
            .collect();
        self.n_saved_rejected = self.rejected.len();
        Some(Unsaved {
            conversations,
            rejected,
            id_state: self.ids.state,
        })
    }

    /// The conversations as stored; `seed` starts the id generator if no state was stored.
    /// Attachments still downloading when the sandbox stopped are recorded as failed.
    pub(crate) fn restore(
        stored: StoredConversations,
        seed: u64,
    ) -> Result<Conversations, CorruptRow> {
        let mut conversations = Conversations::new(stored.id_state.unwrap_or(seed));
        for (conversation_idx, row) in stored.conversations.into_iter().enumerate() {
            let corrupt = |kind| CorruptRow {
                kind,
                id: row.id.clone(),
            };
            let fields: FieldsIn =
                serde_json::from_str(&row.fields).map_err(|_| corrupt("conversation"))?;
            let mut conversation = fields.conversation;
            conversation.last_request = fields.last_request;
            conversation.offered_end = fields.offered_end;
            for entry_row in row.entries {
                let mut entry: Entry = serde_json::from_str(&entry_row.fields)
                    .map_err(|_| corrupt("transcript entry of conversation"))?;
                entry.wire = entry_row.wire;
                entry.saved = true;
                for attachment in &mut entry.attachments {
                    attachment.content = stored.attachment_contents.get(&attachment.id).cloned();
                    if attachment.status == AttachmentStatus::Pending {
                        attachment.status = AttachmentStatus::Failed;
                        attachment.error = Some(DOWNLOAD_CUT_SHORT.to_owned());
                        entry.saved = false;
                        conversations.unsaved.insert(conversation_idx);
                    }
                }
                conversation.entries.push(entry);
            }
            conversations.conversations.push(conversation);
        }
        for (position, json) in stored.rejected.into_iter().enumerate() {
            let request = serde_json::from_str(&json).map_err(|_| CorruptRow {
                kind: "rejected request",
                id: position.to_string(),
            })?;
            conversations.rejected.push(request);
        }
        conversations.n_saved_rejected = conversations.rejected.len();
        Ok(conversations)
    }

    /// The conversations with replies still to be posted, such as those a restart cut short.
    pub(crate) fn with_pending_deliveries(&self) -> Vec<String> {
        self.conversations
            .iter()
            .filter(|conversation| conversation.entries.iter().any(Entry::is_pending_delivery))
            .map(|conversation| conversation.id.clone())
            .collect()
    }
}

impl Conversation {
    /// The conversation's fields and its entries that changed, which from now on count as saved.
    fn take_row(&mut self, position: usize) -> ConversationRow {
        let mut entries = Vec::new();
        for entry in self.entries.iter_mut().filter(|entry| !entry.saved) {
            entry.saved = true;
            let attachment_contents = entry
                .attachments
                .iter()
                .filter_map(|attachment| {
                    let content = attachment.content.clone()?;
                    Some((attachment.id.clone(), content))
                })
                .collect();
            entries.push(EntryRow {
                seq: entry.seq,
                fields: serde_json::to_string(entry).expect("entries are plain JSON"),
                wire: entry.wire.clone(),
                attachment_contents,
            });
        }
        // The transcript has rows of its own; it is left out of the fields for the moment.
        let transcript = std::mem::take(&mut self.entries);
        let fields = FieldsOut {
            conversation: &*self,
            last_request: &self.last_request,
            offered_end: self.offered_end,
        };
        let fields = serde_json::to_string(&fields).expect("conversations are plain JSON");
        self.entries = transcript;
        ConversationRow {
            id: self.id.clone(),
            position,
            fields,
            entries,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::va::conversation::agent::AgentMessage;
    use crate::va::conversation::tests::{request, send, NOW};
    use crate::va::conversation::transcript::{Delivery, DeliveryStatus, Direction};
    use crate::va::conversation::ConversationState;

    /// Takes every change and puts it together as the database would read it back.
    fn store(conversations: &mut Conversations, stored: &mut StoredConversations) {
        let Some(unsaved) = conversations.take_unsaved() else {
            return;
        };
        for row in unsaved.conversations {
            for entry in &row.entries {
                stored
                    .attachment_contents
                    .extend(entry.attachment_contents.iter().cloned());
            }
            match stored.conversations.get_mut(row.position) {
                Some(kept) => {
                    kept.fields = row.fields;
                    for entry in row.entries {
                        let seq_idx = usize::try_from(entry.seq - 1).unwrap();
                        match kept.entries.get_mut(seq_idx) {
                            Some(kept_entry) => *kept_entry = entry,
                            None => kept.entries.push(entry),
                        }
                    }
                }
                None => stored.conversations.push(row),
            }
        }
        stored
            .rejected
            .extend(unsaved.rejected.into_iter().map(|(_, json)| json));
        stored.id_state = Some(unsaved.id_state);
    }

    #[test]
    fn a_restored_conversation_is_the_same_and_goes_on() {
        let mut conversations = Conversations::new(21);
        let mut stored = StoredConversations::default();
        let asking = serde_json::json!({
            "requestId": "r1", "action": "AGENT", "clientSessionId": "s1", "userId": "abel.tuter",
            "message": {"text": "help", "typed": true},
        });
        let id = send(&mut conversations, asking.clone());
        let turned_away = request(asking);
        conversations.reject(&turned_away.request, "the static token does not match", NOW);
        store(&mut conversations, &mut stored);
        conversations.accept(&id, "Beth Anglin", NOW).unwrap();
        let hello = AgentMessage::Text("Hello".to_owned());
        conversations.agent_message(&id, &hello, NOW).unwrap();
        let delivered = Delivery {
            status: DeliveryStatus::Delivered,
            attempts: 1,
            last_error: None,
        };
        conversations.record_delivery(&id, 2, delivered);
        store(&mut conversations, &mut stored);
        assert!(conversations.take_unsaved().is_none(), "all taken");

        let mut restored = Conversations::restore(stored, 0).unwrap();
        assert_eq!(
            serde_json::to_value(restored.rejected()).unwrap(),
            serde_json::to_value(conversations.rejected()).unwrap()
        );
        let before = serde_json::to_value(conversations.get(&id).unwrap()).unwrap();
        let after = serde_json::to_value(restored.get(&id).unwrap()).unwrap();
        assert_eq!(after, before);
        let wires = |conversations: &Conversations| -> Vec<String> {
            let conversation = conversations.get(&id).unwrap();
            conversation
                .entries()
                .iter()
                .filter(|entry| entry.direction() == Direction::Outbound)
                .map(|entry| entry.wire.clone())
                .collect()
        };
        assert_eq!(wires(&restored), wires(&conversations));

        // The restored conversation takes the next message as the original does: it echoes the
        // last request, and its ids go on from the stored state.
        let bye = AgentMessage::Text("Bye".to_owned());
        restored.agent_message(&id, &bye, NOW).unwrap();
        conversations.agent_message(&id, &bye, NOW).unwrap();
        assert_eq!(wires(&restored), wires(&conversations));
        assert_eq!(
            restored.get(&id).unwrap().state(),
            ConversationState::WithAgent
        );
    }
}
