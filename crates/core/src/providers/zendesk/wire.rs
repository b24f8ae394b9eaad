//! Zendesk's wire format: JSON objects in a named envelope (`{"ticket": ...}`, `{"tickets": [...]}`),
//! ids as integers, times as ISO 8601 UTC (`2023-09-18T23:34:35Z`), and errors as
//! `{"error": "<Code>", "description": "...", "details": {...}}`.
//!
//! Shapes follow `shared/reference/zendesk/` and the replies recorded in `shared/recorded/zendesk/`.

use std::collections::BTreeMap;

use serde::Deserialize;
use serde_json::{Map, Value};

use crate::error::CoreError;
use crate::providers::zendesk::fields::{ticket_priority, ticket_status};
use crate::providers::zendesk::{Upload, User};
use crate::ticket::{Attachment, Comment, PersonRef, Ticket, Timestamp};

/// A ticket object as received, every field kept.
#[derive(Deserialize)]
#[serde(transparent)]
pub(crate) struct WireTicket(Map<String, Value>);

/// The ticket fields Flare reads; all fields, these too, stay in [`Ticket::native`].
#[derive(Deserialize)]
struct TicketFields {
    id: u64,
    subject: Option<String>,
    description: Option<String>,
    status: Option<String>,
    priority: Option<String>,
    requester_id: Option<u64>,
    assignee_id: Option<u64>,
    created_at: Option<String>,
    updated_at: Option<String>,
}

#[derive(Deserialize)]
pub(crate) struct TicketEnvelope {
    pub(crate) ticket: WireTicket,
}

/// `tickets` with the paging fields of either kind, as lists, show_many and requested tickets send.
#[derive(Deserialize)]
pub(crate) struct TicketList {
    pub(crate) tickets: Vec<WireTicket>,
    #[serde(flatten)]
    pub(crate) paging: WirePaging,
}

/// Search results: tickets, users, groups or organizations, told apart by `result_type`.
#[derive(Deserialize)]
pub(crate) struct SearchList {
    pub(crate) results: Vec<Map<String, Value>>,
    #[serde(flatten)]
    pub(crate) paging: WirePaging,
}

#[derive(Deserialize)]
pub(crate) struct CommentList {
    pub(crate) comments: Vec<WireComment>,
    #[serde(flatten)]
    pub(crate) paging: WirePaging,
}

#[derive(Deserialize)]
pub(crate) struct UserEnvelope {
    pub(crate) user: WireUser,
}

#[derive(Deserialize)]
pub(crate) struct UserList {
    pub(crate) users: Vec<WireUser>,
}

#[derive(Deserialize)]
pub(crate) struct UploadEnvelope {
    pub(crate) upload: WireUpload,
}

/// Paging fields: `next_page` and `count` for offset paging, `meta` for cursor paging.
#[derive(Deserialize)]
pub(crate) struct WirePaging {
    pub(crate) next_page: Option<String>,
    pub(crate) count: Option<u64>,
    pub(crate) meta: Option<CursorMeta>,
}

#[derive(Deserialize)]
pub(crate) struct CursorMeta {
    pub(crate) has_more: bool,
    pub(crate) after_cursor: Option<String>,
}

#[derive(Deserialize)]
pub(crate) struct WireComment {
    id: u64,
    author_id: Option<u64>,
    body: Option<String>,
    public: Option<bool>,
    created_at: Option<String>,
    #[serde(default)]
    attachments: Vec<WireAttachment>,
}

#[derive(Deserialize)]
pub(crate) struct WireAttachment {
    id: u64,
    file_name: Option<String>,
    content_url: Option<String>,
    content_type: Option<String>,
    size: Option<u64>,
}

/// A user; `id` is `null` for the anonymous user `/users/me` describes when nobody signed in.
#[derive(Deserialize)]
pub(crate) struct WireUser {
    id: Option<u64>,
    name: Option<String>,
    email: Option<String>,
    role: Option<String>,
    /// `false` once the user is deleted; exports still list them so copies can drop them.
    active: Option<bool>,
}

impl WireUser {
    pub(crate) fn is_active(&self) -> bool {
        self.active != Some(false)
    }
}

#[derive(Deserialize)]
pub(crate) struct WireUpload {
    token: String,
    #[serde(default)]
    attachments: Vec<WireAttachment>,
    attachment: Option<WireAttachment>,
}

/// What an error body says, in whichever of Zendesk's shapes it came.
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct ErrorReply {
    /// The machine code: `RecordNotFound`, `RecordInvalid`, `TooManyValues`, `invalid_token`, ...
    pub(crate) code: Option<String>,
    /// Words for people.
    pub(crate) message: Option<String>,
    /// The field a `RecordInvalid` names, unless it is the whole record (`base`).
    pub(crate) field: Option<String>,
}

/// Parses a reply body, naming what was expected when it does not fit.
pub(crate) fn parse_json<T: serde::de::DeserializeOwned>(
    body: &str,
    what: &str,
) -> Result<T, CoreError> {
    if body.trim().is_empty() {
        return Err(CoreError::Malformed {
            message: format!("the reply has no body, expected {what}"),
        });
    }
    serde_json::from_str(body).map_err(|error| CoreError::Malformed {
        message: format!("expected {what}: {error}"),
    })
}

/// Reads Zendesk's error bodies:
/// `{"error":"RecordNotFound","description":"Not found"}` (recorded),
/// `{"error":"TooManyValues","description":"...","max_count":100}` (recorded),
/// `{"error":"Couldn't authenticate you"}`,
/// `{"error":"invalid_token","error_description":"..."}` (OAuth),
/// `{"error":"RecordInvalid","description":"Record validation errors","details":{"status":[{"description":"..."}]}}`
/// and `{"error":{"title":"...","message":"..."}}`.
pub(crate) fn error_reply(body: &str) -> Option<ErrorReply> {
    let Value::Object(object) = serde_json::from_str::<Value>(body).ok()? else {
        return None;
    };
    let text = |key: &str| object.get(key).and_then(Value::as_str).map(str::to_owned);
    let (code, nested_message) = match object.get("error") {
        Some(Value::String(code)) => (Some(code.clone()), None),
        Some(Value::Object(error)) => (
            error
                .get("title")
                .and_then(Value::as_str)
                .map(str::to_owned),
            error
                .get("message")
                .and_then(Value::as_str)
                .map(str::to_owned),
        ),
        _ => (None, None),
    };
    let (field, details) = match object.get("details") {
        Some(Value::Object(details)) => validation_details(details),
        _ => (None, None),
    };
    let message = details
        .or(nested_message)
        .or_else(|| text("description"))
        .or_else(|| text("error_description"))
        .or_else(|| code.clone());
    Some(ErrorReply {
        code,
        message,
        field,
    })
}

/// The first field named in `details` and every description given, joined.
fn validation_details(details: &Map<String, Value>) -> (Option<String>, Option<String>) {
    let field = details.keys().find(|key| *key != "base").cloned();
    let descriptions: Vec<&str> = details
        .values()
        .filter_map(Value::as_array)
        .flatten()
        .filter_map(|detail| detail.get("description").and_then(Value::as_str))
        .collect();
    let message = (!descriptions.is_empty()).then(|| descriptions.join("; "));
    (field, message)
}

impl TryFrom<WireTicket> for Ticket {
    type Error = CoreError;

    /// The ticket in Flare's terms; the caller fills in `web_link`, which needs the instance.
    fn try_from(wire: WireTicket) -> Result<Ticket, CoreError> {
        let value = Value::Object(wire.0);
        let fields = TicketFields::deserialize(&value).map_err(|error| CoreError::Malformed {
            message: format!("ticket: {error}"),
        })?;
        let native: BTreeMap<String, Value> = match value {
            Value::Object(native) => native.into_iter().collect(),
            _ => BTreeMap::new(),
        };
        let person = |id: Option<u64>| {
            id.map(|id| PersonRef {
                id: id.to_string(),
                name: None,
            })
        };
        Ok(Ticket {
            id: fields.id.to_string(),
            reference: format!("#{}", fields.id),
            title: fields.subject.unwrap_or_default(),
            description: fields.description.unwrap_or_default(),
            status: ticket_status(fields.status.as_deref().unwrap_or_default()),
            priority: fields.priority.as_deref().map(ticket_priority),
            assignee: person(fields.assignee_id),
            requester: person(fields.requester_id),
            created: fields.created_at.as_deref().and_then(Timestamp::parse),
            updated: fields.updated_at.as_deref().and_then(Timestamp::parse),
            web_link: String::new(),
            native,
        })
    }
}

impl WireTicket {
    /// Builds a wire ticket from a search result that is a ticket.
    pub(crate) fn from_search_result(result: Map<String, Value>) -> Option<WireTicket> {
        let is_ticket = result.get("result_type").and_then(Value::as_str) == Some("ticket");
        is_ticket.then_some(WireTicket(result))
    }
}

impl WireComment {
    /// The files attached to the comment.
    pub(crate) fn into_attachments(self) -> Vec<Attachment> {
        self.attachments.into_iter().map(Attachment::from).collect()
    }
}

impl From<WireComment> for Comment {
    fn from(wire: WireComment) -> Comment {
        Comment {
            id: wire.id.to_string(),
            author: wire.author_id.map(|id| PersonRef {
                id: id.to_string(),
                name: None,
            }),
            body: wire.body.unwrap_or_default(),
            created: wire.created_at.as_deref().and_then(Timestamp::parse),
            // A comment that does not say it is public is shown as private: the safe mistake.
            public: wire.public.unwrap_or(false),
        }
    }
}

impl From<WireAttachment> for Attachment {
    fn from(wire: WireAttachment) -> Attachment {
        Attachment {
            id: wire.id.to_string(),
            file_name: wire.file_name.unwrap_or_default(),
            content_type: wire.content_type.unwrap_or_default(),
            size_bytes: wire.size,
            download_url: wire.content_url.unwrap_or_default(),
        }
    }
}

impl TryFrom<WireUser> for User {
    type Error = CoreError;

    fn try_from(wire: WireUser) -> Result<User, CoreError> {
        // `/users/me` answers 200 for anonymous callers, describing a user without an id
        // (the endpoint is "Allowed For: Anonymous users" in the reference); that means the
        // credentials were not accepted.
        let id = wire.id.ok_or_else(|| CoreError::Unauthorized {
            message: "the instance answered as for an anonymous user".to_owned(),
        })?;
        Ok(User {
            id,
            name: wire.name.unwrap_or_default(),
            email: wire.email.filter(|email| !email.is_empty()),
            role: wire.role.unwrap_or_default(),
        })
    }
}

impl From<WireUpload> for Upload {
    fn from(wire: WireUpload) -> Upload {
        let mut attachments: Vec<Attachment> =
            wire.attachments.into_iter().map(Attachment::from).collect();
        if attachments.is_empty() {
            attachments.extend(wire.attachment.map(Attachment::from));
        }
        Upload {
            token: wire.token,
            attachments,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(body: &str, code: Option<&str>, message: Option<&str>, field: Option<&str>) {
        let expected = ErrorReply {
            code: code.map(str::to_owned),
            message: message.map(str::to_owned),
            field: field.map(str::to_owned),
        };
        assert_eq!(error_reply(body), Some(expected), "{body}");
    }

    #[test]
    fn reads_every_error_shape() {
        check(
            r#"{"error":"RecordNotFound","description":"Not found"}"#,
            Some("RecordNotFound"),
            Some("Not found"),
            None,
        );
        check(
            r#"{"error":"TooManyValues","description":"Parameter  cannot specify more than 100 values","max_count":100}"#,
            Some("TooManyValues"),
            Some("Parameter  cannot specify more than 100 values"),
            None,
        );
        check(
            r#"{"error":"Couldn't authenticate you"}"#,
            Some("Couldn't authenticate you"),
            Some("Couldn't authenticate you"),
            None,
        );
        check(
            r#"{"error":"invalid_token","error_description":"The access token provided is expired, revoked, malformed or invalid for other reasons."}"#,
            Some("invalid_token"),
            Some("The access token provided is expired, revoked, malformed or invalid for other reasons."),
            None,
        );
        check(
            r#"{"error":"RecordInvalid","description":"Record validation errors","details":{"status":[{"description":"Status closed prevents ticket update"}]}}"#,
            Some("RecordInvalid"),
            Some("Status closed prevents ticket update"),
            Some("status"),
        );
        check(
            r#"{"error":"RecordInvalid","description":"Record validation errors","details":{"base":[{"description":"Description: cannot be blank"}]}}"#,
            Some("RecordInvalid"),
            Some("Description: cannot be blank"),
            None,
        );
        check(
            r#"{"error":{"title":"Forbidden","message":"You do not have access to this page"}}"#,
            Some("Forbidden"),
            Some("You do not have access to this page"),
            None,
        );
        assert_eq!(
            error_reply("Number of allowed API requests per minute exceeded"),
            None
        );
        assert_eq!(error_reply("[1,2]"), None);
    }
}
