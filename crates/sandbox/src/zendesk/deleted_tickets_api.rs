//! `/api/v2/deleted_tickets`: list, restore and delete for good, one or many at a time (the
//! mirror's `deleted-tickets-openapi-original.yml`; recorded `TestDeletedTickets`); thin handlers
//! over `account.rs`.
//!
//! A restore answers 200 with `{}` (recorded; the reference says "Empty response"), a permanent
//! delete a queued job status that completes with `{"success": true}` (recorded). The list pages
//! by offset or cursor like tickets, by id unless `sort_by=deleted_at`, and backwards with
//! `sort_order=desc` (ListDeletedTickets: `sort_by`, `sort_order`).

use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{delete, get, put};
use axum::Router;

use crate::common::datetime;
use crate::common::server::Linked;
use crate::zendesk::account::DeletedTicket;
use crate::zendesk::auth::Caller;
use crate::zendesk::error::ZendeskError;
use crate::zendesk::extract::{json_route, Params, RecordId};
use crate::zendesk::paging::{paginate, CursorKey, ListUrl, PageRequest};
use crate::zendesk::wire::{json_text_response, list_response, queued_job_response};
use crate::zendesk::ZendeskState;

pub(crate) fn routes() -> Router<ZendeskState> {
    let router = Router::new().route("/api/v2/deleted_tickets/{ticket_id}", delete(purge_ticket));
    let router = json_route(router, "/api/v2/deleted_tickets", get(list_deleted));
    let router = json_route(
        router,
        "/api/v2/deleted_tickets/{ticket_id}/restore",
        put(restore_ticket),
    );
    let router = json_route(
        router,
        "/api/v2/deleted_tickets/restore_many",
        put(restore_many),
    );
    json_route(
        router,
        "/api/v2/deleted_tickets/destroy_many",
        delete(purge_many),
    )
}

async fn list_deleted(
    Linked(state): Linked<ZendeskState>,
    Caller(actor): Caller,
    params: Params,
) -> Result<Response, ZendeskError> {
    let request = PageRequest::parse(&params.0)?;
    let by_deletion = params.get("sort_by") == Some("deleted_at");
    let newest_first = params.get("sort_order") == Some("desc");
    let account = state.account();
    let mut deleted = account.deleted_tickets(&actor.user)?;
    // Cursor paging walks ascending keys, so backward lists use keys that grow as values shrink.
    let key = move |deleted: &&DeletedTicket| {
        let id = match newest_first {
            true => u64::MAX - deleted.ticket.id,
            false => deleted.ticket.id,
        };
        match (by_deletion, newest_first) {
            (true, true) => CursorKey::time_and_id(-deleted.deleted_at, id),
            (true, false) => CursorKey::time_and_id(deleted.deleted_at, id),
            (false, _) => CursorKey::id(id),
        }
    };
    deleted.sort_by_key(key);
    let kept: Vec<(&str, &str)> = ["sort_by", "sort_order"]
        .into_iter()
        .filter_map(|name| params.get(name).map(|value| (name, value)))
        .collect();
    let render = state.renderer();
    let list = ListUrl {
        url: render.api_url("deleted_tickets.json"),
        kept,
        order: match by_deletion {
            true => "deleted_at,id",
            false => "id",
        },
    };
    let page = paginate(deleted, key, &request, &list);
    Ok(list_response("deleted_tickets", page, |deleted| {
        render.deleted_ticket(deleted, account.user(deleted.actor_id))
    }))
}

async fn restore_ticket(
    Linked(state): Linked<ZendeskState>,
    Caller(actor): Caller,
    RecordId(ticket_id): RecordId,
) -> Result<Response, ZendeskError> {
    state
        .account()
        .restore_ticket(&actor.user, ticket_id, datetime::now())?;
    Ok(json_text_response(StatusCode::OK, "{}".to_owned()))
}

async fn restore_many(
    Linked(state): Linked<ZendeskState>,
    Caller(actor): Caller,
    params: Params,
) -> Result<Response, ZendeskError> {
    state
        .account()
        .restore_many(&actor.user, &params.ids("ids"), datetime::now())?;
    Ok(json_text_response(StatusCode::OK, "{}".to_owned()))
}

async fn purge_ticket(
    Linked(state): Linked<ZendeskState>,
    Caller(actor): Caller,
    RecordId(ticket_id): RecordId,
) -> Result<Response, ZendeskError> {
    let mut account = state.account();
    let job = account.purge_ticket(&actor.user, ticket_id, datetime::now())?;
    Ok(queued_job_response(&state.renderer(), job))
}

async fn purge_many(
    Linked(state): Linked<ZendeskState>,
    Caller(actor): Caller,
    params: Params,
) -> Result<Response, ZendeskError> {
    let mut account = state.account();
    let job = account.purge_many(&actor.user, &params.ids("ids"), datetime::now())?;
    Ok(queued_job_response(&state.renderer(), job))
}
