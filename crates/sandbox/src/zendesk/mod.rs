//! A Zendesk Support account (`/api/v2/`), built to `shared/reference/zendesk/*.yml` and shaped
//! after the recordings in `shared/recorded/zendesk/`: tickets (create, show, show_many, update
//! with comments, destroy, bulk jobs with job statuses), offset and cursor paging, comments, ticket
//! search, users (`me`, search, show), Basic `email/token:API_TOKEN` authentication,
//! `x-rate-limit` headers with the plain-text 429, and the recorded errors.

mod api;
mod model;
mod ops;
mod search;

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};

use axum::extract::{Request, State};
use axum::http::header::AUTHORIZATION;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::Router;
use base64::Engine;
use serde_json::{json, Value};
use tower_http::trace::TraceLayer;

use crate::datetime::{self, UnixSeconds};
use crate::zendesk::model::{Account, User};

/// The recorded `x-rate-limit` of a Zendesk account: 700 requests a minute.
pub const DEFAULT_REQUESTS_PER_MINUTE: u32 = 700;

/// The demo users' API token.
pub const DEMO_API_TOKEN: &str = "sandbox-token";

/// The demo sign-ins (email, who), printed on start; both use [`DEMO_API_TOKEN`].
pub const DEMO_USERS: [(&str, &str); 2] = [
    ("admin@example.com", "admin"),
    ("user@example.com", "end user"),
];

/// The state of one Zendesk account. Cheap to clone.
#[derive(Clone)]
pub struct ZendeskState {
    base_url: Arc<str>,
    account: Arc<Mutex<Account>>,
    limiter: Arc<Mutex<MinuteLimiter>>,
}

/// What a request can fail with, answered with Zendesk's own bodies.
#[derive(Debug, thiserror::Error)]
pub(crate) enum ZendeskError {
    /// No or wrong credentials: 401 `{"error":"Couldn't authenticate you"}`.
    #[error("couldn't authenticate")]
    Unauthenticated,
    /// Recorded: 404 `{"error":"RecordNotFound","description":"Not found"}`.
    #[error("record not found")]
    NotFound,
    /// An end user on an agents-only endpoint.
    #[error("forbidden")]
    Forbidden,
    /// 422 `RecordInvalid` with per-field details.
    #[error("record invalid: {field}: {message}")]
    Invalid {
        field: &'static str,
        message: String,
    },
    /// Recorded: 400 `TooManyValues` past 100 ids or tickets.
    #[error("too many values")]
    TooManyValues,
    /// Offset paging past 100 pages (400) or search past 1000 results (422), as the reference's
    /// README says; the body's wording is the sandbox's own.
    #[error("pagination limit: {0}")]
    PaginationLimit(StatusCode),
    /// A body that is not JSON.
    #[error("unreadable body: {0}")]
    BadBody(String),
}

/// Requests per user and clock minute.
#[derive(Debug)]
struct MinuteLimiter {
    limit: u32,
    windows: HashMap<u64, (i64, u32)>,
}

impl ZendeskState {
    /// An account reachable at `base_url` (no trailing slash) with the demo users and tickets.
    pub fn new(base_url: &str) -> ZendeskState {
        ZendeskState::with_rate_limit(base_url, DEFAULT_REQUESTS_PER_MINUTE)
    }

    /// Like [`ZendeskState::new`], allowing each user `requests_per_minute`.
    pub fn with_rate_limit(base_url: &str, requests_per_minute: u32) -> ZendeskState {
        ZendeskState {
            base_url: Arc::from(base_url.trim_end_matches('/')),
            account: Arc::new(Mutex::new(ops::demo_account(datetime::now()))),
            limiter: Arc::new(Mutex::new(MinuteLimiter {
                limit: requests_per_minute,
                windows: HashMap::new(),
            })),
        }
    }

    /// The base URL links point at.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    fn account(&self) -> MutexGuard<'_, Account> {
        self.account
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn limiter(&self) -> MutexGuard<'_, MinuteLimiter> {
        self.limiter
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// The router of one Zendesk account.
pub fn app(state: ZendeskState) -> Router {
    api::routes()
        .layer(middleware::from_fn_with_state(state.clone(), rate_limit))
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}

impl IntoResponse for ZendeskError {
    fn into_response(self) -> Response {
        let (status, fields): (StatusCode, Vec<(&str, Value)>) = match self {
            ZendeskError::Unauthenticated => {
                (StatusCode::UNAUTHORIZED, vec![("error", json!("Couldn't authenticate you"))])
            }
            ZendeskError::NotFound => (
                StatusCode::NOT_FOUND,
                vec![("error", json!("RecordNotFound")), ("description", json!("Not found"))],
            ),
            ZendeskError::Forbidden => (
                StatusCode::FORBIDDEN,
                vec![
                    ("error", json!("Forbidden")),
                    ("description", json!("You do not have access to this page. Please contact the account owner of this help desk for further help.")),
                ],
            ),
            ZendeskError::Invalid { field, message } => (
                StatusCode::UNPROCESSABLE_ENTITY,
                vec![
                    ("error", json!("RecordInvalid")),
                    ("description", json!("Record validation errors")),
                    ("details", json!({ field: [{ "description": message, "error": "InvalidValue" }] })),
                ],
            ),
            // Recorded, double space included.
            ZendeskError::TooManyValues => (
                StatusCode::BAD_REQUEST,
                vec![
                    ("error", json!("TooManyValues")),
                    ("description", json!("Parameter  cannot specify more than 100 values")),
                    ("max_count", json!(100)),
                ],
            ),
            ZendeskError::PaginationLimit(status) => (
                status,
                vec![
                    ("error", json!("InvalidPaginationParameter")),
                    ("description", json!("The page requested is beyond the pages this endpoint allows")),
                ],
            ),
            ZendeskError::BadBody(reason) => (
                StatusCode::BAD_REQUEST,
                vec![("error", json!("InvalidJSON")), ("description", json!(reason))],
            ),
        };
        json_response(status, ordered_object(&fields))
    }
}

/// A JSON object with its keys in the given order, as the recorded error bodies have them
/// (serde_json's `Value` would sort them).
fn ordered_object(fields: &[(&str, Value)]) -> String {
    let members: Vec<String> = fields
        .iter()
        .map(|(name, value)| format!("{}:{value}", Value::from(*name)))
        .collect();
    format!("{{{}}}", members.join(","))
}

/// A JSON response with the recorded content type.
pub(crate) fn json_response(status: StatusCode, body: String) -> Response {
    let mut response = (status, body).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json; charset=utf-8"),
    );
    response
}

/// The user of `Authorization: Basic base64(email/token:API_TOKEN)`.
pub(crate) fn authenticate(state: &ZendeskState, headers: &HeaderMap) -> Option<User> {
    let header = headers.get(AUTHORIZATION)?.to_str().ok()?;
    let (scheme, encoded) = header.split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(encoded.trim())
        .ok()?;
    let decoded = String::from_utf8(decoded).ok()?;
    let (login, token) = decoded.split_once(':')?;
    let email = login.strip_suffix("/token")?;
    let account = state.account();
    let user = account
        .users
        .iter()
        .find(|user| user.email.eq_ignore_ascii_case(email))?;
    (user.api_token.as_deref() == Some(token)).then(|| user.clone())
}

/// `x-rate-limit` and `x-rate-limit-remaining` on every authenticated reply; past the limit 429
/// `text/plain` "Number of allowed API requests per minute exceeded" with `retry-after`
/// (recorded README).
async fn rate_limit(State(state): State<ZendeskState>, request: Request, next: Next) -> Response {
    let Some(user) = authenticate(&state, request.headers()) else {
        return next.run(request).await;
    };
    let now = datetime::now();
    let (limit, remaining) = {
        let mut limiter = state.limiter();
        (limiter.limit, limiter.check(user.id, now))
    };
    let Some(remaining) = remaining else {
        let retry_after = 60 - now.rem_euclid(60);
        let mut response = (
            StatusCode::TOO_MANY_REQUESTS,
            "Number of allowed API requests per minute exceeded",
        )
            .into_response();
        let headers = response.headers_mut();
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/plain; charset=utf-8"),
        );
        headers.insert("retry-after", HeaderValue::from(retry_after));
        headers.insert("x-rate-limit", HeaderValue::from(limit));
        headers.insert("x-rate-limit-remaining", HeaderValue::from(0));
        return response;
    };
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    headers.insert("x-rate-limit", HeaderValue::from(limit));
    headers.insert("x-rate-limit-remaining", HeaderValue::from(remaining));
    response
}

impl MinuteLimiter {
    /// Counts a request; the requests left this minute, or `None` past the limit.
    fn check(&mut self, user_id: u64, now: UnixSeconds) -> Option<u32> {
        let minute = now.div_euclid(60);
        let window = self.windows.entry(user_id).or_insert((minute, 0));
        if window.0 != minute {
            *window = (minute, 0);
        }
        if window.1 >= self.limit {
            return None;
        }
        window.1 += 1;
        Some(self.limit - window.1)
    }
}
