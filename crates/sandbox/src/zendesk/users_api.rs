//! `/api/v2/users`: `me`, show, list, search, create, update, create or update, delete and
//! delete many (`users.yml`, `search.yml`); thin handlers over `account.rs`.
//!
//! Creates answer 201 with `Location` (recorded `TestUsersPagination`); `create_or_update`
//! answers 201 for a new user and 200 for an existing one, both with `Location` (`users.yml`,
//! CreateOrUpdateUser, "Response Status Code"). Deleting answers 200 with the user, now
//! `"active": false`, as Zendesk keeps deleted users (DeleteUser answers a `UserResponse`). A
//! delete's body is ignored and its keys named in `x-zendesk-api-warn`, on a 404 too (recorded
//! `TestUserCreateUpdateDelete.test_single_delete_raises_recordnotfoundexception`).

use axum::body::Bytes;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post};
use axum::Router;
use serde_json::Value;

use crate::common::datetime;
use crate::common::server::Linked;
use crate::zendesk::account::User;
use crate::zendesk::auth::{Caller, MaybeCaller};
use crate::zendesk::error::{ZendeskError, ZendeskJson};
use crate::zendesk::extract::{json_route, Params, RecordId};
use crate::zendesk::paging::{paginate, CursorKey, ListUrl, PageRequest};
use crate::zendesk::search::Query;
use crate::zendesk::tickets::Action;
use crate::zendesk::users::UserInput;
use crate::zendesk::wire::{
    add_api_warning, add_location, list_response, object_response, queued_job_response,
};
use crate::zendesk::ZendeskState;

pub(crate) fn routes() -> Router<ZendeskState> {
    let router = Router::new().route(
        "/api/v2/users/{user_id}",
        get(show_user).put(update_user).delete(delete_user),
    );
    let router = json_route(router, "/api/v2/users", get(list_users).post(create_user));
    let router = json_route(router, "/api/v2/users/me", get(me));
    let router = json_route(
        router,
        "/api/v2/users/create_or_update",
        post(create_or_update_user),
    );
    let router = json_route(router, "/api/v2/users/destroy_many", delete(destroy_many));
    json_route(router, "/api/v2/users/search", get(search_users))
}

/// The signed-in user, or the anonymous user without credentials ("Allowed For: Anonymous
/// users"); wrong credentials are still a 401.
async fn me(
    Linked(state): Linked<ZendeskState>,
    MaybeCaller(user): MaybeCaller,
) -> Result<Response, ZendeskError> {
    let render = state.renderer();
    let user_json = match &user {
        Some(user) => render.user(user),
        None => render.anonymous_user(),
    };
    Ok(object_response(StatusCode::OK, "user", user_json))
}

async fn show_user(
    Linked(state): Linked<ZendeskState>,
    Caller(actor): Caller,
    RecordId(user_id): RecordId,
) -> Result<Response, ZendeskError> {
    let account = state.account();
    let user = account.show_user(&actor.user, user_id)?;
    Ok(user_response(&state, StatusCode::OK, user))
}

/// Every user, or with `role` or `role[]` (repeated) only those with one of the roles
/// (`users.yml`, ListUsers: `UserRoleFilter`, `UserRolesFilter`; Zendesk's Users reference: "role[]:
/// Filters the results by more than one role using the format role[]={role}&role[]={role}").
async fn list_users(
    Linked(state): Linked<ZendeskState>,
    Caller(actor): Caller,
    params: Params,
) -> Result<Response, ZendeskError> {
    let request = PageRequest::parse(&params.0)?;
    let role_params: Vec<(&str, &str)> = params
        .0
        .iter()
        .filter(|(name, _)| name == "role" || name == "role[]")
        .map(|(name, value)| (name.as_str(), value.as_str()))
        .collect();
    let roles: Vec<&str> = role_params.iter().map(|(_, role)| *role).collect();
    let account = state.account();
    let users = account.list_users(&actor.user, &roles)?;
    Ok(user_page(
        &state,
        users,
        &request,
        "users.json",
        role_params,
    ))
}

/// `?query=` in the search syntax (`email:`, `name:`, `role:`, words); offset paging only.
async fn search_users(
    Linked(state): Linked<ZendeskState>,
    Caller(actor): Caller,
    params: Params,
) -> Result<Response, ZendeskError> {
    let request = PageRequest::parse_offset(&params.0)?;
    let query = params.get("query").unwrap_or_default();
    let account = state.account();
    let users = account.search_users(&actor.user, &Query::parse(query))?;
    let kept = vec![("query", query)];
    Ok(user_page(
        &state,
        users,
        &request,
        "users/search.json",
        kept,
    ))
}

async fn create_user(
    Linked(state): Linked<ZendeskState>,
    Caller(actor): Caller,
    ZendeskJson(body): ZendeskJson<Value>,
) -> Result<Response, ZendeskError> {
    let input = UserInput::parse(&body)?;
    let mut account = state.account();
    let user = account.create_user(&actor.user, &input, datetime::now())?;
    Ok(located_user_response(&state, StatusCode::CREATED, user))
}

async fn update_user(
    Linked(state): Linked<ZendeskState>,
    Caller(actor): Caller,
    RecordId(user_id): RecordId,
    ZendeskJson(body): ZendeskJson<Value>,
) -> Result<Response, ZendeskError> {
    let input = UserInput::parse(&body)?;
    let mut account = state.account();
    let user = account.update_user(&actor.user, user_id, &input, datetime::now())?;
    Ok(user_response(&state, StatusCode::OK, user))
}

async fn create_or_update_user(
    Linked(state): Linked<ZendeskState>,
    Caller(actor): Caller,
    ZendeskJson(body): ZendeskJson<Value>,
) -> Result<Response, ZendeskError> {
    let input = UserInput::parse(&body)?;
    let mut account = state.account();
    let (user, created) = account.create_or_update_user(&actor.user, &input, datetime::now())?;
    let status = match created {
        true => StatusCode::CREATED,
        false => StatusCode::OK,
    };
    Ok(located_user_response(&state, status, user))
}

async fn delete_user(
    Linked(state): Linked<ZendeskState>,
    Caller(actor): Caller,
    RecordId(user_id): RecordId,
    body: Bytes,
) -> Response {
    let response = {
        let mut account = state.account();
        account
            .delete_user(&actor.user, user_id, datetime::now())
            .map(|user| user_response(&state, StatusCode::OK, user))
            .into_response()
    };
    with_warning(response, &body, Action::Destroy)
}

/// `DELETE /users/destroy_many?ids=`: a `queued` job, "Bulk Update User" (recorded).
async fn destroy_many(
    Linked(state): Linked<ZendeskState>,
    Caller(actor): Caller,
    params: Params,
    body: Bytes,
) -> Response {
    let response = {
        let mut account = state.account();
        account
            .destroy_many_users(&actor.user, &params.ids("ids"), datetime::now())
            .map(|job| queued_job_response(&state.renderer(), job))
            .into_response()
    };
    with_warning(response, &body, Action::DestroyMany)
}

fn user_response(state: &ZendeskState, status: StatusCode, user: &User) -> Response {
    object_response(status, "user", state.renderer().user(user))
}

/// The user with its address in `Location`, as creates answer.
fn located_user_response(state: &ZendeskState, status: StatusCode, user: &User) -> Response {
    let mut response = user_response(state, status, user);
    add_location(
        &mut response,
        &state.renderer().record_url("users", user.id),
    );
    response
}

/// A page of users in id order, with the paging `request` asked for.
fn user_page(
    state: &ZendeskState,
    users: Vec<&User>,
    request: &PageRequest,
    path: &str,
    kept: Vec<(&str, &str)>,
) -> Response {
    let render = state.renderer();
    let list = ListUrl {
        url: render.api_url(path),
        kept,
        order: "id",
    };
    let page = paginate(users, |user| CursorKey::id(user.id), request, &list);
    list_response("users", page, |user| render.user(user))
}

/// Names the ignored body's keys in `x-zendesk-api-warn`, as for tickets (recorded).
fn with_warning(mut response: Response, body: &[u8], action: Action) -> Response {
    let body: Value = serde_json::from_slice(body).unwrap_or(Value::Null);
    add_api_warning(&mut response, "users", &body, action);
    response
}
