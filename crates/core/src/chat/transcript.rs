//! A conversation as plain text, for the ticket it ends in and for the visitor's download.

use crate::chat::protocol::{Author, Entry, EntryBody};
use crate::ticket::Timestamp;

/// The entries as lines: `2026-12-07 14:03:00 UTC  Abel Tuter: …`, in the visitor's language for
/// the words the relay adds. `visitor` is the visitor's name, when the host site gave one.
pub fn render(entries: &[Entry], visitor: &str, locale: &str) -> String {
    let german = locale.to_ascii_lowercase().starts_with("de");
    let visitor = match (visitor.trim(), german) {
        ("", true) => "Besucher",
        ("", false) => "Visitor",
        (name, _) => name,
    };
    let mut text = String::new();
    for entry in entries {
        let line = match &entry.body {
            EntryBody::Message { author, text, .. } => {
                format!("{}: {text}", name(author, visitor))
            }
            EntryBody::File {
                author,
                name: file,
                url,
                ..
            } => format!("{}: {file} ({url})", name(author, visitor)),
            EntryBody::AgentJoined { name, .. } => match german {
                true => format!("{name} ist dem Gespräch beigetreten"),
                false => format!("{name} joined the conversation"),
            },
            EntryBody::AgentLeft { name } => match german {
                true => format!("{name} hat das Gespräch verlassen"),
                false => format!("{name} left the conversation"),
            },
            EntryBody::Ended { by } => match german {
                true => format!("Beendet von {}", name(by, visitor)),
                false => format!("Ended by {}", name(by, visitor)),
            },
            EntryBody::RatingRequested => continue,
            EntryBody::Rated { score, comment } => format!("{score}/5 {comment}").trim().to_owned(),
        };
        let at = Timestamp((entry.at_ms / 1000) as i64).to_servicenow();
        text.push_str(&format!("{at} UTC  {line}\n"));
    }
    text
}

fn name<'a>(author: &'a Author, visitor: &'a str) -> &'a str {
    match author {
        Author::Visitor => visitor,
        Author::Assistant => "Flare",
        Author::Agent { name } => name,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(seq: u64, body: EntryBody) -> Entry {
        Entry {
            seq,
            at_ms: 1_796_652_180_000 + seq * 60_000,
            body,
        }
    }

    fn message(author: Author, text: &str) -> EntryBody {
        EntryBody::Message {
            author,
            text: text.into(),
            client_id: None,
            quick_replies: vec![],
            cards: vec![],
        }
    }

    #[test]
    fn every_entry_is_a_timed_line_with_who_said_it() {
        let entries = [
            entry(1, message(Author::Assistant, "What can I do for you?")),
            entry(2, message(Author::Visitor, "My VPN <b>drops</b>")),
            entry(
                3,
                EntryBody::AgentJoined {
                    name: "Beth Anglin".into(),
                    avatar: None,
                },
            ),
            entry(
                4,
                message(
                    Author::Agent {
                        name: "Beth Anglin".into(),
                    },
                    "Restart it.",
                ),
            ),
            entry(
                5,
                EntryBody::Ended {
                    by: Author::Visitor,
                },
            ),
            entry(6, EntryBody::RatingRequested),
            entry(
                7,
                EntryBody::Rated {
                    score: 4,
                    comment: "Fast".into(),
                },
            ),
        ];
        assert_eq!(
            render(&entries, "Abel Tuter", "en"),
            "2026-12-07 14:04:00 UTC  Flare: What can I do for you?\n\
             2026-12-07 14:05:00 UTC  Abel Tuter: My VPN <b>drops</b>\n\
             2026-12-07 14:06:00 UTC  Beth Anglin joined the conversation\n\
             2026-12-07 14:07:00 UTC  Beth Anglin: Restart it.\n\
             2026-12-07 14:08:00 UTC  Ended by Abel Tuter\n\
             2026-12-07 14:10:00 UTC  4/5 Fast\n"
        );
        assert!(render(&entries[1..2], "", "de").ends_with("Besucher: My VPN <b>drops</b>\n"));
    }
}
