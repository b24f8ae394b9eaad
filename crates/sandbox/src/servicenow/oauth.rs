//! The instance as an OAuth 2.0 authorization server (`c_OAuthAuthorizationCodeFlow.md`,
//! `authorization-code-grant.md`, `r_RESTOAuthExample.md`): the shared server
//! (`crate::common::oauth`) keyed by user name, with the instance's grants and lifetimes.
//!
//! - Authorization code grant, with PKCE S256 required of public clients (which have no secret).
//! - Refresh token grant, which keeps the refresh token, and resource owner password grant.
//! - Tokens expire after the configured lifetime (1800 s by default; the example answers
//!   `"expires_in": 1799`), refresh tokens after 100 days; codes are single use and expire after a
//!   minute.

use serde::{Deserialize, Serialize};

use crate::common::datetime::UnixSeconds;
use crate::common::oauth::{
    AuthorizationRefusal, AuthorizationRequest, Grant, Lifetimes, OAuthClientConfig, OAuthError,
    OAuthPolicy, OAuthServer, RefreshRotation,
};

/// Access tokens live this long unless configured otherwise.
pub(crate) const DEFAULT_TOKEN_LIFETIME_SECS: i64 = 1800;
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
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(crate) struct TokenReply {
    pub(crate) scope: String,
    pub(crate) token_type: &'static str,
    pub(crate) expires_in: i64,
    pub(crate) refresh_token: String,
    pub(crate) access_token: String,
}

/// The instance's authorization server.
#[derive(Debug)]
pub(crate) struct OAuthGrants {
    server: OAuthServer<String>,
    /// The access token lifetime, in seconds.
    token_lifetime: i64,
}

/// The scope the documented token reply carries.
const DEFAULT_SCOPE: &str = "useraccount";
/// Refresh tokens live this long (the platform default is 100 days).
const REFRESH_TOKEN_LIFETIME_SECS: i64 = 100 * 24 * 3600;

const POLICY: OAuthPolicy = OAuthPolicy {
    // Authorization codes must be exchanged within a minute.
    code_lifetime_secs: 60,
    rotation: RefreshRotation::Keep,
};

impl OAuthGrants {
    pub(crate) fn new(clients: Vec<OAuthClientConfig>, token_lifetime: i64) -> OAuthGrants {
        OAuthGrants {
            server: OAuthServer::new(clients, POLICY),
            token_lifetime,
        }
    }

    /// Checks an authorization request before the sign-in page is shown, and again when it is
    /// submitted.
    pub(crate) fn check_authorization(
        &self,
        request: &AuthorizationRequest,
    ) -> Result<(), AuthorizationRefusal> {
        self.server.check_authorization(request)
    }

    /// Issues a code for a checked request that `user_name` allowed.
    pub(crate) fn issue_code(
        &mut self,
        request: &AuthorizationRequest,
        user_name: &str,
        now: UnixSeconds,
    ) -> String {
        let scope = scope_or_default(&request.scope);
        self.server
            .issue_code(request, user_name.to_owned(), scope, now)
    }

    /// Answers a token request; `check_password` verifies a user's credentials for the password
    /// grant.
    pub(crate) fn token(
        &mut self,
        request: &TokenRequest,
        check_password: impl Fn(&str, &str) -> bool,
        now: UnixSeconds,
    ) -> Result<TokenReply, OAuthError> {
        let client_id = request.client_id.as_str();
        self.server
            .authenticate_client(client_id, request.client_secret.as_deref())?;
        let grant = match request.grant_type.as_str() {
            "authorization_code" => self.server.redeem_code(
                client_id,
                &request.code,
                &request.redirect_uri,
                Some(&request.code_verifier),
                now,
            )?,
            "refresh_token" => {
                self.server
                    .redeem_refresh_token(client_id, &request.refresh_token, now)?
            }
            "password" => {
                if !check_password(&request.username, &request.password) {
                    return Err(OAuthError::InvalidGrant);
                }
                Grant::new(request.username.clone(), scope_or_default(&request.scope))
            }
            "" => return Err(OAuthError::InvalidRequest("grant_type is required")),
            _ => return Err(OAuthError::UnsupportedGrantType),
        };
        let scope = grant.scope.clone();
        let lifetimes = Lifetimes {
            access: Some(self.token_lifetime),
            refresh: REFRESH_TOKEN_LIFETIME_SECS,
        };
        let tokens = self.server.issue_tokens(client_id, grant, lifetimes, now);
        Ok(TokenReply {
            scope,
            token_type: "Bearer",
            expires_in: self.token_lifetime - 1,
            refresh_token: tokens.refresh_token,
            access_token: tokens.access_token,
        })
    }

    /// The user name an unexpired access token belongs to.
    pub(crate) fn user_for_token(&self, access_token: &str, now: UnixSeconds) -> Option<&str> {
        let issued = self.server.access_token(access_token, now)?;
        Some(issued.user.as_str())
    }

    /// Expires every access token now (a fault for tests); refresh tokens stay valid.
    pub(crate) fn expire_access_tokens(&mut self, now: UnixSeconds) {
        self.server.expire_access_tokens(now);
    }

    /// Revokes every refresh token too: the user must sign in again.
    pub(crate) fn revoke_all(&mut self) {
        self.server.revoke_all();
    }
}

fn scope_or_default(scope: &str) -> String {
    match scope.trim() {
        "" => DEFAULT_SCOPE.to_owned(),
        scope => scope.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::common::oauth::default_clients;

    #[test]
    fn access_tokens_run_out_after_the_lifetime_and_refresh_tokens_do_not() {
        let mut server = OAuthGrants::new(default_clients(), 60);
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
        let user_at = |server: &OAuthGrants, token: &str, now| {
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
            Err(OAuthError::InvalidGrant)
        );
        assert!(server.token(&refresh, |_, _| false, too_late - 1).is_ok());
    }
}
