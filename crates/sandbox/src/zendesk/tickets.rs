//! The `ticket` object clients send to create and update tickets: which keys are read, how values
//! are checked, and how a change is applied to a stored ticket.
//!
//! Keys follow Zendesk's ticket JSON (`tickets.yml`, TicketCreateRequest/TicketUpdateRequest) and
//! the recordings: a create may carry `description` instead of `comment` and it becomes the first
//! comment (`TestTicketCreateUpdateDelete.test_single_object_creation`); an update that sends
//! `description` leaves it unchanged (`..._update-single`); `id` inside `ticket` is not permitted
//! and is named in the `x-zendesk-api-warn` header.

use flare_core::providers::zendesk::{TicketPriority, TicketStatus, TicketType};
use serde_json::{Map, Value};

use crate::common::datetime::UnixSeconds;
use crate::zendesk::account::{Channel, Ticket};
use crate::zendesk::error::ZendeskError;

/// What a `ticket` object asks for. `Option<Option<_>>` tells "not sent" from "sent as null".
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct TicketInput {
    pub(crate) subject: Option<String>,
    pub(crate) description: Option<String>,
    pub(crate) comment: Option<CommentInput>,
    pub(crate) status: Option<TicketStatus>,
    pub(crate) priority: Option<Option<TicketPriority>>,
    pub(crate) ticket_type: Option<Option<TicketType>>,
    pub(crate) requester: Option<RequesterInput>,
    pub(crate) assignee_id: Option<Option<u64>>,
    pub(crate) group_id: Option<Option<u64>>,
    pub(crate) external_id: Option<Option<String>>,
    pub(crate) tags: Option<Vec<String>>,
}

/// `ticket.comment`: `body` (or `html_body`), `public`, `uploads` (tokens).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct CommentInput {
    pub(crate) body: String,
    /// `None` when not sent. `public` is "true if a public comment; false if an internal note.
    /// The initial value set on ticket creation persists for any additional comment unless you
    /// change it" (Zendesk's Ticket Comments reference, "JSON format"), so a new ticket's first
    /// comment is public and a later one is as public as the first.
    pub(crate) public: Option<bool>,
    pub(crate) uploads: Vec<String>,
}

/// `requester_id`, or `requester` as `{name, email}`.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum RequesterInput {
    Id(u64),
    Person { name: Option<String>, email: String },
}

/// A field an update changed, for the audit.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct FieldChange {
    pub(crate) field_name: &'static str,
    pub(crate) value: Option<String>,
    pub(crate) previous_value: Option<String>,
}

/// The controller action, as `x-zendesk-api-warn` names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Action {
    Create,
    Update,
    Destroy,
    DestroyMany,
}

/// Keys of the ticket object that Zendesk accepts on create and update. The sandbox acts on the
/// ones [`TicketInput`] holds and ignores the rest, as a real account ignores what its business
/// rules do not use.
const PERMITTED_KEYS: [&str; 34] = [
    "additional_collaborators",
    "additional_tags",
    "assignee_email",
    "assignee_id",
    "brand_id",
    "collaborator_ids",
    "collaborators",
    "comment",
    "custom_fields",
    "custom_status_id",
    "description",
    "due_at",
    "email_cc_ids",
    "email_ccs",
    "external_id",
    "follower_ids",
    "followers",
    "group_id",
    "macro_ids",
    "organization_id",
    "priority",
    "problem_id",
    "raw_subject",
    "recipient",
    "remove_tags",
    "requester",
    "requester_id",
    "safe_update",
    "sharing_agreement_ids",
    "status",
    "subject",
    "tags",
    "type",
    "updated_stamp",
];

impl TicketInput {
    /// Reads a `ticket` object; values of the wrong kind answer 422 for their field.
    pub(crate) fn parse(object: &Map<String, Value>) -> Result<TicketInput, ZendeskError> {
        let text = |key: &str| -> Result<Option<Option<String>>, ZendeskError> {
            match object.get(key) {
                None => Ok(None),
                Some(Value::Null) => Ok(Some(None)),
                Some(Value::String(text)) => Ok(Some(Some(text.clone()))),
                Some(Value::Number(number)) => Ok(Some(Some(number.to_string()))),
                Some(_) => Err(ZendeskError::invalid_value(key)),
            }
        };
        let id = |key: &str| -> Result<Option<Option<u64>>, ZendeskError> {
            match object.get(key) {
                None => Ok(None),
                Some(Value::Null) => Ok(Some(None)),
                Some(value) => match value_as_id(value) {
                    Some(id) => Ok(Some(Some(id))),
                    None => Err(ZendeskError::invalid_value(key)),
                },
            }
        };
        let status = match text("status")? {
            None | Some(None) => None,
            Some(Some(code)) => Some(TicketStatus::from_code(&code).ok_or_else(|| {
                ZendeskError::invalid("status", format!("Status: {code} is not a valid status"))
            })?),
        };
        let priority = match text("priority")? {
            None => None,
            Some(None) => Some(None),
            Some(Some(code)) if code.is_empty() => Some(None),
            Some(Some(code)) => Some(Some(TicketPriority::from_code(&code).ok_or_else(|| {
                ZendeskError::invalid(
                    "priority",
                    format!("Priority: {code} is not a valid priority"),
                )
            })?)),
        };
        let ticket_type = match text("type")? {
            None => None,
            Some(None) => Some(None),
            Some(Some(code)) if code.is_empty() => Some(None),
            Some(Some(code)) => Some(Some(TicketType::from_code(&code).ok_or_else(|| {
                ZendeskError::invalid("type", format!("Type: {code} is not a valid type"))
            })?)),
        };
        let requester = match (id("requester_id")?, object.get("requester")) {
            (Some(Some(id)), _) => Some(RequesterInput::Id(id)),
            (_, Some(Value::Object(person))) => Some(parse_person(person)?),
            (_, None | Some(Value::Null)) => None,
            (_, Some(_)) => return Err(ZendeskError::invalid_value("requester")),
        };
        let comment = match object.get("comment") {
            None | Some(Value::Null) => None,
            Some(Value::String(body)) => Some(CommentInput {
                body: body.clone(),
                public: None,
                uploads: Vec::new(),
            }),
            Some(Value::Object(comment)) => Some(parse_comment(comment)?),
            Some(_) => return Err(ZendeskError::invalid_value("comment")),
        };
        let tags = match object.get("tags") {
            None => None,
            Some(Value::Null) => Some(Vec::new()),
            Some(Value::Array(tags)) => Some(
                tags.iter()
                    .filter_map(Value::as_str)
                    .flat_map(str::split_whitespace)
                    .map(str::to_lowercase)
                    .collect(),
            ),
            Some(Value::String(tags)) => {
                Some(tags.split_whitespace().map(str::to_lowercase).collect())
            }
            Some(_) => return Err(ZendeskError::invalid_value("tags")),
        };
        Ok(TicketInput {
            subject: text("subject")?.flatten(),
            description: text("description")?.flatten(),
            comment,
            status,
            priority,
            ticket_type,
            requester,
            assignee_id: id("assignee_id")?,
            group_id: id("group_id")?,
            external_id: text("external_id")?,
            tags,
        })
    }

    /// The text of the first comment: `comment.body`, else `description`.
    pub(crate) fn first_comment_body(&self) -> &str {
        match &self.comment {
            Some(comment) if !comment.body.trim().is_empty() => &comment.body,
            _ => self.description.as_deref().unwrap_or_default(),
        }
    }
}

impl CommentInput {
    /// An empty comment without files adds nothing.
    pub(crate) fn has_content(&self) -> bool {
        !self.body.trim().is_empty() || !self.uploads.is_empty()
    }
}

/// A new ticket before the client's fields are applied: status `new`, made through the API.
pub(crate) fn new_ticket(ticket_id: u64, submitter_id: u64, now: UnixSeconds) -> Ticket {
    Ticket {
        id: ticket_id,
        external_id: None,
        created_at: now,
        updated_at: now,
        ticket_type: None,
        subject: None,
        description: String::new(),
        priority: None,
        status: TicketStatus::New,
        requester_id: submitter_id,
        submitter_id,
        assignee_id: None,
        organization_id: None,
        group_id: None,
        tags: Vec::new(),
        is_public: true,
        channel: Channel::Api,
        comments: Vec::new(),
    }
}

/// Applies the fields of `input` other than the requester and the comment, and says what changed.
///
/// Two rules of Zendesk's ticket life cycle apply: a `new` ticket that gets an assignee becomes
/// `open` unless a status was sent, and a ticket cannot be solved without an assignee (`details`
/// `base`, "Assignee: is required when solving a ticket").
pub(crate) fn apply(
    ticket: &mut Ticket,
    input: &TicketInput,
) -> Result<Vec<FieldChange>, ZendeskError> {
    let mut changes = Vec::new();
    let mut change = |field_name: &'static str, value: Option<String>, previous: Option<String>| {
        if value != previous {
            changes.push(FieldChange {
                field_name,
                value,
                previous_value: previous,
            });
        }
    };
    if let Some(subject) = &input.subject {
        change(
            "subject",
            Some(subject.clone()),
            ticket.subject.replace(subject.clone()),
        );
    }
    let replaced = [
        (
            "priority",
            replace(&mut ticket.priority, input.priority, |priority| {
                priority.code().to_owned()
            }),
        ),
        (
            "type",
            replace(&mut ticket.ticket_type, input.ticket_type, |ticket_type| {
                ticket_type.code().to_owned()
            }),
        ),
        (
            "assignee_id",
            replace(&mut ticket.assignee_id, input.assignee_id, |id| {
                id.to_string()
            }),
        ),
        (
            "group_id",
            replace(&mut ticket.group_id, input.group_id, |id| id.to_string()),
        ),
    ];
    for (field_name, replaced) in replaced {
        if let Some((value, previous)) = replaced {
            change(field_name, value, previous);
        }
    }
    if let Some(external_id) = &input.external_id {
        ticket.external_id = external_id.clone();
    }
    if let Some(tags) = &input.tags {
        let mut unique: Vec<String> = Vec::new();
        for tag in tags {
            if !unique.contains(tag) {
                unique.push(tag.clone());
            }
        }
        change("tags", Some(unique.join(" ")), Some(ticket.tags.join(" ")));
        ticket.tags = unique;
    }
    let assigned_while_new = ticket.status == TicketStatus::New
        && ticket.assignee_id.is_some()
        && input.status.is_none();
    let status = match assigned_while_new {
        true => Some(TicketStatus::Open),
        false => input.status,
    };
    if let Some(status) = status {
        if status >= TicketStatus::Solved && ticket.assignee_id.is_none() {
            return Err(ZendeskError::invalid(
                "base",
                "Assignee: is required when solving a ticket",
            ));
        }
        let previous = std::mem::replace(&mut ticket.status, status);
        change(
            "status",
            Some(status.code().to_owned()),
            Some(previous.code().to_owned()),
        );
    }
    Ok(changes)
}

/// The fields a create reports as `Create` events, in the recorded order
/// (`TestTicketCreateUpdateDelete.test_single_object_creation`).
pub(crate) fn creation_fields(ticket: &Ticket) -> Vec<(&'static str, Option<String>)> {
    let mut fields = vec![
        ("subject", ticket.subject.clone()),
        ("requester_id", Some(ticket.requester_id.to_string())),
        (
            "priority",
            ticket.priority.map(|priority| priority.code().to_owned()),
        ),
        (
            "type",
            ticket
                .ticket_type
                .map(|ticket_type| ticket_type.code().to_owned()),
        ),
        ("status", Some(ticket.status.code().to_owned())),
    ];
    if let Some(assignee_id) = ticket.assignee_id {
        fields.push(("assignee_id", Some(assignee_id.to_string())));
    }
    if let Some(organization_id) = ticket.organization_id {
        fields.push(("organization_id", Some(organization_id.to_string())));
    }
    fields
}

/// The keys of a request body that the action does not permit, as `x-zendesk-api-warn` lists them:
/// `ticket.id` on an update, and on a delete every key of the (ignored) body, nested keys before
/// their parent (recorded: `["ticket.id", "ticket"]`, and `["tickets"]` for `destroy_many`).
pub(crate) fn unpermitted_keys(body: &Value, action: Action) -> Vec<String> {
    let Value::Object(object) = body else {
        return Vec::new();
    };
    let mut keys = Vec::new();
    for (key, value) in object {
        match (action, value) {
            (Action::Destroy, Value::Object(inner)) => {
                keys.extend(inner.keys().map(|inner_key| format!("{key}.{inner_key}")));
                keys.push(key.clone());
            }
            (Action::Destroy | Action::DestroyMany, _) => keys.push(key.clone()),
            (Action::Create | Action::Update, Value::Object(inner)) if key == "ticket" => {
                keys.extend(
                    inner
                        .keys()
                        .filter(|inner_key| !PERMITTED_KEYS.contains(&inner_key.as_str()))
                        .map(|inner_key| format!("ticket.{inner_key}")),
                );
            }
            (Action::Create | Action::Update, _) => keys.push(key.clone()),
        }
    }
    keys
}

/// The `x-zendesk-api-warn` value for unpermitted keys, in the recorded Ruby-hash form.
pub(crate) fn api_warning(controller: &str, action: Action, keys: &[String]) -> Option<String> {
    if keys.is_empty() {
        return None;
    }
    let action = match action {
        Action::Create => "create",
        Action::Update => "update",
        Action::Destroy => "destroy",
        Action::DestroyMany => "destroy_many",
    };
    let keys: Vec<String> = keys.iter().map(|key| format!("\"{key}\"")).collect();
    Some(format!(
        "{{:allowed_parameters=>{{:controller=>\"{controller}\", :action=>\"{action}\", :unpermitted_keys=>[{}], :invalid_values=>[]}}}}",
        keys.join(", ")
    ))
}

/// An id as a number or a string of digits, both of which Zendesk accepts.
pub(crate) fn value_as_id(value: &Value) -> Option<u64> {
    match value {
        Value::Number(number) => number.as_u64(),
        Value::String(text) => text.trim().parse().ok(),
        _ => None,
    }
}

/// The `key` object of a request body, such as the user of `{"user": {...}}`; a body without one
/// is a bad request.
pub(crate) fn body_object<'a>(
    body: &'a Value,
    key: &str,
) -> Result<&'a Map<String, Value>, ZendeskError> {
    body.get(key)
        .and_then(Value::as_object)
        .ok_or_else(|| ZendeskError::BadRequest(format!("the body needs a {key} object")))
}

fn parse_person(person: &Map<String, Value>) -> Result<RequesterInput, ZendeskError> {
    let email = person
        .get("email")
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|email| email.contains('@'))
        .ok_or_else(|| ZendeskError::invalid("requester", "Requester: Email is invalid"))?;
    Ok(RequesterInput::Person {
        name: person
            .get("name")
            .and_then(Value::as_str)
            .map(str::to_owned),
        email: email.to_owned(),
    })
}

fn parse_comment(comment: &Map<String, Value>) -> Result<CommentInput, ZendeskError> {
    let body = comment
        .get("body")
        .or_else(|| comment.get("html_body"))
        .and_then(Value::as_str)
        .unwrap_or_default();
    let public = match comment.get("public") {
        None | Some(Value::Null) => None,
        Some(Value::Bool(public)) => Some(*public),
        Some(_) => return Err(ZendeskError::invalid_value("comment")),
    };
    let uploads = match comment.get("uploads") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(tokens)) => tokens
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_owned)
            .collect(),
        Some(_) => return Err(ZendeskError::invalid_value("comment")),
    };
    Ok(CommentInput {
        body: body.to_owned(),
        public,
        uploads,
    })
}

/// Puts the value `input` sent, if any, in `field`, and gives the new and the previous value as
/// text.
fn replace<T: Copy>(
    field: &mut Option<T>,
    sent: Option<Option<T>>,
    text: fn(T) -> String,
) -> Option<(Option<String>, Option<String>)> {
    let value = sent?;
    let previous = std::mem::replace(field, value);
    Some((value.map(text), previous.map(text)))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn parse(body: Value) -> Result<TicketInput, ZendeskError> {
        match body {
            Value::Object(object) => TicketInput::parse(&object),
            _ => panic!("not an object"),
        }
    }

    #[test]
    fn reads_the_ticket_object() {
        let input = parse(json!({
            "subject": "Printer on fire",
            "comment": {"body": "It smokes", "public": false, "uploads": ["abc"]},
            "priority": "urgent",
            "type": "incident",
            "requester": {"name": "Jane", "email": "jane@example.com"},
            "tags": ["printer", "Fire hazard"],
            "external_id": "flare-1"
        }))
        .expect("valid");
        assert_eq!(input.subject.as_deref(), Some("Printer on fire"));
        assert_eq!(
            input.comment,
            Some(CommentInput {
                body: "It smokes".into(),
                public: Some(false),
                uploads: vec!["abc".into()],
            })
        );
        assert_eq!(input.priority, Some(Some(TicketPriority::Urgent)));
        assert_eq!(input.ticket_type, Some(Some(TicketType::Incident)));
        assert_eq!(
            input.requester,
            Some(RequesterInput::Person {
                name: Some("Jane".into()),
                email: "jane@example.com".into()
            })
        );
        assert_eq!(
            input.tags,
            Some(vec!["printer".into(), "fire".into(), "hazard".into()])
        );
        assert_eq!(input.external_id, Some(Some("flare-1".into())));
        assert_eq!(
            parse(json!({"description": "test"}))
                .expect("valid")
                .first_comment_body(),
            "test"
        );
    }

    #[test]
    fn wrong_values_are_invalid_for_their_field() {
        for (body, field) in [
            (json!({"status": "lost"}), "status"),
            (json!({"priority": "p0"}), "priority"),
            (json!({"type": "chore"}), "type"),
            (json!({"assignee_id": "nobody"}), "assignee_id"),
            (json!({"requester": {"name": "No mail"}}), "requester"),
            (json!({"comment": ["a"]}), "comment"),
        ] {
            match parse(body.clone()) {
                Err(ZendeskError::RecordInvalid(details)) => {
                    assert!(details.contains_key(field), "{body}: {details:?}")
                }
                other => panic!("{body}: {other:?}"),
            }
        }
    }

    fn check_apply(status: TicketStatus, input: Value, expected: Result<TicketStatus, &str>) {
        let mut ticket = new_ticket(1, 7, 0);
        ticket.status = status;
        let result = apply(&mut ticket, &parse(input.clone()).expect("valid"));
        match (result, expected) {
            (Ok(_), Ok(expected)) => assert_eq!(ticket.status, expected, "{input}"),
            (Err(ZendeskError::RecordInvalid(details)), Err(message)) => {
                assert_eq!(details["base"], vec![message.to_owned()], "{input}")
            }
            (actual, expected) => panic!("{input}: {actual:?}, expected {expected:?}"),
        }
    }

    #[test]
    fn life_cycle_rules() {
        check_apply(
            TicketStatus::New,
            json!({"assignee_id": 5}),
            Ok(TicketStatus::Open),
        );
        check_apply(
            TicketStatus::New,
            json!({"assignee_id": 5, "status": "pending"}),
            Ok(TicketStatus::Pending),
        );
        check_apply(
            TicketStatus::Open,
            json!({"assignee_id": 5}),
            Ok(TicketStatus::Open),
        );
        check_apply(
            TicketStatus::Open,
            json!({"status": "solved"}),
            Err("Assignee: is required when solving a ticket"),
        );
        check_apply(
            TicketStatus::Open,
            json!({"status": "solved", "assignee_id": 5}),
            Ok(TicketStatus::Solved),
        );
    }

    #[test]
    fn warns_about_unpermitted_keys_as_recorded() {
        let update = json!({"ticket": {"description": "x", "id": 4016, "subject": "y"}});
        assert_eq!(
            api_warning(
                "tickets",
                Action::Update,
                &unpermitted_keys(&update, Action::Update)
            )
            .as_deref(),
            Some("{:allowed_parameters=>{:controller=>\"tickets\", :action=>\"update\", :unpermitted_keys=>[\"ticket.id\"], :invalid_values=>[]}}")
        );
        let destroy = json!({"ticket": {"id": 4015}});
        assert_eq!(
            unpermitted_keys(&destroy, Action::Destroy),
            vec!["ticket.id", "ticket"]
        );
        let destroy_many = json!({"tickets": [{"id": 3861}]});
        assert_eq!(
            unpermitted_keys(&destroy_many, Action::DestroyMany),
            vec!["tickets"]
        );
        let create = json!({"ticket": {"description": "test", "subject": "test"}});
        assert!(unpermitted_keys(&create, Action::Create).is_empty());
        assert_eq!(api_warning("tickets", Action::Create, &[]), None);
    }
}
