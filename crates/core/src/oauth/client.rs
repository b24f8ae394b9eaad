//! Who Flare is to an authorization server, and where that server's endpoints are.

use serde::{Deserialize, Serialize};

use crate::instance::InstanceUrl;

/// The OAuth client registered on the customer's instance (ServiceNow: System OAuth > Application
/// Registry; Zendesk: Apps and integrations > APIs > OAuth clients).
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OAuthClient {
    /// ServiceNow's "Client ID", Zendesk's "Unique Identifier".
    pub client_id: String,
    /// The client secret; `None` for a public client that proves itself with PKCE alone.
    pub client_secret: Option<String>,
    /// Where the authorization server sends the browser back, exactly as registered; in the
    /// extension, `chrome.identity.getRedirectURL()` (`https://<extension-id>.chromiumapp.org/`).
    pub redirect_uri: String,
    /// The scopes to ask for; sent space-separated. ServiceNow's default is `useraccount`; Zendesk
    /// needs at least one (`read`, `write`, `tickets:read`, ...).
    pub scopes: Vec<String>,
}

/// Which authorization server dialect to speak.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OAuthProvider {
    /// ServiceNow: `/oauth_auth.do` and `/oauth_token.do`, form-encoded token requests.
    ServiceNow,
    /// Zendesk: `/oauth/authorizations/new` and `/oauth/tokens`, JSON token requests.
    Zendesk,
}

/// The authorization and token endpoints of one instance.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct OAuthEndpoints {
    provider: OAuthProvider,
    authorization: String,
    token: String,
}

impl OAuthClient {
    /// The scopes as the single space-separated `scope` value of RFC 6749 section 3.3.
    pub fn scope(&self) -> String {
        self.scopes.join(" ")
    }
}

/// The secret stays out of logs.
impl std::fmt::Debug for OAuthClient {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("OAuthClient")
            .field("client_id", &self.client_id)
            .field("has_client_secret", &self.client_secret.is_some())
            .field("redirect_uri", &self.redirect_uri)
            .field("scopes", &self.scopes)
            .finish()
    }
}

impl OAuthEndpoints {
    /// A ServiceNow instance's endpoints: `{base}/oauth_auth.do` and `{base}/oauth_token.do`
    /// (ServiceNow docs, "OAuth authorization code grant flow").
    pub fn servicenow(instance: &InstanceUrl) -> OAuthEndpoints {
        OAuthEndpoints {
            provider: OAuthProvider::ServiceNow,
            authorization: instance.url("/oauth_auth.do"),
            token: instance.url("/oauth_token.do"),
        }
    }

    /// A Zendesk account's endpoints: `{base}/oauth/authorizations/new` and `{base}/oauth/tokens`
    /// (Zendesk API reference, "Grant Type Tokens").
    pub fn zendesk(instance: &InstanceUrl) -> OAuthEndpoints {
        OAuthEndpoints {
            provider: OAuthProvider::Zendesk,
            authorization: instance.url("/oauth/authorizations/new"),
            token: instance.url("/oauth/tokens"),
        }
    }

    /// The dialect these endpoints speak.
    pub fn provider(&self) -> OAuthProvider {
        self.provider
    }

    /// Where the browser goes to sign in and consent.
    pub fn authorization_url(&self) -> &str {
        &self.authorization
    }

    /// Where codes, refresh tokens and passwords are exchanged for tokens.
    pub fn token_url(&self) -> &str {
        &self.token
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(endpoints: OAuthEndpoints, authorization: &str, token: &str) {
        assert_eq!(endpoints.authorization_url(), authorization);
        assert_eq!(endpoints.token_url(), token);
    }

    #[test]
    fn endpoints_per_provider() {
        let servicenow = InstanceUrl::parse_servicenow("acme").expect("valid");
        check(
            OAuthEndpoints::servicenow(&servicenow),
            "https://acme.service-now.com/oauth_auth.do",
            "https://acme.service-now.com/oauth_token.do",
        );
        let sandbox = InstanceUrl::parse_servicenow("http://127.0.0.1:8300").expect("valid");
        check(
            OAuthEndpoints::servicenow(&sandbox),
            "http://127.0.0.1:8300/oauth_auth.do",
            "http://127.0.0.1:8300/oauth_token.do",
        );
        let zendesk = InstanceUrl::parse_zendesk("acme").expect("valid");
        check(
            OAuthEndpoints::zendesk(&zendesk),
            "https://acme.zendesk.com/oauth/authorizations/new",
            "https://acme.zendesk.com/oauth/tokens",
        );
    }

    #[test]
    fn client_debug_hides_the_secret() {
        let client = OAuthClient {
            client_id: "a329c4515612210071a5e0c298ee2be8".into(),
            client_secret: Some("password22".into()),
            redirect_uri: "https://ext.chromiumapp.org/".into(),
            scopes: vec!["useraccount".into()],
        };
        let printed = format!("{client:?}");
        assert!(!printed.contains("password22"), "{printed}");
        assert!(printed.contains("a329c4515612210071a5e0c298ee2be8"));
        assert_eq!(client.scope(), "useraccount");
    }
}
