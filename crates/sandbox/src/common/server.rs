//! What every server's router has around its routes: the REST API behind the rate limit and the
//! faults the admin API switches on, a fallback for paths no route matches, a span per request
//! that records the method, URI and matched path, and a timeout; and the state as the handlers
//! that write links take it, [`Linked`].

use std::convert::Infallible;
use std::future::Future;
use std::sync::MutexGuard;
use std::time::Duration;

use axum::body::Body;
use axum::extract::{FromRequestParts, MatchedPath, Request, State};
use axum::http::request::Parts;
use axum::http::uri::Authority;
use axum::http::{header, StatusCode, Uri};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::Router;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;
use tracing::Span;

use crate::common::faults::{self, FaultAnswers, FaultQueue};
use crate::common::tls::ServedOverTls;

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

    /// The same server, with links pointing at `base_url` (no trailing slash).
    fn linked_to(&self, base_url: &str) -> Self;
}

/// A server's state whose links point where the client reached it. Over TLS that is `https://`
/// and the host the client asked for, so that a browser resolving `acme.service-now.com` to the
/// sandbox gets links to that name, as from a real instance; otherwise, and when the request
/// names no usable host, the URL the state was made with (plain http keeps its links as they
/// always were, whatever `Host` a client sends).
pub(crate) struct Linked<S>(pub(crate) S);

impl<S: Server> FromRequestParts<S> for Linked<S> {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Linked<S>, Infallible> {
        let over_tls = parts.extensions.get::<ServedOverTls>().is_some();
        match requested_authority(parts).filter(|_| over_tls) {
            Some(authority) => Ok(Linked(state.linked_to(&format!("https://{authority}")))),
            None => Ok(Linked(state.clone())),
        }
    }
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

/// The host (and port) a request was sent to: the URI's authority (HTTP/2, or an absolute URI),
/// else the `Host` header. User info has no place there, so a value with some is not used.
fn requested_authority(parts: &Parts) -> Option<Authority> {
    let authority = match parts.uri.authority() {
        Some(authority) => authority.clone(),
        None => parts
            .headers
            .get(header::HOST)?
            .to_str()
            .ok()?
            .parse()
            .ok()?,
    };
    (!authority.as_str().contains('@')).then_some(authority)
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
