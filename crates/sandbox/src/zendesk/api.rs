//! The Zendesk routes: thin handlers over `crate::zendesk::ops`.

use std::collections::HashMap;

use axum::body::Bytes;
use axum::extract::{FromRequestParts, Path, Query, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::Response;
use axum::routing::{delete, get, post, put};
use axum::Router;
use base64::Engine;
use serde::Serialize;
use serde_json::{json, Value};

use crate::datetime;
use crate::wire::percent_encode;
use crate::zendesk::model::{timestamp, Account, Ticket, TicketJson, User};
use crate::zendesk::ops::{self, MAX_VALUES};
use crate::zendesk::search::Search;
use crate::zendesk::{authenticate, json_response, ZendeskError, ZendeskState};

/// Search answers at most this many results (`search.yml`, "Results limit").
const SEARCH_LIMIT: usize = 1000;
/// Offset paging stops after this many pages (reference README).
const MAX_OFFSET_PAGES: usize = 100;
/// Page size when none is given, and the largest allowed.
const PAGE_SIZE: usize = 100;

pub(crate) fn routes() -> Router<ZendeskState> {
    Router::new()
        .route(
            "/api/v2/tickets.json",
            get(list_tickets).post(create_ticket),
        )
        .route("/api/v2/tickets/show_many.json", get(show_many))
        .route("/api/v2/tickets/create_many.json", post(create_many))
        .route("/api/v2/tickets/update_many.json", put(update_many))
        .route("/api/v2/tickets/destroy_many.json", delete(destroy_many))
        .route(
            "/api/v2/tickets/{file}",
            get(show_ticket).put(update_ticket).delete(delete_ticket),
        )
        .route("/api/v2/tickets/{id}/comments.json", get(list_comments))
        .route("/api/v2/users/me.json", get(me))
        .route("/api/v2/users/search.json", get(search_users))
        .route("/api/v2/users/{file}", get(show_user))
        .route(
            "/api/v2/users/{id}/tickets/requested.json",
            get(requested_tickets),
        )
        .route("/api/v2/search.json", get(search))
        .route("/api/v2/job_statuses/{file}", get(job_status))
}

/// Any signed-in user; 401 `{"error":"Couldn't authenticate you"}` without valid credentials.
struct SignedIn(User);

/// An agent or admin; end users get 403.
struct Agent(User);

impl FromRequestParts<ZendeskState> for SignedIn {
    type Rejection = ZendeskError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &ZendeskState,
    ) -> Result<Self, ZendeskError> {
        authenticate(state, &parts.headers)
            .map(SignedIn)
            .ok_or(ZendeskError::Unauthenticated)
    }
}

impl FromRequestParts<ZendeskState> for Agent {
    type Rejection = ZendeskError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &ZendeskState,
    ) -> Result<Self, ZendeskError> {
        let SignedIn(user) = SignedIn::from_request_parts(parts, state).await?;
        ops::require_agent(&user)?;
        Ok(Agent(user))
    }
}

type Params = Query<HashMap<String, String>>;

/// 201 with `Location`, `{"ticket": ..., "audit": ...}` (recorded).
async fn create_ticket(
    State(state): State<ZendeskState>,
    Agent(user): Agent,
    body: Bytes,
) -> Result<Response, ZendeskError> {
    let body = read_json(&body)?;
    let mut account = state.account();
    let fields = ops::as_object(&body["ticket"]);
    let ticket_id = ops::create_ticket(&mut account, &user, fields, datetime::now())?;
    let ticket = ops::ticket(&account, ticket_id)?;
    let mut response = json_response(
        StatusCode::CREATED,
        ticket_with_audit(ticket, &user, state.base_url()),
    );
    let location = format!("{}/api/v2/tickets/{ticket_id}.json", state.base_url());
    if let Ok(location) = HeaderValue::from_str(&location) {
        response.headers_mut().insert(header::LOCATION, location);
    }
    Ok(response)
}

async fn show_ticket(
    State(state): State<ZendeskState>,
    Agent(_user): Agent,
    Path(file): Path<String>,
) -> Result<Response, ZendeskError> {
    let ticket_id = json_id(&file)?;
    let account = state.account();
    let ticket = ops::ticket(&account, ticket_id)?;
    Ok(ok(&Named {
        name: "ticket",
        value: ticket.to_json(state.base_url()),
    }))
}

async fn update_ticket(
    State(state): State<ZendeskState>,
    Agent(user): Agent,
    Path(file): Path<String>,
    body: Bytes,
) -> Result<Response, ZendeskError> {
    let ticket_id = json_id(&file)?;
    let body = read_json(&body)?;
    let mut account = state.account();
    let fields = ops::as_object(&body["ticket"]);
    ops::update_ticket(&mut account, &user, ticket_id, fields, datetime::now())?;
    let ticket = ops::ticket(&account, ticket_id)?;
    Ok(json_response(
        StatusCode::OK,
        ticket_with_audit(ticket, &user, state.base_url()),
    ))
}

/// Recorded: 204 without a body.
async fn delete_ticket(
    State(state): State<ZendeskState>,
    Agent(user): Agent,
    Path(file): Path<String>,
) -> Result<StatusCode, ZendeskError> {
    let ticket_id = json_id(&file)?;
    ops::delete_ticket(&mut state.account(), &user, ticket_id)?;
    Ok(StatusCode::NO_CONTENT)
}

async fn show_many(
    State(state): State<ZendeskState>,
    Agent(_user): Agent,
    Query(params): Params,
) -> Result<Response, ZendeskError> {
    let ids = ops::parse_ids(params.get("ids").map(String::as_str).unwrap_or_default())?;
    let account = state.account();
    let tickets: Vec<TicketJson<'_>> = ids
        .iter()
        .filter_map(|id| account.tickets.get(id))
        .map(|ticket| ticket.to_json(state.base_url()))
        .collect();
    Ok(ok(&Named {
        name: "tickets",
        value: tickets,
    }))
}

/// `GET /api/v2/tickets.json`, optionally `external_id=`; cursor or offset paging.
async fn list_tickets(
    State(state): State<ZendeskState>,
    Agent(_user): Agent,
    Query(params): Params,
) -> Result<Response, ZendeskError> {
    let account = state.account();
    let external_id = params.get("external_id");
    let tickets: Vec<&Ticket> = account
        .tickets
        .values()
        .filter(|ticket| {
            external_id.is_none_or(|wanted| ticket.external_id.as_ref() == Some(wanted))
        })
        .collect();
    let url = format!("{}/api/v2/tickets.json", state.base_url());
    page_of_tickets(&tickets, &params, &url, state.base_url())
}

/// `GET /api/v2/users/{id}/tickets/requested.json`.
async fn requested_tickets(
    State(state): State<ZendeskState>,
    Agent(_user): Agent,
    Path(requester_id): Path<u64>,
    Query(params): Params,
) -> Result<Response, ZendeskError> {
    let account = state.account();
    let tickets: Vec<&Ticket> = account
        .tickets
        .values()
        .filter(|ticket| ticket.requester_id == requester_id)
        .collect();
    let url = format!(
        "{}/api/v2/users/{requester_id}/tickets/requested.json",
        state.base_url()
    );
    page_of_tickets(&tickets, &params, &url, state.base_url())
}

async fn list_comments(
    State(state): State<ZendeskState>,
    Agent(_user): Agent,
    Path(ticket_id): Path<u64>,
    Query(params): Params,
) -> Result<Response, ZendeskError> {
    let account = state.account();
    ops::ticket(&account, ticket_id)?;
    let comments: Vec<Value> = account
        .comments
        .iter()
        .filter(|comment| comment.ticket_id == ticket_id)
        .map(|comment| comment.to_json())
        .collect();
    let url = format!(
        "{}/api/v2/tickets/{ticket_id}/comments.json",
        state.base_url()
    );
    let (page, per_page) = offset_params(&params)?;
    let start = (page - 1) * per_page;
    let items: Vec<&Value> = comments.iter().skip(start).take(per_page).collect();
    let body = json!({
        "comments": items,
        "next_page": (start + per_page < comments.len()).then(|| offset_link(&url, page + 1, per_page)),
        "previous_page": (page > 1).then(|| offset_link(&url, page - 1, per_page)),
        "count": comments.len(),
    });
    Ok(json_response(StatusCode::OK, body.to_string()))
}

/// `GET /api/v2/search.json?query=type:ticket ...`: at most 1000 results; a page past them is
/// 422 (`search.yml`, "Results limit").
async fn search(
    State(state): State<ZendeskState>,
    Agent(user): Agent,
    Query(params): Params,
) -> Result<Response, ZendeskError> {
    let query = params.get("query").cloned().unwrap_or_default();
    let search = Search::parse(&query);
    let (page, per_page) = search_params(&params)?;
    let account = state.account();
    let wants_tickets = search.kind.as_deref().is_none_or(|kind| kind == "ticket");
    let matching: Vec<&Ticket> = match wants_tickets {
        true => account
            .tickets
            .values()
            .filter(|ticket| search.matches(ticket, &account, &user))
            .collect(),
        false => Vec::new(),
    };
    let start = (page - 1) * per_page;
    let url = format!(
        "{}/api/v2/search.json?query={}",
        state.base_url(),
        percent_encode(&query)
    );
    let has_next = start + per_page < matching.len().min(SEARCH_LIMIT);
    let body = SearchPage {
        results: matching
            .iter()
            .skip(start)
            .take(per_page)
            .map(|ticket| ticket.to_search_result(state.base_url()))
            .collect(),
        facets: None,
        next_page: has_next.then(|| format!("{url}&page={}&per_page={per_page}", page + 1)),
        previous_page: (page > 1).then(|| format!("{url}&page={}&per_page={per_page}", page - 1)),
        count: matching.len(),
    };
    Ok(ok(&body))
}

/// `/users/me` is for anyone signed in (`users.yml`, ShowCurrentUser).
async fn me(State(state): State<ZendeskState>, SignedIn(user): SignedIn) -> Response {
    json_response(
        StatusCode::OK,
        json!({ "user": user.to_json(state.base_url()) }).to_string(),
    )
}

/// `query=email:"x@y"` finds by email; other text matches names and emails.
async fn search_users(
    State(state): State<ZendeskState>,
    Agent(_user): Agent,
    Query(params): Params,
) -> Response {
    let query = params.get("query").cloned().unwrap_or_default();
    let by_email = query.starts_with("email:");
    let wanted = query
        .trim_start_matches("email:")
        .trim_matches('"')
        .to_lowercase();
    let account = state.account();
    let users: Vec<Value> = account
        .users
        .iter()
        .filter(|candidate| {
            let email = candidate.email.to_lowercase();
            match by_email {
                true => email == wanted,
                false => email.contains(&wanted) || candidate.name.to_lowercase().contains(&wanted),
            }
        })
        .map(|candidate| candidate.to_json(state.base_url()))
        .collect();
    let count = users.len();
    let body = json!({ "users": users, "next_page": null, "previous_page": null, "count": count });
    json_response(StatusCode::OK, body.to_string())
}

async fn show_user(
    State(state): State<ZendeskState>,
    Agent(_user): Agent,
    Path(file): Path<String>,
) -> Result<Response, ZendeskError> {
    let user_id = json_id(&file)?;
    let account = state.account();
    let found = account
        .users
        .iter()
        .find(|candidate| candidate.id == user_id)
        .ok_or(ZendeskError::NotFound)?;
    let body = json!({ "user": found.to_json(state.base_url()) });
    Ok(json_response(StatusCode::OK, body.to_string()))
}

/// At most 100 tickets; answers a queued job (recorded), completed when read back.
async fn create_many(
    State(state): State<ZendeskState>,
    Agent(user): Agent,
    body: Bytes,
) -> Result<Response, ZendeskError> {
    let body = read_json(&body)?;
    let tickets = body["tickets"].as_array().cloned().unwrap_or_default();
    if tickets.len() > MAX_VALUES {
        return Err(ZendeskError::TooManyValues);
    }
    let now = datetime::now();
    let mut account = state.account();
    let results: Vec<Value> = tickets
        .iter()
        .enumerate()
        .map(|(index, fields)| {
            match ops::create_ticket(&mut account, &user, ops::as_object(fields), now) {
                Ok(id) => json!({ "index": index, "id": id }),
                Err(error) => json!({ "index": index, "error": error.to_string() }),
            }
        })
        .collect();
    Ok(queued_job(
        &mut account,
        state.base_url(),
        tickets.len(),
        Value::Array(results),
    ))
}

/// Tickets with their ids, at most 100.
async fn update_many(
    State(state): State<ZendeskState>,
    Agent(user): Agent,
    body: Bytes,
) -> Result<Response, ZendeskError> {
    let body = read_json(&body)?;
    let tickets = body["tickets"].as_array().cloned().unwrap_or_default();
    if tickets.len() > MAX_VALUES {
        return Err(ZendeskError::TooManyValues);
    }
    let now = datetime::now();
    let mut account = state.account();
    let mut results = Vec::new();
    for fields in &tickets {
        let Some(id) = fields["id"].as_u64() else {
            continue;
        };
        let success =
            ops::update_ticket(&mut account, &user, id, ops::as_object(fields), now).is_ok();
        let status = if success { "Updated" } else { "Failed" };
        results.push(json!({ "action": "update", "status": status, "success": success, "id": id }));
    }
    Ok(queued_job(
        &mut account,
        state.base_url(),
        tickets.len(),
        Value::Array(results),
    ))
}

/// `destroy_many.json?ids=1,2,3`, at most 100 ids.
async fn destroy_many(
    State(state): State<ZendeskState>,
    Agent(user): Agent,
    Query(params): Params,
) -> Result<Response, ZendeskError> {
    let ids = ops::parse_ids(params.get("ids").map(String::as_str).unwrap_or_default())?;
    let mut account = state.account();
    let results: Vec<Value> = ids
        .iter()
        .enumerate()
        .map(|(index, id)| {
            let success = ops::delete_ticket(&mut account, &user, *id).is_ok();
            json!({ "index": index, "id": id, "success": success })
        })
        .collect();
    Ok(queued_job(
        &mut account,
        state.base_url(),
        ids.len(),
        Value::Array(results),
    ))
}

async fn job_status(
    State(state): State<ZendeskState>,
    Agent(_user): Agent,
    Path(file): Path<String>,
) -> Result<Response, ZendeskError> {
    let job_id = file.strip_suffix(".json").ok_or(ZendeskError::NotFound)?;
    let account = state.account();
    let job = account.jobs.get(job_id).ok_or(ZendeskError::NotFound)?;
    let body = json!({ "job_status": job.to_json(state.base_url(), true) });
    Ok(json_response(StatusCode::OK, body.to_string()))
}

/// `{"<name>": value}`, keeping the value's own field order.
struct Named<T> {
    name: &'static str,
    value: T,
}

impl<T: Serialize> Serialize for Named<T> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = serializer.serialize_map(Some(1))?;
        map.serialize_entry(self.name, &self.value)?;
        map.end()
    }
}

#[derive(Serialize)]
struct SearchPage<'a> {
    results: Vec<TicketJson<'a>>,
    facets: Option<Value>,
    next_page: Option<String>,
    previous_page: Option<String>,
    count: usize,
}

#[derive(Serialize)]
struct OffsetPage<'a> {
    tickets: Vec<TicketJson<'a>>,
    next_page: Option<String>,
    previous_page: Option<String>,
    count: usize,
}

#[derive(Serialize)]
struct CursorPage<'a> {
    tickets: Vec<TicketJson<'a>>,
    meta: Value,
    links: Value,
}

/// Cursor paging when `page[size]` (or a cursor) is given, offset paging otherwise, as the
/// recordings show both (`TestTicketsPagination`).
fn page_of_tickets(
    tickets: &[&Ticket],
    params: &HashMap<String, String>,
    url: &str,
    base_url: &str,
) -> Result<Response, ZendeskError> {
    let cursor_paging = ["page[size]", "page[after]", "page[before]"]
        .iter()
        .any(|name| params.contains_key(*name));
    if !cursor_paging {
        let (page, per_page) = offset_params(params)?;
        let start = (page - 1) * per_page;
        let body = OffsetPage {
            tickets: tickets
                .iter()
                .skip(start)
                .take(per_page)
                .map(|ticket| ticket.to_json(base_url))
                .collect(),
            next_page: (start + per_page < tickets.len())
                .then(|| offset_link(url, page + 1, per_page)),
            previous_page: (page > 1).then(|| offset_link(url, page - 1, per_page)),
            count: tickets.len(),
        };
        return Ok(ok(&body));
    }
    let size = params
        .get("page[size]")
        .and_then(|size| size.parse().ok())
        .unwrap_or(PAGE_SIZE)
        .clamp(1, PAGE_SIZE);
    let after = params
        .get("page[after]")
        .and_then(|cursor| decode_cursor(cursor));
    let before = params
        .get("page[before]")
        .and_then(|cursor| decode_cursor(cursor));
    let selected: Vec<&Ticket> = match (after, before) {
        (_, Some(before)) => {
            let earlier: Vec<&Ticket> = tickets
                .iter()
                .copied()
                .filter(|ticket| ticket.id < before)
                .collect();
            earlier[earlier.len().saturating_sub(size)..].to_vec()
        }
        (Some(after), None) => tickets
            .iter()
            .copied()
            .filter(|ticket| ticket.id > after)
            .take(size)
            .collect(),
        (None, None) => tickets.iter().copied().take(size).collect(),
    };
    let last_id = selected.last().map(|ticket| ticket.id);
    let has_more = last_id.is_some_and(|last| tickets.iter().any(|ticket| ticket.id > last));
    let after_cursor = last_id.map(encode_cursor);
    let before_cursor = selected.first().map(|ticket| encode_cursor(ticket.id));
    let link = |name: &str, cursor: &Option<String>| {
        cursor.as_ref().map(|cursor| {
            format!(
                "{url}?page%5B{name}%5D={}&page%5Bsize%5D={size}",
                percent_encode(cursor)
            )
        })
    };
    let body = CursorPage {
        tickets: selected
            .iter()
            .map(|ticket| ticket.to_json(base_url))
            .collect(),
        meta: json!({
            "has_more": has_more,
            "after_cursor": after_cursor,
            "before_cursor": before_cursor,
        }),
        links: json!({
            "prev": link("before", &before_cursor),
            "next": if has_more { link("after", &after_cursor) } else { None },
        }),
    };
    Ok(ok(&body))
}

/// `page` (from 1) and `per_page` (at most 100); past 100 pages 400 (reference README).
fn offset_params(params: &HashMap<String, String>) -> Result<(usize, usize), ZendeskError> {
    let (page, per_page) = page_and_size(params);
    if page > MAX_OFFSET_PAGES {
        return Err(ZendeskError::PaginationLimit(StatusCode::BAD_REQUEST));
    }
    Ok((page, per_page))
}

/// Search pages stop at 1000 results: a page starting past them is 422.
fn search_params(params: &HashMap<String, String>) -> Result<(usize, usize), ZendeskError> {
    let (page, per_page) = page_and_size(params);
    if (page - 1) * per_page >= SEARCH_LIMIT {
        return Err(ZendeskError::PaginationLimit(
            StatusCode::UNPROCESSABLE_ENTITY,
        ));
    }
    Ok((page, per_page))
}

fn page_and_size(params: &HashMap<String, String>) -> (usize, usize) {
    let page = params
        .get("page")
        .and_then(|page| page.parse().ok())
        .unwrap_or(1_usize)
        .max(1);
    let per_page = params
        .get("per_page")
        .and_then(|size| size.parse().ok())
        .unwrap_or(PAGE_SIZE)
        .clamp(1, PAGE_SIZE);
    (page, per_page)
}

fn offset_link(url: &str, page: usize, per_page: usize) -> String {
    format!("{url}?page={page}&per_page={per_page}")
}

/// Cursors look like the recorded ones: base64 of `{"o":"nice_id","v":...}`.
fn encode_cursor(id: u64) -> String {
    base64::engine::general_purpose::STANDARD.encode(format!("{{\"o\":\"nice_id\",\"v\":{id}}}"))
}

fn decode_cursor(cursor: &str) -> Option<u64> {
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(cursor)
        .ok()?;
    let value: Value = serde_json::from_slice(&decoded).ok()?;
    value["v"].as_u64()
}

/// `123.json` to 123.
fn json_id(file: &str) -> Result<u64, ZendeskError> {
    file.strip_suffix(".json")
        .and_then(|id| id.parse().ok())
        .ok_or(ZendeskError::NotFound)
}

fn read_json(body: &[u8]) -> Result<Value, ZendeskError> {
    serde_json::from_slice(body).map_err(|error| ZendeskError::BadBody(error.to_string()))
}

fn ok<T: Serialize>(body: &T) -> Response {
    json_response(
        StatusCode::OK,
        serde_json::to_string(body).expect("plain data serializes"),
    )
}

/// `{"ticket": ..., "audit": ...}`, as the recorded create and update replies.
fn ticket_with_audit(ticket: &Ticket, author: &User, base_url: &str) -> String {
    #[derive(Serialize)]
    struct WithAudit<'a> {
        ticket: TicketJson<'a>,
        audit: Value,
    }
    let audit = json!({
        "ticket_id": ticket.id,
        "created_at": timestamp(ticket.updated_at),
        "author_id": author.id,
        "events": [],
        "via": {"channel": "api", "source": {"from": {}, "to": {}, "rel": null}},
    });
    let body = WithAudit {
        ticket: ticket.to_json(base_url),
        audit,
    };
    serde_json::to_string(&body).expect("plain data serializes")
}

fn queued_job(account: &mut Account, base_url: &str, total: usize, results: Value) -> Response {
    let job_id = ops::record_job(account, total, results, datetime::now());
    let body = match account.jobs.get(&job_id) {
        Some(job) => json!({ "job_status": job.to_json(base_url, false) }),
        None => json!({ "job_status": null }),
    };
    json_response(StatusCode::OK, body.to_string())
}
