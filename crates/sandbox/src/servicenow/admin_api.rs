//! The sandbox's own admin API, for tests and demos: switch faults on and off, set the rate limit.
//! It is not part of ServiceNow and needs no credentials; the sandbox listens on 127.0.0.1.
//!
//! - `GET /sandbox/faults`, `POST /sandbox/faults` with `{"kind": "status", "status": 503,
//!   "count": 2}` (kinds: `status`, `latency` with `millis`, `hibernate`, `drop_after_commit`),
//!   `DELETE /sandbox/faults`.
//! - `GET /sandbox/rate-limit`, `PUT /sandbox/rate-limit` with `{"requests_per_hour": 100}` or
//!   `null` for no limit.
//! - `POST /sandbox/oauth/expire-tokens` (access tokens expire now; refresh still works) and
//!   `POST /sandbox/oauth/revoke-tokens` (sign in again).

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};

use crate::common::faults::Fault;
use crate::servicenow::error::AppJson;
use crate::servicenow::AppState;

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/sandbox/faults",
            get(list_faults).post(add_fault).delete(clear_faults),
        )
        .route("/sandbox/rate-limit", get(rate_limit).put(set_rate_limit))
        .route("/sandbox/oauth/expire-tokens", post(expire_tokens))
        .route("/sandbox/oauth/revoke-tokens", post(revoke_tokens))
}

#[derive(Debug, Serialize, Deserialize)]
struct RateLimit {
    requests_per_hour: Option<u32>,
}

async fn list_faults(State(state): State<AppState>) -> Json<Vec<Fault>> {
    Json(state.faults().pending())
}

async fn add_fault(State(state): State<AppState>, AppJson(fault): AppJson<Fault>) -> Response {
    state.faults().push(fault.clone());
    (StatusCode::CREATED, Json(fault)).into_response()
}

async fn clear_faults(State(state): State<AppState>) -> StatusCode {
    state.faults().clear();
    StatusCode::NO_CONTENT
}

async fn rate_limit(State(state): State<AppState>) -> Json<RateLimit> {
    Json(RateLimit {
        requests_per_hour: state.rate_limiter().requests_per_hour(),
    })
}

async fn set_rate_limit(
    State(state): State<AppState>,
    AppJson(limit): AppJson<RateLimit>,
) -> Json<RateLimit> {
    state.rate_limiter().set_limit(limit.requests_per_hour);
    Json(limit)
}

/// Every access token expires now; refreshing still works.
async fn expire_tokens(State(state): State<AppState>) -> StatusCode {
    state
        .oauth()
        .expire_access_tokens(crate::common::datetime::now());
    StatusCode::NO_CONTENT
}

/// Every access and refresh token is revoked: clients must sign in again.
async fn revoke_tokens(State(state): State<AppState>) -> StatusCode {
    state.oauth().revoke_all();
    StatusCode::NO_CONTENT
}
