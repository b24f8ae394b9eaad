//! The errors a user can meet, named for what happened.

use serde::{Deserialize, Serialize};
use thiserror::Error;

/// Everything that can go wrong talking to a service desk, as something a caller can match on.
/// Serialisable, so a failure can cross from the extension's background worker to the page that
/// shows it.
#[derive(Debug, Clone, PartialEq, Eq, Error, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CoreError {
    /// The instance address the user typed cannot be an instance.
    #[error("invalid instance address {input:?}: {reason}")]
    InvalidInstance {
        /// What the user typed.
        input: String,
        /// Why it was refused.
        reason: String,
    },
    /// The instance refused the credentials (HTTP 401).
    #[error("the instance refused the credentials: {message}")]
    Unauthorized {
        /// The instance's own message.
        message: String,
    },
    /// The OAuth access token has expired or was revoked; refresh it and try again.
    #[error("the access token has expired")]
    TokenExpired,
    /// Refreshing failed (refresh token expired or revoked): the user must sign in again.
    #[error("sign in again: {message}")]
    SignInAgain {
        /// The authorization server's own message.
        message: String,
    },
    /// The account needs multi-factor authentication, which Basic auth cannot provide; use OAuth.
    #[error("multi-factor authentication is required for this account")]
    MfaRequired,
    /// The signed-in user may not do this (HTTP 403, an ACL or a business rule).
    #[error("not allowed: {message}")]
    Forbidden {
        /// The instance's own message and detail.
        message: String,
    },
    /// The record does not exist or an ACL hides it (HTTP 404).
    #[error("not found: {message}")]
    NotFound {
        /// The instance's own message.
        message: String,
    },
    /// The instance rejected a value (HTTP 400).
    #[error("rejected by the instance: {message}")]
    Validation {
        /// The field at fault, when the instance or Flare knows it.
        field: Option<String>,
        /// The instance's own message.
        message: String,
    },
    /// Too many requests (HTTP 429); try again after the given number of seconds, if known.
    #[error("rate limited, retry after {retry_after_secs:?} s")]
    RateLimited {
        /// Seconds to wait, from `Retry-After`.
        retry_after_secs: Option<u64>,
    },
    /// A developer instance is asleep and answers with its "hibernating" HTML page.
    #[error("the instance is hibernating")]
    InstanceHibernating,
    /// HTML came back where JSON was expected, typically a login or SSO page.
    #[error("the address answered with a web page, not the service desk's API")]
    NotAnApi,
    /// The instance failed on its side (HTTP 5xx).
    #[error("the instance failed with HTTP {status}")]
    Server {
        /// The status code.
        status: u16,
    },
    /// The request never got an answer.
    #[error("network error: {message}")]
    Network {
        /// What the transport said.
        message: String,
    },
    /// The answer could not be understood.
    #[error("malformed reply: {message}")]
    Malformed {
        /// What was wrong with it.
        message: String,
    },
}
