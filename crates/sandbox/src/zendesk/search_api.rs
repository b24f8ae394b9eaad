//! `GET /api/v2/search/export`: search results of one type, newest first, with cursor paging
//! only (`search.yml`, ExportSearchResults; recorded `TestUserSearchExportApi`).
//!
//! `filter[type]` picks tickets or users; organizations and groups, which the reference names
//! too, are not emulated and answer 400 like a missing type. The reference says a type in the
//! query "will result in an error", but the recorded account answered `type:user` with
//! `filter[type]=user`; the sandbox reads `type:` as any other term. Pages hold `page[size]`
//! results, at most 1000 ("Returns a maximum of 1000 records per page"), 100 when not asked (the
//! size the reference recommends). Replies carry `results`, `facets: null`, `meta` (`has_more`,
//! `after_cursor`, `before_cursor: null`) and `links` (`prev: null`, "backward pagination is not
//! supported", and `next` while there are more), as recorded.

use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use flare_core::http::query_string;
use serde::Serialize;

use crate::common::server::Linked;
use crate::zendesk::auth::Caller;
use crate::zendesk::error::ZendeskError;
use crate::zendesk::extract::{json_route, Params};
use crate::zendesk::paging::PageLinks;
use crate::zendesk::search::{export_page, ExportCursor, ExportPage, Query};
use crate::zendesk::wire::{json_response, ListJson};
use crate::zendesk::ZendeskState;

/// The most results an export page holds.
const MAX_EXPORT_PAGE_SIZE: usize = 1000;
/// The page size when none is asked for.
const DEFAULT_EXPORT_PAGE_SIZE: usize = 100;

pub(crate) fn routes() -> Router<ZendeskState> {
    json_route(Router::new(), "/api/v2/search/export", get(export))
}

/// The type of results an export walks, as `filter[type]` names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ResultType {
    Ticket,
    User,
}

/// What `links.next` repeats besides the cursor: the recorded link has `filter[type]`,
/// `page[after]`, `page[size]` and `query`, in that order.
struct NextLink<'a> {
    url: String,
    result_type: ResultType,
    size: usize,
    query: &'a str,
}

async fn export(
    Linked(state): Linked<ZendeskState>,
    Caller(actor): Caller,
    params: Params,
) -> Result<Response, ZendeskError> {
    let query_text = params
        .get("query")
        .filter(|query| !query.trim().is_empty())
        .ok_or_else(|| ZendeskError::BadRequest("query is required".to_owned()))?;
    let result_type = match params.get("filter[type]") {
        Some("ticket") => ResultType::Ticket,
        Some("user") => ResultType::User,
        _ => {
            return Err(ZendeskError::BadRequest(
                "filter[type] must be ticket or user".to_owned(),
            ));
        }
    };
    let size = params
        .get("page[size]")
        .and_then(|size| size.trim().parse::<usize>().ok())
        .filter(|size| *size > 0)
        .unwrap_or(DEFAULT_EXPORT_PAGE_SIZE)
        .min(MAX_EXPORT_PAGE_SIZE);
    let after = params
        .get("page[after]")
        .map(ExportCursor::decode)
        .transpose()?;
    let query = Query::parse(query_text);
    let account = state.account();
    let render = state.renderer();
    let next = NextLink {
        url: render.api_url("search/export.json"),
        result_type,
        size,
        query: query_text,
    };
    match result_type {
        ResultType::Ticket => {
            let tickets = account.search_tickets(&actor.user, &query)?;
            let keyed = tickets
                .into_iter()
                .map(|ticket| (ticket.created_at, ticket.id, ticket))
                .collect();
            let page = export_page(keyed, after, size);
            Ok(export_response(page, &next, |ticket| {
                render.search_result(ticket)
            }))
        }
        ResultType::User => {
            let users = account.search_users(&actor.user, &query)?;
            let keyed = users
                .into_iter()
                .map(|user| (user.created_at, user.id, user))
                .collect();
            let page = export_page(keyed, after, size);
            Ok(export_response(page, &next, |user| {
                render.user_search_result(user)
            }))
        }
    }
}

impl ResultType {
    fn code(self) -> &'static str {
        match self {
            ResultType::Ticket => "ticket",
            ResultType::User => "user",
        }
    }
}

impl NextLink<'_> {
    fn after(&self, cursor: &str) -> String {
        let size = self.size.to_string();
        let params = [
            ("filter[type]", self.result_type.code()),
            ("page[after]", cursor),
            ("page[size]", size.as_str()),
            ("query", self.query),
        ];
        format!("{}?{}", self.url, query_string(&params))
    }
}

fn export_response<T, J: Serialize>(
    page: ExportPage<T>,
    next: &NextLink<'_>,
    render: impl Fn(T) -> J,
) -> Response {
    let after_cursor = page.after.map(|cursor| cursor.encode());
    let links = PageLinks::Cursor {
        has_more: page.has_more,
        next: after_cursor
            .as_deref()
            .filter(|_| page.has_more)
            .map(|cursor| next.after(cursor)),
        prev: None,
        after_cursor,
        before_cursor: None,
    };
    let list = ListJson {
        key: "results",
        items: page.items.into_iter().map(render).collect(),
        facets: true,
        links,
    };
    json_response(StatusCode::OK, &list)
}
