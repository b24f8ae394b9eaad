//! Flare's one ticket model, the same whichever service desk the ticket lives in.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// A ticket (a ServiceNow incident or request, a Zendesk ticket) in Flare's own terms.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Ticket {
    /// The service desk's own id (ServiceNow `sys_id`, Zendesk ticket id).
    pub id: String,
    /// The reference people quote (`INC0010001`, `#42`).
    pub reference: String,
    /// One-line title (`short_description`, `subject`).
    pub title: String,
    /// Longer description.
    pub description: String,
    /// Where the ticket is in its life.
    pub status: Status,
    /// Priority, if the service desk has one for it.
    pub priority: Option<Priority>,
    /// Who works on it.
    pub assignee: Option<PersonRef>,
    /// Who asked (ServiceNow `caller_id`, Zendesk `requester_id`).
    pub requester: Option<PersonRef>,
    /// When it was created.
    pub created: Option<Timestamp>,
    /// When it was last changed.
    pub updated: Option<Timestamp>,
    /// Where a person opens it on the service desk.
    pub web_link: String,
    /// The provider's own fields, as received, for whatever the model does not name.
    pub native: BTreeMap<String, serde_json::Value>,
}

/// A ticket's status: the service desk's code, its words, and whether it is still open.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Status {
    /// The raw code (`"1"`, `"open"`).
    pub code: String,
    /// Words for people (`"New"`, `"In Progress"`).
    pub label: String,
    /// Open or completed.
    pub category: StatusCategory,
}

/// The two states every service desk agrees on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum StatusCategory {
    /// Someone still has work to do.
    Open,
    /// Resolved, closed or cancelled.
    Completed,
}

/// A priority: the raw code and words for people.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Priority {
    /// The raw code (`"3"`, `"normal"`).
    pub code: String,
    /// Words for people (`"3 - Moderate"`).
    pub label: String,
}

/// A reference to a person: their id, and their name when known.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonRef {
    /// The service desk's id for the person.
    pub id: String,
    /// Their display name, when the reply carried it.
    pub name: Option<String>,
}

/// One entry of a ticket's conversation: a ServiceNow journal entry or a Zendesk comment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Comment {
    /// The service desk's id for the entry.
    pub id: String,
    /// Who wrote it (a ServiceNow user name, a Zendesk user id).
    pub author: Option<PersonRef>,
    /// The text.
    pub body: String,
    /// When it was written.
    pub created: Option<Timestamp>,
    /// `false` for agent-only entries (ServiceNow work notes, Zendesk private comments).
    pub public: bool,
}

/// A file attached to a ticket.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attachment {
    /// The service desk's id for the file.
    pub id: String,
    /// The file name.
    pub file_name: String,
    /// The MIME type.
    pub content_type: String,
    /// The size in bytes, when known.
    pub size_bytes: Option<u64>,
    /// Where the file's bytes are downloaded from. ServiceNow serves them from the instance with the
    /// same credentials; Zendesk may serve them from another host, which gets no credentials.
    pub download_url: String,
}

/// A UTC instant, kept as seconds since the Unix epoch.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Timestamp(pub i64);

impl Timestamp {
    /// Parses ServiceNow's `YYYY-MM-DD HH:MM:SS` (UTC) or an ISO 8601 `YYYY-MM-DDTHH:MM:SSZ`.
    pub fn parse(text: &str) -> Option<Timestamp> {
        let bytes = text.as_bytes();
        if bytes.len() < 19
            || bytes[4] != b'-'
            || bytes[7] != b'-'
            || !matches!(bytes[10], b' ' | b'T')
        {
            return None;
        }
        let number = |range: std::ops::Range<usize>| text.get(range)?.parse::<i64>().ok();
        let (year, month, day) = (number(0..4)?, number(5..7)?, number(8..10)?);
        let (hour, minute, second) = (number(11..13)?, number(14..16)?, number(17..19)?);
        let valid = (1..=12).contains(&month)
            && (1..=31).contains(&day)
            && hour < 24
            && minute < 60
            && second < 61;
        valid.then(|| Timestamp::from_utc(year, month, day, hour, minute, second))
    }

    /// The instant of a UTC date and time of day in the proleptic Gregorian calendar. The fields
    /// are not checked: callers that read them from text validate them first.
    pub fn from_utc(
        year: i64,
        month: i64,
        day: i64,
        hour: i64,
        minute: i64,
        second: i64,
    ) -> Timestamp {
        Timestamp(days_from_civil(year, month, day) * 86_400 + hour * 3600 + minute * 60 + second)
    }

    /// Formats as ISO 8601 in UTC, `YYYY-MM-DDTHH:MM:SSZ`, as Zendesk's search takes it.
    pub fn to_iso8601(self) -> String {
        format!("{}Z", self.to_servicenow().replacen(' ', "T", 1))
    }

    /// Formats as ServiceNow does: `YYYY-MM-DD HH:MM:SS`, UTC.
    pub fn to_servicenow(self) -> String {
        let days = self.0.div_euclid(86_400);
        let seconds = self.0.rem_euclid(86_400);
        let (year, month, day) = civil_from_days(days);
        format!(
            "{year:04}-{month:02}-{day:02} {:02}:{:02}:{:02}",
            seconds / 3600,
            seconds % 3600 / 60,
            seconds % 60
        )
    }
}

// Howard Hinnant's algorithms for the proleptic Gregorian calendar
// (http://howardhinnant.github.io/date_algorithms.html).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let day_of_year = (153 * ((month + 9) % 12) + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let days = days + 719_468;
    let era = days.div_euclid(146_097);
    let day_of_era = days - era * 146_097;
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_index = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * month_index + 2) / 5 + 1;
    let month = if month_index < 10 {
        month_index + 3
    } else {
        month_index - 9
    };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_formats_servicenow_times() {
        for text in [
            "1970-01-01 00:00:00",
            "2018-08-14 08:01:28",
            "2024-02-29 23:59:59",
            "2000-03-01 12:00:00",
        ] {
            let timestamp = Timestamp::parse(text).expect("valid");
            assert_eq!(timestamp.to_servicenow(), text);
        }
        assert_eq!(
            Timestamp::parse("2018-08-14 08:01:28"),
            Some(Timestamp(1_534_233_688))
        );
        assert_eq!(
            Timestamp::parse("2018-08-14T08:01:28Z"),
            Some(Timestamp(1_534_233_688))
        );
    }

    #[test]
    fn builds_instants_from_utc_fields() {
        let cases = [
            ((1970, 1, 1, 0, 0, 0), 0),
            ((2018, 8, 14, 8, 1, 28), 1_534_233_688),
            ((2000, 2, 29, 0, 0, 0), 951_782_400),
            ((1969, 12, 31, 23, 59, 59), -1),
        ];
        for ((year, month, day, hour, minute, second), expected) in cases {
            assert_eq!(
                Timestamp::from_utc(year, month, day, hour, minute, second),
                Timestamp(expected),
                "{year}-{month}-{day} {hour}:{minute}:{second}"
            );
        }
    }

    #[test]
    fn refuses_what_is_not_a_time() {
        for text in [
            "",
            "2018-08-14",
            "2018-13-01 00:00:00",
            "2018/08/14 08:01:28",
            "abcd-ef-gh ij:kl:mn",
        ] {
            assert_eq!(Timestamp::parse(text), None, "{text:?}");
        }
    }
}
