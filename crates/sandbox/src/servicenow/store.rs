//! The instance's data: every table's records, the users' passwords, the number counters.
//!
//! Kept in memory behind one lock; the domain functions in `crate::servicenow::table` read and
//! change it.

use std::collections::{BTreeMap, HashMap};

use crate::common::persist::StoreError;
use crate::servicenow::persist::Persistence;
use crate::servicenow::schema::Table;

/// One row: a value for every field of its table, in the table's field order. Values are strings,
/// as on the wire; "" means empty.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Record {
    table: Table,
    values: Vec<String>,
}

/// A signed-in user, as the ACL checks see them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct User {
    pub(crate) sys_id: String,
    pub(crate) user_name: String,
    pub(crate) roles: Vec<String>,
}

#[derive(Debug, Default)]
pub(crate) struct Database {
    tables: BTreeMap<Table, TableData>,
    /// user_name to password; passwords live outside the records so they are never rendered.
    passwords: HashMap<String, String>,
    /// State of the sys_id generator.
    id_state: u64,
    /// Attachment contents by the attachment's sys_id.
    files: HashMap<String, Vec<u8>>,
    /// Where changes are written through to, with `--data`.
    persistence: Option<Persistence>,
}

#[derive(Debug, Default)]
struct TableData {
    records: Vec<Record>,
    by_sys_id: HashMap<String, usize>,
    /// The last number handed out, without prefix.
    last_number: u64,
}

/// The counter holding the sys_id generator's state.
const ID_STATE_COUNTER: &str = "id_state";

fn number_counter(table: Table) -> String {
    format!("number:{}", table.name())
}

impl Record {
    /// A record of `table` with every field empty.
    pub(crate) fn empty(table: Table) -> Record {
        Record {
            table,
            values: vec![String::new(); table.fields().len()],
        }
    }

    pub(crate) fn table(&self) -> Table {
        self.table
    }

    /// The value of `field`; "" for fields the table does not have.
    pub(crate) fn get(&self, field: &str) -> &str {
        match self.table.field_index(field) {
            Some(field_idx) => &self.values[field_idx],
            None => "",
        }
    }

    /// Sets `field`; fields the table does not have are ignored, as the Table API ignores them.
    pub(crate) fn set(&mut self, field: &str, value: impl Into<String>) {
        if let Some(field_idx) = self.table.field_index(field) {
            self.values[field_idx] = value.into();
        }
    }

    pub(crate) fn sys_id(&self) -> &str {
        self.get("sys_id")
    }
}

impl User {
    /// Agents (`itil`) and administrators see and change every task record.
    pub(crate) fn is_agent(&self) -> bool {
        self.has_role("itil") || self.has_role("admin")
    }

    pub(crate) fn is_admin(&self) -> bool {
        self.has_role("admin")
    }

    fn has_role(&self, role: &str) -> bool {
        self.roles.iter().any(|held| held == role)
    }
}

impl Database {
    pub(crate) fn records(&self, table: Table) -> &[Record] {
        match self.tables.get(&table) {
            Some(data) => &data.records,
            None => &[],
        }
    }

    pub(crate) fn get(&self, table: Table, sys_id: &str) -> Option<&Record> {
        let data = self.tables.get(&table)?;
        let record_idx = *data.by_sys_id.get(sys_id)?;
        Some(&data.records[record_idx])
    }

    /// Stores a complete record; the caller has filled every automatic field.
    pub(crate) fn insert(&mut self, record: Record) {
        self.persist(|persistence| persistence.insert(&record));
        let data = self.tables.entry(record.table()).or_default();
        data.by_sys_id
            .insert(record.sys_id().to_owned(), data.records.len());
        data.records.push(record);
    }

    /// Replaces the stored record with the same table and sys_id.
    pub(crate) fn replace(&mut self, record: Record) {
        self.persist(|persistence| persistence.update(&record));
        let Some(data) = self.tables.get_mut(&record.table()) else {
            return;
        };
        if let Some(record_idx) = data.by_sys_id.get(record.sys_id()) {
            data.records[*record_idx] = record;
        }
    }

    pub(crate) fn remove(&mut self, table: Table, sys_id: &str) {
        self.persist(|persistence| persistence.remove(table, sys_id));
        if table == Table::SysAttachment {
            self.files.remove(sys_id);
        }
        let Some(data) = self.tables.get_mut(&table) else {
            return;
        };
        let Some(record_idx) = data.by_sys_id.remove(sys_id) else {
            return;
        };
        data.records.remove(record_idx);
        for index in data.by_sys_id.values_mut() {
            if *index > record_idx {
                *index -= 1;
            }
        }
    }

    /// Stores an attachment's content.
    pub(crate) fn put_file(&mut self, sys_id: &str, content: Vec<u8>) {
        self.persist(|persistence| persistence.put_file(sys_id, &content));
        self.files.insert(sys_id.to_owned(), content);
    }

    pub(crate) fn file(&self, sys_id: &str) -> Option<&[u8]> {
        self.files.get(sys_id).map(Vec::as_slice)
    }

    pub(crate) fn set_password(&mut self, user_name: &str, password: &str) {
        self.persist(|persistence| persistence.set_password(user_name, password));
        self.passwords
            .insert(user_name.to_owned(), password.to_owned());
    }

    /// The active user with these credentials, if any.
    pub(crate) fn authenticate(&self, user_name: &str, password: &str) -> Option<User> {
        let stored = self.passwords.get(user_name)?;
        if stored != password {
            return None;
        }
        self.active_user(user_name)
    }

    /// The active, unlocked user with this user name.
    pub(crate) fn active_user(&self, user_name: &str) -> Option<User> {
        let record = self
            .records(Table::SysUser)
            .iter()
            .find(|record| record.get("user_name") == user_name)?;
        if record.get("active") != "true" || record.get("locked_out") == "true" {
            return None;
        }
        Some(User {
            sys_id: record.sys_id().to_owned(),
            user_name: user_name.to_owned(),
            roles: record
                .get("roles")
                .split(',')
                .filter(|role| !role.is_empty())
                .map(str::to_owned)
                .collect(),
        })
    }

    /// A fresh sys_id: 32 lowercase hex digits, as every recording shows. The generator is
    /// deterministic (splitmix64), so a fresh sandbox hands out the same ids every run.
    pub(crate) fn new_sys_id(&mut self) -> String {
        let high = self.next_random();
        let low = self.next_random();
        let id_state = i64::from_ne_bytes(self.id_state.to_ne_bytes());
        self.persist(|persistence| persistence.set_counter(ID_STATE_COUNTER, id_state));
        format!("{high:016x}{low:016x}")
    }

    /// The next number of `table`, such as `INC0010001`, or `None` for tables without numbers.
    /// Seeded records use numbers below 10001, as on a developer instance, whose own demo
    /// incidents run up to INC0000060 while new ones start at INC0010001.
    pub(crate) fn next_number(&mut self, table: Table) -> Option<String> {
        let prefix = table.number_prefix()?;
        let data = self.tables.entry(table).or_default();
        data.last_number = data.last_number.max(10_000) + 1;
        let last_number = data.last_number;
        let counter = number_counter(table);
        let stored = i64::try_from(last_number).unwrap_or(i64::MAX);
        self.persist(|persistence| persistence.set_counter(&counter, stored));
        Some(format!("{prefix}{last_number:07}"))
    }

    /// Starts writing changes through to `persistence`, first storing everything held now (a
    /// freshly seeded instance).
    pub(crate) fn attach(&mut self, mut persistence: Persistence) -> Result<(), StoreError> {
        let records = self.tables.values().flat_map(|data| data.records.iter());
        persistence.insert_all(records)?;
        for (user_name, password) in &self.passwords {
            persistence.set_password(user_name, password)?;
        }
        persistence.set_counter(
            ID_STATE_COUNTER,
            i64::from_ne_bytes(self.id_state.to_ne_bytes()),
        )?;
        for (table, data) in &self.tables {
            let stored = i64::try_from(data.last_number).unwrap_or(i64::MAX);
            persistence.set_counter(&number_counter(*table), stored)?;
        }
        self.persistence = Some(persistence);
        Ok(())
    }

    /// The state stored in `persistence`, which keeps receiving changes.
    pub(crate) fn restore(persistence: Persistence) -> Result<Database, StoreError> {
        let snapshot = persistence.load()?;
        let mut db = Database::default();
        for record in snapshot.records {
            db.insert(record);
        }
        db.passwords.extend(snapshot.passwords);
        db.files.extend(snapshot.files);
        for (name, value) in snapshot.counters {
            if name == ID_STATE_COUNTER {
                db.id_state = u64::from_ne_bytes(value.to_ne_bytes());
                continue;
            }
            let table = name.strip_prefix("number:").and_then(Table::from_name);
            if let Some(table) = table {
                db.tables.entry(table).or_default().last_number = u64::try_from(value).unwrap_or(0);
            }
        }
        db.persistence = Some(persistence);
        Ok(db)
    }

    /// Writes a change through, if persistence is on. A failed write is logged, not returned:
    /// the change stands in memory and the request succeeds, as the sandbox is a test double.
    fn persist(&mut self, write: impl FnOnce(&mut Persistence) -> Result<(), StoreError>) {
        let Some(persistence) = self.persistence.as_mut() else {
            return;
        };
        if let Err(error) = write(persistence) {
            tracing::error!(%error, "cannot write the sandbox database");
        }
    }

    fn next_random(&mut self) -> u64 {
        self.id_state = self.id_state.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut mixed = self.id_state;
        mixed = (mixed ^ (mixed >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        mixed = (mixed ^ (mixed >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        mixed ^ (mixed >> 31)
    }
}
