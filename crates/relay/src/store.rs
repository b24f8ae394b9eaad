//! What the relay keeps: visitors, conversations and every entry in them.
//!
//! [`Store`] is a trait so that a later PostgreSQL store can serve several relay nodes; SQLite
//! (`sqlite.rs`) is the embedded default. Every write is committed before the method returns,
//! so whatever the relay acknowledges survives it being killed.

mod sqlite;

use flare_core::chat::assistant::Assistant;
use flare_core::chat::protocol::{ConversationSummary, Entry, EntryBody};

pub use crate::store::sqlite::SqliteStore;

/// A visitor of one site.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Visitor {
    /// The relay's id for them.
    pub id: String,
    /// The site they visit.
    pub site: String,
    /// The host site's user, when it vouched for them.
    pub verified: Option<VerifiedUser>,
    /// Their `sys_user` on the service desk, once looked up (never looked up twice).
    pub desk_user: Option<String>,
}

/// A signed-in user the host site vouched for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifiedUser {
    /// The host site's id for them.
    pub external_id: String,
    /// Their email address.
    pub email: String,
    /// Their name.
    pub name: String,
}

/// A conversation's own record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Conversation {
    /// Its id.
    pub id: String,
    /// Whose it is.
    pub visitor_id: String,
    /// The assistant's state in it.
    pub assistant: Assistant,
    /// Whether it has ended.
    pub ended: bool,
    /// The visitor's language when it started: the words the relay adds are in it.
    pub locale: String,
    /// The last ticket filed in it: its transcript goes there when it ends.
    pub ticket: Option<TicketRef>,
}

/// A file a visitor sent; its bytes are in the files folder under its id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredFile {
    /// A random id: knowing it is what lets someone download the file.
    pub id: String,
    /// The conversation it belongs to.
    pub conversation_id: String,
    /// Its name, as the visitor's browser gave it.
    pub name: String,
    /// Its type, one the relay accepts.
    pub content_type: String,
    /// Its size in bytes.
    pub size: u64,
}

/// A ticket on the service desk: its table and `sys_id`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct TicketRef {
    /// `incident`, `sc_request`.
    pub table: String,
    /// The record's `sys_id`.
    pub sys_id: String,
}

/// An entry to keep; a visitor's message carries the panel's id for it.
#[derive(Debug, Clone, PartialEq)]
pub struct NewEntry {
    /// What it is.
    pub body: EntryBody,
    /// The panel's id, unique in the conversation.
    pub client_id: Option<String>,
}

/// An entry as kept, and whether this call kept it (false: the client id was there already).
#[derive(Debug, Clone, PartialEq)]
pub struct Kept {
    /// The entry, with its sequence number.
    pub entry: Entry,
    /// False when the same client id had been kept before: the entry returned is that one.
    pub fresh: bool,
}

/// A change to a conversation, written in one transaction.
#[derive(Debug, Clone, PartialEq)]
pub struct Change<'a> {
    /// The conversation.
    pub conversation_id: &'a str,
    /// Entries to append, in order.
    pub entries: Vec<NewEntry>,
    /// The assistant's new state, if it moved.
    pub assistant: Option<&'a Assistant>,
    /// Whether the conversation ends with this change.
    pub ends: bool,
    /// Messages for the service desk, queued with the entries (payloads the sender reads).
    pub outbound: Vec<String>,
    /// A key that makes the change apply once: a replayed webhook delivery changes nothing.
    pub once: Option<&'a str>,
    /// Now, Unix milliseconds.
    pub now_ms: u64,
}

/// A message waiting in the outbound queue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outgoing {
    /// Its place in the queue; sent in this order within a conversation.
    pub id: i64,
    /// The conversation.
    pub conversation_id: String,
    /// What to send.
    pub payload: String,
    /// Tries so far.
    pub attempts: u32,
}

/// Why the store failed.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database said no.
    #[error("database: {0}")]
    Database(#[from] rusqlite::Error),
    /// A stored value could not be read back.
    #[error("stored {what} is unreadable: {message}")]
    Corrupt {
        /// Which value.
        what: &'static str,
        /// What the parser said.
        message: String,
    },
    /// The conversation does not exist.
    #[error("no conversation {0}")]
    NoConversation(String),
}

/// Where visitors, conversations and entries live.
pub trait Store: Send + Sync {
    /// The visitor whose token hashes to `token_hash` on `site`.
    fn visitor_by_token(&self, site: &str, token_hash: &str)
        -> Result<Option<Visitor>, StoreError>;

    /// A new anonymous visitor with this token hash.
    fn create_visitor(&self, site: &str, token_hash: &str) -> Result<Visitor, StoreError>;

    /// The visitor the host site vouches for as `user`: found by their external id (their email
    /// and name brought up to date), or made.
    fn verified_visitor(&self, site: &str, user: &VerifiedUser) -> Result<Visitor, StoreError>;

    /// Lets one more token (another device, another browser) stand for the visitor.
    fn add_token(&self, visitor_id: &str, token_hash: &str) -> Result<(), StoreError>;

    /// Remembers the visitor's user on the service desk.
    fn set_desk_user(&self, visitor_id: &str, desk_user: &str) -> Result<(), StoreError>;

    /// A new conversation for the visitor, in their language.
    fn create_conversation(
        &self,
        visitor_id: &str,
        locale: &str,
        now_ms: u64,
    ) -> Result<Conversation, StoreError>;

    /// Remembers the ticket a conversation's transcript goes to.
    fn set_ticket(&self, conversation_id: &str, ticket: &TicketRef) -> Result<(), StoreError>;

    /// The conversation follows `ticket`: its changes are told there.
    fn follow(&self, conversation_id: &str, ticket: &TicketRef) -> Result<(), StoreError>;

    /// The tickets followed by conversations of `site`'s visitors, with each conversation.
    fn followed(&self, site: &str) -> Result<Vec<(String, TicketRef)>, StoreError>;

    /// What the relay remembers of `site`'s followed tickets (a serialised `sync::Watch`).
    fn watch(&self, site: &str) -> Result<Option<String>, StoreError>;

    /// Remembers it.
    fn set_watch(&self, site: &str, watch: &str) -> Result<(), StoreError>;

    /// The newest OAuth token set of `site`'s desk (serialised), if the relay got one.
    fn desk_tokens(&self, site: &str) -> Result<Option<String>, StoreError>;

    /// Keeps it.
    fn set_desk_tokens(&self, site: &str, tokens: &str) -> Result<(), StoreError>;

    /// Remembers a file whose bytes were written.
    fn add_file(&self, file: &StoredFile) -> Result<(), StoreError>;

    /// A file by id.
    fn file(&self, id: &str) -> Result<Option<StoredFile>, StoreError>;

    /// The conversations that have not ended, for the timers a restarted relay sets again.
    fn open_conversations(&self) -> Result<Vec<Conversation>, StoreError>;

    /// A conversation by id.
    fn conversation(&self, id: &str) -> Result<Option<Conversation>, StoreError>;

    /// The visitor's conversations, newest first, with their unread counts.
    fn summaries(&self, visitor_id: &str) -> Result<Vec<ConversationSummary>, StoreError>;

    /// Applies `change` in one transaction; the kept entries in order.
    fn record(&self, change: Change<'_>) -> Result<Vec<Kept>, StoreError>;

    /// The entries after sequence number `after`, oldest first, at most `limit`.
    fn entries_after(
        &self,
        conversation_id: &str,
        after: u64,
        limit: u32,
    ) -> Result<Vec<Entry>, StoreError>;

    /// The visitor has seen the conversation up to `seq`.
    fn mark_seen(&self, conversation_id: &str, seq: u64) -> Result<(), StoreError>;

    /// A visitor by id.
    fn visitor(&self, visitor_id: &str) -> Result<Option<Visitor>, StoreError>;

    /// The first waiting message of each conversation whose time has come, at most `limit`.
    fn due_outbound(&self, now_ms: u64, limit: u32) -> Result<Vec<Outgoing>, StoreError>;

    /// The message was sent (or given up on): it leaves the queue.
    fn outbound_done(&self, id: i64) -> Result<(), StoreError>;

    /// The message is tried again at `next_at_ms`.
    fn outbound_later(&self, id: i64, next_at_ms: u64) -> Result<(), StoreError>;

    /// How many messages wait.
    fn outbound_depth(&self) -> Result<u64, StoreError>;
}
