//! The assistant's ticket actions on a site's ServiceNow instance, through flare-core.
//!
//! A visitor only ever sees their own tickets: every lookup checks that the ticket's requester
//! (`caller_id`, `requested_for`) is the visitor's `sys_user`, and one that is not answers exactly
//! as one that does not exist, so nobody learns another visitor's ticket numbers.
//!
//! `auth.rs`: Basic or OAuth with a refresh token; every call signs in with the credentials of
//! the moment, and a 401 makes the next call refresh first.

mod auth;

use std::collections::HashMap;
use std::sync::Arc;

use flare_core::auth::Credentials;
use flare_core::chat::assistant::{Report, Urgency};
use flare_core::chat::protocol::TicketCard;
use flare_core::driver::{Fetch, Operation, Outcome};
use flare_core::error::CoreError;
use flare_core::http::{HttpRequest, HttpResponse};
use flare_core::instance::InstanceUrl;
use flare_core::listing::{ListQuery, Scope};
use flare_core::oauth::OAuthEndpoints;
use flare_core::providers::servicenow::{
    Level, NewIncident, NewRequest, SafeCreate, ServiceNow, Table, TicketFilter, VaSend, VaUser,
};
use flare_core::ticket::Ticket;
use tokio::sync::{Mutex, OnceCell};

use crate::config::DeskConfig;
use crate::desk::auth::Auth;
use crate::store::{Store, TicketRef};
use crate::transport::{drive, fetch, now_ms, send_once};

/// The most open tickets of one table the assistant lists.
const LIST_LIMIT: u32 = 10;

/// A site's service desk.
#[derive(Clone)]
pub struct Desk {
    instance: InstanceUrl,
    auth: Auth,
    client: reqwest::Client,
    /// The integration user's name, once known: comments by it are the relay's own.
    me: Arc<OnceCell<String>>,
    /// Desk users' names for people, by user name, as looked up.
    names: Arc<Mutex<HashMap<String, String>>>,
}

/// The instance with the credentials of the moment.
pub struct SignedIn {
    servicenow: ServiceNow,
    credentials: Credentials,
}

impl SignedIn {
    /// The instance, for requests built elsewhere.
    pub fn servicenow(&self) -> &ServiceNow {
        &self.servicenow
    }
}

impl Desk {
    /// The desk `config` describes for `site`, reached with `client`; OAuth tokens are kept in
    /// `store`.
    pub fn new(
        config: &DeskConfig,
        client: reqwest::Client,
        store: Arc<dyn Store>,
        site: &str,
    ) -> Desk {
        let endpoints = OAuthEndpoints::servicenow(&config.instance);
        Desk {
            instance: config.instance.clone(),
            auth: Auth::new(&config.auth, endpoints, store, site),
            client,
            me: Arc::default(),
            names: Arc::default(),
        }
    }

    /// The instance signed in for the next calls.
    pub async fn signed_in(&self) -> Result<SignedIn, CoreError> {
        let credentials = self.auth.credentials(&self.client).await?;
        Ok(SignedIn {
            servicenow: ServiceNow::new(self.instance.clone(), credentials.clone()),
            credentials,
        })
    }

    /// Sends `request` as `signed` (retried as its method allows); refused for its token, once
    /// more with a fresh one.
    pub async fn fetch(
        &self,
        signed: &SignedIn,
        request: HttpRequest,
    ) -> Result<HttpResponse, CoreError> {
        let result = fetch(&self.client, request.clone()).await;
        let refused = matches!(&result, Ok(response) if response.status == 401);
        if !refused || !self.auth.refused(&signed.credentials).await {
            return result;
        }
        let fresh = self.signed_in().await?;
        fetch(&self.client, resigned(request, &fresh.credentials)).await
    }

    /// Runs the operation `make` builds for the credentials of the moment; refused for its
    /// token, once more with a fresh one (a refused write was not applied, so this is safe).
    async fn driven<Op: Operation>(
        &self,
        make: impl Fn(&SignedIn) -> Op,
    ) -> Result<Op::Output, CoreError> {
        let signed = self.signed_in().await?;
        let result = drive(&self.client, make(&signed)).await;
        let refused = matches!(
            result,
            Err(CoreError::Unauthorized { .. } | CoreError::TokenExpired)
        );
        if !refused || !self.auth.refused(&signed.credentials).await {
            return result;
        }
        let fresh = self.signed_in().await?;
        drive(&self.client, make(&fresh)).await
    }

    /// A desk user's name for people, by their user name, looked up once; the user name itself
    /// when the desk has no other.
    pub async fn display_name(&self, user_name: &str) -> String {
        if let Some(name) = self.names.lock().await.get(user_name) {
            return name.clone();
        }
        let found = async {
            let signed = self.signed_in().await.ok()?;
            let request = signed.servicenow.user_by_login_request(user_name);
            let response = self.fetch(&signed, request).await.ok()?;
            let users = signed.servicenow.parse_users(&response).ok()?;
            users.into_iter().next().map(|user| user.name)
        }
        .await;
        let name = found
            .filter(|name| !name.trim().is_empty())
            .unwrap_or_else(|| user_name.to_owned());
        self.names
            .lock()
            .await
            .insert(user_name.to_owned(), name.clone());
        name
    }

    /// The integration user's name (Basic: the configured one; OAuth: asked once).
    pub async fn me(&self) -> Result<String, CoreError> {
        if let Auth::Basic(Credentials::Basic { username, .. }) = &self.auth {
            return Ok(username.clone());
        }
        self.me
            .get_or_try_init(|| async {
                let signed = self.signed_in().await?;
                let response = self
                    .fetch(&signed, signed.servicenow.current_user_request())
                    .await?;
                Ok(signed.servicenow.parse_user(&response)?.user_name)
            })
            .await
            .cloned()
    }

    /// The `sys_id` of the user with this email address, if there is one.
    pub async fn user_by_email(&self, email: &str) -> Result<Option<String>, CoreError> {
        let signed = self.signed_in().await?;
        let response = self
            .fetch(&signed, signed.servicenow.user_by_email_request(email))
            .await?;
        let users = signed.servicenow.parse_users(&response)?;
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
        self.driven(|signed| {
            SafeCreate::new(
                signed.servicenow.clone(),
                table,
                fields.clone(),
                correlation_id,
            )
            // The relay may have been restarted mid-create: look before creating again.
            .looking_up_first()
        })
        .await
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
        let ticket = self
            .driven(|signed| {
                SafeCreate::new(
                    signed.servicenow.clone(),
                    Table::Incident,
                    fields.clone(),
                    correlation_id,
                )
                .looking_up_first()
            })
            .await?;
        let signed = self.signed_in().await?;
        let upload = signed.servicenow.upload_attachment_request(
            Table::Incident,
            &ticket.id,
            "chat-transcript.txt",
            "text/plain",
            transcript.as_bytes().to_vec(),
        );
        let uploaded = self
            .fetch(&signed, upload)
            .await
            .and_then(|response| signed.servicenow.parse_attachment(&response));
        if let Err(error) = uploaded {
            tracing::warn!(%error, ticket = %ticket.reference, "attaching the transcript failed");
        }
        Ok(ticket)
    }

    /// Attaches a conversation's transcript to `ticket`, once (the outbound queue retries); none
    /// for a table Flare does not know.
    pub async fn attach_transcript(&self, ticket: &TicketRef, transcript: &str) -> Option<Outcome> {
        let table = Table::from_name(&ticket.table)?;
        let signed = match self.signed_in().await {
            Ok(signed) => signed,
            Err(error) => return Some(Outcome::NetworkError(error.to_string())),
        };
        let upload = signed.servicenow.upload_attachment_request(
            table,
            &ticket.sys_id,
            "chat-transcript.txt",
            "text/plain",
            transcript.as_bytes().to_vec(),
        );
        Some(
            self.sent(&signed, send_once(&self.client, upload).await)
                .await,
        )
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
        let signed = self.signed_in().await?;
        let response = self
            .fetch(
                &signed,
                signed.servicenow.find_by_number_request(table, number),
            )
            .await?;
        let ticket = signed.servicenow.parse_found_ticket(table, &response)?;
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
        let signed = self.signed_in().await?;
        let mut tickets = Vec::new();
        for (table, filter) in [(Table::Incident, incidents), (Table::Request, requests)] {
            let request = signed
                .servicenow
                .list_tickets_request(table, &filter, LIST_LIMIT, 0);
            let response = self.fetch(&signed, request).await?;
            let page = signed
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
        let signed = self.signed_in().await?;
        let request = signed
            .servicenow
            .add_comment_request(table, &ticket.id, text, true);
        let response = self.fetch_appending(&signed, request).await?;
        signed.servicenow.parse_ticket(table, &response).map(drop)
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
        let signed = match self.signed_in().await {
            Ok(signed) => signed,
            Err(error) => return Outcome::NetworkError(error.to_string()),
        };
        let mut request =
            signed
                .servicenow
                .va_request(request_id, session, user, send, now_ms() / 1000);
        if let Some(token) = instance_token {
            request = request.with_header("token", token);
        }
        self.sent(&signed, send_once(&self.client, request).await)
            .await
    }

    /// Sends a write that appends (a journal entry) once even if its reply is lost; refused for
    /// its token, once more with a fresh one.
    async fn fetch_appending(
        &self,
        signed: &SignedIn,
        request: HttpRequest,
    ) -> Result<HttpResponse, CoreError> {
        let result = drive(&self.client, Fetch::appending(request.clone())).await;
        let refused = matches!(&result, Ok(response) if response.status == 401);
        if !refused || !self.auth.refused(&signed.credentials).await {
            return result;
        }
        let fresh = self.signed_in().await?;
        drive(
            &self.client,
            Fetch::appending(resigned(request, &fresh.credentials)),
        )
        .await
    }

    /// A request sent once: a 401 makes the next try refresh first, and with OAuth counts as worth
    /// retrying (a network error to the queue).
    async fn sent(&self, signed: &SignedIn, outcome: Outcome) -> Outcome {
        match outcome {
            Outcome::Response(response) if response.status == 401 => {
                match self.auth.refused(&signed.credentials).await {
                    true => Outcome::NetworkError("the access token was refused".to_owned()),
                    false => Outcome::Response(response),
                }
            }
            other => other,
        }
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

/// `request` with `credentials` in place of the ones it was signed with.
fn resigned(mut request: HttpRequest, credentials: &Credentials) -> HttpRequest {
    request
        .headers
        .retain(|(name, _)| !name.eq_ignore_ascii_case("authorization"));
    request.with_credentials(credentials)
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
