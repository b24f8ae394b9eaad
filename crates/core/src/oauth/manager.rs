//! Keeping one instance's access token fresh for all its callers, without doing I/O.
//!
//! Like quinn-proto's `Connection`, the manager never sends anything: callers ask it for access with
//! the current time, send the refresh request it hands out, and feed the reply back.

use std::time::Duration;

use crate::auth::Credentials;
use crate::error::CoreError;
use crate::http::{HttpRequest, HttpResponse};
use crate::oauth::client::{OAuthClient, OAuthEndpoints};
use crate::oauth::state::constant_time_eq;
use crate::oauth::time::UnixMillis;
use crate::oauth::token::{
    parse_token_response, refresh_token_request, TokenGrant, TokenSet, DEFAULT_REFRESH_SKEW,
};

/// How long a refresh may stay unanswered before the next caller is handed a new one; longer than
/// any fetch timeout, so a refresh is only repeated when its reply is surely lost (a stopped worker).
pub const REFRESH_TIMEOUT: Duration = Duration::from_secs(60);

/// What a caller should do before its next request to the instance.
#[derive(Clone, PartialEq, Eq)]
pub enum Access {
    /// Send the request with these credentials, always [`Credentials::Bearer`]; their
    /// `authorization()` is the `Authorization` header value, `Bearer <token>`.
    Ready(Credentials),
    /// Send this refresh request, then hand its reply to [`TokenManager::handle_refresh_response`]
    /// (or report [`TokenManager::handle_refresh_network_error`]). Only one caller gets it at a time.
    RefreshNeeded(HttpRequest),
    /// Another caller's refresh is in flight and the old token is unusable: ask again once that
    /// refresh has been handled.
    Wait,
    /// The tokens cannot be refreshed, for the given reason: run the authorization flow again and
    /// hand the new tokens to [`TokenManager::handle_sign_in`]. Stays so until then.
    SignInAgain(CoreError),
}

/// The refresh coordinator for one instance: holds the [`TokenSet`], decides when to refresh, makes
/// sure only one refresh is in flight, and ends in a "sign in again" state when refreshing fails.
///
/// Time is always an argument. After each successful [`TokenManager::handle_refresh_response`] or
/// [`TokenManager::handle_sign_in`], persist [`TokenManager::tokens`].
#[derive(Debug)]
pub struct TokenManager {
    endpoints: OAuthEndpoints,
    client: OAuthClient,
    skew: Duration,
    tokens: TokenSet,
    /// The skew for the current token: `skew`, or half the token's lifetime if that is shorter, so a
    /// short-lived token is not refreshed on every request.
    effective_skew: Duration,
    /// The instance answered 401 to the current access token.
    rejected: bool,
    /// The current access token came from a refresh that a 401 forced; if it is refused too,
    /// refreshing again would loop.
    replaces_rejected: bool,
    phase: Phase,
}

#[derive(Debug, Clone)]
enum Phase {
    Active,
    Refreshing { started_at: UnixMillis },
    SignInAgain { reason: CoreError },
}

impl TokenManager {
    /// A manager for the tokens of one instance, refreshing [`DEFAULT_REFRESH_SKEW`] before expiry.
    pub fn new(endpoints: OAuthEndpoints, client: OAuthClient, tokens: TokenSet) -> TokenManager {
        TokenManager {
            endpoints,
            client,
            skew: DEFAULT_REFRESH_SKEW,
            tokens,
            effective_skew: DEFAULT_REFRESH_SKEW,
            rejected: false,
            replaces_rejected: false,
            phase: Phase::Active,
        }
    }

    /// The same manager, refreshing `skew` before expiry instead.
    pub fn with_refresh_skew(self, skew: Duration) -> TokenManager {
        TokenManager {
            skew,
            effective_skew: skew,
            ..self
        }
    }

    /// The tokens to persist, or `None` once the user must sign in again (delete the stored ones).
    pub fn tokens(&self) -> Option<&TokenSet> {
        match self.phase {
            Phase::SignInAgain { .. } => None,
            Phase::Active | Phase::Refreshing { .. } => Some(&self.tokens),
        }
    }

    /// What to do before a request at `now`.
    ///
    /// While a refresh is in flight, callers still get the old token if it has not expired and was
    /// not refused; otherwise they get [`Access::Wait`]. A refresh unanswered for
    /// [`REFRESH_TIMEOUT`] is presumed lost and handed out again.
    pub fn access(&mut self, now: UnixMillis) -> Access {
        let usable = !self.rejected && !self.tokens.is_expired(now);
        match &self.phase {
            Phase::SignInAgain { reason } => Access::SignInAgain(reason.clone()),
            Phase::Refreshing { started_at } => {
                let timed_out = now >= started_at.saturating_add(REFRESH_TIMEOUT);
                match (timed_out, usable) {
                    (true, _) => self.start_refresh(now),
                    (false, true) => Access::Ready(self.tokens.credentials()),
                    (false, false) => Access::Wait,
                }
            }
            Phase::Active => {
                let due = self.rejected || self.tokens.needs_refresh(now, self.effective_skew);
                if due {
                    self.start_refresh(now)
                } else {
                    Access::Ready(self.tokens.credentials())
                }
            }
        }
    }

    /// Feeds in the reply to the refresh request from [`Access::RefreshNeeded`], received at `now`.
    ///
    /// On success the new tokens are in place (keeping the old refresh token if the reply has none).
    /// A refusal (invalid or expired refresh token, bad client) ends in [`Access::SignInAgain`]; a
    /// passing failure (5xx, 429, hibernating, unreadable reply) returns the error and the next
    /// [`TokenManager::access`] hands out a new refresh. Either way the error is returned, and callers
    /// that got [`Access::Wait`] should ask again. A reply the manager no longer waits for (after a
    /// timeout was retried and answered, or a new sign-in) is ignored.
    pub fn handle_refresh_response(
        &mut self,
        response: &HttpResponse,
        now: UnixMillis,
    ) -> Result<(), CoreError> {
        if !matches!(self.phase, Phase::Refreshing { .. }) {
            return Ok(());
        }
        match parse_token_response(response, TokenGrant::RefreshToken, now) {
            Ok(fresh) => {
                let replaces_rejected = self.rejected;
                let fresh = inherit(fresh, &self.tokens);
                self.install(fresh, now);
                self.replaces_rejected = replaces_rejected;
                Ok(())
            }
            Err(error) => {
                self.phase = if ends_session(&error) {
                    Phase::SignInAgain {
                        reason: error.clone(),
                    }
                } else {
                    Phase::Active
                };
                Err(error)
            }
        }
    }

    /// The refresh request got no reply (network failure, abort): the next
    /// [`TokenManager::access`] hands out a new one.
    pub fn handle_refresh_network_error(&mut self) {
        if matches!(self.phase, Phase::Refreshing { .. }) {
            self.phase = Phase::Active;
        }
    }

    /// The instance answered 401 to a request sent with `rejected` (the credentials from
    /// [`Access::Ready`]): the token is treated as expired, and the next [`TokenManager::access`]
    /// refreshes it.
    ///
    /// A 401 for a token that has already been replaced changes nothing, so requests that were in
    /// flight together cause one refresh, not one each. If a token that a 401 just caused to be
    /// issued is refused too, refreshing cannot help and the manager asks to sign in again.
    pub fn handle_unauthorized(&mut self, rejected: &Credentials) {
        let is_current = match rejected {
            Credentials::Bearer { access_token } => {
                constant_time_eq(access_token.as_bytes(), self.tokens.access_token.as_bytes())
            }
            Credentials::Basic { .. } => false,
        };
        if !is_current || matches!(self.phase, Phase::SignInAgain { .. }) {
            return;
        }
        if self.replaces_rejected {
            self.phase = Phase::SignInAgain {
                reason: CoreError::SignInAgain {
                    message: "the instance refused a newly refreshed access token".to_owned(),
                },
            };
        } else {
            self.rejected = true;
        }
    }

    /// A request sent with `used` (credentials from [`Access::Ready`]) succeeded. A token proven to
    /// work is no longer "newly refreshed": if the instance refuses it later (expired early,
    /// revoked), that is a new event and deserves one refresh before asking to sign in again.
    pub fn handle_success(&mut self, used: &Credentials) {
        let is_current = match used {
            Credentials::Bearer { access_token } => {
                constant_time_eq(access_token.as_bytes(), self.tokens.access_token.as_bytes())
            }
            Credentials::Basic { .. } => false,
        };
        if is_current {
            self.replaces_rejected = false;
        }
    }

    /// New tokens from a completed sign-in (authorization code or password grant) at `now`; leaves
    /// any "sign in again" state.
    pub fn handle_sign_in(&mut self, tokens: TokenSet, now: UnixMillis) {
        self.install(tokens, now);
        self.replaces_rejected = false;
    }

    fn install(&mut self, tokens: TokenSet, now: UnixMillis) {
        let lifetime = tokens
            .expires_at
            .map(|expires_at| expires_at.duration_since(now));
        self.effective_skew = match lifetime {
            Some(lifetime) if lifetime < self.skew.saturating_mul(2) => lifetime / 2,
            _ => self.skew,
        };
        self.tokens = tokens;
        self.rejected = false;
        self.phase = Phase::Active;
    }

    fn start_refresh(&mut self, now: UnixMillis) -> Access {
        match &self.tokens.refresh_token {
            Some(refresh_token) => {
                let request = refresh_token_request(&self.endpoints, &self.client, refresh_token);
                self.phase = Phase::Refreshing { started_at: now };
                Access::RefreshNeeded(request)
            }
            None => {
                let reason = CoreError::SignInAgain {
                    message: "the access token has expired and there is no refresh token"
                        .to_owned(),
                };
                self.phase = Phase::SignInAgain {
                    reason: reason.clone(),
                };
                Access::SignInAgain(reason)
            }
        }
    }
}

/// The refresh request carries the refresh token and client secret: only its target is printed.
impl std::fmt::Debug for Access {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Access::Ready(credentials) => {
                formatter.debug_tuple("Ready").field(credentials).finish()
            }
            Access::RefreshNeeded(request) => formatter
                .debug_struct("RefreshNeeded")
                .field("method", &request.method)
                .field("url", &request.url)
                .finish_non_exhaustive(),
            Access::Wait => formatter.write_str("Wait"),
            Access::SignInAgain(reason) => {
                formatter.debug_tuple("SignInAgain").field(reason).finish()
            }
        }
    }
}

/// Keeps the previous refresh token and scope where a refresh reply omits them (RFC 6749 section 6:
/// the server may keep the old refresh token valid and not send it again).
fn inherit(fresh: TokenSet, previous: &TokenSet) -> TokenSet {
    TokenSet {
        refresh_token: fresh
            .refresh_token
            .or_else(|| previous.refresh_token.clone()),
        scope: fresh.scope.or_else(|| previous.scope.clone()),
        ..fresh
    }
}

/// Whether a failed refresh means the session is over, rather than that the refresh should be tried
/// again later. Listed in full so a new variant needs a decision.
fn ends_session(error: &CoreError) -> bool {
    match error {
        CoreError::Unauthorized { .. }
        | CoreError::SignInAgain { .. }
        | CoreError::TokenExpired
        | CoreError::MfaRequired
        | CoreError::Forbidden { .. }
        | CoreError::Validation { .. } => true,
        CoreError::InvalidInstance { .. }
        | CoreError::NotFound { .. }
        | CoreError::RateLimited { .. }
        | CoreError::InstanceHibernating
        | CoreError::NotAnApi
        | CoreError::Server { .. }
        | CoreError::Network { .. }
        | CoreError::Malformed { .. } => false,
    }
}

#[cfg(test)]
mod tests;
