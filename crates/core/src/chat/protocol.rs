//! The frames between the panel and the relay: JSON text frames over one WebSocket.
//!
//! | panel → relay      | answered with                                              |
//! |--------------------|------------------------------------------------------------|
//! | `hello`            | `welcome`, then every entry after `after` in the conversation |
//! | `send`             | `ack` with the entry's sequence number (again for a resend) |
//! | `typing`           | nothing; the agent sees it once a person has joined         |
//! | `open`             | the entries after `after` in that conversation              |
//! | `new_conversation` | `opened` with the new conversation and the assistant's greeting |
//! | `list`             | `conversations`                                             |
//! | `seen`             | nothing; the unread count drops                             |
//! | `end`              | an `ended` entry                                            |
//! | `rate`             | a `rated` entry                                             |
//! | `ping`             | `pong`                                                      |
//!
//! | relay → panel      | when                                                       |
//! |--------------------|------------------------------------------------------------|
//! | `welcome`          | after `hello`: who the visitor is and their conversations   |
//! | `entry`            | anything kept in a conversation: a message, a card, a file, an agent joining or leaving, the end, a rating request |
//! | `ack`              | a `send` is stored                                          |
//! | `typing`           | the agent or the assistant starts or stops typing (not kept) |
//! | `wait`             | the estimated wait while queued for a person (not kept)     |
//! | `opened`           | a new conversation exists                                   |
//! | `conversations`    | the list, with unread counts                                |
//! | `refused`          | a frame was refused, and why                                |
//! | `pong`             | after `ping`                                                |
//!
//! Files go up by HTTP, not over the socket: `POST /uploads/{site}/{conversation}` with the
//! visitor's token as `Authorization: Bearer`, the file as the body, its name in `x-file-name`;
//! the relay keeps it and adds a `file` entry.
//!
//! Everything kept has a sequence number per conversation, without gaps: a panel that reconnects
//! says the last one it saw and gets exactly what came after, so nothing is lost or shown twice.

use serde::{Deserialize, Serialize};

/// The most bytes one frame may have, either way; a longer one is refused, never cut.
pub const MAX_FRAME_BYTES: usize = 16 * 1024;

/// The most characters a visitor's message may have.
pub const MAX_TEXT_CHARS: usize = 4000;

/// The most characters a client message id may have.
pub const MAX_CLIENT_ID_CHARS: usize = 64;

/// What the panel sends.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ClientFrame {
    /// The first frame on a socket: who the visitor is and where they were.
    Hello {
        /// The token the relay gave this visitor before; none for a first visit.
        #[serde(default)]
        visitor: Option<String>,
        /// The host site's word for a signed-in user.
        #[serde(default)]
        identity: Option<Identity>,
        /// The conversation the panel shows; none for the latest.
        #[serde(default)]
        conversation: Option<String>,
        /// The last sequence number the panel saw in it (0 for none).
        #[serde(default)]
        after: u64,
        /// The visitor's language (`en`, `de`).
        #[serde(default)]
        locale: Option<String>,
    },
    /// A message from the visitor.
    Send {
        /// The conversation it belongs to.
        conversation: String,
        /// The panel's id for it: sending it again never stores it twice.
        client_id: String,
        /// What the visitor wrote, or the label of the button they pressed.
        text: String,
        /// The value of the quick-reply button pressed, if one was.
        #[serde(default)]
        reply: Option<String>,
    },
    /// The visitor started or stopped typing.
    Typing {
        /// The conversation.
        conversation: String,
        /// Typing or not.
        on: bool,
    },
    /// Show another conversation from after a sequence number.
    Open {
        /// The conversation.
        conversation: String,
        /// The last sequence number the panel saw in it.
        after: u64,
    },
    /// Start a new conversation.
    NewConversation,
    /// List the visitor's conversations.
    List,
    /// The visitor has seen a conversation up to a sequence number.
    Seen {
        /// The conversation.
        conversation: String,
        /// The last sequence number shown.
        seq: u64,
    },
    /// The visitor ends the conversation.
    End {
        /// The conversation.
        conversation: String,
    },
    /// The visitor rates the conversation.
    Rate {
        /// The conversation.
        conversation: String,
        /// 1 to 5.
        score: u8,
        /// What they want to add.
        #[serde(default)]
        comment: String,
    },
    /// Keeps the socket open through proxies.
    Ping,
}

/// A signed-in user the host site vouches for, with the HMAC its backend made.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Identity {
    /// The host site's id for the user.
    pub id: String,
    /// Their email address: how the relay finds them on the service desk.
    pub email: String,
    /// Their name, for the agent.
    #[serde(default)]
    pub name: String,
    /// Hex HMAC-SHA256 of `id:email` with the site's identity secret.
    pub hash: String,
}

/// What the relay sends.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ServerFrame {
    /// The answer to `hello`.
    Welcome {
        /// The visitor's token: the panel keeps it and says it in the next `hello`.
        visitor: String,
        /// Whether the host site vouched for the visitor (only they see tickets).
        verified: bool,
        /// The conversation the panel shows now.
        conversation: String,
        /// All of the visitor's conversations.
        conversations: Vec<ConversationSummary>,
    },
    /// Something kept in a conversation.
    Entry {
        /// The conversation.
        conversation: String,
        /// What was kept.
        entry: Entry,
    },
    /// A `send` is stored.
    Ack {
        /// The conversation.
        conversation: String,
        /// The panel's id for the message.
        client_id: String,
        /// Its sequence number.
        seq: u64,
    },
    /// Someone on the other side is typing, or stopped.
    Typing {
        /// The conversation.
        conversation: String,
        /// Who.
        who: Author,
        /// Typing or not.
        on: bool,
    },
    /// How long the visitor may wait for a person.
    Wait {
        /// The conversation.
        conversation: String,
        /// Estimated seconds.
        seconds: u32,
    },
    /// A new conversation exists.
    Opened {
        /// Its summary.
        conversation: ConversationSummary,
    },
    /// The visitor's conversations.
    Conversations {
        /// Newest first.
        conversations: Vec<ConversationSummary>,
    },
    /// A frame was refused.
    Refused {
        /// Why.
        reason: Refusal,
        /// The client id of the refused `send`, when it was one.
        #[serde(default)]
        client_id: Option<String>,
    },
    /// The answer to `ping`.
    Pong,
}

/// One conversation in the visitor's list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConversationSummary {
    /// Its id.
    pub id: String,
    /// The last message's text, shortened.
    pub last_text: String,
    /// The last sequence number in it.
    pub last_seq: u64,
    /// How many entries the visitor has not seen.
    pub unread: u64,
    /// Whether it has ended.
    pub ended: bool,
    /// When it last changed, Unix milliseconds.
    pub updated_ms: u64,
}

/// Something kept in a conversation, with its place in it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Entry {
    /// Its sequence number: 1, 2, 3… in the conversation.
    pub seq: u64,
    /// When it was kept, Unix milliseconds.
    pub at_ms: u64,
    /// What it is.
    pub body: EntryBody,
}

/// What an entry is.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum EntryBody {
    /// A message.
    Message {
        /// Who wrote it.
        author: Author,
        /// The text, to be shown as text.
        text: String,
        /// The panel's id for it, on the visitor's own messages.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        client_id: Option<String>,
        /// Buttons the visitor may press instead of typing.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        quick_replies: Vec<QuickReply>,
        /// Tickets the message is about.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        cards: Vec<TicketCard>,
    },
    /// A file someone sent, kept by the relay.
    File {
        /// Who sent it.
        author: Author,
        /// Its name.
        name: String,
        /// Where the panel opens it: on the relay's origin.
        url: String,
        /// Its type.
        content_type: String,
        /// Its size in bytes.
        size: u64,
    },
    /// A person from the service desk joined.
    AgentJoined {
        /// Their name.
        name: String,
        /// Their picture, on the relay's origin.
        #[serde(default)]
        avatar: Option<String>,
    },
    /// The person left.
    AgentLeft {
        /// Their name.
        name: String,
    },
    /// The conversation ended.
    Ended {
        /// Who ended it.
        by: Author,
    },
    /// The visitor is asked to rate the conversation.
    RatingRequested,
    /// The visitor rated it.
    Rated {
        /// 1 to 5.
        score: u8,
        /// What they added.
        comment: String,
    },
}

/// Who wrote or did something.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "role", rename_all = "snake_case")]
pub enum Author {
    /// The visitor.
    Visitor,
    /// Flare's assistant.
    Assistant,
    /// A person from the service desk.
    Agent {
        /// Their name.
        name: String,
    },
}

/// A button under an assistant's message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QuickReply {
    /// What the button says.
    pub label: String,
    /// What pressing it sends.
    pub value: String,
}

/// A ticket as the chat shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TicketCard {
    /// The number people quote.
    pub number: String,
    /// Its title.
    pub title: String,
    /// Its state, in words.
    pub state: String,
    /// Where to open it on the service desk.
    pub link: String,
}

/// Why the relay refused a frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Refusal {
    /// Not a frame this protocol knows.
    Malformed,
    /// Longer than [`MAX_FRAME_BYTES`] or [`MAX_TEXT_CHARS`].
    TooLarge,
    /// Too many frames too fast; wait and send again.
    RateLimited,
    /// A conversation that is not the visitor's, or does not exist.
    UnknownConversation,
    /// `hello` must come first, once.
    HelloFirst,
    /// The identity's hash does not match.
    IdentityRejected,
    /// The conversation has ended; start a new one.
    Ended,
}

/// A frame the relay cannot read, and the refusal it answers with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unreadable(pub Refusal);

impl ClientFrame {
    /// Reads a text frame from the panel, within the protocol's bounds.
    pub fn parse(text: &str) -> Result<ClientFrame, Unreadable> {
        if text.len() > MAX_FRAME_BYTES {
            return Err(Unreadable(Refusal::TooLarge));
        }
        let frame: ClientFrame =
            serde_json::from_str(text).map_err(|_| Unreadable(Refusal::Malformed))?;
        frame.check_bounds().map(|()| frame)
    }

    fn check_bounds(&self) -> Result<(), Unreadable> {
        match self {
            ClientFrame::Send {
                client_id, text, ..
            } => {
                if client_id.is_empty() || client_id.chars().count() > MAX_CLIENT_ID_CHARS {
                    return Err(Unreadable(Refusal::Malformed));
                }
                if text.trim().is_empty() {
                    return Err(Unreadable(Refusal::Malformed));
                }
                if text.chars().count() > MAX_TEXT_CHARS {
                    return Err(Unreadable(Refusal::TooLarge));
                }
                Ok(())
            }
            ClientFrame::Rate { score, comment, .. } => {
                if !(1..=5).contains(score) {
                    return Err(Unreadable(Refusal::Malformed));
                }
                if comment.chars().count() > MAX_TEXT_CHARS {
                    return Err(Unreadable(Refusal::TooLarge));
                }
                Ok(())
            }
            _ => Ok(()),
        }
    }
}

impl ServerFrame {
    /// The frame as the text the WebSocket carries.
    pub fn to_text(&self) -> String {
        // A frame is plain data (strings, numbers, enums): it always serialises.
        serde_json::to_string(self).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests;
