//! `/api/v2/brands`, `/api/v2/organizations` and `/api/v2/custom_roles`: list and show the
//! account's fixed configuration (`settings.rs`); thin handlers over `account.rs`.
//!
//! Brands and organizations page by offset or cursor like every list, brands by name ("Returns a
//! list of all brands for your account sorted by name", Zendesk's Brands reference) and
//! organizations by id. The custom roles come in one `{"custom_roles": [...]}` without paging, as
//! Zendesk's Custom Roles reference has it (CustomRolesResponse).

use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use axum::Router;

use crate::common::server::Linked;
use crate::zendesk::auth::Caller;
use crate::zendesk::error::ZendeskError;
use crate::zendesk::extract::{json_route, Params, RecordId};
use crate::zendesk::paging::{paginate, CursorKey, ListUrl, PageRequest};
use crate::zendesk::wire::{list_response, object_response};
use crate::zendesk::ZendeskState;

pub(crate) fn routes() -> Router<ZendeskState> {
    let router = Router::new()
        .route("/api/v2/brands/{brand_id}", get(show_brand))
        .route(
            "/api/v2/organizations/{organization_id}",
            get(show_organization),
        )
        .route(
            "/api/v2/custom_roles/{custom_role_id}",
            get(show_custom_role),
        );
    let router = json_route(router, "/api/v2/brands", get(list_brands));
    let router = json_route(router, "/api/v2/organizations", get(list_organizations));
    json_route(router, "/api/v2/custom_roles", get(list_custom_roles))
}

async fn list_brands(
    Linked(state): Linked<ZendeskState>,
    Caller(actor): Caller,
    params: Params,
) -> Result<Response, ZendeskError> {
    let request = PageRequest::parse(&params.0)?;
    let brands = state.account().brands(&actor.user)?;
    let render = state.renderer();
    let list = ListUrl {
        url: render.api_url("brands.json"),
        kept: Vec::new(),
        order: "name,id",
    };
    let page = paginate(
        brands,
        |brand| CursorKey::name_and_id(brand.name, brand.id),
        &request,
        &list,
    );
    Ok(list_response("brands", page, |brand| render.brand(brand)))
}

async fn show_brand(
    Linked(state): Linked<ZendeskState>,
    Caller(actor): Caller,
    RecordId(brand_id): RecordId,
) -> Result<Response, ZendeskError> {
    let brand = state.account().brand(&actor.user, brand_id)?;
    Ok(object_response(
        StatusCode::OK,
        "brand",
        state.renderer().brand(brand),
    ))
}

async fn list_organizations(
    Linked(state): Linked<ZendeskState>,
    Caller(actor): Caller,
    params: Params,
) -> Result<Response, ZendeskError> {
    let request = PageRequest::parse(&params.0)?;
    let organizations = state.account().organizations(&actor.user)?;
    let render = state.renderer();
    let list = ListUrl {
        url: render.api_url("organizations.json"),
        kept: Vec::new(),
        order: "id",
    };
    let page = paginate(
        organizations,
        |organization| CursorKey::id(organization.id),
        &request,
        &list,
    );
    Ok(list_response("organizations", page, |organization| {
        render.organization(organization)
    }))
}

async fn show_organization(
    Linked(state): Linked<ZendeskState>,
    Caller(actor): Caller,
    RecordId(organization_id): RecordId,
) -> Result<Response, ZendeskError> {
    let organization = state.account().organization(&actor.user, organization_id)?;
    Ok(object_response(
        StatusCode::OK,
        "organization",
        state.renderer().organization(organization),
    ))
}

async fn list_custom_roles(
    Linked(state): Linked<ZendeskState>,
    Caller(actor): Caller,
) -> Result<Response, ZendeskError> {
    let account = state.account();
    let render = state.renderer();
    let custom_roles: Vec<_> = account
        .custom_roles(&actor.user)?
        .into_iter()
        .map(|custom_role| {
            render.custom_role(custom_role, account.team_member_count(custom_role.id))
        })
        .collect();
    Ok(object_response(
        StatusCode::OK,
        "custom_roles",
        custom_roles,
    ))
}

async fn show_custom_role(
    Linked(state): Linked<ZendeskState>,
    Caller(actor): Caller,
    RecordId(custom_role_id): RecordId,
) -> Result<Response, ZendeskError> {
    let account = state.account();
    let custom_role = account.custom_role(&actor.user, custom_role_id)?;
    let team_member_count = account.team_member_count(custom_role.id);
    Ok(object_response(
        StatusCode::OK,
        "custom_role",
        state.renderer().custom_role(custom_role, team_member_count),
    ))
}
