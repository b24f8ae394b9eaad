//! The HTML pages: the sandbox's home page and the read-only incident page Flare links to.

use std::collections::HashMap;

use axum::extract::Query;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::Router;

use crate::common::html::escape;
use crate::common::server::Linked;
use crate::servicenow::schema::{Table, INCIDENT_STATES};
use crate::servicenow::AppState;

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(home))
        .route("/incident.do", get(incident_page))
}

async fn home(Linked(state): Linked<AppState>) -> Html<String> {
    let url = escape(state.instance_url());
    Html(format!(
        "<!doctype html>\n<html lang=\"en\">\n<head><meta charset=\"utf-8\"><title>Flare sandbox</title></head>\n\
         <body>\n<main>\n<h1>Flare sandbox</h1>\n\
         <p>A local stand-in for a ServiceNow instance at <code>{url}</code>.</p>\n\
         <p>Table API: <code>{url}/api/now/table/incident</code> (Basic auth).</p>\n\
         <p>Demo users: admin / admin, itil / itil, abel.tuter / abel.tuter.</p>\n\
         </main>\n</body>\n</html>\n"
    ))
}

/// A read-only record page without sign-in, so that a link from Flare opens in any browser. It
/// shows only the number, short description, state and caller.
async fn incident_page(
    Linked(state): Linked<AppState>,
    Query(params): Query<HashMap<String, String>>,
) -> Response {
    let sys_id = params.get("sys_id").map(String::as_str).unwrap_or_default();
    let db = state.db();
    let Some(record) = db.get(Table::Incident, sys_id) else {
        let body = "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Record not found</title></head>\
                    <body><main><h1>Record not found</h1></main></body></html>\n";
        return (StatusCode::NOT_FOUND, Html(body)).into_response();
    };
    let state_label = INCIDENT_STATES
        .iter()
        .find(|(value, _)| *value == record.get("state"))
        .map(|(_, label)| *label)
        .unwrap_or(record.get("state"));
    let caller = db
        .get(Table::SysUser, record.get("caller_id"))
        .map(|user| user.get("name"))
        .unwrap_or_default();
    let number = escape(record.get("number"));
    Html(format!(
        "<!doctype html>\n<html lang=\"en\">\n<head><meta charset=\"utf-8\"><title>{number} | Incident | Flare sandbox</title></head>\n\
         <body>\n<main>\n<h1>Incident {number}</h1>\n<dl>\n\
         <dt>Number</dt><dd>{number}</dd>\n\
         <dt>Short description</dt><dd>{}</dd>\n\
         <dt>State</dt><dd>{}</dd>\n\
         <dt>Caller</dt><dd>{}</dd>\n\
         </dl>\n</main>\n</body>\n</html>\n",
        escape(record.get("short_description")),
        escape(state_label),
        escape(caller),
    ))
    .into_response()
}
