//! The calls to a ServiceNow instance: who signed in, filing an incident, the user's incidents.

use std::collections::BTreeMap;

use flare_core::actions::Viewer;
use flare_core::auth::Credentials;
use flare_core::driver::Fetch;
use flare_core::instance::InstanceUrl;
use flare_core::listing::ListQuery;
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

/// A page of the incidents `caller` reported that `query` asks for.
pub(crate) async fn my_incidents(
    platform: &(impl Http + Clock + Random + ?Sized),
    connection: &Connection,
    caller: &User,
    query: &ListQuery,
    offset: u64,
) -> Result<Page<Ticket>, AppError> {
    let servicenow = client(connection);
    let filter = query.servicenow_filter(&caller.sys_id);
    let request = servicenow.list_tickets_request(Table::Incident, &filter, PAGE_SIZE, offset);
    let response = send_with_retries(platform, request).await?;
    Ok(servicenow.parse_incident_page(&response, PAGE_SIZE, offset)?)
}

/// The most journal entries the detail view shows; a ticket with more is read on the instance.
const JOURNAL_LIMIT: u32 = 200;

/// The most follow-ups the detail view lists.
const FOLLOW_UP_LIMIT: u32 = 50;

/// An incident, its journal, its files, its follow-ups and the viewer's standing.
pub(crate) type IncidentDetail = (Ticket, Vec<Comment>, Vec<Attachment>, Vec<Ticket>, Viewer);

/// An incident with its journal, its files, its follow-ups and the viewer's standing, read in
/// parallel.
pub(crate) async fn incident_detail(
    platform: &(impl Http + Clock + Random + ?Sized),
    connection: &Connection,
    sys_id: &str,
) -> Result<IncidentDetail, AppError> {
    let servicenow = client(connection);
    let (ticket, journal, attachments, follow_ups, viewer) = join5(
        send_with_retries(
            platform,
            servicenow.get_ticket_request(Table::Incident, sys_id),
        ),
        send_with_retries(platform, servicenow.journal_request(sys_id, JOURNAL_LIMIT)),
        send_with_retries(platform, servicenow.list_attachments_request(sys_id)),
        send_with_retries(
            platform,
            servicenow.follow_ups_request(sys_id, FOLLOW_UP_LIMIT),
        ),
        send_with_retries(platform, servicenow.current_roles_request()),
    )
    .await;
    let ticket = servicenow.parse_incident(&ticket?)?;
    let attachments = servicenow
        .parse_attachments(&attachments?)?
        .into_iter()
        // Opened in the browser, where the user's own instance session gives access.
        .map(|file| Attachment {
            download_url: servicenow.record_link("sys_attachment", &file.id),
            ..file
        })
        .collect();
    let follow_ups = servicenow
        .parse_incident_page(&follow_ups?, FOLLOW_UP_LIMIT, 0)?
        .items;
    Ok((
        ticket,
        servicenow.parse_journal(&journal?)?,
        attachments,
        follow_ups,
        servicenow.parse_viewer(&viewer?)?,
    ))
}

/// Adds a comment or, with `public` false, a work note to an incident.
pub(crate) async fn add_comment(
    platform: &(impl Http + Clock + Random + ?Sized),
    connection: &Connection,
    sys_id: &str,
    body: &str,
    public: bool,
) -> Result<(), AppError> {
    let servicenow = client(connection);
    let request = servicenow.add_comment_request(Table::Incident, sys_id, body, public);
    let response = drive(platform, Fetch::appending(request)).await?;
    servicenow
        .parse_incident(&response)
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

/// Deletes an incident.
pub(crate) async fn delete_incident(
    platform: &(impl Http + Clock + Random + ?Sized),
    connection: &Connection,
    sys_id: &str,
) -> Result<(), AppError> {
    let servicenow = client(connection);
    let request = servicenow.delete_ticket_request(Table::Incident, sys_id);
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
