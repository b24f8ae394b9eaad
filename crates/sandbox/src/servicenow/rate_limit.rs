//! Inbound REST API rate limits per user, as `inbound-REST-API-rate-limiting.md` describes them:
//! a number of requests per hour; `X-RateLimit-Limit`, `X-RateLimit-Reset` (the Unix time of the
//! next reset) and `X-RateLimit-Rule` on every limited response; past the limit 429 with
//! `Retry-After` and the "Rate limit exceeded" envelope.

use std::collections::HashMap;

use axum::extract::Request;
use axum::http::{HeaderName, HeaderValue};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::common::datetime::UnixSeconds;
use crate::servicenow::auth;
use crate::servicenow::error::AppError;
use crate::servicenow::AppState;

/// The sys_id the sandbox's one rate limit rule answers with in `X-RateLimit-Rule`.
pub(crate) const RULE_SYS_ID: &str = "6ae5a4f0c3a01210f1a8fb13e40131a1";

/// Requests counted per user in the current clock hour.
#[derive(Debug, Default)]
pub(crate) struct RateLimiter {
    requests_per_hour: Option<u32>,
    windows: HashMap<String, Window>,
}

/// The outcome of counting one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Verdict {
    Unlimited,
    Allowed {
        limit: u32,
        reset: UnixSeconds,
    },
    Denied {
        limit: u32,
        reset: UnixSeconds,
        retry_after: i64,
    },
}

#[derive(Debug, Clone, Copy)]
struct Window {
    hour: i64,
    count: u32,
}

impl RateLimiter {
    pub(crate) fn with_limit(requests_per_hour: Option<u32>) -> RateLimiter {
        RateLimiter {
            requests_per_hour,
            windows: HashMap::new(),
        }
    }

    pub(crate) fn requests_per_hour(&self) -> Option<u32> {
        self.requests_per_hour
    }

    /// Changes the limit and starts every user's count again, as resetting a rule does.
    pub(crate) fn set_limit(&mut self, requests_per_hour: Option<u32>) {
        self.requests_per_hour = requests_per_hour;
        self.windows.clear();
    }

    /// Counts a request by `user_name` at `now`.
    pub(crate) fn check(&mut self, user_name: &str, now: UnixSeconds) -> Verdict {
        let Some(limit) = self.requests_per_hour else {
            return Verdict::Unlimited;
        };
        let hour = now.div_euclid(3600);
        let reset = (hour + 1) * 3600;
        let window = self
            .windows
            .entry(user_name.to_owned())
            .or_insert(Window { hour, count: 0 });
        if window.hour != hour {
            *window = Window { hour, count: 0 };
        }
        if window.count >= limit {
            return Verdict::Denied {
                limit,
                reset,
                retry_after: reset - now,
            };
        }
        window.count += 1;
        Verdict::Allowed { limit, reset }
    }
}

/// Middleware: counts authenticated requests and answers 429 past the limit. Requests without
/// valid credentials are left to the handlers' 401.
pub(crate) async fn enforce(state: AppState, request: Request, next: Next) -> Response {
    let Some(user) = auth::authenticate(&state, request.headers(), request.uri()) else {
        return next.run(request).await;
    };
    let verdict = state
        .rate_limiter()
        .check(&user.user_name, crate::common::datetime::now());
    let (limit, reset) = match verdict {
        Verdict::Unlimited => return next.run(request).await,
        Verdict::Allowed { limit, reset } => (limit, reset),
        Verdict::Denied {
            limit,
            reset,
            retry_after,
        } => {
            let api = rest_api_name(request.uri().path());
            let mut response = AppError::RateLimited { limit, api }.into_response();
            add_headers(&mut response, limit, reset);
            response
                .headers_mut()
                .insert("retry-after", HeaderValue::from(retry_after.max(1)));
            return response;
        }
    };
    let mut response = next.run(request).await;
    add_headers(&mut response, limit, reset);
    response
}

/// The REST API a request path belongs to, as the 429 detail names it: the documented example
/// names the "Table API" (`inbound-REST-API-rate-limiting.md`), whose reference page has that
/// title; the Attachment API's and the VA endpoint's pages are titled "Attachment API" and
/// "Virtual Agent Bot Integration API" (`c_AttachmentAPI.md`, `bot-api.md`).
pub(crate) fn rest_api_name(path: &str) -> &'static str {
    if path.starts_with("/api/sn_va_as_service/") {
        return "Virtual Agent Bot Integration API";
    }
    let attachment = ["/api/now/attachment", "/api/now/v1/attachment"]
        .iter()
        .any(|prefix| path.starts_with(prefix));
    match attachment {
        true => "Attachment API",
        false => "Table API",
    }
}

fn add_headers(response: &mut Response, limit: u32, reset: UnixSeconds) {
    let headers = response.headers_mut();
    headers.insert(
        HeaderName::from_static("x-ratelimit-limit"),
        HeaderValue::from(limit),
    );
    headers.insert(
        HeaderName::from_static("x-ratelimit-reset"),
        HeaderValue::from(reset),
    );
    headers.insert(
        HeaderName::from_static("x-ratelimit-rule"),
        HeaderValue::from_static(RULE_SYS_ID),
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_per_user_per_clock_hour() {
        let mut limiter = RateLimiter::with_limit(Some(2));
        let start = 7200 + 600;
        assert_eq!(
            limiter.check("abel", start),
            Verdict::Allowed {
                limit: 2,
                reset: 10_800
            }
        );
        assert_eq!(
            limiter.check("abel", start + 1),
            Verdict::Allowed {
                limit: 2,
                reset: 10_800
            }
        );
        assert_eq!(
            limiter.check("abel", start + 2),
            Verdict::Denied {
                limit: 2,
                reset: 10_800,
                retry_after: 10_800 - start - 2
            }
        );
        assert_eq!(
            limiter.check("beth", start + 2),
            Verdict::Allowed {
                limit: 2,
                reset: 10_800
            }
        );
        assert_eq!(
            limiter.check("abel", 10_800),
            Verdict::Allowed {
                limit: 2,
                reset: 14_400
            }
        );
        assert_eq!(
            RateLimiter::default().check("abel", start),
            Verdict::Unlimited
        );
    }

    #[test]
    fn names_the_rest_api_of_a_path() {
        for (path, expected) in [
            ("/api/now/table/incident", "Table API"),
            ("/api/now/v2/table/incident", "Table API"),
            ("/api/now/attachment/file", "Attachment API"),
            ("/api/now/v1/attachment", "Attachment API"),
            (
                "/api/sn_va_as_service/bot/integration",
                "Virtual Agent Bot Integration API",
            ),
        ] {
            assert_eq!(rest_api_name(path), expected, "{path}");
        }
    }
}
