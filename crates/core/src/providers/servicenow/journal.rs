//! Comments and work notes: the journal of a ticket (`sys_journal_field`).

use crate::error::CoreError;
use crate::http::{HttpRequest, HttpResponse};
use crate::providers::servicenow::table::Table;
use crate::providers::servicenow::{check, wire, ServiceNow};
use crate::query::{Condition, EncodedQuery, Operator};
use crate::ticket::{Comment, Timestamp};

impl ServiceNow {
    /// The journal of a ticket, oldest entry first: additional comments and, for agents, work notes.
    pub fn journal_request(&self, ticket_sys_id: &str, limit: u32) -> HttpRequest {
        let query = EncodedQuery::default()
            .and(Condition::new(
                "element_id",
                Operator::Equals,
                ticket_sys_id,
            ))
            .and(Condition::new(
                "element",
                Operator::In,
                "comments,work_notes",
            ))
            .order_by("sys_created_on");
        let limit = limit
            .clamp(1, crate::providers::servicenow::MAX_PAGE_SIZE)
            .to_string();
        self.get(
            "sys_journal_field",
            &[
                ("sysparm_query", &query.to_string()),
                ("sysparm_fields", JOURNAL_FIELDS),
                ("sysparm_limit", &limit),
            ],
        )
    }

    /// The comments and work notes written after `since` on any of `ticket_sys_ids`, oldest first:
    /// what a sync reads (read it with [`ServiceNow::parse_journal_by_ticket`]).
    pub fn journal_since_request(
        &self,
        ticket_sys_ids: &[String],
        since: Timestamp,
        limit: u32,
    ) -> HttpRequest {
        let query = EncodedQuery::default()
            .and(Condition::new(
                "element_id",
                Operator::In,
                &ticket_sys_ids.join(","),
            ))
            .and(Condition::new(
                "element",
                Operator::In,
                "comments,work_notes",
            ))
            .and(Condition::new(
                "sys_created_on",
                Operator::GreaterThan,
                &since.to_servicenow(),
            ))
            .order_by("sys_created_on");
        let limit = limit
            .clamp(1, crate::providers::servicenow::MAX_PAGE_SIZE)
            .to_string();
        self.get(
            "sys_journal_field",
            &[
                ("sysparm_query", &query.to_string()),
                ("sysparm_fields", JOURNAL_FIELDS),
                ("sysparm_limit", &limit),
            ],
        )
    }

    /// Reads journal entries with the `sys_id` of the ticket each belongs to.
    pub fn parse_journal_by_ticket(
        &self,
        response: &HttpResponse,
    ) -> Result<Vec<(String, Comment)>, CoreError> {
        wire::list_result(check(response, 200)?)?
            .into_iter()
            .map(|record| {
                let ticket = record.required("element_id")?.to_owned();
                Ok((ticket, journal_entry(&record)?))
            })
            .collect()
    }

    /// Reads the journal; work notes come back with `public: false`.
    pub fn parse_journal(&self, response: &HttpResponse) -> Result<Vec<Comment>, CoreError> {
        wire::list_result(check(response, 200)?)?
            .iter()
            .map(journal_entry)
            .collect()
    }

    /// Adds a comment (seen by the requester) or, with `public: false`, a work note (agents only).
    /// Journal fields are written by setting them on the record; the instance appends an entry.
    pub fn add_comment_request(
        &self,
        table: Table,
        ticket_sys_id: &str,
        body: &str,
        public: bool,
    ) -> HttpRequest {
        let field = if public { "comments" } else { "work_notes" };
        let fields = [(field.to_owned(), body.to_owned())].into_iter().collect();
        self.update_ticket_request(table, ticket_sys_id, &fields)
    }
}

/// The journal fields Flare reads.
const JOURNAL_FIELDS: &str = "sys_id,element,element_id,value,sys_created_on,sys_created_by";

fn journal_entry(record: &wire::Record) -> Result<Comment, CoreError> {
    Ok(Comment {
        id: record.required("sys_id")?.to_owned(),
        author: record.created_by(),
        body: record.value("value").unwrap_or_default().to_owned(),
        created: record.timestamp("sys_created_on"),
        public: record.value("element") != Some("work_notes"),
    })
}
