//! The account's API rate limit, as the recordings show it: every reply carries `x-rate-limit`,
//! `x-rate-limit-remaining`, `rate-limit`, `rate-limit-remaining` and `rate-limit-reset` (seconds
//! until the window resets); past the limit the account answers 429, `text/plain`, `retry-after`
//! and "Number of allowed API requests per minute exceeded" (`tests/fixtures/recorded/README.md`).
//!
//! Zendesk limits requests per account and minute. The window opens with the first request and
//! lasts 60 seconds, so a limit set by a test is not reset by a clock minute turning over halfway.

use axum::extract::Request;
use axum::http::{HeaderName, HeaderValue};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::common::datetime::{self, UnixSeconds};
use crate::zendesk::error::ZendeskError;
use crate::zendesk::ZendeskState;

const WINDOW_SECONDS: i64 = 60;

/// Requests counted in the current window.
#[derive(Debug, Clone, Default)]
pub(crate) struct RateLimiter {
    requests_per_minute: Option<u32>,
    window: Option<Window>,
}

#[derive(Debug, Clone, Copy)]
struct Window {
    start: UnixSeconds,
    count: u32,
}

/// The outcome of counting one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Verdict {
    Unlimited,
    Allowed {
        limit: u32,
        remaining: u32,
        reset: i64,
    },
    Denied {
        limit: u32,
        reset: i64,
    },
}

impl RateLimiter {
    pub(crate) fn with_limit(requests_per_minute: Option<u32>) -> RateLimiter {
        RateLimiter {
            requests_per_minute,
            window: None,
        }
    }

    pub(crate) fn requests_per_minute(&self) -> Option<u32> {
        self.requests_per_minute
    }

    /// Changes the limit and starts counting again.
    pub(crate) fn set_limit(&mut self, requests_per_minute: Option<u32>) {
        self.requests_per_minute = requests_per_minute;
        self.window = None;
    }

    /// Counts a request at `now`.
    pub(crate) fn check(&mut self, now: UnixSeconds) -> Verdict {
        let Some(limit) = self.requests_per_minute else {
            return Verdict::Unlimited;
        };
        let window = match self.window {
            Some(window) if now < window.start + WINDOW_SECONDS => window,
            _ => Window {
                start: now,
                count: 0,
            },
        };
        let reset = window.start + WINDOW_SECONDS - now;
        if window.count >= limit {
            self.window = Some(window);
            return Verdict::Denied { limit, reset };
        }
        let count = window.count + 1;
        self.window = Some(Window { count, ..window });
        Verdict::Allowed {
            limit,
            remaining: limit - count,
            reset,
        }
    }
}

/// Middleware on `/api/v2/`: counts the request and adds the rate headers, or answers 429.
pub(crate) async fn enforce(state: ZendeskState, request: Request, next: Next) -> Response {
    let verdict = state.rate_limiter().check(datetime::now());
    match verdict {
        Verdict::Unlimited => next.run(request).await,
        Verdict::Allowed {
            limit,
            remaining,
            reset,
        } => {
            let mut response = next.run(request).await;
            add_headers(&mut response, limit, remaining, reset);
            response
        }
        Verdict::Denied { limit, reset } => {
            let retry_after = u64::try_from(reset.max(1)).unwrap_or(1);
            let mut response = ZendeskError::RateLimited { retry_after }.into_response();
            add_headers(&mut response, limit, 0, reset);
            response
        }
    }
}

fn add_headers(response: &mut Response, limit: u32, remaining: u32, reset: i64) {
    let headers = response.headers_mut();
    for (name, value) in [
        ("x-rate-limit", limit),
        ("x-rate-limit-remaining", remaining),
        ("rate-limit", limit),
        ("rate-limit-remaining", remaining),
    ] {
        headers.insert(HeaderName::from_static(name), HeaderValue::from(value));
    }
    headers.insert(
        HeaderName::from_static("rate-limit-reset"),
        HeaderValue::from(reset),
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_per_window() {
        let mut limiter = RateLimiter::with_limit(Some(2));
        assert_eq!(
            limiter.check(1_000),
            Verdict::Allowed {
                limit: 2,
                remaining: 1,
                reset: 60
            }
        );
        assert_eq!(
            limiter.check(1_030),
            Verdict::Allowed {
                limit: 2,
                remaining: 0,
                reset: 30
            }
        );
        assert_eq!(limiter.check(1_059), Verdict::Denied { limit: 2, reset: 1 });
        assert_eq!(
            limiter.check(1_060),
            Verdict::Allowed {
                limit: 2,
                remaining: 1,
                reset: 60
            }
        );
        limiter.set_limit(None);
        assert_eq!(limiter.check(1_061), Verdict::Unlimited);
    }
}
