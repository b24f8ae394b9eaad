//! The calls to a ServiceNow instance: who signed in, filing an incident, the user's incidents.

use std::collections::BTreeMap;

use flare_core::actions::Viewer;
use flare_core::auth::Credentials;
use flare_core::driver::Fetch;
use flare_core::instance::InstanceUrl;
use flare_core::listing::{ListQuery, Whose};
use flare_core::paging::Page;
use flare_core::providers::servicenow::{
    NewIncident, NewRequest, SafeCreate, ServiceNow, Table, TicketFilter, User,
};
use flare_core::sync::Findings;
use flare_core::ticket::{Attachment, Comment, Ticket, Timestamp};
use futures_util::future::join5;

use crate::api::{drive, send_with_retries, AppError, Connection, ReportId, PAGE_SIZE};
use crate::browser::{Clock, Http, Random};

/// The `sys_user` the credentials sign in as.
pub(crate) async fn current_user(
    platform: &(impl Http + Clock + Random + ?Sized),
    instance: &InstanceUrl,
    credentials: &Credentials,
) -> Result<User, AppError> {
    let servicenow = ServiceNow::new(instance.clone(), credentials.clone());
    let response = send_with_retries(platform, servicenow.current_user_request()).await?;
    Ok(servicenow.parse_user(&response)?)
}

/// Files `incident` with `caller` as its caller and the template's `fixed` values, safe to retry
/// by its correlation id.
pub(crate) async fn create_incident(
    platform: &(impl Http + Clock + Random + ?Sized),
    connection: &Connection,
    caller: &User,
    incident: NewIncident,
    fixed: BTreeMap<String, String>,
    report: ReportId<'_>,
) -> Result<Ticket, AppError> {
    let mut fields = fixed;
    fields.extend(
        NewIncident {
            caller_id: caller.sys_id.clone(),
            ..incident
        }
        .fields(),
    );
    let create = SafeCreate::new(
        client(connection),
        Table::Incident,
        fields,
        report.correlation_id,
    );
    let create = match report.tried_before {
        true => create.looking_up_first(),
        false => create,
    };
    drive(platform, create).await
}

/// Files `request` for `user`, safe to retry by its correlation id.
pub(crate) async fn create_request(
    platform: &(impl Http + Clock + Random + ?Sized),
    connection: &Connection,
    user: &User,
    request: NewRequest,
    report: ReportId<'_>,
) -> Result<Ticket, AppError> {
    let fields = NewRequest {
        requested_for: user.sys_id.clone(),
        ..request
    }
    .fields();
    let create = SafeCreate::new(
        client(connection),
        Table::Request,
        fields,
        report.correlation_id,
    );
    let create = match report.tried_before {
        true => create.looking_up_first(),
        false => create,
    };
    drive(platform, create).await
}

/// A page of the list `query` asks for, for `user`: the incidents they reported, are assigned or
/// whose groups are assigned (groups read from `sys_user_grmember` for that list only), or the
/// requests made for them.
pub(crate) async fn my_tickets(
    platform: &(impl Http + Clock + Random + ?Sized),
    connection: &Connection,
    user: &User,
    query: &ListQuery,
    offset: u64,
) -> Result<Page<Ticket>, AppError> {
    let servicenow = client(connection);
    let groups = match query.whose {
        Whose::MyGroups => {
            let request = servicenow.member_groups_request(&user.sys_id);
            servicenow.parse_group_ids(&send_with_retries(platform, request).await?)?
        }
        Whose::Mine | Whose::AssignedToMe | Whose::MyRequests => Vec::new(),
    };
    let Some(filter) = query.servicenow_list_filter(&user.sys_id, &groups) else {
        return Ok(Page {
            items: Vec::new(),
            total: Some(0),
            next_offset: None,
        });
    };
    let table = query.servicenow_table();
    let request = servicenow.list_tickets_request(table, &filter, PAGE_SIZE, offset);
    let response = send_with_retries(platform, request).await?;
    Ok(servicenow.parse_ticket_page(table, &response, PAGE_SIZE, offset)?)
}

/// The lists the signed-in user is offered, by their roles.
pub(crate) async fn lists(
    platform: &(impl Http + Clock + Random + ?Sized),
    connection: &Connection,
) -> Result<Vec<Whose>, AppError> {
    let servicenow = client(connection);
    let response = send_with_retries(platform, servicenow.current_roles_request()).await?;
    Ok(Whose::servicenow_lists(servicenow.parse_viewer(&response)?))
}

/// The most journal entries the detail view shows; a ticket with more is read on the instance.
const JOURNAL_LIMIT: u32 = 200;

/// The most follow-ups the detail view lists.
const FOLLOW_UP_LIMIT: u32 = 50;

/// A ticket, its journal, its files, its follow-ups and the viewer's standing.
pub(crate) type Detail = (Ticket, Vec<Comment>, Vec<Attachment>, Vec<Ticket>, Viewer);

/// A ticket of `table` with its journal, its files, its follow-ups (incidents only) and the
/// viewer's standing, read in parallel.
pub(crate) async fn ticket_detail(
    platform: &(impl Http + Clock + Random + ?Sized),
    connection: &Connection,
    table: Table,
    sys_id: &str,
) -> Result<Detail, AppError> {
    let servicenow = client(connection);
    let follow_ups = async {
        match table {
            Table::Incident => {
                let request = servicenow.follow_ups_request(sys_id, FOLLOW_UP_LIMIT);
                Some(send_with_retries(platform, request).await)
            }
            _ => None,
        }
    };
    let (ticket, journal, attachments, follow_ups, viewer) = join5(
        send_with_retries(platform, servicenow.get_ticket_request(table, sys_id)),
        send_with_retries(platform, servicenow.journal_request(sys_id, JOURNAL_LIMIT)),
        send_with_retries(platform, servicenow.list_attachments_request(sys_id)),
        follow_ups,
        send_with_retries(platform, servicenow.current_roles_request()),
    )
    .await;
    let ticket = servicenow.parse_ticket(table, &ticket?)?;
    let attachments = servicenow
        .parse_attachments(&attachments?)?
        .into_iter()
        // Opened in the browser, where the user's own instance session gives access.
        .map(|file| Attachment {
            download_url: servicenow.record_link("sys_attachment", &file.id),
            ..file
        })
        .collect();
    let follow_ups = match follow_ups {
        Some(response) => {
            servicenow
                .parse_incident_page(&response?, FOLLOW_UP_LIMIT, 0)?
                .items
        }
        None => Vec::new(),
    };
    Ok((
        ticket,
        servicenow.parse_journal(&journal?)?,
        attachments,
        follow_ups,
        servicenow.parse_viewer(&viewer?)?,
    ))
}

/// Adds a comment or, with `public` false, a work note to a ticket of `table`.
pub(crate) async fn add_comment(
    platform: &(impl Http + Clock + Random + ?Sized),
    connection: &Connection,
    table: Table,
    sys_id: &str,
    body: &str,
    public: bool,
) -> Result<(), AppError> {
    let servicenow = client(connection);
    let request = servicenow.add_comment_request(table, sys_id, body, public);
    let response = drive(platform, Fetch::appending(request)).await?;
    servicenow
        .parse_ticket(table, &response)
        .map(drop)
        .map_err(AppError::from)
}

/// Sets these fields of an incident.
pub(crate) async fn update_incident(
    platform: &(impl Http + Clock + Random + ?Sized),
    connection: &Connection,
    sys_id: &str,
    fields: BTreeMap<String, String>,
) -> Result<(), AppError> {
    let servicenow = client(connection);
    let request = servicenow.update_ticket_request(Table::Incident, sys_id, &fields);
    let response = send_with_retries(platform, request).await?;
    servicenow
        .parse_incident(&response)
        .map(drop)
        .map_err(AppError::from)
}

/// Deletes a ticket of `table`.
pub(crate) async fn delete_ticket(
    platform: &(impl Http + Clock + Random + ?Sized),
    connection: &Connection,
    table: Table,
    sys_id: &str,
) -> Result<(), AppError> {
    let servicenow = client(connection);
    let request = servicenow.delete_ticket_request(table, sys_id);
    let response = send_with_retries(platform, request).await?;
    Ok(servicenow.parse_deleted(&response)?)
}

/// How many changed incidents one sync reads; more changed at once are read by the next sync.
const SYNC_LIMIT: u32 = 100;

/// The incidents `caller` reported that changed after `since` (the newest on a first sync), and
/// the journal entries written on them since.
pub(crate) async fn changes_since(
    platform: &(impl Http + Clock + Random + ?Sized),
    connection: &Connection,
    caller: &User,
    since: Option<Timestamp>,
) -> Result<Findings, AppError> {
    let servicenow = client(connection);
    let filter = TicketFilter {
        requester: Some(caller.sys_id.clone()),
        updated_since: since,
        ..TicketFilter::default()
    };
    let request = servicenow.list_tickets_request(Table::Incident, &filter, SYNC_LIMIT, 0);
    let response = send_with_retries(platform, request).await?;
    let tickets = servicenow
        .parse_incident_page(&response, SYNC_LIMIT, 0)?
        .items;
    let comments = match since {
        Some(since) if !tickets.is_empty() => {
            let ids: Vec<String> = tickets.iter().map(|ticket| ticket.id.clone()).collect();
            let request = servicenow.journal_since_request(&ids, since, JOURNAL_LIMIT);
            let response = send_with_retries(platform, request).await?;
            servicenow.parse_journal_by_ticket(&response)?
        }
        _ => Vec::new(),
    };
    Ok(Findings { tickets, comments })
}

fn client(connection: &Connection) -> ServiceNow {
    ServiceNow::new(connection.instance.clone(), connection.credentials.clone())
}
