//! The instance's JSON: the headers every response carries, and records as the Table API writes
//! them: every value a string, references as `{link, value}`, display values on request.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::ser::{Serialize, SerializeMap, Serializer};
use serde_json::{json, Value};

use crate::servicenow::eval;
use crate::servicenow::schema::{FieldKind, Table};
use crate::servicenow::store::{Database, Record};

/// `sysparm_display_value`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) enum DisplayValue {
    /// `false`, the default: values as stored.
    #[default]
    Stored,
    /// `true`: labels of choices, names of referenced records.
    Display,
    /// `all`: both, as `{"display_value": ..., "value": ...}`.
    Both,
}

/// How to write records for one response.
#[derive(Debug, Clone)]
pub(crate) struct RenderOptions {
    /// `sysparm_fields`; `None` writes every field.
    pub(crate) fields: Option<Vec<String>>,
    pub(crate) exclude_reference_link: bool,
    pub(crate) display_value: DisplayValue,
    /// `<instance>/api/now/table/` or `<instance>/api/now/v2/table/`: reference links use the
    /// version of the request (recorded README: links read `.../api/now/v2/table/sys_user/<sys_id>`).
    pub(crate) table_url: String,
    /// Whether the viewer may see work notes in journal display values.
    pub(crate) show_work_notes: bool,
}

/// A record ready to serialize, keeping field order (serde_json's map would sort the keys).
#[derive(Debug, Default)]
pub(crate) struct Rendered(pub(crate) Vec<(String, Value)>);

/// The content type every recorded ServiceNow JSON response carries.
pub(crate) const JSON_UTF8: &str = "application/json;charset=UTF-8";

/// A JSON response with the headers every recorded Table API response carries.
pub(crate) fn json_response<T: serde::Serialize>(status: StatusCode, body: &T) -> Response {
    let body = serde_json::to_string(body).expect("records are strings and maps of strings");
    let mut response = (status, body).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(JSON_UTF8));
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("no-cache,no-store,must-revalidate,max-age=-1"),
    );
    headers.insert(
        header::PRAGMA,
        HeaderValue::from_static("no-store,no-cache"),
    );
    headers.insert(header::EXPIRES, HeaderValue::from_static("0"));
    response
}

pub(crate) fn render(record: &Record, db: &Database, options: &RenderOptions) -> Rendered {
    let table = record.table();
    let names: Vec<&str> = match &options.fields {
        // Invalid fields are ignored (`sysparm_fields` in `c_TableAPI.md`).
        Some(requested) => requested
            .iter()
            .map(String::as_str)
            .filter(|name| is_known_path(table, name))
            .collect(),
        None => table.fields().iter().map(|field| field.name).collect(),
    };
    // "Fields for which the calling entity does not have rights to because of ACLs are not
    // returned in a REST query response" (`c_RESTAPI.md`).
    let readable = |name: &&str| options.show_work_notes || *name != "work_notes";
    let entries = names
        .into_iter()
        .filter(readable)
        .map(|name| (name.to_owned(), render_field(record, name, db, options)))
        .collect();
    Rendered(entries)
}

impl Serialize for Rendered {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for (name, value) in &self.0 {
            map.serialize_entry(name, value)?;
        }
        map.end()
    }
}

fn is_known_path(table: Table, path: &str) -> bool {
    match path.split_once('.') {
        None => table.field(path).is_some(),
        Some((reference_field, rest)) => match table.field(reference_field).map(|field| field.kind)
        {
            Some(FieldKind::Reference(target)) => {
                Table::from_name(target).is_some_and(|target| is_known_path(target, rest))
            }
            _ => false,
        },
    }
}

fn render_field(record: &Record, path: &str, db: &Database, options: &RenderOptions) -> Value {
    // A dot-walked field is written under its full path, as the value it leads to.
    let (owner, name) = match path.rsplit_once('.') {
        Some((reference_path, name)) => {
            let sys_id = eval::resolve_field(record, reference_path, db);
            let owner = owning_table(record.table(), reference_path)
                .and_then(|table| db.get(table, &sys_id));
            match owner {
                Some(owner) => (owner, name),
                None => return Value::String(String::new()),
            }
        }
        None => (record, path),
    };
    let kind = owner
        .table()
        .field(name)
        .map(|field| field.kind)
        .unwrap_or(FieldKind::Text);
    let stored = owner.get(name);
    if kind == FieldKind::Journal && options.display_value != DisplayValue::Stored {
        let journal = journal_text(owner, name, db, options.show_work_notes);
        return match options.display_value {
            DisplayValue::Both => json!({ "display_value": journal, "value": "" }),
            _ => Value::String(journal),
        };
    }
    let display = display_of(kind, stored, db);
    match kind {
        FieldKind::Reference(target) => render_reference(target, stored, &display, options),
        _ => match options.display_value {
            DisplayValue::Stored => Value::String(stored.to_owned()),
            DisplayValue::Display => Value::String(display),
            DisplayValue::Both => json!({ "display_value": display, "value": stored }),
        },
    }
}

fn render_reference(target: &str, sys_id: &str, display: &str, options: &RenderOptions) -> Value {
    let link = format!("{}{target}/{sys_id}", options.table_url);
    match (
        options.display_value,
        sys_id.is_empty(),
        options.exclude_reference_link,
    ) {
        (DisplayValue::Both, true, _) => json!({ "display_value": "", "value": "" }),
        (DisplayValue::Both, false, true) => json!({ "display_value": display, "value": sys_id }),
        (DisplayValue::Both, false, false) => {
            json!({ "display_value": display, "link": link, "value": sys_id })
        }
        (_, true, _) => Value::String(String::new()),
        (DisplayValue::Stored, false, true) => Value::String(sys_id.to_owned()),
        (DisplayValue::Stored, false, false) => json!({ "link": link, "value": sys_id }),
        (DisplayValue::Display, false, true) => Value::String(display.to_owned()),
        (DisplayValue::Display, false, false) => json!({ "display_value": display, "link": link }),
    }
}

/// The table a dot-walk path (`caller_id`, `caller_id.manager`) leads to.
fn owning_table(table: Table, reference_path: &str) -> Option<Table> {
    let (first, rest) = match reference_path.split_once('.') {
        Some((first, rest)) => (first, Some(rest)),
        None => (reference_path, None),
    };
    let FieldKind::Reference(target) = table.field(first)?.kind else {
        return None;
    };
    let target = Table::from_name(target)?;
    match rest {
        Some(rest) => owning_table(target, rest),
        None => Some(target),
    }
}

/// The display value of a stored value: a choice's label, a referenced record's name.
fn display_of(kind: FieldKind, stored: &str, db: &Database) -> String {
    match kind {
        FieldKind::Choice(choices) => choices
            .iter()
            .find(|(value, _)| *value == stored)
            .map(|(_, label)| (*label).to_owned())
            .unwrap_or_else(|| stored.to_owned()),
        FieldKind::Reference(target) if !stored.is_empty() => {
            eval::reference_display(target, stored, db).to_owned()
        }
        _ => stored.to_owned(),
    }
}

/// A journal field's display value: its entries, newest first, each as
/// `<created> - <author name> (<field label>)\n<text>\n\n`. `comments_and_work_notes` shows both.
fn journal_text(record: &Record, field: &str, db: &Database, show_work_notes: bool) -> String {
    let elements: &[&str] = match field {
        "comments" => &["comments"],
        "work_notes" => &["work_notes"],
        "comments_and_work_notes" => &["comments", "work_notes"],
        _ => &[],
    };
    let mut entries: Vec<&Record> = db
        .records(Table::SysJournalField)
        .iter()
        .filter(|entry| {
            entry.get("element_id") == record.sys_id()
                && entry.get("name") == record.table().name()
                && elements.contains(&entry.get("element"))
                && (show_work_notes || entry.get("element") != "work_notes")
        })
        .collect();
    entries.reverse();
    entries.sort_by(|left, right| right.get("sys_created_on").cmp(left.get("sys_created_on")));
    entries
        .iter()
        .map(|entry| {
            let author = db
                .records(Table::SysUser)
                .iter()
                .find(|user| user.get("user_name") == entry.get("sys_created_by"))
                .map(|user| user.get("name"))
                .unwrap_or(entry.get("sys_created_by"));
            let label = match entry.get("element") {
                "work_notes" => "Work notes",
                _ => "Additional comments",
            };
            format!(
                "{} - {author} ({label})\n{}\n\n",
                entry.get("sys_created_on"),
                entry.get("value")
            )
        })
        .collect()
}
