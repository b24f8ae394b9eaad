//! The ServiceNow instance: Table API, Attachment API, OAuth, record pages and the sandbox's admin
//! API, with the Virtual Agent (`crate::va`) mounted on it.
//!
//! Built to ServiceNow's documentation (`shared/reference/servicenow/`) and to recordings of real
//! instances (`shared/recorded/servicenow/`); each module names what it copies. [`app`] builds the
//! whole router; `main.rs` binds and serves it.
//!
//! - `schema.rs`: the tables and their fields; `store.rs`: the records in memory; `seed.rs`: the
//!   demo data; `persist.rs`: the records in SQLite with `--data DIR`.
//! - `table.rs`: the Table API's rules (list, read, create, update, delete); `attachment.rs`: the
//!   Attachment API's; `acl.rs`: who may read and write what; `eval.rs`: encoded queries.
//! - `params.rs`: the `sysparm_` parameters; `wire.rs`: records and responses as JSON; `error.rs`:
//!   the errors; `negotiation.rs`: `Accept` and `Content-Type`.
//! - `auth.rs`: who is calling; `oauth.rs`: the instance as an OAuth authorization server;
//!   `rate_limit.rs` and `faults.rs`: what the admin API switches.
//! - `table_api.rs`, `attachment_api.rs`, `oauth_api.rs`, `pages_api.rs`: thin handlers;
//!   `admin_api.rs`: the instance's side of the sandbox's admin API (`crate::common::admin_api`).

mod acl;
mod admin_api;
mod attachment;
mod attachment_api;
pub(crate) mod auth;
pub(crate) mod error;
mod eval;
mod faults;
mod negotiation;
pub(crate) mod oauth;
mod oauth_api;
mod pages_api;
mod params;
mod persist;
mod rate_limit;
pub(crate) mod schema;
pub(crate) mod seed;
mod store;
mod table;
mod table_api;
pub(crate) mod wire;

use std::future::Future;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard};

use axum::body::Body;
use axum::http::{Method, Request};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::Router;
use tower::Layer;
use tracing::Span;

use crate::common::faults::{FaultAnswers, FaultQueue};
use crate::common::oauth::OAuthClientConfig;
use crate::common::persist::StoreError;
use crate::common::server::{self, Server};
use crate::servicenow::error::AppError;
use crate::servicenow::oauth::{OAuthGrants, DEFAULT_TOKEN_LIFETIME_SECS};
use crate::servicenow::persist::Persistence;
use crate::servicenow::rate_limit::RateLimiter;
use crate::servicenow::store::Database;
use crate::va;

/// The shared state of one ServiceNow instance. Cheap to clone.
#[derive(Clone)]
pub struct AppState {
    instance_url: Arc<str>,
    db: Arc<Mutex<Database>>,
    faults: Arc<Mutex<FaultQueue>>,
    rate_limiter: Arc<Mutex<RateLimiter>>,
    /// The Virtual Agent's state, which `crate::va` locks itself.
    pub(crate) va: Arc<Mutex<va::VaState>>,
    max_attachment_bytes: usize,
    oauth: Arc<Mutex<OAuthGrants>>,
}

/// How to set an instance up beyond the demo data.
#[derive(Debug, Clone, Default)]
pub struct InstanceOptions {
    /// Requests per hour each user may make to the REST API; `None` for no limit.
    pub rate_limit_per_hour: Option<u32>,
    /// Generated incidents to add to the demo data, for scale tests.
    pub extra_incidents: usize,
    /// Where to keep the state in SQLite; `None` keeps it in memory. A directory that already
    /// holds a state is used as it is, without seeding.
    pub data_dir: Option<PathBuf>,
    /// The largest attachment accepted, in bytes; `None` for the platform default of 1024 MB
    /// (`com.glide.attachment.max_size`, `c_AttachmentAPI.md`).
    pub max_attachment_bytes: Option<usize>,
    /// OAuth clients to register besides, or instead of, the default `flare` and `flare-relay`
    /// (an entry with their client_id replaces them).
    pub oauth_clients: Vec<OAuthClientConfig>,
    /// Access token lifetime; `None` for 1800 s.
    pub token_lifetime_secs: Option<i64>,
}

/// `com.glide.attachment.max_size` by default: 1024 MB.
const DEFAULT_MAX_ATTACHMENT_BYTES: usize = 1024 * 1024 * 1024;

impl AppState {
    /// An instance reachable at `instance_url` (such as `http://127.0.0.1:8300`, no trailing
    /// slash), holding the demo users and incidents. The URL is what links and `Location` headers
    /// point at.
    pub fn new(instance_url: &str) -> AppState {
        AppState::in_memory(instance_url, &InstanceOptions::default())
    }

    /// Like [`AppState::new`], with options; fails only when `data_dir` cannot be used.
    pub fn with_options(
        instance_url: &str,
        options: &InstanceOptions,
    ) -> Result<AppState, StoreError> {
        let Some(dir) = &options.data_dir else {
            return Ok(AppState::in_memory(instance_url, options));
        };
        let persistence = Persistence::open(dir)?;
        let db = match persistence.is_empty()? {
            true => {
                let mut db = seeded_database(options);
                db.attach(persistence)?;
                db
            }
            false => Database::restore(persistence)?,
        };
        let va = va::VaState::open(dir)?;
        let state = AppState::from_database(instance_url, db, va, options);
        va::resume_deliveries(&state);
        Ok(state)
    }

    fn in_memory(instance_url: &str, options: &InstanceOptions) -> AppState {
        let db = seeded_database(options);
        AppState::from_database(instance_url, db, va::VaState::default(), options)
    }

    fn from_database(
        instance_url: &str,
        db: Database,
        va: va::VaState,
        options: &InstanceOptions,
    ) -> AppState {
        AppState {
            instance_url: Arc::from(instance_url.trim_end_matches('/')),
            db: Arc::new(Mutex::new(db)),
            faults: Arc::new(Mutex::new(FaultQueue::default())),
            rate_limiter: Arc::new(Mutex::new(RateLimiter::with_limit(
                options.rate_limit_per_hour,
            ))),
            va: Arc::new(Mutex::new(va)),
            max_attachment_bytes: options
                .max_attachment_bytes
                .unwrap_or(DEFAULT_MAX_ATTACHMENT_BYTES),
            oauth: Arc::new(Mutex::new(OAuthGrants::new(
                crate::common::oauth::clients_with(&options.oauth_clients),
                options
                    .token_lifetime_secs
                    .unwrap_or(DEFAULT_TOKEN_LIFETIME_SECS),
            ))),
        }
    }

    /// The base URL links point at.
    pub fn instance_url(&self) -> &str {
        &self.instance_url
    }

    /// The data. Handlers hold the lock only while they compute, never across an await.
    pub(crate) fn db(&self) -> MutexGuard<'_, Database> {
        crate::lock(&self.db)
    }

    fn rate_limiter(&self) -> MutexGuard<'_, RateLimiter> {
        crate::lock(&self.rate_limiter)
    }

    pub(crate) fn max_attachment_bytes(&self) -> usize {
        self.max_attachment_bytes
    }

    fn oauth(&self) -> MutexGuard<'_, OAuthGrants> {
        crate::lock(&self.oauth)
    }
}

fn seeded_database(options: &InstanceOptions) -> Database {
    let mut db = seed::demo_database();
    seed::add_generated_incidents(&mut db, options.extra_incidents);
    db
}

/// The router of one ServiceNow instance: Table API, record pages, home page, admin API.
pub fn app(state: AppState) -> Router {
    let rest_api = table_api::routes()
        .merge(attachment_api::routes())
        .merge(va::api_routes());
    let router = Router::new()
        .merge(server::guard(rest_api, &state))
        .merge(pages_api::routes())
        .merge(oauth_api::routes())
        .merge(crate::common::admin_api::routes::<AppState>())
        .merge(va::routes());
    let router = server::finish(router, state, request_span);
    // The method is overridden before the request is routed, which a layer on the router itself
    // would be too late for.
    let overridden = middleware::map_request(override_method).layer(router);
    Router::new().fallback_service(overridden)
}

impl Server for AppState {
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

    /// Unknown REST paths get the instance's 400.
    fn unknown_endpoint() -> Response {
        AppError::NoSuchResource.into_response()
    }

    fn linked_to(&self, base_url: &str) -> AppState {
        AppState {
            instance_url: Arc::from(base_url),
            ..self.clone()
        }
    }
}

/// "You can also override HTTP methods, such as GET or POST, by setting the
/// X-http-method-override header" (`c_RESTAPI.md`): a REST request is handled as the method the
/// header names.
async fn override_method(mut request: Request<Body>) -> Request<Body> {
    if !request.uri().path().starts_with("/api/") {
        return request;
    }
    let method = request
        .headers()
        .get("x-http-method-override")
        .and_then(|value| value.to_str().ok())
        .and_then(|name| Method::from_bytes(name.trim().to_ascii_uppercase().as_bytes()).ok());
    if let Some(method) = method {
        *request.method_mut() = method;
    }
    request
}

/// A span for one request to the instance.
fn request_span(request: &Request<Body>) -> Span {
    let matched_path = server::matched_path(request);
    tracing::info_span!("request", method = %request.method(), uri = %request.uri(), matched_path)
}
