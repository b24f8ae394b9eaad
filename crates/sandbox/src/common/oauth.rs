//! The instance as an OAuth 2.0 authorization server (`c_OAuthAuthorizationCodeFlow.md`,
//! `authorization-code-grant.md`, `r_RESTOAuthExample.md`), free of HTTP: registered clients,
//! authorization codes, access and refresh tokens.
//!
//! - Authorization code grant, with PKCE S256 required of public clients (which have no secret).
//! - Refresh token and resource owner password grants.
//! - Tokens expire after the configured lifetime (1800 s by default; the example answers
//!   `"expires_in": 1799`); codes are single use and expire after a minute.

use std::collections::hash_map::RandomState;
use std::collections::HashMap;
use std::hash::BuildHasher;

use base64::Engine;
use serde::Deserialize;
use sha2::{Digest, Sha256};

use crate::common::datetime::UnixSeconds;

/// Access tokens live this long unless configured otherwise.
pub(crate) const DEFAULT_TOKEN_LIFETIME_SECS: i64 = 1800;
/// Refresh tokens live this long (the platform default is 100 days).
const REFRESH_TOKEN_LIFETIME_SECS: i64 = 100 * 24 * 3600;
/// Authorization codes must be exchanged within this time.
const CODE_LIFETIME_SECS: i64 = 60;
/// The scope the documented token reply carries.
pub(crate) const DEFAULT_SCOPE: &str = "useraccount";

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

/// What an authorization request asks for, as read from `/oauth_auth.do`.
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

/// A token request, form-encoded as the docs show it (`curl -d`).
#[derive(Debug, Clone, Default, Deserialize)]
pub(crate) struct TokenRequest {
    #[serde(default)]
    pub(crate) grant_type: String,
    #[serde(default)]
    pub(crate) client_id: String,
    #[serde(default)]
    pub(crate) client_secret: Option<String>,
    #[serde(default)]
    pub(crate) code: String,
    #[serde(default)]
    pub(crate) redirect_uri: String,
    #[serde(default)]
    pub(crate) code_verifier: String,
    #[serde(default)]
    pub(crate) refresh_token: String,
    #[serde(default)]
    pub(crate) username: String,
    #[serde(default)]
    pub(crate) password: String,
    #[serde(default)]
    pub(crate) scope: String,
}

/// A token reply (`r_RESTOAuthExample.md`).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub(crate) struct TokenReply {
    pub(crate) scope: String,
    pub(crate) token_type: &'static str,
    pub(crate) expires_in: i64,
    pub(crate) refresh_token: String,
    pub(crate) access_token: String,
}

/// Why a token request is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum TokenRefusal {
    /// Refused credentials of any kind (client, user, code, refresh token, PKCE verifier): real
    /// instances answer 401 `{"error_description":"access_denied","error":"server_error"}`
    /// (recorded README).
    AccessDenied,
    /// RFC 6749 section 5.2 errors for requests that are not credentials problems.
    Invalid {
        error: &'static str,
        description: &'static str,
    },
}

/// Random-looking URL-safe tokens: 64 characters, like the documented ones.
#[derive(Debug)]
pub(crate) struct TokenSource {
    state: u64,
}

/// The authorization server's state.
#[derive(Debug)]
pub(crate) struct OAuthServer {
    clients: Vec<OAuthClientConfig>,
    token_lifetime: i64,
    codes: HashMap<String, IssuedCode>,
    access_tokens: HashMap<String, IssuedToken>,
    refresh_tokens: HashMap<String, IssuedToken>,
    token_source: TokenSource,
}

#[derive(Debug, Clone)]
struct IssuedCode {
    client_id: String,
    redirect_uri: String,
    code_challenge: String,
    user_name: String,
    scope: String,
    expires_at: UnixSeconds,
}

#[derive(Debug, Clone)]
struct IssuedToken {
    client_id: String,
    user_name: String,
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

impl OAuthServer {
    pub(crate) fn new(clients: Vec<OAuthClientConfig>, token_lifetime: i64) -> OAuthServer {
        OAuthServer {
            clients,
            token_lifetime,
            codes: HashMap::new(),
            access_tokens: HashMap::new(),
            refresh_tokens: HashMap::new(),
            token_source: TokenSource::default(),
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

    /// Issues a code for a checked request the user allowed.
    pub(crate) fn issue_code(
        &mut self,
        request: &AuthorizationRequest,
        user_name: &str,
        now: UnixSeconds,
    ) -> String {
        let code = self.token_source.next_token();
        self.codes.insert(
            code.clone(),
            IssuedCode {
                client_id: request.client_id.clone(),
                redirect_uri: request.redirect_uri.clone(),
                code_challenge: request.code_challenge.clone(),
                user_name: user_name.to_owned(),
                scope: scope_or_default(&request.scope),
                expires_at: now + CODE_LIFETIME_SECS,
            },
        );
        code
    }

    /// Answers a token request; `check_password` verifies a user's credentials for the password
    /// grant.
    pub(crate) fn token(
        &mut self,
        request: &TokenRequest,
        check_password: impl Fn(&str, &str) -> bool,
        now: UnixSeconds,
    ) -> Result<TokenReply, TokenRefusal> {
        let client = self
            .client(&request.client_id)
            .ok_or(TokenRefusal::AccessDenied)?;
        let secret_ok = match (&client.client_secret, &request.client_secret) {
            (None, _) => true,
            (Some(expected), Some(given)) => expected == given,
            (Some(_), None) => false,
        };
        if !secret_ok {
            return Err(TokenRefusal::AccessDenied);
        }
        let (user_name, scope, refresh_token) = match request.grant_type.as_str() {
            "authorization_code" => {
                // Codes are single use: taken out whether or not the rest checks out.
                let code = self
                    .codes
                    .remove(&request.code)
                    .ok_or(TokenRefusal::AccessDenied)?;
                let verifier_ok = code.code_challenge.is_empty()
                    || pkce_challenge(&request.code_verifier) == code.code_challenge;
                let valid = code.client_id == request.client_id
                    && code.redirect_uri == request.redirect_uri
                    && code.expires_at > now
                    && verifier_ok;
                if !valid {
                    return Err(TokenRefusal::AccessDenied);
                }
                (code.user_name, code.scope, None)
            }
            "refresh_token" => {
                let issued = self
                    .refresh_tokens
                    .get(&request.refresh_token)
                    .filter(|issued| {
                        issued.client_id == request.client_id && issued.expires_at > now
                    })
                    .ok_or(TokenRefusal::AccessDenied)?;
                (
                    issued.user_name.clone(),
                    issued.scope.clone(),
                    Some(request.refresh_token.clone()),
                )
            }
            "password" => {
                if !check_password(&request.username, &request.password) {
                    return Err(TokenRefusal::AccessDenied);
                }
                (
                    request.username.clone(),
                    scope_or_default(&request.scope),
                    None,
                )
            }
            "" => {
                return Err(TokenRefusal::Invalid {
                    error: "invalid_request",
                    description: "grant_type is required",
                })
            }
            _ => {
                return Err(TokenRefusal::Invalid {
                    error: "unsupported_grant_type",
                    description: "unsupported grant_type",
                })
            }
        };
        let client_id = request.client_id.clone();
        let access_token = self.token_source.next_token();
        self.access_tokens.insert(
            access_token.clone(),
            IssuedToken {
                client_id: client_id.clone(),
                user_name: user_name.clone(),
                scope: scope.clone(),
                expires_at: now + self.token_lifetime,
            },
        );
        let refresh_token = match refresh_token {
            Some(token) => token,
            None => {
                let token = self.token_source.next_token();
                self.refresh_tokens.insert(
                    token.clone(),
                    IssuedToken {
                        client_id,
                        user_name,
                        scope: scope.clone(),
                        expires_at: now + REFRESH_TOKEN_LIFETIME_SECS,
                    },
                );
                token
            }
        };
        Ok(TokenReply {
            scope,
            token_type: "Bearer",
            expires_in: self.token_lifetime - 1,
            refresh_token,
            access_token,
        })
    }

    /// The user name an unexpired access token belongs to.
    pub(crate) fn user_for_token(&self, access_token: &str, now: UnixSeconds) -> Option<&str> {
        let issued = self.access_tokens.get(access_token)?;
        (issued.expires_at > now).then_some(issued.user_name.as_str())
    }

    /// Expires every access token now (a fault for tests); refresh tokens stay valid.
    pub(crate) fn expire_access_tokens(&mut self, now: UnixSeconds) {
        for issued in self.access_tokens.values_mut() {
            issued.expires_at = issued.expires_at.min(now);
        }
    }

    /// Revokes every refresh token too: the user must sign in again.
    pub(crate) fn revoke_all(&mut self) {
        self.access_tokens.clear();
        self.refresh_tokens.clear();
    }

    fn client(&self, client_id: &str) -> Option<&OAuthClientConfig> {
        self.clients
            .iter()
            .find(|client| client.client_id == client_id)
    }
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
    pub(crate) fn next_token(&mut self) -> String {
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
pub(crate) fn check_authorization<'a>(
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

/// `BASE64URL(SHA256(verifier))`, RFC 7636 section 4.2.
pub(crate) fn pkce_challenge(verifier: &str) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

fn scope_or_default(scope: &str) -> String {
    match scope.trim() {
        "" => DEFAULT_SCOPE.to_owned(),
        scope => scope.to_owned(),
    }
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
    fn access_tokens_run_out_after_the_lifetime_and_refresh_tokens_do_not() {
        let mut server = OAuthServer::new(default_clients(), 60);
        let issued_at: UnixSeconds = 1_000_000;
        let password = TokenRequest {
            grant_type: "password".to_owned(),
            client_id: "flare-relay".to_owned(),
            client_secret: Some("flare-relay-secret".to_owned()),
            username: "itil".to_owned(),
            password: "itil".to_owned(),
            ..TokenRequest::default()
        };
        let reply = server
            .token(&password, |_, _| true, issued_at)
            .expect("a token");
        assert_eq!(reply.expires_in, 59);
        let user_at = |server: &OAuthServer, token: &str, now| {
            server.user_for_token(token, now).map(str::to_owned)
        };
        assert_eq!(
            user_at(&server, &reply.access_token, issued_at + 59),
            Some("itil".to_owned())
        );
        assert_eq!(user_at(&server, &reply.access_token, issued_at + 60), None);

        // Long after the access token, the refresh token still gets a fresh one, which lives the
        // full lifetime from then on; the refresh token stays the same.
        let refreshed_at = issued_at + 3600;
        let refresh = TokenRequest {
            grant_type: "refresh_token".to_owned(),
            client_id: "flare-relay".to_owned(),
            client_secret: Some("flare-relay-secret".to_owned()),
            refresh_token: reply.refresh_token.clone(),
            ..TokenRequest::default()
        };
        let refreshed = server
            .token(&refresh, |_, _| false, refreshed_at)
            .expect("a refreshed token");
        assert_eq!(refreshed.refresh_token, reply.refresh_token);
        assert_eq!(
            user_at(&server, &refreshed.access_token, refreshed_at + 59),
            Some("itil".to_owned())
        );
        assert_eq!(
            user_at(&server, &refreshed.access_token, refreshed_at + 60),
            None
        );

        // The refresh token runs out after its own lifetime.
        let too_late = issued_at + REFRESH_TOKEN_LIFETIME_SECS;
        assert_eq!(
            server.token(&refresh, |_, _| false, too_late),
            Err(TokenRefusal::AccessDenied)
        );
        assert!(server.token(&refresh, |_, _| false, too_late - 1).is_ok());
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
