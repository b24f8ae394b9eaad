//! A Zendesk Support account (`/api/v2/`), the sandbox's second server with its own state.
//!
//! Built to Zendesk's OpenAPI description (`shared/reference/zendesk/*.yml`) and to the traffic a
//! real account sent (`crates/core/tests/fixtures/recorded/zendesk/`, zenpy's cassettes); each
//! module names what it copies. [`app`] builds the whole router; `main.rs` binds and serves it next
//! to the ServiceNow instance.
//!
//! - `account/`: the data and every rule (who may do what, life cycle, bulk jobs), a file a job.
//! - `tickets.rs`: the `ticket` object clients send; `groups.rs`: the `group` object; `users.rs`:
//!   the `user` object.
//! - `settings.rs`: the fixed brand, organization and custom roles.
//! - `search.rs`: the search syntax and export cursors; `paging.rs`: offset and cursor paging.
//! - `wire/`: the JSON, a file a resource; `error.rs`: the errors; `auth.rs`: who is calling.
//! - `oauth.rs`: the account as an OAuth authorization server (codes, tokens, scopes).
//! - `persist.rs`: the state in SQLite with `--data DIR`.
//! - `tickets_api.rs`, `deleted_tickets_api.rs`, `audits_api.rs`, `incremental_api.rs`,
//!   `users_api.rs`, `groups_api.rs`, `memberships_api.rs`, `settings_api.rs`, `search_api.rs`,
//!   `files_api.rs`, `oauth_api.rs`: thin handlers; `admin_api.rs`: the account's side of the
//!   sandbox's admin API (`crate::common::admin_api`).

mod account;
mod admin_api;
mod audits_api;
mod auth;
mod deleted_tickets_api;
mod error;
mod extract;
mod faults;
mod files_api;
mod groups;
mod groups_api;
mod incremental_api;
mod memberships_api;
mod oauth;
mod oauth_api;
mod paging;
mod persist;
mod rate_limit;
mod search;
mod search_api;
mod seed;
mod settings;
mod settings_api;
mod tickets;
mod tickets_api;
mod users;
mod users_api;
mod wire;

use std::future::Future;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard};

use axum::body::Body;
use axum::http::Request;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Router;
use tracing::Span;

use crate::common::faults::{FaultAnswers, FaultQueue};
use crate::common::oauth::OAuthClientConfig;
use crate::common::persist::StoreError;
use crate::common::server::{self, Server};
use crate::zendesk::account::Account;
use crate::zendesk::error::ZendeskError;
use crate::zendesk::oauth::OAuthGrants;
use crate::zendesk::persist::ZendeskStore;
use crate::zendesk::rate_limit::RateLimiter;
use crate::zendesk::wire::Renderer;

pub use crate::zendesk::auth::API_TOKEN;
pub use crate::zendesk::seed::{DemoLogin, DEMO_LOGINS};

/// The recorded limit of a Zendesk account, `x-rate-limit: 700` requests a minute.
pub const DEFAULT_REQUESTS_PER_MINUTE: u32 = 700;

/// The state of one Zendesk account, in memory and, with `--data`, in SQLite. Cheap to clone.
#[derive(Clone)]
pub struct ZendeskState {
    account_url: Arc<str>,
    account: Arc<Mutex<Account>>,
    oauth: Arc<Mutex<OAuthGrants>>,
    rate_limiter: Arc<Mutex<RateLimiter>>,
    faults: Arc<Mutex<FaultQueue>>,
}

/// How to set an account up beyond the demo data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ZendeskOptions {
    /// API requests the account allows per minute; `None` for no limit (and no rate headers).
    pub requests_per_minute: Option<u32>,
    /// OAuth clients besides, or instead of, the default `flare` and `flare-relay` (an entry with
    /// their client_id replaces them; a later entry replaces an earlier one).
    pub oauth_clients: Vec<OAuthClientConfig>,
    /// The access token lifetime when a token request names no `expires_in`; `None` for tokens
    /// that do not expire, as `expires_in` "Defaults to null" (oauth.yml).
    pub token_lifetime_secs: Option<i64>,
    /// Where to keep the state in SQLite (`DIR/zendesk.sqlite3`); `None` keeps it in memory. A
    /// directory that already holds an account is used as it is, without seeding.
    pub data_dir: Option<PathBuf>,
}

impl Default for ZendeskOptions {
    fn default() -> ZendeskOptions {
        ZendeskOptions {
            requests_per_minute: Some(DEFAULT_REQUESTS_PER_MINUTE),
            oauth_clients: Vec::new(),
            token_lifetime_secs: None,
            data_dir: None,
        }
    }
}

impl ZendeskState {
    /// An account reachable at `account_url` (such as `http://127.0.0.1:8400`, no trailing slash)
    /// holding the demo users and tickets, in memory. The URL is what `url` fields and `Location`
    /// point at.
    pub fn new(account_url: &str) -> ZendeskState {
        ZendeskState::in_memory(account_url, &ZendeskOptions::default())
    }

    /// Like [`ZendeskState::new`], with options; fails only when `data_dir` cannot be used.
    pub fn with_options(
        account_url: &str,
        options: &ZendeskOptions,
    ) -> Result<ZendeskState, StoreError> {
        let Some(dir) = &options.data_dir else {
            return Ok(ZendeskState::in_memory(account_url, options));
        };
        let store = ZendeskStore::open(dir)?;
        let account = match store.is_empty()? {
            true => {
                let mut account = seed::demo_account();
                account.attach(store.clone())?;
                account
            }
            false => {
                let mut account = Account::restore(store.clone())?;
                account.add_groups_if_none(seed::demo_groups());
                account.add_memberships_if_none(seed::demo_memberships());
                account
            }
        };
        let clients = crate::common::oauth::clients_with(&options.oauth_clients);
        let oauth = OAuthGrants::with_store(clients, options.token_lifetime_secs, store)?;
        Ok(ZendeskState::from_parts(
            account_url,
            account,
            oauth,
            options,
        ))
    }

    fn in_memory(account_url: &str, options: &ZendeskOptions) -> ZendeskState {
        let clients = crate::common::oauth::clients_with(&options.oauth_clients);
        let oauth = OAuthGrants::new(clients, options.token_lifetime_secs);
        ZendeskState::from_parts(account_url, seed::demo_account(), oauth, options)
    }

    fn from_parts(
        account_url: &str,
        account: Account,
        oauth: OAuthGrants,
        options: &ZendeskOptions,
    ) -> ZendeskState {
        ZendeskState {
            account_url: Arc::from(account_url.trim_end_matches('/')),
            account: Arc::new(Mutex::new(account)),
            oauth: Arc::new(Mutex::new(oauth)),
            rate_limiter: Arc::new(Mutex::new(RateLimiter::with_limit(
                options.requests_per_minute,
            ))),
            faults: Arc::new(Mutex::new(FaultQueue::default())),
        }
    }

    /// The base URL links point at.
    pub fn account_url(&self) -> &str {
        &self.account_url
    }

    /// The data. Handlers hold the lock only while they compute, never across an await.
    fn account(&self) -> MutexGuard<'_, Account> {
        crate::lock(&self.account)
    }

    fn oauth(&self) -> MutexGuard<'_, OAuthGrants> {
        crate::lock(&self.oauth)
    }

    fn rate_limiter(&self) -> MutexGuard<'_, RateLimiter> {
        crate::lock(&self.rate_limiter)
    }

    fn renderer(&self) -> Renderer<'_> {
        Renderer {
            account_url: &self.account_url,
        }
    }
}

/// The router of one Zendesk account: `/api/v2/`, attachment downloads, OAuth, the admin API.
pub fn app(state: ZendeskState) -> Router {
    let api = Router::new()
        .merge(tickets_api::routes())
        .merge(deleted_tickets_api::routes())
        .merge(audits_api::routes())
        .merge(users_api::routes())
        .merge(incremental_api::routes())
        .merge(groups_api::routes())
        .merge(memberships_api::routes())
        .merge(settings_api::routes())
        .merge(search_api::routes())
        .merge(files_api::api_routes());
    let router = Router::new()
        .merge(server::guard(api, &state))
        .merge(files_api::download_routes())
        .merge(oauth_api::routes())
        .merge(crate::common::admin_api::routes::<ZendeskState>());
    server::finish(router, state, request_span)
}

impl Server for ZendeskState {
    const FAULT_ANSWERS: FaultAnswers = faults::ANSWERS;

    fn fault_queue(&self) -> MutexGuard<'_, FaultQueue> {
        crate::lock(&self.faults)
    }

    fn enforce_rate_limit(
        self,
        request: Request<Body>,
        next: Next,
    ) -> impl Future<Output = Response> + Send {
        rate_limit::enforce(self, request, next)
    }

    /// Unknown API paths get Zendesk's `InvalidEndpoint`.
    fn unknown_endpoint() -> Response {
        ZendeskError::InvalidEndpoint.into_response()
    }

    fn linked_to(&self, base_url: &str) -> ZendeskState {
        ZendeskState {
            account_url: Arc::from(base_url),
            ..self.clone()
        }
    }
}

/// A span for one request to the account.
fn request_span(request: &Request<Body>) -> Span {
    let matched_path = server::matched_path(request);
    tracing::info_span!("zendesk", method = %request.method(), uri = %request.uri(), matched_path)
}
