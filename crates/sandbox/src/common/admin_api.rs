//! The sandbox's own admin API, on every server, for tests and demos: not part of any vendor's
//! API, and without credentials (the sandbox listens on 127.0.0.1).
//!
//! - `GET /sandbox/faults`, `POST /sandbox/faults` with `{"kind": "status", "status": 503,
//!   "count": 2}` (kinds: `status`, `latency` with `millis`, `hibernate`, `drop_after_commit`;
//!   a server refuses the kinds it cannot show), `DELETE /sandbox/faults`. They apply to the
//!   server's REST API.
//! - `GET /sandbox/rate-limit`, `PUT /sandbox/rate-limit` with the server's limit, or `null` for
//!   no limit.
//! - `POST /sandbox/oauth/expire-tokens` (access tokens expire now; refreshing still works) and
//!   `POST /sandbox/oauth/revoke-tokens` (access and refresh tokens are revoked: sign in again).

use axum::extract::rejection::JsonRejection;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::common::datetime::{self, UnixSeconds};
use crate::common::faults::{Fault, FaultKind};
use crate::common::server::Server;

/// A server's state, as its admin API needs it.
pub(crate) trait SandboxAdmin: Server {
    /// The server's error, for a body that cannot be read or a fault the server cannot show.
    type Error: IntoResponse + Send;
    /// The body of `/sandbox/rate-limit`, which names the server's own window.
    type RateLimit: Serialize + DeserializeOwned + Send + 'static;

    /// The error for a JSON body that cannot be read.
    fn unreadable_body(rejection: JsonRejection) -> Self::Error;

    /// Whether the server can show this kind of fault.
    fn check_fault(kind: &FaultKind) -> Result<(), Self::Error>;

    /// The rate limit in force.
    fn rate_limit(&self) -> Self::RateLimit;

    /// Sets the rate limit and starts counting again.
    fn set_rate_limit(&self, limit: &Self::RateLimit);

    /// Expires every access token now; refresh tokens stay valid.
    fn expire_tokens(&self, now: UnixSeconds);

    /// Revokes every access and refresh token.
    fn revoke_tokens(&self);
}

/// The admin API's routes.
pub(crate) fn routes<S: SandboxAdmin>() -> Router<S> {
    Router::new()
        .route(
            "/sandbox/faults",
            get(list_faults::<S>)
                .post(add_fault::<S>)
                .delete(clear_faults::<S>),
        )
        .route(
            "/sandbox/rate-limit",
            get(rate_limit::<S>).put(set_rate_limit::<S>),
        )
        .route("/sandbox/oauth/expire-tokens", post(expire_tokens::<S>))
        .route("/sandbox/oauth/revoke-tokens", post(revoke_tokens::<S>))
}

async fn list_faults<S: SandboxAdmin>(State(state): State<S>) -> Json<Vec<Fault>> {
    Json(state.fault_queue().pending())
}

async fn add_fault<S: SandboxAdmin>(
    State(state): State<S>,
    body: Result<Json<Fault>, JsonRejection>,
) -> Result<Response, S::Error> {
    let Json(fault) = body.map_err(S::unreadable_body)?;
    S::check_fault(&fault.kind)?;
    state.fault_queue().push(fault.clone());
    Ok((StatusCode::CREATED, Json(fault)).into_response())
}

async fn clear_faults<S: SandboxAdmin>(State(state): State<S>) -> StatusCode {
    state.fault_queue().clear();
    StatusCode::NO_CONTENT
}

async fn rate_limit<S: SandboxAdmin>(State(state): State<S>) -> Json<S::RateLimit> {
    Json(state.rate_limit())
}

async fn set_rate_limit<S: SandboxAdmin>(
    State(state): State<S>,
    body: Result<Json<S::RateLimit>, JsonRejection>,
) -> Result<Json<S::RateLimit>, S::Error> {
    let Json(limit) = body.map_err(S::unreadable_body)?;
    state.set_rate_limit(&limit);
    Ok(Json(limit))
}

async fn expire_tokens<S: SandboxAdmin>(State(state): State<S>) -> StatusCode {
    state.expire_tokens(datetime::now());
    StatusCode::NO_CONTENT
}

async fn revoke_tokens<S: SandboxAdmin>(State(state): State<S>) -> StatusCode {
    state.revoke_tokens();
    StatusCode::NO_CONTENT
}
