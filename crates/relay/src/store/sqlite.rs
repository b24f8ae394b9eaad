//! The embedded store: one SQLite file in WAL mode.
//!
//! `synchronous=NORMAL` in WAL mode: a commit reaches the operating system before the call
//! returns, so a relay killed at any moment keeps everything it acknowledged; only a power cut
//! may lose the last commits, which a single-machine relay accepts for chat-speed writes.

use std::path::Path;
use std::sync::{Mutex, MutexGuard};

use flare_core::chat::assistant::Assistant;
use flare_core::chat::protocol::{ConversationSummary, Entry, EntryBody};
use rusqlite::{params, Connection, OptionalExtension, Transaction};

use crate::ids::random_id;
use crate::store::{
    Change, Conversation, Kept, Outgoing, Store, StoreError, StoredFile, TicketRef, VerifiedUser,
    Visitor,
};

/// Visitors, conversations and entries in one SQLite database.
pub struct SqliteStore {
    connection: Mutex<Connection>,
}

/// The schema, one step per version (`PRAGMA user_version`); a new step is appended, never edited.
const MIGRATIONS: &[&str] = &[
    r"
    CREATE TABLE visitors (
        id TEXT PRIMARY KEY,
        site TEXT NOT NULL,
        external_id TEXT,
        email TEXT,
        name TEXT,
        desk_user TEXT,
        UNIQUE (site, external_id)
    );
    CREATE TABLE tokens (
        token_hash TEXT PRIMARY KEY,
        visitor_id TEXT NOT NULL REFERENCES visitors (id)
    );
    CREATE TABLE conversations (
        id TEXT PRIMARY KEY,
        visitor_id TEXT NOT NULL REFERENCES visitors (id),
        assistant TEXT NOT NULL,
        ended INTEGER NOT NULL DEFAULT 0,
        last_seq INTEGER NOT NULL DEFAULT 0,
        seen_seq INTEGER NOT NULL DEFAULT 0,
        last_text TEXT NOT NULL DEFAULT '',
        updated_ms INTEGER NOT NULL
    );
    CREATE INDEX conversations_by_visitor ON conversations (visitor_id, updated_ms);
    CREATE TABLE entries (
        conversation_id TEXT NOT NULL REFERENCES conversations (id),
        seq INTEGER NOT NULL,
        at_ms INTEGER NOT NULL,
        body TEXT NOT NULL,
        client_id TEXT,
        PRIMARY KEY (conversation_id, seq),
        UNIQUE (conversation_id, client_id)
    );
",
    r"
    CREATE TABLE outbound (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        conversation_id TEXT NOT NULL REFERENCES conversations (id),
        payload TEXT NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        next_at_ms INTEGER NOT NULL
    );
    CREATE INDEX outbound_by_conversation ON outbound (conversation_id, id);
    CREATE TABLE deliveries (
        key TEXT PRIMARY KEY,
        at_ms INTEGER NOT NULL
    );
",
    r"
    ALTER TABLE conversations ADD COLUMN locale TEXT NOT NULL DEFAULT 'en';
",
    r"
    ALTER TABLE conversations ADD COLUMN ticket TEXT;
",
    r"
    CREATE TABLE follows (
        conversation_id TEXT NOT NULL REFERENCES conversations (id),
        ticket TEXT NOT NULL,
        PRIMARY KEY (conversation_id, ticket)
    );
    CREATE TABLE watches (
        site TEXT PRIMARY KEY,
        watch TEXT NOT NULL
    );
",
    r"
    CREATE TABLE files (
        id TEXT PRIMARY KEY,
        conversation_id TEXT NOT NULL REFERENCES conversations (id),
        name TEXT NOT NULL,
        content_type TEXT NOT NULL,
        size INTEGER NOT NULL
    );
",
    r"
    CREATE TABLE desk_tokens (
        site TEXT PRIMARY KEY,
        tokens TEXT NOT NULL
    );
",
];

/// How much of the last message a conversation's summary shows.
const SUMMARY_CHARS: usize = 80;

impl SqliteStore {
    /// Opens (or makes) `relay.sqlite` in `dir` and brings its schema up to date.
    pub fn open(dir: &Path) -> Result<SqliteStore, StoreError> {
        SqliteStore::with_connection(Connection::open(dir.join("relay.sqlite"))?)
    }

    /// A store that lives in memory only, for a relay run without `--data`.
    pub fn in_memory() -> Result<SqliteStore, StoreError> {
        SqliteStore::with_connection(Connection::open_in_memory()?)
    }

    fn with_connection(mut connection: Connection) -> Result<SqliteStore, StoreError> {
        connection.pragma_update(None, "journal_mode", "WAL")?;
        connection.pragma_update(None, "synchronous", "NORMAL")?;
        connection.pragma_update(None, "foreign_keys", "ON")?;
        let version: usize =
            connection.pragma_query_value(None, "user_version", |row| row.get(0))?;
        let transaction = connection.transaction()?;
        for (step_idx, step) in MIGRATIONS.iter().enumerate().skip(version) {
            transaction.execute_batch(step)?;
            transaction.pragma_update(None, "user_version", step_idx + 1)?;
        }
        transaction.commit()?;
        Ok(SqliteStore {
            connection: Mutex::new(connection),
        })
    }

    fn lock(&self) -> MutexGuard<'_, Connection> {
        // A panic while holding the lock leaves SQLite consistent (transactions roll back).
        self.connection
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

impl Store for SqliteStore {
    fn visitor_by_token(
        &self,
        site: &str,
        token_hash: &str,
    ) -> Result<Option<Visitor>, StoreError> {
        let connection = self.lock();
        let visitor_id: Option<String> = connection
            .query_row(
                "SELECT visitors.id FROM tokens JOIN visitors ON visitors.id = tokens.visitor_id
                 WHERE tokens.token_hash = ?1 AND visitors.site = ?2",
                params![token_hash, site],
                |row| row.get(0),
            )
            .optional()?;
        visitor_id
            .map(|visitor_id| visitor(&connection, &visitor_id))
            .transpose()
    }

    fn create_visitor(&self, site: &str, token_hash: &str) -> Result<Visitor, StoreError> {
        let mut connection = self.lock();
        let transaction = connection.transaction()?;
        let visitor_id = random_id();
        transaction.execute(
            "INSERT INTO visitors (id, site) VALUES (?1, ?2)",
            params![visitor_id, site],
        )?;
        transaction.execute(
            "INSERT INTO tokens (token_hash, visitor_id) VALUES (?1, ?2)",
            params![token_hash, visitor_id],
        )?;
        let visitor = visitor(&transaction, &visitor_id)?;
        transaction.commit()?;
        Ok(visitor)
    }

    fn verified_visitor(&self, site: &str, user: &VerifiedUser) -> Result<Visitor, StoreError> {
        let mut connection = self.lock();
        let transaction = connection.transaction()?;
        transaction.execute(
            "INSERT INTO visitors (id, site, external_id, email, name) VALUES (?1, ?2, ?3, ?4, ?5)
             ON CONFLICT (site, external_id) DO UPDATE SET
                 email = excluded.email,
                 name = excluded.name,
                 desk_user = CASE WHEN visitors.email = excluded.email THEN visitors.desk_user END",
            params![random_id(), site, user.external_id, user.email, user.name],
        )?;
        let visitor_id: String = transaction.query_row(
            "SELECT id FROM visitors WHERE site = ?1 AND external_id = ?2",
            params![site, user.external_id],
            |row| row.get(0),
        )?;
        let visitor = visitor(&transaction, &visitor_id)?;
        transaction.commit()?;
        Ok(visitor)
    }

    fn add_token(&self, visitor_id: &str, token_hash: &str) -> Result<(), StoreError> {
        self.lock().execute(
            "INSERT OR IGNORE INTO tokens (token_hash, visitor_id) VALUES (?1, ?2)",
            params![token_hash, visitor_id],
        )?;
        Ok(())
    }

    fn set_desk_user(&self, visitor_id: &str, desk_user: &str) -> Result<(), StoreError> {
        self.lock().execute(
            "UPDATE visitors SET desk_user = ?2 WHERE id = ?1",
            params![visitor_id, desk_user],
        )?;
        Ok(())
    }

    fn create_conversation(
        &self,
        visitor_id: &str,
        locale: &str,
        now_ms: u64,
    ) -> Result<Conversation, StoreError> {
        let conversation = Conversation {
            id: random_id(),
            visitor_id: visitor_id.to_owned(),
            assistant: Assistant::default(),
            ended: false,
            locale: locale.to_owned(),
            ticket: None,
        };
        self.lock().execute(
            "INSERT INTO conversations (id, visitor_id, assistant, locale, updated_ms)
             VALUES (?1, ?2, ?3, ?4, ?5)",
            params![
                conversation.id,
                visitor_id,
                assistant_text(&conversation.assistant),
                locale,
                now_ms
            ],
        )?;
        Ok(conversation)
    }

    fn conversation(&self, id: &str) -> Result<Option<Conversation>, StoreError> {
        let connection = self.lock();
        connection
            .query_row(
                &format!("{CONVERSATION_COLUMNS} WHERE id = ?1"),
                params![id],
                conversation_row,
            )
            .optional()?
            .map(conversation_of)
            .transpose()
    }

    fn set_ticket(&self, conversation_id: &str, ticket: &TicketRef) -> Result<(), StoreError> {
        let ticket = serde_json::to_string(ticket).expect("a ticket reference always serialises");
        self.lock().execute(
            "UPDATE conversations SET ticket = ?2 WHERE id = ?1",
            params![conversation_id, ticket],
        )?;
        Ok(())
    }

    fn follow(&self, conversation_id: &str, ticket: &TicketRef) -> Result<(), StoreError> {
        let ticket = serde_json::to_string(ticket).expect("a ticket reference always serialises");
        self.lock().execute(
            "INSERT OR IGNORE INTO follows (conversation_id, ticket) VALUES (?1, ?2)",
            params![conversation_id, ticket],
        )?;
        Ok(())
    }

    fn followed(&self, site: &str) -> Result<Vec<(String, TicketRef)>, StoreError> {
        let connection = self.lock();
        let mut statement = connection.prepare(
            "SELECT follows.conversation_id, follows.ticket FROM follows
             JOIN conversations ON conversations.id = follows.conversation_id
             JOIN visitors ON visitors.id = conversations.visitor_id
             WHERE visitors.site = ?1",
        )?;
        let rows = statement.query_map(params![site], |row| {
            Ok((row.get::<_, String>(0)?, row.get::<_, String>(1)?))
        })?;
        rows.map(|row| {
            let (conversation_id, ticket) = row?;
            let ticket = serde_json::from_str(&ticket).map_err(|error| StoreError::Corrupt {
                what: "followed ticket",
                message: error.to_string(),
            })?;
            Ok((conversation_id, ticket))
        })
        .collect()
    }

    fn watch(&self, site: &str) -> Result<Option<String>, StoreError> {
        Ok(self
            .lock()
            .query_row(
                "SELECT watch FROM watches WHERE site = ?1",
                params![site],
                |row| row.get(0),
            )
            .optional()?)
    }

    fn set_watch(&self, site: &str, watch: &str) -> Result<(), StoreError> {
        self.lock().execute(
            "INSERT INTO watches (site, watch) VALUES (?1, ?2)
             ON CONFLICT (site) DO UPDATE SET watch = excluded.watch",
            params![site, watch],
        )?;
        Ok(())
    }

    fn desk_tokens(&self, site: &str) -> Result<Option<String>, StoreError> {
        Ok(self
            .lock()
            .query_row(
                "SELECT tokens FROM desk_tokens WHERE site = ?1",
                params![site],
                |row| row.get(0),
            )
            .optional()?)
    }

    fn set_desk_tokens(&self, site: &str, tokens: &str) -> Result<(), StoreError> {
        self.lock().execute(
            "INSERT INTO desk_tokens (site, tokens) VALUES (?1, ?2)
             ON CONFLICT (site) DO UPDATE SET tokens = excluded.tokens",
            params![site, tokens],
        )?;
        Ok(())
    }

    fn add_file(&self, file: &StoredFile) -> Result<(), StoreError> {
        self.lock().execute(
            "INSERT INTO files (id, conversation_id, name, content_type, size)
             VALUES (?1, ?2, ?3, ?4, ?5)",
            params![
                file.id,
                file.conversation_id,
                file.name,
                file.content_type,
                file.size
            ],
        )?;
        Ok(())
    }

    fn file(&self, id: &str) -> Result<Option<StoredFile>, StoreError> {
        Ok(self
            .lock()
            .query_row(
                "SELECT id, conversation_id, name, content_type, size FROM files WHERE id = ?1",
                params![id],
                |row| {
                    Ok(StoredFile {
                        id: row.get(0)?,
                        conversation_id: row.get(1)?,
                        name: row.get(2)?,
                        content_type: row.get(3)?,
                        size: row.get(4)?,
                    })
                },
            )
            .optional()?)
    }

    fn open_conversations(&self) -> Result<Vec<Conversation>, StoreError> {
        let connection = self.lock();
        let mut statement =
            connection.prepare(&format!("{CONVERSATION_COLUMNS} WHERE ended = 0"))?;
        let rows = statement.query_map([], conversation_row)?;
        rows.map(|row| conversation_of(row?)).collect()
    }

    fn summaries(&self, visitor_id: &str) -> Result<Vec<ConversationSummary>, StoreError> {
        let connection = self.lock();
        let mut statement = connection.prepare(
            "SELECT id, last_text, last_seq, ended, updated_ms,
                 (SELECT COUNT(*) FROM entries
                  WHERE entries.conversation_id = conversations.id
                    AND entries.seq > conversations.seen_seq AND entries.client_id IS NULL)
             FROM conversations WHERE visitor_id = ?1 ORDER BY updated_ms DESC, rowid DESC",
        )?;
        let rows = statement.query_map(params![visitor_id], |row| {
            Ok(ConversationSummary {
                id: row.get(0)?,
                last_text: row.get(1)?,
                last_seq: row.get(2)?,
                ended: row.get(3)?,
                updated_ms: row.get(4)?,
                unread: row.get(5)?,
            })
        })?;
        Ok(rows.collect::<Result<Vec<_>, _>>()?)
    }

    fn record(&self, change: Change<'_>) -> Result<Vec<Kept>, StoreError> {
        let mut connection = self.lock();
        let transaction = connection.transaction()?;
        let kept = record_in(&transaction, &change)?;
        transaction.commit()?;
        Ok(kept)
    }

    fn entries_after(
        &self,
        conversation_id: &str,
        after: u64,
        limit: u32,
    ) -> Result<Vec<Entry>, StoreError> {
        let connection = self.lock();
        let mut statement = connection.prepare(
            "SELECT seq, at_ms, body FROM entries
             WHERE conversation_id = ?1 AND seq > ?2 ORDER BY seq LIMIT ?3",
        )?;
        let rows = statement.query_map(params![conversation_id, after, limit], |row| {
            Ok((
                row.get::<_, u64>(0)?,
                row.get::<_, u64>(1)?,
                row.get::<_, String>(2)?,
            ))
        })?;
        rows.map(|row| {
            let (seq, at_ms, body) = row?;
            Ok(Entry {
                seq,
                at_ms,
                body: entry_body(&body)?,
            })
        })
        .collect()
    }

    fn visitor(&self, visitor_id: &str) -> Result<Option<Visitor>, StoreError> {
        visitor(&self.lock(), visitor_id)
            .map(Some)
            .or_else(|error| match error {
                StoreError::Database(rusqlite::Error::QueryReturnedNoRows) => Ok(None),
                other => Err(other),
            })
    }

    fn due_outbound(&self, now_ms: u64, limit: u32) -> Result<Vec<Outgoing>, StoreError> {
        let connection = self.lock();
        let mut statement = connection.prepare(
            "SELECT id, conversation_id, payload, attempts FROM outbound AS waiting
             WHERE next_at_ms <= ?1 AND NOT EXISTS (
                 SELECT 1 FROM outbound AS earlier
                 WHERE earlier.conversation_id = waiting.conversation_id AND earlier.id < waiting.id)
             ORDER BY id LIMIT ?2",
        )?;
        let rows = statement.query_map(params![now_ms, limit], |row| {
            Ok(Outgoing {
                id: row.get(0)?,
                conversation_id: row.get(1)?,
                payload: row.get(2)?,
                attempts: row.get(3)?,
            })
        })?;
        Ok(rows.collect::<Result<Vec<_>, _>>()?)
    }

    fn outbound_done(&self, id: i64) -> Result<(), StoreError> {
        self.lock()
            .execute("DELETE FROM outbound WHERE id = ?1", params![id])?;
        Ok(())
    }

    fn outbound_later(&self, id: i64, next_at_ms: u64) -> Result<(), StoreError> {
        self.lock().execute(
            "UPDATE outbound SET attempts = attempts + 1, next_at_ms = ?2 WHERE id = ?1",
            params![id, next_at_ms],
        )?;
        Ok(())
    }

    fn outbound_depth(&self) -> Result<u64, StoreError> {
        Ok(self
            .lock()
            .query_row("SELECT COUNT(*) FROM outbound", [], |row| row.get(0))?)
    }

    fn mark_seen(&self, conversation_id: &str, seq: u64) -> Result<(), StoreError> {
        self.lock().execute(
            "UPDATE conversations SET seen_seq = MAX(seen_seq, MIN(?2, last_seq)) WHERE id = ?1",
            params![conversation_id, seq],
        )?;
        Ok(())
    }
}

fn record_in(transaction: &Transaction<'_>, change: &Change<'_>) -> Result<Vec<Kept>, StoreError> {
    if let Some(key) = change.once {
        let inserted = transaction.execute(
            "INSERT OR IGNORE INTO deliveries (key, at_ms) VALUES (?1, ?2)",
            params![key, change.now_ms],
        )?;
        if inserted == 0 {
            return Ok(vec![]);
        }
    }
    let mut last_seq: u64 = transaction
        .query_row(
            "SELECT last_seq FROM conversations WHERE id = ?1",
            params![change.conversation_id],
            |row| row.get(0),
        )
        .optional()?
        .ok_or_else(|| StoreError::NoConversation(change.conversation_id.to_owned()))?;
    let mut kept = Vec::with_capacity(change.entries.len());
    let mut last_text = None;
    for new_entry in &change.entries {
        if let Some(client_id) = &new_entry.client_id {
            let earlier: Option<(u64, u64, String)> = transaction
                .query_row(
                    "SELECT seq, at_ms, body FROM entries WHERE conversation_id = ?1 AND client_id = ?2",
                    params![change.conversation_id, client_id],
                    |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)),
                )
                .optional()?;
            if let Some((seq, at_ms, body)) = earlier {
                kept.push(Kept {
                    entry: Entry {
                        seq,
                        at_ms,
                        body: entry_body(&body)?,
                    },
                    fresh: false,
                });
                continue;
            }
        }
        last_seq += 1;
        let body = serde_json::to_string(&new_entry.body).expect("an entry body always serialises");
        transaction.execute(
            "INSERT INTO entries (conversation_id, seq, at_ms, body, client_id) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![change.conversation_id, last_seq, change.now_ms, body, new_entry.client_id],
        )?;
        if let EntryBody::Message { text, .. } = &new_entry.body {
            last_text = Some(text.chars().take(SUMMARY_CHARS).collect::<String>());
        }
        kept.push(Kept {
            entry: Entry {
                seq: last_seq,
                at_ms: change.now_ms,
                body: new_entry.body.clone(),
            },
            fresh: true,
        });
    }
    transaction.execute(
        "UPDATE conversations SET last_seq = ?2, updated_ms = ?3,
             last_text = COALESCE(?4, last_text),
             assistant = COALESCE(?5, assistant),
             ended = ended OR ?6
         WHERE id = ?1",
        params![
            change.conversation_id,
            last_seq,
            change.now_ms,
            last_text,
            change.assistant.map(assistant_text),
            change.ends
        ],
    )?;
    for payload in &change.outbound {
        transaction.execute(
            "INSERT INTO outbound (conversation_id, payload, next_at_ms) VALUES (?1, ?2, ?3)",
            params![change.conversation_id, payload, change.now_ms],
        )?;
    }
    Ok(kept)
}

/// A conversation's columns, in the order `conversation_row` reads them.
const CONVERSATION_COLUMNS: &str =
    "SELECT id, visitor_id, assistant, ended, locale, ticket FROM conversations";

type ConversationRow = (String, String, String, bool, String, Option<String>);

fn conversation_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<ConversationRow> {
    Ok((
        row.get(0)?,
        row.get(1)?,
        row.get(2)?,
        row.get(3)?,
        row.get(4)?,
        row.get(5)?,
    ))
}

fn conversation_of(
    (id, visitor_id, assistant, ended, locale, ticket): ConversationRow,
) -> Result<Conversation, StoreError> {
    let ticket = ticket
        .map(|ticket| serde_json::from_str(&ticket))
        .transpose()
        .map_err(|error| StoreError::Corrupt {
            what: "conversation ticket",
            message: error.to_string(),
        })?;
    Ok(Conversation {
        id,
        visitor_id,
        assistant: serde_json::from_str(&assistant).map_err(|error| StoreError::Corrupt {
            what: "assistant state",
            message: error.to_string(),
        })?,
        ended,
        locale,
        ticket,
    })
}

fn visitor(connection: &Connection, visitor_id: &str) -> Result<Visitor, StoreError> {
    Ok(connection.query_row(
        "SELECT id, site, external_id, email, name, desk_user FROM visitors WHERE id = ?1",
        params![visitor_id],
        |row| {
            let external_id: Option<String> = row.get(2)?;
            let email: Option<String> = row.get(3)?;
            let name: Option<String> = row.get(4)?;
            Ok(Visitor {
                id: row.get(0)?,
                site: row.get(1)?,
                verified: external_id.map(|external_id| VerifiedUser {
                    external_id,
                    email: email.unwrap_or_default(),
                    name: name.unwrap_or_default(),
                }),
                desk_user: row.get(5)?,
            })
        },
    )?)
}

fn assistant_text(assistant: &Assistant) -> String {
    serde_json::to_string(assistant).expect("the assistant's state always serialises")
}

fn entry_body(text: &str) -> Result<EntryBody, StoreError> {
    serde_json::from_str(text).map_err(|error| StoreError::Corrupt {
        what: "entry",
        message: error.to_string(),
    })
}

#[cfg(test)]
mod tests;
