//! A connect attempt that outlives the popup it started in.
//!
//! Firefox always, and Chromium in a real window, close the popup when the browser's host
//! permission prompt opens, and with it the attempt that asked. The form records the attempt
//! (its draft and when) and the secrets typed in `storage.session` first; the next popup reads
//! them back here and decides whether to go on.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::popup::connect::ConnectDraft;

/// How long a pending attempt may be continued. Answering a permission prompt takes seconds; an
/// attempt older than this is no longer what the user is doing, and finishing it by surprise
/// (saving a connection they walked away from) would be wrong.
pub const PENDING_FOR_MS: u64 = 5 * 60 * 1000;

/// A Save or Sign in the user clicked, as the form was then, until a popup sees it end.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PendingConnect {
    /// The form's fields, secrets aside.
    pub draft: ConnectDraft,
    /// When the user clicked, in milliseconds since the Unix epoch.
    pub started_at_ms: u64,
}

/// What a reopened popup does with a pending attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NextStep {
    /// Go on with it: the user allowed access to the instance while the popup was closed.
    Continue,
    /// Show the form as it was and ask to click again: access is not granted yet (the prompt
    /// was dismissed, or declined).
    AskAgain,
    /// Forget it: it is too old to be what the user is doing.
    Drop,
}

/// The secrets typed into the connect form, kept only in `storage.session`.
#[derive(Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ConnectSecrets {
    /// The ServiceNow password.
    #[serde(default)]
    pub password: String,
    /// The Zendesk API token.
    #[serde(default)]
    pub api_token: String,
    /// The OAuth client secret, for an OAuth application that has one.
    #[serde(default)]
    pub client_secret: String,
}

impl PendingConnect {
    /// What to do with this attempt at `now_ms`, given whether access to its instance is held.
    pub fn next_step(&self, now_ms: u64, granted: bool) -> NextStep {
        // A clock set back since the click counts as no time passed.
        let age_ms = now_ms.saturating_sub(self.started_at_ms);
        if age_ms > PENDING_FOR_MS {
            return NextStep::Drop;
        }
        match granted {
            true => NextStep::Continue,
            false => NextStep::AskAgain,
        }
    }
}

// Secrets never reach a log, even through a debug print of the form's state.
impl fmt::Debug for ConnectSecrets {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str("ConnectSecrets { .. }")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CLICKED_AT: u64 = 1_700_000_000_000;

    fn check(age_ms: u64, granted: bool, expected: NextStep) {
        let pending = PendingConnect {
            draft: ConnectDraft::default(),
            started_at_ms: CLICKED_AT,
        };
        assert_eq!(pending.next_step(CLICKED_AT + age_ms, granted), expected);
    }

    #[test]
    fn a_granted_attempt_is_continued() {
        check(0, true, NextStep::Continue);
        check(30_000, true, NextStep::Continue);
    }

    #[test]
    fn an_attempt_without_access_asks_to_click_again() {
        check(30_000, false, NextStep::AskAgain);
    }

    #[test]
    fn an_attempt_is_pending_for_five_minutes_and_no_longer() {
        check(PENDING_FOR_MS, true, NextStep::Continue);
        check(PENDING_FOR_MS + 1, true, NextStep::Drop);
        check(PENDING_FOR_MS + 1, false, NextStep::Drop);
    }

    #[test]
    fn a_clock_set_back_does_not_drop_the_attempt() {
        let pending = PendingConnect {
            draft: ConnectDraft::default(),
            started_at_ms: CLICKED_AT,
        };
        assert_eq!(
            pending.next_step(CLICKED_AT - 60_000, true),
            NextStep::Continue
        );
    }

    #[test]
    fn secrets_are_not_printed() {
        let secrets = ConnectSecrets {
            password: "hunter2".to_owned(),
            ..ConnectSecrets::default()
        };
        assert!(!format!("{secrets:?}").contains("hunter2"));
    }

    #[test]
    fn a_pending_attempt_round_trips_through_storage() {
        let pending = PendingConnect {
            draft: ConnectDraft {
                instance: "acme".to_owned(),
                username: "abel.tuter".to_owned(),
                ..ConnectDraft::default()
            },
            started_at_ms: CLICKED_AT,
        };
        let stored = serde_json::to_value(&pending).expect("serialises");
        assert_eq!(stored["draft"]["instance"], "acme");
        assert_eq!(
            serde_json::from_value::<PendingConnect>(stored).ok(),
            Some(pending)
        );
    }
}
