//! Tickets in their recorded shape, alone, in lists, as search results and as the incremental
//! exports hand them out, and their comments.

use flare_core::providers::zendesk::TicketStatus;
use serde::Serialize;
use serde_json::{json, Value};

use crate::zendesk::account::{Attachment, Comment, ExportedTicket, Ticket};
use crate::zendesk::settings::{BRAND_ID, TICKET_FORM_ID};
use crate::zendesk::wire::audits::AuditJson;
use crate::zendesk::wire::files::AttachmentJson;
use crate::zendesk::wire::{timestamp, via, Renderer, SearchResultJson, Via};

#[derive(Serialize)]
pub(crate) struct TicketJson<'a> {
    url: String,
    id: u64,
    external_id: Option<&'a str>,
    via: Via,
    created_at: String,
    updated_at: String,
    #[serde(rename = "type")]
    ticket_type: Option<&'static str>,
    subject: Option<&'a str>,
    raw_subject: Option<&'a str>,
    description: &'a str,
    priority: Option<&'static str>,
    status: &'static str,
    recipient: Option<&'a str>,
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
    custom_status_id: u64,
    /// Left out of cursor-paged lists, as recorded (`TestTicketsPagination.test_pagination`).
    #[serde(skip_serializing_if = "Option::is_none")]
    fields: Option<[Value; 0]>,
    followup_ids: [u64; 0],
    ticket_form_id: u64,
    brand_id: u64,
    allow_channelback: bool,
    allow_attachments: bool,
    from_messaging_channel: bool,
}

/// `{"ticket": ..., "audit": ...}`, the reply to a create or an update.
#[derive(Serialize)]
pub(crate) struct TicketAuditJson<'a> {
    pub(crate) ticket: TicketJson<'a>,
    pub(crate) audit: AuditJson<'a>,
}

/// A comment in a ticket's comment list.
#[derive(Serialize)]
pub(crate) struct CommentJson<'a> {
    #[serde(flatten)]
    event: CommentEventJson<'a, Vec<AttachmentJson<'a>>>,
    via: Via,
    created_at: String,
    metadata: CommentMetadataJson,
}

/// A comment's own keys in the recorded order: all an audit's comment event carries (with the
/// attachments' ids), and the start of a listed comment (with the attachments themselves).
#[derive(Serialize)]
pub(crate) struct CommentEventJson<'a, A> {
    id: u64,
    #[serde(rename = "type")]
    kind: &'static str,
    author_id: u64,
    body: &'a str,
    html_body: String,
    plain_body: &'a str,
    public: bool,
    attachments: A,
    audit_id: u64,
}

#[derive(Serialize)]
struct CommentMetadataJson {
    system: Value,
    custom: Value,
}

impl<'a> Renderer<'a> {
    pub(crate) fn ticket(&self, ticket: &'a Ticket) -> TicketJson<'a> {
        TicketJson {
            url: self.record_url("tickets", ticket.id),
            id: ticket.id,
            external_id: ticket.external_id.as_deref(),
            via: via(ticket.channel.code()),
            created_at: timestamp(ticket.created_at),
            updated_at: timestamp(ticket.updated_at),
            ticket_type: ticket.ticket_type.map(|ticket_type| ticket_type.code()),
            subject: ticket.subject.as_deref(),
            raw_subject: ticket.subject.as_deref(),
            description: &ticket.description,
            priority: ticket.priority.map(|priority| priority.code()),
            status: ticket.status.code(),
            recipient: None,
            requester_id: ticket.requester_id,
            submitter_id: ticket.submitter_id,
            assignee_id: ticket.assignee_id,
            organization_id: ticket.organization_id,
            group_id: ticket.group_id,
            collaborator_ids: [],
            follower_ids: [],
            email_cc_ids: [],
            forum_topic_id: None,
            problem_id: None,
            has_incidents: false,
            is_public: ticket.is_public,
            due_at: None,
            tags: &ticket.tags,
            custom_fields: [],
            satisfaction_rating: None,
            sharing_agreement_ids: [],
            custom_status_id: custom_status_id(ticket.status),
            fields: Some([]),
            followup_ids: [],
            ticket_form_id: TICKET_FORM_ID,
            brand_id: BRAND_ID,
            allow_channelback: false,
            allow_attachments: true,
            from_messaging_channel: false,
        }
    }

    /// A ticket as the incremental exports hand it out: a soft-deleted one with status `deleted`
    /// (recorded `TicketsIncrementalTest.test_get_values`).
    pub(crate) fn exported_ticket(&self, exported: ExportedTicket<'a>) -> TicketJson<'a> {
        let ticket = self.ticket(exported.ticket);
        match exported.deleted {
            true => TicketJson {
                status: "deleted",
                ..ticket
            },
            false => ticket,
        }
    }

    /// A ticket in a cursor-paged list, which real accounts send without `fields`.
    pub(crate) fn ticket_in_cursor_page(&self, ticket: &'a Ticket) -> TicketJson<'a> {
        TicketJson {
            fields: None,
            ..self.ticket(ticket)
        }
    }

    pub(crate) fn search_result(&self, ticket: &'a Ticket) -> SearchResultJson<TicketJson<'a>> {
        SearchResultJson {
            object: self.ticket(ticket),
            result_type: "ticket",
        }
    }

    pub(crate) fn comment(
        &self,
        comment: &'a Comment,
        attachments: Vec<&'a Attachment>,
    ) -> CommentJson<'a> {
        let attachments = attachments
            .into_iter()
            .map(|attachment| self.attachment(attachment))
            .collect();
        CommentJson {
            event: comment_event(comment, attachments),
            via: via(comment.channel.code()),
            created_at: timestamp(comment.created_at),
            metadata: CommentMetadataJson {
                system: json!({}),
                custom: json!({}),
            },
        }
    }
}

/// A comment's own keys, with `attachments` as the caller renders them.
pub(crate) fn comment_event<A>(comment: &Comment, attachments: A) -> CommentEventJson<'_, A> {
    CommentEventJson {
        id: comment.id,
        kind: "Comment",
        author_id: comment.author_id,
        body: &comment.body,
        html_body: html_body(&comment.body),
        plain_body: &comment.body,
        public: comment.public,
        attachments,
        audit_id: comment.audit_id,
    }
}

/// Each status has its own system custom status in an account; the sandbox numbers them.
fn custom_status_id(status: TicketStatus) -> u64 {
    let index = TicketStatus::ALL
        .iter()
        .position(|known| *known == status)
        .unwrap_or_default();
    360_000_000_100 + index as u64
}

/// The recorded `html_body` wrapping, with the text escaped and one paragraph per blank-line block.
fn html_body(body: &str) -> String {
    let escaped = body
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;");
    let paragraphs: String = escaped
        .split("\n\n")
        .filter(|paragraph| !paragraph.trim().is_empty())
        .map(|paragraph| format!("<p dir=\"auto\">{}</p>", paragraph.replace('\n', "<br>")))
        .collect();
    format!("<div class=\"zd-comment\" dir=\"auto\">{paragraphs}</div>")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_comments_as_recorded() {
        assert_eq!(
            html_body("test"),
            "<div class=\"zd-comment\" dir=\"auto\"><p dir=\"auto\">test</p></div>"
        );
        assert_eq!(
            html_body("a <b>\n\nc"),
            "<div class=\"zd-comment\" dir=\"auto\"><p dir=\"auto\">a &lt;b&gt;</p><p dir=\"auto\">c</p></div>"
        );
    }
}
