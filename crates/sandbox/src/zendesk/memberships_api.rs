//! Group memberships: `/api/v2/group_memberships` (list, create, show, delete) and the lists of
//! one group's (`/api/v2/groups/{id}/memberships`) and one user's
//! (`/api/v2/users/{id}/group_memberships`), as the mirror's
//! `group-memberships-openapi-original.yml` and Zendesk's Group Memberships reference describe
//! them; thin handlers over `account.rs`. Lists page by offset or cursor, by id; a create answers
//! 201 with `Location`, a delete 204.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use serde_json::Value;

use crate::common::datetime;
use crate::common::server::Linked;
use crate::zendesk::account::{GroupMembership, MembershipsOf, User};
use crate::zendesk::auth::Caller;
use crate::zendesk::error::{ZendeskError, ZendeskJson};
use crate::zendesk::extract::{json_route, Params, RecordId};
use crate::zendesk::groups::MembershipInput;
use crate::zendesk::paging::{paginate, CursorKey, ListUrl, PageRequest};
use crate::zendesk::wire::{add_location, list_response, object_response};
use crate::zendesk::ZendeskState;

pub(crate) fn routes() -> Router<ZendeskState> {
    let router = Router::new().route(
        "/api/v2/group_memberships/{membership_id}",
        get(show_membership).delete(delete_membership),
    );
    let router = json_route(
        router,
        "/api/v2/group_memberships",
        get(list_memberships).post(create_membership),
    );
    let router = json_route(
        router,
        "/api/v2/groups/{group_id}/memberships",
        get(group_memberships),
    );
    json_route(
        router,
        "/api/v2/users/{user_id}/group_memberships",
        get(user_memberships),
    )
}

async fn list_memberships(
    Linked(state): Linked<ZendeskState>,
    Caller(actor): Caller,
    params: Params,
) -> Result<Response, ZendeskError> {
    membership_page(&state, &actor.user, MembershipsOf::All, &params)
}

async fn group_memberships(
    Linked(state): Linked<ZendeskState>,
    Caller(actor): Caller,
    RecordId(group_id): RecordId,
    params: Params,
) -> Result<Response, ZendeskError> {
    membership_page(&state, &actor.user, MembershipsOf::Group(group_id), &params)
}

async fn user_memberships(
    Linked(state): Linked<ZendeskState>,
    Caller(actor): Caller,
    RecordId(user_id): RecordId,
    params: Params,
) -> Result<Response, ZendeskError> {
    membership_page(&state, &actor.user, MembershipsOf::User(user_id), &params)
}

async fn show_membership(
    Linked(state): Linked<ZendeskState>,
    Caller(actor): Caller,
    RecordId(membership_id): RecordId,
) -> Result<Response, ZendeskError> {
    let account = state.account();
    let membership = account.membership(&actor.user, membership_id)?;
    Ok(membership_response(&state, StatusCode::OK, membership))
}

async fn create_membership(
    Linked(state): Linked<ZendeskState>,
    Caller(actor): Caller,
    ZendeskJson(body): ZendeskJson<Value>,
) -> Result<Response, ZendeskError> {
    let input = MembershipInput::parse(&body)?;
    let mut account = state.account();
    let membership = account.create_membership(&actor.user, &input, datetime::now())?;
    let mut response = membership_response(&state, StatusCode::CREATED, membership);
    let location = state
        .renderer()
        .record_url("group_memberships", membership.id);
    add_location(&mut response, &location);
    Ok(response)
}

async fn delete_membership(
    Linked(state): Linked<ZendeskState>,
    Caller(actor): Caller,
    RecordId(membership_id): RecordId,
) -> Response {
    state
        .account()
        .delete_membership(&actor.user, membership_id, datetime::now())
        .map(|()| StatusCode::NO_CONTENT)
        .into_response()
}

fn membership_response(
    state: &ZendeskState,
    status: StatusCode,
    membership: &GroupMembership,
) -> Response {
    object_response(
        status,
        "group_membership",
        state.renderer().membership(membership),
    )
}

fn membership_page(
    state: &ZendeskState,
    caller: &User,
    of: MembershipsOf,
    params: &Params,
) -> Result<Response, ZendeskError> {
    let request = PageRequest::parse(&params.0)?;
    let account = state.account();
    let memberships = account.memberships(caller, of)?;
    let render = state.renderer();
    let path = match of {
        MembershipsOf::All => "group_memberships.json".to_owned(),
        MembershipsOf::Group(group_id) => format!("groups/{group_id}/memberships.json"),
        MembershipsOf::User(user_id) => format!("users/{user_id}/group_memberships.json"),
    };
    let list = ListUrl {
        url: render.api_url(&path),
        kept: Vec::new(),
        order: "id",
    };
    let page = paginate(
        memberships,
        |membership| CursorKey::id(membership.id),
        &request,
        &list,
    );
    Ok(list_response("group_memberships", page, |membership| {
        render.membership(membership)
    }))
}
