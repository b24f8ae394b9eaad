//! The sandbox's own admin API on the Zendesk server, for tests and demos; not part of Zendesk and
//! without credentials (the sandbox listens on 127.0.0.1).
//!
//! - `GET /sandbox/faults`, `POST /sandbox/faults` with `{"kind": "status", "status": 503,
//!   "count": 2}` (kinds: `status`, `latency` with `millis`, `drop_after_commit`; not `hibernate`),
//!   `DELETE /sandbox/faults`, as on the ServiceNow server; they apply to `/api/v2/`.
//! - `GET /sandbox/rate-limit`, `PUT /sandbox/rate-limit` with `{"requests_per_minute": 5}` or
//!   `null` for no limit. Setting it starts a new window.
//! - `POST /sandbox/oauth/expire-tokens` (every access token and authorization code expires now;
//!   refreshing still works)
//!   and `POST /sandbox/oauth/revoke-tokens` (access and refresh tokens are revoked: sign in again),
//!   as on the ServiceNow server.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};

use crate::common::faults::Fault;
use crate::zendesk::error::{ZendeskError, ZendeskJson};
use crate::zendesk::ZendeskState;

pub(crate) fn routes() -> Router<ZendeskState> {
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
    requests_per_minute: Option<u32>,
}

async fn list_faults(State(state): State<ZendeskState>) -> Json<Vec<Fault>> {
    Json(state.faults().pending())
}

async fn add_fault(
    State(state): State<ZendeskState>,
    ZendeskJson(fault): ZendeskJson<Fault>,
) -> Result<Response, ZendeskError> {
    crate::zendesk::faults::check_kind(&fault.kind)?;
    state.faults().push(fault.clone());
    Ok((StatusCode::CREATED, Json(fault)).into_response())
}

async fn clear_faults(State(state): State<ZendeskState>) -> StatusCode {
    state.faults().clear();
    StatusCode::NO_CONTENT
}

async fn rate_limit(State(state): State<ZendeskState>) -> Json<RateLimit> {
    Json(RateLimit {
        requests_per_minute: state.rate_limiter().requests_per_minute(),
    })
}

async fn set_rate_limit(
    State(state): State<ZendeskState>,
    ZendeskJson(limit): ZendeskJson<RateLimit>,
) -> Json<RateLimit> {
    state.rate_limiter().set_limit(limit.requests_per_minute);
    Json(limit)
}

async fn expire_tokens(State(state): State<ZendeskState>) -> StatusCode {
    state.oauth().expire_now(crate::common::datetime::now());
    StatusCode::NO_CONTENT
}

async fn revoke_tokens(State(state): State<ZendeskState>) -> StatusCode {
    state.oauth().revoke_all();
    StatusCode::NO_CONTENT
}
