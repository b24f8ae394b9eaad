//! Following the user's tickets from the background worker: on an alarm (as often as the options
//! page says, `settings::FollowEvery`) and when asked, each
//! connection's changes since its watermark are read, what is worth telling becomes a
//! notification that opens the ticket's page, and the toolbar badge counts the tickets changed
//! since the user last looked (flare-core's `sync` decides all of it).
//!
//! The worker is the only writer of the stored watches (`sync:<connection id>`), one change at a
//! time ([`StorageLock`]).

use std::cell::RefCell;

use flare_core::http::encode_component;
use flare_core::sync::Change;

use crate::api::{self, follow, AppError};
use crate::browser::{Alarms, Clock, Http, Notifications, Random, Storage};
use crate::i18n::Messages;
use crate::lock::{LockState, StorageLock};
use crate::storage;

/// The alarm that wakes the worker for the next sync.
pub const ALARM: &str = "sync";

/// What a notification about a ticket is called: `ticket|<connection id>|<ticket id>`.
const NOTIFICATION_PREFIX: &str = "ticket|";

thread_local! {
    /// The worker changes the stored watches one change at a time.
    static WATCHES: LockState = const { RefCell::new((false, Vec::new())) };
}

/// Reads every connection's changes, tells what is worth telling, sets the badge and the alarm
/// for the next sync. A connection that cannot be read now (offline, signed out) keeps its
/// watermark and is read again next time.
pub async fn sync_all(
    platform: &(impl Http + Storage + Clock + Random + Alarms + Notifications + ?Sized),
) -> Result<(), AppError> {
    let Some(period_ms) = storage::load_follow(platform).await?.period_ms() else {
        // The user turned following off: nothing to count, nothing to wake for.
        platform.clear_alarm(ALARM).await?;
        return Ok(platform.set_badge("").await?);
    };
    let saved = api::saved_connections(platform).await?;
    let messages = Messages::for_ui_language();
    for entry in &saved.connections {
        let since = storage::load_watch(platform, &entry.id).await?.since();
        let Ok(findings) = follow::changes_since(platform, &entry.connection, since).await else {
            continue;
        };
        let changes = {
            let _lock = StorageLock::acquire(&WATCHES).await;
            let mut watch = storage::load_watch(platform, &entry.id).await?;
            let changes = watch.apply(findings, &follow::comment_author_id(&entry.connection));
            storage::save_watch(platform, &entry.id, &watch).await?;
            changes
        };
        for change in changes {
            let (title, message) = describe(&change, &messages);
            let id = notification_id(&entry.id, change.ticket_id());
            // A notification the system refuses is no reason to stop following.
            let _ = platform.notify(&id, &title, &message).await;
        }
    }
    show_badge(platform).await?;
    platform
        .set_alarm(ALARM, platform.now_ms() + period_ms)
        .await?;
    Ok(())
}

/// The user looked at `ticket_id` of `connection_id`, or at all of that connection's tickets.
pub async fn mark_seen(
    platform: &(impl Storage + Notifications + ?Sized),
    connection_id: &str,
    ticket_id: Option<&str>,
) -> Result<(), AppError> {
    {
        let _lock = StorageLock::acquire(&WATCHES).await;
        let mut watch = storage::load_watch(platform, connection_id).await?;
        match ticket_id {
            Some(ticket_id) => watch.mark_seen(ticket_id),
            None => watch.mark_all_seen(),
        }
        storage::save_watch(platform, connection_id, &watch).await?;
    }
    show_badge(platform).await
}

/// A notification was clicked: one about a ticket opens that ticket's page.
pub async fn open_notification(
    platform: &(impl Storage + Notifications + ?Sized),
    notification_id: &str,
) -> Result<(), AppError> {
    let Some((connection_id, ticket_id)) = notification_id
        .strip_prefix(NOTIFICATION_PREFIX)
        .and_then(|rest| rest.split_once('|'))
    else {
        return Ok(());
    };
    let path = format!(
        "ticket.html?connection={}&ticket={}",
        encode_component(connection_id),
        encode_component(ticket_id)
    );
    platform.open_page(&path).await?;
    let _ = platform.clear_notification(notification_id).await;
    Ok(())
}

fn notification_id(connection_id: &str, ticket_id: &str) -> String {
    format!("{NOTIFICATION_PREFIX}{connection_id}|{ticket_id}")
}

/// A notification's title and text for `change`.
fn describe(change: &Change, messages: &Messages) -> (String, String) {
    match change {
        Change::Commented {
            reference,
            author,
            body,
            ..
        } => {
            let heading = match author {
                Some(author) => messages.format("follow_comment_by", &[reference, author]),
                None => messages.format("follow_comment", &[reference]),
            };
            (heading, body.clone())
        }
        Change::StateChanged {
            reference,
            title,
            status,
            ..
        } => (
            messages.format("follow_state", &[reference, status]),
            title.clone(),
        ),
    }
}

/// Sets the badge to the number of tickets changed since the user last looked, over every
/// connection; no badge at zero.
async fn show_badge(platform: &(impl Storage + Notifications + ?Sized)) -> Result<(), AppError> {
    let saved = storage::load_connections(platform).await?;
    let mut unseen = 0;
    for entry in &saved.connections {
        unseen += storage::load_watch(platform, &entry.id)
            .await?
            .unseen_count();
    }
    let text = match unseen {
        0 => String::new(),
        count => count.to_string(),
    };
    Ok(platform.set_badge(&text).await?)
}
