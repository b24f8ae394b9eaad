//! Token requests (RFC 6749 sections 4.1.3, 4.3.2, 6) and their replies (sections 5.1, 5.2).

use std::time::Duration;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::auth::Credentials;
use crate::error::CoreError;
use crate::http::{HttpRequest, HttpResponse, Method};
use crate::instance::InstanceUrl;
use crate::oauth::client::{OAuthClient, OAuthEndpoints, OAuthProvider};
use crate::oauth::time::UnixMillis;

/// How long before expiry a token is refreshed unless told otherwise, so a request sent just before
/// expiry does not arrive just after it.
pub const DEFAULT_REFRESH_SKEW: Duration = Duration::from_secs(60);

/// The tokens Flare holds for one instance; stored per instance (extension storage, the relay).
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenSet {
    /// Sent as `Authorization: Bearer <access_token>`.
    pub access_token: String,
    /// Exchanged for a new access token when this one expires; `None` if the server issued none.
    #[serde(default)]
    pub refresh_token: Option<String>,
    /// When the access token expires, from `expires_in` and the local clock at receipt; `None` if
    /// the server did not say, in which case only a 401 reveals expiry.
    #[serde(default)]
    pub expires_at: Option<UnixMillis>,
    /// The scope granted, space-separated, if the server said.
    #[serde(default)]
    pub scope: Option<String>,
}

/// Which grant a token request used; the same error reply means different things for each.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TokenGrant {
    /// A code from the browser redirect (`grant_type=authorization_code`).
    AuthorizationCode,
    /// A refresh token (`grant_type=refresh_token`).
    RefreshToken,
    /// A user name and password (`grant_type=password`, ServiceNow only).
    Password,
}

impl TokenSet {
    /// Whether to refresh now: the token expires within `skew` of `now`, or already has.
    ///
    /// `expires_at` was computed from the local clock when the token arrived, so a device clock that
    /// is off from the server's does not matter; only jumps of the local clock do, and a 401 then
    /// still triggers a refresh (see [`crate::oauth::TokenManager::handle_unauthorized`]).
    pub fn needs_refresh(&self, now: UnixMillis, skew: Duration) -> bool {
        self.expires_at
            .is_some_and(|expires_at| now >= expires_at.saturating_sub(skew))
    }

    /// Whether the access token has expired at `now`.
    pub fn is_expired(&self, now: UnixMillis) -> bool {
        self.expires_at.is_some_and(|expires_at| now >= expires_at)
    }

    /// The access token as credentials for a provider; `authorization()` gives `Bearer <token>`.
    pub fn credentials(&self) -> Credentials {
        Credentials::Bearer {
            access_token: self.access_token.clone(),
        }
    }
}

/// Tokens stay out of logs and panic messages.
impl std::fmt::Debug for TokenSet {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("TokenSet")
            .field("has_refresh_token", &self.refresh_token.is_some())
            .field("expires_at", &self.expires_at)
            .field("scope", &self.scope)
            .finish_non_exhaustive()
    }
}

/// Exchanges an authorization code (with its PKCE verifier) for tokens; most callers use
/// [`crate::oauth::PendingAuthorization::token_request`].
pub fn authorization_code_request(
    endpoints: &OAuthEndpoints,
    client: &OAuthClient,
    code: &str,
    code_verifier: &str,
) -> HttpRequest {
    let scope = client.scope();
    let mut params = vec![
        ("grant_type", "authorization_code"),
        ("code", code),
        ("redirect_uri", client.redirect_uri.as_str()),
        ("client_id", client.client_id.as_str()),
    ];
    if let Some(secret) = &client.client_secret {
        params.push(("client_secret", secret));
    }
    params.push(("code_verifier", code_verifier));
    // Zendesk's example exchange names the scope again; ServiceNow's documents no scope here.
    if endpoints.provider() == OAuthProvider::Zendesk && !scope.is_empty() {
        params.push(("scope", &scope));
    }
    token_request(endpoints, &params)
}

/// Exchanges a refresh token for a new access token; the [`crate::oauth::TokenManager`] builds
/// this itself when it is time.
pub fn refresh_token_request(
    endpoints: &OAuthEndpoints,
    client: &OAuthClient,
    refresh_token: &str,
) -> HttpRequest {
    let mut params = vec![
        ("grant_type", "refresh_token"),
        ("refresh_token", refresh_token),
        ("client_id", client.client_id.as_str()),
    ];
    if let Some(secret) = &client.client_secret {
        params.push(("client_secret", secret));
    }
    token_request(endpoints, &params)
}

/// Signs in to a ServiceNow instance with a user name and password (the resource owner password
/// grant, ServiceNow docs "REST OAuth example"). Zendesk has deprecated this grant, so it takes a
/// ServiceNow instance only. Prefer the authorization code grant: it works with SSO and MFA and
/// never shows Flare the password.
pub fn password_request(
    instance: &InstanceUrl,
    client: &OAuthClient,
    username: &str,
    password: &str,
) -> HttpRequest {
    let scope = client.scope();
    let mut params = vec![
        ("grant_type", "password"),
        ("client_id", client.client_id.as_str()),
    ];
    if let Some(secret) = &client.client_secret {
        params.push(("client_secret", secret));
    }
    params.push(("username", username));
    params.push(("password", password));
    if !scope.is_empty() {
        params.push(("scope", &scope));
    }
    token_request(&OAuthEndpoints::servicenow(instance), &params)
}

/// Reads the reply to a token request made with `grant` at `now`.
///
/// Errors: bad client credentials (`invalid_client`, `unauthorized_client`) and, for the password
/// grant, a bad user name or password are [`CoreError::Unauthorized`]; an invalid, expired or revoked
/// refresh token, or a spent authorization code (`invalid_grant`), is [`CoreError::SignInAgain`].
/// ServiceNow answers every refused credential with 401
/// `{"error_description":"access_denied","error":"server_error"}`, which is read by status, not by
/// its misleading `server_error`. 429 is [`CoreError::RateLimited`], 5xx [`CoreError::Server`].
pub fn parse_token_response(
    response: &HttpResponse,
    grant: TokenGrant,
    now: UnixMillis,
) -> Result<TokenSet, CoreError> {
    // A hibernating developer instance answers with 200 and an HTML page (shared/recorded/README.md),
    // and SSO proxies answer with their login page.
    let text = response.text();
    if response.is_html() || text.trim_start().starts_with('<') {
        if text.contains("Instance Hibernating page") {
            return Err(CoreError::InstanceHibernating);
        }
        if (200..300).contains(&response.status) {
            return Err(CoreError::NotAnApi);
        }
    }
    if !(200..300).contains(&response.status) {
        return Err(token_error(response, grant));
    }
    let body: Value = serde_json::from_str(&text).map_err(|_| malformed("is not JSON"))?;
    if body.get("access_token").is_none() && body.get("error").is_some() {
        return Err(token_error(response, grant));
    }
    let access_token = string_field(&body, "access_token")?
        .filter(|token| !token.is_empty())
        .ok_or_else(|| malformed("has no access_token"))?;
    match string_field(&body, "token_type")? {
        // RFC 6749 section 7.1: a client must not use a token type it does not understand.
        Some(token_type) if !token_type.eq_ignore_ascii_case("bearer") => {
            return Err(malformed(&format!(
                "has token_type {token_type:?}, not Bearer"
            )))
        }
        _ => {}
    }
    let expires_at = expires_in(&body)?.map(|secs| now.saturating_add(Duration::from_secs(secs)));
    Ok(TokenSet {
        access_token: access_token.to_owned(),
        refresh_token: string_field(&body, "refresh_token")?
            .filter(|token| !token.is_empty())
            .map(str::to_owned),
        expires_at,
        scope: string_field(&body, "scope")?.map(str::to_owned),
    })
}

/// ServiceNow documents form-encoded parameters (`curl -d`, "REST OAuth example"); Zendesk says its
/// `/oauth/tokens` parameters "must be formatted as JSON" (Zendesk API reference, "Grant Type Tokens").
fn token_request(endpoints: &OAuthEndpoints, params: &[(&str, &str)]) -> HttpRequest {
    let request = HttpRequest::new(Method::Post, endpoints.token_url())
        .with_header("Accept", "application/json");
    match endpoints.provider() {
        OAuthProvider::ServiceNow => request.with_form(params),
        OAuthProvider::Zendesk => {
            let object: Map<String, Value> = params
                .iter()
                .map(|(name, value)| ((*name).to_owned(), Value::from(*value)))
                .collect();
            request.with_json(&Value::Object(object))
        }
    }
}

/// An error reply (RFC 6749 section 5.2) as the error it means for `grant`.
fn token_error(response: &HttpResponse, grant: TokenGrant) -> CoreError {
    match response.status {
        429 => {
            return CoreError::RateLimited {
                retry_after_secs: response
                    .header("retry-after")
                    .and_then(|value| value.trim().parse().ok()),
            }
        }
        status @ 500..=599 => return CoreError::Server { status },
        _ => {}
    }
    let body = serde_json::from_slice::<Value>(&response.body).unwrap_or_default();
    let text = |value: Option<&Value>| {
        value
            .and_then(Value::as_str)
            .filter(|text| !text.is_empty())
            .map(str::to_owned)
    };
    let code = text(body.get("error"));
    let description = text(body.get("error_description"));
    // Not an OAuth reply but ServiceNow's REST envelope, `{"error":{"message":...}}`.
    let envelope_message = text(body.get("error").and_then(|error| error.get("message")));
    let message = match (&code, description, envelope_message) {
        (Some(code), Some(description), _) => format!("{code}: {description}"),
        (Some(code), None, _) => code.clone(),
        (None, Some(description), _) | (None, None, Some(description)) => description,
        (None, None, None) => format!("HTTP {}", response.status),
    };
    match (code.as_deref(), response.status) {
        (Some("invalid_client" | "unauthorized_client"), _) => CoreError::Unauthorized { message },
        (Some("invalid_scope"), _) => CoreError::Validation {
            field: Some("scope".to_owned()),
            message,
        },
        (Some("invalid_request" | "unsupported_grant_type"), _) => CoreError::Validation {
            field: None,
            message,
        },
        // A bad user name or password, or a spent code or refresh token.
        (Some("invalid_grant"), _) => match grant {
            TokenGrant::Password => CoreError::Unauthorized { message },
            TokenGrant::AuthorizationCode | TokenGrant::RefreshToken => {
                CoreError::SignInAgain { message }
            }
        },
        // ServiceNow's 401 `server_error`/`access_denied` and other refusals that name nothing
        // standard: the credentials the request carried were refused.
        (_, 400 | 401) => match grant {
            TokenGrant::RefreshToken => CoreError::SignInAgain { message },
            TokenGrant::AuthorizationCode | TokenGrant::Password => {
                CoreError::Unauthorized { message }
            }
        },
        (_, 403) => CoreError::Forbidden { message },
        (_, 404) => CoreError::NotFound { message },
        (_, status) => CoreError::Malformed {
            message: format!("the token endpoint answered with HTTP {status}"),
        },
    }
}

fn malformed(what: &str) -> CoreError {
    CoreError::Malformed {
        message: format!("the token reply {what}"),
    }
}

/// A string field, absent or null as `None`. The value never goes into an error: it may be a token.
fn string_field<'a>(body: &'a Value, name: &str) -> Result<Option<&'a str>, CoreError> {
    match body.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(text)) => Ok(Some(text)),
        Some(_) => Err(malformed(&format!("has a non-string {name}"))),
    }
}

/// `expires_in` in seconds; some servers send it as a string or with a fraction.
fn expires_in(body: &Value) -> Result<Option<u64>, CoreError> {
    let invalid = || malformed("has an expires_in that is not a number of seconds");
    match body.get("expires_in") {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Number(number)) => match (number.as_u64(), number.as_f64()) {
            (Some(secs), _) => Ok(Some(secs)),
            (None, Some(secs)) if secs >= 0.0 => Ok(Some(secs as u64)),
            _ => Err(invalid()),
        },
        Some(Value::String(text)) => text.trim().parse().map(Some).map_err(|_| invalid()),
        Some(_) => Err(invalid()),
    }
}

#[cfg(test)]
mod tests;
