//! Wall-clock instants, always handed in by the caller.

use std::time::Duration;

use serde::{Deserialize, Serialize};

/// Milliseconds since the Unix epoch, as `Date.now()` gives them.
///
/// Core never reads the clock (`std::time::Instant::now()` panics on `wasm32-unknown-unknown`):
/// every call that needs the time takes one of these.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct UnixMillis(pub u64);

impl UnixMillis {
    /// The instant `duration` later, saturating instead of overflowing.
    pub fn saturating_add(self, duration: Duration) -> UnixMillis {
        UnixMillis(self.0.saturating_add(millis(duration)))
    }

    /// The instant `duration` earlier, saturating at the epoch.
    pub fn saturating_sub(self, duration: Duration) -> UnixMillis {
        UnixMillis(self.0.saturating_sub(millis(duration)))
    }

    /// The time from `earlier` to `self`, zero if `earlier` is later.
    pub fn duration_since(self, earlier: UnixMillis) -> Duration {
        Duration::from_millis(self.0.saturating_sub(earlier.0))
    }
}

fn millis(duration: Duration) -> u64 {
    u64::try_from(duration.as_millis()).unwrap_or(u64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arithmetic_saturates() {
        let now = UnixMillis(1_000);
        assert_eq!(
            now.saturating_add(Duration::from_secs(2)),
            UnixMillis(3_000)
        );
        assert_eq!(now.saturating_sub(Duration::from_secs(2)), UnixMillis(0));
        assert_eq!(
            UnixMillis(u64::MAX - 1).saturating_add(Duration::MAX),
            UnixMillis(u64::MAX)
        );
        assert_eq!(
            UnixMillis(3_500).duration_since(now),
            Duration::from_millis(2_500)
        );
        assert_eq!(now.duration_since(UnixMillis(3_500)), Duration::ZERO);
        assert_eq!(serde_json::to_string(&now).expect("serialises"), "1000");
    }
}
