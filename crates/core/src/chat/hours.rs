//! When a site's people answer chats: `"Mon-Fri 08:00-18:00 +01:00"`.
//!
//! Outside these hours a visitor who asks for a person is offered a ticket at once instead of
//! being put in a queue nobody watches.

use std::fmt;

/// Days of the week and a daily window, at a fixed offset from UTC.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BusinessHours {
    /// Monday first.
    days: [bool; 7],
    open_minute: u32,
    close_minute: u32,
    offset_minutes: i32,
}

/// Why business hours could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HoursError(String);

const DAYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

impl BusinessHours {
    /// Reads `"Mon-Fri 08:00-18:00 +01:00"`: days (a range or a comma list), the daily window
    /// (closing after opening), and the offset from UTC (`Z` or `+HH:MM` / `-HH:MM`).
    pub fn parse(text: &str) -> Result<BusinessHours, HoursError> {
        let mut words = text.split_whitespace();
        let (Some(days), Some(window), offset, None) =
            (words.next(), words.next(), words.next(), words.next())
        else {
            return Err(HoursError(format!(
                "{text:?} is not like \"Mon-Fri 08:00-18:00 +01:00\""
            )));
        };
        let days = parse_days(days)?;
        let (open, close) = window
            .split_once('-')
            .ok_or_else(|| HoursError(format!("{window:?} is not a window like 08:00-18:00")))?;
        let (open_minute, close_minute) = (minute_of_day(open)?, minute_of_day(close)?);
        if close_minute <= open_minute {
            return Err(HoursError(format!("{window:?} closes before it opens")));
        }
        let offset_minutes = match offset {
            None | Some("Z") => 0,
            Some(offset) => parse_offset(offset)?,
        };
        Ok(BusinessHours {
            days,
            open_minute,
            close_minute,
            offset_minutes,
        })
    }

    /// Whether people answer at `unix_ms`.
    pub fn is_open(&self, unix_ms: u64) -> bool {
        let local_minutes = (unix_ms / 60_000) as i64 + i64::from(self.offset_minutes);
        let minute_of_day = local_minutes.rem_euclid(24 * 60) as u32;
        // 1970-01-01 was a Thursday (index 3, Monday first).
        let day = (local_minutes.div_euclid(24 * 60) + 3).rem_euclid(7) as usize;
        self.days[day] && (self.open_minute..self.close_minute).contains(&minute_of_day)
    }
}

impl fmt::Display for HoursError {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(&self.0)
    }
}

fn parse_days(text: &str) -> Result<[bool; 7], HoursError> {
    let index = |name: &str| {
        DAYS.iter()
            .position(|day| day.eq_ignore_ascii_case(name))
            .ok_or_else(|| HoursError(format!("{name:?} is not a day (Mon … Sun)")))
    };
    let mut days = [false; 7];
    for part in text.split(',') {
        match part.split_once('-') {
            Some((first, last)) => {
                let (first, last) = (index(first)?, index(last)?);
                // A range may wrap past Sunday: "Sat-Mon".
                let mut day = first;
                loop {
                    days[day] = true;
                    if day == last {
                        break;
                    }
                    day = (day + 1) % 7;
                }
            }
            None => days[index(part)?] = true,
        }
    }
    Ok(days)
}

fn minute_of_day(text: &str) -> Result<u32, HoursError> {
    let error = || HoursError(format!("{text:?} is not a time like 08:00"));
    let (hours, minutes) = text.split_once(':').ok_or_else(error)?;
    let (hours, minutes): (u32, u32) = (
        hours.parse().map_err(|_| error())?,
        minutes.parse().map_err(|_| error())?,
    );
    // 24:00 closes at midnight.
    if minutes >= 60 || hours > 24 || (hours == 24 && minutes > 0) {
        return Err(error());
    }
    Ok(hours * 60 + minutes)
}

fn parse_offset(text: &str) -> Result<i32, HoursError> {
    let error = || HoursError(format!("{text:?} is not an offset like +01:00"));
    let (sign, rest) = match text.split_at_checked(1) {
        Some(("+", rest)) => (1, rest),
        Some(("-", rest)) => (-1, rest),
        _ => return Err(error()),
    };
    let minutes = minute_of_day(rest).map_err(|_| error())?;
    if minutes > 14 * 60 {
        return Err(error());
    }
    Ok(sign * minutes as i32)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 2026-12-07 (a Monday) at `hh:mm` UTC, in Unix milliseconds.
    fn monday_utc(hours: u64, minutes: u64) -> u64 {
        (1_796_601_600 + hours * 3600 + minutes * 60) * 1000
    }

    #[test]
    fn a_weekday_window_is_open_inside_and_closed_outside() {
        let hours = BusinessHours::parse("Mon-Fri 08:00-18:00").expect("valid");
        assert!(!hours.is_open(monday_utc(7, 59)));
        assert!(hours.is_open(monday_utc(8, 0)));
        assert!(hours.is_open(monday_utc(17, 59)));
        assert!(!hours.is_open(monday_utc(18, 0)));
        // Sunday at noon.
        assert!(!hours.is_open(monday_utc(12, 0) - 24 * 3600 * 1000));
    }

    #[test]
    fn the_offset_moves_the_window() {
        let hours = BusinessHours::parse("Mon 08:00-18:00 +01:00").expect("valid");
        assert!(hours.is_open(monday_utc(7, 0)));
        assert!(!hours.is_open(monday_utc(17, 0)));
        let west = BusinessHours::parse("Sun 20:00-24:00 -05:00").expect("valid");
        // Monday 02:00 UTC is Sunday 21:00 at -05:00.
        assert!(west.is_open(monday_utc(2, 0)));
    }

    #[test]
    fn day_lists_and_wrapping_ranges() {
        let hours = BusinessHours::parse("Sat-Mon,Wed 00:00-24:00 Z").expect("valid");
        let day = 24 * 3600 * 1000;
        let open: Vec<bool> = (0..7)
            .map(|n_day| hours.is_open(monday_utc(12, 0) + n_day * day))
            .collect();
        // Mon, Tue, Wed, Thu, Fri, Sat, Sun.
        assert_eq!(open, [true, false, true, false, false, true, true]);
    }

    #[test]
    fn nonsense_is_refused_with_what_was_wrong() {
        for (text, expected) in [
            ("", "is not like"),
            ("Mon-Fri", "is not like"),
            ("Mon-Fry 08:00-18:00", "is not a day"),
            ("Mon 8-18", "is not a time"),
            ("Mon 18:00-08:00", "closes before it opens"),
            ("Mon 08:00-18:00 01:00", "is not an offset"),
            ("Mon 08:00-18:00 +15:00", "is not an offset"),
            ("Mon 08:00-18:00 Z extra", "is not like"),
        ] {
            let error = BusinessHours::parse(text).expect_err(text);
            assert!(error.to_string().contains(expected), "{text}: {error}");
        }
    }
}
