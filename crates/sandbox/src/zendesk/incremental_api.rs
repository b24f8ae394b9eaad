//! Cursor-based incremental exports of tickets and users (`incremental.yml`,
//! IncrementalTicketExportCursor and IncrementalUserExportCursor; "Allowed For: Admins").
//!
//! Records come in order of last change, then id. A cursor encodes the last record handed out the
//! way the recorded replies do: base64 of `<updated_at>.0||<id>|`
//! (`TicketsIncrementalTest.test_get_values`, `MTcwNzI3MTc0MS4wfHw0MDQ1fA==`). `after_cursor` is
//! given even at the end of the stream, so a client resumes from it on its next run.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use base64::Engine;
use serde::Serialize;

use crate::datetime::UnixSeconds;
use crate::zendesk::account::require_admin;
use crate::zendesk::auth::Caller;
use crate::zendesk::error::ZendeskError;
use crate::zendesk::extract::{json_route, Params};
use crate::zendesk::wire::json_response;
use crate::zendesk::ZendeskState;

/// Records per page when the request does not say (incremental.yml: "up to 1000 items per page").
const DEFAULT_PER_PAGE: usize = 1000;

pub(crate) fn routes() -> Router<ZendeskState> {
    let router = json_route(
        Router::new(),
        "/api/v2/incremental/tickets/cursor",
        get(export_tickets),
    );
    json_route(
        router,
        "/api/v2/incremental/users/cursor",
        get(export_users),
    )
}

#[derive(Serialize)]
struct Export<T> {
    #[serde(flatten)]
    items: Items<T>,
    after_url: Option<String>,
    before_url: Option<String>,
    after_cursor: Option<String>,
    before_cursor: Option<String>,
    end_of_stream: bool,
}

#[derive(Serialize)]
enum Items<T> {
    #[serde(rename = "tickets")]
    Tickets(Vec<T>),
    #[serde(rename = "users")]
    Users(Vec<T>),
}

#[derive(Serialize)]
struct ExportedTicket<'a> {
    #[serde(flatten)]
    ticket: crate::zendesk::wire::TicketJson<'a>,
    generated_timestamp: UnixSeconds,
}

/// Where an export resumes: after this (updated_at, id), or from a start time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Position {
    After(UnixSeconds, u64),
    Since(UnixSeconds),
}

async fn export_tickets(
    State(state): State<ZendeskState>,
    Caller(actor): Caller,
    params: Params,
) -> Result<Response, ZendeskError> {
    let (position, per_page) = export_request(&params)?;
    let account = state.account();
    require_admin(&actor.user)?;
    let tickets = account.list_tickets(&actor.user, None)?;
    let keyed: Vec<_> = tickets
        .into_iter()
        .map(|ticket| ((ticket.updated_at, ticket.id), ticket))
        .collect();
    let render = state.renderer();
    let (page, after, end) = select(keyed, position, per_page);
    // Exported tickets carry `generated_timestamp`, the time the export compares (incremental.yml).
    let items = Items::Tickets(
        page.into_iter()
            .map(|ticket| ExportedTicket {
                generated_timestamp: ticket.updated_at,
                ticket: render.ticket(ticket),
            })
            .collect(),
    );
    let after_url = after
        .as_ref()
        .filter(|_| !end)
        .map(|cursor| render.api_url(&format!("incremental/tickets/cursor.json?cursor={cursor}")));
    Ok(json_response(
        StatusCode::OK,
        &Export {
            items,
            after_url,
            before_url: None,
            after_cursor: after,
            before_cursor: None,
            end_of_stream: end,
        },
    ))
}

async fn export_users(
    State(state): State<ZendeskState>,
    Caller(actor): Caller,
    params: Params,
) -> Result<Response, ZendeskError> {
    let (position, per_page) = export_request(&params)?;
    let account = state.account();
    require_admin(&actor.user)?;
    let users = account.users_with_deleted(&actor.user)?;
    let keyed: Vec<_> = users
        .into_iter()
        .map(|user| ((user.updated_at, user.id), user))
        .collect();
    let render = state.renderer();
    let (page, after, end) = select(keyed, position, per_page);
    let items = Items::Users(page.into_iter().map(|user| render.user(user)).collect());
    let after_url = after
        .as_ref()
        .filter(|_| !end)
        .map(|cursor| render.api_url(&format!("incremental/users/cursor.json?cursor={cursor}")));
    Ok(json_response(
        StatusCode::OK,
        &Export {
            items,
            after_url,
            before_url: None,
            after_cursor: after,
            before_cursor: None,
            end_of_stream: end,
        },
    ))
}

/// `start_time` (required on the first request) or `cursor`, and `per_page`.
fn export_request(params: &Params) -> Result<(Position, usize), ZendeskError> {
    let per_page = match params.get("per_page") {
        Some(value) => value
            .parse::<usize>()
            .ok()
            .filter(|size| (1..=1000).contains(size))
            .ok_or_else(|| {
                ZendeskError::BadRequest("per_page must be between 1 and 1000".to_owned())
            })?,
        None => DEFAULT_PER_PAGE,
    };
    let position =
        match (params.get("cursor"), params.get("start_time")) {
            (Some(cursor), _) => decode_cursor(cursor)
                .ok_or_else(|| ZendeskError::BadRequest("invalid cursor".to_owned()))?,
            (None, Some(start_time)) => Position::Since(start_time.parse().map_err(|_| {
                ZendeskError::BadRequest("start_time must be a Unix time".to_owned())
            })?),
            (None, None) => {
                return Err(ZendeskError::BadRequest(
                    "start_time or cursor is required".to_owned(),
                ))
            }
        };
    Ok((position, per_page))
}

/// The records after `position`, oldest change first, at most `per_page`; the cursor after the
/// last one handed out (or the incoming position when none); whether the stream is exhausted.
fn select<T>(
    mut keyed: Vec<((UnixSeconds, u64), T)>,
    position: Position,
    per_page: usize,
) -> (Vec<T>, Option<String>, bool) {
    keyed.sort_by_key(|(key, _)| *key);
    let after = |key: &(UnixSeconds, u64)| match position {
        Position::After(time, id) => *key > (time, id),
        Position::Since(time) => key.0 >= time,
    };
    let mut remaining: Vec<_> = keyed.into_iter().filter(|(key, _)| after(key)).collect();
    let end = remaining.len() <= per_page;
    remaining.truncate(per_page);
    let last = remaining.last().map(|(key, _)| *key);
    // Within a walk the cursor names the last record exactly. At the end of the stream it points
    // at the start of that second instead: changes come with one-second timestamps, so a record
    // changed later in the same second must not be skipped by the next run (a record seen twice is
    // harmless; clients replace by id).
    let cursor = match (last, position, end) {
        (Some((time, _)), _, true) => Some(encode_cursor(time, 0)),
        (Some((time, id)), _, false) => Some(encode_cursor(time, id)),
        (None, Position::After(time, id), _) => Some(encode_cursor(time, id)),
        (None, Position::Since(time), _) => Some(encode_cursor(time, 0)),
    };
    (
        remaining.into_iter().map(|(_, record)| record).collect(),
        cursor,
        end,
    )
}

fn encode_cursor(time: UnixSeconds, id: u64) -> String {
    base64::engine::general_purpose::STANDARD.encode(format!("{time}.0||{id}|"))
}

fn decode_cursor(cursor: &str) -> Option<Position> {
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(cursor)
        .ok()?;
    let text = String::from_utf8(bytes).ok()?;
    let (time, rest) = text.split_once(".0||")?;
    let id = rest.strip_suffix('|')?;
    Some(Position::After(time.parse().ok()?, id.parse().ok()?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_look_like_the_recorded_ones() {
        // From TicketsIncrementalTest.test_get_values: after_cursor of a real export.
        assert_eq!(
            encode_cursor(1_707_271_741, 4045),
            "MTcwNzI3MTc0MS4wfHw0MDQ1fA=="
        );
        assert_eq!(
            decode_cursor("MTcwNzI3MTc0MS4wfHw0MDQ1fA=="),
            Some(Position::After(1_707_271_741, 4045))
        );
        assert_eq!(decode_cursor("bm9uc2Vuc2U="), None);
    }

    #[test]
    fn pages_follow_the_change_order() {
        let records = vec![
            ((20, 2), "b"),
            ((10, 3), "a"),
            ((20, 1), "c"),
            ((30, 4), "d"),
        ];
        let (page, cursor, end) = select(records.clone(), Position::Since(15), 2);
        assert_eq!((page, end), (vec!["c", "b"], false));
        let resume = decode_cursor(&cursor.expect("a cursor")).expect("decodes");
        let (page, cursor, end) = select(records.clone(), resume, 2);
        assert_eq!((page, end), (vec!["d"], true));
        // The end of the stream resumes from the start of the last second: "d" again, nothing older.
        let resume = decode_cursor(&cursor.expect("a cursor")).expect("decodes");
        assert_eq!(resume, Position::After(30, 0));
        assert_eq!(select(records, resume, 2).0, vec!["d"]);
    }
}
