//! The Table API's rules, free of HTTP: how a list is filtered and paged, what an insert fills in,
//! how an update moves a ticket through its states, where comments and work notes go.

use flare_core::query::EncodedQuery;
use serde_json::{Map, Value};

use crate::common::datetime::{self, UnixSeconds};
use crate::servicenow::acl::{self, WriteAccess};
use crate::servicenow::error::{AppError, Operation};
use crate::servicenow::eval::{self, EvalContext};
use crate::servicenow::schema::{FieldKind, Table};
use crate::servicenow::store::{Database, Record, User};

/// A list request after its parameters were read.
#[derive(Debug, Clone)]
pub(crate) struct ListRequest {
    /// Already stripped of parts that name unknown fields.
    pub(crate) query: EncodedQuery,
    pub(crate) limit: usize,
    pub(crate) offset: usize,
}

/// One page of a list and the size of the whole result.
#[derive(Debug)]
pub(crate) struct Page<'a> {
    pub(crate) records: Vec<&'a Record>,
    /// Records matching the query, before paging and before ACLs (`X-Total-Count`).
    pub(crate) total: usize,
}

/// Filters, sorts and pages a table.
///
/// As `c_TableAPI.md` says of `sysparm_limit`, "this limit is applied before ACL evaluation": the
/// page is cut first and records the user may not read are then removed from it, so a page can be
/// shorter than the limit.
pub(crate) fn list<'a>(
    db: &'a Database,
    table: Table,
    user: &User,
    request: &ListRequest,
    now: UnixSeconds,
) -> Page<'a> {
    let context = EvalContext { db, user, now };
    let mut matching: Vec<&Record> = db
        .records(table)
        .iter()
        .filter(|record| eval::matches(&request.query, record, &context))
        .collect();
    eval::sort(&mut matching, &request.query, &context);
    let total = matching.len();
    let records = matching
        .into_iter()
        .skip(request.offset)
        .take(request.limit)
        .filter(|record| acl::can_read(user, record, db))
        .collect();
    Page { records, total }
}

/// One record; missing and unreadable records look the same ("Record doesn't exist or ACL
/// restricts the record retrieval").
pub(crate) fn read<'a>(
    db: &'a Database,
    table: Table,
    user: &User,
    sys_id: &str,
) -> Result<&'a Record, AppError> {
    match db.get(table, sys_id) {
        Some(record) if acl::can_read(user, record, db) => Ok(record),
        _ => Err(AppError::NoRecord),
    }
}

/// Inserts a record from a request body and returns its sys_id.
pub(crate) fn create(
    db: &mut Database,
    table: Table,
    user: &User,
    body: &Map<String, Value>,
    now: UnixSeconds,
) -> Result<String, AppError> {
    if !acl::can_create(user, table) {
        return Err(AppError::AclDenied(Operation::Insert));
    }
    let changes = Changes::from_body(table, body, WriteAccess::All, user);
    let mut record = build_record(table, user, &changes.values, now);
    check_data_policies(&record)?;
    if record.sys_id().is_empty() {
        record.set("sys_id", db.new_sys_id());
    }
    if record.get("number").is_empty() {
        if let Some(number) = db.next_number(table) {
            record.set("number", number);
        }
    }
    let sys_id = record.sys_id().to_owned();
    if db.get(table, &sys_id).is_some() {
        let number = record.get("number").to_owned();
        return Err(AppError::InsertFailed {
            table: table.name(),
            number,
        });
    }
    db.insert(record);
    add_journal_entries(db, table, &sys_id, user, &changes.journal, now);
    Ok(sys_id)
}

/// Changes a record (PUT and PATCH behave the same: only the fields in the body change).
pub(crate) fn update(
    db: &mut Database,
    table: Table,
    user: &User,
    sys_id: &str,
    body: &Map<String, Value>,
    now: UnixSeconds,
) -> Result<(), AppError> {
    let current = read(db, table, user, sys_id)?.clone();
    let access = acl::write_access(user, &current);
    if access == WriteAccess::None {
        return Err(AppError::AclDenied(Operation::Update));
    }
    let changes = Changes::from_body(table, body, access, user);
    let mut updated = current.clone();
    for (field, value) in &changes.values {
        updated.set(field, value.clone());
    }
    apply_state_model(&current, &mut updated, user, &changes, now);
    check_data_policies(&updated)?;
    let mod_count = updated.get("sys_mod_count").parse::<u64>().unwrap_or(0) + 1;
    updated.set("sys_mod_count", mod_count.to_string());
    updated.set("sys_updated_on", datetime::format(now));
    updated.set("sys_updated_by", user.user_name.clone());
    db.replace(updated);
    add_journal_entries(db, table, sys_id, user, &changes.journal, now);
    Ok(())
}

/// Deletes a record (204 on success).
pub(crate) fn delete(
    db: &mut Database,
    table: Table,
    user: &User,
    sys_id: &str,
) -> Result<(), AppError> {
    read(db, table, user, sys_id)?;
    if !acl::can_delete(user) {
        return Err(AppError::AclDenied(Operation::Delete));
    }
    db.remove(table, sys_id);
    Ok(())
}

/// `sysparm_input_display_value=true`: "if you send the display name for a reference field, the
/// endpoint stores the sys_id for that value"; choice labels likewise become their values. Values
/// that already are stored values are kept. Dates need no change: every user's time zone is GMT.
pub(crate) fn resolve_display_values(db: &Database, table: Table, body: &mut Map<String, Value>) {
    for (field, value) in body.iter_mut() {
        let (Some(definition), Value::String(text)) = (table.field(field), &*value) else {
            continue;
        };
        let resolved = match definition.kind {
            FieldKind::Choice(choices) => choices
                .iter()
                .find(|(stored, label)| *label == text && *stored != text)
                .map(|(stored, _)| (*stored).to_owned()),
            FieldKind::Reference(target) => Table::from_name(target).and_then(|target| {
                if db.get(target, text).is_some() {
                    return None;
                }
                let display_field = target.display_field();
                db.records(target)
                    .iter()
                    .find(|record| record.get(display_field) == text)
                    .map(|record| record.sys_id().to_owned())
            }),
            _ => None,
        };
        if let Some(resolved) = resolved {
            *value = Value::String(resolved);
        }
    }
}

/// A new record of `table` with its defaults, the given values and the automatic fields filled
/// in, but without sys_id or number unless `values` has them.
pub(crate) fn build_record(
    table: Table,
    author: &User,
    values: &[(&str, String)],
    now: UnixSeconds,
) -> Record {
    let mut record = Record::empty(table);
    for (field, value) in defaults(table) {
        record.set(field, *value);
    }
    for (field, value) in values {
        record.set(field, value.clone());
    }
    let timestamp = datetime::format(now);
    record.set("sys_class_name", table.name());
    record.set("sys_created_on", timestamp.clone());
    record.set("sys_created_by", author.user_name.clone());
    record.set("sys_updated_on", timestamp.clone());
    record.set("sys_updated_by", author.user_name.clone());
    record.set("sys_mod_count", "0");
    if table.is_task() {
        if record.get("opened_by").is_empty() {
            record.set("opened_by", author.sys_id.clone());
        }
        if record.get("opened_at").is_empty() {
            record.set("opened_at", timestamp);
        }
    }
    match table {
        Table::Incident => derive_incident_fields(&mut record),
        Table::ScRequest | Table::ScReqItem => {
            if record.get("requested_for").is_empty() {
                record.set("requested_for", author.sys_id.clone());
            }
        }
        Table::SysUser => {
            if record.get("name").is_empty() {
                let name = format!("{} {}", record.get("first_name"), record.get("last_name"));
                record.set("name", name.trim().to_owned());
            }
        }
        Table::ChangeRequest
        | Table::SysUserGroup
        | Table::SysUserGrmember
        | Table::SysJournalField
        | Table::SysAttachment => {}
    }
    if table.is_task() {
        let active = is_active(table, record.get("state"));
        record.set("active", active.to_string());
    }
    record
}

/// ServiceNow's default priority lookup: urgency x impact, 1 (Critical) to 5 (Planning).
pub(crate) fn priority(urgency: &str, impact: &str) -> &'static str {
    match (urgency, impact) {
        ("1", "1") => "1",
        ("1", "2") | ("2", "1") => "2",
        ("1", "3") | ("2", "2") | ("3", "1") => "3",
        ("2", "3") | ("3", "2") => "4",
        _ => "5",
    }
}

/// A request body sorted into plain field values and journal entries, with everything the user
/// may not write left out.
struct Changes<'a> {
    values: Vec<(&'a str, String)>,
    /// (journal field, text) pairs: `comments`, `work_notes`.
    journal: Vec<(&'static str, String)>,
}

impl<'a> Changes<'a> {
    /// Keeps known fields that are not system fields ("fields that have a prefix of sys_ are
    /// typically system parameters that are automatically generated and cannot be updated",
    /// `c_TableAPI.md`), that `access` allows, and that are not choices given an empty value.
    /// `sys_id` may be set on insert.
    fn from_body(
        table: Table,
        body: &'a Map<String, Value>,
        access: WriteAccess,
        user: &User,
    ) -> Self {
        let mut changes = Changes {
            values: Vec::new(),
            journal: Vec::new(),
        };
        for (field, value) in body {
            let Some(definition) = table.field(field) else {
                continue;
            };
            let text = json_to_string(value);
            if definition.kind == FieldKind::Journal {
                let journal_field = match field.as_str() {
                    "comments" => "comments",
                    "work_notes" if acl::can_read_work_notes(user) => "work_notes",
                    _ => continue,
                };
                if !text.trim().is_empty() {
                    changes.journal.push((journal_field, text));
                }
                continue;
            }
            let system =
                field.starts_with("sys_") && !(field == "sys_id" && access == WriteAccess::All);
            // "Except for choice fields, you can pass an empty value in the parameter to clear the
            // value in the database" (`c_RESTAPI.md`): an empty choice changes nothing.
            let empty_choice = matches!(definition.kind, FieldKind::Choice(_)) && text.is_empty();
            if system || empty_choice || access != WriteAccess::All {
                continue;
            }
            changes.values.push((field.as_str(), text));
        }
        changes
    }
}

/// The incident life cycle (`c_IncidentManagementStateModel.md`): resolving stamps who and when,
/// closing and canceling end the incident, reopening counts, and a caller's comment takes an
/// incident on hold awaiting the caller back to In Progress with the hold reason cleared.
fn apply_state_model(
    current: &Record,
    updated: &mut Record,
    user: &User,
    changes: &Changes<'_>,
    now: UnixSeconds,
) {
    let table = current.table();
    if table == Table::Incident {
        let caller_commented = changes
            .journal
            .iter()
            .any(|(field, _)| *field == "comments")
            && current.get("caller_id") == user.sys_id;
        if caller_commented && current.get("state") == "3" && current.get("hold_reason") == "1" {
            updated.set("state", "2");
            updated.set("hold_reason", "");
        }
        let (old_state, new_state) = (current.get("state"), updated.get("state").to_owned());
        let timestamp = datetime::format(now);
        if new_state != old_state {
            match new_state.as_str() {
                "6" => {
                    updated.set("resolved_at", timestamp.clone());
                    updated.set("resolved_by", user.sys_id.clone());
                }
                "7" | "8" => {
                    updated.set("closed_at", timestamp.clone());
                    updated.set("closed_by", user.sys_id.clone());
                }
                _ if matches!(old_state, "6" | "7") => {
                    let reopened = current.get("reopen_count").parse::<u64>().unwrap_or(0) + 1;
                    updated.set("reopen_count", reopened.to_string());
                    updated.set("resolved_at", "");
                    updated.set("resolved_by", "");
                }
                _ => {}
            }
            if new_state != "3" {
                updated.set("hold_reason", "");
            }
        }
        derive_incident_fields(updated);
    }
    if table.is_task() {
        let active = is_active(table, updated.get("state"));
        updated.set("active", active.to_string());
    }
}

/// Resolving or closing an incident needs a resolution code and notes, as the data policy of a
/// fresh instance requires (403 "Data Policy Exception: The following fields are mandatory: ...").
fn check_data_policies(record: &Record) -> Result<(), AppError> {
    if record.table() != Table::Incident || !matches!(record.get("state"), "6" | "7") {
        return Ok(());
    }
    let mut missing = Vec::new();
    if record.get("close_code").is_empty() {
        missing.push("Resolution code");
    }
    if record.get("close_notes").is_empty() {
        missing.push("Resolution notes");
    }
    match missing.is_empty() {
        true => Ok(()),
        false => Err(AppError::DataPolicy(missing)),
    }
}

/// Writes journal entries to `sys_journal_field`, as instances store `comments` and `work_notes`.
fn add_journal_entries(
    db: &mut Database,
    table: Table,
    sys_id: &str,
    author: &User,
    entries: &[(&'static str, String)],
    now: UnixSeconds,
) {
    for (element, text) in entries {
        let values = [
            ("element", (*element).to_owned()),
            ("element_id", sys_id.to_owned()),
            ("name", table.name().to_owned()),
            ("value", text.clone()),
        ];
        let mut entry = build_record(Table::SysJournalField, author, &values, now);
        entry.set("sys_id", db.new_sys_id());
        db.insert(entry);
    }
}

/// Whether a task in `state` is still active: closed and canceled states are not.
fn is_active(table: Table, state: &str) -> bool {
    let ended: &[&str] = match table {
        Table::Incident => &["7", "8"],
        Table::ScRequest | Table::ScReqItem => &["3", "4", "7"],
        Table::ChangeRequest => &["3", "4"],
        _ => &[],
    };
    !ended.contains(&state)
}

/// Values of a new record before the request's own, as in the recorded insert response.
fn defaults(table: Table) -> impl Iterator<Item = &'static (&'static str, &'static str)> {
    let shared = match table {
        Table::ScRequest | Table::ScReqItem => CATALOG_DEFAULTS,
        _ => &[],
    };
    shared.iter().chain(own_defaults(table))
}

/// What a new catalog request and requested item both start with: open and approved.
const CATALOG_DEFAULTS: &[(&str, &str)] = &[
    ("sys_domain", "global"),
    ("state", "1"),
    ("impact", "3"),
    ("urgency", "3"),
    ("priority", "4"),
    ("approval", "approved"),
];

/// The defaults that are a table's alone.
fn own_defaults(table: Table) -> &'static [(&'static str, &'static str)] {
    match table {
        Table::Incident => &[
            ("made_sla", "true"),
            ("upon_reject", "cancel"),
            ("child_incidents", "0"),
            ("sys_domain", "global"),
            ("state", "1"),
            ("knowledge", "false"),
            ("impact", "3"),
            ("active", "true"),
            ("sys_domain_path", "/"),
            ("notify", "1"),
            ("urgency", "3"),
            ("reassignment_count", "0"),
            ("severity", "3"),
            ("approval", "not requested"),
            ("reopen_count", "0"),
            ("escalation", "0"),
            ("upon_approval", "proceed"),
            ("category", "inquiry"),
        ],
        Table::ScRequest => &[("request_state", "in_process"), ("price", "0")],
        Table::ScReqItem => &[
            ("stage", "request_approved"),
            ("quantity", "1"),
            ("price", "0"),
        ],
        Table::ChangeRequest => &[
            ("sys_domain", "global"),
            ("state", "-5"),
            ("impact", "3"),
            ("urgency", "3"),
            ("priority", "4"),
            ("approval", "not requested"),
            ("type", "normal"),
            ("risk", "3"),
        ],
        Table::SysUser => &[
            ("calendar_integration", "1"),
            ("web_service_access_only", "false"),
            ("notification", "2"),
            ("enable_multifactor_authn", "false"),
            ("sys_domain", "global"),
            ("vip", "false"),
            ("active", "true"),
            ("sys_domain_path", "/"),
            ("password_needs_reset", "false"),
            ("failed_attempts", "0"),
            ("internal_integration_user", "false"),
            ("locked_out", "false"),
        ],
        Table::SysUserGroup => &[
            ("active", "true"),
            ("exclude_manager", "false"),
            ("include_members", "false"),
        ],
        Table::SysUserGrmember | Table::SysJournalField => &[],
        Table::SysAttachment => &[("compressed", "true"), ("sys_mod_count", "0")],
    }
}

/// Priority from urgency and impact, and `incident_state` mirroring `state`.
fn derive_incident_fields(record: &mut Record) {
    let priority = priority(record.get("urgency"), record.get("impact"));
    record.set("priority", priority);
    let state = record.get("state").to_owned();
    record.set("incident_state", state);
}

/// Request bodies may carry numbers and booleans; the instance stores every value as a string.
fn json_to_string(value: &Value) -> String {
    match value {
        Value::Null => String::new(),
        Value::String(text) => text.clone(),
        Value::Bool(flag) => flag.to_string(),
        Value::Number(number) => number.to_string(),
        Value::Object(object) => match object.get("value") {
            Some(inner) => json_to_string(inner),
            None => value.to_string(),
        },
        Value::Array(_) => value.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn priority_follows_the_default_matrix() {
        let cases = [
            ("1", "1", "1"),
            ("1", "2", "2"),
            ("2", "1", "2"),
            ("1", "3", "3"),
            ("2", "2", "3"),
            ("3", "1", "3"),
            ("2", "3", "4"),
            ("3", "2", "4"),
            ("3", "3", "5"),
        ];
        for (urgency, impact, expected) in cases {
            assert_eq!(
                priority(urgency, impact),
                expected,
                "urgency {urgency} impact {impact}"
            );
        }
    }
}
