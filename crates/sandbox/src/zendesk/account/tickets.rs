//! Tickets and their comments: reads, search, creates and updates for agents, each change kept as
//! an audit, soft deletes for those allowed to delete, and the tickets the incremental exports
//! hand out.

use flare_core::providers::zendesk::{TicketPriority, TicketStatus, TicketType};
use serde::{Deserialize, Serialize};

use crate::common::datetime::UnixSeconds;
use crate::zendesk::account::{
    check_bulk, require_admin, require_agent, require_deleter, Account, Actor, Audit, AuditEvent,
    Counter, Upload, User,
};
use crate::zendesk::error::ZendeskError;
use crate::zendesk::search::Query;
use crate::zendesk::tickets::{self, RequesterInput, TicketInput};

/// How a ticket or comment came in, `via.channel`: `api` through the API, `web` for the seeded
/// ones.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum Channel {
    Api,
    Web,
}

/// A ticket with its comments.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Ticket {
    pub(crate) id: u64,
    pub(crate) external_id: Option<String>,
    pub(crate) created_at: UnixSeconds,
    pub(crate) updated_at: UnixSeconds,
    pub(crate) ticket_type: Option<TicketType>,
    pub(crate) subject: Option<String>,
    pub(crate) description: String,
    pub(crate) priority: Option<TicketPriority>,
    pub(crate) status: TicketStatus,
    pub(crate) requester_id: u64,
    pub(crate) submitter_id: u64,
    pub(crate) assignee_id: Option<u64>,
    pub(crate) organization_id: Option<u64>,
    pub(crate) group_id: Option<u64>,
    pub(crate) tags: Vec<String>,
    /// Whether the first comment is public.
    pub(crate) is_public: bool,
    pub(crate) channel: Channel,
    pub(crate) comments: Vec<Comment>,
}

/// A comment on a ticket.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Comment {
    /// Also the id of the audit event that added it, as in Zendesk.
    pub(crate) id: u64,
    pub(crate) author_id: u64,
    pub(crate) body: String,
    pub(crate) public: bool,
    pub(crate) attachment_ids: Vec<u64>,
    pub(crate) audit_id: u64,
    pub(crate) created_at: UnixSeconds,
    pub(crate) channel: Channel,
}

/// A ticket as the incremental exports hand it out: deleted ones too, with status `deleted`, and
/// `generated_timestamp`, the time the exports compare (`incremental.yml`; recorded
/// `TicketsIncrementalTest.test_get_values`, whose deleted ticket kept its `updated_at`).
#[derive(Debug, Clone, Copy)]
pub(crate) struct ExportedTicket<'a> {
    pub(crate) ticket: &'a Ticket,
    pub(crate) generated_timestamp: UnixSeconds,
    pub(crate) deleted: bool,
}

impl Channel {
    pub(crate) fn code(self) -> &'static str {
        match self {
            Channel::Api => "api",
            Channel::Web => "web",
        }
    }
}

impl Account {
    /// Adds a ticket as it is, or replaces the one with its id; for seeding and restoring too.
    pub(crate) fn insert_ticket(&mut self, ticket: Ticket) {
        self.raise_counter(Counter::NextTicketId, ticket.id + 1);
        for comment in &ticket.comments {
            self.raise_counter(Counter::NextObjectId, comment.id + 1);
        }
        self.persist(|store| store.put_ticket(&ticket));
        self.tickets.insert(ticket.id, ticket);
    }

    pub(crate) fn ticket(&self, caller: &User, ticket_id: u64) -> Result<&Ticket, ZendeskError> {
        require_agent(caller)?;
        self.tickets
            .get(&ticket_id)
            .ok_or(ZendeskError::RecordNotFound)
    }

    /// Every ticket, oldest first, optionally only those with an `external_id` (`tickets.yml`,
    /// ListTickets).
    pub(crate) fn list_tickets(
        &self,
        caller: &User,
        external_id: Option<&str>,
    ) -> Result<Vec<&Ticket>, ZendeskError> {
        require_agent(caller)?;
        Ok(self
            .tickets
            .values()
            .filter(|ticket| external_id.is_none() || ticket.external_id.as_deref() == external_id)
            .collect())
    }

    /// The tickets a user requested, oldest first.
    pub(crate) fn requested_tickets(
        &self,
        caller: &User,
        user_id: u64,
    ) -> Result<Vec<&Ticket>, ZendeskError> {
        require_agent(caller)?;
        self.user(user_id).ok_or(ZendeskError::RecordNotFound)?;
        Ok(self
            .tickets
            .values()
            .filter(|ticket| ticket.requester_id == user_id)
            .collect())
    }

    /// Up to 100 tickets by id, in id order, leaving out ids that do not exist (recorded
    /// `show_many` replies come back in id order whatever order was asked).
    pub(crate) fn show_many(
        &self,
        caller: &User,
        ticket_ids: &[u64],
    ) -> Result<Vec<&Ticket>, ZendeskError> {
        require_agent(caller)?;
        check_bulk(ticket_ids.len(), "ids")?;
        Ok(self
            .tickets
            .values()
            .filter(|ticket| ticket_ids.contains(&ticket.id))
            .collect())
    }

    /// Tickets matching a search query, for agents.
    pub(crate) fn search_tickets(
        &self,
        caller: &User,
        query: &Query,
    ) -> Result<Vec<&Ticket>, ZendeskError> {
        require_agent(caller)?;
        Ok(self
            .tickets
            .values()
            .filter(|ticket| query.matches(ticket, caller, self))
            .collect())
    }

    pub(crate) fn create_ticket(
        &mut self,
        actor: &Actor,
        input: TicketInput,
        now: UnixSeconds,
    ) -> Result<Audit, ZendeskError> {
        require_agent(&actor.user)?;
        let description = input.first_comment_body().to_owned();
        if description.trim().is_empty() {
            return Err(ZendeskError::invalid(
                "base",
                "Description: cannot be blank",
            ));
        }
        self.check_references(&input)?;
        let mut ticket =
            tickets::new_ticket(self.counter(Counter::NextTicketId), actor.user.id, now);
        tickets::apply(&mut ticket, &input)?;
        ticket.requester_id = self.resolve_requester(&input, now).unwrap_or(actor.user.id);
        ticket.organization_id = self
            .user(ticket.requester_id)
            .and_then(|user| user.organization_id);
        ticket.description = description;
        let audit_id = self.next_object_id();
        let (public, uploads) = match &input.comment {
            Some(comment) => (comment.public.unwrap_or(true), comment.uploads.as_slice()),
            None => (true, &[][..]),
        };
        let comment = self.new_comment(
            actor.user.id,
            &ticket.description,
            public,
            uploads,
            audit_id,
            now,
        );
        ticket.is_public = comment.public;
        ticket.comments.push(comment.clone());
        let mut events = vec![AuditEvent::Comment(comment)];
        for (field_name, value) in tickets::creation_fields(&ticket) {
            events.push(AuditEvent::Create {
                id: self.next_object_id(),
                field_name: field_name.to_owned(),
                value,
            });
        }
        let audit = Audit::through_api(audit_id, ticket.id, actor, now, events);
        self.insert_ticket(ticket);
        Ok(self.insert_audit(audit).clone())
    }

    pub(crate) fn update_ticket(
        &mut self,
        actor: &Actor,
        ticket_id: u64,
        input: &TicketInput,
        now: UnixSeconds,
    ) -> Result<Audit, ZendeskError> {
        require_agent(&actor.user)?;
        let mut ticket = self
            .tickets
            .get(&ticket_id)
            .cloned()
            .ok_or(ZendeskError::RecordNotFound)?;
        // Closed tickets are read-only in Zendesk; flare-core's tests quote this refusal.
        if ticket.status == TicketStatus::Closed {
            return Err(ZendeskError::invalid(
                "status",
                "Status closed prevents ticket update",
            ));
        }
        self.check_references(input)?;
        let mut changes = tickets::apply(&mut ticket, input)?;
        if let Some(requester_id) = self.resolve_requester(input, now) {
            if requester_id != ticket.requester_id {
                changes.push(tickets::FieldChange {
                    field_name: "requester_id",
                    value: Some(requester_id.to_string()),
                    previous_value: Some(ticket.requester_id.to_string()),
                });
                ticket.requester_id = requester_id;
            }
        }
        let audit_id = self.next_object_id();
        let mut events = Vec::new();
        if let Some(comment) = input
            .comment
            .as_ref()
            .filter(|comment| comment.has_content())
        {
            // The first comment's visibility "persists for any additional comment unless you
            // change it" (Zendesk's Ticket Comments reference).
            let comment = self.new_comment(
                actor.user.id,
                &comment.body,
                comment.public.unwrap_or(ticket.is_public),
                &comment.uploads,
                audit_id,
                now,
            );
            ticket.comments.push(comment.clone());
            events.push(AuditEvent::Comment(comment));
        }
        for change in changes {
            events.push(AuditEvent::Change {
                id: self.next_object_id(),
                field_name: change.field_name.to_owned(),
                value: change.value,
                previous_value: change.previous_value,
            });
        }
        ticket.updated_at = now;
        self.insert_ticket(ticket);
        let audit = Audit::through_api(audit_id, ticket_id, actor, now, events);
        // An update that changed nothing leaves no trace in the ticket's history.
        match audit.events.is_empty() {
            true => Ok(audit),
            false => Ok(self.insert_audit(audit).clone()),
        }
    }

    /// Soft-deletes a ticket: it leaves every list and lookup for the deleted tickets, from which
    /// it can be restored (`tickets.yml`, DeleteTicket; recorded
    /// `TestDeletedTickets.test_delete_and_restore`).
    pub(crate) fn delete_ticket(
        &mut self,
        caller: &User,
        ticket_id: u64,
        now: UnixSeconds,
    ) -> Result<(), ZendeskError> {
        require_deleter(caller)?;
        self.soft_delete(caller, ticket_id, now)
            .ok_or(ZendeskError::RecordNotFound)
    }

    /// The comments of a ticket, oldest first (`tickets.yml`, ListTicketComments: agents).
    pub(crate) fn comments(
        &self,
        caller: &User,
        ticket_id: u64,
    ) -> Result<&[Comment], ZendeskError> {
        Ok(&self.ticket(caller, ticket_id)?.comments)
    }

    /// Refuses an assignee, group or requester id that a ticket cannot name.
    fn check_references(&self, input: &TicketInput) -> Result<(), ZendeskError> {
        self.check_assignee(input)?;
        self.check_group(input)?;
        self.check_requester_id(input)
    }

    /// Refuses a group that does not exist or was deleted, which can no longer be assigned. Not
    /// recorded; the body is worded like the assignee's.
    fn check_group(&self, input: &TicketInput) -> Result<(), ZendeskError> {
        let Some(Some(group_id)) = input.group_id else {
            return Ok(());
        };
        match self.live_group(group_id) {
            Ok(_) => Ok(()),
            Err(_) => Err(ZendeskError::invalid("group", "Group: is invalid")),
        }
    }

    /// Refuses an assignee who is not an agent.
    fn check_assignee(&self, input: &TicketInput) -> Result<(), ZendeskError> {
        let Some(Some(assignee_id)) = input.assignee_id else {
            return Ok(());
        };
        match self.user(assignee_id) {
            Some(user) if user.role.is_agent() && user.active => Ok(()),
            _ => Err(ZendeskError::invalid("assignee", "Assignee: is invalid")),
        }
    }

    /// Refuses a `requester_id` that names nobody.
    fn check_requester_id(&self, input: &TicketInput) -> Result<(), ZendeskError> {
        match input.requester {
            Some(RequesterInput::Id(id)) if !self.user(id).is_some_and(|user| user.active) => {
                Err(ZendeskError::invalid("requester", "Requester: is invalid"))
            }
            _ => Ok(()),
        }
    }

    /// The requester `input` names, creating an end user for an unknown e-mail address as Zendesk
    /// does; `None` when it names none.
    fn resolve_requester(&mut self, input: &TicketInput, now: UnixSeconds) -> Option<u64> {
        match input.requester.as_ref()? {
            RequesterInput::Id(id) => Some(*id),
            RequesterInput::Person { name, email } => {
                Some(self.requester_by_email(name.as_deref(), email, now))
            }
        }
    }

    /// A new comment through the API, with the files of the uploads its tokens name.
    fn new_comment(
        &mut self,
        author_id: u64,
        body: &str,
        public: bool,
        upload_tokens: &[String],
        audit_id: u64,
        now: UnixSeconds,
    ) -> Comment {
        // Unknown and expired tokens are left out: Zendesk deletes uploads whose token expired.
        let uploads: Vec<Upload> = upload_tokens
            .iter()
            .filter_map(|token| self.uploads.remove(token))
            .collect();
        for upload in &uploads {
            self.persist(|store| store.remove_upload(&upload.token));
        }
        let attachment_ids = uploads
            .into_iter()
            .filter(|upload| upload.expires_at > now)
            .flat_map(|upload| upload.attachment_ids)
            .collect();
        Comment {
            id: self.next_object_id(),
            author_id,
            body: body.to_owned(),
            public,
            attachment_ids,
            audit_id,
            created_at: now,
            channel: Channel::Api,
        }
    }

    /// Every ticket the incremental exports hand out, soft-deleted ones included (`incremental.yml`:
    /// admins only).
    pub(crate) fn exported_tickets(
        &self,
        caller: &User,
    ) -> Result<Vec<ExportedTicket<'_>>, ZendeskError> {
        require_admin(caller)?;
        let live = self.tickets.values().map(|ticket| ExportedTicket {
            ticket,
            generated_timestamp: ticket.updated_at,
            deleted: false,
        });
        let deleted = self.deleted_tickets.values().map(|deleted| ExportedTicket {
            ticket: &deleted.ticket,
            generated_timestamp: deleted.deleted_at,
            deleted: true,
        });
        Ok(live.chain(deleted).collect())
    }
}
