//! The Zendesk account's data and its JSON, shaped as the recordings in
//! `shared/recorded/zendesk/` show it (zenpy's cassettes, 2023).

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::{json, Value};

use crate::datetime::{self, UnixSeconds};

/// A user of the account.
#[derive(Debug, Clone)]
pub(crate) struct User {
    pub(crate) id: u64,
    pub(crate) name: String,
    pub(crate) email: String,
    /// `admin`, `agent` or `end-user`.
    pub(crate) role: &'static str,
    pub(crate) api_token: Option<String>,
    pub(crate) created_at: UnixSeconds,
}

/// A ticket.
#[derive(Debug, Clone)]
pub(crate) struct Ticket {
    pub(crate) id: u64,
    pub(crate) external_id: Option<String>,
    pub(crate) subject: String,
    pub(crate) description: String,
    pub(crate) kind: Option<String>,
    pub(crate) priority: Option<String>,
    pub(crate) status: String,
    pub(crate) requester_id: u64,
    pub(crate) submitter_id: u64,
    pub(crate) assignee_id: Option<u64>,
    pub(crate) tags: Vec<String>,
    pub(crate) created_at: UnixSeconds,
    pub(crate) updated_at: UnixSeconds,
}

/// A ticket comment.
#[derive(Debug, Clone)]
pub(crate) struct Comment {
    pub(crate) id: u64,
    pub(crate) ticket_id: u64,
    pub(crate) author_id: u64,
    pub(crate) body: String,
    pub(crate) public: bool,
    pub(crate) created_at: UnixSeconds,
}

/// Everything the account holds.
#[derive(Debug, Default)]
pub(crate) struct Account {
    pub(crate) users: Vec<User>,
    pub(crate) tickets: BTreeMap<u64, Ticket>,
    pub(crate) comments: Vec<Comment>,
    pub(crate) next_ticket_id: u64,
    pub(crate) next_object_id: u64,
    /// Bulk jobs by id, completed by the time they are read.
    pub(crate) jobs: BTreeMap<String, Job>,
}

/// A bulk job (`create_many`, `update_many`, `destroy_many`).
#[derive(Debug, Clone)]
pub(crate) struct Job {
    pub(crate) id: String,
    pub(crate) total: usize,
    pub(crate) results: Value,
    pub(crate) finished_at: UnixSeconds,
}

/// The ticket statuses, in order.
pub(crate) const STATUSES: [&str; 6] = ["new", "open", "pending", "hold", "solved", "closed"];
/// The priorities, in order.
pub(crate) const PRIORITIES: [&str; 4] = ["low", "normal", "high", "urgent"];

/// Zendesk writes times as `2023-09-18T23:34:35Z`.
pub(crate) fn timestamp(seconds: UnixSeconds) -> String {
    datetime::format(seconds).replacen(' ', "T", 1) + "Z"
}

/// A ticket as the API writes it, fields in the recorded order (serialized directly, because
/// serde_json's `Value` would sort them).
#[derive(Serialize)]
pub(crate) struct TicketJson<'a> {
    url: String,
    id: u64,
    external_id: &'a Option<String>,
    via: Value,
    created_at: String,
    updated_at: String,
    #[serde(rename = "type")]
    kind: &'a Option<String>,
    subject: &'a str,
    raw_subject: &'a str,
    description: &'a str,
    priority: &'a Option<String>,
    status: &'a str,
    recipient: Option<String>,
    requester_id: u64,
    submitter_id: u64,
    assignee_id: Option<u64>,
    organization_id: Option<u64>,
    group_id: Option<u64>,
    collaborator_ids: [u64; 0],
    follower_ids: [u64; 0],
    email_cc_ids: [u64; 0],
    forum_topic_id: Option<u64>,
    problem_id: Option<u64>,
    has_incidents: bool,
    is_public: bool,
    due_at: Option<String>,
    tags: &'a [String],
    custom_fields: [Value; 0],
    satisfaction_rating: Option<Value>,
    sharing_agreement_ids: [u64; 0],
    fields: [Value; 0],
    followup_ids: [u64; 0],
    allow_channelback: bool,
    allow_attachments: bool,
    from_messaging_channel: bool,
    /// `"ticket"` in search results.
    #[serde(skip_serializing_if = "Option::is_none")]
    result_type: Option<&'static str>,
}

impl Ticket {
    pub(crate) fn to_json<'a>(&'a self, base_url: &str) -> TicketJson<'a> {
        TicketJson {
            url: format!("{base_url}/api/v2/tickets/{}.json", self.id),
            id: self.id,
            external_id: &self.external_id,
            via: via_api(),
            created_at: timestamp(self.created_at),
            updated_at: timestamp(self.updated_at),
            kind: &self.kind,
            subject: &self.subject,
            raw_subject: &self.subject,
            description: &self.description,
            priority: &self.priority,
            status: &self.status,
            recipient: None,
            requester_id: self.requester_id,
            submitter_id: self.submitter_id,
            assignee_id: self.assignee_id,
            organization_id: None,
            group_id: None,
            collaborator_ids: [],
            follower_ids: [],
            email_cc_ids: [],
            forum_topic_id: None,
            problem_id: None,
            has_incidents: false,
            is_public: true,
            due_at: None,
            tags: &self.tags,
            custom_fields: [],
            satisfaction_rating: None,
            sharing_agreement_ids: [],
            fields: [],
            followup_ids: [],
            allow_channelback: false,
            allow_attachments: true,
            from_messaging_channel: false,
            result_type: None,
        }
    }

    /// The ticket as a search result.
    pub(crate) fn to_search_result<'a>(&'a self, base_url: &str) -> TicketJson<'a> {
        TicketJson {
            result_type: Some("ticket"),
            ..self.to_json(base_url)
        }
    }
}

impl User {
    pub(crate) fn to_json(&self, base_url: &str) -> Value {
        json!({
            "id": self.id,
            "url": format!("{base_url}/api/v2/users/{}.json", self.id),
            "name": self.name,
            "email": self.email,
            "created_at": timestamp(self.created_at),
            "updated_at": timestamp(self.created_at),
            "time_zone": "Etc/UTC",
            "iana_time_zone": "Etc/UTC",
            "phone": null,
            "locale": "en-US",
            "organization_id": null,
            "role": self.role,
            "verified": true,
            "active": true,
            "suspended": false,
        })
    }
}

impl Comment {
    pub(crate) fn to_json(&self) -> Value {
        json!({
            "id": self.id,
            "type": "Comment",
            "author_id": self.author_id,
            "body": self.body,
            "html_body": format!(
                "<div class=\"zd-comment\" dir=\"auto\"><p dir=\"auto\">{}</p></div>",
                crate::pages::escape(&self.body)
            ),
            "plain_body": self.body,
            "public": self.public,
            "attachments": [],
            "via": via_api(),
            "created_at": timestamp(self.created_at),
        })
    }
}

impl Job {
    /// The job as recorded: `queued` with no progress in the reply to the bulk request,
    /// `completed` with results when read back.
    pub(crate) fn to_json(&self, base_url: &str, completed: bool) -> Value {
        let url = format!("{base_url}/api/v2/job_statuses/{}.json", self.id);
        match completed {
            true => json!({
                "id": self.id,
                "url": url,
                "total": self.total,
                "progress": self.total,
                "status": "completed",
                "message": format!("Completed at {} +0000", datetime::format(self.finished_at)),
                "results": self.results,
            }),
            false => json!({
                "id": self.id,
                "url": url,
                "total": self.total,
                "progress": null,
                "status": "queued",
                "message": null,
                "results": null,
            }),
        }
    }
}

fn via_api() -> Value {
    json!({"channel": "api", "source": {"from": {}, "to": {}, "rel": null}})
}
