//! `/api/v2/users`: `me`, show, list and search (`users.yml`, `search.yml`).

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use axum::Router;

use crate::zendesk::auth::{Caller, MaybeCaller};
use crate::zendesk::error::ZendeskError;
use crate::zendesk::extract::{json_route, Params, RecordId};
use crate::zendesk::paging::{paginate, CursorKey, ListUrl, PageRequest};
use crate::zendesk::wire::{json_response, Envelope, ListJson};
use crate::zendesk::ZendeskState;

pub(crate) fn routes() -> Router<ZendeskState> {
    let router = Router::new().route("/api/v2/users/{user_id}", get(show_user));
    let router = json_route(router, "/api/v2/users", get(list_users));
    let router = json_route(router, "/api/v2/users/me", get(me));
    json_route(router, "/api/v2/users/search", get(search_users))
}

/// The signed-in user, or the anonymous user without credentials ("Allowed For: Anonymous
/// users"); wrong credentials are still a 401.
async fn me(
    State(state): State<ZendeskState>,
    MaybeCaller(user): MaybeCaller,
) -> Result<Response, ZendeskError> {
    let render = state.renderer();
    let user_json = match &user {
        Some(user) => render.user(user),
        None => render.anonymous_user(),
    };
    let body = Envelope {
        key: "user",
        value: user_json,
    };
    Ok(json_response(StatusCode::OK, &body))
}

async fn show_user(
    State(state): State<ZendeskState>,
    Caller(actor): Caller,
    RecordId(user_id): RecordId,
) -> Result<Response, ZendeskError> {
    let account = state.account();
    let user = account.show_user(&actor.user, user_id)?;
    let body = Envelope {
        key: "user",
        value: state.renderer().user(user),
    };
    Ok(json_response(StatusCode::OK, &body))
}

/// Every user, or with `role` or `role[]` (repeated) only those with one of the roles
/// (`users.yml`, ListUsers: `UserRoleFilter`, `UserRolesFilter`; Zendesk's Users reference: "role[]:
/// Filters the results by more than one role using the format role[]={role}&role[]={role}").
async fn list_users(
    State(state): State<ZendeskState>,
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
    let render = state.renderer();
    let list = ListUrl {
        url: render.api_url("users.json"),
        kept: role_params,
        order: "id",
    };
    let (page, links) = paginate(users, |user| CursorKey::id(user.id), &request, &list);
    let list = ListJson {
        key: "users",
        items: page.into_iter().map(|user| render.user(user)).collect(),
        facets: false,
        links,
    };
    Ok(json_response(StatusCode::OK, &list))
}

/// `?query=` in the search syntax (`email:`, `name:`, `role:`, words); offset paging only.
async fn search_users(
    State(state): State<ZendeskState>,
    Caller(actor): Caller,
    params: Params,
) -> Result<Response, ZendeskError> {
    let request = PageRequest::parse_offset(&params.0)?;
    let query = params.get("query").unwrap_or_default();
    let account = state.account();
    let users = account.search_users(&actor.user, query)?;
    let render = state.renderer();
    let list = ListUrl {
        url: render.api_url("users/search.json"),
        kept: vec![("query", query)],
        order: "id",
    };
    let (page, links) = paginate(users, |user| CursorKey::id(user.id), &request, &list);
    let list = ListJson {
        key: "users",
        items: page.into_iter().map(|user| render.user(user)).collect(),
        facets: false,
        links,
    };
    Ok(json_response(StatusCode::OK, &list))
}
