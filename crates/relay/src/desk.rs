//! The assistant's ticket actions on a site's ServiceNow instance, through flare-core.
//!
//! A visitor only ever sees their own tickets: every lookup checks that the ticket's requester
//! (`caller_id`, `requested_for`) is the visitor's `sys_user`, and one that is not answers exactly
//! as one that does not exist, so nobody learns another visitor's ticket numbers.

use flare_core::chat::assistant::{Report, Urgency};
use flare_core::chat::protocol::TicketCard;
use flare_core::driver::{Fetch, Outcome};
use flare_core::error::CoreError;
use flare_core::listing::{ListQuery, Scope};
use flare_core::providers::servicenow::{
    Level, NewIncident, NewRequest, SafeCreate, ServiceNow, Table, TicketFilter, VaSend, VaUser,
};
use flare_core::ticket::Ticket;

use crate::config::DeskConfig;
use crate::store::TicketRef;
use crate::transport::{drive, fetch, now_ms, send_once};

/// The most open tickets of one table the assistant lists.
const LIST_LIMIT: u32 = 10;

/// A site's service desk.
#[derive(Debug, Clone)]
pub struct Desk {
    servicenow: ServiceNow,
    client: reqwest::Client,
}

impl Desk {
    /// The desk `config` describes, reached with `client`.
    pub fn new(config: &DeskConfig, client: reqwest::Client) -> Desk {
        Desk {
            servicenow: ServiceNow::new(config.instance.clone(), config.credentials.clone()),
            client,
        }
    }

    /// The instance, for requests built elsewhere.
    pub fn servicenow(&self) -> &ServiceNow {
        &self.servicenow
    }

    /// The client that reaches it.
    pub fn client(&self) -> &reqwest::Client {
        &self.client
    }

    /// The `sys_id` of the user with this email address, if there is one.
    pub async fn user_by_email(&self, email: &str) -> Result<Option<String>, CoreError> {
        let response = fetch(&self.client, self.servicenow.user_by_email_request(email)).await?;
        let users = self.servicenow.parse_users(&response)?;
        Ok(users.into_iter().next().map(|user| user.sys_id))
    }

    /// Files an incident (`request: false`) or a request for `caller`, safe to retry with the
    /// same `correlation_id`: a retry finds the record an unanswered try made.
    pub async fn file(
        &self,
        caller: &str,
        report: &Report,
        request: bool,
        correlation_id: &str,
    ) -> Result<Ticket, CoreError> {
        let (table, fields) = match request {
            true => (
                Table::Request,
                NewRequest {
                    short_description: report.title.clone(),
                    description: report.description.clone(),
                    requested_for: caller.to_owned(),
                }
                .fields(),
            ),
            false => (
                Table::Incident,
                NewIncident {
                    short_description: report.title.clone(),
                    description: report.description.clone(),
                    urgency: level(report.urgency),
                    impact: Level::Medium,
                    caller_id: caller.to_owned(),
                    parent_incident: None,
                }
                .fields(),
            ),
        };
        let create = SafeCreate::new(self.servicenow.clone(), table, fields, correlation_id)
            // The relay may have been restarted mid-create: look before creating again.
            .looking_up_first();
        drive(&self.client, create).await
    }

    /// Files an incident holding a chat nobody from the desk could answer: its transcript in the
    /// description and as an attached file. The file is a courtesy: if it cannot be attached,
    /// the incident still stands.
    pub async fn file_transcript(
        &self,
        caller: Option<&str>,
        title: &str,
        transcript: &str,
        correlation_id: &str,
    ) -> Result<Ticket, CoreError> {
        let mut fields = NewIncident {
            short_description: title.to_owned(),
            description: transcript.to_owned(),
            urgency: Level::Medium,
            impact: Level::Low,
            caller_id: caller.unwrap_or_default().to_owned(),
            parent_incident: None,
        }
        .fields();
        if caller.is_none() {
            fields.remove("caller_id");
        }
        let create = SafeCreate::new(
            self.servicenow.clone(),
            Table::Incident,
            fields,
            correlation_id,
        )
        .looking_up_first();
        let ticket = drive(&self.client, create).await?;
        let upload = self.servicenow.upload_attachment_request(
            Table::Incident,
            &ticket.id,
            "chat-transcript.txt",
            "text/plain",
            transcript.as_bytes().to_vec(),
        );
        let uploaded = fetch(&self.client, upload)
            .await
            .and_then(|response| self.servicenow.parse_attachment(&response));
        if let Err(error) = uploaded {
            tracing::warn!(%error, ticket = %ticket.reference, "attaching the transcript failed");
        }
        Ok(ticket)
    }

    /// Attaches a conversation's transcript to `ticket`, once (the outbound queue retries); none
    /// for a table Flare does not know.
    pub async fn attach_transcript(&self, ticket: &TicketRef, transcript: &str) -> Option<Outcome> {
        let table = Table::from_name(&ticket.table)?;
        let upload = self.servicenow.upload_attachment_request(
            table,
            &ticket.sys_id,
            "chat-transcript.txt",
            "text/plain",
            transcript.as_bytes().to_vec(),
        );
        Some(send_once(&self.client, upload).await)
    }

    /// `caller`'s ticket with this number, or none (also when it is somebody else's).
    pub async fn mine_by_number(
        &self,
        caller: &str,
        number: &str,
    ) -> Result<Option<(Table, Ticket)>, CoreError> {
        let Some(table) = table_of(number) else {
            return Ok(None);
        };
        let response = fetch(
            &self.client,
            self.servicenow.find_by_number_request(table, number),
        )
        .await?;
        let ticket = self.servicenow.parse_found_ticket(table, &response)?;
        Ok(ticket
            .filter(|ticket| {
                ticket
                    .requester
                    .as_ref()
                    .is_some_and(|person| person.id == caller)
            })
            .map(|ticket| (table, ticket)))
    }

    /// `caller`'s open incidents and requests, most recently changed first.
    pub async fn open_tickets(&self, caller: &str) -> Result<Vec<Ticket>, CoreError> {
        let incidents = ListQuery {
            scope: Scope::Open,
            ..ListQuery::default()
        }
        .servicenow_filter(caller);
        let requests = TicketFilter {
            requester: Some(caller.to_owned()),
            active: Some(true),
            ..TicketFilter::default()
        };
        let mut tickets = Vec::new();
        for (table, filter) in [(Table::Incident, incidents), (Table::Request, requests)] {
            let request = self
                .servicenow
                .list_tickets_request(table, &filter, LIST_LIMIT, 0);
            let response = fetch(&self.client, request).await?;
            let page = self
                .servicenow
                .parse_ticket_page(table, &response, LIST_LIMIT, 0)?;
            tickets.extend(page.items);
        }
        Ok(tickets)
    }

    /// Adds a comment the caller and the agents see, once even if the reply is lost.
    pub async fn comment(
        &self,
        table: Table,
        ticket: &Ticket,
        text: &str,
    ) -> Result<(), CoreError> {
        let request = self
            .servicenow
            .add_comment_request(table, &ticket.id, text, true);
        let response = drive(&self.client, Fetch::appending(request)).await?;
        self.servicenow.parse_ticket(table, &response).map(drop)
    }

    /// Posts one message to the Virtual Agent, once: the outbound queue decides about retries.
    pub async fn post_va(
        &self,
        request_id: &str,
        session: &str,
        user: &VaUser,
        send: &VaSend,
        instance_token: Option<&str>,
    ) -> Outcome {
        let mut request =
            self.servicenow
                .va_request(request_id, session, user, send, now_ms() / 1000);
        if let Some(token) = instance_token {
            request = request.with_header("token", token);
        }
        send_once(&self.client, request).await
    }

    /// A ticket as the chat shows it.
    pub fn card(&self, ticket: &Ticket) -> TicketCard {
        TicketCard {
            number: ticket.reference.clone(),
            title: ticket.title.clone(),
            state: ticket.status.label.clone(),
            link: ticket.web_link.clone(),
        }
    }
}

/// The table a number belongs to by its prefix.
fn table_of(number: &str) -> Option<Table> {
    let upper = number.trim().to_uppercase();
    if upper.starts_with("INC") {
        return Some(Table::Incident);
    }
    upper.starts_with("REQ").then_some(Table::Request)
}

fn level(urgency: Urgency) -> Level {
    match urgency {
        Urgency::High => Level::High,
        Urgency::Medium => Level::Medium,
        Urgency::Low => Level::Low,
    }
}
