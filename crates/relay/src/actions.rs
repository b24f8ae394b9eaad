//! The assistant's side of a conversation: its words as entries, and its actions carried out on
//! the site's service desk.

use flare_core::chat::assistant::{Action, Outcome, Say};
use flare_core::chat::phrases::Phrase;
use flare_core::chat::protocol::{Author, EntryBody, QuickReply, TicketCard};
use flare_core::chat::transcript;
use flare_core::error::CoreError;
use flare_core::providers::servicenow::Table;
use flare_core::ticket::Ticket;

use crate::config::Site;
use crate::metrics::Metrics;
use crate::store::{Conversation, NewEntry, TicketRef, Visitor};
use crate::transport::now_ms;
use crate::Relay;

/// The most entries a transcript carries.
pub const TRANSCRIPT_LIMIT: u32 = 5000;

/// The assistant's messages in `locale`, the cards on the first one.
pub fn assistant_entries(
    says: Vec<Say>,
    mut cards: Vec<TicketCard>,
    locale: &str,
) -> Vec<NewEntry> {
    says.into_iter()
        .map(|say| NewEntry {
            body: EntryBody::Message {
                author: Author::Assistant,
                text: say.phrase.text(locale),
                client_id: None,
                quick_replies: say
                    .choices
                    .into_iter()
                    .map(|(label, value)| QuickReply {
                        label: label.text(locale),
                        value: value.to_owned(),
                    })
                    .collect(),
                cards: std::mem::take(&mut cards),
            },
            client_id: None,
        })
        .collect()
}

/// One assistant message saying `phrase` in `locale`.
pub fn assistant_message(phrase: &Phrase, locale: &str) -> NewEntry {
    NewEntry {
        body: EntryBody::Message {
            author: Author::Assistant,
            text: phrase.text(locale),
            client_id: None,
            quick_replies: vec![],
            cards: vec![],
        },
        client_id: None,
    }
}

/// Carries out `action` for `visitor`; what came of it and the tickets to show.
pub async fn perform(
    relay: &Relay,
    site: &Site,
    visitor: &mut Visitor,
    conversation: &Conversation,
    action: Action,
    correlation_id: &str,
) -> (Outcome, Vec<TicketCard>) {
    let Some(desk) = relay.desks.get(&site.id) else {
        return (Outcome::Failed, vec![]);
    };
    if action == Action::HandOff {
        let Some(handoff) = &site.handoff else {
            return (Outcome::NoRoute, vec![]);
        };
        Metrics::add(&relay.metrics.handoffs);
        let now_ms = now_ms();
        if handoff.hours.is_some_and(|hours| !hours.is_open(now_ms)) {
            return (Outcome::NobodyAvailable, vec![]);
        }
        return (Outcome::Queued { now_ms }, vec![]);
    }
    let caller = match desk_user(relay, site, visitor).await {
        Ok(caller) => caller,
        Err(error) => {
            tracing::warn!(%error, "looking the visitor up on the desk failed");
            return (Outcome::Failed, vec![]);
        }
    };
    if action == Action::FileTranscript {
        // Anyone may leave a ticket when nobody came; an anonymous visitor's has no caller.
        let entries = match relay
            .store
            .entries_after(&conversation.id, 0, TRANSCRIPT_LIMIT)
        {
            Ok(entries) => entries,
            Err(error) => {
                tracing::error!(%error, "reading the transcript failed");
                return (Outcome::Failed, vec![]);
            }
        };
        let name = visitor
            .verified
            .as_ref()
            .map(|user| user.name.as_str())
            .unwrap_or_default();
        let text = transcript::render(&entries, name, &conversation.locale);
        let title = first_words(&entries).unwrap_or_else(|| "Chat".to_owned());
        return match desk
            .file_transcript(caller.as_deref(), &title, &text, correlation_id)
            .await
        {
            Ok(ticket) => filed(
                relay,
                conversation,
                Table::Incident,
                desk.card(&ticket),
                &ticket,
            ),
            Err(error) => {
                tracing::warn!(%error, "filing the transcript failed");
                (Outcome::Failed, vec![])
            }
        };
    }
    let Some(caller) = caller else {
        return (Outcome::UnknownVisitor, vec![]);
    };
    let result = match action {
        Action::FileIncident(report) => desk
            .file(&caller, &report, false, correlation_id)
            .await
            .map(|ticket| {
                filed(
                    relay,
                    conversation,
                    Table::Incident,
                    desk.card(&ticket),
                    &ticket,
                )
            }),
        Action::FileRequest(report) => {
            desk.file(&caller, &report, true, correlation_id)
                .await
                .map(|ticket| {
                    filed(
                        relay,
                        conversation,
                        Table::Request,
                        desk.card(&ticket),
                        &ticket,
                    )
                })
        }
        Action::LookUp { number } => {
            desk.mine_by_number(&caller, &number)
                .await
                .map(|found| match found {
                    Some((_, ticket)) => (Outcome::Found, vec![desk.card(&ticket)]),
                    None => (Outcome::NotFound, vec![]),
                })
        }
        Action::ListMine => desk.open_tickets(&caller).await.map(|tickets| {
            (
                Outcome::Listed {
                    n_tickets: tickets.len(),
                },
                tickets.iter().map(|ticket| desk.card(ticket)).collect(),
            )
        }),
        Action::Comment { number, text } => match desk.mine_by_number(&caller, &number).await {
            Ok(Some((table, ticket))) => desk.comment(table, &ticket, &text).await.map(|()| {
                follow(relay, conversation, table, &ticket);
                (Outcome::Commented, vec![desk.card(&ticket)])
            }),
            Ok(None) => Ok((Outcome::NotFound, vec![])),
            Err(error) => Err(error),
        },
        // Handled above.
        Action::HandOff | Action::FileTranscript => Ok((Outcome::Failed, vec![])),
    };
    result.unwrap_or_else(|error| {
        tracing::warn!(%error, "a ticket action failed");
        (Outcome::Failed, vec![])
    })
}

/// The visitor's `sys_user`, looked up once and remembered; none for an anonymous visitor or one
/// the desk does not know.
async fn desk_user(
    relay: &Relay,
    site: &Site,
    visitor: &mut Visitor,
) -> Result<Option<String>, CoreError> {
    if let Some(desk_user) = &visitor.desk_user {
        return Ok(Some(desk_user.clone()));
    }
    let (Some(user), Some(desk)) = (&visitor.verified, relay.desks.get(&site.id)) else {
        return Ok(None);
    };
    let Some(sys_id) = desk.user_by_email(&user.email).await? else {
        return Ok(None);
    };
    if let Err(error) = relay.store.set_desk_user(&visitor.id, &sys_id) {
        tracing::warn!(%error, "remembering the visitor's desk user failed");
    }
    visitor.desk_user = Some(sys_id.clone());
    Ok(Some(sys_id))
}

/// The conversation hears of the ticket's changes from now on (`follow.rs`).
fn follow(relay: &Relay, conversation: &Conversation, table: Table, ticket: &Ticket) {
    let reference = TicketRef {
        table: table.name().to_owned(),
        sys_id: ticket.id.clone(),
    };
    if let Err(error) = relay.store.follow(&conversation.id, &reference) {
        tracing::warn!(%error, "following a ticket failed");
    }
}

/// The visitor's first message, shortened, as the ticket's title.
fn first_words(entries: &[flare_core::chat::protocol::Entry]) -> Option<String> {
    entries.iter().find_map(|entry| match &entry.body {
        EntryBody::Message {
            author: Author::Visitor,
            text,
            ..
        } => Some(format!(
            "Chat: {}",
            text.chars().take(80).collect::<String>()
        )),
        _ => None,
    })
}

/// A ticket filed in the conversation: counted, and remembered as the one its transcript goes
/// to when it ends.
fn filed(
    relay: &Relay,
    conversation: &Conversation,
    table: Table,
    card: TicketCard,
    ticket: &Ticket,
) -> (Outcome, Vec<TicketCard>) {
    Metrics::add(&relay.metrics.tickets_filed);
    let reference = TicketRef {
        table: table.name().to_owned(),
        sys_id: ticket.id.clone(),
    };
    if let Err(error) = relay.store.set_ticket(&conversation.id, &reference) {
        tracing::warn!(%error, "remembering the conversation's ticket failed");
    }
    follow(relay, conversation, table, ticket);
    (
        Outcome::Filed {
            number: card.number.clone(),
        },
        vec![card],
    )
}
