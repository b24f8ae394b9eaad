//! Audits in their recorded shape: the `audit` of a create or update reply and of the audit
//! lists, with the change's client and its events.

use serde::Serialize;
use serde_json::{json, Value};

use crate::zendesk::account::{Audit, AuditEvent};
use crate::zendesk::wire::tickets::{comment_event, CommentEventJson};
use crate::zendesk::wire::{timestamp, via, Renderer, Via};

/// The `audit` of a create or update reply, in the recorded key order.
#[derive(Serialize)]
pub(crate) struct AuditJson<'a> {
    id: u64,
    ticket_id: u64,
    created_at: String,
    author_id: u64,
    metadata: MetadataJson<'a>,
    events: Vec<EventJson<'a>>,
    via: Via,
}

#[derive(Serialize)]
struct MetadataJson<'a> {
    system: System<'a>,
    custom: Value,
}

/// Where a change came from; empty for the account's own changes (recorded).
#[derive(Serialize)]
#[serde(untagged)]
enum System<'a> {
    Client(SystemJson<'a>),
    Account {},
}

#[derive(Serialize)]
struct SystemJson<'a> {
    client: &'a str,
    ip_address: &'static str,
    location: &'static str,
    latitude: f64,
    longitude: f64,
}

#[derive(Serialize)]
#[serde(untagged)]
enum EventJson<'a> {
    Comment(CommentEventJson<'a, &'a [u64]>),
    Create {
        id: u64,
        #[serde(rename = "type")]
        kind: &'static str,
        value: Option<&'a str>,
        field_name: &'a str,
    },
    Change {
        id: u64,
        #[serde(rename = "type")]
        kind: &'static str,
        value: Option<&'a str>,
        field_name: &'a str,
        previous_value: Option<&'a str>,
    },
}

impl<'a> Renderer<'a> {
    /// `audit` of a create or update reply.
    pub(crate) fn audit(&self, audit: &'a Audit) -> AuditJson<'a> {
        let events = audit
            .events
            .iter()
            .map(|event| match event {
                AuditEvent::Comment(comment) => {
                    EventJson::Comment(comment_event(comment, &comment.attachment_ids))
                }
                AuditEvent::Create {
                    id,
                    field_name,
                    value,
                } => EventJson::Create {
                    id: *id,
                    kind: "Create",
                    value: value.as_deref(),
                    field_name: field_name.as_str(),
                },
                AuditEvent::Change {
                    id,
                    field_name,
                    value,
                    previous_value,
                } => EventJson::Change {
                    id: *id,
                    kind: "Change",
                    value: value.as_deref(),
                    field_name: field_name.as_str(),
                    previous_value: previous_value.as_deref(),
                },
            })
            .collect();
        AuditJson {
            id: audit.id,
            ticket_id: audit.ticket_id,
            created_at: timestamp(audit.created_at),
            author_id: audit.author_id,
            metadata: MetadataJson {
                system: match &audit.client {
                    Some(client) => System::Client(SystemJson {
                        client,
                        ip_address: "127.0.0.1",
                        location: "Sandbox",
                        latitude: 0.0,
                        longitude: 0.0,
                    }),
                    None => System::Account {},
                },
                custom: json!({}),
            },
            events,
            via: via(audit.channel.code()),
        }
    }
}
