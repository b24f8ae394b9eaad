//! Zendesk's search syntax for tickets and users, as far as Flare uses it.
//!
//! From the Search API reference (`search.yml`, "Query basics", and Zendesk's "Searching with the
//! Zendesk API"): terms are separated by spaces and all must hold; `keyword:value` is equality,
//! `keyword<value` and `keyword>value` (and `<=`, `>=`) compare; a leading `-` negates a term;
//! double quotes make a phrase; a trailing `*` matches any word ending. Words without a keyword
//! match the ticket's text (subject, description and comments), word by word and without case.
//!
//! Ticket keywords: `type`, `status`, `priority`, `ticket_type`, `requester`, `assignee`,
//! `subject`, `description`, `tags`/`tag`, `external_id`, `created` and `updated`.
//! `requester` and `assignee` take `me`, `none`, an id, an e-mail address or a name. Status and
//! priority compare in Zendesk's order (new < open < pending < hold < solved < closed; low <
//! normal < high < urgent). Any other keyword is searched as text.
//!
//! User keywords: `type`, `email`, `name`, `role`, `external_id`, `created` and `updated`; words
//! without a keyword match the name or the address. Other keywords match no user.
//!
//! `created` and `updated` are also spelled `created_at` and `updated_at`, as the recorded export
//! query is (`TestUserSearchExportApi`: `created_at>=2023-09-14T00:39:54Z type:user`); a date
//! (`YYYY-MM-DD`) compares by day, a UTC time (`YYYY-MM-DDTHH:MM:SSZ`) to the second.
//!
//! The search export (`search.yml`, ExportSearchResults) walks results newest first with cursors
//! of the recorded form: base64 of `{"field":"created_at","desc":true,"tieBreakField":"id",
//! "tieBreakDesc":false,"sortValues":[<created_at in ms>,<id>],...}`. Real cursors also carry a
//! session, their own creation time and salted hashes, and expire after an hour; the sandbox
//! leaves those out and reads only `sortValues`, so a recorded cursor still reads.

use std::cmp::Ordering;

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use flare_core::providers::zendesk::{TicketPriority, TicketStatus, TicketType};
use serde::Serialize;
use serde_json::Value;

use crate::common::datetime::{self, UnixSeconds};
use crate::zendesk::account::{Account, Ticket, User};
use crate::zendesk::error::ZendeskError;

/// A parsed search query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Query {
    terms: Vec<Term>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Term {
    negated: bool,
    kind: TermKind,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum TermKind {
    /// `keyword<op>value`.
    Field {
        keyword: String,
        op: Op,
        value: String,
    },
    /// Words that must appear in this order (one word unless quoted).
    Text(Vec<String>),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    Is,
    Less,
    LessOrEqual,
    Greater,
    GreaterOrEqual,
}

/// How search results are sorted (`search.yml`, `sort_by` and `sort_order`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct SearchOrder {
    by: SortBy,
    descending: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum SortBy {
    /// Relevance is not modelled; the newest ticket ranks first.
    Relevance,
    UpdatedAt,
    CreatedAt,
    Priority,
    Status,
    TicketType,
}

impl Query {
    pub(crate) fn parse(text: &str) -> Query {
        Query {
            terms: split_terms(text)
                .into_iter()
                .filter_map(parse_term)
                .collect(),
        }
    }

    /// Whether `ticket` matches every term, searched by `caller` (for `me`).
    pub(crate) fn matches(&self, ticket: &Ticket, caller: &User, account: &Account) -> bool {
        self.terms
            .iter()
            .all(|term| term_matches(term, ticket, caller, account) != term.negated)
    }

    /// Whether `user` matches every term (`search.yml`, SearchUsers: "a partial or full value of
    /// any user property, including name, email address"); an empty query matches nobody.
    pub(crate) fn matches_user(&self, user: &User) -> bool {
        !self.terms.is_empty()
            && self
                .terms
                .iter()
                .all(|term| user_term_matches(term, user) != term.negated)
    }
}

impl SearchOrder {
    /// From `sort_by` and `sort_order` (default `desc`); unknown values sort by relevance.
    pub(crate) fn parse(sort_by: Option<&str>, sort_order: Option<&str>) -> SearchOrder {
        let by = match sort_by.unwrap_or_default() {
            "updated_at" => SortBy::UpdatedAt,
            "created_at" => SortBy::CreatedAt,
            "priority" => SortBy::Priority,
            "status" => SortBy::Status,
            "ticket_type" => SortBy::TicketType,
            _ => SortBy::Relevance,
        };
        SearchOrder {
            by,
            descending: sort_order != Some("asc"),
        }
    }

    pub(crate) fn sort(self, tickets: &mut [&Ticket]) {
        tickets.sort_by(|left, right| {
            let ordering = match self.by {
                SortBy::Relevance | SortBy::CreatedAt => left.created_at.cmp(&right.created_at),
                SortBy::UpdatedAt => left.updated_at.cmp(&right.updated_at),
                SortBy::Priority => left.priority.cmp(&right.priority),
                SortBy::Status => left.status.cmp(&right.status),
                SortBy::TicketType => left
                    .ticket_type
                    .map(TicketType::code)
                    .cmp(&right.ticket_type.map(TicketType::code)),
            }
            .then(left.id.cmp(&right.id));
            match self.descending {
                true => ordering.reverse(),
                false => ordering,
            }
        });
    }
}

/// Where a search export page starts: after the result with these sort values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct ExportCursor {
    created_at: UnixSeconds,
    id: u64,
    /// How many results the walk handed out up to here, as real cursors count them.
    exported: usize,
}

/// One page of search export results and where the next one starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ExportPage<T> {
    pub(crate) items: Vec<T>,
    pub(crate) after: Option<ExportCursor>,
    pub(crate) has_more: bool,
}

impl ExportCursor {
    pub(crate) fn encode(&self) -> String {
        let inner = ExportCursorJson {
            field: "created_at",
            desc: true,
            tie_break_field: "id",
            tie_break_desc: false,
            sort_values: (self.created_at * 1000, self.id),
            exported_thus_far: self.exported,
        };
        let json = serde_json::to_string(&inner).expect("cursors always serialise");
        STANDARD.encode(json)
    }

    pub(crate) fn decode(cursor: &str) -> Result<ExportCursor, ZendeskError> {
        let invalid = || ZendeskError::InvalidCursor("page[after]");
        let bytes = STANDARD.decode(cursor.trim()).map_err(|_| invalid())?;
        let inner: Value = serde_json::from_slice(&bytes).map_err(|_| invalid())?;
        let sort_values = inner["sortValues"].as_array().ok_or_else(invalid)?;
        let (Some(millis), Some(id)) = (
            sort_values.first().and_then(Value::as_i64),
            sort_values.get(1).and_then(Value::as_u64),
        ) else {
            return Err(invalid());
        };
        Ok(ExportCursor {
            created_at: millis.div_euclid(1000),
            id,
            exported: inner["exportedThusFar"]
                .as_u64()
                .and_then(|exported| usize::try_from(exported).ok())
                .unwrap_or_default(),
        })
    }
}

/// A page of `results` (each with its `created_at` and id), newest first and by id within a
/// second, after `after`, at most `size`.
pub(crate) fn export_page<T>(
    mut results: Vec<(UnixSeconds, u64, T)>,
    after: Option<ExportCursor>,
    size: usize,
) -> ExportPage<T> {
    results.sort_by(|(left_at, left_id, _), (right_at, right_id, _)| {
        right_at.cmp(left_at).then(left_id.cmp(right_id))
    });
    let is_after = |created_at: UnixSeconds, id: u64| match after {
        Some(cursor) => {
            created_at < cursor.created_at || (created_at == cursor.created_at && id > cursor.id)
        }
        None => true,
    };
    let mut remaining: Vec<(UnixSeconds, u64, T)> = results
        .into_iter()
        .filter(|(created_at, id, _)| is_after(*created_at, *id))
        .collect();
    let has_more = remaining.len() > size;
    remaining.truncate(size);
    let exported_before = after.map(|cursor| cursor.exported).unwrap_or_default();
    let last = remaining.last().map(|(created_at, id, _)| ExportCursor {
        created_at: *created_at,
        id: *id,
        exported: exported_before + remaining.len(),
    });
    ExportPage {
        items: remaining.into_iter().map(|(_, _, item)| item).collect(),
        after: last,
        has_more,
    }
}

/// An export cursor's JSON, in the recorded key order.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ExportCursorJson {
    field: &'static str,
    desc: bool,
    tie_break_field: &'static str,
    tie_break_desc: bool,
    sort_values: (UnixSeconds, u64),
    exported_thus_far: usize,
}

/// Splits on spaces outside double quotes; quotes stay on the pieces.
fn split_terms(text: &str) -> Vec<String> {
    let mut terms = Vec::new();
    let mut current = String::new();
    let mut quoted = false;
    for character in text.chars() {
        match character {
            '"' => {
                quoted = !quoted;
                current.push(character);
            }
            character if character.is_whitespace() && !quoted => {
                if !current.is_empty() {
                    terms.push(std::mem::take(&mut current));
                }
            }
            character => current.push(character),
        }
    }
    if !current.is_empty() {
        terms.push(current);
    }
    terms
}

fn parse_term(raw: String) -> Option<Term> {
    let (negated, body) = match raw.strip_prefix('-') {
        Some(rest) if !rest.is_empty() => (true, rest),
        _ => (false, raw.as_str()),
    };
    if body.starts_with('"') {
        let words = words(body);
        return (!words.is_empty()).then_some(Term {
            negated,
            kind: TermKind::Text(words),
        });
    }
    let operator = body
        .char_indices()
        .find(|(_, character)| matches!(character, ':' | '<' | '>'));
    let Some((index, _)) = operator.filter(|(index, _)| *index > 0) else {
        let words = words(body);
        return (!words.is_empty()).then_some(Term {
            negated,
            kind: TermKind::Text(words),
        });
    };
    let keyword = body[..index].to_lowercase();
    let rest = &body[index..];
    let (op, value) = [
        ("<=", Op::LessOrEqual),
        (">=", Op::GreaterOrEqual),
        (":", Op::Is),
        ("<", Op::Less),
        (">", Op::Greater),
    ]
    .into_iter()
    .find_map(|(symbol, op)| rest.strip_prefix(symbol).map(|value| (op, value)))?;
    let value = value.trim_matches('"').to_owned();
    Some(Term {
        negated,
        kind: TermKind::Field { keyword, op, value },
    })
}

fn term_matches(term: &Term, ticket: &Ticket, caller: &User, account: &Account) -> bool {
    let (keyword, op, value) = match &term.kind {
        TermKind::Text(words) => return text_matches(ticket, words),
        TermKind::Field { keyword, op, value } => (keyword.as_str(), *op, value.as_str()),
    };
    let lowered = value.to_lowercase();
    match keyword {
        "type" => lowered == "ticket",
        "status" => match TicketStatus::from_code(&lowered) {
            Some(status) => compare(ticket.status.cmp(&status), op),
            None => false,
        },
        "priority" => match (TicketPriority::from_code(&lowered), ticket.priority) {
            (Some(wanted), Some(actual)) => compare(actual.cmp(&wanted), op),
            _ => lowered == "none" && ticket.priority.is_none(),
        },
        "ticket_type" => ticket
            .ticket_type
            .is_some_and(|ticket_type| ticket_type.code() == lowered),
        "requester" => person_matches(Some(ticket.requester_id), &lowered, caller, account),
        "assignee" => person_matches(ticket.assignee_id, &lowered, caller, account),
        "subject" => contains_words(ticket.subject.as_deref().unwrap_or_default(), &words(value)),
        "description" => contains_words(&ticket.description, &words(value)),
        "tags" | "tag" => ticket.tags.iter().any(|tag| wildcard_equals(tag, &lowered)),
        "external_id" => ticket.external_id.as_deref() == Some(value),
        "created" | "created_at" => moment_matches(ticket.created_at, op, value),
        "updated" | "updated_at" => moment_matches(ticket.updated_at, op, value),
        _ => {
            let mut all_words = words(keyword);
            all_words.extend(words(value));
            text_matches(ticket, &all_words)
        }
    }
}

fn user_term_matches(term: &Term, user: &User) -> bool {
    let email = user.email.as_deref().unwrap_or_default().to_lowercase();
    let name = user.name.to_lowercase();
    let (keyword, op, value) = match &term.kind {
        TermKind::Text(words) => {
            let phrase = words.join(" ");
            return name.contains(&phrase) || email.contains(&phrase);
        }
        TermKind::Field { keyword, op, value } => (keyword.as_str(), *op, value.as_str()),
    };
    let lowered = value.to_lowercase();
    match keyword {
        "type" => lowered == "user",
        "email" => wildcard_equals(&email, &lowered),
        "name" => name.contains(&lowered),
        "role" => user.role.code() == lowered,
        "external_id" => user.external_id.as_deref() == Some(value),
        "created" | "created_at" => moment_matches(user.created_at, op, value),
        "updated" | "updated_at" => moment_matches(user.updated_at, op, value),
        _ => false,
    }
}

/// Compares a time with a date (by day) or a UTC time (to the second).
fn moment_matches(at: UnixSeconds, op: Op, value: &str) -> bool {
    let time = value.strip_suffix('Z').and_then(|time| {
        let (date, clock) = time.split_once('T')?;
        datetime::parse(&format!("{date} {clock}"))
    });
    if let Some(moment) = time {
        return compare(at.cmp(&moment), op);
    }
    let Some(day_start) = datetime::parse(value) else {
        return false;
    };
    let day = at.div_euclid(86_400) * 86_400;
    compare(day.cmp(&day_start), op)
}

fn compare(ordering: Ordering, op: Op) -> bool {
    match op {
        Op::Is => ordering == Ordering::Equal,
        Op::Less => ordering == Ordering::Less,
        Op::LessOrEqual => ordering != Ordering::Greater,
        Op::Greater => ordering == Ordering::Greater,
        Op::GreaterOrEqual => ordering != Ordering::Less,
    }
}

fn person_matches(person_id: Option<u64>, value: &str, caller: &User, account: &Account) -> bool {
    match value {
        "none" => return person_id.is_none(),
        "me" => return person_id == Some(caller.id),
        _ => {}
    }
    let Some(user) = person_id.and_then(|id| account.user(id)) else {
        return false;
    };
    if let Ok(id) = value.parse::<u64>() {
        return user.id == id;
    }
    if value.contains('@') {
        let email = user.email.as_deref().unwrap_or_default().to_lowercase();
        return wildcard_equals(&email, value);
    }
    contains_words(&user.name, &words(value))
}

/// Text search: the words, in order, in the subject, the description or any comment.
fn text_matches(ticket: &Ticket, phrase: &[String]) -> bool {
    let subject = ticket.subject.as_deref().unwrap_or_default();
    contains_words(subject, phrase)
        || contains_words(&ticket.description, phrase)
        || ticket
            .comments
            .iter()
            .any(|comment| contains_words(&comment.body, phrase))
}

/// Whether `phrase` appears as consecutive words of `text`; a word ending in `*` matches any word
/// it starts.
fn contains_words(text: &str, phrase: &[String]) -> bool {
    if phrase.is_empty() {
        return false;
    }
    let text_words = words(text);
    text_words.windows(phrase.len()).any(|window| {
        window
            .iter()
            .zip(phrase)
            .all(|(word, wanted)| match wanted.strip_suffix('*') {
                Some(prefix) => word.starts_with(prefix),
                None => word == wanted,
            })
    })
}

fn wildcard_equals(actual: &str, wanted: &str) -> bool {
    match wanted.strip_suffix('*') {
        Some(prefix) => actual.starts_with(prefix),
        None => actual == wanted,
    }
}

/// Lower-case words: runs of letters and digits, keeping a trailing `*`.
fn words(text: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut current = String::new();
    for character in text.chars() {
        if character.is_alphanumeric() {
            current.extend(character.to_lowercase());
            continue;
        }
        if character == '*' && !current.is_empty() {
            current.push('*');
        }
        if !current.is_empty() {
            words.push(std::mem::take(&mut current));
        }
    }
    if !current.is_empty() {
        words.push(current);
    }
    words
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_terms() {
        let query = Query::parse(
            r#"type:ticket status<solved -priority:low "printer on fire" requester:user@example.com vpn*"#,
        );
        let field = |keyword: &str, op, value: &str, negated| Term {
            negated,
            kind: TermKind::Field {
                keyword: keyword.into(),
                op,
                value: value.into(),
            },
        };
        let text = |words: &[&str]| Term {
            negated: false,
            kind: TermKind::Text(words.iter().map(|word| word.to_string()).collect()),
        };
        assert_eq!(
            query.terms,
            vec![
                field("type", Op::Is, "ticket", false),
                field("status", Op::Less, "solved", false),
                field("priority", Op::Is, "low", true),
                text(&["printer", "on", "fire"]),
                field("requester", Op::Is, "user@example.com", false),
                text(&["vpn*"]),
            ]
        );
        assert_eq!(
            Query::parse(r#"subject:"two words" status>=pending"#).terms,
            vec![
                field("subject", Op::Is, "two words", false),
                field("status", Op::GreaterOrEqual, "pending", false),
            ]
        );
    }

    #[test]
    fn export_cursors_have_the_recorded_form() {
        // From TestUserSearchExportApi.test_cbp_small_iterations: after the user made at
        // 2023-09-18T20:36:04Z, the first one handed out.
        let recorded = "eyJmaWVsZCI6ImNyZWF0ZWRfYXQiLCJkZXNjIjp0cnVlLCJ0aWVCcmVha0ZpZWxkIjoiaWQiLCJ0aWVCcmVha0Rlc2MiOmZhbHNlLCJzb3J0VmFsdWVzIjpbMTY5NTA2OTM2NDAwMCw3NTg5NTA0MzU0ODEzXSwiZXhwb3J0ZWRUaHVzRmFyIjoxLCJzZXNzaW9uU3RhcnQiOjE3MTU2MTM4MjA4NTksImNyZWF0ZWRBdCI6MTcxNTYxMzgyMDg3NSwic2FsdGVkUmVxdWVzdEhhc2giOjIxMzkxMTc5NjgsInNhbHRlZEN1cnNvckhhc2giOi0xNjg2NjI5NDR9";
        let cursor = ExportCursor {
            created_at: 1_695_069_364,
            id: 7_589_504_354_813,
            exported: 1,
        };
        assert_eq!(ExportCursor::decode(recorded), Ok(cursor));
        assert_eq!(ExportCursor::decode(&cursor.encode()), Ok(cursor));
        // The sandbox's cursor is the recorded one without the session and hashes.
        let inner = STANDARD.decode(cursor.encode()).expect("base64");
        assert_eq!(
            String::from_utf8(inner).expect("text"),
            r#"{"field":"created_at","desc":true,"tieBreakField":"id","tieBreakDesc":false,"sortValues":[1695069364000,7589504354813],"exportedThusFar":1}"#
        );
        for garbage in ["bm9wZQ==", "e30=", "not base64"] {
            assert_eq!(
                ExportCursor::decode(garbage),
                Err(ZendeskError::InvalidCursor("page[after]")),
                "{garbage}"
            );
        }
    }

    #[test]
    fn export_pages_walk_newest_first() {
        let results = vec![(10, 3, "c"), (20, 1, "a"), (10, 2, "b"), (5, 9, "d")];
        let first = export_page(results.clone(), None, 2);
        assert_eq!(
            (first.items.clone(), first.has_more),
            (vec!["a", "b"], true)
        );
        let second = export_page(results.clone(), first.after, 2);
        assert_eq!((second.items, second.has_more), (vec!["c", "d"], false));
        assert_eq!(second.after.map(|cursor| cursor.exported), Some(4));
        let past_the_end = export_page(results, second.after, 2);
        assert_eq!(
            past_the_end,
            ExportPage {
                items: vec![],
                after: None,
                has_more: false
            }
        );
    }

    #[test]
    fn compares_dates_by_day_and_times_to_the_second() {
        // 2023-09-14T00:39:54Z.
        let at = 1_694_651_994;
        for (op, value, expected) in [
            (Op::GreaterOrEqual, "2023-09-14T00:39:54Z", true),
            (Op::Greater, "2023-09-14T00:39:54Z", false),
            (Op::Less, "2023-09-14T00:39:55Z", true),
            (Op::Is, "2023-09-14", true),
            (Op::Greater, "2023-09-13", true),
            (Op::Is, "yesterday", false),
        ] {
            assert_eq!(moment_matches(at, op, value), expected, "{op:?} {value}");
        }
    }

    #[test]
    fn matches_words_and_phrases() {
        let phrase = |text: &str| words(text);
        assert!(contains_words(
            "The printer is on fire!",
            &phrase("printer")
        ));
        assert!(contains_words(
            "The printer is on fire!",
            &phrase("is on fire")
        ));
        assert!(!contains_words(
            "The printer is on fire!",
            &phrase("fire on")
        ));
        assert!(!contains_words("printers", &phrase("printer")));
        assert!(contains_words("printers", &phrase("print*")));
        assert!(contains_words("VPN down", &phrase("vpn")));
    }
}
