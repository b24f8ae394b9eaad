//! The background worker's jobs: what must outlive a page. Plain Rust without Leptos; the worker's
//! JS entry (`static/background.js`) registers the listeners and hands each message here.
//!
//! An OAuth sign-in (to ServiceNow or Zendesk) runs here because the popup closes as soon as the
//! sign-in window takes focus; so do the outbox (`crate::outbox`) and following the user's tickets
//! (`crate::follow`), which outlive every page.

use flare_core::oauth::{
    parse_token_response, OAuthClient, PendingAuthorization, TokenGrant, UnixMillis,
};
use flare_core::redact::redact;

use crate::api::{self, AppError, OAuthSession, Provider};
use crate::browser::{
    Alarms, Clock, ConsoleEntry, ContentScripts, Http, Identity, Notifications, Random, Storage,
};
use crate::messages::{WorkerReply, WorkerRequest};
use crate::{follow, outbox, report, storage};

/// The scope a ServiceNow sign-in asks for: the user's own access (`oauth-inbound.md`).
const SERVICENOW_SCOPES: [&str; 1] = ["useraccount"];

/// The scopes a Zendesk sign-in asks for: reading and writing what the user may (seed 003;
/// Zendesk's `read` allows GET, `write` POST, PUT and DELETE).
const ZENDESK_SCOPES: [&str; 2] = ["read", "write"];

/// Does what `request` asks and says how it went.
pub async fn handle(
    platform: &(impl Http
          + Storage
          + Identity
          + Clock
          + Random
          + Alarms
          + Notifications
          + ContentScripts
          + ?Sized),
    request: WorkerRequest,
) -> WorkerReply {
    let done = |outcome: Result<(), AppError>| match outcome {
        Ok(()) => WorkerReply::Done,
        Err(error) => WorkerReply::Failed { error },
    };
    match request {
        request @ (WorkerRequest::TestConnection { .. }
        | WorkerRequest::FileReport { .. }
        | WorkerRequest::ListQueued { .. }) => report::answer(platform, request).await,
        WorkerRequest::SignInWithOAuth {
            provider,
            instance,
            client_id,
            client_secret,
        } => {
            match sign_in_with_oauth(platform, provider, &instance, client_id, client_secret).await
            {
                Ok(connection) => WorkerReply::Connected {
                    host: connection.host().to_owned(),
                    user_name: connection.user_display_name().to_owned(),
                },
                Err(error) => WorkerReply::Failed { error },
            }
        }
        WorkerRequest::QueueReport {
            connection_id,
            ticket,
            correlation_id,
        } => done(outbox::queue(platform, connection_id, ticket, correlation_id).await),
        WorkerRequest::SendQueued { now } => done(outbox::send_due(platform, now).await),
        WorkerRequest::RemoveQueued { id } => done(outbox::remove(platform, &id).await),
        WorkerRequest::Sync => done(follow::sync_all(platform).await),
        WorkerRequest::CaptureConsole { on } => {
            done(platform.capture_console(on).await.map_err(AppError::from))
        }
        WorkerRequest::ReadConsole { tab_id } => match platform.read_console(tab_id).await {
            Ok(entries) => WorkerReply::Console {
                entries: redacted_console(entries),
            },
            Err(error) => WorkerReply::Failed {
                error: error.into(),
            },
        },
        WorkerRequest::MarkSeen {
            connection_id,
            ticket_id,
        } => done(follow::mark_seen(platform, &connection_id, ticket_id.as_deref()).await),
    }
}

/// The most console entries a report takes, and the most characters of each: the capture
/// script's own bounds (`static/console-capture.js`), enforced again here because the page's
/// world could hand back anything.
const CONSOLE_ENTRIES: usize = 30;
const CONSOLE_TEXT: usize = 500;

/// The newest entries the capture kept, each cut to size and with its secrets taken out.
fn redacted_console(mut entries: Vec<ConsoleEntry>) -> Vec<ConsoleEntry> {
    let skipped = entries.len().saturating_sub(CONSOLE_ENTRIES);
    entries
        .drain(skipped..)
        .map(|entry| ConsoleEntry {
            text: redact(&entry.text.chars().take(CONSOLE_TEXT).collect::<String>()),
            ..entry
        })
        .collect()
}

/// Registers the console capture again when the user had opted in: Flare was installed or
/// updated, and a registration from before may not have survived that.
pub async fn restore_console_capture(
    platform: &(impl Storage + ContentScripts + ?Sized),
) -> Result<(), AppError> {
    if storage::load_privacy(platform).await?.console_errors {
        platform.capture_console(true).await?;
    }
    Ok(())
}

/// Authorization code with PKCE S256 and a checked `state` (flare-core's `PendingAuthorization`),
/// through the browser's sign-in window; then the user is looked up with the new token and the
/// connection saved as the default.
async fn sign_in_with_oauth(
    platform: &(impl Http + Storage + Identity + Clock + Random + ?Sized),
    provider: Provider,
    instance_input: &str,
    client_id: String,
    client_secret: Option<String>,
) -> Result<api::Connection, AppError> {
    let instance = provider.parse_address(instance_input)?;
    let endpoints = provider.oauth_endpoints(&instance);
    let scopes = match provider {
        Provider::ServiceNow => &SERVICENOW_SCOPES[..],
        Provider::Zendesk => &ZENDESK_SCOPES[..],
    };
    let client = OAuthClient {
        client_id: client_id.trim().to_owned(),
        client_secret: client_secret.filter(|secret| !secret.is_empty()),
        redirect_uri: platform.redirect_url().await?,
        scopes: scopes.iter().map(|scope| (*scope).to_owned()).collect(),
    };
    let pending = PendingAuthorization::new(random_32(platform)?, random_32(platform)?);
    let landed = platform
        .launch_web_auth_flow(pending.authorization_url(&endpoints, &client))
        .await?;
    let code = pending.parse_callback(&landed)?;
    let token_request = pending.token_request(&endpoints, &client, &code);
    let response = api::send_with_retries(platform, token_request).await?;
    let now = UnixMillis(platform.now_ms());
    let tokens = parse_token_response(&response, TokenGrant::AuthorizationCode, now)?;
    let session = OAuthSession {
        client,
        tokens: tokens.clone(),
    };
    let credentials = tokens.credentials();
    let connection =
        api::signed_in(platform, provider, instance, credentials, Some(session)).await?;
    api::save_connection(platform, &connection).await?;
    Ok(connection)
}

fn random_32(platform: &(impl Random + ?Sized)) -> Result<[u8; 32], AppError> {
    let mut bytes = [0_u8; 32];
    bytes[..16].copy_from_slice(&platform.random_bytes()?);
    bytes[16..].copy_from_slice(&platform.random_bytes()?);
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::browser::ConsoleKind;

    fn entry(text: &str) -> ConsoleEntry {
        ConsoleEntry {
            kind: ConsoleKind::Error,
            text: text.to_owned(),
        }
    }

    #[test]
    fn a_report_takes_the_newest_console_entries_cut_to_size_and_redacted() {
        let mut entries: Vec<ConsoleEntry> =
            (0..40).map(|n| entry(&format!("error {n}"))).collect();
        entries.push(entry(&format!("{} token=abc", "x".repeat(490))));
        entries.push(entry(&"é".repeat(600)));
        let taken = redacted_console(entries);
        assert_eq!(taken.len(), CONSOLE_ENTRIES);
        assert_eq!(taken[0].text, "error 12", "the oldest are dropped");
        assert_eq!(
            taken[28].text,
            format!("{} token=[redacted]", "x".repeat(490))
        );
        assert_eq!(taken[29].text.chars().count(), CONSOLE_TEXT);
    }
}
