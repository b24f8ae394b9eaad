//! Reports that could not be filed yet (flare-core's `Outbox`, over [`NewTicket`]): the popup hands
//! a report here when its own tries fail for a reason time or a sign-in can fix, and the background
//! worker files it when it can, through the same safe create with the same correlation id, so it
//! is filed exactly once, and says so with a notification.
//!
//! The worker is the only writer of the stored outbox, and its changes run one at a time
//! ([`StorageLock`]): a page asks it (`WorkerRequest`) rather than writing itself.

use std::cell::RefCell;

use flare_core::outbox::{classify, EntryState, FailureKind, Outbox};

use crate::api::{self, AppError, NewTicket, ReportId};
use crate::browser::{Alarms, Clock, Http, Notifications, Random, Storage};
use crate::i18n::Messages;
use crate::lock::{LockState, StorageLock};
use crate::storage;

/// The queued reports.
pub type ReportOutbox = Outbox<NewTicket>;

/// The alarm that wakes the worker when the next report falls due.
pub const ALARM: &str = "outbox";

/// Whether a failed filing should wait in the outbox rather than be shown as an error: what time
/// will fix. A sign-in that ran out or a report the service desk refuses stays in the form, whose
/// draft keeps it, for the user to act on.
pub fn should_queue(error: &AppError) -> bool {
    classify(&error.as_core()) == FailureKind::Transient
}

/// Queues `ticket` for the saved connection `connection_id` with the correlation id its first
/// tries used, then sends what is due.
pub async fn queue(
    platform: &(impl Http + Storage + Clock + Random + Alarms + Notifications + ?Sized),
    connection_id: String,
    ticket: NewTicket,
    correlation_id: String,
) -> Result<(), AppError> {
    {
        let _lock = StorageLock::acquire(&OUTBOX).await;
        let mut outbox = storage::load_outbox(platform).await?;
        let id = storage::new_connection_id(platform)?;
        outbox.queue(id, connection_id, correlation_id, ticket, platform.now_ms());
        storage::save_outbox(platform, &outbox).await?;
    }
    send_due(platform, false).await
}

/// Files every report that is due (all waiting ones, with `now`), notifies each one filed, and
/// sets the alarm for the next.
pub async fn send_due(
    platform: &(impl Http + Storage + Clock + Random + Alarms + Notifications + ?Sized),
    now: bool,
) -> Result<(), AppError> {
    let _lock = StorageLock::acquire(&OUTBOX).await;
    let mut outbox = storage::load_outbox(platform).await?;
    if now {
        outbox.retry_all_now(platform.now_ms());
    }
    let saved = api::saved_connections(platform).await?;
    let messages = Messages::for_ui_language();
    for id in outbox.due(platform.now_ms()) {
        let Some(entry) = outbox.find(&id).cloned() else {
            continue;
        };
        outbox.start(&id);
        // Saved before sending: a worker stopped mid-send leaves `Sending`, tried again later.
        storage::save_outbox(platform, &outbox).await?;
        let filed = match saved.find(&entry.connection_id) {
            Some(connection) => {
                let report = ReportId {
                    correlation_id: &entry.correlation_id,
                    // The page tried it first; its create may have been committed.
                    tried_before: true,
                };
                api::create_ticket(
                    platform,
                    &connection.connection,
                    entry.report.clone(),
                    report,
                )
                .await
            }
            // Signed out or removed: it waits for the user to sign in to it again.
            None => Err(AppError::SignInClosed),
        };
        match filed {
            Ok(ticket) => {
                outbox.filed(
                    &id,
                    ticket.reference.clone(),
                    ticket.web_link,
                    platform.now_ms(),
                );
                let title = messages.format("outbox_filed_title", &[&ticket.reference]);
                let _ = platform.notify(&id, &title, entry.report.title()).await;
            }
            Err(error) => outbox.failed(
                &id,
                error.as_core(),
                platform.now_ms(),
                api::jitter(platform),
            ),
        }
        storage::save_outbox(platform, &outbox).await?;
    }
    match outbox.next_due_ms() {
        Some(at_ms) => platform.set_alarm(ALARM, at_ms).await?,
        None => platform.clear_alarm(ALARM).await?,
    }
    Ok(())
}

/// Drops the entry `id` (filed and seen, or given up by the user).
pub async fn remove(platform: &(impl Storage + ?Sized), id: &str) -> Result<(), AppError> {
    let _lock = StorageLock::acquire(&OUTBOX).await;
    let mut outbox = storage::load_outbox(platform).await?;
    outbox.remove(id);
    Ok(storage::save_outbox(platform, &outbox).await?)
}

/// Whether an entry still waits (not yet filed).
pub fn is_waiting(state: &EntryState) -> bool {
    !matches!(state, EntryState::Filed { .. })
}

thread_local! {
    /// The worker changes the stored outbox one change at a time.
    static OUTBOX: LockState = const { RefCell::new((false, Vec::new())) };
}
