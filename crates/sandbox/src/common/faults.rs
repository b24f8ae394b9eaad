//! Faults a test switches on through the admin API: the next requests to the REST API fail with
//! a status, are slow, get the "Instance Hibernating page", or have their connection dropped after
//! the write was committed.
//!
//! The queue and the way a fault is applied are shared by both servers; each server answers a
//! status fault in its own error shape ([`FaultAnswers`]): the ServiceNow instance in
//! `crate::servicenow::faults`, the Zendesk account in `crate::zendesk::faults`.

use std::collections::VecDeque;
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::Request;
use axum::http::header;
use axum::middleware::Next;
use axum::response::Response;
use serde::{Deserialize, Serialize};

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

/// How a server answers the faults whose answer is its own.
pub(crate) struct FaultAnswers {
    /// A status fault, in the server's error shape; the request is given for answers that name
    /// what it was for.
    pub(crate) status: fn(u16, &Request) -> Response,
    /// The hibernating page, for a server that can hibernate; without one, a `hibernate` fault is
    /// refused when it is added, so it never gets here.
    pub(crate) hibernate: Option<fn() -> Response>,
}

/// Runs `request` under `fault`, the one the server's queue gave for it: answers it instead, makes
/// it slow, or lets it commit and then breaks the connection.
pub(crate) async fn apply(
    fault: Option<FaultKind>,
    request: Request,
    next: Next,
    answers: &FaultAnswers,
) -> Response {
    match fault {
        None => next.run(request).await,
        Some(FaultKind::Status { status }) => (answers.status)(status, &request),
        Some(FaultKind::Latency { millis }) => {
            tokio::time::sleep(Duration::from_millis(millis)).await;
            next.run(request).await
        }
        Some(FaultKind::Hibernate) => match answers.hibernate {
            Some(hibernating_page) => hibernating_page(),
            None => next.run(request).await,
        },
        Some(FaultKind::DropAfterCommit) => {
            let response = next.run(request).await;
            let (mut parts, body) = response.into_parts();
            let body = axum::body::to_bytes(body, usize::MAX)
                .await
                .unwrap_or_default();
            parts.headers.remove(header::CONTENT_LENGTH);
            // The status line, the headers and the start of the body go out, then the connection
            // breaks. Sending something first matters: a browser that got no byte at all on a
            // reused connection takes it for an idle close and silently sends the request again,
            // which is not the failure this fault is for.
            let head = body.slice(..body.len() / 2);
            let broken = futures_util::stream::unfold(Some(head), |head| async move {
                match head {
                    Some(head) => Some((Ok::<Bytes, std::io::Error>(head), None)),
                    None => {
                        // Let the first chunk leave the socket before the connection is cut.
                        tokio::time::sleep(Duration::from_millis(50)).await;
                        let reset = std::io::Error::new(
                            std::io::ErrorKind::ConnectionReset,
                            "fault: connection dropped",
                        );
                        Some((Err(reset), None))
                    }
                }
            });
            Response::from_parts(parts, Body::from_stream(broken))
        }
    }
}

fn one() -> u32 {
    1
}
