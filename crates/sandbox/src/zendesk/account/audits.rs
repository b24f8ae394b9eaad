//! Audits, the history of each ticket: one for every create or update that changed something,
//! read by agents ticket by ticket and by admins all at once.

use serde::{Deserialize, Serialize};

use crate::common::datetime::UnixSeconds;
use crate::zendesk::account::{require_admin, Account, Actor, Channel, Comment, Counter, User};
use crate::zendesk::error::ZendeskError;

/// What one ticket create or update recorded: the `audit` of the reply, kept for the audit lists.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Audit {
    pub(crate) id: u64,
    pub(crate) ticket_id: u64,
    pub(crate) created_at: UnixSeconds,
    pub(crate) author_id: u64,
    /// The caller's `User-Agent`, which Zendesk shows as `metadata.system.client`; `None` for
    /// changes the account made itself, whose `metadata.system` is empty (recorded
    /// `TestTicketAudits`: the sample ticket's audits).
    pub(crate) client: Option<String>,
    pub(crate) channel: Channel,
    pub(crate) events: Vec<AuditEvent>,
}

/// One change an audit records.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) enum AuditEvent {
    /// A comment; the event carries the comment's id.
    Comment(Comment),
    Create {
        id: u64,
        field_name: String,
        value: Option<String>,
    },
    Change {
        id: u64,
        field_name: String,
        value: Option<String>,
        previous_value: Option<String>,
    },
}

impl Audit {
    /// What a change `actor` made through the API recorded.
    pub(in crate::zendesk::account) fn through_api(
        id: u64,
        ticket_id: u64,
        actor: &Actor,
        now: UnixSeconds,
        events: Vec<AuditEvent>,
    ) -> Audit {
        Audit {
            id,
            ticket_id,
            created_at: now,
            author_id: actor.user.id,
            client: Some(actor.client.clone()),
            channel: Channel::Api,
            events,
        }
    }
}

impl AuditEvent {
    pub(crate) fn id(&self) -> u64 {
        match self {
            AuditEvent::Comment(comment) => comment.id,
            AuditEvent::Create { id, .. } | AuditEvent::Change { id, .. } => *id,
        }
    }
}

impl Account {
    /// Adds an audit as it is; for seeding and restoring too.
    pub(crate) fn insert_audit(&mut self, audit: Audit) -> &Audit {
        let last_id = audit
            .events
            .iter()
            .map(AuditEvent::id)
            .fold(audit.id, u64::max);
        self.raise_counter(Counter::NextObjectId, last_id + 1);
        self.persist(|store| store.put_audit(&audit));
        let audit_id = audit.id;
        self.audits.insert(audit_id, audit);
        &self.audits[&audit_id]
    }

    /// The audits of every ticket not deleted, oldest first (`ticket-audits.yml`,
    /// ListTicketAudits: admins; recorded `TestTicketAudits`: in `created_at,id` order).
    pub(crate) fn list_audits(&self, caller: &User) -> Result<Vec<&Audit>, ZendeskError> {
        require_admin(caller)?;
        Ok(self.audits_by_time(|audit| self.tickets.contains_key(&audit.ticket_id)))
    }

    /// A ticket's audits, oldest first (`tickets.yml`, ListAuditsForTicket: agents).
    pub(crate) fn ticket_audits(
        &self,
        caller: &User,
        ticket_id: u64,
    ) -> Result<Vec<&Audit>, ZendeskError> {
        self.ticket(caller, ticket_id)?;
        Ok(self.audits_by_time(|audit| audit.ticket_id == ticket_id))
    }

    /// One audit of a ticket (`tickets.yml`, ShowTicketAudit: agents).
    pub(crate) fn ticket_audit(
        &self,
        caller: &User,
        ticket_id: u64,
        audit_id: u64,
    ) -> Result<&Audit, ZendeskError> {
        self.ticket(caller, ticket_id)?;
        self.audits
            .get(&audit_id)
            .filter(|audit| audit.ticket_id == ticket_id)
            .ok_or(ZendeskError::RecordNotFound)
    }

    /// The audits `keep` keeps, in the recorded list order: by time, then by id.
    fn audits_by_time(&self, keep: impl Fn(&Audit) -> bool) -> Vec<&Audit> {
        let mut audits: Vec<&Audit> = self.audits.values().filter(|audit| keep(audit)).collect();
        audits.sort_by_key(|audit| (audit.created_at, audit.id));
        audits
    }
}
