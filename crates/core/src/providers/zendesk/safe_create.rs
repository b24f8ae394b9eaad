//! Creating a Zendesk ticket so that retrying never makes a duplicate.
//!
//! A create is not idempotent: when the connection drops after Zendesk committed the ticket,
//! sending it again makes a second one. So every create carries a client-made correlation id in
//! `external_id`, and before sending it again Flare lists the tickets with that `external_id`
//! (List Tickets takes it as a filter, `shared/reference/zendesk/tickets.yml`). That list reads the
//! database, not the search index, so a ticket committed a moment ago is already there.

use crate::driver::Operation;
use crate::error::CoreError;
use crate::http::{HttpRequest, HttpResponse, Method};
use crate::providers::zendesk::{NewTicket, Zendesk};
use crate::retry::{Attempt, CreatePhase, CreateStep};
use crate::ticket::Ticket;

/// A create in progress. Poll [`SafeCreate::request`], send it, feed the outcome to
/// [`SafeCreate::handle`], and follow the returned [`CreateStep`]. The caller decides how often and
/// how long to wait between rounds (with [`crate::retry::RetryPolicy`]).
#[derive(Debug, Clone)]
pub struct SafeCreate {
    zendesk: Zendesk,
    ticket: NewTicket,
    correlation_id: String,
    phase: CreatePhase,
}

impl SafeCreate {
    /// Prepares a create of `ticket`, with `correlation_id` as its `external_id`; the id must be
    /// unique per ticket the user means to file (a UUID from the caller's random source).
    pub fn new(zendesk: Zendesk, ticket: NewTicket, correlation_id: &str) -> SafeCreate {
        SafeCreate {
            zendesk,
            ticket: NewTicket {
                external_id: Some(correlation_id.to_owned()),
                ..ticket
            },
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

    /// The request to send now: the create, or the lookup by correlation id after a create whose
    /// outcome is unknown.
    pub fn request(&self) -> HttpRequest {
        match self.phase {
            CreatePhase::Creating => self.zendesk.create_ticket_request(&self.ticket),
            CreatePhase::Checking => self
                .zendesk
                .find_by_external_id_request(&self.correlation_id),
        }
    }

    /// Takes the outcome of the request last returned by [`SafeCreate::request`].
    pub fn handle(&mut self, outcome: Attempt<'_>) -> CreateStep {
        let zendesk = &self.zendesk;
        self.phase.handle(
            outcome,
            |response| zendesk.parse_ticket(response),
            // `external_id` need not be unique in Zendesk; the earliest ticket is ours.
            |response| Ok(zendesk.parse_tickets(response)?.into_iter().next()),
        )
    }
}

/// Driven by [`crate::driver::Driver`]: the lookup by `external_id` makes repeating it safe.
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
        self.zendesk.parse_ticket(response)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::instance::InstanceUrl;
    use crate::providers::zendesk::api_token_credentials;

    fn safe_create() -> SafeCreate {
        let instance = InstanceUrl::parse_zendesk("acme").expect("valid instance");
        let zendesk = Zendesk::new(instance, api_token_credentials("jdoe@example.com", "x"));
        let ticket = NewTicket {
            subject: "Printer on fire".into(),
            body: "It smokes".into(),
            ..NewTicket::default()
        };
        SafeCreate::new(zendesk, ticket, "flare-7f3a")
    }

    fn reply(status: u16, body: &str) -> HttpResponse {
        HttpResponse::new(
            status,
            vec![("Content-Type".into(), "application/json".into())],
            body,
        )
    }

    /// Feeds outcomes in turn and checks the step each gives and the request sent next.
    fn check(outcomes: &[(Option<HttpResponse>, &str, Method, &str)]) {
        let mut create = safe_create();
        for (outcome, step, method, next_url) in outcomes {
            let actual = match outcome {
                Some(response) => create.handle(Attempt::Response(response)),
                None => create.handle(Attempt::NetworkError),
            };
            let actual_step = match &actual {
                CreateStep::Done(ticket) => format!("done {}", ticket.reference),
                CreateStep::Again => "again".to_owned(),
                CreateStep::Failed(error) => format!("failed {error}"),
            };
            assert_eq!(&actual_step, step);
            let request = create.request();
            assert_eq!((&request.method, request.url.as_str()), (method, *next_url));
        }
    }

    const CREATE: &str = "https://acme.zendesk.com/api/v2/tickets.json";
    const LOOKUP: &str = "https://acme.zendesk.com/api/v2/tickets.json?external_id=flare-7f3a";

    #[test]
    fn a_create_retried_from_a_queue_looks_first() {
        let mut create = safe_create().looking_up_first();
        assert_eq!(create.request().url, LOOKUP);
        let none = reply(
            200,
            r#"{"tickets":[],"count":0,"next_page":null,"previous_page":null}"#,
        );
        assert!(matches!(
            create.handle(Attempt::Response(&none)),
            CreateStep::Again
        ));
        assert_eq!(create.request().url, CREATE, "not there: created now");
    }

    #[test]
    fn the_create_carries_the_correlation_id() {
        let request = safe_create().request();
        assert_eq!(request.url, CREATE);
        let body: serde_json::Value =
            serde_json::from_str(request.body_text().expect("a body")).expect("json");
        assert_eq!(body["ticket"]["external_id"], "flare-7f3a");
    }

    #[test]
    fn a_lost_reply_is_looked_up_before_creating_again() {
        let found = reply(
            200,
            r#"{"tickets":[{"id":4017,"external_id":"flare-7f3a","status":"new"}],"next_page":null,"count":1}"#,
        );
        check(&[
            (None, "again", Method::Get, LOOKUP),
            (Some(found), "done #4017", Method::Get, LOOKUP),
        ]);
    }

    #[test]
    fn a_create_that_never_arrived_is_sent_again() {
        let none = reply(200, r#"{"tickets":[],"next_page":null,"count":0}"#);
        let created = reply(201, r#"{"ticket":{"id":4018,"status":"new"},"audit":{}}"#);
        check(&[
            (Some(reply(502, "")), "again", Method::Get, LOOKUP),
            (Some(none), "again", Method::Post, CREATE),
            (Some(created), "done #4018", Method::Post, CREATE),
        ]);
    }

    #[test]
    fn rate_limits_wait_and_refusals_stop() {
        let limited = reply(429, "Number of allowed API requests per minute exceeded");
        let invalid = reply(
            422,
            r#"{"error":"RecordInvalid","description":"Record validation errors","details":{"base":[{"description":"Description: cannot be blank"}]}}"#,
        );
        check(&[
            (Some(limited), "again", Method::Post, CREATE),
            (
                Some(invalid),
                "failed rejected by the instance: Description: cannot be blank",
                Method::Post,
                CREATE,
            ),
        ]);
    }
}
