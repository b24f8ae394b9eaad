//! Faults a test switches on through the admin API: the next requests to the REST API fail with
//! a status, are slow, get the "Instance Hibernating page", or have their connection dropped after
//! the write was committed.

use std::collections::VecDeque;
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};

use crate::error::AppError;
use crate::AppState;

/// What goes wrong.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub(crate) enum FaultKind {
    /// Answer with this status and the envelope real instances use for it.
    Status { status: u16 },
    /// Wait this long, then answer normally.
    Latency { millis: u64 },
    /// A hibernating developer instance: 200, `text/html`, "Instance Hibernating page" (recorded
    /// README).
    Hibernate,
    /// Run the request, commit its write, then break the connection instead of answering.
    DropAfterCommit,
}

/// A fault and how many more requests it applies to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Fault {
    #[serde(flatten)]
    pub(crate) kind: FaultKind,
    /// Requests left; defaults to one.
    #[serde(default = "one")]
    pub(crate) count: u32,
}

/// Faults in the order they were added; the first one applies until used up.
#[derive(Debug, Default)]
pub(crate) struct FaultQueue {
    faults: VecDeque<Fault>,
}

impl FaultQueue {
    pub(crate) fn push(&mut self, fault: Fault) {
        if fault.count > 0 {
            self.faults.push_back(fault);
        }
    }

    pub(crate) fn clear(&mut self) {
        self.faults.clear();
    }

    pub(crate) fn pending(&self) -> Vec<Fault> {
        self.faults.iter().cloned().collect()
    }

    /// Uses the first fault once.
    pub(crate) fn take(&mut self) -> Option<FaultKind> {
        let fault = self.faults.front_mut()?;
        fault.count -= 1;
        let kind = fault.kind.clone();
        if fault.count == 0 {
            self.faults.pop_front();
        }
        Some(kind)
    }
}

/// Middleware on the REST API: applies the next pending fault, if any.
pub(crate) async fn inject(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let fault = state.faults().take();
    match fault {
        None => next.run(request).await,
        Some(FaultKind::Status { status }) => status_response(status),
        Some(FaultKind::Latency { millis }) => {
            tokio::time::sleep(Duration::from_millis(millis)).await;
            next.run(request).await
        }
        Some(FaultKind::Hibernate) => hibernating_page(),
        Some(FaultKind::DropAfterCommit) => {
            let response = next.run(request).await;
            let (parts, _) = response.into_parts();
            // A body that fails makes hyper abort the connection mid-response.
            let broken =
                futures_util::stream::iter([Err::<Bytes, std::io::Error>(std::io::Error::new(
                    std::io::ErrorKind::ConnectionReset,
                    "fault: connection dropped",
                ))]);
            Response::from_parts(parts, Body::from_stream(broken))
        }
    }
}

fn status_response(status: u16) -> Response {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    match status {
        StatusCode::UNAUTHORIZED => AppError::Unauthenticated.into_response(),
        StatusCode::NOT_FOUND => AppError::NoRecord.into_response(),
        StatusCode::TOO_MANY_REQUESTS => {
            let mut response = AppError::RateLimited { limit: 0 }.into_response();
            response
                .headers_mut()
                .insert("retry-after", HeaderValue::from_static("60"));
            response
        }
        _ => AppError::Injected(status).into_response(),
    }
}

fn hibernating_page() -> Response {
    let html = "<!DOCTYPE html>\n<html><head><title>Instance Hibernating page</title></head>\n\
                <body><h1>Your instance is hibernating</h1>\
                <p>Sign in to the developer portal to wake it up.</p></body></html>\n";
    let mut response = (StatusCode::OK, html).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html;charset=UTF-8"),
    );
    response
}

fn one() -> u32 {
    1
}
