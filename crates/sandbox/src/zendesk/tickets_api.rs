//! `/api/v2/tickets`, its bulk endpoints and job statuses, ticket comments, a user's requested
//! tickets and `/api/v2/search`: thin handlers over `account.rs`.

use axum::body::Bytes;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post, put};
use axum::Router;
use serde_json::{Map, Value};

use crate::common::datetime;
use crate::common::server::Linked;
use crate::zendesk::account::{Actor, BulkUpdate, Comment, Ticket};
use crate::zendesk::auth::Caller;
use crate::zendesk::error::{ZendeskError, ZendeskJson};
use crate::zendesk::extract::{json_route, Params, RecordId, TextId};
use crate::zendesk::paging::{paginate, CursorKey, ListUrl, PageLinks, PageRequest};
use crate::zendesk::search::{Query, SearchOrder};
use crate::zendesk::tickets::{self, Action, TicketInput};
use crate::zendesk::wire::{
    add_api_warning, add_location, json_response, list_response, object_response,
    queued_job_response, ListJson, TicketAuditJson,
};
use crate::zendesk::ZendeskState;

/// Search returns at most this many results (`search.yml`, "Results limit").
const MAX_SEARCH_RESULTS: usize = 1000;

pub(crate) fn routes() -> Router<ZendeskState> {
    let router = Router::new()
        .route(
            "/api/v2/tickets/{ticket_id}",
            get(show_ticket).put(update_ticket).delete(delete_ticket),
        )
        .route("/api/v2/job_statuses/{job_id}", get(show_job));
    let router = json_route(
        router,
        "/api/v2/tickets",
        get(list_tickets).post(create_ticket),
    );
    let router = json_route(router, "/api/v2/tickets/show_many", get(show_many));
    let router = json_route(router, "/api/v2/tickets/create_many", post(create_many));
    let router = json_route(router, "/api/v2/tickets/update_many", put(update_many));
    let router = json_route(router, "/api/v2/tickets/destroy_many", delete(destroy_many));
    let router = json_route(
        router,
        "/api/v2/tickets/{ticket_id}/comments",
        get(list_comments),
    );
    let router = json_route(
        router,
        "/api/v2/users/{user_id}/tickets/requested",
        get(requested_tickets),
    );
    json_route(router, "/api/v2/search", get(search))
}

async fn list_tickets(
    Linked(state): Linked<ZendeskState>,
    Caller(actor): Caller,
    params: Params,
) -> Result<Response, ZendeskError> {
    let request = PageRequest::parse(&params.0)?;
    let external_id = params.get("external_id");
    let account = state.account();
    let tickets = account.list_tickets(&actor.user, external_id)?;
    let kept: Vec<(&str, &str)> = external_id
        .map(|external_id| ("external_id", external_id))
        .into_iter()
        .collect();
    Ok(ticket_page(&state, tickets, &request, "tickets.json", kept))
}

async fn requested_tickets(
    Linked(state): Linked<ZendeskState>,
    Caller(actor): Caller,
    RecordId(user_id): RecordId,
    params: Params,
) -> Result<Response, ZendeskError> {
    let request = PageRequest::parse(&params.0)?;
    let account = state.account();
    let tickets = account.requested_tickets(&actor.user, user_id)?;
    let path = format!("users/{user_id}/tickets/requested.json");
    Ok(ticket_page(&state, tickets, &request, &path, Vec::new()))
}

async fn show_ticket(
    Linked(state): Linked<ZendeskState>,
    Caller(actor): Caller,
    RecordId(ticket_id): RecordId,
) -> Result<Response, ZendeskError> {
    let account = state.account();
    let ticket = account.ticket(&actor.user, ticket_id)?;
    Ok(object_response(
        StatusCode::OK,
        "ticket",
        state.renderer().ticket(ticket),
    ))
}

async fn create_ticket(
    Linked(state): Linked<ZendeskState>,
    Caller(actor): Caller,
    ZendeskJson(body): ZendeskJson<Value>,
) -> Response {
    let response = create(&state, &actor, &body).into_response();
    with_warning(response, &body, Action::Create)
}

async fn update_ticket(
    Linked(state): Linked<ZendeskState>,
    Caller(actor): Caller,
    RecordId(ticket_id): RecordId,
    ZendeskJson(body): ZendeskJson<Value>,
) -> Response {
    let response = update(&state, &actor, ticket_id, &body).into_response();
    with_warning(response, &body, Action::Update)
}

async fn delete_ticket(
    Linked(state): Linked<ZendeskState>,
    Caller(actor): Caller,
    RecordId(ticket_id): RecordId,
    body: Bytes,
) -> Response {
    let result = state
        .account()
        .delete_ticket(&actor.user, ticket_id, datetime::now());
    let response = result.map(|()| StatusCode::NO_CONTENT).into_response();
    // The body is ignored; clients such as zenpy send the ticket anyway (recorded).
    let body: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    with_warning(response, &body, Action::Destroy)
}

fn create(state: &ZendeskState, actor: &Actor, body: &Value) -> Result<Response, ZendeskError> {
    let input = TicketInput::parse(tickets::body_object(body, "ticket")?)?;
    let mut account = state.account();
    let audit = account.create_ticket(actor, input, datetime::now())?;
    let ticket = account.ticket(&actor.user, audit.ticket_id)?;
    let render = state.renderer();
    let body_json = TicketAuditJson {
        ticket: render.ticket(ticket),
        audit: render.audit(&audit),
    };
    let mut response = json_response(StatusCode::CREATED, &body_json);
    add_location(&mut response, &render.record_url("tickets", ticket.id));
    Ok(response)
}

fn update(
    state: &ZendeskState,
    actor: &Actor,
    ticket_id: u64,
    body: &Value,
) -> Result<Response, ZendeskError> {
    let mut account = state.account();
    // A ticket that does not exist is "not found" whatever the body says (recorded:
    // `test_single_update_raises_recordnotfoundexception`).
    account.ticket(&actor.user, ticket_id)?;
    let input = TicketInput::parse(tickets::body_object(body, "ticket")?)?;
    let audit = account.update_ticket(actor, ticket_id, &input, datetime::now())?;
    let ticket = account.ticket(&actor.user, ticket_id)?;
    let render = state.renderer();
    let body_json = TicketAuditJson {
        ticket: render.ticket(ticket),
        audit: render.audit(&audit),
    };
    Ok(json_response(StatusCode::OK, &body_json))
}

async fn show_many(
    Linked(state): Linked<ZendeskState>,
    Caller(actor): Caller,
    params: Params,
) -> Result<Response, ZendeskError> {
    let account = state.account();
    let tickets = account.show_many(&actor.user, &params.ids("ids"))?;
    let render = state.renderer();
    let links = PageLinks::Offset {
        next_page: None,
        previous_page: None,
        count: tickets.len(),
    };
    Ok(list_response("tickets", (tickets, links), |ticket| {
        render.ticket(ticket)
    }))
}

async fn create_many(
    Linked(state): Linked<ZendeskState>,
    Caller(actor): Caller,
    ZendeskJson(body): ZendeskJson<Value>,
) -> Result<Response, ZendeskError> {
    let inputs = ticket_objects(&body)?
        .into_iter()
        .map(TicketInput::parse)
        .collect::<Result<Vec<_>, _>>()?;
    let mut account = state.account();
    let job = account.create_many(&actor, inputs, datetime::now())?;
    Ok(queued_job_response(&state.renderer(), job))
}

async fn update_many(
    Linked(state): Linked<ZendeskState>,
    Caller(actor): Caller,
    params: Params,
    ZendeskJson(body): ZendeskJson<Value>,
) -> Result<Response, ZendeskError> {
    let update = match params.get("ids") {
        Some(_) => BulkUpdate::Same(
            params.ids("ids"),
            Box::new(TicketInput::parse(tickets::body_object(&body, "ticket")?)?),
        ),
        None => BulkUpdate::EachOwn(
            ticket_objects(&body)?
                .iter()
                .map(|ticket| {
                    let ticket_id =
                        ticket
                            .get("id")
                            .and_then(tickets::value_as_id)
                            .ok_or_else(|| {
                                ZendeskError::BadRequest("every ticket needs its id".to_owned())
                            })?;
                    Ok((ticket_id, TicketInput::parse(ticket)?))
                })
                .collect::<Result<Vec<_>, ZendeskError>>()?,
        ),
    };
    let mut account = state.account();
    let job = account.update_many(&actor, update, datetime::now())?;
    Ok(queued_job_response(&state.renderer(), job))
}

async fn destroy_many(
    Linked(state): Linked<ZendeskState>,
    Caller(actor): Caller,
    params: Params,
    body: Bytes,
) -> Response {
    let response = {
        let mut account = state.account();
        account
            .destroy_many(&actor.user, &params.ids("ids"), datetime::now())
            .map(|job| queued_job_response(&state.renderer(), job))
            .into_response()
    };
    let body: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    with_warning(response, &body, Action::DestroyMany)
}

async fn show_job(
    Linked(state): Linked<ZendeskState>,
    Caller(actor): Caller,
    TextId(job_id): TextId,
) -> Result<Response, ZendeskError> {
    let account = state.account();
    let job = account.job(&actor.user, &job_id)?;
    Ok(object_response(
        StatusCode::OK,
        "job_status",
        state.renderer().completed_job(job),
    ))
}

/// Comments, oldest first; newest first with `sort_order=desc` (offset paging) or
/// `sort=-created_at` (cursor paging), as `tickets.yml` (ListTicketComments) documents.
async fn list_comments(
    Linked(state): Linked<ZendeskState>,
    Caller(actor): Caller,
    RecordId(ticket_id): RecordId,
    params: Params,
) -> Result<Response, ZendeskError> {
    let request = PageRequest::parse(&params.0)?;
    let newest_first =
        params.get("sort_order") == Some("desc") || params.get("sort") == Some("-created_at");
    let account = state.account();
    let mut comments: Vec<&Comment> = account.comments(&actor.user, ticket_id)?.iter().collect();
    // Cursor paging walks ascending keys, so newest-first pages use keys that grow as ids shrink.
    let key = move |comment: &&Comment| match newest_first {
        true => u64::MAX - comment.id,
        false => comment.id,
    };
    comments.sort_by_key(key);
    let kept: Vec<(&str, &str)> = ["sort_order", "sort"]
        .into_iter()
        .filter_map(|name| params.get(name).map(|value| (name, value)))
        .collect();
    let render = state.renderer();
    let list = ListUrl {
        url: render.api_url(&format!("tickets/{ticket_id}/comments.json")),
        kept,
        order: "id",
    };
    let page = paginate(
        comments,
        |comment| CursorKey::id(key(comment)),
        &request,
        &list,
    );
    Ok(list_response("comments", page, |comment| {
        let attachments = comment
            .attachment_ids
            .iter()
            .filter_map(|id| account.attachment(*id))
            .collect();
        render.comment(comment, attachments)
    }))
}

/// `GET /api/v2/search.json?query=...`: tickets only, offset paging, at most 1000 results.
async fn search(
    Linked(state): Linked<ZendeskState>,
    Caller(actor): Caller,
    params: Params,
) -> Result<Response, ZendeskError> {
    let request = PageRequest::parse_offset(&params.0)?;
    let query_text = params
        .get("query")
        .filter(|query| !query.trim().is_empty())
        .ok_or_else(|| ZendeskError::BadRequest("query is required".to_owned()))?;
    let query = Query::parse(query_text);
    let account = state.account();
    let mut tickets = account.search_tickets(&actor.user, &query)?;
    if request.last_record() > MAX_SEARCH_RESULTS {
        return Err(ZendeskError::SearchLimit);
    }
    SearchOrder::parse(params.get("sort_by"), params.get("sort_order")).sort(&mut tickets);
    let kept: Vec<(&str, &str)> = ["query", "sort_by", "sort_order"]
        .into_iter()
        .filter_map(|name| params.get(name).map(|value| (name, value)))
        .collect();
    let render = state.renderer();
    let list = ListUrl {
        url: render.api_url("search.json"),
        kept,
        order: "id",
    };
    let (page, links) = paginate(tickets, |ticket| CursorKey::id(ticket.id), &request, &list);
    let list = ListJson {
        key: "results",
        items: page
            .into_iter()
            .map(|ticket| render.search_result(ticket))
            .collect(),
        facets: true,
        links,
    };
    Ok(json_response(StatusCode::OK, &list))
}

/// A page of tickets in id order, with either kind of paging.
fn ticket_page(
    state: &ZendeskState,
    tickets: Vec<&Ticket>,
    request: &PageRequest,
    path: &str,
    kept: Vec<(&str, &str)>,
) -> Response {
    let render = state.renderer();
    let list = ListUrl {
        url: render.api_url(path),
        kept,
        order: "nice_id",
    };
    let page = paginate(tickets, |ticket| CursorKey::id(ticket.id), request, &list);
    let in_cursor_page = matches!(request, PageRequest::Cursor { .. });
    list_response("tickets", page, |ticket| match in_cursor_page {
        true => render.ticket_in_cursor_page(ticket),
        false => render.ticket(ticket),
    })
}

fn ticket_objects(body: &Value) -> Result<Vec<&Map<String, Value>>, ZendeskError> {
    let tickets = body
        .get("tickets")
        .and_then(Value::as_array)
        .ok_or_else(|| ZendeskError::BadRequest("the body needs a tickets array".to_owned()))?;
    tickets
        .iter()
        .map(|ticket| {
            ticket.as_object().ok_or_else(|| {
                ZendeskError::BadRequest("every ticket must be an object".to_owned())
            })
        })
        .collect()
}

/// Adds `x-zendesk-api-warn` when the body held keys the action does not permit (recorded).
fn with_warning(mut response: Response, body: &Value, action: Action) -> Response {
    add_api_warning(&mut response, "tickets", body, action);
    response
}
