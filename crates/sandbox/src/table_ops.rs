//! The Table API's rules, free of HTTP: who may read what, how a list is filtered and paged, what
//! an insert fills in.

use flare_core::query::EncodedQuery;
use serde_json::{Map, Value};

use crate::datetime::{self, UnixSeconds};
use crate::error::AppError;
use crate::eval::{self, EvalContext};
use crate::schema::{FieldKind, Table};
use crate::store::{Database, Record, User};

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
        .filter(|record| can_read(user, record))
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
        Some(record) if can_read(user, record) => Ok(record),
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
    if !can_create(user, table) {
        return Err(AppError::Forbidden(format!(
            "Insufficient rights to insert a {} record",
            table.name()
        )));
    }
    let values: Vec<(&str, String)> = body
        .iter()
        .filter(|(field, _)| is_writable(table, field))
        .map(|(field, value)| (field.as_str(), json_to_string(value)))
        .collect();
    let mut record = build_record(table, user, &values, now);
    if record.sys_id().is_empty() {
        record.set("sys_id", db.new_sys_id());
    }
    if record.get("number").is_empty() {
        if let Some(number) = db.next_number(table) {
            record.set("number", number);
        }
    }
    let sys_id = record.sys_id().to_owned();
    db.insert(record);
    Ok(sys_id)
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
    match table {
        Table::Incident => {
            if record.get("opened_by").is_empty() {
                record.set("opened_by", author.sys_id.clone());
            }
            if record.get("opened_at").is_empty() {
                record.set("opened_at", timestamp);
            }
            derive_incident_fields(&mut record);
        }
        Table::SysUser => {
            if record.get("name").is_empty() {
                let name = format!("{} {}", record.get("first_name"), record.get("last_name"));
                record.set("name", name.trim().to_owned());
            }
        }
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

/// Roles, simply: agents read every record; end users read only incidents they are the caller of
/// (the rule), and any user record.
pub(crate) fn can_read(user: &User, record: &Record) -> bool {
    match record.table() {
        Table::Incident => user.is_agent() || record.get("caller_id") == user.sys_id,
        Table::SysUser => true,
    }
}

fn can_create(user: &User, table: Table) -> bool {
    match table {
        Table::Incident => true,
        Table::SysUser => user.is_admin(),
    }
}

/// Fields a request body may set: known, not a system field ("fields that have a prefix of sys_
/// are typically system parameters that are automatically generated and cannot be updated",
/// `c_TableAPI.md`), and not a journal field, which the sandbox does not store yet.
fn is_writable(table: Table, field: &str) -> bool {
    match table.field(field) {
        Some(definition) => !field.starts_with("sys_") && definition.kind != FieldKind::Journal,
        None => false,
    }
}

/// Values of a new record before the request's own, as in the recorded insert response.
fn defaults(table: Table) -> &'static [(&'static str, &'static str)] {
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
