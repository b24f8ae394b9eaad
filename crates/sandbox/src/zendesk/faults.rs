//! Faults on the Zendesk account, switched on through its admin API (`/sandbox/faults`): the
//! queue and the way a fault is applied are shared with the ServiceNow instance
//! (`crate::common::faults`); only the answers are Zendesk's.
//!
//! A status fault answers in the shape the account uses for that status: 401 `Couldn't
//! authenticate you`, 403 `Forbidden`, 404 `RecordNotFound`, and 429 as recorded, `text/plain`
//! "Number of allowed API requests per minute exceeded" with `retry-after`
//! (`tests/fixtures/recorded/README.md`); any other status gets `{"error", "description"}` with
//! its reason phrase, the sandbox's own wording. A Zendesk account does not hibernate, so the
//! `hibernate` fault is refused when it is added.

use axum::extract::Request;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use crate::common::faults::{FaultAnswers, FaultKind};
use crate::zendesk::error::ZendeskError;

/// How long a rate-limit fault asks the client to wait: the account's whole window.
const RETRY_AFTER_SECONDS: u64 = 60;

/// How the account answers faults.
pub(crate) const ANSWERS: FaultAnswers = FaultAnswers {
    status: status_response,
    hibernate: None,
};

/// Whether the account can show this fault; `hibernate` is the ServiceNow instance's alone.
pub(crate) fn check_kind(kind: &FaultKind) -> Result<(), ZendeskError> {
    match kind {
        FaultKind::Hibernate => Err(ZendeskError::BadRequest(
            "hibernate is a ServiceNow fault; a Zendesk account does not hibernate".to_owned(),
        )),
        FaultKind::Status { .. } | FaultKind::Latency { .. } | FaultKind::DropAfterCommit => Ok(()),
    }
}

fn status_response(status: u16, _request: &Request) -> Response {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let error = match status {
        StatusCode::UNAUTHORIZED => ZendeskError::Unauthenticated,
        StatusCode::FORBIDDEN => ZendeskError::Forbidden,
        StatusCode::NOT_FOUND => ZendeskError::RecordNotFound,
        StatusCode::TOO_MANY_REQUESTS => ZendeskError::RateLimited {
            retry_after: RETRY_AFTER_SECONDS,
        },
        other => ZendeskError::Injected(other),
    };
    error.into_response()
}
