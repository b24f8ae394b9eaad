//! When to try a request again, and after how long.
//!
//! Sans-IO: the caller passes in what happened, the attempt number, `now` and a random number, and
//! gets a [`RetryDecision`] back; it owns the clock and the sleeping.

use crate::error::CoreError;
use crate::http::{HttpResponse, Method};
use crate::ticket::{Ticket, Timestamp};

/// Bounds on retrying.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts in all, the first one included.
    pub max_attempts: u32,
    /// The back-off before the first retry, in milliseconds; it doubles each time.
    pub base_delay_ms: u64,
    /// The longest back-off, in milliseconds.
    pub max_delay_ms: u64,
    /// The longest a rate limit may make us wait before giving up and telling the user.
    pub max_rate_limit_wait_ms: u64,
}

/// What happened to one attempt.
#[derive(Debug, Clone, Copy)]
pub enum Attempt<'a> {
    /// A response arrived.
    Response(&'a HttpResponse),
    /// The request got no answer; it may or may not have been processed.
    NetworkError,
}

/// What the caller should do next.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RetryDecision {
    /// Send the same request again after this many milliseconds.
    RetryAfter(u64),
    /// Stop and report the outcome.
    GiveUp,
}

/// What to do after one attempt of an operation: of a create made safe to retry (each provider's
/// `SafeCreate`), or of any [`crate::driver::Operation`].
#[derive(Debug, Clone, PartialEq)]
pub enum CreateStep<T = Ticket> {
    /// It is done: the ticket exists (created now, or found from an earlier attempt).
    Done(Box<T>),
    /// The outcome is unknown or the ticket is missing; send the create's next request again
    /// (after a back-off).
    Again,
    /// The service desk refused; retrying will not help.
    Failed(CoreError),
}

/// Where a create made safe to retry stands. Both providers' `SafeCreate` keep one: the rules for
/// when to create and when to look first live here once; each provider says how to read replies.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum CreatePhase {
    /// The next request is the create.
    #[default]
    Creating,
    /// A create's outcome is unknown; the next request looks the ticket up by its correlation id.
    Checking,
}

impl CreatePhase {
    /// Moves on after `outcome` of the request this phase called for. `parse_created` reads a
    /// create's reply; `parse_found` reads a lookup's reply into the ticket, if it exists.
    pub fn handle(
        &mut self,
        outcome: Attempt<'_>,
        parse_created: impl FnOnce(&HttpResponse) -> Result<Ticket, CoreError>,
        parse_found: impl FnOnce(&HttpResponse) -> Result<Option<Ticket>, CoreError>,
    ) -> CreateStep {
        let response = match outcome {
            // The create may or may not have been committed: look before sending it again.
            Attempt::NetworkError => {
                *self = CreatePhase::Checking;
                return CreateStep::Again;
            }
            Attempt::Response(response) => response,
        };
        // Rate limited: nothing was done, whichever request it was.
        if response.status == 429 {
            return CreateStep::Again;
        }
        if response.status >= 500 {
            *self = CreatePhase::Checking;
            return CreateStep::Again;
        }
        let found = match *self {
            CreatePhase::Creating => parse_created(response).map(Some),
            CreatePhase::Checking => parse_found(response),
        };
        match found {
            Ok(Some(ticket)) => CreateStep::Done(Box::new(ticket)),
            // Checked, and nothing was committed: create again.
            Ok(None) => {
                *self = CreatePhase::Creating;
                CreateStep::Again
            }
            Err(error) => CreateStep::Failed(error),
        }
    }
}

/// Whether sending a request twice has the same effect as sending it once.
///
/// `PATCH` is not: on ServiceNow it appends journal entries (`comments`, `work_notes`).
pub fn is_idempotent(method: Method) -> bool {
    matches!(method, Method::Get | Method::Put | Method::Delete)
}

impl Default for RetryPolicy {
    fn default() -> RetryPolicy {
        RetryPolicy {
            max_attempts: 4,
            base_delay_ms: 500,
            max_delay_ms: 8_000,
            max_rate_limit_wait_ms: 60_000,
        }
    }
}

impl RetryPolicy {
    /// Decides after attempt number `attempt` (1 for the first) ended with `outcome`.
    ///
    /// `jitter` is a random number in `[0, 1)` from the caller; `now_ms` is the Unix time in ms.
    /// A 429 is retried whatever the method, since the instance refused it before doing anything;
    /// 5xx and network errors only for idempotent requests, because the write may have happened.
    pub fn decide(
        &self,
        method: Method,
        attempt: u32,
        outcome: Attempt<'_>,
        now_ms: u64,
        jitter: f64,
    ) -> RetryDecision {
        if attempt >= self.max_attempts {
            return RetryDecision::GiveUp;
        }
        let backoff = self.backoff_ms(attempt, jitter);
        match outcome {
            Attempt::Response(response) if response.status == 429 => {
                match rate_limit_wait_ms(response, now_ms) {
                    Some(wait) if wait > self.max_rate_limit_wait_ms => RetryDecision::GiveUp,
                    Some(wait) => RetryDecision::RetryAfter(wait),
                    None => RetryDecision::RetryAfter(backoff),
                }
            }
            Attempt::Response(response)
                if matches!(response.status, 500 | 502 | 503 | 504) && is_idempotent(method) =>
            {
                RetryDecision::RetryAfter(backoff)
            }
            Attempt::NetworkError if is_idempotent(method) => RetryDecision::RetryAfter(backoff),
            _ => RetryDecision::GiveUp,
        }
    }

    /// Exponential back-off with "equal jitter": half the step is fixed, half random, so retries
    /// from many clients spread out but never collapse to zero.
    fn backoff_ms(&self, attempt: u32, jitter: f64) -> u64 {
        let step = self
            .base_delay_ms
            .saturating_mul(1_u64 << (attempt.saturating_sub(1)).min(30))
            .min(self.max_delay_ms);
        let jitter = jitter.clamp(0.0, 1.0);
        step / 2 + (step as f64 / 2.0 * jitter) as u64
    }
}

/// How long a 429 asks us to wait: `Retry-After` (seconds or an HTTP date), else ServiceNow's
/// `X-RateLimit-Reset` (a Unix time in seconds, inbound-REST-API-rate-limiting.md), else Zendesk's
/// `rate-limit-reset` (seconds until the window resets).
pub fn rate_limit_wait_ms(response: &HttpResponse, now_ms: u64) -> Option<u64> {
    if let Some(value) = response.header("retry-after") {
        let value = value.trim();
        if let Ok(seconds) = value.parse::<u64>() {
            return Some(seconds.saturating_mul(1000));
        }
        if let Some(at) = parse_http_date(value) {
            return Some(
                (at.max(0) as u64)
                    .saturating_mul(1000)
                    .saturating_sub(now_ms),
            );
        }
    }
    if let Some(reset_at) = response.header("x-ratelimit-reset") {
        let reset_secs = reset_at.trim().parse::<u64>().ok()?;
        return Some(reset_secs.saturating_mul(1000).saturating_sub(now_ms));
    }
    // Zendesk's `rate-limit-reset` counts seconds from now rather than giving a time.
    let seconds = response
        .header("rate-limit-reset")?
        .trim()
        .parse::<u64>()
        .ok()?;
    Some(seconds.saturating_mul(1000))
}

/// Parses an IMF-fixdate (`Sun, 06 Nov 1994 08:49:37 GMT`, RFC 9110 section 5.6.7) into Unix seconds.
pub fn parse_http_date(text: &str) -> Option<i64> {
    let mut parts = text.split_whitespace();
    let _weekday = parts.next()?;
    let day = parts.next()?.parse::<i64>().ok()?;
    let month = match parts.next()? {
        "Jan" => 1,
        "Feb" => 2,
        "Mar" => 3,
        "Apr" => 4,
        "May" => 5,
        "Jun" => 6,
        "Jul" => 7,
        "Aug" => 8,
        "Sep" => 9,
        "Oct" => 10,
        "Nov" => 11,
        "Dec" => 12,
        _ => return None,
    };
    let year = parts.next()?.parse::<i64>().ok()?;
    let mut clock = parts
        .next()?
        .split(':')
        .map(|part| part.parse::<i64>().ok());
    let (hour, minute, second) = (clock.next()??, clock.next()??, clock.next()??);
    if parts.next()? != "GMT" || !(1..=31).contains(&day) || hour > 23 || minute > 59 || second > 60
    {
        return None;
    }
    Some(Timestamp::from_utc(year, month, day, hour, minute, second).0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn response(status: u16, headers: &[(&str, &str)]) -> HttpResponse {
        HttpResponse {
            status,
            headers: headers
                .iter()
                .map(|(name, value)| (name.to_string(), value.to_string()))
                .collect(),
            body: Vec::new(),
        }
    }

    fn check(method: Method, attempt: u32, outcome: Attempt<'_>, expected: RetryDecision) {
        let decision =
            RetryPolicy::default().decide(method, attempt, outcome, 1_700_000_000_000, 0.5);
        assert_eq!(
            decision, expected,
            "{method:?} attempt {attempt} {outcome:?}"
        );
    }

    #[test]
    fn rate_limits_are_honoured_for_every_method() {
        let seconds = response(429, &[("Retry-After", "7")]);
        check(
            Method::Post,
            1,
            Attempt::Response(&seconds),
            RetryDecision::RetryAfter(7_000),
        );
        let date = response(429, &[("Retry-After", "Tue, 14 Nov 2023 22:13:30 GMT")]);
        check(
            Method::Get,
            1,
            Attempt::Response(&date),
            RetryDecision::RetryAfter(10_000),
        );
        let zendesk = response(429, &[("rate-limit-reset", "9")]);
        check(
            Method::Get,
            1,
            Attempt::Response(&zendesk),
            RetryDecision::RetryAfter(9_000),
        );
        let reset = response(429, &[("X-RateLimit-Reset", "1700000012")]);
        check(
            Method::Patch,
            2,
            Attempt::Response(&reset),
            RetryDecision::RetryAfter(12_000),
        );
        let too_long = response(429, &[("Retry-After", "3600")]);
        check(
            Method::Get,
            1,
            Attempt::Response(&too_long),
            RetryDecision::GiveUp,
        );
        let silent = response(429, &[]);
        check(
            Method::Get,
            1,
            Attempt::Response(&silent),
            RetryDecision::RetryAfter(375),
        );
    }

    #[test]
    fn server_errors_and_network_failures_retry_only_idempotent_calls() {
        let unavailable = response(503, &[]);
        check(
            Method::Get,
            1,
            Attempt::Response(&unavailable),
            RetryDecision::RetryAfter(375),
        );
        check(
            Method::Get,
            2,
            Attempt::Response(&unavailable),
            RetryDecision::RetryAfter(750),
        );
        check(
            Method::Delete,
            3,
            Attempt::NetworkError,
            RetryDecision::RetryAfter(1_500),
        );
        check(
            Method::Post,
            1,
            Attempt::Response(&unavailable),
            RetryDecision::GiveUp,
        );
        check(
            Method::Patch,
            1,
            Attempt::NetworkError,
            RetryDecision::GiveUp,
        );
        check(
            Method::Get,
            1,
            Attempt::Response(&response(404, &[])),
            RetryDecision::GiveUp,
        );
        check(
            Method::Get,
            1,
            Attempt::Response(&response(501, &[])),
            RetryDecision::GiveUp,
        );
        check(Method::Get, 4, Attempt::NetworkError, RetryDecision::GiveUp);
    }

    #[test]
    fn back_off_is_bounded_and_jittered() {
        let policy = RetryPolicy {
            max_attempts: 40,
            ..RetryPolicy::default()
        };
        for attempt in 1..40 {
            for jitter in [0.0, 0.25, 0.999] {
                let RetryDecision::RetryAfter(wait) =
                    policy.decide(Method::Get, attempt, Attempt::NetworkError, 0, jitter)
                else {
                    panic!("attempt {attempt} should retry");
                };
                assert!(
                    wait <= policy.max_delay_ms && wait >= policy.base_delay_ms / 2,
                    "attempt {attempt}: {wait}"
                );
            }
        }
    }

    #[test]
    fn http_dates() {
        assert_eq!(
            parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT"),
            Some(784_111_777)
        );
        assert_eq!(parse_http_date("Sun, 06 Nov 1994 08:49:37 PST"), None);
        assert_eq!(parse_http_date("Sunday, 06-Nov-94 08:49:37 GMT"), None);
        assert_eq!(parse_http_date(""), None);
    }
}
