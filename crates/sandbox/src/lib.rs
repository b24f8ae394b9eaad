//! flare-sandbox: a local ServiceNow-compatible instance for Flare's demo and tests.
//!
//! [`app`] builds the whole HTTP surface of one instance; `main.rs` only parses the command line,
//! binds and serves. Each behaviour copies a vendor document (`shared/reference/servicenow/`) or a
//! recording (`shared/recorded/servicenow/`); the module docs name which.

mod acl;
mod auth;
pub mod cli;
mod datetime;
mod error;
mod eval;
mod pages;
mod params;
mod render;
mod schema;
pub mod seed;
mod store;
mod table_api;
mod table_ops;
mod wire;

use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use axum::extract::MatchedPath;
use axum::http::{Request, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::Router;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

use crate::error::AppError;
use crate::store::Database;

/// How long a request may take before the sandbox answers 408.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// The shared state of one ServiceNow instance. Cheap to clone.
#[derive(Clone)]
pub struct AppState {
    instance_url: Arc<str>,
    db: Arc<Mutex<Database>>,
}

impl AppState {
    /// An instance reachable at `instance_url` (such as `http://127.0.0.1:8300`, no trailing
    /// slash), holding the demo users and incidents. The URL is what links and `Location` headers
    /// point at.
    pub fn new(instance_url: &str) -> AppState {
        AppState {
            instance_url: Arc::from(instance_url.trim_end_matches('/')),
            db: Arc::new(Mutex::new(seed::demo_database())),
        }
    }

    /// The base URL links point at.
    pub fn instance_url(&self) -> &str {
        &self.instance_url
    }

    /// The data. Handlers hold the lock only while they compute, never across an await.
    fn db(&self) -> MutexGuard<'_, Database> {
        // A panic while holding the lock leaves the data as consistent as any single request
        // leaves it, so keep serving.
        self.db
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// The router of one ServiceNow instance: Table API, record pages, home page.
pub fn app(state: AppState) -> Router {
    let trace = TraceLayer::new_for_http().make_span_with(|request: &Request<_>| {
        let matched_path = request.extensions().get::<MatchedPath>().map(MatchedPath::as_str);
        tracing::info_span!("request", method = %request.method(), uri = %request.uri(), matched_path)
    });
    Router::new()
        .merge(table_api::routes())
        .merge(pages::routes())
        .fallback(fallback)
        .layer(trace)
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            REQUEST_TIMEOUT,
        ))
        .with_state(state)
}

/// Unknown REST paths get the instance's 400; anything else a plain 404.
async fn fallback(uri: Uri) -> Response {
    match uri.path().starts_with("/api/") {
        true => AppError::NoSuchResource.into_response(),
        false => (StatusCode::NOT_FOUND, "Not Found").into_response(),
    }
}
