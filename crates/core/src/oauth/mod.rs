//! OAuth 2.0 against the customer's own instance, sans-IO: authorization code with PKCE S256,
//! refresh, and ServiceNow's password grant.
//!
//! Randomness and time are always arguments; nothing here reads a clock or a random source.
//!
//! # Signing in (authorization code + PKCE)
//!
//! 1. Draw two sets of 32 random bytes (`crypto.getRandomValues`) and make a
//!    [`PendingAuthorization`]; keep it (in the extension, in `chrome.storage.session`).
//! 2. Open [`PendingAuthorization::authorization_url`] in the browser; the extension passes it to
//!    `chrome.identity.launchWebAuthFlow({ url, interactive: true })` with
//!    [`OAuthClient::redirect_uri`] set to `chrome.identity.getRedirectURL()`.
//! 3. Hand the URL the flow resolves with to [`PendingAuthorization::parse_callback`], which checks
//!    `state` and returns the code or a typed error.
//! 4. Send [`PendingAuthorization::token_request`], read the reply with [`parse_token_response`]
//!    and [`TokenGrant::AuthorizationCode`], and store the [`TokenSet`].
//!
//! # Using and refreshing the token
//!
//! A [`TokenManager`] per instance holds the [`TokenSet`]. Before each request ask
//! [`TokenManager::access`]: [`Access::Ready`] gives [`crate::auth::Credentials::Bearer`] for the
//! provider, [`Access::RefreshNeeded`] hands exactly one caller the refresh request, [`Access::Wait`]
//! tells the others to ask again once that refresh is handled, and [`Access::SignInAgain`] is the end
//! of the session. A 401 goes back through [`TokenManager::handle_unauthorized`].

mod authorize;
mod base64url;
mod client;
mod form;
mod manager;
mod pkce;
mod sha256;
mod state;
mod time;
mod token;

pub use crate::oauth::authorize::{AuthorizationCode, PendingAuthorization};
pub use crate::oauth::base64url::{base64url_decode, base64url_encode};
pub use crate::oauth::client::{OAuthClient, OAuthEndpoints, OAuthProvider};
pub use crate::oauth::manager::{Access, TokenManager, REFRESH_TIMEOUT};
pub use crate::oauth::pkce::PkcePair;
pub use crate::oauth::sha256::sha256;
pub use crate::oauth::state::OAuthState;
pub use crate::oauth::time::UnixMillis;
pub use crate::oauth::token::{
    authorization_code_request, parse_token_response, password_request, refresh_token_request,
    TokenGrant, TokenSet, DEFAULT_REFRESH_SKEW,
};
