//! HTTP Basic authentication against the instance's users.

use axum::extract::FromRequestParts;
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use axum::http::{HeaderMap, Uri};
use base64::Engine;

use crate::common::datetime;
use crate::servicenow::error::AppError;
use crate::servicenow::seed;
use crate::servicenow::store::User;
use crate::servicenow::AppState;

/// The user a request is made as. Extracting it fails with the recorded 401 envelope.
#[derive(Debug, Clone)]
pub(crate) struct CurrentUser(pub(crate) User);

impl FromRequestParts<AppState> for CurrentUser {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        let user =
            authenticate(state, &parts.headers, &parts.uri).ok_or(AppError::Unauthenticated)?;
        // An OAuth token was issued through the sign-in page, where the second factor belongs;
        // Basic credentials alone are not enough for an enrolled user.
        let used_basic =
            bearer_token(&parts.headers).is_none() && query_token(&parts.uri).is_none();
        if used_basic && seed::requires_mfa(&user.user_name) {
            return Err(AppError::MfaRequired);
        }
        Ok(CurrentUser(user))
    }
}

/// The user the request's credentials belong to, if they are valid: Basic credentials, or an
/// OAuth access token as `Authorization: Bearer` or the `access_token` query parameter
/// (`r_RESTOAuthExample.md`, `c_OAuthAuthorizationCodeFlow.md`). An expired token is no
/// credential, so the caller answers 401.
pub(crate) fn authenticate(state: &AppState, headers: &HeaderMap, uri: &Uri) -> Option<User> {
    if let Some(token) = bearer_token(headers).or_else(|| query_token(uri)) {
        let user_name = state
            .oauth()
            .user_for_token(&token, datetime::now())?
            .to_owned();
        return state.db().active_user(&user_name);
    }
    let (user_name, password) = basic_credentials(headers)?;
    state.db().authenticate(&user_name, &password)
}

fn bearer_token(headers: &HeaderMap) -> Option<String> {
    let header = headers.get(AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = header.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim().to_owned())
}

fn query_token(uri: &Uri) -> Option<String> {
    uri.query()?
        .split('&')
        .find_map(|pair| pair.strip_prefix("access_token="))
        .map(str::to_owned)
}

/// The user name and password of an `Authorization: Basic ...` header.
fn basic_credentials(headers: &HeaderMap) -> Option<(String, String)> {
    let header = headers.get(AUTHORIZATION)?.to_str().ok()?;
    let (scheme, encoded) = header.split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(encoded.trim())
        .ok()?;
    let decoded = String::from_utf8(decoded).ok()?;
    let (user_name, password) = decoded.split_once(':')?;
    Some((user_name.to_owned(), password.to_owned()))
}
