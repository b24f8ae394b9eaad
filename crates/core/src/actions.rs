//! What someone may do with a ticket they are looking at, and what each change sends: the rules
//! behind the detail view's buttons, the same for every surface.
//!
//! The service desk has the last word (its ACLs may be stricter than a fresh instance's); these
//! rules only keep buttons away from people the desk would refuse anyway.

pub mod edit;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::providers::zendesk::{NewComment, TicketStatus, TicketUpdate};
use crate::ticket::{StatusCategory, Ticket};

/// The viewer's standing on the service desk.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Viewer {
    /// Someone who asks for help: a ServiceNow user without roles, a Zendesk end user.
    Requester,
    /// Someone who works tickets: ServiceNow `itil`, a Zendesk agent.
    Agent,
    /// A ServiceNow `admin` or a Zendesk admin.
    Admin,
}

/// Something the detail view offers to do with a ticket.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum TicketAction {
    /// A comment the requester sees.
    Comment,
    /// A note only agents see (ServiceNow work note, Zendesk internal note).
    WorkNote,
    /// Change its fields (title; ServiceNow urgency and impact, Zendesk priority): see
    /// [`edit::FieldEdit`].
    Edit,
    /// Mark it resolved (Zendesk: solved), with a resolution.
    Resolve,
    /// Open a resolved ticket again.
    Reopen,
    /// Withdraw an open ticket nobody needs to work on any more (ServiceNow `Canceled`).
    Cancel,
    /// Remove the ticket for good.
    Delete,
}

/// A change to a ticket's state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum StateChange {
    /// Resolve it: ServiceNow needs a resolution code and notes; Zendesk adds the notes as a
    /// public comment.
    Resolve {
        /// A ServiceNow `close_code` choice (see [`SERVICENOW_CLOSE_CODES`]); Zendesk has none.
        close_code: String,
        /// What was done.
        notes: String,
    },
    /// Open it again.
    Reopen,
    /// Cancel it (ServiceNow only).
    Cancel,
}

/// The resolution codes of a fresh instance's incident `close_code` choice list.
pub const SERVICENOW_CLOSE_CODES: [&str; 10] = [
    "Solution provided",
    "Workaround provided",
    "Resolved by caller",
    "Resolved by change",
    "Resolved by problem",
    "Resolved by request",
    "Known error",
    "Duplicate",
    "No resolution provided",
    "User error",
];

/// ServiceNow incident states Flare moves tickets to.
const SERVICENOW_IN_PROGRESS: &str = "2";
const SERVICENOW_RESOLVED: &str = "6";
const SERVICENOW_CLOSED: &str = "7";
const SERVICENOW_CANCELED: &str = "8";

impl Viewer {
    /// A ServiceNow user's standing from their role names (`sys_user.roles`).
    pub fn from_servicenow_roles<'a>(roles: impl IntoIterator<Item = &'a str>) -> Viewer {
        roles
            .into_iter()
            .map(|role| match role.trim() {
                "admin" => Viewer::Admin,
                "itil" => Viewer::Agent,
                _ => Viewer::Requester,
            })
            .max()
            .unwrap_or(Viewer::Requester)
    }

    /// A Zendesk user's standing from their `role` (`end-user`, `agent`, `admin`).
    pub fn from_zendesk_role(role: &str) -> Viewer {
        match role {
            "admin" => Viewer::Admin,
            "agent" => Viewer::Agent,
            _ => Viewer::Requester,
        }
    }

    fn works_tickets(self) -> bool {
        self >= Viewer::Agent
    }
}

/// What `viewer` may do with a ServiceNow incident, in the order the view offers them.
///
/// A fresh instance lets callers only comment on their own incidents, agents change any
/// incident (its fields too), and only admins delete. A closed incident is locked; a resolved one
/// can be reopened.
pub fn servicenow_incident_actions(viewer: Viewer, ticket: &Ticket) -> Vec<TicketAction> {
    let state = ticket.status.code.as_str();
    let mut actions = vec![TicketAction::Comment];
    if viewer.works_tickets() {
        actions.extend([TicketAction::WorkNote, TicketAction::Edit]);
        match ticket.status.category {
            StatusCategory::Open => {
                actions.extend([TicketAction::Resolve, TicketAction::Cancel]);
            }
            StatusCategory::Completed if state == SERVICENOW_RESOLVED => {
                actions.push(TicketAction::Reopen);
            }
            StatusCategory::Completed => {}
        }
    }
    if state == SERVICENOW_CLOSED || state == SERVICENOW_CANCELED {
        actions.retain(|action| *action == TicketAction::WorkNote);
    }
    if viewer == Viewer::Admin {
        actions.push(TicketAction::Delete);
    }
    actions
}

/// What `viewer` may do with a ServiceNow request (`sc_request`): comment while it is open
/// (agents also a work note), and admins delete. Its life is the catalog's fulfilment, so Flare
/// offers no state changes or field edits on it.
pub fn servicenow_request_actions(viewer: Viewer, ticket: &Ticket) -> Vec<TicketAction> {
    let mut actions = Vec::new();
    if ticket.status.category == StatusCategory::Open {
        actions.push(TicketAction::Comment);
        if viewer.works_tickets() {
            actions.push(TicketAction::WorkNote);
        }
    }
    if viewer == Viewer::Admin {
        actions.push(TicketAction::Delete);
    }
    actions
}

/// What `viewer` may do with a Zendesk ticket. Only agents reach tickets through the Tickets
/// API; a closed ticket takes no more changes, only deletion.
pub fn zendesk_ticket_actions(viewer: Viewer, ticket: &Ticket) -> Vec<TicketAction> {
    if !viewer.works_tickets() {
        return Vec::new();
    }
    let mut actions = match TicketStatus::from_code(&ticket.status.code) {
        Some(TicketStatus::Closed) => Vec::new(),
        Some(TicketStatus::Solved) => vec![
            TicketAction::Comment,
            TicketAction::WorkNote,
            TicketAction::Edit,
            TicketAction::Reopen,
        ],
        _ => vec![
            TicketAction::Comment,
            TicketAction::WorkNote,
            TicketAction::Edit,
            TicketAction::Resolve,
        ],
    };
    actions.push(TicketAction::Delete);
    actions
}

impl StateChange {
    /// The incident fields this change sets through the Table API.
    pub fn servicenow_fields(&self) -> BTreeMap<String, String> {
        let fields: &[(&str, &str)] = match self {
            StateChange::Resolve { close_code, notes } => &[
                ("state", SERVICENOW_RESOLVED),
                ("close_code", close_code),
                ("close_notes", notes),
            ],
            StateChange::Reopen => &[("state", SERVICENOW_IN_PROGRESS)],
            StateChange::Cancel => &[("state", SERVICENOW_CANCELED)],
        };
        fields
            .iter()
            .map(|(name, value)| ((*name).to_owned(), (*value).to_owned()))
            .collect()
    }

    /// The Zendesk ticket update for this change to `ticket`, made by the agent `viewer_id`;
    /// `None` for what Zendesk has no state for. Zendesk solves nothing without an assignee, so
    /// an unassigned ticket is assigned to the agent solving it, as Zendesk's own agent view does.
    pub fn zendesk_update(&self, ticket: &Ticket, viewer_id: u64) -> Option<TicketUpdate> {
        let update = match self {
            StateChange::Resolve { notes, .. } => TicketUpdate {
                status: Some(TicketStatus::Solved),
                assignee_id: ticket.assignee.is_none().then_some(viewer_id),
                comment: (!notes.trim().is_empty()).then(|| NewComment {
                    body: notes.clone(),
                    public: true,
                    uploads: Vec::new(),
                }),
                ..TicketUpdate::default()
            },
            StateChange::Reopen => TicketUpdate {
                status: Some(TicketStatus::Open),
                ..TicketUpdate::default()
            },
            StateChange::Cancel => return None,
        };
        Some(update)
    }
}

#[cfg(test)]
mod tests;
