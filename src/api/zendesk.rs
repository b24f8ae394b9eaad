//! The calls to a Zendesk account: who signed in, filing a ticket, the tickets the user
//! requested.

use flare_core::auth::Credentials;
use flare_core::instance::InstanceUrl;
use flare_core::paging::Page;
use flare_core::providers::zendesk::{NewTicket, OffsetPage, Paging, SafeCreate, User, Zendesk};
use flare_core::ticket::Ticket;

use crate::api::{drive, send_with_retries, AppError, Connection, ReportId, PAGE_SIZE};
use crate::browser::{Clock, Http, Random};

/// The user the credentials sign in as (`/users/me`).
pub(crate) async fn current_user(
    platform: &(impl Http + Clock + Random + ?Sized),
    instance: &InstanceUrl,
    credentials: &Credentials,
) -> Result<User, AppError> {
    let zendesk = Zendesk::new(instance.clone(), credentials.clone());
    let response = send_with_retries(platform, zendesk.me_request()).await?;
    Ok(zendesk.parse_user(&response)?)
}

/// Files `ticket` with the signed-in user as its requester, safe to retry by its correlation id
/// (`external_id`).
pub(crate) async fn create_ticket(
    platform: &(impl Http + Clock + Random + ?Sized),
    connection: &Connection,
    ticket: NewTicket,
    report: ReportId<'_>,
) -> Result<Ticket, AppError> {
    let mine = NewTicket {
        requester: None,
        ..ticket
    };
    let create = SafeCreate::new(client(connection), mine, report.correlation_id);
    let create = match report.tried_before {
        true => create.looking_up_first(),
        false => create,
    };
    drive(platform, create).await
}

/// A page of the tickets `requester` requested, from `offset` on, in Zendesk's order.
///
/// Offset paging, because the popup pages by offset and shows a total; `offset` is always a
/// multiple of [`PAGE_SIZE`].
pub(crate) async fn requested_tickets(
    platform: &(impl Http + Clock + Random + ?Sized),
    connection: &Connection,
    requester: &User,
    offset: u64,
) -> Result<Page<Ticket>, AppError> {
    let zendesk = client(connection);
    let page_idx = offset / u64::from(PAGE_SIZE);
    let paging = Paging::Offset(OffsetPage {
        page: u32::try_from(page_idx + 1).unwrap_or(u32::MAX),
        per_page: PAGE_SIZE,
    });
    let request = zendesk.requested_tickets_request(requester.id, &paging)?;
    let response = send_with_retries(platform, request).await?;
    let page = zendesk.parse_ticket_page(&response, &paging)?;
    Ok(Page {
        items: page.items,
        total: page.total,
        next_offset: page.next.map(|_| offset + u64::from(PAGE_SIZE)),
    })
}

fn client(connection: &Connection) -> Zendesk {
    Zendesk::new(connection.instance.clone(), connection.credentials.clone())
}
