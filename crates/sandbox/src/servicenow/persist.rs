//! `--data DIR`: the instance's state in SQLite, so it survives restarts.
//!
//! Every change is written through at once; on start the whole state is read back into memory.
//! Records are stored as JSON objects of their non-empty fields, in insertion order.

use std::path::Path;

use rusqlite::{params, Connection};
use serde_json::{Map, Value};

use crate::common::persist::{self, open_database, StoreError};
use crate::servicenow::schema::Table;
use crate::servicenow::store::Record;

/// The file the state lives in, inside the data directory.
pub(crate) const DATABASE_FILE: &str = "servicenow.sqlite3";

/// An open database.
#[derive(Debug)]
pub(crate) struct Persistence {
    connection: Connection,
    next_seq: i64,
}

/// Everything read back on start.
#[derive(Debug, Default)]
pub(crate) struct Snapshot {
    pub(crate) records: Vec<Record>,
    pub(crate) passwords: Vec<(String, String)>,
    pub(crate) counters: Vec<(String, i64)>,
    pub(crate) files: Vec<(String, Vec<u8>)>,
}

/// The tables, created when they are not there yet.
const SCHEMA: &str = "CREATE TABLE IF NOT EXISTS records (
        tbl TEXT NOT NULL,
        sys_id TEXT NOT NULL,
        seq INTEGER NOT NULL,
        data TEXT NOT NULL,
        PRIMARY KEY (tbl, sys_id)
    );
    CREATE TABLE IF NOT EXISTS passwords (user_name TEXT PRIMARY KEY, password TEXT NOT NULL);
    CREATE TABLE IF NOT EXISTS counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
    CREATE TABLE IF NOT EXISTS files (sys_id TEXT PRIMARY KEY, content BLOB NOT NULL);";

impl Persistence {
    /// Opens (creating if needed) the database in `dir`.
    pub(crate) fn open(dir: &Path) -> Result<Persistence, StoreError> {
        let connection = open_database(dir, DATABASE_FILE, SCHEMA)?;
        let next_seq: i64 =
            connection.query_row("SELECT COALESCE(MAX(seq), 0) + 1 FROM records", [], |row| {
                row.get(0)
            })?;
        Ok(Persistence {
            connection,
            next_seq,
        })
    }

    /// Whether nothing was ever stored (a fresh directory, to be seeded).
    pub(crate) fn is_empty(&self) -> Result<bool, StoreError> {
        persist::is_empty(&self.connection, "records")
    }

    pub(crate) fn load(&self) -> Result<Snapshot, StoreError> {
        let mut snapshot = Snapshot::default();
        let records: Vec<(String, String, String)> = persist::rows(
            &self.connection,
            "SELECT tbl, sys_id, data FROM records ORDER BY seq",
        )?;
        for (table_name, sys_id, data) in records {
            // Rows of tables a newer sandbox had and this one lacks are skipped.
            let Some(table) = Table::from_name(&table_name) else {
                continue;
            };
            let corrupt = || StoreError::Corrupt {
                table: table_name.clone(),
                sys_id: sys_id.clone(),
            };
            let Ok(Value::Object(fields)) = serde_json::from_str::<Value>(&data) else {
                return Err(corrupt());
            };
            let mut record = Record::empty(table);
            for (field, value) in fields {
                record.set(&field, value.as_str().unwrap_or_default().to_owned());
            }
            snapshot.records.push(record);
        }
        snapshot.passwords = persist::rows(
            &self.connection,
            "SELECT user_name, password FROM passwords",
        )?;
        snapshot.counters = persist::rows(&self.connection, "SELECT name, value FROM counters")?;
        snapshot.files = persist::rows(&self.connection, "SELECT sys_id, content FROM files")?;
        Ok(snapshot)
    }

    /// Stores many records in one transaction (seeding).
    pub(crate) fn insert_all<'a>(
        &mut self,
        records: impl Iterator<Item = &'a Record>,
    ) -> Result<(), StoreError> {
        let transaction = self.connection.transaction()?;
        {
            let mut statement = transaction.prepare(
                "INSERT OR REPLACE INTO records (tbl, sys_id, seq, data) VALUES (?1, ?2, ?3, ?4)",
            )?;
            for record in records {
                statement.execute(params![
                    record.table().name(),
                    record.sys_id(),
                    self.next_seq,
                    to_json(record)
                ])?;
                self.next_seq += 1;
            }
        }
        transaction.commit()?;
        Ok(())
    }

    pub(crate) fn insert(&mut self, record: &Record) -> Result<(), StoreError> {
        self.insert_all(std::iter::once(record))
    }

    pub(crate) fn update(&self, record: &Record) -> Result<(), StoreError> {
        self.connection.execute(
            "UPDATE records SET data = ?3 WHERE tbl = ?1 AND sys_id = ?2",
            params![record.table().name(), record.sys_id(), to_json(record)],
        )?;
        Ok(())
    }

    pub(crate) fn put_file(&self, sys_id: &str, content: &[u8]) -> Result<(), StoreError> {
        self.connection.execute(
            "INSERT OR REPLACE INTO files (sys_id, content) VALUES (?1, ?2)",
            params![sys_id, content],
        )?;
        Ok(())
    }

    pub(crate) fn remove(&self, table: Table, sys_id: &str) -> Result<(), StoreError> {
        if table == Table::SysAttachment {
            self.connection
                .execute("DELETE FROM files WHERE sys_id = ?1", params![sys_id])?;
        }
        self.connection.execute(
            "DELETE FROM records WHERE tbl = ?1 AND sys_id = ?2",
            params![table.name(), sys_id],
        )?;
        Ok(())
    }

    pub(crate) fn set_password(&self, user_name: &str, password: &str) -> Result<(), StoreError> {
        self.connection.execute(
            "INSERT OR REPLACE INTO passwords (user_name, password) VALUES (?1, ?2)",
            params![user_name, password],
        )?;
        Ok(())
    }

    pub(crate) fn set_counter(&self, name: &str, value: i64) -> Result<(), StoreError> {
        self.connection.execute(
            "INSERT OR REPLACE INTO counters (name, value) VALUES (?1, ?2)",
            params![name, value],
        )?;
        Ok(())
    }
}

/// A record's non-empty fields as a JSON object.
fn to_json(record: &Record) -> String {
    let fields: Map<String, Value> = record
        .table()
        .fields()
        .iter()
        .filter(|field| !record.get(field.name).is_empty())
        .map(|field| {
            (
                field.name.to_owned(),
                Value::String(record.get(field.name).to_owned()),
            )
        })
        .collect();
    Value::Object(fields).to_string()
}
