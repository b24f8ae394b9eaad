//! An OAuth 2.0 authorization server, free of HTTP, for every server of the sandbox: registered
//! clients, authorization codes, access and refresh tokens. It is generic over the key a server
//! names its users by, the ServiceNow instance's user name (`crate::servicenow::oauth`) or the
//! Zendesk account's user id (`crate::zendesk::oauth`); each server decides which grants it
//! offers, how long its tokens live and how its replies look.
//!
//! - Authorization requests are checked as RFC 6749 section 4.1.1 and RFC 7636 ask, with PKCE S256
//!   required of public clients (which have no secret).
//! - Codes are single use, and bound to the client, the redirect URI and the PKCE challenge.
//! - A refresh keeps the refresh token or replaces both tokens ([`RefreshRotation`]).

use std::collections::hash_map::RandomState;
use std::collections::HashMap;
use std::hash::BuildHasher;

use base64::Engine;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::common::datetime::UnixSeconds;

/// A registered OAuth client (an "OAuth API endpoint for external clients").
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct OAuthClientConfig {
    /// The client_id.
    pub client_id: String,
    /// The secret of a confidential client; `None` makes the client public, which must use PKCE.
    #[serde(default)]
    pub client_secret: Option<String>,
    /// Allowed redirect URIs; `*` matches any run of characters (`https://*.chromiumapp.org/*`).
    #[serde(default)]
    pub redirect_uris: Vec<String>,
}

/// What an authorization request asks for, as read from the authorization endpoint's query or
/// the sign-in form.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub(crate) struct AuthorizationRequest {
    #[serde(default)]
    pub(crate) response_type: String,
    #[serde(default)]
    pub(crate) client_id: String,
    #[serde(default)]
    pub(crate) redirect_uri: String,
    #[serde(default)]
    pub(crate) state: String,
    #[serde(default)]
    pub(crate) scope: String,
    #[serde(default)]
    pub(crate) code_challenge: String,
    #[serde(default)]
    pub(crate) code_challenge_method: String,
}

/// Why an authorization request is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum AuthorizationRefusal {
    /// The client or redirect URI is unknown: show an error page, never redirect (RFC 6749
    /// section 4.1.2.1).
    Page(String),
    /// Redirect back with `error` and `error_description`.
    Redirect {
        error: &'static str,
        description: String,
    },
}

/// Why a token request is refused: RFC 6749 section 5.2's codes. Each server words them its own
/// way on the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub(crate) enum OAuthError {
    /// A parameter is missing or has a value the endpoint does not take, or the body is not JSON.
    #[error("invalid token request: {0}")]
    InvalidRequest(&'static str),
    /// The client is unknown, or a confidential client's secret is missing or wrong.
    #[error("client authentication failed")]
    InvalidClient,
    /// The code or refresh token is unknown, expired, used, revoked, issued to another client or
    /// for another redirect URI, or the PKCE verifier does not match; or the user's credentials
    /// are wrong.
    #[error("invalid grant")]
    InvalidGrant,
    /// A grant type the server does not issue tokens for.
    #[error("unsupported grant type")]
    UnsupportedGrantType,
}

/// How a server's authorization server behaves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct OAuthPolicy {
    /// How long an authorization code may wait to be exchanged.
    pub(crate) code_lifetime_secs: i64,
    /// What a refresh does to the refresh token.
    pub(crate) rotation: RefreshRotation,
}

/// What a refresh does to the refresh token it uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RefreshRotation {
    /// It stays valid until it expires; only a new access token is issued.
    Keep,
    /// It and the access token issued with it stop working, and both are issued anew.
    Replace,
}

/// How long the tokens of one reply live.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Lifetimes {
    /// The access token's, in seconds; `None` for one that does not expire.
    pub(crate) access: Option<i64>,
    /// A new refresh token's, in seconds.
    pub(crate) refresh: i64,
}

/// What a token request proved: whose tokens to issue, for what scope.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Grant<U> {
    pub(crate) user: U,
    pub(crate) scope: String,
    /// The refresh token that stays valid, after a refresh that keeps it.
    refresh_token: Option<String>,
}

/// The tokens of one reply.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct IssuedTokens {
    pub(crate) access_token: String,
    pub(crate) refresh_token: String,
}

/// A token the server issued, as kept (and, for the Zendesk account with `--data`, stored).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct IssuedToken<U> {
    pub(crate) client_id: String,
    /// Stored as `user_id`, the name the Zendesk account's stored tokens have always had.
    #[serde(rename = "user_id")]
    pub(crate) user: U,
    pub(crate) scope: String,
    /// `None` for a token that does not expire.
    pub(crate) expires_at: Option<UnixSeconds>,
    /// For a refresh token, the access token issued with it, which a replacing refresh ends too.
    #[serde(default)]
    pub(crate) access_token: Option<String>,
}

/// The authorization server's state; `U` is the key the server names its users by.
#[derive(Debug)]
pub(crate) struct OAuthServer<U> {
    clients: Vec<OAuthClientConfig>,
    policy: OAuthPolicy,
    codes: HashMap<String, IssuedCode<U>>,
    access_tokens: HashMap<String, IssuedToken<U>>,
    refresh_tokens: HashMap<String, IssuedToken<U>>,
    token_source: TokenSource,
}

/// Random-looking URL-safe tokens: 64 characters, like ServiceNow's documented ones.
#[derive(Debug)]
struct TokenSource {
    state: u64,
}

#[derive(Debug, Clone)]
struct IssuedCode<U> {
    client_id: String,
    redirect_uri: String,
    code_challenge: String,
    user: U,
    scope: String,
    expires_at: UnixSeconds,
}

/// The clients every sandbox has: `flare` (public, PKCE) and `flare-relay` (confidential). Their
/// redirect URIs default to the browser-extension redirect hosts and the loopback interface.
pub fn default_clients() -> Vec<OAuthClientConfig> {
    let redirect_uris: Vec<String> = [
        "https://*.chromiumapp.org/*",
        "https://*.extensions.allizom.org/*",
        "http://127.0.0.1:*",
        "http://localhost:*",
    ]
    .map(str::to_owned)
    .to_vec();
    vec![
        OAuthClientConfig {
            client_id: "flare".to_owned(),
            client_secret: None,
            redirect_uris: redirect_uris.clone(),
        },
        OAuthClientConfig {
            client_id: "flare-relay".to_owned(),
            client_secret: Some("flare-relay-secret".to_owned()),
            redirect_uris,
        },
    ]
}

/// The default clients with `configured` merged in by client_id: an entry replaces the default
/// (or earlier entry) of the same client_id.
pub(crate) fn clients_with(configured: &[OAuthClientConfig]) -> Vec<OAuthClientConfig> {
    let mut clients = default_clients();
    for client in configured {
        clients.retain(|known| known.client_id != client.client_id);
        clients.push(client.clone());
    }
    clients
}

impl OAuthError {
    /// The `error` code (RFC 6749 section 5.2).
    pub(crate) fn code(self) -> &'static str {
        match self {
            OAuthError::InvalidRequest(_) => "invalid_request",
            OAuthError::InvalidClient => "invalid_client",
            OAuthError::InvalidGrant => "invalid_grant",
            OAuthError::UnsupportedGrantType => "unsupported_grant_type",
        }
    }

    /// The `error_description`: what is wrong for `invalid_request`, else RFC 6749's definition.
    pub(crate) fn description(self) -> &'static str {
        match self {
            OAuthError::InvalidRequest(description) => description,
            OAuthError::InvalidClient => "Client authentication failed (unknown client, no client authentication included, or unsupported authentication method).",
            OAuthError::InvalidGrant => "The provided authorization grant or refresh token is invalid, expired, revoked, does not match the redirection URI used in the authorization request, or was issued to another client.",
            OAuthError::UnsupportedGrantType => "The authorization grant type is not supported by the authorization server.",
        }
    }
}

impl<U> Grant<U> {
    /// A grant for `user` that gets a new refresh token, such as the password grant's.
    pub(crate) fn new(user: U, scope: String) -> Grant<U> {
        Grant {
            user,
            scope,
            refresh_token: None,
        }
    }
}

impl<U: Clone> OAuthServer<U> {
    pub(crate) fn new(clients: Vec<OAuthClientConfig>, policy: OAuthPolicy) -> OAuthServer<U> {
        OAuthServer {
            clients,
            policy,
            codes: HashMap::new(),
            access_tokens: HashMap::new(),
            refresh_tokens: HashMap::new(),
            token_source: TokenSource::default(),
        }
    }

    /// A server that starts from stored tokens.
    pub(crate) fn with_tokens(
        clients: Vec<OAuthClientConfig>,
        policy: OAuthPolicy,
        access_tokens: Vec<(String, IssuedToken<U>)>,
        refresh_tokens: Vec<(String, IssuedToken<U>)>,
    ) -> OAuthServer<U> {
        OAuthServer {
            access_tokens: access_tokens.into_iter().collect(),
            refresh_tokens: refresh_tokens.into_iter().collect(),
            ..OAuthServer::new(clients, policy)
        }
    }

    /// Checks an authorization request before the sign-in page is shown, and again when it is
    /// submitted.
    pub(crate) fn check_authorization(
        &self,
        request: &AuthorizationRequest,
    ) -> Result<(), AuthorizationRefusal> {
        check_authorization(&self.clients, request).map(|_| ())
    }

    /// Issues a code for a checked request that `user` allowed, for `scope`.
    pub(crate) fn issue_code(
        &mut self,
        request: &AuthorizationRequest,
        user: U,
        scope: String,
        now: UnixSeconds,
    ) -> String {
        self.codes.retain(|_, code| code.expires_at > now);
        let code = self.token_source.next_token();
        self.codes.insert(
            code.clone(),
            IssuedCode {
                client_id: request.client_id.clone(),
                redirect_uri: request.redirect_uri.clone(),
                code_challenge: request.code_challenge.clone(),
                user,
                scope,
                expires_at: now + self.policy.code_lifetime_secs,
            },
        );
        code
    }

    /// Checks the client of a token request: it must be registered, and a confidential one must
    /// send its secret.
    pub(crate) fn authenticate_client(
        &self,
        client_id: &str,
        client_secret: Option<&str>,
    ) -> Result<(), OAuthError> {
        let client = self
            .clients
            .iter()
            .find(|client| client.client_id == client_id)
            .ok_or(OAuthError::InvalidClient)?;
        let secret_ok = match (&client.client_secret, client_secret) {
            (None, _) => true,
            (Some(expected), Some(given)) => constant_time_eq(expected, given),
            (Some(_), None) => false,
        };
        match secret_ok {
            true => Ok(()),
            false => Err(OAuthError::InvalidClient),
        }
    }

    /// The authorization code grant: the code must have been issued to `client_id` for
    /// `redirect_uri`, be unexpired, and match `code_verifier` if it was issued with a PKCE
    /// challenge. Codes are single use: it is taken out whether or not the rest checks out.
    pub(crate) fn redeem_code(
        &mut self,
        client_id: &str,
        code: &str,
        redirect_uri: &str,
        code_verifier: Option<&str>,
        now: UnixSeconds,
    ) -> Result<Grant<U>, OAuthError> {
        let issued = self.codes.remove(code).ok_or(OAuthError::InvalidGrant)?;
        let verifier_ok = issued.code_challenge.is_empty()
            || code_verifier.map(pkce_challenge).as_deref() == Some(issued.code_challenge.as_str());
        let valid = issued.client_id == client_id
            && issued.redirect_uri == redirect_uri
            && issued.expires_at > now
            && verifier_ok;
        match valid {
            true => Ok(Grant::new(issued.user, issued.scope)),
            false => Err(OAuthError::InvalidGrant),
        }
    }

    /// The refresh token grant: the token must have been issued to `client_id` and be unexpired.
    /// A replacing refresh ends it and the access token issued with it.
    pub(crate) fn redeem_refresh_token(
        &mut self,
        client_id: &str,
        refresh_token: &str,
        now: UnixSeconds,
    ) -> Result<Grant<U>, OAuthError> {
        let issued = self
            .refresh_tokens
            .get(refresh_token)
            .filter(|issued| issued.client_id == client_id && !is_expired(issued.expires_at, now))
            .ok_or(OAuthError::InvalidGrant)?;
        let grant = Grant {
            user: issued.user.clone(),
            scope: issued.scope.clone(),
            refresh_token: Some(refresh_token.to_owned()),
        };
        match self.policy.rotation {
            RefreshRotation::Keep => Ok(grant),
            RefreshRotation::Replace => {
                if let Some(issued) = self.refresh_tokens.remove(refresh_token) {
                    if let Some(access_token) = &issued.access_token {
                        self.access_tokens.remove(access_token);
                    }
                }
                Ok(Grant {
                    refresh_token: None,
                    ..grant
                })
            }
        }
    }

    /// Issues an access token for `grant`, and a refresh token unless the grant keeps its own.
    pub(crate) fn issue_tokens(
        &mut self,
        client_id: &str,
        grant: Grant<U>,
        lifetimes: Lifetimes,
        now: UnixSeconds,
    ) -> IssuedTokens {
        self.access_tokens
            .retain(|_, issued| !is_expired(issued.expires_at, now));
        self.refresh_tokens
            .retain(|_, issued| !is_expired(issued.expires_at, now));
        let access_token = self.token_source.next_token();
        self.access_tokens.insert(
            access_token.clone(),
            IssuedToken {
                client_id: client_id.to_owned(),
                user: grant.user.clone(),
                scope: grant.scope.clone(),
                expires_at: lifetimes.access.map(|secs| now + secs),
                access_token: None,
            },
        );
        let refresh_token = match grant.refresh_token {
            Some(kept) => kept,
            None => {
                let refresh_token = self.token_source.next_token();
                self.refresh_tokens.insert(
                    refresh_token.clone(),
                    IssuedToken {
                        client_id: client_id.to_owned(),
                        user: grant.user,
                        scope: grant.scope,
                        expires_at: Some(now + lifetimes.refresh),
                        access_token: Some(access_token.clone()),
                    },
                );
                refresh_token
            }
        };
        IssuedTokens {
            access_token,
            refresh_token,
        }
    }

    /// The token behind an access token, if it is known and unexpired.
    pub(crate) fn access_token(
        &self,
        access_token: &str,
        now: UnixSeconds,
    ) -> Option<&IssuedToken<U>> {
        self.access_tokens
            .get(access_token)
            .filter(|issued| !is_expired(issued.expires_at, now))
    }

    /// Expires every access token now (a switch for tests); refresh tokens stay valid.
    pub(crate) fn expire_access_tokens(&mut self, now: UnixSeconds) {
        for issued in self.access_tokens.values_mut() {
            issued.expires_at = Some(issued.expires_at.map_or(now, |at| at.min(now)));
        }
    }

    /// Expires every authorization code now (a switch for tests).
    pub(crate) fn expire_codes(&mut self, now: UnixSeconds) {
        for code in self.codes.values_mut() {
            code.expires_at = code.expires_at.min(now);
        }
    }

    /// Revokes every access and refresh token: clients must sign in again.
    pub(crate) fn revoke_all(&mut self) {
        self.access_tokens.clear();
        self.refresh_tokens.clear();
    }

    /// The access tokens, for storing.
    pub(crate) fn access_tokens(&self) -> impl Iterator<Item = (&String, &IssuedToken<U>)> {
        self.access_tokens.iter()
    }

    /// The refresh tokens, for storing.
    pub(crate) fn refresh_tokens(&self) -> impl Iterator<Item = (&String, &IssuedToken<U>)> {
        self.refresh_tokens.iter()
    }
}

/// `BASE64URL(SHA256(verifier))`, RFC 7636 section 4.2.
pub(crate) fn pkce_challenge(verifier: &str) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

/// Compares secrets (client secrets, the VA's static token) without leaking where they differ
/// through timing.
pub(crate) fn constant_time_eq(expected: &str, given: &str) -> bool {
    let (expected, given) = (expected.as_bytes(), given.as_bytes());
    expected.len() == given.len()
        && expected
            .iter()
            .zip(given)
            .fold(0, |difference, (a, b)| difference | (a ^ b))
            == 0
}

impl Default for TokenSource {
    fn default() -> TokenSource {
        // Tokens must not be guessable across runs; std's RandomState is seeded per process.
        TokenSource {
            state: RandomState::new().hash_one("flare-sandbox-oauth"),
        }
    }
}

impl TokenSource {
    /// The next token.
    fn next_token(&mut self) -> String {
        let mut bytes = Vec::with_capacity(48);
        for _ in 0..6 {
            self.state = self.state.wrapping_add(0x9e37_79b9_7f4a_7c15);
            let mut mixed = self.state;
            mixed = (mixed ^ (mixed >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
            mixed = (mixed ^ (mixed >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
            bytes.extend_from_slice(&(mixed ^ (mixed >> 31)).to_le_bytes());
        }
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
    }
}

/// The checks RFC 6749 section 4.1.1 and RFC 7636 ask of an authorization request, against
/// `clients`; on success, the client it names. A client or redirect URI that is not registered
/// gets an error page, never a redirect (RFC 6749 section 4.1.2.1); `state` is required, and a
/// public client must send a PKCE S256 `code_challenge`.
fn check_authorization<'a>(
    clients: &'a [OAuthClientConfig],
    request: &AuthorizationRequest,
) -> Result<&'a OAuthClientConfig, AuthorizationRefusal> {
    let Some(client) = clients
        .iter()
        .find(|client| client.client_id == request.client_id)
    else {
        return Err(AuthorizationRefusal::Page(format!(
            "Unknown OAuth client \"{}\".",
            request.client_id
        )));
    };
    if !client
        .redirect_uris
        .iter()
        .any(|pattern| glob_matches(pattern, &request.redirect_uri))
    {
        return Err(AuthorizationRefusal::Page(format!(
            "The redirect URI \"{}\" is not registered for this client.",
            request.redirect_uri
        )));
    }
    let invalid = |description: &str| AuthorizationRefusal::Redirect {
        error: "invalid_request",
        description: description.to_owned(),
    };
    if request.response_type != "code" {
        return Err(AuthorizationRefusal::Redirect {
            error: "unsupported_response_type",
            description: "The response_type must be code.".to_owned(),
        });
    }
    if request.state.is_empty() {
        return Err(invalid("The state parameter is required."));
    }
    let is_public = client.client_secret.is_none();
    if is_public && request.code_challenge.is_empty() {
        return Err(invalid("Public clients must send a PKCE code_challenge."));
    }
    if !request.code_challenge.is_empty() && request.code_challenge_method != "S256" {
        return Err(invalid("The code_challenge_method must be S256."));
    }
    Ok(client)
}

fn is_expired(expires_at: Option<UnixSeconds>, now: UnixSeconds) -> bool {
    expires_at.is_some_and(|expires_at| expires_at <= now)
}

/// `*` matches any run of characters, but only the last `*` may match a `/`, so that
/// `https://*.chromiumapp.org/*` cannot be satisfied by a path on another host. Everything else
/// matches itself.
fn glob_matches(pattern: &str, text: &str) -> bool {
    let mut parts = pattern.split('*');
    let first = parts.next().unwrap_or_default();
    let Some(mut rest) = text.strip_prefix(first) else {
        return false;
    };
    let parts: Vec<&str> = parts.collect();
    for (part_idx, part) in parts.iter().enumerate() {
        let is_last = part_idx + 1 == parts.len();
        if is_last {
            return rest.ends_with(part);
        }
        match rest.find(part) {
            Some(found) if !rest[..found].contains('/') => rest = &rest[found + part.len()..],
            _ => return false,
        }
    }
    rest.is_empty()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pkce_matches_rfc_7636_appendix_b() {
        assert_eq!(
            pkce_challenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        );
    }

    #[test]
    fn redirect_patterns() {
        let cases = [
            (
                "https://*.chromiumapp.org/*",
                "https://abc.chromiumapp.org/",
                true,
            ),
            (
                "https://*.chromiumapp.org/*",
                "https://abc.chromiumapp.org/cb?x=1",
                true,
            ),
            (
                "https://*.chromiumapp.org/*",
                "https://evil.example/.chromiumapp.org/",
                false,
            ),
            (
                "https://*.chromiumapp.org/*",
                "http://abc.chromiumapp.org/",
                false,
            ),
            ("http://127.0.0.1:*", "http://127.0.0.1:9000/callback", true),
            (
                "https://relay.example/callback",
                "https://relay.example/callback",
                true,
            ),
            (
                "https://relay.example/callback",
                "https://relay.example/callback2",
                false,
            ),
        ];
        for (pattern, uri, expected) in cases {
            assert_eq!(glob_matches(pattern, uri), expected, "{pattern} {uri}");
        }
    }
}
