//! What every server's router has around its routes: the REST API behind the rate limit and the
//! faults the admin API switches on, a fallback for paths no route matches, a span per request
//! that records the method, URI and matched path, and a timeout.

use std::future::Future;
use std::sync::MutexGuard;
use std::time::Duration;

use axum::body::Body;
use axum::extract::{MatchedPath, Request, State};
use axum::http::{StatusCode, Uri};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::Router;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;
use tracing::Span;

use crate::common::faults::{self, FaultAnswers, FaultQueue};

/// A server's state, as the layers around its routes need it.
pub(crate) trait Server: Clone + Send + Sync + 'static {
    /// How the server answers the faults whose answer is its own.
    const FAULT_ANSWERS: FaultAnswers;

    /// The faults waiting for API requests.
    fn fault_queue(&self) -> MutexGuard<'_, FaultQueue>;

    /// Counts an API request, and answers it instead when it is over the limit.
    fn enforce_rate_limit(
        self,
        request: Request,
        next: Next,
    ) -> impl Future<Output = Response> + Send;

    /// The answer to an `/api/` path that no route matches.
    fn unknown_endpoint() -> Response;
}

/// How long a request may take before a server answers 408.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// `api` behind the server's rate limit and faults. Faults wrap the rate limit, so that an
/// injected 429 or outage never counts as a request.
pub(crate) fn guard<S: Server>(api: Router<S>, state: &S) -> Router<S> {
    api.layer(middleware::from_fn_with_state(
        state.clone(),
        enforce_rate_limit::<S>,
    ))
    .layer(middleware::from_fn_with_state(
        state.clone(),
        inject_fault::<S>,
    ))
}

/// `router` with the fallback for unknown paths, a span per request made by `request_span`
/// (which names the server) and the timeout.
pub(crate) fn finish<S: Server>(
    router: Router<S>,
    state: S,
    request_span: fn(&Request<Body>) -> Span,
) -> Router {
    router
        .fallback(fallback::<S>)
        .layer(TraceLayer::new_for_http().make_span_with(request_span))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            REQUEST_TIMEOUT,
        ))
        .with_state(state)
}

/// The route a request matched, for its span.
pub(crate) fn matched_path(request: &Request<Body>) -> Option<&str> {
    request
        .extensions()
        .get::<MatchedPath>()
        .map(MatchedPath::as_str)
}

async fn enforce_rate_limit<S: Server>(
    State(state): State<S>,
    request: Request,
    next: Next,
) -> Response {
    state.enforce_rate_limit(request, next).await
}

/// Applies the next pending fault, if there is one.
async fn inject_fault<S: Server>(State(state): State<S>, request: Request, next: Next) -> Response {
    let fault = state.fault_queue().take();
    faults::apply(fault, request, next, &S::FAULT_ANSWERS).await
}

/// Unknown API paths get the server's own error; anything else a plain 404.
async fn fallback<S: Server>(uri: Uri) -> Response {
    match uri.path().starts_with("/api/") {
        true => S::unknown_endpoint(),
        false => (StatusCode::NOT_FOUND, "Not Found").into_response(),
    }
}
