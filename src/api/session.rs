//! Calls made with an OAuth connection's access token, refreshed when it runs out.

use std::future::Future;

use flare_core::auth::Credentials;
use flare_core::error::CoreError;
use flare_core::oauth::{Access, TokenManager, TokenSet, UnixMillis};

use crate::api::{send_with_retries, AppError, Connection};
use crate::browser::{Clock, Http, Random, Storage};
use crate::storage;

/// How many times one call may ask for credentials: a refresh, then the call, a refresh forced by
/// a 401, the call again. flare-core's `TokenManager` asks to sign in again well before this.
const MAX_ROUNDS: usize = 6;

/// Runs `call` with credentials that work. A password or API token connection is used as it is.
/// For an OAuth connection (ServiceNow and Zendesk both issue refresh tokens) flare-core's
/// [`TokenManager`] decides: an access token that has expired (or is about to) is refreshed
/// first, one the instance refuses (401) is refreshed once and the call made again, and the new
/// tokens are saved. When the tokens cannot be renewed the call fails with
/// [`CoreError::SignInAgain`]; nothing the user typed is touched.
pub(crate) async fn authorized<T, Call>(
    platform: &(impl Http + Storage + Clock + Random + ?Sized),
    connection: &Connection,
    mut call: impl FnMut(Connection) -> Call,
) -> Result<T, AppError>
where
    Call: Future<Output = Result<T, AppError>>,
{
    if connection.oauth.is_none() {
        return call(connection.clone()).await;
    }
    // A popup that stayed open, or another page, may hold older tokens than storage does.
    let mut current = newest(platform, connection).await?;
    let Some(session) = current.oauth.clone() else {
        return call(current).await;
    };
    let endpoints = current.provider().oauth_endpoints(&current.instance);
    let mut manager = TokenManager::new(endpoints, session.client, session.tokens);
    for _ in 0..MAX_ROUNDS {
        let now = UnixMillis(platform.now_ms());
        match manager.access(now) {
            Access::Ready(credentials) => {
                let attempt = Connection {
                    credentials: credentials.clone(),
                    ..current.clone()
                };
                match call(attempt).await {
                    // ServiceNow refuses a token it no longer takes with a plain 401, Zendesk
                    // with `invalid_token`, which core reads as an expired token.
                    Err(AppError::Core(
                        CoreError::Unauthorized { .. } | CoreError::TokenExpired,
                    )) => manager.handle_unauthorized(&credentials),
                    outcome => return outcome,
                }
            }
            Access::RefreshNeeded(request) => {
                let response = match send_with_retries(platform, request).await {
                    Ok(response) => response,
                    Err(error) => {
                        manager.handle_refresh_network_error();
                        return Err(error);
                    }
                };
                let received = UnixMillis(platform.now_ms());
                if let Err(error) = manager.handle_refresh_response(&response, received) {
                    return Err(match manager.access(received) {
                        Access::SignInAgain(reason) => sign_in_again(reason),
                        _ => error,
                    }
                    .into());
                }
                if let Some(tokens) = manager.tokens() {
                    current = save_tokens(platform, current, tokens.clone()).await?;
                }
            }
            // Only this call uses this manager, so no other refresh can be in flight.
            Access::Wait => {}
            Access::SignInAgain(reason) => return Err(sign_in_again(reason).into()),
        }
    }
    Err(sign_in_again(CoreError::Unauthorized {
        message: "the instance refused every new access token".to_owned(),
    })
    .into())
}

/// The saved copy of `connection` (same instance, same user), which has the newest tokens.
async fn newest(
    platform: &(impl Storage + Random + ?Sized),
    connection: &Connection,
) -> Result<Connection, AppError> {
    storage::open(platform).await?;
    let saved = storage::load_connections(platform).await?;
    Ok(saved
        .same_as(connection)
        .map_or_else(|| connection.clone(), |saved| saved.connection.clone()))
}

/// Keeps fresh tokens in the saved connection, so the next call and the next popup start from
/// them.
async fn save_tokens(
    platform: &(impl Storage + ?Sized),
    connection: Connection,
    tokens: TokenSet,
) -> Result<Connection, AppError> {
    let mut renewed = connection;
    renewed.credentials = Credentials::Bearer {
        access_token: tokens.access_token.clone(),
    };
    if let Some(session) = renewed.oauth.as_mut() {
        session.tokens = tokens;
    }
    let mut saved = storage::load_connections(platform).await?;
    // A connection removed meanwhile stays removed: its tokens are used for this call only.
    if saved.replace(renewed.clone()) {
        storage::save_connections(platform, &saved).await?;
    }
    Ok(renewed)
}

fn sign_in_again(reason: CoreError) -> CoreError {
    match reason {
        CoreError::SignInAgain { .. } => reason,
        other => CoreError::SignInAgain {
            message: other.to_string(),
        },
    }
}
