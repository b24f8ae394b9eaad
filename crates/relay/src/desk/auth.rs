//! How the relay signs in to a site's ServiceNow: Basic with an integration user, or OAuth with a
//! refresh token (seed 001, step 2), kept fresh by flare-core's `TokenManager`.
//!
//! With OAuth the access token lives in memory and the latest token set in the store (ServiceNow
//! may hand out a new refresh token with each refresh), so a restarted relay goes on with it
//! rather than with the one in its config file.

use std::sync::Arc;
use std::time::Duration;

use flare_core::auth::Credentials;
use flare_core::error::CoreError;
use flare_core::oauth::{Access, OAuthClient, OAuthEndpoints, TokenManager, TokenSet, UnixMillis};
use tokio::sync::Mutex;

use crate::config::DeskAuth;
use crate::store::Store;
use crate::transport::{now_ms, send_once};

/// The signing in of one site's desk.
#[derive(Clone)]
pub enum Auth {
    /// Fixed credentials.
    Basic(Credentials),
    /// Tokens refreshed as they run out.
    OAuth(Arc<OAuthState>),
}

/// A site's OAuth tokens and where they are kept.
pub struct OAuthState {
    manager: Mutex<TokenManager>,
    store: Arc<dyn Store>,
    site: String,
}

impl Auth {
    /// The auth `config` describes for `site`, with the token set the store kept, if any.
    pub fn new(
        config: &DeskAuth,
        endpoints: OAuthEndpoints,
        store: Arc<dyn Store>,
        site: &str,
    ) -> Auth {
        match config {
            DeskAuth::Basic(credentials) => Auth::Basic(credentials.clone()),
            DeskAuth::OAuth {
                client_id,
                client_secret,
                refresh_token,
            } => {
                let kept: Option<TokenSet> = store
                    .desk_tokens(site)
                    .ok()
                    .flatten()
                    .and_then(|text| serde_json::from_str(&text).ok());
                // No access token yet: the first request refreshes.
                let tokens = kept.unwrap_or_else(|| TokenSet {
                    access_token: String::new(),
                    refresh_token: Some(refresh_token.expose().to_owned()),
                    expires_at: Some(UnixMillis(0)),
                    scope: None,
                });
                let client = OAuthClient {
                    client_id: client_id.clone(),
                    client_secret: Some(client_secret.expose().to_owned()),
                    redirect_uri: String::new(),
                    scopes: vec![],
                };
                Auth::OAuth(Arc::new(OAuthState {
                    manager: Mutex::new(TokenManager::new(endpoints, client, tokens)),
                    store,
                    site: site.to_owned(),
                }))
            }
        }
    }

    /// The credentials for the next request, refreshing first when the token runs out.
    pub async fn credentials(&self, client: &reqwest::Client) -> Result<Credentials, CoreError> {
        let state = match self {
            Auth::Basic(credentials) => return Ok(credentials.clone()),
            Auth::OAuth(state) => state,
        };
        loop {
            let access = state.manager.lock().await.access(UnixMillis(now_ms()));
            match access {
                Access::Ready(credentials) => return Ok(credentials),
                Access::SignInAgain(error) => return Err(error),
                Access::Wait => tokio::time::sleep(Duration::from_millis(50)).await,
                Access::RefreshNeeded(request) => {
                    let outcome = send_once(client, request).await;
                    let mut manager = state.manager.lock().await;
                    match outcome {
                        flare_core::driver::Outcome::Response(response) => {
                            manager.handle_refresh_response(&response, UnixMillis(now_ms()))?;
                            if let Some(tokens) = manager.tokens() {
                                let text = serde_json::to_string(tokens)
                                    .expect("a token set always serialises");
                                if let Err(error) = state.store.set_desk_tokens(&state.site, &text)
                                {
                                    tracing::warn!(%error, "keeping the refreshed tokens failed");
                                }
                            }
                        }
                        flare_core::driver::Outcome::NetworkError(message) => {
                            manager.handle_refresh_network_error();
                            return Err(CoreError::Network { message });
                        }
                    }
                }
            }
        }
    }

    /// The instance refused `credentials`: with OAuth the next request refreshes first. Whether
    /// trying again may help.
    pub async fn refused(&self, credentials: &Credentials) -> bool {
        match self {
            Auth::Basic(_) => false,
            Auth::OAuth(state) => {
                state.manager.lock().await.handle_unauthorized(credentials);
                true
            }
        }
    }
}
