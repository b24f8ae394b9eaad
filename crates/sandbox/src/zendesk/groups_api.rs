//! `/api/v2/groups`: list, assignable, count, show, create, update, delete (`groups.yml`); thin
//! handlers over `account.rs`.
//!
//! Lists page by offset or cursor like tickets, at most 100 a page, in the recorded order: by name
//! without case, then by id, with `name,id` cursors (recorded
//! `TestGroupCreateUpdateDelete.test_pagination`). Deleting answers 204 and marks the group
//! `deleted` ("Deleted groups get marked as such"): it stays in `GET /groups` unless
//! `exclude_deleted=true`, `GET /groups/{id}` still shows it, and it is no longer assignable. A
//! delete's body is ignored and its keys named in `x-zendesk-api-warn`, as recorded.

use axum::body::Bytes;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use serde_json::Value;

use crate::common::datetime;
use crate::common::server::Linked;
use crate::zendesk::account::Group;
use crate::zendesk::auth::Caller;
use crate::zendesk::error::{ZendeskError, ZendeskJson};
use crate::zendesk::extract::{json_route, Params, RecordId};
use crate::zendesk::groups::GroupInput;
use crate::zendesk::paging::{paginate, CursorKey, ListUrl, PageRequest};
use crate::zendesk::tickets::Action;
use crate::zendesk::wire::{
    add_api_warning, add_location, count_response, list_response, object_response,
};
use crate::zendesk::ZendeskState;

pub(crate) fn routes() -> Router<ZendeskState> {
    let router = Router::new().route(
        "/api/v2/groups/{group_id}",
        get(show_group).put(update_group).delete(delete_group),
    );
    let router = json_route(
        router,
        "/api/v2/groups",
        get(list_groups).post(create_group),
    );
    let router = json_route(router, "/api/v2/groups/assignable", get(assignable_groups));
    json_route(router, "/api/v2/groups/count", get(count_groups))
}

async fn list_groups(
    Linked(state): Linked<ZendeskState>,
    Caller(actor): Caller,
    params: Params,
) -> Result<Response, ZendeskError> {
    let request = PageRequest::parse(&params.0)?;
    let exclude_deleted = params.get("exclude_deleted");
    let account = state.account();
    let groups = account.list_groups(&actor.user, exclude_deleted == Some("true"))?;
    let kept: Vec<(&str, &str)> = exclude_deleted
        .map(|value| ("exclude_deleted", value))
        .into_iter()
        .collect();
    Ok(group_page(&state, groups, &request, "groups.json", kept))
}

async fn assignable_groups(
    Linked(state): Linked<ZendeskState>,
    Caller(actor): Caller,
    params: Params,
) -> Result<Response, ZendeskError> {
    let request = PageRequest::parse(&params.0)?;
    let account = state.account();
    let groups = account.assignable_groups(&actor.user)?;
    Ok(group_page(
        &state,
        groups,
        &request,
        "groups/assignable.json",
        Vec::new(),
    ))
}

/// The groups `GET /groups` lists, deleted ones included (CountGroups).
async fn count_groups(
    Linked(state): Linked<ZendeskState>,
    Caller(actor): Caller,
) -> Result<Response, ZendeskError> {
    let account = state.account();
    let n_groups = account.list_groups(&actor.user, false)?.len();
    Ok(count_response(n_groups, datetime::now()))
}

async fn show_group(
    Linked(state): Linked<ZendeskState>,
    Caller(actor): Caller,
    RecordId(group_id): RecordId,
) -> Result<Response, ZendeskError> {
    let account = state.account();
    let group = account.group(&actor.user, group_id)?;
    Ok(group_response(&state, StatusCode::OK, group))
}

/// 201 with `Location` (recorded).
async fn create_group(
    Linked(state): Linked<ZendeskState>,
    Caller(actor): Caller,
    ZendeskJson(body): ZendeskJson<Value>,
) -> Result<Response, ZendeskError> {
    let input = GroupInput::parse(&body)?;
    let mut account = state.account();
    let group = account.create_group(&actor.user, &input, datetime::now())?;
    let mut response = group_response(&state, StatusCode::CREATED, group);
    add_location(
        &mut response,
        &state.renderer().record_url("groups", group.id),
    );
    Ok(response)
}

async fn update_group(
    Linked(state): Linked<ZendeskState>,
    Caller(actor): Caller,
    RecordId(group_id): RecordId,
    ZendeskJson(body): ZendeskJson<Value>,
) -> Result<Response, ZendeskError> {
    let input = GroupInput::parse(&body)?;
    let mut account = state.account();
    let group = account.update_group(&actor.user, group_id, &input, datetime::now())?;
    Ok(group_response(&state, StatusCode::OK, group))
}

async fn delete_group(
    Linked(state): Linked<ZendeskState>,
    Caller(actor): Caller,
    RecordId(group_id): RecordId,
    body: Bytes,
) -> Response {
    let result = state
        .account()
        .delete_group(&actor.user, group_id, datetime::now());
    let mut response = result.map(|()| StatusCode::NO_CONTENT).into_response();
    let body: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    add_api_warning(&mut response, "groups", &body, Action::Destroy);
    response
}

fn group_response(state: &ZendeskState, status: StatusCode, group: &Group) -> Response {
    object_response(status, "group", state.renderer().group(group))
}

fn group_page(
    state: &ZendeskState,
    groups: Vec<&Group>,
    request: &PageRequest,
    path: &str,
    kept: Vec<(&str, &str)>,
) -> Response {
    let render = state.renderer();
    let list = ListUrl {
        url: render.api_url(path),
        kept,
        order: "name,id",
    };
    let page = paginate(
        groups,
        |group| CursorKey::name_and_id(&group.name, group.id),
        request,
        &list,
    );
    list_response("groups", page, |group| render.group(group))
}
