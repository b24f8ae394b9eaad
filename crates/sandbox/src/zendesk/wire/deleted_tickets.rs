//! Soft-deleted tickets as `GET /deleted_tickets` lists them.

use serde::Serialize;

use crate::zendesk::account::{DeletedTicket, User};
use crate::zendesk::wire::{timestamp, Renderer};

/// A soft-deleted ticket in `GET /deleted_tickets` (the key order of Zendesk's Tickets reference
/// example).
#[derive(Serialize)]
pub(crate) struct DeletedTicketJson<'a> {
    id: u64,
    subject: Option<&'a str>,
    actor: ActorJson<'a>,
    previous_state: &'static str,
    deleted_at: String,
}

#[derive(Serialize)]
struct ActorJson<'a> {
    id: u64,
    name: &'a str,
}

impl<'a> Renderer<'a> {
    /// `actor` is the user who deleted the ticket, by name when the account still knows them.
    pub(crate) fn deleted_ticket(
        &self,
        deleted: &'a DeletedTicket,
        actor: Option<&'a User>,
    ) -> DeletedTicketJson<'a> {
        DeletedTicketJson {
            id: deleted.ticket.id,
            subject: deleted.ticket.subject.as_deref(),
            actor: ActorJson {
                id: deleted.actor_id,
                name: actor.map(|user| user.name.as_str()).unwrap_or_default(),
            },
            previous_state: deleted.ticket.status.code(),
            deleted_at: timestamp(deleted.deleted_at),
        }
    }
}
