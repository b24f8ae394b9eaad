//! Reports that could not be filed yet, and when to try each again: nothing a user typed is lost to
//! a dropped network, an instance that is down or a sign-in that ran out.
//!
//! Plain data with serde (the app keeps it in extension storage) and the rules over it: which
//! entries are due, how long to back off, and what a failure asks for. Time can fix a network
//! error, a 5xx, a rate limit or a hibernating instance, so those are tried again, for as long as
//! it takes; a sign-in that must be renewed waits for the user to sign in; a value the service desk
//! refuses waits for the user to edit the report. Each entry keeps the correlation id of its first
//! attempt, and every attempt files through the provider's safe create, which looks a create that
//! was committed without an answer up before sending it again: a report is filed exactly once.

use serde::{Deserialize, Serialize};

use crate::error::CoreError;

/// The first wait before trying a queued report again, in milliseconds.
pub const FIRST_RETRY_MS: u64 = 30_000;
/// The longest wait between two tries, in milliseconds.
pub const LONGEST_RETRY_MS: u64 = 30 * 60_000;

/// The queued reports, oldest first. `R` is what the app files (fields, attachments' keys).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(bound(deserialize = "R: Deserialize<'de>"))]
pub struct Outbox<R> {
    /// Every entry not yet removed.
    pub entries: Vec<OutboxEntry<R>>,
}

/// One queued report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OutboxEntry<R> {
    /// The app's id for it.
    pub id: String,
    /// The saved connection it is filed in.
    pub connection_id: String,
    /// The correlation id every attempt files with, so a committed create is found, not repeated.
    pub correlation_id: String,
    /// What is filed.
    pub report: R,
    /// When it was queued (Unix milliseconds).
    pub queued_at_ms: u64,
    /// Tries made from the queue.
    pub n_attempts: u32,
    /// Where it stands.
    pub state: EntryState,
}

/// Where a queued report stands.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EntryState {
    /// To be tried at `at_ms`; `last_error` says why the last try failed, if one did.
    Waiting {
        /// When to try next (Unix milliseconds).
        at_ms: u64,
        /// Why the last try failed.
        last_error: Option<CoreError>,
    },
    /// Being filed now; an entry found in this state after a restart was cut off and is tried again.
    Sending,
    /// Waits for the user to sign in to its connection again.
    NeedsSignIn {
        /// What the service desk or the token endpoint said.
        error: CoreError,
    },
    /// The service desk refused it as it is; the user must change it (or drop it).
    NeedsEdit {
        /// What the service desk said.
        error: CoreError,
    },
    /// Filed.
    Filed {
        /// The ticket's number (`INC0010001`, `#42`).
        reference: String,
        /// The ticket on the service desk.
        web_link: String,
        /// When (Unix milliseconds).
        filed_at_ms: u64,
    },
}

/// What a failure asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailureKind {
    /// Time will fix it: try again later.
    Transient,
    /// The user must sign in again.
    SignIn,
    /// The report itself must change.
    Edit,
}

impl<R> Default for Outbox<R> {
    fn default() -> Outbox<R> {
        Outbox {
            entries: Vec::new(),
        }
    }
}

impl<R> Outbox<R> {
    /// Queues `report` to be tried at once.
    pub fn queue(
        &mut self,
        id: String,
        connection_id: String,
        correlation_id: String,
        report: R,
        now_ms: u64,
    ) {
        self.entries.push(OutboxEntry {
            id,
            connection_id,
            correlation_id,
            report,
            queued_at_ms: now_ms,
            n_attempts: 0,
            state: EntryState::Waiting {
                at_ms: now_ms,
                last_error: None,
            },
        });
    }

    /// The ids of the entries to try now, oldest first: those whose time has come, and those cut
    /// off while sending.
    pub fn due(&self, now_ms: u64) -> Vec<String> {
        self.entries
            .iter()
            .filter(|entry| match entry.state {
                EntryState::Waiting { at_ms, .. } => at_ms <= now_ms,
                EntryState::Sending => true,
                _ => false,
            })
            .map(|entry| entry.id.clone())
            .collect()
    }

    /// When the next entry falls due, for the alarm; `None` when none waits on time.
    pub fn next_due_ms(&self) -> Option<u64> {
        self.entries
            .iter()
            .filter_map(|entry| match entry.state {
                EntryState::Waiting { at_ms, .. } => Some(at_ms),
                _ => None,
            })
            .min()
    }

    /// Marks the entry as being filed and counts the try.
    pub fn start(&mut self, id: &str) {
        if let Some(entry) = self.find_mut(id) {
            entry.state = EntryState::Sending;
            entry.n_attempts += 1;
        }
    }

    /// Records a filed entry.
    pub fn filed(&mut self, id: &str, reference: String, web_link: String, now_ms: u64) {
        if let Some(entry) = self.find_mut(id) {
            entry.state = EntryState::Filed {
                reference,
                web_link,
                filed_at_ms: now_ms,
            };
        }
    }

    /// Records a failed try: waits longer after each transient one (doubling from
    /// [`FIRST_RETRY_MS`] to [`LONGEST_RETRY_MS`], at least as long as a rate limit asks, with
    /// `jitter` in `[0, 1)` spreading the tries of many entries), or waits for the user.
    pub fn failed(&mut self, id: &str, error: CoreError, now_ms: u64, jitter: f64) {
        let Some(entry) = self.find_mut(id) else {
            return;
        };
        entry.state = match classify(&error) {
            FailureKind::SignIn => EntryState::NeedsSignIn { error },
            FailureKind::Edit => EntryState::NeedsEdit { error },
            FailureKind::Transient => {
                let doublings = entry.n_attempts.saturating_sub(1).min(16);
                let backoff = FIRST_RETRY_MS
                    .saturating_mul(1 << doublings)
                    .min(LONGEST_RETRY_MS);
                // Up to a quarter more, so entries queued together do not retry together.
                let spread = (backoff as f64 * 0.25 * jitter.clamp(0.0, 1.0)) as u64;
                let asked = match &error {
                    CoreError::RateLimited {
                        retry_after_secs: Some(secs),
                    } => secs.saturating_mul(1000),
                    _ => 0,
                };
                EntryState::Waiting {
                    at_ms: now_ms + (backoff + spread).max(asked),
                    last_error: Some(error),
                }
            }
        };
    }

    /// The user signed in to `connection_id` again: its entries that waited for that are due now.
    pub fn signed_in(&mut self, connection_id: &str, now_ms: u64) {
        for entry in &mut self.entries {
            if entry.connection_id == connection_id
                && matches!(entry.state, EntryState::NeedsSignIn { .. })
            {
                entry.state = EntryState::Waiting {
                    at_ms: now_ms,
                    last_error: None,
                };
            }
        }
    }

    /// The network came back, or the user asked: every entry waiting on time is due now.
    pub fn retry_all_now(&mut self, now_ms: u64) {
        for entry in &mut self.entries {
            if let EntryState::Waiting { at_ms, .. } = &mut entry.state {
                *at_ms = (*at_ms).min(now_ms);
            }
        }
    }

    /// Replaces an entry's report after the user edited it, and tries it again at once.
    pub fn edited(&mut self, id: &str, report: R, now_ms: u64) {
        if let Some(entry) = self.find_mut(id) {
            entry.report = report;
            entry.state = EntryState::Waiting {
                at_ms: now_ms,
                last_error: None,
            };
        }
    }

    /// Drops an entry (filed and seen, or given up by the user).
    pub fn remove(&mut self, id: &str) {
        self.entries.retain(|entry| entry.id != id);
    }

    /// The entry with `id`.
    pub fn find(&self, id: &str) -> Option<&OutboxEntry<R>> {
        self.entries.iter().find(|entry| entry.id == id)
    }

    fn find_mut(&mut self, id: &str) -> Option<&mut OutboxEntry<R>> {
        self.entries.iter_mut().find(|entry| entry.id == id)
    }
}

/// What `error` asks for when a queued report fails with it.
pub fn classify(error: &CoreError) -> FailureKind {
    match error {
        CoreError::Network { .. }
        | CoreError::Server { .. }
        | CoreError::RateLimited { .. }
        | CoreError::InstanceHibernating
        | CoreError::Malformed { .. } => FailureKind::Transient,
        CoreError::Unauthorized { .. }
        | CoreError::TokenExpired
        | CoreError::SignInAgain { .. }
        | CoreError::MfaRequired
        | CoreError::NotAnApi => FailureKind::SignIn,
        CoreError::InvalidInstance { .. }
        | CoreError::Forbidden { .. }
        | CoreError::NotFound { .. }
        | CoreError::Validation { .. } => FailureKind::Edit,
    }
}

#[cfg(test)]
mod tests;
