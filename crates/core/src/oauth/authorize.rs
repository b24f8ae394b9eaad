//! The authorization step of the code grant (RFC 6749 section 4.1.1-4.1.2): the URL the browser
//! opens, and the redirect it lands on.

use serde::{Deserialize, Serialize};

use crate::error::CoreError;
use crate::http::{query_string, HttpRequest};
use crate::oauth::client::{OAuthClient, OAuthEndpoints};
use crate::oauth::form::{query_pairs, single};
use crate::oauth::pkce::PkcePair;
use crate::oauth::state::OAuthState;
use crate::oauth::token::authorization_code_request;

/// A sign-in in progress: what the caller keeps between opening the authorization page and reading
/// the redirect.
///
/// In the extension, keep it in `chrome.storage.session` while `launchWebAuthFlow` runs: an MV3
/// worker can be stopped in between, and the verifier must not reach disk.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PendingAuthorization {
    state: OAuthState,
    pkce: PkcePair,
}

/// The `code` from a successful redirect, to be exchanged once and quickly (Zendesk: 120 seconds).
#[derive(Clone, PartialEq, Eq)]
pub struct AuthorizationCode(String);

impl PendingAuthorization {
    /// Starts a sign-in from two independent sets of 32 random bytes, which the caller draws from a
    /// CSPRNG (`crypto.getRandomValues`): one for `state`, one for the PKCE verifier.
    pub fn new(state_random: [u8; 32], verifier_random: [u8; 32]) -> PendingAuthorization {
        PendingAuthorization {
            state: OAuthState::from_random(state_random),
            pkce: PkcePair::from_verifier_bytes(verifier_random),
        }
    }

    /// The `state` sent with this sign-in.
    pub fn state(&self) -> &OAuthState {
        &self.state
    }

    /// The PKCE pair of this sign-in.
    pub fn pkce(&self) -> &PkcePair {
        &self.pkce
    }

    /// The URL to open in the browser (`launchWebAuthFlow({url, interactive: true})`).
    ///
    /// Carries `response_type=code`, `client_id`, `redirect_uri`, `state`, `code_challenge`,
    /// `code_challenge_method=S256` and, when the client has scopes, `scope`.
    pub fn authorization_url(&self, endpoints: &OAuthEndpoints, client: &OAuthClient) -> String {
        let scope = client.scope();
        let mut params = vec![
            ("response_type", "code"),
            ("client_id", client.client_id.as_str()),
            ("redirect_uri", client.redirect_uri.as_str()),
            ("state", self.state.as_str()),
            ("code_challenge", self.pkce.challenge()),
            ("code_challenge_method", self.pkce.method()),
        ];
        if !scope.is_empty() {
            params.push(("scope", &scope));
        }
        format!(
            "{}?{}",
            endpoints.authorization_url(),
            query_string(&params)
        )
    }

    /// Reads the redirect URL the browser landed on (what `launchWebAuthFlow` resolves with).
    ///
    /// A `code` is only accepted with this sign-in's `state`. An `error` becomes its typed error:
    /// `access_denied` (the user pressed Deny) is [`CoreError::Forbidden`], a client the server does
    /// not know or allow is [`CoreError::Unauthorized`], a bad request or scope is
    /// [`CoreError::Validation`], and `server_error` / `temporarily_unavailable` are
    /// [`CoreError::Server`]. A wrong or missing `state` is [`CoreError::Malformed`]: the reply
    /// belongs to another sign-in or was forged, and the user should start again.
    pub fn parse_callback(&self, redirect_url: &str) -> Result<AuthorizationCode, CoreError> {
        let pairs = query_pairs(redirect_url)?;
        let state = single(&pairs, "state")?;
        let error = single(&pairs, "error")?;
        match (state, error) {
            (Some(state), _) if self.state.verify(state) => {}
            // An error without `state` is reported as itself: believing a forged one only fails a
            // sign-in, which whoever could forge it could do anyway.
            (None, Some(_)) => {}
            _ => {
                return Err(CoreError::Malformed {
                    message: "the sign-in reply does not match the sign-in Flare started (state)"
                        .to_owned(),
                })
            }
        }
        if let Some(error) = error {
            return Err(authorization_error(
                error,
                single(&pairs, "error_description")?,
            ));
        }
        match single(&pairs, "code")? {
            Some(code) if !code.is_empty() => Ok(AuthorizationCode(code.to_owned())),
            _ => Err(CoreError::Malformed {
                message: "the sign-in reply has neither a code nor an error".to_owned(),
            }),
        }
    }

    /// The token request exchanging `code`, with this sign-in's PKCE verifier; read the reply with
    /// [`crate::oauth::parse_token_response`] and [`crate::oauth::TokenGrant::AuthorizationCode`].
    pub fn token_request(
        &self,
        endpoints: &OAuthEndpoints,
        client: &OAuthClient,
        code: &AuthorizationCode,
    ) -> HttpRequest {
        authorization_code_request(endpoints, client, code.as_str(), self.pkce.verifier())
    }
}

impl AuthorizationCode {
    /// The code as received.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A code is a short-lived credential: it stays out of logs.
impl std::fmt::Debug for AuthorizationCode {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.write_str("AuthorizationCode(..)")
    }
}

/// RFC 6749 section 4.1.2.1 error codes, as the user can meet them.
fn authorization_error(error: &str, description: Option<&str>) -> CoreError {
    let message = match description {
        Some(description) if !description.is_empty() => format!("{error}: {description}"),
        _ => error.to_owned(),
    };
    match error {
        "access_denied" => CoreError::Forbidden { message },
        "invalid_scope" => CoreError::Validation {
            field: Some("scope".to_owned()),
            message,
        },
        "invalid_request" | "unsupported_response_type" => CoreError::Validation {
            field: None,
            message,
        },
        "server_error" => CoreError::Server { status: 500 },
        "temporarily_unavailable" => CoreError::Server { status: 503 },
        // `unauthorized_client`, and whatever else a server invents, are refusals of this client.
        _ => CoreError::Unauthorized { message },
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::http::encode_component;
    use crate::instance::InstanceUrl;

    const REDIRECT: &str = "https://abcdefghijklmnop.chromiumapp.org/";

    fn pending() -> PendingAuthorization {
        PendingAuthorization::new([1; 32], [2; 32])
    }

    fn client(scopes: &[&str]) -> OAuthClient {
        OAuthClient {
            client_id: "flare ext".into(),
            client_secret: None,
            redirect_uri: REDIRECT.into(),
            scopes: scopes.iter().map(|scope| (*scope).to_owned()).collect(),
        }
    }

    fn servicenow() -> OAuthEndpoints {
        OAuthEndpoints::servicenow(&InstanceUrl::parse_servicenow("acme").expect("valid"))
    }

    fn zendesk() -> OAuthEndpoints {
        OAuthEndpoints::zendesk(&InstanceUrl::parse_zendesk("acme").expect("valid"))
    }

    /// What the authorization server does with the URL: redirect back with `reply` plus our state.
    fn redirect_for(authorization_url: &str, reply: &str) -> String {
        let pairs = query_pairs(authorization_url).expect("decodes");
        let state = single(&pairs, "state")
            .expect("one state")
            .expect("a state");
        let redirect_uri = single(&pairs, "redirect_uri")
            .expect("one redirect_uri")
            .expect("a redirect_uri");
        format!("{redirect_uri}?{reply}&state={}", encode_component(state))
    }

    fn check_callback(redirect_url: &str, expected: Result<&str, CoreError>) {
        let actual = pending().parse_callback(redirect_url);
        let actual = actual.as_ref().map(AuthorizationCode::as_str);
        assert_eq!(actual, expected.as_deref(), "redirect {redirect_url:?}");
    }

    fn state() -> String {
        pending().state().as_str().to_owned()
    }

    #[test]
    fn authorization_url_for_servicenow() {
        let url = pending().authorization_url(&servicenow(), &client(&["useraccount"]));
        let pending = pending();
        assert_eq!(
            url,
            format!(
                "https://acme.service-now.com/oauth_auth.do?response_type=code&client_id=flare%20ext\
                 &redirect_uri=https%3A%2F%2Fabcdefghijklmnop.chromiumapp.org%2F&state={}\
                 &code_challenge={}&code_challenge_method=S256&scope=useraccount",
                pending.state().as_str(),
                pending.pkce().challenge()
            )
        );
    }

    #[test]
    fn authorization_url_for_zendesk_joins_scopes_and_omits_empty_scope() {
        let url = pending().authorization_url(&zendesk(), &client(&["read", "write"]));
        assert!(
            url.starts_with(
                "https://acme.zendesk.com/oauth/authorizations/new?response_type=code&"
            ),
            "{url}"
        );
        assert!(url.ends_with("&scope=read%20write"), "{url}");
        let url = pending().authorization_url(&servicenow(), &client(&[]));
        assert!(!url.contains("scope="), "{url}");
        assert!(url.ends_with("&code_challenge_method=S256"), "{url}");
    }

    #[test]
    fn callback_with_code_and_state() {
        let state = state();
        check_callback(
            &format!("{REDIRECT}?code=abc123&state={state}"),
            Ok("abc123"),
        );
        check_callback(
            &format!("{REDIRECT}?state={state}&code=a%2Fb%2Bc"),
            Ok("a/b+c"),
        );
        check_callback(
            &format!("{REDIRECT}?code=abc&state={state}&iss=https%3A%2F%2Facme"),
            Ok("abc"),
        );
    }

    #[test]
    fn callback_refuses_a_foreign_or_missing_state() {
        let state_error = CoreError::Malformed {
            message: "the sign-in reply does not match the sign-in Flare started (state)".into(),
        };
        check_callback(&format!("{REDIRECT}?code=abc"), Err(state_error.clone()));
        check_callback(
            &format!("{REDIRECT}?code=abc&state=forged"),
            Err(state_error.clone()),
        );
        check_callback(
            &format!("{REDIRECT}?code=abc&state="),
            Err(state_error.clone()),
        );
        check_callback(
            &format!("{REDIRECT}?error=access_denied&state=forged"),
            Err(state_error.clone()),
        );
        check_callback(REDIRECT, Err(state_error));
        let state = state();
        check_callback(
            &format!("{REDIRECT}?code=abc&state={state}&state=forged"),
            Err(CoreError::Malformed {
                message: "the sign-in reply repeats the parameter \"state\"".into(),
            }),
        );
    }

    #[test]
    fn callback_needs_a_code() {
        let state = state();
        let no_code = Err(CoreError::Malformed {
            message: "the sign-in reply has neither a code nor an error".into(),
        });
        check_callback(&format!("{REDIRECT}?state={state}"), no_code.clone());
        check_callback(&format!("{REDIRECT}?state={state}&code="), no_code);
    }

    #[test]
    fn callback_errors_are_typed() {
        let state = state();
        check_callback(
            &format!(
                "{REDIRECT}?error=access_denied&error_description=The+end-user+or+authorization+server+denied+the+request.&state={state}"
            ),
            Err(CoreError::Forbidden {
                message: "access_denied: The end-user or authorization server denied the request."
                    .into(),
            }),
        );
        check_callback(
            &format!("{REDIRECT}?error=access_denied"),
            Err(CoreError::Forbidden {
                message: "access_denied".into(),
            }),
        );
        check_callback(
            &format!("{REDIRECT}?error=invalid_scope&state={state}"),
            Err(CoreError::Validation {
                field: Some("scope".into()),
                message: "invalid_scope".into(),
            }),
        );
        check_callback(
            &format!("{REDIRECT}?error=invalid_request&error_description=&state={state}"),
            Err(CoreError::Validation {
                field: None,
                message: "invalid_request".into(),
            }),
        );
        check_callback(
            &format!("{REDIRECT}?error=unauthorized_client&state={state}"),
            Err(CoreError::Unauthorized {
                message: "unauthorized_client".into(),
            }),
        );
        check_callback(
            &format!("{REDIRECT}?error=server_error&state={state}"),
            Err(CoreError::Server { status: 500 }),
        );
        check_callback(
            &format!("{REDIRECT}?error=temporarily_unavailable&state={state}"),
            Err(CoreError::Server { status: 503 }),
        );
        // An error wins over a code sent alongside it.
        check_callback(
            &format!("{REDIRECT}?code=abc&error=access_denied&state={state}"),
            Err(CoreError::Forbidden {
                message: "access_denied".into(),
            }),
        );
    }

    #[test]
    fn authorization_url_round_trips_through_the_callback() {
        for (endpoints, scopes) in [
            (servicenow(), vec!["useraccount"]),
            (zendesk(), vec!["read", "write"]),
        ] {
            let pending = PendingAuthorization::new([9; 32], [8; 32]);
            let url = pending.authorization_url(&endpoints, &client(&scopes));
            let pairs = query_pairs(&url).expect("decodes");
            assert_eq!(single(&pairs, "client_id"), Ok(Some("flare ext")));
            assert_eq!(
                single(&pairs, "code_challenge"),
                Ok(Some(pending.pkce().challenge()))
            );
            let code = pending
                .parse_callback(&redirect_for(&url, "code=the-code"))
                .expect("accepted");
            assert_eq!(code.as_str(), "the-code");
            let other = PendingAuthorization::new([7; 32], [8; 32]);
            assert!(other
                .parse_callback(&redirect_for(&url, "code=the-code"))
                .is_err());
        }
    }

    #[test]
    fn pending_survives_storage_and_hides_secrets() {
        let pending = pending();
        let json = serde_json::to_string(&pending).expect("serialises");
        let back: PendingAuthorization = serde_json::from_str(&json).expect("deserialises");
        assert_eq!(back, pending);
        let printed = format!("{pending:?}");
        assert!(!printed.contains(pending.pkce().verifier()), "{printed}");
        let code = AuthorizationCode("s3cret-code".into());
        assert!(!format!("{code:?}").contains("s3cret"));
    }

    proptest! {
        #[test]
        fn any_code_round_trips(code in "\\PC{1,60}", state_random in any::<[u8; 32]>()) {
            let pending = PendingAuthorization::new(state_random, [0; 32]);
            let url = pending.authorization_url(&servicenow(), &client(&["useraccount"]));
            let reply = format!("code={}", encode_component(&code));
            let parsed = pending.parse_callback(&redirect_for(&url, &reply));
            prop_assert_eq!(parsed.as_ref().map(AuthorizationCode::as_str), Ok(code.as_str()));
        }

        #[test]
        fn never_panics_on_any_redirect(redirect in "\\PC{0,80}") {
            let _ = pending().parse_callback(&redirect);
        }
    }
}
