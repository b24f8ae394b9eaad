//! Who is calling: the `Authorization` header read into a [`Credential`], checked against the
//! account's users.
//!
//! Zendesk's API-token sign-in is Basic with `{email}/token` as the user name and the token as the
//! password (`oauth.yml`: `-u {email_address}/token:{api_token}`). An API token belongs to the
//! account, not to one user, so it signs in as whichever user the e-mail names. Basic with a
//! password is refused: the reference documents only the token form (and Zendesk is retiring
//! password access to the API). `Bearer` is OAuth: an access token from `/oauth/tokens` signs in
//! as the user who granted it, for what its scope allows (`crate::zendesk::oauth::scope_allows`);
//! an unknown, expired or revoked one is refused with OAuth's `invalid_token`, and a scope that does
//! not cover the request with 403 Forbidden (oauth.yml, "Scope").

use axum::extract::FromRequestParts;
use axum::http::header::{AUTHORIZATION, USER_AGENT};
use axum::http::request::Parts;
use axum::http::{HeaderMap, Method};
use base64::engine::general_purpose::STANDARD;
use base64::Engine;

use crate::common::datetime;
use crate::zendesk::account::{Account, Actor, User};
use crate::zendesk::error::ZendeskError;
use crate::zendesk::oauth::scope_allows;
use crate::zendesk::ZendeskState;

/// The account's API token, the password of every demo sign-in.
pub const API_TOKEN: &str = "sandbox-token";

/// What the `Authorization` header carries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Credential {
    /// `{email}/token:{token}`.
    ApiToken { email: String, token: String },
    /// `{email}:{password}`.
    Password { email: String },
    /// `Bearer {token}` (OAuth).
    Bearer(String),
}

/// A signed-in caller. Extracting it fails with Zendesk's 401.
#[derive(Debug, Clone)]
pub(crate) struct Caller(pub(crate) Actor);

/// A caller who may also be anonymous, for `/users/me` ("Allowed For: Anonymous users"). Wrong
/// credentials still fail with 401.
#[derive(Debug, Clone)]
pub(crate) struct MaybeCaller(pub(crate) Option<User>);

impl FromRequestParts<ZendeskState> for Caller {
    type Rejection = ZendeskError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &ZendeskState,
    ) -> Result<Self, ZendeskError> {
        let user = signed_in_user(parts, state)?.ok_or(ZendeskError::Unauthenticated)?;
        let client = parts
            .headers
            .get(USER_AGENT)
            .and_then(|value| value.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        Ok(Caller(Actor { user, client }))
    }
}

impl FromRequestParts<ZendeskState> for MaybeCaller {
    type Rejection = ZendeskError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &ZendeskState,
    ) -> Result<Self, ZendeskError> {
        signed_in_user(parts, state).map(MaybeCaller)
    }
}

/// The user the request's credentials sign in as; `None` without credentials.
fn signed_in_user(parts: &Parts, state: &ZendeskState) -> Result<Option<User>, ZendeskError> {
    let Some(credential) = credential(&parts.headers)? else {
        return Ok(None);
    };
    let Credential::Bearer(access_token) = credential else {
        return authenticate(&state.account(), &credential).map(Some);
    };
    // One lock at a time: the grant first, then its user.
    let (user_id, scope) = {
        let oauth = state.oauth();
        let issued = oauth
            .access_token(&access_token, datetime::now())
            .ok_or(ZendeskError::InvalidToken)?;
        (issued.user, issued.scope.clone())
    };
    let is_read = parts.method == Method::GET || parts.method == Method::HEAD;
    if !scope_allows(&scope, is_read, parts.uri.path()) {
        return Err(ZendeskError::Forbidden);
    }
    // A deleted user's tokens sign nobody in, as their API token no longer does.
    let user = state
        .account()
        .user(user_id)
        .filter(|user| user.active)
        .cloned();
    user.map(Some).ok_or(ZendeskError::InvalidToken)
}

/// The credential in the headers; `None` without an `Authorization` header. A header that is
/// neither readable Basic nor Bearer is refused as wrong credentials.
pub(crate) fn credential(headers: &HeaderMap) -> Result<Option<Credential>, ZendeskError> {
    let Some(header) = headers.get(AUTHORIZATION) else {
        return Ok(None);
    };
    let header = header.to_str().map_err(|_| ZendeskError::Unauthenticated)?;
    let (scheme, value) = header
        .trim()
        .split_once(' ')
        .ok_or(ZendeskError::Unauthenticated)?;
    if scheme.eq_ignore_ascii_case("bearer") {
        return Ok(Some(Credential::Bearer(value.trim().to_owned())));
    }
    if !scheme.eq_ignore_ascii_case("basic") {
        return Err(ZendeskError::Unauthenticated);
    }
    let decoded = STANDARD
        .decode(value.trim())
        .map_err(|_| ZendeskError::Unauthenticated)?;
    let decoded = String::from_utf8(decoded).map_err(|_| ZendeskError::Unauthenticated)?;
    let (user_name, secret) = decoded
        .split_once(':')
        .ok_or(ZendeskError::Unauthenticated)?;
    Ok(Some(match user_name.strip_suffix("/token") {
        Some(email) => Credential::ApiToken {
            email: email.to_owned(),
            token: secret.to_owned(),
        },
        None => Credential::Password {
            email: user_name.to_owned(),
        },
    }))
}

/// The user an API token or password signs in as. Bearer tokens are looked up in the OAuth grants
/// before this; here they name nobody.
pub(crate) fn authenticate(
    account: &Account,
    credential: &Credential,
) -> Result<User, ZendeskError> {
    match credential {
        Credential::ApiToken { email, token } if token == API_TOKEN => account
            .user_by_email(email)
            .cloned()
            .ok_or(ZendeskError::Unauthenticated),
        Credential::ApiToken { .. } | Credential::Password { .. } => {
            Err(ZendeskError::Unauthenticated)
        }
        Credential::Bearer(_) => Err(ZendeskError::InvalidToken),
    }
}

#[cfg(test)]
mod tests {
    use axum::http::HeaderValue;

    use super::*;

    fn headers(authorization: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(
            AUTHORIZATION,
            HeaderValue::from_str(authorization).expect("a header value"),
        );
        headers
    }

    fn basic(user_and_password: &str) -> String {
        format!("Basic {}", STANDARD.encode(user_and_password))
    }

    #[test]
    fn reads_credentials() {
        assert_eq!(credential(&HeaderMap::new()), Ok(None));
        assert_eq!(
            credential(&headers(&basic("admin@example.com/token:sandbox-token"))),
            Ok(Some(Credential::ApiToken {
                email: "admin@example.com".into(),
                token: "sandbox-token".into()
            }))
        );
        assert_eq!(
            credential(&headers(&basic("admin@example.com:secret"))),
            Ok(Some(Credential::Password {
                email: "admin@example.com".into()
            }))
        );
        assert_eq!(
            credential(&headers("Bearer abc")),
            Ok(Some(Credential::Bearer("abc".into())))
        );
        assert_eq!(
            credential(&headers("Digest x")),
            Err(ZendeskError::Unauthenticated)
        );
        assert_eq!(
            credential(&headers("Basic !!!")),
            Err(ZendeskError::Unauthenticated)
        );
    }

    #[test]
    fn only_the_api_token_signs_in() {
        let account = crate::zendesk::seed::demo_account();
        let check = |credential: Credential, expected: Result<&str, ZendeskError>| {
            let actual = authenticate(&account, &credential).map(|user| user.email);
            assert_eq!(
                actual,
                expected.map(|email| Some(email.to_owned())),
                "{credential:?}"
            );
        };
        let token = |email: &str, token: &str| Credential::ApiToken {
            email: email.into(),
            token: token.into(),
        };
        check(
            token("admin@example.com", API_TOKEN),
            Ok("admin@example.com"),
        );
        check(token("USER@example.com", API_TOKEN), Ok("user@example.com"));
        check(
            token("admin@example.com", "wrong"),
            Err(ZendeskError::Unauthenticated),
        );
        check(
            token("nobody@example.com", API_TOKEN),
            Err(ZendeskError::Unauthenticated),
        );
        check(
            Credential::Password {
                email: "admin@example.com".into(),
            },
            Err(ZendeskError::Unauthenticated),
        );
        check(
            Credential::Bearer("abc".into()),
            Err(ZendeskError::InvalidToken),
        );
    }
}
