//! ServiceNow's wire format: `{"result": ...}` wrapping records whose values are strings, or
//! `{link,value}` references, or `{display_value,value}` pairs under `sysparm_display_value=all`.

use std::collections::BTreeMap;

use serde::Deserialize;
use serde_json::Value;

use crate::error::CoreError;
use crate::http::HttpResponse;
use crate::providers::servicenow::incident::priority_label;
use crate::providers::servicenow::table::Table;
use crate::ticket::{PersonRef, Priority, Ticket, Timestamp};

/// One record as received.
pub(crate) struct Record(BTreeMap<String, Value>);

#[derive(Deserialize)]
struct Envelope<T> {
    result: T,
}

#[derive(Deserialize)]
struct ErrorEnvelope {
    error: ErrorBody,
}

#[derive(Deserialize)]
struct ErrorBody {
    message: Option<String>,
    detail: Option<String>,
}

pub(crate) fn list_result(response: &HttpResponse) -> Result<Vec<Record>, CoreError> {
    let envelope: Envelope<Vec<BTreeMap<String, Value>>> = parse_json(&response.text())?;
    Ok(envelope.result.into_iter().map(Record).collect())
}

pub(crate) fn single_result(response: &HttpResponse) -> Result<Record, CoreError> {
    let envelope: Envelope<BTreeMap<String, Value>> = parse_json(&response.text())?;
    Ok(Record(envelope.result))
}

/// `message: detail` from ServiceNow's error envelope, when the body is one.
pub(crate) fn error_message(body: &str) -> Option<String> {
    let envelope: ErrorEnvelope = serde_json::from_str(body).ok()?;
    match (envelope.error.message, envelope.error.detail) {
        (Some(message), Some(detail)) if !detail.is_empty() => Some(format!("{message}: {detail}")),
        (Some(message), _) => Some(message),
        (None, detail) => detail,
    }
}

fn parse_json<T: serde::de::DeserializeOwned>(body: &str) -> Result<T, CoreError> {
    if body.trim().is_empty() {
        return Err(CoreError::Malformed {
            message: "the reply has no body".to_owned(),
        });
    }
    serde_json::from_str(body).map_err(|error| CoreError::Malformed {
        message: error.to_string(),
    })
}

impl Record {
    /// The raw value of a field: the string itself, or `value` of a reference or display pair.
    pub(crate) fn value(&self, field: &str) -> Option<&str> {
        match self.0.get(field)? {
            Value::String(text) => Some(text),
            Value::Object(object) => object.get("value").and_then(Value::as_str),
            _ => None,
        }
    }

    /// The display value of a field when the reply carried one, else its raw value.
    pub(crate) fn display(&self, field: &str) -> Option<&str> {
        match self.0.get(field)? {
            Value::Object(object) => object
                .get("display_value")
                .and_then(Value::as_str)
                .or_else(|| self.value(field)),
            _ => self.value(field),
        }
    }

    fn has_display(&self, field: &str) -> bool {
        matches!(self.0.get(field), Some(Value::Object(object)) if object.contains_key("display_value"))
    }

    /// The author of a journal entry or the creator of a record: `sys_created_by` holds a user name.
    pub(crate) fn created_by(&self) -> Option<PersonRef> {
        let user_name = self
            .value("sys_created_by")
            .filter(|name| !name.is_empty())?;
        Some(PersonRef {
            id: user_name.to_owned(),
            name: None,
        })
    }

    pub(crate) fn required(&self, field: &str) -> Result<&str, CoreError> {
        self.value(field)
            .filter(|value| !value.is_empty())
            .ok_or_else(|| CoreError::Malformed {
                message: format!("the record has no {field}"),
            })
    }

    fn person(&self, field: &str) -> Option<PersonRef> {
        let id = self.value(field).filter(|id| !id.is_empty())?;
        let name = self
            .has_display(field)
            .then(|| self.display(field))
            .flatten()
            .map(str::to_owned);
        Some(PersonRef {
            id: id.to_owned(),
            name,
        })
    }

    pub(crate) fn timestamp(&self, field: &str) -> Option<Timestamp> {
        // Display values are in the user's time zone and format; only raw values are UTC.
        self.value(field).and_then(Timestamp::parse)
    }

    /// The record of a ticket table as a [`Ticket`]; the caller fills in `web_link`.
    pub(crate) fn into_ticket(self, table: Table) -> Result<Ticket, CoreError> {
        let id = self.required("sys_id")?.to_owned();
        let mut status = table.status(self.value("state").unwrap_or_default());
        if self.has_display("state") {
            status.label = self.display("state").unwrap_or_default().to_owned();
        }
        let priority = self
            .value("priority")
            .filter(|code| !code.is_empty())
            .map(|code| Priority {
                code: code.to_owned(),
                label: match self.has_display("priority") {
                    true => self.display("priority").unwrap_or(code).to_owned(),
                    false => priority_label(code).unwrap_or(code).to_owned(),
                },
            });
        Ok(Ticket {
            reference: self.value("number").unwrap_or_default().to_owned(),
            title: self
                .value("short_description")
                .unwrap_or_default()
                .to_owned(),
            description: self.value("description").unwrap_or_default().to_owned(),
            status,
            priority,
            assignee: self.person("assigned_to"),
            requester: self.person(table.requester_field()),
            created: self.timestamp("sys_created_on"),
            updated: self.timestamp("sys_updated_on"),
            web_link: String::new(),
            id,
            native: self.0,
        })
    }
}
