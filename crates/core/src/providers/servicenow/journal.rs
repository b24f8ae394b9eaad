//! Comments and work notes: the journal of a ticket (`sys_journal_field`).

use crate::error::CoreError;
use crate::http::{HttpRequest, HttpResponse};
use crate::providers::servicenow::table::Table;
use crate::providers::servicenow::{check, wire, ServiceNow};
use crate::query::{Condition, EncodedQuery, Operator};
use crate::ticket::Comment;

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
                (
                    "sysparm_fields",
                    "sys_id,element,element_id,value,sys_created_on,sys_created_by",
                ),
                ("sysparm_limit", &limit),
            ],
        )
    }

    /// Reads the journal; work notes come back with `public: false`.
    pub fn parse_journal(&self, response: &HttpResponse) -> Result<Vec<Comment>, CoreError> {
        let records = wire::list_result(check(response, 200)?)?;
        records
            .into_iter()
            .map(|record| {
                Ok(Comment {
                    id: record.required("sys_id")?.to_owned(),
                    author: record.created_by(),
                    body: record.value("value").unwrap_or_default().to_owned(),
                    created: record.timestamp("sys_created_on"),
                    public: record.value("element") != Some("work_notes"),
                })
            })
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
