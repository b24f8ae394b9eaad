//! `--data DIR` for the Virtual Agent: its conversations (fields, every transcript entry with the
//! exact bytes posted, received attachments), the requests it turned away, its configuration and
//! its clock, in SQLite in `DIR/va.sqlite3`, beside the instance's own file.
//!
//! As for the instance (`crate::servicenow::persist`), every change is written through when the
//! VA's lock is released, and the whole state is read back into memory on start.

use std::collections::HashMap;
use std::path::Path;

use rusqlite::{params, Connection, OptionalExtension, Transaction};

use crate::common::persist::{open_database, StoreError};
use crate::va::config::VaConfig;
use crate::va::conversation::stored::{
    ConversationRow, CorruptRow, EntryRow, StoredConversations, Unsaved,
};

/// The file the VA's state lives in, inside the data directory.
pub(crate) const DATABASE_FILE: &str = "va.sqlite3";

/// An open database.
#[derive(Debug)]
pub(crate) struct VaStore {
    connection: Connection,
    /// The settings as last written, so that unchanged ones are not written again.
    saved_config: Option<VaConfig>,
    saved_clock_offset_secs: i64,
}

/// Everything read back on start.
#[derive(Debug, Default)]
pub(crate) struct StoredVa {
    pub(crate) conversations: StoredConversations,
    pub(crate) config: Option<VaConfig>,
    pub(crate) clock_offset_secs: i64,
}

/// The names of the rows of `settings`.
const CONFIG: &str = "config";
const CLOCK_OFFSET: &str = "clock_offset_secs";
const ID_STATE: &str = "id_state";

/// The tables, created when they are not there yet.
const SCHEMA: &str = "CREATE TABLE IF NOT EXISTS conversations (
        id TEXT PRIMARY KEY,
        position INTEGER NOT NULL,
        data TEXT NOT NULL
    );
    CREATE TABLE IF NOT EXISTS entries (
        conversation_id TEXT NOT NULL,
        seq INTEGER NOT NULL,
        data TEXT NOT NULL,
        wire TEXT NOT NULL,
        PRIMARY KEY (conversation_id, seq)
    );
    CREATE TABLE IF NOT EXISTS attachment_contents (
        id TEXT PRIMARY KEY,
        content BLOB NOT NULL
    );
    CREATE TABLE IF NOT EXISTS rejected (position INTEGER PRIMARY KEY, data TEXT NOT NULL);
    CREATE TABLE IF NOT EXISTS settings (name TEXT PRIMARY KEY, value TEXT NOT NULL);";

impl VaStore {
    /// Opens (creating if needed) the database in `dir`.
    pub(crate) fn open(dir: &Path) -> Result<VaStore, StoreError> {
        let connection = open_database(dir, DATABASE_FILE, SCHEMA)?;
        Ok(VaStore {
            connection,
            saved_config: None,
            saved_clock_offset_secs: 0,
        })
    }

    /// Everything stored; a fresh database has no conversations and no settings.
    pub(crate) fn load(&mut self) -> Result<StoredVa, StoreError> {
        let mut entries: HashMap<String, Vec<EntryRow>> = HashMap::new();
        let mut statement = self.connection.prepare(
            "SELECT conversation_id, seq, data, wire FROM entries ORDER BY conversation_id, seq",
        )?;
        let rows = statement.query_map([], |row| {
            let conversation_id: String = row.get(0)?;
            let seq: i64 = row.get(1)?;
            let entry = EntryRow {
                seq: u64::try_from(seq).unwrap_or(0),
                fields: row.get(2)?,
                wire: row.get(3)?,
                attachment_contents: Vec::new(),
            };
            Ok((conversation_id, entry))
        })?;
        for row in rows {
            let (conversation_id, entry) = row?;
            entries.entry(conversation_id).or_default().push(entry);
        }
        let mut conversations = StoredConversations::default();
        let mut statement = self
            .connection
            .prepare("SELECT id, position, data FROM conversations ORDER BY position")?;
        let rows = statement.query_map([], |row| {
            let position: i64 = row.get(1)?;
            Ok(ConversationRow {
                id: row.get(0)?,
                position: usize::try_from(position).unwrap_or(0),
                fields: row.get(2)?,
                entries: Vec::new(),
            })
        })?;
        for row in rows {
            let mut conversation = row?;
            conversation.entries = entries.remove(&conversation.id).unwrap_or_default();
            conversations.conversations.push(conversation);
        }
        let mut statement = self
            .connection
            .prepare("SELECT id, content FROM attachment_contents")?;
        let rows = statement.query_map([], |row| {
            Ok((row.get::<_, String>(0)?, row.get::<_, Vec<u8>>(1)?))
        })?;
        for row in rows {
            let (id, content) = row?;
            conversations.attachment_contents.insert(id, content.into());
        }
        let mut statement = self
            .connection
            .prepare("SELECT data FROM rejected ORDER BY position")?;
        for row in statement.query_map([], |row| row.get(0))? {
            conversations.rejected.push(row?);
        }
        conversations.id_state = self
            .setting(ID_STATE)?
            .map(|value| value.parse::<u64>().map_err(|_| corrupt_setting(ID_STATE)))
            .transpose()?;
        let config = self
            .setting(CONFIG)?
            .map(|value| serde_json::from_str(&value).map_err(|_| corrupt_setting(CONFIG)))
            .transpose()?;
        let clock_offset_secs = self
            .setting(CLOCK_OFFSET)?
            .map(|value| {
                value
                    .parse::<i64>()
                    .map_err(|_| corrupt_setting(CLOCK_OFFSET))
            })
            .transpose()?
            .unwrap_or(0);
        self.saved_config = config.clone();
        self.saved_clock_offset_secs = clock_offset_secs;
        Ok(StoredVa {
            conversations,
            config,
            clock_offset_secs,
        })
    }

    /// Writes the changed conversations in one transaction.
    pub(crate) fn write(&mut self, unsaved: &Unsaved) -> Result<(), StoreError> {
        let transaction = self.connection.transaction()?;
        for conversation in &unsaved.conversations {
            write_conversation(&transaction, conversation)?;
        }
        for (position, json) in &unsaved.rejected {
            transaction.execute(
                "INSERT OR REPLACE INTO rejected (position, data) VALUES (?1, ?2)",
                params![to_sql_int(*position), json],
            )?;
        }
        put_setting(&transaction, ID_STATE, &unsaved.id_state.to_string())?;
        transaction.commit()?;
        Ok(())
    }

    /// Writes the configuration and the clock, if they changed.
    pub(crate) fn write_settings(
        &mut self,
        config: &VaConfig,
        clock_offset_secs: i64,
    ) -> Result<(), StoreError> {
        if self.saved_config.as_ref() != Some(config) {
            let json = serde_json::to_string(config).expect("the configuration is plain JSON");
            put_setting(&self.connection, CONFIG, &json)?;
            self.saved_config = Some(config.clone());
        }
        if self.saved_clock_offset_secs != clock_offset_secs {
            put_setting(
                &self.connection,
                CLOCK_OFFSET,
                &clock_offset_secs.to_string(),
            )?;
            self.saved_clock_offset_secs = clock_offset_secs;
        }
        Ok(())
    }

    fn setting(&self, name: &str) -> Result<Option<String>, StoreError> {
        let value = self
            .connection
            .query_row(
                "SELECT value FROM settings WHERE name = ?1",
                params![name],
                |row| row.get(0),
            )
            .optional()?;
        Ok(value)
    }
}

impl From<CorruptRow> for StoreError {
    fn from(corrupt: CorruptRow) -> StoreError {
        StoreError::Corrupt {
            table: format!("VA {}", corrupt.kind),
            sys_id: corrupt.id,
        }
    }
}

fn write_conversation(
    transaction: &Transaction<'_>,
    conversation: &ConversationRow,
) -> Result<(), StoreError> {
    transaction.execute(
        "INSERT OR REPLACE INTO conversations (id, position, data) VALUES (?1, ?2, ?3)",
        params![
            conversation.id,
            to_sql_int(conversation.position),
            conversation.fields
        ],
    )?;
    for entry in &conversation.entries {
        transaction.execute(
            "INSERT OR REPLACE INTO entries (conversation_id, seq, data, wire)
             VALUES (?1, ?2, ?3, ?4)",
            params![
                conversation.id,
                i64::try_from(entry.seq).unwrap_or(i64::MAX),
                entry.fields,
                entry.wire
            ],
        )?;
        for (attachment_id, content) in &entry.attachment_contents {
            transaction.execute(
                "INSERT OR REPLACE INTO attachment_contents (id, content) VALUES (?1, ?2)",
                params![attachment_id, content.as_ref()],
            )?;
        }
    }
    Ok(())
}

fn put_setting(connection: &Connection, name: &str, value: &str) -> Result<(), StoreError> {
    connection.execute(
        "INSERT OR REPLACE INTO settings (name, value) VALUES (?1, ?2)",
        params![name, value],
    )?;
    Ok(())
}

fn corrupt_setting(name: &str) -> StoreError {
    StoreError::Corrupt {
        table: "VA settings".to_owned(),
        sys_id: name.to_owned(),
    }
}

fn to_sql_int(position: usize) -> i64 {
    i64::try_from(position).unwrap_or(i64::MAX)
}
