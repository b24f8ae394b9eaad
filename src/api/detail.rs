//! One ticket seen up close: everything its detail view shows, and what the viewer does with it
//! (comment, work note, edit its fields, resolve, reopen, cancel, delete).

use flare_core::actions::edit::{EditProblem, FieldEdit};
use flare_core::actions::{
    servicenow_incident_actions, servicenow_request_actions, zendesk_ticket_actions, StateChange,
    TicketAction, Viewer,
};
use flare_core::error::CoreError;
use flare_core::providers::servicenow::Table;
use flare_core::ticket::{Attachment, Comment, Ticket};
use serde::{Deserialize, Serialize};

use crate::api::session::authorized;
use crate::api::{servicenow, zendesk, AccountUser, AppError, Connection};
use crate::browser::{Clock, Http, Random, Storage};

/// A ticket with its conversation, its files and what the viewer may do with it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TicketDetail {
    /// The ticket's fields.
    pub ticket: Ticket,
    /// Comments (and, for agents, work notes), oldest first.
    pub journal: Vec<Comment>,
    /// The files attached to it, with where to open each.
    pub attachments: Vec<Attachment>,
    /// The incidents filed as its follow-ups (ServiceNow), oldest first.
    pub follow_ups: Vec<Ticket>,
    /// The viewer's standing, which decides [`TicketDetail::actions`].
    pub viewer: Viewer,
    /// What the viewer may do with it, in the order to offer them.
    pub actions: Vec<TicketAction>,
}

/// The ticket `ticket_id` (the `sys_id` of a ServiceNow record of `table`, a Zendesk ticket id,
/// whose `table` is ignored) with its journal and files, read in parallel.
pub async fn ticket_detail(
    platform: &(impl Http + Storage + Clock + Random + ?Sized),
    connection: &Connection,
    table: Table,
    ticket_id: &str,
) -> Result<TicketDetail, AppError> {
    authorized(platform, connection, |connection| async move {
        match &connection.user {
            AccountUser::ServiceNow(_) => {
                let (ticket, journal, attachments, follow_ups, viewer) =
                    servicenow::ticket_detail(platform, &connection, table, ticket_id).await?;
                let actions = match table {
                    Table::Incident => servicenow_incident_actions(viewer, &ticket),
                    _ => servicenow_request_actions(viewer, &ticket),
                };
                Ok(TicketDetail {
                    ticket,
                    journal,
                    attachments,
                    follow_ups,
                    viewer,
                    actions,
                })
            }
            AccountUser::Zendesk(user) => {
                let id = zendesk_id(ticket_id)?;
                let (ticket, journal, attachments) =
                    zendesk::ticket_detail(platform, &connection, id).await?;
                let viewer = Viewer::from_zendesk_role(&user.role);
                let actions = zendesk_ticket_actions(viewer, &ticket);
                Ok(TicketDetail {
                    ticket,
                    journal,
                    attachments,
                    follow_ups: Vec::new(),
                    viewer,
                    actions,
                })
            }
        }
    })
    .await
}

/// Adds a comment the requester sees or, with `public` false, a work note.
pub async fn add_comment(
    platform: &(impl Http + Storage + Clock + Random + ?Sized),
    connection: &Connection,
    table: Table,
    ticket_id: &str,
    body: &str,
    public: bool,
) -> Result<(), AppError> {
    authorized(platform, connection, |connection| async move {
        match &connection.user {
            AccountUser::ServiceNow(_) => {
                servicenow::add_comment(platform, &connection, table, ticket_id, body, public).await
            }
            AccountUser::Zendesk(_) => {
                let id = zendesk_id(ticket_id)?;
                zendesk::add_comment(platform, &connection, id, body, public).await
            }
        }
    })
    .await
}

/// Resolves, reopens or cancels `ticket`, as it was last read.
pub async fn change_state(
    platform: &(impl Http + Storage + Clock + Random + ?Sized),
    connection: &Connection,
    ticket: &Ticket,
    change: &StateChange,
) -> Result<(), AppError> {
    authorized(platform, connection, |connection| async move {
        match &connection.user {
            AccountUser::ServiceNow(_) => {
                servicenow::update_incident(
                    platform,
                    &connection,
                    &ticket.id,
                    change.servicenow_fields(),
                )
                .await
            }
            AccountUser::Zendesk(user) => {
                let id = zendesk_id(&ticket.id)?;
                let update = change.zendesk_update(ticket, user.id).ok_or_else(|| {
                    CoreError::Validation {
                        field: None,
                        message: "Zendesk tickets cannot be cancelled".to_owned(),
                    }
                })?;
                zendesk::update_ticket(platform, &connection, id, &update).await
            }
        }
    })
    .await
}

/// Saves the fields the agent changed in `edit` on `ticket`, as it was last read. The form checks
/// the edit with the same rules first; one it let through that core still refuses is a
/// validation failure.
pub async fn edit_fields(
    platform: &(impl Http + Storage + Clock + Random + ?Sized),
    connection: &Connection,
    ticket: &Ticket,
    edit: &FieldEdit,
) -> Result<(), AppError> {
    let refused = |problem: EditProblem| CoreError::Validation {
        field: None,
        message: problem.to_string(),
    };
    authorized(platform, connection, |connection| async move {
        match &connection.user {
            AccountUser::ServiceNow(_) => {
                let fields = edit.servicenow_fields(ticket).map_err(refused)?;
                servicenow::update_incident(platform, &connection, &ticket.id, fields).await
            }
            AccountUser::Zendesk(_) => {
                let update = edit.zendesk_update(ticket).map_err(refused)?;
                let id = zendesk_id(&ticket.id)?;
                zendesk::update_ticket(platform, &connection, id, &update).await
            }
        }
    })
    .await
}

/// Deletes the ticket for good.
pub async fn delete_ticket(
    platform: &(impl Http + Storage + Clock + Random + ?Sized),
    connection: &Connection,
    table: Table,
    ticket_id: &str,
) -> Result<(), AppError> {
    authorized(platform, connection, |connection| async move {
        match &connection.user {
            AccountUser::ServiceNow(_) => {
                servicenow::delete_ticket(platform, &connection, table, ticket_id).await
            }
            AccountUser::Zendesk(_) => {
                zendesk::delete_ticket(platform, &connection, zendesk_id(ticket_id)?).await
            }
        }
    })
    .await
}

/// A Zendesk ticket id from the page's address; anything else names no ticket.
fn zendesk_id(ticket_id: &str) -> Result<u64, AppError> {
    ticket_id.parse().map_err(|_| {
        AppError::Core(CoreError::NotFound {
            message: format!("there is no ticket {ticket_id}"),
        })
    })
}
