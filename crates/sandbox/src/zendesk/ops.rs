//! The Zendesk account's rules, free of HTTP: demo data, creating and updating tickets with their
//! comments, bulk jobs.
//!
//! The Tickets, Search and user lookup APIs are "Allowed For: Agents" (`tickets.yml`,
//! `users.yml`); end users get 403 there and may only read `/users/me`.

use serde_json::{json, Map, Value};

use crate::datetime::UnixSeconds;
use crate::zendesk::model::{Account, Comment, Job, Ticket, User, PRIORITIES, STATUSES};
use crate::zendesk::{ZendeskError, DEMO_API_TOKEN};

/// The most ids or tickets one request may carry (recorded `"max_count":100`).
pub(crate) const MAX_VALUES: usize = 100;

pub(crate) const ADMIN_ID: u64 = 1_000_000_000_001;
pub(crate) const END_USER_ID: u64 = 1_000_000_000_002;
pub(crate) const AGENT_ID: u64 = 1_000_000_000_003;

/// Fixed users and a few tickets in several states.
pub(crate) fn demo_account(now: UnixSeconds) -> Account {
    let created = now - 7 * 86_400;
    let user = |id, name: &str, email: &str, role, api_token: Option<&str>| User {
        id,
        name: name.to_owned(),
        email: email.to_owned(),
        role,
        api_token: api_token.map(str::to_owned),
        created_at: created,
    };
    let mut account = Account {
        users: vec![
            user(
                ADMIN_ID,
                "Sandbox Admin",
                "admin@example.com",
                "admin",
                Some(DEMO_API_TOKEN),
            ),
            user(
                END_USER_ID,
                "Sandy User",
                "user@example.com",
                "end-user",
                Some(DEMO_API_TOKEN),
            ),
            user(AGENT_ID, "Avery Agent", "agent@example.com", "agent", None),
        ],
        next_ticket_id: 1,
        next_object_id: 2_000_000_000_001,
        ..Account::default()
    };
    let admin = account.users[0].clone();
    let tickets = [
        (
            "Sample ticket: Meet the ticket",
            "open",
            "normal",
            END_USER_ID,
            Some(AGENT_ID),
        ),
        (
            "VPN drops every few minutes",
            "new",
            "high",
            END_USER_ID,
            None,
        ),
        (
            "Printer on the third floor jams",
            "solved",
            "low",
            END_USER_ID,
            Some(AGENT_ID),
        ),
        (
            "Renew the SSL certificate",
            "pending",
            "urgent",
            ADMIN_ID,
            Some(AGENT_ID),
        ),
    ];
    for ((subject, status, priority, requester, assignee), hours) in
        tickets.into_iter().zip(0_i64..)
    {
        let fields = json!({
            "subject": subject,
            "comment": { "body": format!("{subject}. Please help.") },
            "status": status,
            "priority": priority,
            "requester_id": requester,
            "assignee_id": assignee,
        });
        // The demo data is well-formed, so creating it cannot fail.
        let _ = create_ticket(
            &mut account,
            &admin,
            as_object(&fields),
            created + hours * 3600,
        );
    }
    account
}

pub(crate) fn is_agent(user: &User) -> bool {
    user.role != "end-user"
}

/// Agents only (`#### Allowed For * Agents`); end users get 403.
pub(crate) fn require_agent(user: &User) -> Result<(), ZendeskError> {
    match is_agent(user) {
        true => Ok(()),
        false => Err(ZendeskError::Forbidden),
    }
}

pub(crate) fn ticket(account: &Account, ticket_id: u64) -> Result<&Ticket, ZendeskError> {
    account
        .tickets
        .get(&ticket_id)
        .ok_or(ZendeskError::NotFound)
}

/// Creates a ticket from the `ticket` object of a request; its first comment is the description.
pub(crate) fn create_ticket(
    account: &mut Account,
    user: &User,
    fields: &Map<String, Value>,
    now: UnixSeconds,
) -> Result<u64, ZendeskError> {
    require_agent(user)?;
    let comment = comment_of(fields);
    let description = match (&comment, text(fields, "description")) {
        (Some((body, _)), _) => body.clone(),
        (None, Some(description)) => description,
        (None, None) => String::new(),
    };
    if description.trim().is_empty() {
        return Err(ZendeskError::Invalid {
            field: "description",
            message: "Description: cannot be blank".to_owned(),
        });
    }
    let status = text(fields, "status").unwrap_or_else(|| "new".to_owned());
    check_choice("status", &status, &STATUSES)?;
    let priority = text(fields, "priority");
    if let Some(priority) = &priority {
        check_choice("priority", priority, &PRIORITIES)?;
    }
    let requester_id = number(fields, "requester_id").unwrap_or(user.id);
    if !account
        .users
        .iter()
        .any(|candidate| candidate.id == requester_id)
    {
        return Err(ZendeskError::Invalid {
            field: "requester",
            message: "Requester: is invalid".to_owned(),
        });
    }
    let ticket_id = account.next_ticket_id;
    account.next_ticket_id += 1;
    let subject = text(fields, "subject").unwrap_or_else(|| description.chars().take(80).collect());
    account.tickets.insert(
        ticket_id,
        Ticket {
            id: ticket_id,
            external_id: text(fields, "external_id"),
            subject,
            description: description.clone(),
            kind: text(fields, "type"),
            priority,
            status,
            requester_id,
            submitter_id: user.id,
            assignee_id: number(fields, "assignee_id"),
            tags: tags(fields),
            created_at: now,
            updated_at: now,
        },
    );
    let public = comment.as_ref().map(|(_, public)| *public).unwrap_or(true);
    add_comment(account, ticket_id, user.id, &description, public, now);
    Ok(ticket_id)
}

/// Applies the `ticket` object of an update; a `comment` in it is added to the ticket.
pub(crate) fn update_ticket(
    account: &mut Account,
    user: &User,
    ticket_id: u64,
    fields: &Map<String, Value>,
    now: UnixSeconds,
) -> Result<(), ZendeskError> {
    require_agent(user)?;
    let mut updated = ticket(account, ticket_id)?.clone();
    if updated.status == "closed" {
        return Err(ZendeskError::Invalid {
            field: "status",
            message: "Status: closed prevents ticket update".to_owned(),
        });
    }
    if let Some(status) = text(fields, "status") {
        check_choice("status", &status, &STATUSES)?;
        updated.status = status;
    }
    if fields.contains_key("priority") {
        let priority = text(fields, "priority");
        if let Some(priority) = &priority {
            check_choice("priority", priority, &PRIORITIES)?;
        }
        updated.priority = priority;
    }
    if let Some(subject) = text(fields, "subject") {
        updated.subject = subject;
    }
    if fields.contains_key("assignee_id") {
        updated.assignee_id = number(fields, "assignee_id");
    }
    if fields.contains_key("tags") {
        updated.tags = tags(fields);
    }
    if let Some(external_id) = text(fields, "external_id") {
        updated.external_id = Some(external_id);
    }
    if let Some((body, public)) = comment_of(fields) {
        add_comment(account, ticket_id, user.id, &body, public, now);
    }
    updated.updated_at = now;
    account.tickets.insert(ticket_id, updated);
    Ok(())
}

/// Deletes a ticket ("Admins, and agents with permission to delete tickets").
pub(crate) fn delete_ticket(
    account: &mut Account,
    user: &User,
    ticket_id: u64,
) -> Result<(), ZendeskError> {
    require_agent(user)?;
    ticket(account, ticket_id)?;
    account.tickets.remove(&ticket_id);
    account
        .comments
        .retain(|comment| comment.ticket_id != ticket_id);
    Ok(())
}

/// Records a finished bulk job and returns its id (`V3-` and 32 hex digits, as recorded).
pub(crate) fn record_job(
    account: &mut Account,
    total: usize,
    results: Value,
    now: UnixSeconds,
) -> String {
    let id = format!("V3-{:032x}", account.next_object_id);
    account.next_object_id += 1;
    account.jobs.insert(
        id.clone(),
        Job {
            id: id.clone(),
            total,
            results,
            finished_at: now,
        },
    );
    id
}

/// The ids of a comma-separated `ids` parameter, at most [`MAX_VALUES`].
pub(crate) fn parse_ids(ids: &str) -> Result<Vec<u64>, ZendeskError> {
    let ids: Vec<u64> = ids
        .split(',')
        .filter_map(|id| id.trim().parse().ok())
        .collect();
    match ids.len() > MAX_VALUES {
        true => Err(ZendeskError::TooManyValues),
        false => Ok(ids),
    }
}

/// The object `value` holds, or an empty one.
pub(crate) fn as_object(value: &Value) -> &Map<String, Value> {
    static EMPTY: std::sync::OnceLock<Map<String, Value>> = std::sync::OnceLock::new();
    value
        .as_object()
        .unwrap_or_else(|| EMPTY.get_or_init(Map::new))
}

fn add_comment(
    account: &mut Account,
    ticket_id: u64,
    author_id: u64,
    body: &str,
    public: bool,
    now: UnixSeconds,
) {
    let id = account.next_object_id;
    account.next_object_id += 1;
    account.comments.push(Comment {
        id,
        ticket_id,
        author_id,
        body: body.to_owned(),
        public,
        created_at: now,
    });
}

/// The `comment` of a ticket object: its body (or `html_body`) and whether it is public.
fn comment_of(fields: &Map<String, Value>) -> Option<(String, bool)> {
    let comment = fields.get("comment")?.as_object()?;
    let body = text(comment, "body").or_else(|| text(comment, "html_body"))?;
    let public = comment
        .get("public")
        .and_then(Value::as_bool)
        .unwrap_or(true);
    Some((body, public))
}

fn check_choice(field: &'static str, value: &str, allowed: &[&str]) -> Result<(), ZendeskError> {
    if allowed.contains(&value) {
        return Ok(());
    }
    let mut label = field.to_owned();
    label[..1].make_ascii_uppercase();
    Err(ZendeskError::Invalid {
        field,
        message: format!("{label}: is invalid"),
    })
}

fn text(fields: &Map<String, Value>, name: &str) -> Option<String> {
    match fields.get(name)? {
        Value::String(text) => Some(text.clone()),
        Value::Number(number) => Some(number.to_string()),
        _ => None,
    }
}

fn number(fields: &Map<String, Value>, name: &str) -> Option<u64> {
    match fields.get(name)? {
        Value::Number(number) => number.as_u64(),
        Value::String(text) => text.parse().ok(),
        _ => None,
    }
}

fn tags(fields: &Map<String, Value>) -> Vec<String> {
    let Some(Value::Array(tags)) = fields.get("tags") else {
        return Vec::new();
    };
    tags.iter()
        .filter_map(Value::as_str)
        .map(str::to_owned)
        .collect()
}
