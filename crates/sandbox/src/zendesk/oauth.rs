//! The account as an OAuth 2.0 authorization server, free of HTTP: the shared server
//! (`crate::common::oauth`) keyed by user id, with the account's grants, lifetimes and storage,
//! and what a token's scope allows.
//!
//! Built to `shared/reference/zendesk/oauth.yml` ("Create Token for Grant Type", `/oauth/tokens`):
//! - Authorization codes are "valid for 120 seconds", and single use (RFC 6749 section 4.1.2).
//! - `grant_type` `authorization_code` (with `code_verifier` for PKCE) and `refresh_token`;
//!   `client_credentials` and the deprecated password grant are not emulated (Flare calls neither).
//! - `expires_in` "Must be more than 300 seconds (5 minutes) and less than 172,800 seconds
//!   (2 days) ... Defaults to null", so without it (and without a configured lifetime) an access
//!   token does not expire; `refresh_token_expires_in` must lie between 7 and 90 days and "Defaults
//!   to 2,592,000 seconds (30 days)". The documented example sends `refresh_token_expires_in:
//!   604800`, so the bounds are taken as inclusive.
//! - A refresh "returns a new access token and refresh token while invalidating the previous
//!   access and refresh tokens" (Zendesk's "OAuth Tokens for Grant Types" page; the stored yml
//!   predates it).
//! - Scopes: `read` for GET endpoints, `write` for POST, PUT and DELETE, either for one resource
//!   as `tickets:read`; an invalid scope still gets a token, and "Any request you make with the
//!   token will return a 'Forbidden' error" (oauth.yml, "Scope").
//!
//! The clients are the shared ones: the public `flare`, which must use PKCE (Zendesk's "public
//! OAuth clients ... must use PKCE"), and the confidential `flare-relay`.

use std::ops::RangeInclusive;

use serde::{Deserialize, Serialize};

use crate::common::datetime::UnixSeconds;
use crate::common::oauth::{
    self, AuthorizationRefusal, AuthorizationRequest, Lifetimes, OAuthClientConfig, OAuthError,
    OAuthPolicy, OAuthServer, RefreshRotation,
};
use crate::common::persist::StoreError;
use crate::zendesk::persist::ZendeskStore;

/// "An authorization code valid for 120 seconds" (oauth.yml).
pub(crate) const CODE_LIFETIME_SECS: i64 = 120;
/// `refresh_token_expires_in` "Defaults to 2,592,000 seconds (30 days)" (oauth.yml).
pub(crate) const REFRESH_TOKEN_LIFETIME_SECS: i64 = 2_592_000;
/// The `expires_in` a token request may ask for (oauth.yml).
const EXPIRES_IN: RangeInclusive<i64> = 300..=172_800;
/// The `refresh_token_expires_in` a token request may ask for (oauth.yml).
const REFRESH_TOKEN_EXPIRES_IN: RangeInclusive<i64> = 604_800..=7_776_000;

/// A token request. The parameters "must be formatted as JSON" (oauth.yml); unknown ones, such as
/// `scope` or the `scopes` of the documented refresh example, are ignored: a token carries the
/// scope the user consented to.
#[derive(Debug, Clone, Default, Deserialize)]
pub(crate) struct TokenRequest {
    #[serde(default)]
    pub(crate) grant_type: Option<String>,
    #[serde(default)]
    pub(crate) code: Option<String>,
    #[serde(default)]
    pub(crate) client_id: Option<String>,
    #[serde(default)]
    pub(crate) client_secret: Option<String>,
    #[serde(default)]
    pub(crate) redirect_uri: Option<String>,
    #[serde(default)]
    pub(crate) code_verifier: Option<String>,
    #[serde(default)]
    pub(crate) refresh_token: Option<String>,
    #[serde(default)]
    pub(crate) expires_in: Option<i64>,
    #[serde(default)]
    pub(crate) refresh_token_expires_in: Option<i64>,
}

/// A token reply: `access_token`, `scope` and `token_type` "bearer" as Zendesk's API reference
/// shows the object, with the refresh token and both lifetimes the request parameters describe
/// (`expires_in` null for a token that does not expire).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(crate) struct TokenReply {
    pub(crate) access_token: String,
    pub(crate) token_type: &'static str,
    pub(crate) scope: String,
    pub(crate) refresh_token: String,
    pub(crate) expires_in: Option<i64>,
    pub(crate) refresh_token_expires_in: i64,
}

/// A token the account issued, keyed by user id, as kept and (with `--data`) stored.
pub(crate) type IssuedToken = oauth::IssuedToken<u64>;

/// The account's authorization server.
#[derive(Debug)]
pub(crate) struct OAuthGrants {
    server: OAuthServer<u64>,
    /// The access token lifetime when a request names none; `None` for tokens that do not expire.
    token_lifetime: Option<i64>,
    /// Where the tokens are written through with `--data`.
    store: Option<ZendeskStore>,
}

/// "An authorization code valid for 120 seconds" (oauth.yml); a refresh "returns a new access
/// token and refresh token while invalidating the previous access and refresh tokens".
const POLICY: OAuthPolicy = OAuthPolicy {
    code_lifetime_secs: CODE_LIFETIME_SECS,
    rotation: RefreshRotation::Replace,
};

impl OAuthGrants {
    pub(crate) fn new(clients: Vec<OAuthClientConfig>, token_lifetime: Option<i64>) -> OAuthGrants {
        OAuthGrants {
            server: OAuthServer::new(clients, POLICY),
            token_lifetime,
            store: None,
        }
    }

    /// Grants that keep their tokens in `store`, starting from the tokens stored there.
    pub(crate) fn with_store(
        clients: Vec<OAuthClientConfig>,
        token_lifetime: Option<i64>,
        store: ZendeskStore,
    ) -> Result<OAuthGrants, StoreError> {
        let stored = store.load_tokens()?;
        Ok(OAuthGrants {
            server: OAuthServer::with_tokens(clients, POLICY, stored.access, stored.refresh),
            token_lifetime,
            store: Some(store),
        })
    }

    /// Checks an authorization request before the sign-in page is shown, and again when it is
    /// submitted. Beyond the shared checks a `scope` is required: "You must specify a scope to
    /// control the app's access to Zendesk resources" (oauth.yml, "Scope").
    pub(crate) fn check_authorization(
        &self,
        request: &AuthorizationRequest,
    ) -> Result<(), AuthorizationRefusal> {
        self.server.check_authorization(request)?;
        if request.scope.trim().is_empty() {
            return Err(AuthorizationRefusal::Redirect {
                error: "invalid_request",
                description: "The scope parameter is required.".to_owned(),
            });
        }
        Ok(())
    }

    /// Issues a code for a checked request that `user_id` allowed.
    pub(crate) fn issue_code(
        &mut self,
        request: &AuthorizationRequest,
        user_id: u64,
        now: UnixSeconds,
    ) -> String {
        let scope = request.scope.trim().to_owned();
        self.server.issue_code(request, user_id, scope, now)
    }

    /// Answers a token request at `now`.
    pub(crate) fn exchange(
        &mut self,
        request: &TokenRequest,
        now: UnixSeconds,
    ) -> Result<TokenReply, OAuthError> {
        let client_id = request.client_id.as_deref().unwrap_or_default();
        self.server
            .authenticate_client(client_id, request.client_secret.as_deref())?;
        let lifetimes = self.lifetimes(request)?;
        let grant = match request.grant_type.as_deref().unwrap_or_default() {
            "authorization_code" => {
                let code = required(&request.code, "code is required")?;
                let redirect_uri = request.redirect_uri.as_deref().unwrap_or_default();
                let verifier = request.code_verifier.as_deref();
                self.server
                    .redeem_code(client_id, code, redirect_uri, verifier, now)?
            }
            "refresh_token" => {
                let refresh_token = required(&request.refresh_token, "refresh_token is required")?;
                self.server
                    .redeem_refresh_token(client_id, refresh_token, now)?
            }
            "" => return Err(OAuthError::InvalidRequest("grant_type is required")),
            _ => return Err(OAuthError::UnsupportedGrantType),
        };
        let scope = grant.scope.clone();
        let tokens = self.server.issue_tokens(client_id, grant, lifetimes, now);
        self.save_tokens();
        Ok(TokenReply {
            access_token: tokens.access_token,
            token_type: "bearer",
            scope,
            refresh_token: tokens.refresh_token,
            expires_in: lifetimes.access,
            refresh_token_expires_in: lifetimes.refresh,
        })
    }

    /// The token behind an `Authorization: Bearer` header, if it is known and unexpired.
    pub(crate) fn access_token(
        &self,
        access_token: &str,
        now: UnixSeconds,
    ) -> Option<&IssuedToken> {
        self.server.access_token(access_token, now)
    }

    /// Expires every access token and authorization code now (a switch for tests); refresh
    /// tokens stay valid.
    pub(crate) fn expire_now(&mut self, now: UnixSeconds) {
        self.server.expire_codes(now);
        self.server.expire_access_tokens(now);
        self.save_tokens();
    }

    /// Revokes every access and refresh token: clients must sign in again.
    pub(crate) fn revoke_all(&mut self) {
        self.server.revoke_all();
        self.save_tokens();
    }

    /// Writes the tokens through, if `--data` is on; a failed write is logged, not returned.
    fn save_tokens(&self) {
        let Some(store) = &self.store else {
            return;
        };
        let saved = store.replace_tokens(self.server.access_tokens(), self.server.refresh_tokens());
        if let Err(error) = saved {
            tracing::error!(%error, "cannot write the Zendesk OAuth tokens to the data directory");
        }
    }

    /// The lifetimes a request asks for, within the documented bounds.
    fn lifetimes(&self, request: &TokenRequest) -> Result<Lifetimes, OAuthError> {
        let refresh = request
            .refresh_token_expires_in
            .unwrap_or(REFRESH_TOKEN_LIFETIME_SECS);
        if !REFRESH_TOKEN_EXPIRES_IN.contains(&refresh) {
            return Err(OAuthError::InvalidRequest(
                "refresh_token_expires_in must be between 604800 and 7776000 seconds",
            ));
        }
        let access = match request.expires_in {
            Some(secs) if !EXPIRES_IN.contains(&secs) => {
                return Err(OAuthError::InvalidRequest(
                    "expires_in must be between 300 and 172800 seconds",
                ))
            }
            Some(secs) => Some(secs),
            None => self.token_lifetime,
        };
        if access.is_some_and(|access| access > refresh) {
            return Err(OAuthError::InvalidRequest(
                "expires_in must not exceed refresh_token_expires_in",
            ));
        }
        Ok(Lifetimes { access, refresh })
    }
}

/// Whether a token's `scope` lets it make a request with this method to an `/api/v2/` path.
///
/// `read` covers GET (and HEAD), `write` POST, PUT, PATCH and DELETE; `<resource>:read` and
/// `<resource>:write` do the same for one resource, the first path segment after `/api/v2/`
/// (`tickets`, `users`, ...). `impersonate` and unknown scopes allow nothing.
pub(crate) fn scope_allows(scope: &str, is_read: bool, path: &str) -> bool {
    let access = if is_read { "read" } else { "write" };
    let resource = path
        .strip_prefix("/api/v2/")
        .and_then(|rest| rest.split(['/', '.']).next())
        .unwrap_or_default();
    scope
        .split_whitespace()
        .any(|granted| match granted.split_once(':') {
            None => granted == access,
            Some((granted_resource, granted_access)) => {
                granted_resource == resource && granted_access == access
            }
        })
}

/// A parameter the grant needs, present and not empty.
fn required<'a>(value: &'a Option<String>, missing: &'static str) -> Result<&'a str, OAuthError> {
    value
        .as_deref()
        .filter(|value| !value.is_empty())
        .ok_or(OAuthError::InvalidRequest(missing))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::common::oauth::pkce_challenge;

    const REDIRECT: &str = "https://abcdefghijklmnop.chromiumapp.org/";
    const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
    const NOW: UnixSeconds = 1_700_000_000;

    fn grants(token_lifetime: Option<i64>) -> OAuthGrants {
        OAuthGrants::new(crate::common::oauth::default_clients(), token_lifetime)
    }

    fn authorization(client_id: &str, challenge: &str) -> AuthorizationRequest {
        AuthorizationRequest {
            response_type: "code".into(),
            client_id: client_id.into(),
            redirect_uri: REDIRECT.into(),
            state: "xyz".into(),
            scope: "read write".into(),
            code_challenge: challenge.into(),
            code_challenge_method: if challenge.is_empty() { "" } else { "S256" }.into(),
        }
    }

    fn code_request(code: &str, verifier: &str) -> TokenRequest {
        TokenRequest {
            grant_type: Some("authorization_code".into()),
            code: Some(code.into()),
            client_id: Some("flare".into()),
            redirect_uri: Some(REDIRECT.into()),
            code_verifier: Some(verifier.into()),
            ..TokenRequest::default()
        }
    }

    fn refresh_request(refresh_token: &str) -> TokenRequest {
        TokenRequest {
            grant_type: Some("refresh_token".into()),
            refresh_token: Some(refresh_token.into()),
            client_id: Some("flare".into()),
            ..TokenRequest::default()
        }
    }

    /// A signed-in `flare` session for user 7.
    fn signed_in(grants: &mut OAuthGrants) -> TokenReply {
        let code = grants.issue_code(&authorization("flare", &pkce_challenge(VERIFIER)), 7, NOW);
        grants
            .exchange(&code_request(&code, VERIFIER), NOW)
            .expect("tokens")
    }

    fn check_exchange(
        grants: &mut OAuthGrants,
        request: TokenRequest,
        expected: Result<(), OAuthError>,
    ) {
        let actual = grants.exchange(&request, NOW).map(|_| ());
        assert_eq!(actual, expected, "{request:?}");
    }

    #[test]
    fn a_code_with_its_verifier_gives_tokens_that_do_not_expire_by_default() {
        let mut grants = grants(None);
        let reply = signed_in(&mut grants);
        assert_eq!(
            (reply.token_type, reply.scope.as_str(), reply.expires_in),
            ("bearer", "read write", None)
        );
        assert_eq!(reply.refresh_token_expires_in, REFRESH_TOKEN_LIFETIME_SECS);
        let issued = grants
            .access_token(&reply.access_token, NOW + 10 * 365 * 86_400)
            .expect("still valid years later");
        assert_eq!((issued.user, issued.client_id.as_str()), (7, "flare"));
    }

    #[test]
    fn lifetimes_come_from_the_request_or_the_configuration() {
        let mut grants = grants(Some(1800));
        let reply = signed_in(&mut grants);
        assert_eq!(reply.expires_in, Some(1800));
        assert!(grants
            .access_token(&reply.access_token, NOW + 1799)
            .is_some());
        assert!(grants
            .access_token(&reply.access_token, NOW + 1800)
            .is_none());
        let code = grants.issue_code(&authorization("flare", &pkce_challenge(VERIFIER)), 7, NOW);
        let request = TokenRequest {
            expires_in: Some(86_400),
            refresh_token_expires_in: Some(604_800),
            ..code_request(&code, VERIFIER)
        };
        let reply = grants
            .exchange(&request, NOW)
            .expect("the documented example");
        assert_eq!(
            (reply.expires_in, reply.refresh_token_expires_in),
            (Some(86_400), 604_800)
        );
    }

    #[test]
    fn lifetimes_outside_the_documented_bounds_are_refused() {
        for (expires_in, refresh_token_expires_in) in [
            (Some(299), None),
            (Some(172_801), None),
            (None, Some(604_799)),
            (None, Some(7_776_001)),
        ] {
            let mut grants = grants(None);
            let code =
                grants.issue_code(&authorization("flare", &pkce_challenge(VERIFIER)), 7, NOW);
            let request = TokenRequest {
                expires_in,
                refresh_token_expires_in,
                ..code_request(&code, VERIFIER)
            };
            assert!(
                matches!(
                    grants.exchange(&request, NOW),
                    Err(OAuthError::InvalidRequest(_))
                ),
                "{request:?}"
            );
        }
    }

    #[test]
    fn codes_are_single_use_short_lived_and_bound_to_verifier_client_and_redirect() {
        let challenge = pkce_challenge(VERIFIER);
        let mut grants = grants(None);
        let code = grants.issue_code(&authorization("flare", &challenge), 7, NOW);
        check_exchange(
            &mut grants,
            code_request(&code, "another-verifier-another-verifier-another-v"),
            Err(OAuthError::InvalidGrant),
        );
        // The failed attempt used the code up.
        check_exchange(
            &mut grants,
            code_request(&code, VERIFIER),
            Err(OAuthError::InvalidGrant),
        );

        let code = grants.issue_code(&authorization("flare", &challenge), 7, NOW);
        let request = TokenRequest {
            redirect_uri: Some("https://other.chromiumapp.org/".into()),
            ..code_request(&code, VERIFIER)
        };
        check_exchange(&mut grants, request, Err(OAuthError::InvalidGrant));

        let code = grants.issue_code(&authorization("flare", &challenge), 7, NOW);
        let request = TokenRequest {
            code_verifier: None,
            ..code_request(&code, VERIFIER)
        };
        check_exchange(&mut grants, request, Err(OAuthError::InvalidGrant));

        let code = grants.issue_code(&authorization("flare", &challenge), 7, NOW);
        let late = grants.exchange(&code_request(&code, VERIFIER), NOW + CODE_LIFETIME_SECS);
        assert_eq!(late.map(|_| ()), Err(OAuthError::InvalidGrant));

        let code = grants.issue_code(&authorization("flare", &challenge), 7, NOW);
        check_exchange(&mut grants, code_request(&code, VERIFIER), Ok(()));
        check_exchange(
            &mut grants,
            code_request(&code, VERIFIER),
            Err(OAuthError::InvalidGrant),
        );
    }

    #[test]
    fn a_confidential_client_needs_its_secret() {
        let mut grants = grants(None);
        for (secret, expected) in [
            (None, Err(OAuthError::InvalidClient)),
            (Some("wrong"), Err(OAuthError::InvalidClient)),
            (Some("flare-relay-secret"), Ok(())),
        ] {
            let code = grants.issue_code(&authorization("flare-relay", ""), 7, NOW);
            let request = TokenRequest {
                client_id: Some("flare-relay".into()),
                client_secret: secret.map(str::to_owned),
                ..code_request(&code, "")
            };
            check_exchange(&mut grants, request, expected);
        }
        let request = TokenRequest {
            client_id: Some("nobody".into()),
            ..code_request("x", VERIFIER)
        };
        check_exchange(&mut grants, request, Err(OAuthError::InvalidClient));
    }

    #[test]
    fn refreshing_replaces_both_tokens() {
        let mut grants = grants(Some(1800));
        let first = signed_in(&mut grants);
        let second = grants
            .exchange(&refresh_request(&first.refresh_token), NOW + 60)
            .expect("refreshed");
        assert_ne!(second.access_token, first.access_token);
        assert_ne!(second.refresh_token, first.refresh_token);
        assert!(grants.access_token(&first.access_token, NOW + 60).is_none());
        assert!(grants
            .access_token(&second.access_token, NOW + 60)
            .is_some());
        check_exchange(
            &mut grants,
            refresh_request(&first.refresh_token),
            Err(OAuthError::InvalidGrant),
        );
        let other_client = TokenRequest {
            client_id: Some("flare-relay".into()),
            client_secret: Some("flare-relay-secret".into()),
            ..refresh_request(&second.refresh_token)
        };
        check_exchange(&mut grants, other_client, Err(OAuthError::InvalidGrant));
    }

    #[test]
    fn expiring_keeps_refresh_and_revoking_ends_everything() {
        let mut grants = grants(None);
        let reply = signed_in(&mut grants);
        grants.expire_now(NOW);
        assert!(grants.access_token(&reply.access_token, NOW).is_none());
        let refreshed = grants
            .exchange(&refresh_request(&reply.refresh_token), NOW)
            .expect("refresh still works");
        grants.revoke_all();
        assert!(grants.access_token(&refreshed.access_token, NOW).is_none());
        check_exchange(
            &mut grants,
            refresh_request(&refreshed.refresh_token),
            Err(OAuthError::InvalidGrant),
        );
    }

    #[test]
    fn grant_types_and_missing_parameters() {
        let mut grants = grants(None);
        let check = |grants: &mut OAuthGrants, grant_type: Option<&str>, expected| {
            let request = TokenRequest {
                grant_type: grant_type.map(str::to_owned),
                client_id: Some("flare".into()),
                ..TokenRequest::default()
            };
            check_exchange(grants, request, expected);
        };
        check(
            &mut grants,
            None,
            Err(OAuthError::InvalidRequest("grant_type is required")),
        );
        check(
            &mut grants,
            Some("password"),
            Err(OAuthError::UnsupportedGrantType),
        );
        check(
            &mut grants,
            Some("authorization_code"),
            Err(OAuthError::InvalidRequest("code is required")),
        );
        check(
            &mut grants,
            Some("refresh_token"),
            Err(OAuthError::InvalidRequest("refresh_token is required")),
        );
    }

    #[test]
    fn authorization_needs_a_scope_besides_the_shared_checks() {
        let grants = grants(None);
        let challenge = pkce_challenge(VERIFIER);
        assert_eq!(
            grants.check_authorization(&authorization("flare", &challenge)),
            Ok(())
        );
        let no_scope = AuthorizationRequest {
            scope: " ".into(),
            ..authorization("flare", &challenge)
        };
        assert!(matches!(
            grants.check_authorization(&no_scope),
            Err(AuthorizationRefusal::Redirect {
                error: "invalid_request",
                ..
            })
        ));
        assert!(matches!(
            grants.check_authorization(&authorization("flare", "")),
            Err(AuthorizationRefusal::Redirect {
                error: "invalid_request",
                ..
            })
        ));
    }

    #[test]
    fn scopes_allow_by_method_and_resource() {
        let cases = [
            ("read write", true, "/api/v2/tickets/1.json", true),
            ("read write", false, "/api/v2/tickets", true),
            ("read", false, "/api/v2/tickets", false),
            ("write", true, "/api/v2/tickets", false),
            ("tickets:read", true, "/api/v2/tickets.json", true),
            ("tickets:read", true, "/api/v2/users/me.json", false),
            ("tickets:read users:write", false, "/api/v2/users/1", true),
            ("tickets:write", false, "/api/v2/tickets/1", true),
            ("impersonate", true, "/api/v2/tickets", false),
            ("[\"read\"]", true, "/api/v2/tickets", false),
        ];
        for (scope, is_read, path, expected) in cases {
            assert_eq!(
                scope_allows(scope, is_read, path),
                expected,
                "{scope} {is_read} {path}"
            );
        }
    }
}
