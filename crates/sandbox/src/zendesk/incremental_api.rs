//! Incremental exports of tickets and users (`incremental.yml`; "Allowed For: Admins"): the
//! cursor-based ones (IncrementalTicketExportCursor, IncrementalUserExportCursor) and the
//! time-based ticket export (IncrementalTicketExportTime).
//!
//! Records come in order of last change, then id; tickets include soft-deleted ones, with status
//! `deleted`. A cursor encodes the last record handed out the way the recorded replies do: base64
//! of `<updated_at>.0||<id>|` (`TicketsIncrementalTest.test_get_values`,
//! `MTcwNzI3MTc0MS4wfHw0MDQ1fA==`). `after_cursor` is given even at the end of the stream, so a
//! client resumes from it on its next run.
//!
//! A time-based page is `tickets`, `count`, `end_of_stream`, `next_page` and `end_time`, and the
//! next page starts at `end_time` (recorded `TicketsIncrementalTest.test_pagination`). Pages end on
//! a record's time, so the next one hands out that second's records again ("may contain
//! duplicates"); a page that would hold a single second instead holds all of it, past
//! `per_page`, and ends one second later (recorded: `per_page=1` pages of 7, 6 and 10 tickets).

use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use base64::Engine;
use serde::Serialize;

use crate::common::datetime::UnixSeconds;
use crate::common::server::Linked;
use crate::zendesk::account::{require_admin, ExportedTicket};
use crate::zendesk::auth::Caller;
use crate::zendesk::error::ZendeskError;
use crate::zendesk::extract::{json_route, Params};
use crate::zendesk::wire::{json_response, Renderer, TicketJson};
use crate::zendesk::ZendeskState;

/// Records per page when the request does not say (incremental.yml: "up to 1000 items per page").
const DEFAULT_PER_PAGE: usize = 1000;

pub(crate) fn routes() -> Router<ZendeskState> {
    let router = json_route(
        Router::new(),
        "/api/v2/incremental/tickets",
        get(export_tickets_by_time),
    );
    let router = json_route(
        router,
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

/// A time-based page, in the recorded key order.
#[derive(Serialize)]
struct TimeExport<'a> {
    tickets: Vec<ExportedTicketJson<'a>>,
    count: usize,
    end_of_stream: bool,
    next_page: String,
    end_time: UnixSeconds,
}

#[derive(Serialize)]
struct ExportedTicketJson<'a> {
    #[serde(flatten)]
    ticket: TicketJson<'a>,
    generated_timestamp: UnixSeconds,
}

/// Where an export resumes: after this (updated_at, id), or from a start time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Position {
    After(UnixSeconds, u64),
    Since(UnixSeconds),
}

async fn export_tickets(
    Linked(state): Linked<ZendeskState>,
    Caller(actor): Caller,
    params: Params,
) -> Result<Response, ZendeskError> {
    let (position, per_page) = export_request(&params)?;
    let account = state.account();
    let keyed = keyed_tickets(account.exported_tickets(&actor.user)?);
    let render = state.renderer();
    let (page, after, end) = select(keyed, position, per_page);
    let items = Items::Tickets(
        page.into_iter()
            .map(|exported| ticket_json(render, exported))
            .collect(),
    );
    let path = "incremental/tickets/cursor.json";
    Ok(export_response(render, path, items, after, end))
}

/// `GET /incremental/tickets.json?start_time=...`: the time-based export.
async fn export_tickets_by_time(
    Linked(state): Linked<ZendeskState>,
    Caller(actor): Caller,
    params: Params,
) -> Result<Response, ZendeskError> {
    let per_page = per_page(&params)?;
    let start_time = match params.get("start_time") {
        Some(start_time) => parse_start_time(start_time)?,
        None => {
            return Err(ZendeskError::BadRequest(
                "start_time is required".to_owned(),
            ))
        }
    };
    let account = state.account();
    let keyed = keyed_tickets(account.exported_tickets(&actor.user)?);
    let render = state.renderer();
    let page = select_by_time(keyed, start_time, per_page);
    // `next_page` repeats `per_page` only when it was sent, in the recorded parameter order.
    let per_page_param = params
        .get("per_page")
        .map(|_| format!("per_page={per_page}&"))
        .unwrap_or_default();
    let next_page = render.api_url(&format!(
        "incremental/tickets.json?{per_page_param}start_time={}",
        page.end_time
    ));
    let tickets: Vec<ExportedTicketJson> = page
        .records
        .into_iter()
        .map(|exported| ticket_json(render, exported))
        .collect();
    Ok(json_response(
        StatusCode::OK,
        &TimeExport {
            count: tickets.len(),
            tickets,
            end_of_stream: page.end_of_stream,
            next_page,
            end_time: page.end_time,
        },
    ))
}

async fn export_users(
    Linked(state): Linked<ZendeskState>,
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
    let path = "incremental/users/cursor.json";
    Ok(export_response(render, path, items, after, end))
}

/// A cursor-based page: `items`, the cursor after them and, while the stream goes on, the
/// address of the next page at `path`.
fn export_response<T: Serialize>(
    render: Renderer<'_>,
    path: &str,
    items: Items<T>,
    after_cursor: Option<String>,
    end_of_stream: bool,
) -> Response {
    let after_url = after_cursor
        .as_ref()
        .filter(|_| !end_of_stream)
        .map(|cursor| render.api_url(&format!("{path}?cursor={cursor}")));
    let export = Export {
        items,
        after_url,
        before_url: None,
        after_cursor,
        before_cursor: None,
        end_of_stream,
    };
    json_response(StatusCode::OK, &export)
}

/// `start_time` (required on the first request) or `cursor`, and `per_page`.
fn export_request(params: &Params) -> Result<(Position, usize), ZendeskError> {
    let per_page = per_page(params)?;
    let position = match (params.get("cursor"), params.get("start_time")) {
        (Some(cursor), _) => decode_cursor(cursor)
            .ok_or_else(|| ZendeskError::BadRequest("invalid cursor".to_owned()))?,
        (None, Some(start_time)) => Position::Since(parse_start_time(start_time)?),
        (None, None) => {
            return Err(ZendeskError::BadRequest(
                "start_time or cursor is required".to_owned(),
            ))
        }
    };
    Ok((position, per_page))
}

fn per_page(params: &Params) -> Result<usize, ZendeskError> {
    match params.get("per_page") {
        Some(value) => value
            .parse::<usize>()
            .ok()
            .filter(|size| (1..=1000).contains(size))
            .ok_or_else(|| {
                ZendeskError::BadRequest("per_page must be between 1 and 1000".to_owned())
            }),
        None => Ok(DEFAULT_PER_PAGE),
    }
}

fn parse_start_time(start_time: &str) -> Result<UnixSeconds, ZendeskError> {
    start_time
        .parse()
        .map_err(|_| ZendeskError::BadRequest("start_time must be a Unix time".to_owned()))
}

/// Exported tickets keyed by the time the exports compare, `generated_timestamp`, and their id.
fn keyed_tickets(
    tickets: Vec<ExportedTicket<'_>>,
) -> Vec<((UnixSeconds, u64), ExportedTicket<'_>)> {
    tickets
        .into_iter()
        .map(|exported| ((exported.generated_timestamp, exported.ticket.id), exported))
        .collect()
}

fn ticket_json<'a>(render: Renderer<'a>, exported: ExportedTicket<'a>) -> ExportedTicketJson<'a> {
    ExportedTicketJson {
        generated_timestamp: exported.generated_timestamp,
        ticket: render.exported_ticket(exported),
    }
}

/// One time-based page.
#[derive(Debug, PartialEq, Eq)]
struct TimePage<T> {
    records: Vec<T>,
    end_time: UnixSeconds,
    end_of_stream: bool,
}

/// The records after `position`, oldest change first.
fn changed_since<T>(
    mut keyed: Vec<((UnixSeconds, u64), T)>,
    position: Position,
) -> Vec<((UnixSeconds, u64), T)> {
    keyed.sort_by_key(|(key, _)| *key);
    let after = |key: &(UnixSeconds, u64)| match position {
        Position::After(time, id) => *key > (time, id),
        Position::Since(time) => key.0 >= time,
    };
    keyed.into_iter().filter(|(key, _)| after(key)).collect()
}

/// The records changed at or after `start_time`, at most `per_page` unless they all changed in the
/// same second, and where the next page starts (see the module documentation).
fn select_by_time<T>(
    keyed: Vec<((UnixSeconds, u64), T)>,
    start_time: UnixSeconds,
    per_page: usize,
) -> TimePage<T> {
    let remaining = changed_since(keyed, Position::Since(start_time));
    let mut n_taken = remaining.len().min(per_page);
    let last_time = n_taken.checked_sub(1).map(|last| remaining[last].0 .0);
    let one_second = last_time.is_some_and(|last_time| remaining[0].0 .0 == last_time);
    if let (true, Some(last_time)) = (one_second, last_time) {
        n_taken = remaining.partition_point(|((time, _), _)| *time <= last_time);
    }
    let end_of_stream = n_taken == remaining.len();
    // A whole second handed out is done with; otherwise the next page starts at the last second
    // again, and at the end of the stream so does the next run, as records may still change in it.
    let end_time = match last_time {
        Some(last_time) if one_second && !end_of_stream => last_time + 1,
        Some(last_time) => last_time,
        None => start_time,
    };
    TimePage {
        records: remaining
            .into_iter()
            .take(n_taken)
            .map(|(_, record)| record)
            .collect(),
        end_time,
        end_of_stream,
    }
}

/// The records after `position`, oldest change first, at most `per_page`; the cursor after the
/// last one handed out (or the incoming position when none); whether the stream is exhausted.
fn select<T>(
    keyed: Vec<((UnixSeconds, u64), T)>,
    position: Position,
    per_page: usize,
) -> (Vec<T>, Option<String>, bool) {
    let mut remaining = changed_since(keyed, position);
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

    /// `per_page`, the start time, then the page's records, `end_time` and `end_of_stream`.
    fn check_time_page(per_page: usize, start_time: UnixSeconds, expected: (Vec<&str>, i64, bool)) {
        let records = vec![
            ((10, 1), "a"),
            ((10, 2), "b"),
            ((10, 3), "c"),
            ((20, 4), "d"),
            ((30, 5), "e"),
        ];
        let page = select_by_time(records, start_time, per_page);
        let (records, end_time, end_of_stream) = expected;
        assert_eq!(
            page,
            TimePage {
                records,
                end_time,
                end_of_stream
            },
            "per_page={per_page} start_time={start_time}"
        );
    }

    #[test]
    fn time_pages_end_on_a_second() {
        // A full page ends on its last record's second, which the next page repeats.
        check_time_page(4, 0, (vec!["a", "b", "c", "d"], 20, false));
        // A page of one second holds all of it and moves past it.
        check_time_page(1, 0, (vec!["a", "b", "c"], 11, false));
        check_time_page(1, 11, (vec!["d"], 21, false));
        // The end of the stream ends on the last second, for the next run to look at again.
        check_time_page(1, 21, (vec!["e"], 30, true));
        check_time_page(1000, 0, (vec!["a", "b", "c", "d", "e"], 30, true));
        check_time_page(1000, 31, (vec![], 31, true));
    }
}
