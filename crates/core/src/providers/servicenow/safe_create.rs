//! Creating a ticket so that retrying never makes a duplicate.
//!
//! A create is not idempotent: when the connection drops after the instance committed the record,
//! sending it again makes a second one. So every create carries a client-made `correlation_id`, and
//! before sending it again Flare looks the record up by that id.

use std::collections::BTreeMap;

use crate::driver::Operation;
use crate::error::CoreError;
use crate::http::{HttpRequest, HttpResponse, Method};
use crate::providers::servicenow::{ServiceNow, Table};
use crate::query::{Condition, EncodedQuery, Operator};
use crate::retry::{Attempt, CreatePhase, CreateStep};
use crate::ticket::Ticket;

/// A create in progress. Poll [`SafeCreate::request`], send it, feed the outcome to
/// [`SafeCreate::handle`], and follow the returned [`CreateStep`]. The caller decides how often and
/// how long to wait between rounds (with [`crate::retry::RetryPolicy`]).
#[derive(Debug, Clone)]
pub struct SafeCreate {
    servicenow: ServiceNow,
    table: Table,
    fields: BTreeMap<String, String>,
    correlation_id: String,
    phase: CreatePhase,
}

impl SafeCreate {
    /// Prepares a create of `fields` in `table`; `correlation_id` must be unique per ticket the user
    /// means to file (a UUID from the caller's random source).
    pub fn new(
        servicenow: ServiceNow,
        table: Table,
        mut fields: BTreeMap<String, String>,
        correlation_id: &str,
    ) -> SafeCreate {
        fields.insert("correlation_id".to_owned(), correlation_id.to_owned());
        SafeCreate {
            servicenow,
            table,
            fields,
            correlation_id: correlation_id.to_owned(),
            phase: CreatePhase::default(),
        }
    }

    /// The same create, for a ticket that may have been created already by an earlier try whose
    /// outcome is unknown (a report retried from a queue): it is looked up by its correlation id
    /// first, and created only if it is not there.
    pub fn looking_up_first(mut self) -> SafeCreate {
        self.phase = CreatePhase::Checking;
        self
    }

    /// The request to send now: the create, or the lookup by correlation id after an unanswered create.
    pub fn request(&self) -> HttpRequest {
        match self.phase {
            CreatePhase::Creating => self
                .servicenow
                .create_ticket_request(self.table, &self.fields),
            CreatePhase::Checking => {
                let query = EncodedQuery::default().and(Condition::new(
                    "correlation_id",
                    Operator::Equals,
                    &self.correlation_id,
                ));
                self.servicenow
                    .list_request(self.table, &query.to_string(), 1, 0)
            }
        }
    }

    /// Takes the outcome of the request last returned by [`SafeCreate::request`].
    pub fn handle(&mut self, outcome: Attempt<'_>) -> CreateStep {
        let (servicenow, table) = (&self.servicenow, self.table);
        self.phase.handle(
            outcome,
            |response| servicenow.parse_ticket(table, response),
            |response| servicenow.parse_found_ticket(table, response),
        )
    }
}

/// Driven by [`crate::driver::Driver`]: the lookup by correlation id makes repeating it safe.
impl Operation for SafeCreate {
    type Output = Ticket;

    fn request(&self) -> HttpRequest {
        SafeCreate::request(self)
    }

    fn retry_method(&self) -> Method {
        Method::Get
    }

    fn handle(&mut self, outcome: Attempt<'_>) -> CreateStep {
        SafeCreate::handle(self, outcome)
    }

    fn give_up(&self, response: &HttpResponse) -> Result<Ticket, CoreError> {
        self.servicenow.parse_ticket(self.table, response)
    }
}
