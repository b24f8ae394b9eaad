//! The calls to a Zendesk account: who signed in, filing a ticket, the tickets the user
//! requested, and what changed on them.

use flare_core::auth::Credentials;
use flare_core::driver::Fetch;
use flare_core::instance::InstanceUrl;
use flare_core::listing::ListQuery;
use flare_core::paging::Page;
use flare_core::providers::zendesk::{
    NewComment, NewTicket, OffsetPage, Paging, SafeCreate, TicketUpdate, User, Zendesk,
};
use flare_core::sync::{zendesk_changed_tickets, zendesk_comment_findings, Findings};
use flare_core::ticket::{Attachment, Comment, Ticket, Timestamp};
use futures_util::future::join;

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

/// The most comments the detail view reads (Zendesk's largest page).
const MAX_COMMENTS: u32 = 100;

/// A page of the tickets `requester` requested that `query` asks for, from `offset` on, in
/// Zendesk's order: the list of requested tickets, or a search when there are words or a status
/// to match; words that are only ticket numbers show those tickets (`show_many`).
///
/// Offset paging, because the popup pages by offset and shows a total; `offset` is always a
/// multiple of [`PAGE_SIZE`].
pub(crate) async fn requested_tickets(
    platform: &(impl Http + Clock + Random + ?Sized),
    connection: &Connection,
    requester: &User,
    query: &ListQuery,
    offset: u64,
) -> Result<Page<Ticket>, AppError> {
    let zendesk = client(connection);
    let page = OffsetPage {
        page: u32::try_from(offset / u64::from(PAGE_SIZE) + 1).unwrap_or(u32::MAX),
        per_page: PAGE_SIZE,
    };
    // Ticket numbers only: those tickets, side by side, whoever asked them.
    if let Some(ids) = query.zendesk_ids() {
        let response = send_with_retries(platform, zendesk.show_many_request(&ids)?).await?;
        let items = zendesk.parse_tickets(&response)?;
        return Ok(Page {
            total: Some(items.len() as u64),
            items,
            next_offset: None,
        });
    }
    let listed = match query.zendesk_search(requester.id) {
        Some(search) => {
            let request = zendesk.search_tickets_request(&search, page)?;
            let response = send_with_retries(platform, request).await?;
            zendesk.parse_search_page(&response, page)?
        }
        None => {
            let paging = Paging::Offset(page);
            let request = zendesk.requested_tickets_request(requester.id, &paging)?;
            let response = send_with_retries(platform, request).await?;
            zendesk.parse_ticket_page(&response, &paging)?
        }
    };
    Ok(Page {
        items: listed.items,
        total: listed.total,
        next_offset: listed.next.map(|_| offset + u64::from(PAGE_SIZE)),
    })
}

/// A ticket with its comments and their files, read in parallel. Comments come a page at a time,
/// at most [`MAX_COMMENTS`] here; a longer conversation is read on Zendesk.
pub(crate) async fn ticket_detail(
    platform: &(impl Http + Clock + Random + ?Sized),
    connection: &Connection,
    ticket_id: u64,
) -> Result<(Ticket, Vec<Comment>, Vec<Attachment>), AppError> {
    let zendesk = client(connection);
    let paging = Paging::Offset(OffsetPage {
        page: 1,
        per_page: MAX_COMMENTS,
    });
    let comments_request = zendesk.list_comments_request(ticket_id, &paging)?;
    let (ticket, comments) = join(
        send_with_retries(platform, zendesk.show_ticket_request(ticket_id)),
        send_with_retries(platform, comments_request),
    )
    .await;
    let ticket = zendesk.parse_ticket(&ticket?)?;
    let comments = comments?;
    Ok((
        ticket,
        zendesk.parse_comment_page(&comments, &paging)?.items,
        zendesk.parse_attachment_page(&comments, &paging)?.items,
    ))
}

/// Adds a public comment or, with `public` false, an internal note.
pub(crate) async fn add_comment(
    platform: &(impl Http + Clock + Random + ?Sized),
    connection: &Connection,
    ticket_id: u64,
    body: &str,
    public: bool,
) -> Result<(), AppError> {
    let zendesk = client(connection);
    let comment = NewComment {
        body: body.to_owned(),
        public,
        uploads: Vec::new(),
    };
    let request = zendesk.add_comment_request(ticket_id, &comment);
    let response = drive(platform, Fetch::appending(request)).await?;
    zendesk
        .parse_ticket(&response)
        .map(drop)
        .map_err(AppError::from)
}

/// Applies `update` to a ticket; one with a comment is sent like a comment.
pub(crate) async fn update_ticket(
    platform: &(impl Http + Clock + Random + ?Sized),
    connection: &Connection,
    ticket_id: u64,
    update: &TicketUpdate,
) -> Result<(), AppError> {
    let zendesk = client(connection);
    let request = zendesk.update_ticket_request(ticket_id, update);
    let fetch = match update.comment {
        Some(_) => Fetch::appending(request),
        None => Fetch::new(request),
    };
    let response = drive(platform, fetch).await?;
    zendesk
        .parse_ticket(&response)
        .map(drop)
        .map_err(AppError::from)
}

/// Deletes a ticket (agents with the permission to).
pub(crate) async fn delete_ticket(
    platform: &(impl Http + Clock + Random + ?Sized),
    connection: &Connection,
    ticket_id: u64,
) -> Result<(), AppError> {
    let zendesk = client(connection);
    let response = send_with_retries(platform, zendesk.delete_ticket_request(ticket_id)).await?;
    Ok(zendesk.parse_deleted(&response)?)
}

/// How many changed tickets one sync reads; more changed at once are read by the next sync.
const SYNC_LIMIT: u32 = 100;

/// The tickets `requester` requested that changed after `since` (every one on a first sync), and
/// the comments written on them since, their descriptions left out (flare-core's `sync`).
pub(crate) async fn changes_since(
    platform: &(impl Http + Clock + Random + ?Sized),
    connection: &Connection,
    requester: &User,
    since: Option<Timestamp>,
) -> Result<Findings, AppError> {
    let zendesk = client(connection);
    let page = OffsetPage {
        page: 1,
        per_page: SYNC_LIMIT,
    };
    let search = zendesk_changed_tickets(requester.id, since);
    let response =
        send_with_retries(platform, zendesk.search_tickets_request(&search, page)?).await?;
    let tickets = zendesk.parse_search_page(&response, page)?.items;
    let mut comments = Vec::new();
    if let Some(since) = since {
        let paging = Paging::Offset(OffsetPage {
            page: 1,
            per_page: MAX_COMMENTS,
        });
        for ticket in &tickets {
            let Ok(id) = ticket.id.parse::<u64>() else {
                continue;
            };
            let request = zendesk.list_comments_request(id, &paging)?;
            let response = send_with_retries(platform, request).await?;
            let listed = zendesk.parse_comment_page(&response, &paging)?.items;
            comments.extend(zendesk_comment_findings(&ticket.id, listed, since));
        }
    }
    Ok(Findings { tickets, comments })
}

fn client(connection: &Connection) -> Zendesk {
    Zendesk::new(connection.instance.clone(), connection.credentials.clone())
}
