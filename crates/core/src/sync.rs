//! Following the user's tickets: what changed since the last look, by an updated-since watermark,
//! which changes are worth telling them about (an agent's comment, a new state), and how many
//! tickets the badge counts.
//!
//! Both service desks keep whole seconds, so each sync asks again for the watermark's own second
//! and recognises what it already saw: tickets by their state, comments by their id.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use crate::providers::zendesk::TicketSearch;
use crate::ticket::{Comment, Ticket, Timestamp};

/// What Flare remembers of the tickets it follows for one connection.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Watch {
    /// The newest change seen; `None` before the first sync.
    pub watermark: Option<Timestamp>,
    /// Each followed ticket's state code when last seen, by ticket id.
    pub known: BTreeMap<String, String>,
    /// Comments already seen that the next sync asks for again (those from the watermark's
    /// second on), by id, with when they were written.
    pub recent_comments: BTreeMap<String, Timestamp>,
    /// Tickets that changed since the user last looked: what the badge counts.
    pub unseen: BTreeSet<String>,
}

/// A change worth a notification.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Change {
    /// Someone else commented.
    Commented {
        /// The ticket's id on its service desk.
        ticket_id: String,
        /// Its reference (`INC0010001`, `#42`).
        reference: String,
        /// Its title.
        title: String,
        /// Who wrote it, when the service desk said.
        author: Option<String>,
        /// What they wrote.
        body: String,
    },
    /// The ticket moved to another state.
    StateChanged {
        /// The ticket's id on its service desk.
        ticket_id: String,
        /// Its reference.
        reference: String,
        /// Its title.
        title: String,
        /// The new state in words.
        status: String,
    },
}

impl Change {
    /// The id of the ticket that changed.
    pub fn ticket_id(&self) -> &str {
        match self {
            Change::Commented { ticket_id, .. } | Change::StateChanged { ticket_id, .. } => {
                ticket_id
            }
        }
    }
}

/// One sync's findings: the tickets changed since [`Watch::since`] and the comments made on them
/// since then, each with its ticket's id.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Findings {
    /// The changed tickets.
    pub tickets: Vec<Ticket>,
    /// Their new comments (public ones and, for agents, work notes), by ticket id.
    pub comments: Vec<(String, Comment)>,
}

impl Watch {
    /// Ask for changes after this instant; `None` means a first sync, which only learns what there
    /// is. One second before the watermark, because a change in its own second may have come
    /// after the last sync.
    pub fn since(&self) -> Option<Timestamp> {
        self.watermark.map(|watermark| Timestamp(watermark.0 - 1))
    }

    /// Takes in what a sync found and returns what is worth telling `me` about (the user's id as
    /// comments name their author: a ServiceNow user name, a Zendesk user id). The first sync
    /// tells nothing: it only learns where the tickets stand. A ticket that is new here (just
    /// filed) is followed from now on, not announced.
    pub fn apply(&mut self, findings: Findings, me: &str) -> Vec<Change> {
        let first = self.watermark.is_none();
        let mut changes = Vec::new();
        let names: BTreeMap<String, (String, String)> = findings
            .tickets
            .iter()
            .map(|ticket| {
                let name = (ticket.reference.clone(), ticket.title.clone());
                (ticket.id.clone(), name)
            })
            .collect();
        for ticket in &findings.tickets {
            let before = self
                .known
                .insert(ticket.id.clone(), ticket.status.code.clone());
            if !first && before.is_some_and(|before| before != ticket.status.code) {
                self.unseen.insert(ticket.id.clone());
                changes.push(Change::StateChanged {
                    ticket_id: ticket.id.clone(),
                    reference: ticket.reference.clone(),
                    title: ticket.title.clone(),
                    status: ticket.status.label.clone(),
                });
            }
            self.watermark = self.watermark.max(ticket.updated);
        }
        for (ticket_id, comment) in findings.comments {
            let written = comment.created.or(self.watermark).unwrap_or(Timestamp(0));
            if self
                .recent_comments
                .insert(comment.id.clone(), written)
                .is_some()
            {
                continue;
            }
            let mine = comment
                .author
                .as_ref()
                .is_some_and(|author| author.id == me);
            if first || mine || !comment.public {
                continue;
            }
            self.unseen.insert(ticket_id.clone());
            let (reference, title) = names.get(&ticket_id).cloned().unwrap_or_default();
            changes.push(Change::Commented {
                reference,
                title,
                ticket_id,
                author: comment
                    .author
                    .map(|author| author.name.unwrap_or(author.id)),
                body: comment.body,
            });
        }
        // The next sync asks again only from `since` on: older comments cannot come back.
        if let Some(since) = self.since() {
            self.recent_comments.retain(|_, written| *written >= since);
        }
        changes
    }

    /// How many tickets changed since the user last looked.
    pub fn unseen_count(&self) -> usize {
        self.unseen.len()
    }

    /// The user looked at every ticket (their list).
    pub fn mark_all_seen(&mut self) {
        self.unseen.clear();
    }

    /// The user looked at one ticket.
    pub fn mark_seen(&mut self, ticket_id: &str) {
        self.unseen.remove(ticket_id);
    }
}

/// The Zendesk search for the tickets `requester_id` requested that changed after `since`; every
/// one of them on a first sync (`None`). Zendesk has no updated-since filter on its ticket lists,
/// and its incremental export is for admins only, so following goes through search, which the
/// Tickets API allows agents and admins.
pub fn zendesk_changed_tickets(requester_id: u64, since: Option<Timestamp>) -> TicketSearch {
    TicketSearch {
        requester: Some(requester_id.to_string()),
        updated_after: since,
        ..TicketSearch::default()
    }
}

/// A Zendesk ticket's comments (oldest first, as Zendesk lists them) written after `since`, as
/// findings. The first comment is the ticket's description, written when it was filed: no news.
pub fn zendesk_comment_findings(
    ticket_id: &str,
    comments: Vec<Comment>,
    since: Timestamp,
) -> Vec<(String, Comment)> {
    comments
        .into_iter()
        .skip(1)
        .filter(|comment| comment.created.is_none_or(|written| written > since))
        .map(|comment| (ticket_id.to_owned(), comment))
        .collect()
}

#[cfg(test)]
mod tests;
