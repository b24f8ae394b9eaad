//! Zendesk search queries for tickets, built from typed parts.
//!
//! The syntax (Zendesk's "Searching with the Zendesk API" and the Search API reference): `:` is
//! equality, `<` and `>` compare, a leading `-` negates, `*` is a wildcard and double quotes make a
//! phrase. Words a user types are data, not syntax, so any word holding one of those characters is
//! sent as a quoted phrase. Zendesk documents no way to escape `"` inside a phrase, so double quotes
//! in user input are replaced by spaces.

use serde::{Deserialize, Serialize};

use crate::providers::zendesk::fields::{TicketPriority, TicketStatus};
use crate::ticket::Timestamp;

/// A ticket search: every condition that is set must hold.
///
/// Build it with struct syntax and `..Default::default()`; it is serialisable so saved searches
/// can live in settings.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TicketSearch {
    /// Which statuses match.
    pub status: Option<StatusCondition>,
    /// Only tickets with this priority.
    pub priority: Option<TicketPriority>,
    /// Only tickets requested by this person: an e-mail address, a user id, a name, or Zendesk's
    /// keywords `me` and `none`.
    pub requester: Option<String>,
    /// Only tickets assigned to this agent: an e-mail address, a user id, a name, or `me`.
    pub assignee: Option<String>,
    /// Only tickets changed after this instant (`updated>`, to the second).
    pub updated_after: Option<Timestamp>,
    /// Words that must appear in the subject.
    pub subject: Option<String>,
    /// Free text matched anywhere in the ticket; each word is matched on its own.
    pub text: String,
}

/// A condition on the ticket status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum StatusCondition {
    /// `status:<status>`
    Is(TicketStatus),
    /// `status<<status>`, in Zendesk's status order; `Below(Solved)` means "unsolved".
    Below(TicketStatus),
    /// `status><status>`; `Above(Hold)` means solved or closed.
    Above(TicketStatus),
}

impl TicketSearch {
    /// The value of the `query` parameter, starting with `type:ticket`.
    pub fn query(&self) -> String {
        let mut terms = vec!["type:ticket".to_owned()];
        match self.status {
            Some(StatusCondition::Is(status)) => terms.push(format!("status:{}", status.code())),
            Some(StatusCondition::Below(status)) => terms.push(format!("status<{}", status.code())),
            Some(StatusCondition::Above(status)) => terms.push(format!("status>{}", status.code())),
            None => {}
        }
        if let Some(priority) = self.priority {
            terms.push(format!("priority:{}", priority.code()));
        }
        for (keyword, value) in [
            ("requester", &self.requester),
            ("assignee", &self.assignee),
            ("subject", &self.subject),
        ] {
            if let Some(value) = value.as_deref().and_then(quote_value) {
                terms.push(format!("{keyword}:{value}"));
            }
        }
        if let Some(after) = self.updated_after {
            terms.push(format!("updated>{}", after.to_iso8601()));
        }
        terms.extend(self.text.split_whitespace().filter_map(quote_value));
        terms.join(" ")
    }
}

/// The value as one search term, quoted when it holds spaces or syntax; `None` when nothing is left.
pub(crate) fn quote_value(value: &str) -> Option<String> {
    let cleaned = value.replace('"', " ");
    let words: Vec<&str> = cleaned.split_whitespace().collect();
    if words.is_empty() {
        return None;
    }
    let phrase = words.join(" ");
    let has_syntax =
        words.len() > 1 || phrase.starts_with('-') || phrase.contains([':', '<', '>', '*']);
    Some(match has_syntax {
        true => format!("\"{phrase}\""),
        false => phrase,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(search: TicketSearch, expected: &str) {
        assert_eq!(search.query(), expected, "{search:?}");
    }

    #[test]
    fn changed_after_an_instant() {
        check(
            TicketSearch {
                requester: Some("7".into()),
                updated_after: Some(Timestamp::from_utc(2024, 3, 1, 9, 5, 0)),
                ..Default::default()
            },
            "type:ticket requester:7 updated>2024-03-01T09:05:00Z",
        );
    }

    #[test]
    fn empty_search_is_every_ticket() {
        check(TicketSearch::default(), "type:ticket");
    }

    #[test]
    fn typed_conditions() {
        check(
            TicketSearch {
                status: Some(StatusCondition::Is(TicketStatus::Open)),
                priority: Some(TicketPriority::Urgent),
                ..Default::default()
            },
            "type:ticket status:open priority:urgent",
        );
        check(
            TicketSearch {
                status: Some(StatusCondition::Below(TicketStatus::Solved)),
                requester: Some("user@domain.com".into()),
                ..Default::default()
            },
            "type:ticket status<solved requester:user@domain.com",
        );
        check(
            TicketSearch {
                status: Some(StatusCondition::Above(TicketStatus::Hold)),
                ..Default::default()
            },
            "type:ticket status>hold",
        );
    }

    #[test]
    fn values_with_spaces_become_phrases() {
        check(
            TicketSearch {
                requester: Some("Jane  Doe".into()),
                subject: Some("printer on fire".into()),
                ..Default::default()
            },
            "type:ticket requester:\"Jane Doe\" subject:\"printer on fire\"",
        );
        check(
            TicketSearch {
                subject: Some("printer".into()),
                ..Default::default()
            },
            "type:ticket subject:printer",
        );
    }

    #[test]
    fn free_text_cannot_inject_syntax() {
        check(
            TicketSearch {
                text: "printer status:closed -urgent 50%>ok * plain".into(),
                ..Default::default()
            },
            "type:ticket printer \"status:closed\" \"-urgent\" \"50%>ok\" \"*\" plain",
        );
        check(
            TicketSearch {
                text: "say \"hello\" world".into(),
                ..Default::default()
            },
            "type:ticket say hello world",
        );
        check(
            TicketSearch {
                subject: Some("a\"b:c\"".into()),
                ..Default::default()
            },
            "type:ticket subject:\"a b:c\"",
        );
    }

    #[test]
    fn blank_values_are_dropped() {
        check(
            TicketSearch {
                requester: Some("  ".into()),
                subject: Some("\"\"".into()),
                text: "   ".into(),
                ..Default::default()
            },
            "type:ticket",
        );
    }

    #[test]
    fn serialises_for_settings() {
        let search = TicketSearch {
            status: Some(StatusCondition::Below(TicketStatus::Solved)),
            text: "vpn".into(),
            ..Default::default()
        };
        let json = serde_json::to_string(&search).expect("serialises");
        let back: TicketSearch = serde_json::from_str(&json).expect("deserialises");
        assert_eq!(back, search);
    }
}
