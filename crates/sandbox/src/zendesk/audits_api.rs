//! Ticket audits: `/api/v2/ticket_audits` (`ticket-audits.yml`, cursor paging only) and
//! `/api/v2/tickets/{id}/audits` with show and count (`tickets.yml`); thin handlers over
//! `account.rs`. Lists run oldest first with `created_at,id` cursors (recorded
//! `TestTicketAudits.test_pagination`).

use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use axum::Router;

use crate::common::datetime;
use crate::common::server::Linked;
use crate::zendesk::account::Audit;
use crate::zendesk::auth::Caller;
use crate::zendesk::error::ZendeskError;
use crate::zendesk::extract::{json_route, Params, ParentAndRecordId, RecordId};
use crate::zendesk::paging::{paginate, CursorKey, ListUrl, PageRequest};
use crate::zendesk::wire::{count_response, list_response, object_response};
use crate::zendesk::ZendeskState;

pub(crate) fn routes() -> Router<ZendeskState> {
    let router = Router::new().route(
        "/api/v2/tickets/{ticket_id}/audits/{audit_id}",
        get(show_audit),
    );
    let router = json_route(router, "/api/v2/ticket_audits", get(list_audits));
    let router = json_route(
        router,
        "/api/v2/tickets/{ticket_id}/audits",
        get(ticket_audits),
    );
    json_route(
        router,
        "/api/v2/tickets/{ticket_id}/audits/count",
        get(count_audits),
    )
}

async fn list_audits(
    Linked(state): Linked<ZendeskState>,
    Caller(actor): Caller,
    params: Params,
) -> Result<Response, ZendeskError> {
    let request = PageRequest::parse_cursor(&params.0)?;
    let account = state.account();
    let audits = account.list_audits(&actor.user)?;
    Ok(audit_page(&state, audits, &request, "ticket_audits.json"))
}

/// A ticket's audits, by offset or by cursor (ListAuditsForTicket).
async fn ticket_audits(
    Linked(state): Linked<ZendeskState>,
    Caller(actor): Caller,
    RecordId(ticket_id): RecordId,
    params: Params,
) -> Result<Response, ZendeskError> {
    let request = PageRequest::parse(&params.0)?;
    let account = state.account();
    let audits = account.ticket_audits(&actor.user, ticket_id)?;
    let path = format!("tickets/{ticket_id}/audits.json");
    Ok(audit_page(&state, audits, &request, &path))
}

async fn show_audit(
    Linked(state): Linked<ZendeskState>,
    Caller(actor): Caller,
    ParentAndRecordId(ticket_id, audit_id): ParentAndRecordId,
) -> Result<Response, ZendeskError> {
    let account = state.account();
    let audit = account.ticket_audit(&actor.user, ticket_id, audit_id)?;
    Ok(object_response(
        StatusCode::OK,
        "audit",
        state.renderer().audit(audit),
    ))
}

async fn count_audits(
    Linked(state): Linked<ZendeskState>,
    Caller(actor): Caller,
    RecordId(ticket_id): RecordId,
) -> Result<Response, ZendeskError> {
    let account = state.account();
    let n_audits = account.ticket_audits(&actor.user, ticket_id)?.len();
    Ok(count_response(n_audits, datetime::now()))
}

fn audit_page(
    state: &ZendeskState,
    audits: Vec<&Audit>,
    request: &PageRequest,
    path: &str,
) -> Response {
    let render = state.renderer();
    let list = ListUrl {
        url: render.api_url(path),
        kept: Vec::new(),
        order: "created_at,id",
    };
    let page = paginate(
        audits,
        |audit| CursorKey::time_and_id(audit.created_at, audit.id),
        request,
        &list,
    );
    list_response("audits", page, |audit| render.audit(audit))
}
