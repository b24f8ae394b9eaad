//! Every remote call the app makes: core builds the request, the platform sends it, core reads
//! the reply. Components call these and never build a URL.
//!
//! Each call that differs by service desk dispatches on the connection's [`Provider`] here; the
//! calls themselves are in `servicenow.rs` and `zendesk.rs`.

pub mod attach;
pub mod detail;
pub mod follow;
mod servicenow;
mod session;
mod zendesk;

use std::collections::BTreeMap;

use flare_core::actions::Viewer;
use flare_core::auth::Credentials;
use flare_core::driver::{Driver, Fetch, Operation, Outcome, Poll};
use flare_core::error::CoreError;
use flare_core::http::{HttpRequest, HttpResponse};
use flare_core::instance::InstanceUrl;
use flare_core::listing::{ListQuery, Whose};
use flare_core::oauth::{OAuthClient, OAuthEndpoints, TokenSet};
use flare_core::paging::Page;
use flare_core::providers::servicenow::{NewIncident, NewRequest};
use flare_core::retry::RetryPolicy;
use flare_core::templates::TemplateSet;
use flare_core::ticket::Ticket;
use serde::{Deserialize, Serialize};

use crate::browser::{BrowserError, Clock, Http, Messaging, Permissions, Random, Storage};
use crate::messages::{WorkerReply, WorkerRequest};
use crate::storage;

/// How many tickets one page of "My incidents" or "My tickets" shows.
pub const PAGE_SIZE: u32 = 20;

/// The service desks Flare connects to.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum Provider {
    /// A ServiceNow instance (`acme.service-now.com`).
    #[default]
    #[serde(rename = "servicenow")]
    ServiceNow,
    /// A Zendesk account (`acme.zendesk.com`).
    #[serde(rename = "zendesk")]
    Zendesk,
}

/// How Flare signs in to a service desk.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum SignInMethod {
    /// ServiceNow user name and password (HTTP Basic).
    #[default]
    #[serde(rename = "password")]
    Password,
    /// Zendesk e-mail address and API token (HTTP Basic as `email/token`).
    #[serde(rename = "api_token")]
    ApiToken,
    /// The service desk's own sign-in page (OAuth authorization code with PKCE), which also
    /// covers multi-factor authentication and single sign-on.
    #[serde(rename = "oauth")]
    OAuth,
}

/// The signed-in user as their service desk knows them; which of the two it is also says which
/// service desk the connection is to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum AccountUser {
    /// A ServiceNow `sys_user`.
    #[serde(rename = "servicenow")]
    ServiceNow(flare_core::providers::servicenow::User),
    /// A Zendesk user.
    #[serde(rename = "zendesk")]
    Zendesk(flare_core::providers::zendesk::User),
}

/// Where and how someone signs in, with nothing secret: what the connect form starts from when a
/// user signs in again, or to a connection their organisation set up.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SignInPreset {
    /// The service desk.
    pub provider: Provider,
    /// The instance or account.
    pub instance: InstanceUrl,
    /// How to sign in.
    pub method: SignInMethod,
    /// The ServiceNow user name or Zendesk e-mail address last used; empty for OAuth.
    pub username: String,
    /// The OAuth client id; empty unless `method` is OAuth.
    pub client_id: String,
}

/// A checked, saved connection to one ServiceNow instance or Zendesk account.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Connection {
    /// The instance or account.
    pub instance: InstanceUrl,
    /// How Flare signs in.
    pub credentials: Credentials,
    /// The signed-in user, resolved once when connecting.
    pub user: AccountUser,
    /// For an OAuth sign-in: the customer's OAuth application and the tokens it issued (the
    /// access token is also in `credentials`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub oauth: Option<OAuthSession>,
}

/// What an OAuth sign-in keeps to use and refresh its tokens.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OAuthSession {
    /// The customer's OAuth application for Flare.
    pub client: OAuthClient,
    /// The tokens it issued.
    pub tokens: TokenSet,
}

/// What the user files, in the words of the connection's service desk. Serde, because a report
/// that cannot be filed yet waits in the outbox.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NewTicket {
    /// A ServiceNow incident; its caller is the signed-in user.
    Incident {
        /// What the user filled in.
        incident: NewIncident,
        /// The template's fixed values for the fields the form does not show (`state`,
        /// `assignment_group`); the form's own fields win over them.
        fixed: BTreeMap<String, String>,
    },
    /// A ServiceNow request (`sc_request`); it is for the signed-in user.
    Request {
        /// What the user filled in.
        request: NewRequest,
    },
    /// A Zendesk ticket; its requester is the signed-in user.
    Zendesk(flare_core::providers::zendesk::NewTicket),
}

impl NewTicket {
    /// Its one-line title.
    pub fn title(&self) -> &str {
        match self {
            NewTicket::Incident { incident, .. } => &incident.short_description,
            NewTicket::Request { request } => &request.short_description,
            NewTicket::Zendesk(ticket) => &ticket.subject,
        }
    }
}

/// Why a remote call failed, from the instance or from the browser.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AppError {
    /// The instance (or the way to it) said no; see the variant.
    Core(CoreError),
    /// The user declined access to the instance's address.
    PermissionDenied {
        /// The host that was asked for.
        host: String,
    },
    /// Extension storage or another browser API failed.
    Browser(String),
    /// The OAuth sign-in window closed before the user signed in.
    SignInClosed,
}

impl AppError {
    /// The failure as the core names it, for deciding what it asks for: a browser that cannot
    /// reach the instance is the network's failure, a declined permission a sign-in's.
    pub fn as_core(&self) -> CoreError {
        match self {
            AppError::Core(error) => error.clone(),
            AppError::Browser(message) => CoreError::Network {
                message: message.clone(),
            },
            AppError::PermissionDenied { host } => CoreError::SignInAgain {
                message: format!("access to {host} was not granted"),
            },
            AppError::SignInClosed => CoreError::SignInAgain {
                message: "the sign-in window was closed".to_owned(),
            },
        }
    }
}

impl From<CoreError> for AppError {
    fn from(error: CoreError) -> AppError {
        AppError::Core(error)
    }
}

impl From<BrowserError> for AppError {
    fn from(error: BrowserError) -> AppError {
        match error {
            BrowserError::Network(message) => AppError::Core(CoreError::Network { message }),
            BrowserError::Api(message) => AppError::Browser(message),
            BrowserError::SignInClosed(_) => AppError::SignInClosed,
        }
    }
}

impl Provider {
    /// Both, in the order the connect form offers them.
    pub const ALL: [Provider; 2] = [Provider::ServiceNow, Provider::Zendesk];

    /// The name in forms and drafts.
    pub fn code(self) -> &'static str {
        match self {
            Provider::ServiceNow => "servicenow",
            Provider::Zendesk => "zendesk",
        }
    }

    /// The provider a form value names; ServiceNow for anything else.
    pub fn from_code(code: &str) -> Provider {
        Provider::ALL
            .into_iter()
            .find(|provider| provider.code() == code)
            .unwrap_or_default()
    }

    /// The product's name, which no language translates.
    pub fn name(self) -> &'static str {
        match self {
            Provider::ServiceNow => "ServiceNow",
            Provider::Zendesk => "Zendesk",
        }
    }

    /// The templates a connection to it files with until the user or the organisation set others.
    pub fn default_templates(self) -> TemplateSet {
        match self {
            Provider::ServiceNow => TemplateSet::servicenow_default(),
            Provider::Zendesk => TemplateSet::zendesk_default(),
        }
    }

    /// The sign-in methods this service desk offers, the one without OAuth first.
    pub fn sign_in_methods(self) -> [SignInMethod; 2] {
        match self {
            Provider::ServiceNow => [SignInMethod::Password, SignInMethod::OAuth],
            Provider::Zendesk => [SignInMethod::ApiToken, SignInMethod::OAuth],
        }
    }

    /// Reads an address as this service desk's users type it (`acme` is `acme.service-now.com`
    /// or `acme.zendesk.com`).
    pub fn parse_address(self, input: &str) -> Result<InstanceUrl, CoreError> {
        match self {
            Provider::ServiceNow => InstanceUrl::parse_servicenow(input),
            Provider::Zendesk => InstanceUrl::parse_zendesk(input),
        }
    }

    /// Where `instance` signs users in and issues tokens.
    pub fn oauth_endpoints(self, instance: &InstanceUrl) -> OAuthEndpoints {
        match self {
            Provider::ServiceNow => OAuthEndpoints::servicenow(instance),
            Provider::Zendesk => OAuthEndpoints::zendesk(instance),
        }
    }
}

impl SignInMethod {
    /// The name in forms and drafts.
    pub fn code(self) -> &'static str {
        match self {
            SignInMethod::Password => "password",
            SignInMethod::ApiToken => "api_token",
            SignInMethod::OAuth => "oauth",
        }
    }

    /// The method a form value names; the password for anything else.
    pub fn from_code(code: &str) -> SignInMethod {
        [
            SignInMethod::Password,
            SignInMethod::ApiToken,
            SignInMethod::OAuth,
        ]
        .into_iter()
        .find(|method| method.code() == code)
        .unwrap_or_default()
    }

    /// This method as `provider` offers it: OAuth stays OAuth, and the service desk's own
    /// credentials are a password on ServiceNow and an API token on Zendesk.
    pub fn offered_by(self, provider: Provider) -> SignInMethod {
        let [own_credentials, oauth] = provider.sign_in_methods();
        match self {
            SignInMethod::OAuth => oauth,
            SignInMethod::Password | SignInMethod::ApiToken => own_credentials,
        }
    }
}

impl AccountUser {
    /// The display name.
    pub fn name(&self) -> &str {
        match self {
            AccountUser::ServiceNow(user) => &user.name,
            AccountUser::Zendesk(user) => &user.name,
        }
    }

    /// Whether `other` is the same person in the same service desk: the same `sys_id` or the
    /// same Zendesk id.
    pub fn is_same_as(&self, other: &AccountUser) -> bool {
        match (self, other) {
            (AccountUser::ServiceNow(user), AccountUser::ServiceNow(other)) => {
                user.sys_id == other.sys_id
            }
            (AccountUser::Zendesk(user), AccountUser::Zendesk(other)) => user.id == other.id,
            _ => false,
        }
    }
}

impl Connection {
    /// The host of the instance or account, which also names the connection until renamed.
    pub fn host(&self) -> &str {
        self.instance.host()
    }

    /// The signed-in user's display name.
    pub fn user_display_name(&self) -> &str {
        self.user.name()
    }

    /// The service desk this connection is to.
    pub fn provider(&self) -> Provider {
        match self.user {
            AccountUser::ServiceNow(_) => Provider::ServiceNow,
            AccountUser::Zendesk(_) => Provider::Zendesk,
        }
    }

    /// How this connection signed in, to sign in again the same way.
    pub fn sign_in_preset(&self) -> SignInPreset {
        let provider = self.provider();
        let (method, username, client_id) = match &self.oauth {
            Some(session) => (
                SignInMethod::OAuth,
                String::new(),
                session.client.client_id.clone(),
            ),
            None => {
                let username = self.credentials.username();
                // Zendesk's Basic user is `email/token` (`api_token_credentials`).
                let username = username.strip_suffix("/token").unwrap_or(username);
                let method = SignInMethod::Password.offered_by(provider);
                (method, username.to_owned(), String::new())
            }
        };
        SignInPreset {
            provider,
            instance: self.instance.clone(),
            method,
            username,
            client_id,
        }
    }

    /// Whether `other` signs in to the same instance or account as the same user (a new
    /// sign-in of this one).
    pub fn is_same_account(&self, other: &Connection) -> bool {
        self.instance == other.instance && self.user.is_same_as(&other.user)
    }
}

/// Checks an address and credentials by looking the user up. Host access to `instance` is held
/// already: asked for with [`allowed_instance`], or found granted.
pub async fn test_connection(
    platform: &(impl Http + Clock + Random + ?Sized),
    provider: Provider,
    instance: InstanceUrl,
    credentials: Credentials,
) -> Result<Connection, AppError> {
    signed_in(platform, provider, instance, credentials, None).await
}

/// Signs in through the service desk's OAuth consent page and returns the saved connection. Host
/// access to the instance is held already: asked for with [`allowed_instance`], or found
/// granted.
///
/// The sign-in itself runs in the background worker, which saves the connection, because a popup
/// closes as soon as the sign-in window takes focus. Reopened, the popup finds it saved.
pub async fn sign_in_with_oauth(
    platform: &(impl Messaging + Storage + Random + ?Sized),
    provider: Provider,
    instance_input: &str,
    client_id: &str,
    client_secret: &str,
) -> Result<Connection, AppError> {
    let request = WorkerRequest::SignInWithOAuth {
        provider,
        instance: instance_input.trim().to_owned(),
        client_id: client_id.trim().to_owned(),
        client_secret: Some(client_secret.trim().to_owned()).filter(|secret| !secret.is_empty()),
    };
    match platform.ask_worker(request).await? {
        WorkerReply::Connected { .. } => load_connection(platform).await?.ok_or_else(|| {
            AppError::Browser("the background worker signed in but saved nothing".to_owned())
        }),
        WorkerReply::Failed { error } => Err(error),
        _ => Err(AppError::Browser(
            "the background worker did not sign in".to_owned(),
        )),
    }
}

/// The instance the user typed, once they allowed Flare to reach it. The permission request must
/// be the first thing awaited after the click: browsers only allow it during a user gesture.
pub async fn allowed_instance(
    platform: &(impl Permissions + ?Sized),
    provider: Provider,
    instance_input: &str,
) -> Result<InstanceUrl, AppError> {
    let instance = provider.parse_address(instance_input)?;
    if !platform
        .request_host_permission(&instance.permission_pattern())
        .await?
    {
        return Err(AppError::PermissionDenied {
            host: instance.host().to_owned(),
        });
    }
    Ok(instance)
}

/// The connection `credentials` give to `instance`, with the user they sign in as.
pub(crate) async fn signed_in(
    platform: &(impl Http + Clock + Random + ?Sized),
    provider: Provider,
    instance: InstanceUrl,
    credentials: Credentials,
    oauth: Option<OAuthSession>,
) -> Result<Connection, AppError> {
    let user = match provider {
        Provider::ServiceNow => AccountUser::ServiceNow(
            servicenow::current_user(platform, &instance, &credentials).await?,
        ),
        Provider::Zendesk => {
            AccountUser::Zendesk(zendesk::current_user(platform, &instance, &credentials).await?)
        }
    };
    Ok(Connection {
        instance,
        credentials,
        user,
        oauth,
    })
}

/// Saves a tested connection and makes it the default (replacing an earlier sign-in to the same
/// instance as the same user).
pub async fn save_connection(
    platform: &(impl Storage + Random + ?Sized),
    connection: &Connection,
) -> Result<(), AppError> {
    storage::open(platform).await?;
    let mut saved = storage::load_connections(platform).await?;
    let id = saved
        .upsert(connection.clone(), storage::new_connection_id(platform)?)
        .id
        .clone();
    // A connection the organisation deployed goes by the name it gave it.
    let managed = storage::load_managed(platform).await?;
    if let Some(deployed) = managed.deployed_as(connection) {
        saved.rename(&id, &deployed.name);
    }
    Ok(storage::save_connections(platform, &saved).await?)
}

/// The default connection, if any.
pub async fn load_connection(
    platform: &(impl Storage + Random + ?Sized),
) -> Result<Option<Connection>, AppError> {
    storage::open(platform).await?;
    let saved = storage::load_connections(platform).await?;
    Ok(saved
        .default_connection()
        .map(|default| default.connection.clone()))
}

/// Forgets the default connection and returns the next one left, which becomes the default.
pub async fn forget_connection(
    platform: &(impl Storage + Permissions + Random + ?Sized),
) -> Result<Option<Connection>, AppError> {
    let saved = saved_connections(platform).await?;
    let Some(forgotten) = saved.default_connection() else {
        return Ok(None);
    };
    let left = remove_connection(platform, &forgotten.id).await?;
    Ok(left
        .default_connection()
        .map(|next| next.connection.clone()))
}

/// Removes the saved connection `id` with its templates and returns the connections left. The
/// host permission of its instance is given back once no saved connection needs it.
pub async fn remove_connection(
    platform: &(impl Storage + Permissions + Random + ?Sized),
    id: &str,
) -> Result<storage::SavedConnections, AppError> {
    let mut saved = saved_connections(platform).await?;
    let signed_in = saved.find(id).map(|removed| &removed.connection.instance);
    let signed_out = saved
        .signed_out
        .iter()
        .find(|signed_out| signed_out.id == id)
        .map(|removed| &removed.sign_in.instance);
    let Some(pattern) = signed_in
        .or(signed_out)
        .map(InstanceUrl::permission_pattern)
    else {
        return Ok(saved);
    };
    saved.remove(id);
    storage::save_connections(platform, &saved).await?;
    platform.remove(&storage::templates_key(id)).await?;
    platform.remove(&storage::watch_key(id)).await?;
    let still_needed = saved
        .connections
        .iter()
        .map(|other| &other.connection.instance)
        .chain(saved.signed_out.iter().map(|other| &other.sign_in.instance))
        .any(|instance| instance.permission_pattern() == pattern);
    if !still_needed {
        // The connection is gone either way; a permission the browser will not give back only
        // stays unused.
        let _ = platform.remove_host_permission(&pattern).await;
    }
    Ok(saved)
}

/// Signs out of the saved connection `id`: its credentials and tokens are forgotten, its name and
/// templates kept for signing in again. Returns the connections as they are now.
pub async fn sign_out_connection(
    platform: &(impl Storage + Random + ?Sized),
    id: &str,
) -> Result<storage::SavedConnections, AppError> {
    let mut saved = saved_connections(platform).await?;
    if saved.sign_out(id) {
        storage::save_connections(platform, &saved).await?;
    }
    Ok(saved)
}

/// Renames the saved connection `id`; a blank name leaves it as it was.
pub async fn rename_connection(
    platform: &(impl Storage + Random + ?Sized),
    id: &str,
    name: &str,
) -> Result<storage::SavedConnections, AppError> {
    let mut saved = saved_connections(platform).await?;
    if saved.rename(id, name) {
        storage::save_connections(platform, &saved).await?;
    }
    Ok(saved)
}

/// Checks that a saved connection still works by asking the instance who it signs in as (with a
/// renewed token, for OAuth), and returns that user's display name.
pub async fn check_connection(
    platform: &(impl Http + Storage + Clock + Random + ?Sized),
    connection: &Connection,
) -> Result<String, AppError> {
    session::authorized(platform, connection, |connection| async move {
        let provider = connection.provider();
        let checked = signed_in(
            platform,
            provider,
            connection.instance,
            connection.credentials,
            None,
        )
        .await?;
        Ok(checked.user_display_name().to_owned())
    })
    .await
}

/// Every saved connection, with its name, and which is the default.
pub async fn saved_connections(
    platform: &(impl Storage + Random + ?Sized),
) -> Result<storage::SavedConnections, AppError> {
    storage::open(platform).await?;
    Ok(storage::load_connections(platform).await?)
}

/// Makes the saved connection `id` the default and returns it; `None` if it is gone.
pub async fn use_connection(
    platform: &(impl Storage + Random + ?Sized),
    id: &str,
) -> Result<Option<Connection>, AppError> {
    let mut saved = saved_connections(platform).await?;
    let Some(chosen) = saved.find(id).map(|chosen| chosen.connection.clone()) else {
        return Ok(None);
    };
    saved.default_id = Some(id.to_owned());
    storage::save_connections(platform, &saved).await?;
    Ok(Some(chosen))
}

/// Which report a create files: the correlation id every try of it carries, and whether an earlier
/// try may have reached the service desk (a report from the outbox), so it is looked up first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReportId<'a> {
    /// From [`new_correlation_id`], kept with the report.
    pub correlation_id: &'a str,
    /// Whether an earlier try's outcome is unknown.
    pub tried_before: bool,
}

/// A fresh correlation id for a new report ([`create_ticket`]).
pub fn new_correlation_id(platform: &(impl Random + ?Sized)) -> Result<String, AppError> {
    Ok(format!("flare-{}", hex(&platform.random_bytes()?)))
}

/// Files a ticket (a ServiceNow incident, a Zendesk ticket) as the connected user.
///
/// Every attempt for one report carries its correlation id (kept with the report when it is
/// queued), so when an attempt gets no answer (a dropped connection, a 5xx) Flare looks the ticket
/// up before sending it again, and a report retried from the outbox is looked up first: retrying,
/// now or later, never files it twice. Waits follow flare-core's retry policy (`Retry-After`
/// included).
pub async fn create_ticket(
    platform: &(impl Http + Storage + Clock + Random + ?Sized),
    connection: &Connection,
    ticket: NewTicket,
    report: ReportId<'_>,
) -> Result<Ticket, AppError> {
    session::authorized(platform, connection, |connection| {
        let ticket = ticket.clone();
        async move {
            match (&connection.user, ticket) {
                (AccountUser::ServiceNow(user), NewTicket::Incident { incident, fixed }) => {
                    servicenow::create_incident(
                        platform,
                        &connection,
                        user,
                        incident,
                        fixed,
                        report,
                    )
                    .await
                }
                (AccountUser::ServiceNow(user), NewTicket::Request { request }) => {
                    servicenow::create_request(platform, &connection, user, request, report).await
                }
                (AccountUser::Zendesk(_), NewTicket::Zendesk(ticket)) => {
                    zendesk::create_ticket(platform, &connection, ticket, report).await
                }
                _ => Err(CoreError::Validation {
                    field: None,
                    message: format!("this form does not file tickets in {}", connection.host()),
                }
                .into()),
            }
        }
    })
    .await
}

/// A page of the list `query` asks for (by default the tickets the connected user reported:
/// incidents they are the caller of, Zendesk tickets they requested), from `offset` on.
pub async fn my_tickets(
    platform: &(impl Http + Storage + Clock + Random + ?Sized),
    connection: &Connection,
    query: &ListQuery,
    offset: u64,
) -> Result<Page<Ticket>, AppError> {
    session::authorized(platform, connection, |connection| async move {
        match &connection.user {
            AccountUser::ServiceNow(user) => {
                servicenow::my_tickets(platform, &connection, user, query, offset).await
            }
            AccountUser::Zendesk(user) => {
                zendesk::requested_tickets(platform, &connection, user, query, offset).await
            }
        }
    })
    .await
}

/// The lists the connected user is offered (their own tickets; for agents also those assigned to
/// them and, in ServiceNow, to their groups; ServiceNow requests), in order.
pub async fn offered_lists(
    platform: &(impl Http + Storage + Clock + Random + ?Sized),
    connection: &Connection,
) -> Result<Vec<Whose>, AppError> {
    session::authorized(platform, connection, |connection| async move {
        match &connection.user {
            AccountUser::ServiceNow(_) => servicenow::lists(platform, &connection).await,
            AccountUser::Zendesk(user) => {
                Ok(Whose::zendesk_lists(Viewer::from_zendesk_role(&user.role)))
            }
        }
    })
    .await
}

/// Sends an idempotent request, retrying rate limits, 5xx and network failures as the core's
/// retry policy decides; the last response is returned for the caller to read.
pub(crate) async fn send_with_retries(
    platform: &(impl Http + Clock + Random + ?Sized),
    request: HttpRequest,
) -> Result<HttpResponse, AppError> {
    drive(platform, Fetch::new(request)).await
}

/// Runs `operation` to its end with flare-core's [`Driver`]: this only sends, sleeps and reads
/// the clock. A browser failure other than the network's (a broken extension API) is not worth
/// retrying and ends the call.
async fn drive<Op: Operation>(
    platform: &(impl Http + Clock + Random + ?Sized),
    operation: Op,
) -> Result<Op::Output, AppError> {
    let mut driver = Driver::new(operation, interactive_policy());
    // A timer may fire a little before the clock shows its end; never poll earlier than it.
    let mut awake_at_ms = 0;
    loop {
        let now_ms = platform.now_ms().max(awake_at_ms);
        match driver.poll(now_ms) {
            Poll::Send(request) => {
                let outcome = match platform.send(request).await {
                    Ok(response) => Outcome::Response(response),
                    Err(BrowserError::Network(message)) => Outcome::NetworkError(message),
                    Err(error) => return Err(error.into()),
                };
                driver.handle(outcome, platform.now_ms().max(now_ms), jitter(platform));
            }
            Poll::Wait { until_ms } => {
                platform.sleep(until_ms - now_ms).await?;
                awake_at_ms = until_ms;
            }
            Poll::Done(output) => return Ok(output),
            Poll::Failed(error) => return Err(error.into()),
        }
    }
}

/// Someone is watching a spinner: wait out short rate limits, but report long ones (with their
/// wait) rather than hang for a minute.
fn interactive_policy() -> RetryPolicy {
    RetryPolicy {
        max_rate_limit_wait_ms: 10_000,
        ..RetryPolicy::default()
    }
}

/// A random number in `[0, 1)` for back-off jitter.
pub(crate) fn jitter(platform: &(impl Random + ?Sized)) -> f64 {
    let bytes = platform.random_bytes().unwrap_or_default();
    f64::from(u16::from_le_bytes([bytes[0], bytes[1]])) / 65_536.0
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}
