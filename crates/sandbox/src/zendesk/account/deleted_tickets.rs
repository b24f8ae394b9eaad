//! Soft-deleted tickets: kept out of every list and lookup until an agent restores them or
//! deletes them for good (Zendesk's "Soft delete").

use serde::{Deserialize, Serialize};

use crate::common::datetime::UnixSeconds;
use crate::zendesk::account::jobs::JobKind;
use crate::zendesk::account::{check_bulk, require_agent, Account, Counter, Job, Ticket, User};
use crate::zendesk::error::ZendeskError;

/// A soft-deleted ticket, kept until it is restored or deleted permanently (Zendesk's "Soft
/// delete"; the mirror's `deleted-tickets-openapi-original.yml`).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct DeletedTicket {
    /// The ticket as it was, its status the `previous_state`.
    pub(crate) ticket: Ticket,
    pub(crate) deleted_at: UnixSeconds,
    /// Who deleted it, the list's `actor`.
    pub(crate) actor_id: u64,
}

impl Account {
    /// Adds a deleted ticket as it is; for restoring a stored account too.
    pub(crate) fn insert_deleted_ticket(&mut self, deleted: DeletedTicket) {
        self.raise_counter(Counter::NextTicketId, deleted.ticket.id + 1);
        self.persist(|store| store.put_deleted_ticket(&deleted));
        self.deleted_tickets.insert(deleted.ticket.id, deleted);
    }

    /// The soft-deleted tickets by id, the order they were created in (ListDeletedTickets: "ordered
    /// chronologically by created date, from oldest to newest").
    pub(crate) fn deleted_tickets(
        &self,
        caller: &User,
    ) -> Result<Vec<&DeletedTicket>, ZendeskError> {
        require_agent(caller)?;
        Ok(self.deleted_tickets.values().collect())
    }

    /// Puts a soft-deleted ticket back as it was (RestoreDeletedTicket). Restoring counts as a
    /// change: the recorded restored ticket's `updated_at` moved on.
    pub(crate) fn restore_ticket(
        &mut self,
        caller: &User,
        ticket_id: u64,
        now: UnixSeconds,
    ) -> Result<(), ZendeskError> {
        require_agent(caller)?;
        self.undelete(ticket_id, now)
            .ok_or(ZendeskError::RecordNotFound)
    }

    /// Restores up to 100 soft-deleted tickets (BulkRestoreDeletedTickets); ids of no deleted
    /// ticket are skipped, as the bulk delete skips unknown ids.
    pub(crate) fn restore_many(
        &mut self,
        caller: &User,
        ticket_ids: &[u64],
        now: UnixSeconds,
    ) -> Result<(), ZendeskError> {
        require_agent(caller)?;
        check_bulk(ticket_ids.len(), "ids")?;
        for ticket_id in ticket_ids {
            self.undelete(*ticket_id, now);
        }
        Ok(())
    }

    /// Deletes a soft-deleted ticket for good, as a job (DeleteTicketPermanently). Recorded
    /// `TestDeletedTickets.test_permanently_delete`: the job has no total and completes with
    /// `{"success": true}`; restoring the ticket afterwards is not found.
    pub(crate) fn purge_ticket(
        &mut self,
        caller: &User,
        ticket_id: u64,
        now: UnixSeconds,
    ) -> Result<&Job, ZendeskError> {
        require_agent(caller)?;
        self.purge(ticket_id).ok_or(ZendeskError::RecordNotFound)?;
        Ok(self.add_done_job(JobKind::Purge, None, now))
    }

    /// Deletes up to 100 soft-deleted tickets for good, as one job (BulkPermanentlyDeleteTickets:
    /// "If one ticket fails to be deleted, the endpoint still attempts to delete the others").
    pub(crate) fn purge_many(
        &mut self,
        caller: &User,
        ticket_ids: &[u64],
        now: UnixSeconds,
    ) -> Result<&Job, ZendeskError> {
        require_agent(caller)?;
        check_bulk(ticket_ids.len(), "ids")?;
        for ticket_id in ticket_ids {
            self.purge(*ticket_id);
        }
        Ok(self.add_done_job(JobKind::Purge, Some(ticket_ids.len()), now))
    }

    /// Moves a ticket to the deleted tickets, recording who deleted it; `None` when there is no
    /// such ticket.
    pub(in crate::zendesk::account) fn soft_delete(
        &mut self,
        caller: &User,
        ticket_id: u64,
        now: UnixSeconds,
    ) -> Option<()> {
        let ticket = self.tickets.remove(&ticket_id)?;
        self.persist(|store| store.remove_ticket(ticket_id));
        self.insert_deleted_ticket(DeletedTicket {
            ticket,
            deleted_at: now,
            actor_id: caller.id,
        });
        Some(())
    }

    fn undelete(&mut self, ticket_id: u64, now: UnixSeconds) -> Option<()> {
        let mut ticket = self.deleted_tickets.remove(&ticket_id)?.ticket;
        self.persist(|store| store.remove_deleted_ticket(ticket_id));
        ticket.updated_at = now;
        self.insert_ticket(ticket);
        Some(())
    }

    fn purge(&mut self, ticket_id: u64) -> Option<()> {
        self.deleted_tickets.remove(&ticket_id)?;
        self.persist(|store| store.remove_deleted_ticket(ticket_id));
        self.audits.retain(|_, audit| audit.ticket_id != ticket_id);
        self.persist(|store| store.remove_audits(ticket_id));
        Some(())
    }
}
