//! Zendesk ticket search queries (`search.yml`), the subset Flare sends: `type:`, `status` and
//! `priority` with `:` `<` `>` `<=` `>=`, `requester:`/`assignee:`/`submitter:` (email, id, name
//! or `me`), `subject:`, `description:`, `tags:`, `external_id:`, negation with `-`, quoted
//! phrases, and free text matched against subject, description and comments. Matching ignores
//! case, as Zendesk search does.

use crate::zendesk::model::{Account, Ticket, User, PRIORITIES, STATUSES};

/// A parsed query.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub(crate) struct Search {
    /// The `type:` term; results are tickets when it is `ticket` or absent.
    pub(crate) kind: Option<String>,
    terms: Vec<Term>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Term {
    negated: bool,
    field: Option<String>,
    comparison: Comparison,
    value: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Comparison {
    Is,
    Less,
    LessOrEqual,
    Greater,
    GreaterOrEqual,
}

impl Search {
    pub(crate) fn parse(query: &str) -> Search {
        let mut search = Search::default();
        for token in tokens(query) {
            let (negated, token) = match token.strip_prefix('-') {
                Some(rest) if !rest.is_empty() => (true, rest.to_owned()),
                _ => (false, token),
            };
            let term = parse_term(negated, &token);
            if term.field.as_deref() == Some("type") {
                search.kind = Some(term.value.to_lowercase());
                continue;
            }
            search.terms.push(term);
        }
        search
    }

    pub(crate) fn matches(&self, ticket: &Ticket, account: &Account, me: &User) -> bool {
        self.terms
            .iter()
            .all(|term| term.matches(ticket, account, me) != term.negated)
    }
}

impl Term {
    fn matches(&self, ticket: &Ticket, account: &Account, me: &User) -> bool {
        let value = self.value.to_lowercase();
        match self.field.as_deref() {
            None => {
                let mut comments = account
                    .comments
                    .iter()
                    .filter(|comment| comment.ticket_id == ticket.id);
                contains(&ticket.subject, &value)
                    || contains(&ticket.description, &value)
                    || comments.any(|comment| contains(&comment.body, &value))
            }
            Some("status") => ordered(&STATUSES, &ticket.status, &value, self.comparison),
            Some("priority") => match &ticket.priority {
                Some(priority) => ordered(&PRIORITIES, priority, &value, self.comparison),
                None => value == "none",
            },
            Some("requester") => is_user(account, me, Some(ticket.requester_id), &value),
            Some("submitter") => is_user(account, me, Some(ticket.submitter_id), &value),
            Some("assignee") => match value.as_str() {
                "none" => ticket.assignee_id.is_none(),
                _ => is_user(account, me, ticket.assignee_id, &value),
            },
            Some("subject") => contains(&ticket.subject, &value),
            Some("description") => contains(&ticket.description, &value),
            Some("tags" | "tag") => ticket.tags.iter().any(|tag| tag.to_lowercase() == value),
            Some("external_id") => ticket
                .external_id
                .as_deref()
                .is_some_and(|id| id.to_lowercase() == value),
            // Keywords the sandbox does not know match nothing.
            Some(_) => false,
        }
    }
}

/// Splits on spaces, keeping quoted phrases (with or without a `field:` before them) whole.
fn tokens(query: &str) -> Vec<String> {
    let mut tokens = Vec::new();
    let mut current = String::new();
    let mut quoted = false;
    for character in query.chars() {
        match character {
            '"' => quoted = !quoted,
            ' ' if !quoted => {
                if !current.is_empty() {
                    tokens.push(std::mem::take(&mut current));
                }
            }
            _ => current.push(character),
        }
    }
    if !current.is_empty() {
        tokens.push(current);
    }
    tokens
}

fn parse_term(negated: bool, token: &str) -> Term {
    let operators = [
        ("<=", Comparison::LessOrEqual),
        (">=", Comparison::GreaterOrEqual),
        (":", Comparison::Is),
        ("<", Comparison::Less),
        (">", Comparison::Greater),
    ];
    let field_end =
        token.find(|character: char| !(character.is_ascii_alphanumeric() || character == '_'));
    if let Some(field_end) = field_end.filter(|end| *end > 0) {
        let (field, rest) = token.split_at(field_end);
        for (spelling, comparison) in operators {
            if let Some(value) = rest.strip_prefix(spelling) {
                return Term {
                    negated,
                    field: Some(field.to_lowercase()),
                    comparison,
                    value: value.to_owned(),
                };
            }
        }
    }
    Term {
        negated,
        field: None,
        comparison: Comparison::Is,
        value: token.to_owned(),
    }
}

fn contains(text: &str, lowercase_value: &str) -> bool {
    text.to_lowercase().contains(lowercase_value)
}

/// Compares positions in an ordered list of values (statuses, priorities).
fn ordered(order: &[&str], actual: &str, wanted: &str, comparison: Comparison) -> bool {
    let (Some(actual), Some(wanted)) = (
        order.iter().position(|value| *value == actual),
        order.iter().position(|value| *value == wanted),
    ) else {
        return false;
    };
    match comparison {
        Comparison::Is => actual == wanted,
        Comparison::Less => actual < wanted,
        Comparison::LessOrEqual => actual <= wanted,
        Comparison::Greater => actual > wanted,
        Comparison::GreaterOrEqual => actual >= wanted,
    }
}

/// A user given by email, id, name or `me`.
fn is_user(account: &Account, me: &User, user_id: Option<u64>, value: &str) -> bool {
    let Some(user_id) = user_id else {
        return false;
    };
    if value == "me" {
        return user_id == me.id;
    }
    if value.parse::<u64>().ok() == Some(user_id) {
        return true;
    }
    account.users.iter().any(|user| {
        user.id == user_id
            && (user.email.to_lowercase() == value || user.name.to_lowercase() == value)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_queries_flare_sends() {
        let search = Search::parse(
            "type:ticket status<solved requester:user@example.com \"printer on fire\" -tags:spam",
        );
        assert_eq!(search.kind.as_deref(), Some("ticket"));
        assert_eq!(search.terms.len(), 4);
        assert_eq!(search.terms[0].comparison, Comparison::Less);
        assert_eq!(search.terms[2].value, "printer on fire");
        assert!(search.terms[3].negated);
        let search = Search::parse("type:ticket subject:\"a b:c\"");
        assert_eq!(search.terms[0].field.as_deref(), Some("subject"));
        assert_eq!(search.terms[0].value, "a b:c");
    }

    #[test]
    fn orders_statuses() {
        assert!(ordered(&STATUSES, "open", "solved", Comparison::Less));
        assert!(!ordered(&STATUSES, "closed", "solved", Comparison::Less));
        assert!(ordered(
            &STATUSES,
            "solved",
            "solved",
            Comparison::GreaterOrEqual
        ));
    }
}
