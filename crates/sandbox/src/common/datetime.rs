//! The clock, and ServiceNow's date-time format: `YYYY-MM-DD HH:MM:SS` in UTC, as every
//! recording shows. The calendar maths are flare-core's [`Timestamp`]'s; reading is more lenient
//! than flare-core's, taking a date alone and numbers without leading zeros.

use std::time::{SystemTime, UNIX_EPOCH};

use flare_core::ticket::Timestamp;

/// Seconds since the Unix epoch.
pub(crate) type UnixSeconds = i64;

/// The wall clock; the only place the sandbox reads it.
pub(crate) fn now() -> UnixSeconds {
    let since_epoch = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    i64::try_from(since_epoch.as_secs()).unwrap_or(i64::MAX)
}

/// Formats `seconds` as `YYYY-MM-DD HH:MM:SS` UTC.
pub(crate) fn format(seconds: UnixSeconds) -> String {
    Timestamp(seconds).to_servicenow()
}

/// Reads `YYYY-MM-DD HH:MM:SS` (or just `YYYY-MM-DD`) as UTC.
pub(crate) fn parse(text: &str) -> Option<UnixSeconds> {
    let (date, time) = text.split_once(' ').unwrap_or((text, "00:00:00"));
    let mut date_parts = date.splitn(3, '-').map(|part| part.parse::<i64>().ok());
    let (year, month, day) = (
        date_parts.next()??,
        date_parts.next()??,
        date_parts.next()??,
    );
    let mut time_parts = time.splitn(3, ':').map(|part| part.parse::<i64>().ok());
    let (hour, minute, second) = (
        time_parts.next()??,
        time_parts.next()??,
        time_parts.next()??,
    );
    let valid = (1..=12).contains(&month)
        && (1..=31).contains(&day)
        && (0..24).contains(&hour)
        && (0..60).contains(&minute)
        && (0..60).contains(&second);
    if !valid {
        return None;
    }
    Some(Timestamp::from_utc(year, month, day, hour, minute, second).0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(seconds: UnixSeconds, text: &str) {
        assert_eq!(format(seconds), text);
        assert_eq!(parse(text), Some(seconds));
    }

    #[test]
    fn formats_and_parses() {
        check(0, "1970-01-01 00:00:00");
        // From the recorded insert: sys_created_on "2018-08-14 08:01:28".
        check(1_534_233_688, "2018-08-14 08:01:28");
        check(951_782_400, "2000-02-29 00:00:00");
        check(1_709_251_199, "2024-02-29 23:59:59");
    }

    #[test]
    fn rejects_malformed_text() {
        assert_eq!(parse("2018-13-01 00:00:00"), None);
        assert_eq!(parse("yesterday"), None);
        assert_eq!(parse("2018-08-14"), Some(1_534_204_800));
    }
}
