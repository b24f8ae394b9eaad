//! Tickets in any ticket table: list with filters and paging, get, find, create, update, delete.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::error::CoreError;
use crate::http::{encode_component, query_string, HttpRequest, HttpResponse, Method};
use crate::paging::{parse_link_header, query_param, Page};
use crate::providers::servicenow::table::Table;
use crate::providers::servicenow::{check, wire, ServiceNow};
use crate::query::{Condition, EncodedQuery, Operator};
use crate::ticket::{Ticket, Timestamp};

/// The most rows one Table API call returns (`glide.db.max_view_records`, 10000 by default).
pub const MAX_PAGE_SIZE: u32 = 10_000;

/// Which tickets to list. Empty fields do not filter.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TicketFilter {
    /// Any of these `state` codes.
    pub states: Vec<String>,
    /// None of these `state` codes.
    pub excluded_states: Vec<String>,
    /// The requester (`caller_id`, `requested_for`, ...) by `sys_id`; [`crate::query::CURRENT_USER`]
    /// means the signed-in user.
    pub requester: Option<String>,
    /// The assignee's `sys_id`.
    pub assigned_to: Option<String>,
    /// Any of these assignment groups, by `sys_id`; empty for any group or none.
    pub assignment_groups: Vec<String>,
    /// Any of these `priority` codes.
    pub priorities: Vec<String>,
    /// Only tickets changed after this instant (a delta-sync watermark).
    pub updated_since: Option<Timestamp>,
    /// Words in the number, short description or description.
    pub text: Option<String>,
    /// Only active tickets (`Some(true)`) or only inactive ones: resolved, closed, cancelled.
    pub active: Option<bool>,
    /// The order of the list.
    pub sort: TicketSort,
}

/// The orders a ticket list comes in.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum TicketSort {
    /// Newest change first.
    #[default]
    UpdatedNewest,
    /// Newest ticket first.
    CreatedNewest,
    /// Most urgent first (`priority` 1 first), newest change first within one priority.
    Priority,
}

/// The fields Flare reads from tickets; asking for fewer keeps replies small.
const TICKET_FIELDS: &[&str] = &[
    "sys_id",
    "number",
    "short_description",
    "description",
    "state",
    "priority",
    "urgency",
    "impact",
    "caller_id",
    "requested_for",
    "requested_by",
    "request",
    "parent",
    "parent_incident",
    "assigned_to",
    "assignment_group",
    "opened_at",
    "sys_created_on",
    "sys_updated_on",
    "correlation_id",
    "close_code",
    "close_notes",
];

impl TicketFilter {
    /// The encoded query for this filter on `table`, in its order.
    pub fn to_query(&self, table: Table) -> EncodedQuery {
        let mut query = EncodedQuery::default();
        let mut and = |condition: Condition| query = std::mem::take(&mut query).and(condition);
        if let Some(active) = self.active {
            let active = if active { "true" } else { "false" };
            and(Condition::new("active", Operator::Equals, active));
        }
        if !self.states.is_empty() {
            and(Condition::new(
                "state",
                Operator::In,
                &self.states.join(","),
            ));
        }
        if !self.excluded_states.is_empty() {
            and(Condition::new(
                "state",
                Operator::NotIn,
                &self.excluded_states.join(","),
            ));
        }
        if let Some(requester) = &self.requester {
            and(Condition::new(
                table.requester_field(),
                Operator::Equals,
                requester,
            ));
        }
        if let Some(assignee) = &self.assigned_to {
            and(Condition::new("assigned_to", Operator::Equals, assignee));
        }
        match self.assignment_groups.as_slice() {
            [] => {}
            [group] => and(Condition::new("assignment_group", Operator::Equals, group)),
            groups => and(Condition::new(
                "assignment_group",
                Operator::In,
                &groups.join(","),
            )),
        }
        if !self.priorities.is_empty() {
            and(Condition::new(
                "priority",
                Operator::In,
                &self.priorities.join(","),
            ));
        }
        if let Some(since) = self.updated_since {
            and(Condition::new(
                "sys_updated_on",
                Operator::GreaterThan,
                &since.to_servicenow(),
            ));
        }
        let mut query = match self
            .text
            .as_deref()
            .map(str::trim)
            .filter(|text| !text.is_empty())
        {
            Some(text) => query
                .and(Condition::new("number", Operator::Like, text))
                .or(Condition::new("short_description", Operator::Like, text))
                .or(Condition::new("description", Operator::Like, text)),
            None => query,
        };
        query = match self.sort {
            TicketSort::UpdatedNewest => query.order_by_desc("sys_updated_on"),
            TicketSort::CreatedNewest => query.order_by_desc("sys_created_on"),
            TicketSort::Priority => query.order_by("priority").order_by_desc("sys_updated_on"),
        };
        query
    }
}

impl ServiceNow {
    /// A page of tickets from `table` matching `filter`, in its order.
    pub fn list_tickets_request(
        &self,
        table: Table,
        filter: &TicketFilter,
        limit: u32,
        offset: u64,
    ) -> HttpRequest {
        let query = filter.to_query(table).to_string();
        self.list_request(table, &query, limit, offset)
    }

    /// A page of tickets from `table` for an encoded query the caller built.
    pub fn list_request(
        &self,
        table: Table,
        encoded_query: &str,
        limit: u32,
        offset: u64,
    ) -> HttpRequest {
        let (limit, offset) = (
            limit.clamp(1, MAX_PAGE_SIZE).to_string(),
            offset.to_string(),
        );
        self.get(
            table.name(),
            &[
                ("sysparm_query", encoded_query),
                ("sysparm_fields", &TICKET_FIELDS.join(",")),
                ("sysparm_display_value", "all"),
                ("sysparm_exclude_reference_link", "true"),
                ("sysparm_limit", &limit),
                ("sysparm_offset", &offset),
            ],
        )
    }

    /// The items (`sc_req_item`) of a request (`sc_request`), oldest first.
    pub fn request_items_request(
        &self,
        request_sys_id: &str,
        limit: u32,
        offset: u64,
    ) -> HttpRequest {
        let query = EncodedQuery::default()
            .and(Condition::new("request", Operator::Equals, request_sys_id))
            .order_by("sys_created_on");
        self.list_request(Table::RequestItem, &query.to_string(), limit, offset)
    }

    /// Reads a page of tickets; `limit` and `offset` are the ones the request asked for.
    ///
    /// The next page comes from the `Link` header's `next` when there is one, else from
    /// `X-Total-Count`, else from whether the page came back full.
    pub fn parse_ticket_page(
        &self,
        table: Table,
        response: &HttpResponse,
        limit: u32,
        offset: u64,
    ) -> Result<Page<Ticket>, CoreError> {
        let records = wire::list_result(check(response, 200)?)?;
        let n_records = records.len() as u64;
        let total = response
            .header("x-total-count")
            .and_then(|value| value.trim().parse::<u64>().ok());
        let linked_next = response
            .header("link")
            .map(parse_link_header)
            .and_then(|links| links.next)
            .and_then(|url| query_param(&url, "sysparm_offset"))
            .and_then(|next| next.parse::<u64>().ok());
        let next_offset = match (linked_next, total) {
            (Some(next), Some(total)) => (next > offset && next < total).then_some(next),
            (Some(next), None) => (next > offset && n_records > 0).then_some(next),
            (None, Some(total)) => {
                (offset + n_records < total && n_records > 0).then_some(offset + n_records)
            }
            (None, None) => (n_records >= u64::from(limit.clamp(1, MAX_PAGE_SIZE)))
                .then_some(offset + n_records),
        };
        let items = records
            .into_iter()
            .map(|record| self.ticket(table, record))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Page {
            items,
            total,
            next_offset,
        })
    }

    /// One ticket by `sys_id`.
    pub fn get_ticket_request(&self, table: Table, sys_id: &str) -> HttpRequest {
        let query = query_string(&[
            ("sysparm_fields", &TICKET_FIELDS.join(",")),
            ("sysparm_display_value", "all"),
            ("sysparm_exclude_reference_link", "true"),
        ]);
        self.request(
            Method::Get,
            &format!("{}?{query}", record_path(table, sys_id)),
        )
    }

    /// The ticket with this number (`INC0010001`, `REQ0010001`, ...), found with a list query.
    pub fn find_by_number_request(&self, table: Table, number: &str) -> HttpRequest {
        let query =
            EncodedQuery::default().and(Condition::new("number", Operator::Equals, number.trim()));
        self.list_request(table, &query.to_string(), 1, 0)
    }

    /// The first ticket of a list reply, if any: the answer to a find.
    pub fn parse_found_ticket(
        &self,
        table: Table,
        response: &HttpResponse,
    ) -> Result<Option<Ticket>, CoreError> {
        let records = wire::list_result(check(response, 200)?)?;
        records
            .into_iter()
            .next()
            .map(|record| self.ticket(table, record))
            .transpose()
    }

    /// Creates a ticket with these field values. `correlation_id` lets a retried create find the
    /// record an earlier, unanswered attempt may have made (see [`crate::providers::servicenow::SafeCreate`]).
    pub fn create_ticket_request(
        &self,
        table: Table,
        fields: &BTreeMap<String, String>,
    ) -> HttpRequest {
        self.write_request(
            Method::Post,
            &format!("/api/now/table/{}", table.name()),
            fields,
        )
    }

    /// Changes some fields of a ticket (`PATCH`); fields not named stay as they are.
    pub fn update_ticket_request(
        &self,
        table: Table,
        sys_id: &str,
        fields: &BTreeMap<String, String>,
    ) -> HttpRequest {
        self.write_request(Method::Patch, &record_path(table, sys_id), fields)
    }

    /// Reads the reply to a get, create or update of one ticket.
    pub fn parse_ticket(&self, table: Table, response: &HttpResponse) -> Result<Ticket, CoreError> {
        let expected = if response.status == 201 { 201 } else { 200 };
        self.ticket(table, wire::single_result(check(response, expected)?)?)
    }

    /// Deletes a ticket.
    pub fn delete_ticket_request(&self, table: Table, sys_id: &str) -> HttpRequest {
        self.request(Method::Delete, &record_path(table, sys_id))
    }

    /// Reads the reply to a delete: 204 and no body.
    pub fn parse_deleted(&self, response: &HttpResponse) -> Result<(), CoreError> {
        check(response, 204).map(drop)
    }

    pub(crate) fn ticket(&self, table: Table, record: wire::Record) -> Result<Ticket, CoreError> {
        let ticket = record.into_ticket(table)?;
        let web_link = self.record_link(table.name(), &ticket.id);
        Ok(Ticket { web_link, ..ticket })
    }

    /// A create or update at `path`: the field values as a JSON object of strings, and the
    /// written record back in full, with display values.
    fn write_request(
        &self,
        method: Method,
        path: &str,
        fields: &BTreeMap<String, String>,
    ) -> HttpRequest {
        let body = fields
            .iter()
            .map(|(name, value)| (name.clone(), Value::String(value.clone())))
            .collect();
        let query = query_string(&[
            ("sysparm_fields", &TICKET_FIELDS.join(",")),
            ("sysparm_display_value", "all"),
        ]);
        self.request(method, &format!("{path}?{query}"))
            .with_json(&Value::Object(body))
    }
}

/// A lazy walk over every page of a ticket list: one request at a time, never one giant request.
///
/// Poll [`TicketPages::next_request`]; send it; hand the reply to [`TicketPages::handle`]; stop when
/// `next_request` returns `None`.
#[derive(Debug, Clone)]
pub struct TicketPages {
    servicenow: ServiceNow,
    table: Table,
    encoded_query: String,
    page_size: u32,
    next_offset: Option<u64>,
}

impl TicketPages {
    /// Starts at the first page of `table` matching `filter`.
    pub fn new(
        servicenow: ServiceNow,
        table: Table,
        filter: &TicketFilter,
        page_size: u32,
    ) -> TicketPages {
        TicketPages {
            servicenow,
            table,
            encoded_query: filter.to_query(table).to_string(),
            page_size: page_size.clamp(1, MAX_PAGE_SIZE),
            next_offset: Some(0),
        }
    }

    /// The request for the next page, or `None` once the last page was handled.
    pub fn next_request(&self) -> Option<HttpRequest> {
        let offset = self.next_offset?;
        Some(
            self.servicenow
                .list_request(self.table, &self.encoded_query, self.page_size, offset),
        )
    }

    /// Reads the reply to the last [`TicketPages::next_request`] and moves on.
    pub fn handle(&mut self, response: &HttpResponse) -> Result<Vec<Ticket>, CoreError> {
        let offset = self.next_offset.unwrap_or_default();
        let page =
            self.servicenow
                .parse_ticket_page(self.table, response, self.page_size, offset)?;
        self.next_offset = page.next_offset;
        Ok(page.items)
    }
}

/// The Table API path of one record.
fn record_path(table: Table, sys_id: &str) -> String {
    format!(
        "/api/now/table/{}/{}",
        table.name(),
        encode_component(sys_id)
    )
}
