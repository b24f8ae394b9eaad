//! `--data DIR` for the Zendesk account: its state in SQLite in `DIR/zendesk.sqlite3`, next to the
//! ServiceNow instance's `servicenow.sqlite3`, so that a restart keeps it.
//!
//! As for the instance (`crate::servicenow::persist`), every change is written through at once and
//! the whole state is read back into memory on start. Users, tickets (with their comments),
//! soft-deleted tickets, audits, groups, group memberships, uploads and bulk job statuses are JSON
//! rows; attachments keep their bytes in a BLOB; the id counters go on where they stopped, so no
//! id is handed out twice. OAuth access and refresh tokens are stored too, so signed-in clients
//! stay signed in; authorization codes (120 s) are not.

use std::path::Path;
use std::sync::{Arc, Mutex};

use rusqlite::{params, Connection};
use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::common::persist::{self, open_database, StoreError};
use crate::zendesk::account::{
    Attachment, Audit, DeletedTicket, Group, GroupMembership, Job, Ticket, Upload, User,
};
use crate::zendesk::oauth::IssuedToken;

/// The file the account's state lives in, inside the data directory.
pub(crate) const DATABASE_FILE: &str = "zendesk.sqlite3";

/// The open database, shared by the account and its OAuth grants. Cheap to clone.
#[derive(Debug, Clone)]
pub(crate) struct ZendeskStore {
    connection: Arc<Mutex<Connection>>,
}

/// The account's state as stored.
#[derive(Debug, Default)]
pub(crate) struct Snapshot {
    pub(crate) users: Vec<User>,
    pub(crate) tickets: Vec<Ticket>,
    pub(crate) deleted_tickets: Vec<DeletedTicket>,
    pub(crate) audits: Vec<Audit>,
    pub(crate) groups: Vec<Group>,
    pub(crate) memberships: Vec<GroupMembership>,
    pub(crate) attachments: Vec<Attachment>,
    pub(crate) uploads: Vec<Upload>,
    pub(crate) jobs: Vec<Job>,
    pub(crate) counters: Vec<(String, u64)>,
}

/// The OAuth tokens as stored, each with its token.
#[derive(Debug, Default)]
pub(crate) struct StoredTokens {
    pub(crate) access: Vec<(String, IssuedToken)>,
    pub(crate) refresh: Vec<(String, IssuedToken)>,
}

/// Which kind of token a row holds.
const ACCESS: &str = "access";
const REFRESH: &str = "refresh";

/// The tables, created when they are not there yet.
const SCHEMA: &str =
    "CREATE TABLE IF NOT EXISTS users (id INTEGER PRIMARY KEY, data TEXT NOT NULL);
    CREATE TABLE IF NOT EXISTS tickets (id INTEGER PRIMARY KEY, data TEXT NOT NULL);
    CREATE TABLE IF NOT EXISTS deleted_tickets (id INTEGER PRIMARY KEY, data TEXT NOT NULL);
    CREATE TABLE IF NOT EXISTS audits (
        id INTEGER PRIMARY KEY,
        ticket_id INTEGER NOT NULL,
        data TEXT NOT NULL
    );
    CREATE TABLE IF NOT EXISTS groups (id INTEGER PRIMARY KEY, data TEXT NOT NULL);
    CREATE TABLE IF NOT EXISTS memberships (id INTEGER PRIMARY KEY, data TEXT NOT NULL);
    CREATE TABLE IF NOT EXISTS attachments (
        id INTEGER PRIMARY KEY,
        token TEXT NOT NULL,
        file_name TEXT NOT NULL,
        content_type TEXT NOT NULL,
        content BLOB NOT NULL
    );
    CREATE TABLE IF NOT EXISTS uploads (token TEXT PRIMARY KEY, data TEXT NOT NULL);
    CREATE TABLE IF NOT EXISTS jobs (id TEXT PRIMARY KEY, data TEXT NOT NULL);
    CREATE TABLE IF NOT EXISTS counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
    CREATE TABLE IF NOT EXISTS oauth_tokens (
        token TEXT PRIMARY KEY,
        kind TEXT NOT NULL,
        data TEXT NOT NULL
    );";

impl ZendeskStore {
    /// Opens (creating if needed) the database in `dir`.
    pub(crate) fn open(dir: &Path) -> Result<ZendeskStore, StoreError> {
        let connection = open_database(dir, DATABASE_FILE, SCHEMA)?;
        Ok(ZendeskStore {
            connection: Arc::new(Mutex::new(connection)),
        })
    }

    /// Whether nothing was ever stored (a fresh directory, to be seeded).
    pub(crate) fn is_empty(&self) -> Result<bool, StoreError> {
        persist::is_empty(&self.connection(), "users")
    }

    /// Stores a whole account in one transaction (seeding a fresh directory).
    pub(crate) fn save(&self, snapshot: &Snapshot) -> Result<(), StoreError> {
        let mut connection = self.connection();
        let transaction = connection.transaction()?;
        for user in &snapshot.users {
            put_user(&transaction, user)?;
        }
        for ticket in &snapshot.tickets {
            put_ticket(&transaction, ticket)?;
        }
        for deleted in &snapshot.deleted_tickets {
            put_deleted_ticket(&transaction, deleted)?;
        }
        for audit in &snapshot.audits {
            put_audit(&transaction, audit)?;
        }
        for group in &snapshot.groups {
            put_group(&transaction, group)?;
        }
        for membership in &snapshot.memberships {
            put_membership(&transaction, membership)?;
        }
        for attachment in &snapshot.attachments {
            put_attachment(&transaction, attachment)?;
        }
        for upload in &snapshot.uploads {
            put_upload(&transaction, upload)?;
        }
        for job in &snapshot.jobs {
            put_job(&transaction, job)?;
        }
        for (name, value) in &snapshot.counters {
            set_counter(&transaction, name, *value)?;
        }
        transaction.commit()?;
        Ok(())
    }

    /// Everything stored, for the account to start from.
    pub(crate) fn load(&self) -> Result<Snapshot, StoreError> {
        let connection = self.connection();
        let mut attachments = Vec::new();
        let mut statement = connection
            .prepare("SELECT id, token, file_name, content_type, content FROM attachments")?;
        let rows = statement.query_map([], |row| {
            Ok(Attachment {
                id: from_sql_id(row.get(0)?),
                token: row.get(1)?,
                file_name: row.get(2)?,
                content_type: row.get(3)?,
                bytes: row.get(4)?,
            })
        })?;
        for row in rows {
            attachments.push(row?);
        }
        let mut counters = Vec::new();
        let mut statement = connection.prepare("SELECT name, value FROM counters")?;
        let rows = statement.query_map([], |row| {
            Ok((row.get::<_, String>(0)?, from_sql_id(row.get(1)?)))
        })?;
        for row in rows {
            counters.push(row?);
        }
        Ok(Snapshot {
            users: json_rows(
                &connection,
                "users",
                "SELECT id, data FROM users ORDER BY id",
            )?,
            tickets: json_rows(
                &connection,
                "tickets",
                "SELECT id, data FROM tickets ORDER BY id",
            )?,
            deleted_tickets: json_rows(
                &connection,
                "deleted_tickets",
                "SELECT id, data FROM deleted_tickets ORDER BY id",
            )?,
            audits: json_rows(
                &connection,
                "audits",
                "SELECT id, data FROM audits ORDER BY id",
            )?,
            groups: json_rows(
                &connection,
                "groups",
                "SELECT id, data FROM groups ORDER BY id",
            )?,
            memberships: json_rows(
                &connection,
                "memberships",
                "SELECT id, data FROM memberships ORDER BY id",
            )?,
            attachments,
            uploads: json_rows(&connection, "uploads", "SELECT token, data FROM uploads")?,
            jobs: json_rows(&connection, "jobs", "SELECT id, data FROM jobs")?,
            counters,
        })
    }

    pub(crate) fn put_user(&self, user: &User) -> Result<(), StoreError> {
        put_user(&self.connection(), user)
    }

    pub(crate) fn put_ticket(&self, ticket: &Ticket) -> Result<(), StoreError> {
        put_ticket(&self.connection(), ticket)
    }

    pub(crate) fn put_group(&self, group: &Group) -> Result<(), StoreError> {
        put_group(&self.connection(), group)
    }

    pub(crate) fn remove_ticket(&self, ticket_id: u64) -> Result<(), StoreError> {
        self.connection().execute(
            "DELETE FROM tickets WHERE id = ?1",
            params![to_sql_id(ticket_id)],
        )?;
        Ok(())
    }

    pub(crate) fn put_deleted_ticket(&self, deleted: &DeletedTicket) -> Result<(), StoreError> {
        put_deleted_ticket(&self.connection(), deleted)
    }

    pub(crate) fn remove_deleted_ticket(&self, ticket_id: u64) -> Result<(), StoreError> {
        self.connection().execute(
            "DELETE FROM deleted_tickets WHERE id = ?1",
            params![to_sql_id(ticket_id)],
        )?;
        Ok(())
    }

    pub(crate) fn put_audit(&self, audit: &Audit) -> Result<(), StoreError> {
        put_audit(&self.connection(), audit)
    }

    /// Removes every audit of a ticket deleted for good.
    pub(crate) fn remove_audits(&self, ticket_id: u64) -> Result<(), StoreError> {
        self.connection().execute(
            "DELETE FROM audits WHERE ticket_id = ?1",
            params![to_sql_id(ticket_id)],
        )?;
        Ok(())
    }

    pub(crate) fn put_membership(&self, membership: &GroupMembership) -> Result<(), StoreError> {
        put_membership(&self.connection(), membership)
    }

    pub(crate) fn remove_membership(&self, membership_id: u64) -> Result<(), StoreError> {
        self.connection().execute(
            "DELETE FROM memberships WHERE id = ?1",
            params![to_sql_id(membership_id)],
        )?;
        Ok(())
    }

    pub(crate) fn put_attachment(&self, attachment: &Attachment) -> Result<(), StoreError> {
        put_attachment(&self.connection(), attachment)
    }

    pub(crate) fn put_upload(&self, upload: &Upload) -> Result<(), StoreError> {
        put_upload(&self.connection(), upload)
    }

    pub(crate) fn put_job(&self, job: &Job) -> Result<(), StoreError> {
        put_job(&self.connection(), job)
    }

    pub(crate) fn remove_upload(&self, token: &str) -> Result<(), StoreError> {
        self.connection()
            .execute("DELETE FROM uploads WHERE token = ?1", params![token])?;
        Ok(())
    }

    pub(crate) fn set_counter(&self, name: &str, value: u64) -> Result<(), StoreError> {
        set_counter(&self.connection(), name, value)
    }

    /// Replaces every stored OAuth token with these, in one transaction.
    pub(crate) fn replace_tokens<'a>(
        &self,
        access: impl Iterator<Item = (&'a String, &'a IssuedToken)>,
        refresh: impl Iterator<Item = (&'a String, &'a IssuedToken)>,
    ) -> Result<(), StoreError> {
        let mut connection = self.connection();
        let transaction = connection.transaction()?;
        transaction.execute("DELETE FROM oauth_tokens", [])?;
        {
            let mut statement = transaction
                .prepare("INSERT INTO oauth_tokens (token, kind, data) VALUES (?1, ?2, ?3)")?;
            let rows = access
                .map(|row| (ACCESS, row))
                .chain(refresh.map(|row| (REFRESH, row)));
            for (kind, (token, issued)) in rows {
                statement.execute(params![token, kind, to_json(issued)])?;
            }
        }
        transaction.commit()?;
        Ok(())
    }

    /// The stored OAuth tokens.
    pub(crate) fn load_tokens(&self) -> Result<StoredTokens, StoreError> {
        let rows: Vec<(String, String, String)> = persist::rows(
            &self.connection(),
            "SELECT token, kind, data FROM oauth_tokens",
        )?;
        let mut tokens = StoredTokens::default();
        for (token, kind, data) in rows {
            let issued: IssuedToken = from_json(&data, "oauth_tokens", "a token")?;
            match kind.as_str() {
                ACCESS => tokens.access.push((token, issued)),
                _ => tokens.refresh.push((token, issued)),
            }
        }
        Ok(tokens)
    }

    fn connection(&self) -> std::sync::MutexGuard<'_, Connection> {
        crate::lock(&self.connection)
    }
}

fn put_user(connection: &Connection, user: &User) -> Result<(), StoreError> {
    connection.execute(
        "INSERT OR REPLACE INTO users (id, data) VALUES (?1, ?2)",
        params![to_sql_id(user.id), to_json(user)],
    )?;
    Ok(())
}

fn put_ticket(connection: &Connection, ticket: &Ticket) -> Result<(), StoreError> {
    connection.execute(
        "INSERT OR REPLACE INTO tickets (id, data) VALUES (?1, ?2)",
        params![to_sql_id(ticket.id), to_json(ticket)],
    )?;
    Ok(())
}

fn put_deleted_ticket(connection: &Connection, deleted: &DeletedTicket) -> Result<(), StoreError> {
    connection.execute(
        "INSERT OR REPLACE INTO deleted_tickets (id, data) VALUES (?1, ?2)",
        params![to_sql_id(deleted.ticket.id), to_json(deleted)],
    )?;
    Ok(())
}

fn put_audit(connection: &Connection, audit: &Audit) -> Result<(), StoreError> {
    connection.execute(
        "INSERT OR REPLACE INTO audits (id, ticket_id, data) VALUES (?1, ?2, ?3)",
        params![
            to_sql_id(audit.id),
            to_sql_id(audit.ticket_id),
            to_json(audit)
        ],
    )?;
    Ok(())
}

fn put_membership(connection: &Connection, membership: &GroupMembership) -> Result<(), StoreError> {
    connection.execute(
        "INSERT OR REPLACE INTO memberships (id, data) VALUES (?1, ?2)",
        params![to_sql_id(membership.id), to_json(membership)],
    )?;
    Ok(())
}

fn put_group(connection: &Connection, group: &Group) -> Result<(), StoreError> {
    connection.execute(
        "INSERT OR REPLACE INTO groups (id, data) VALUES (?1, ?2)",
        params![to_sql_id(group.id), to_json(group)],
    )?;
    Ok(())
}

fn put_attachment(connection: &Connection, attachment: &Attachment) -> Result<(), StoreError> {
    connection.execute(
        "INSERT OR REPLACE INTO attachments (id, token, file_name, content_type, content)
         VALUES (?1, ?2, ?3, ?4, ?5)",
        params![
            to_sql_id(attachment.id),
            attachment.token,
            attachment.file_name,
            attachment.content_type,
            attachment.bytes
        ],
    )?;
    Ok(())
}

fn put_upload(connection: &Connection, upload: &Upload) -> Result<(), StoreError> {
    connection.execute(
        "INSERT OR REPLACE INTO uploads (token, data) VALUES (?1, ?2)",
        params![upload.token, to_json(upload)],
    )?;
    Ok(())
}

fn put_job(connection: &Connection, job: &Job) -> Result<(), StoreError> {
    connection.execute(
        "INSERT OR REPLACE INTO jobs (id, data) VALUES (?1, ?2)",
        params![job.id, to_json(job)],
    )?;
    Ok(())
}

fn set_counter(connection: &Connection, name: &str, value: u64) -> Result<(), StoreError> {
    connection.execute(
        "INSERT OR REPLACE INTO counters (name, value) VALUES (?1, ?2)",
        params![name, to_sql_id(value)],
    )?;
    Ok(())
}

/// Every row of a `key, data` query, the data read as JSON.
fn json_rows<T: DeserializeOwned>(
    connection: &Connection,
    table: &str,
    query: &str,
) -> Result<Vec<T>, StoreError> {
    let mut statement = connection.prepare(query)?;
    let rows = statement.query_map([], |row| {
        let key: rusqlite::types::Value = row.get(0)?;
        let key = match key {
            rusqlite::types::Value::Integer(id) => id.to_string(),
            rusqlite::types::Value::Text(text) => text,
            _ => String::new(),
        };
        Ok((key, row.get::<_, String>(1)?))
    })?;
    let mut values = Vec::new();
    for row in rows {
        let (key, data) = row?;
        values.push(from_json(&data, table, &key)?);
    }
    Ok(values)
}

fn to_json<T: Serialize>(value: &T) -> String {
    serde_json::to_string(value).expect("stored objects always serialise")
}

fn from_json<T: DeserializeOwned>(data: &str, table: &str, key: &str) -> Result<T, StoreError> {
    serde_json::from_str(data).map_err(|_| StoreError::Corrupt {
        table: table.to_owned(),
        sys_id: key.to_owned(),
    })
}

/// Ids are far below `i64::MAX`; SQLite integers are signed.
fn to_sql_id(id: u64) -> i64 {
    i64::try_from(id).unwrap_or(i64::MAX)
}

fn from_sql_id(id: i64) -> u64 {
    u64::try_from(id).unwrap_or_default()
}
