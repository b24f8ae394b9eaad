//! Zendesk's JSON, as the recordings show it: objects in a named envelope, ids as numbers, times
//! as `2023-09-18T23:26:00Z`, every key present (null when empty), `url` pointing at the object's
//! own `.json` address, and `Content-Type: application/json; charset=utf-8`.
//!
//! Key sets and order copy the recorded objects: tickets and audits from
//! `TestTicketCreateUpdateDelete.test_single_object_update-update-single.json` and
//! `TestTicketAudits.test_values.json`, users from `TestUsersPagination.test_values.json`, job
//! statuses from the `create_many` recordings, groups from
//! `TestGroupCreateUpdateDelete.test_pagination.json`, brands, organizations and custom roles from
//! the lookups in `TestTicketCreateUpdateDelete.test_full_objects_create-create-multiple.json`,
//! search export pages from `TestUserSearchExportApi`. Deleted tickets and group memberships are
//! not recorded; their keys are those of Zendesk's reference examples.
//!
//! This file holds the replies, envelopes, lists and the [`Renderer`]; its methods are split by
//! resource, one file each, beside the JSON objects they make: `tickets.rs` (tickets, comments,
//! search results), `users.rs`, `groups.rs` (groups and memberships), `settings.rs` (brands,
//! organizations, custom roles), `audits.rs`, `deleted_tickets.rs`, `jobs.rs` and `files.rs`
//! (uploads and attachments).

mod audits;
mod deleted_tickets;
mod files;
mod groups;
mod jobs;
mod settings;
mod tickets;
mod users;

// Named from here, like everything else the handlers use of the JSON.
pub(crate) use crate::zendesk::wire::tickets::{TicketAuditJson, TicketJson};

use axum::http::{header, HeaderName, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::ser::SerializeMap;
use serde::{Serialize, Serializer};
use serde_json::{json, Value};

use crate::common::datetime::{self, UnixSeconds};
use crate::zendesk::account::Job;
use crate::zendesk::paging::PageLinks;
use crate::zendesk::tickets::{api_warning, unpermitted_keys, Action};

/// The content type of every recorded JSON reply.
pub(crate) const JSON_UTF8: &str = "application/json; charset=utf-8";

/// A JSON reply with the recorded content type.
pub(crate) fn json_response<T: Serialize>(status: StatusCode, body: &T) -> Response {
    let body = serde_json::to_string(body).expect("wire objects always serialise");
    json_text_response(status, body)
}

/// A reply with a JSON body already written, with the recorded content type.
pub(crate) fn json_text_response(status: StatusCode, body: String) -> Response {
    let mut response = (status, body).into_response();
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(JSON_UTF8));
    response
}

/// `{"<key>": value}`, the reply that carries one object.
pub(crate) fn object_response<T: Serialize>(
    status: StatusCode,
    key: &'static str,
    value: T,
) -> Response {
    json_response(status, &Envelope { key, value })
}

/// A `200` with one page of a list under `key`, each record rendered by `render`, and the page's
/// links.
pub(crate) fn list_response<R, T: Serialize>(
    key: &'static str,
    (records, links): (Vec<R>, PageLinks),
    render: impl FnMut(R) -> T,
) -> Response {
    let list = ListJson {
        key,
        items: records.into_iter().map(render).collect(),
        facets: false,
        links,
    };
    json_response(StatusCode::OK, &list)
}

/// A `200` with `{"count": {"value", "refreshed_at"}}`, refreshed `now`.
pub(crate) fn count_response(value: usize, now: UnixSeconds) -> Response {
    let count = CountJson {
        count: CountValueJson {
            value,
            refreshed_at: timestamp(now),
        },
    };
    json_response(StatusCode::OK, &count)
}

/// The first reply to a bulk request or a permanent delete: its job, queued (recorded
/// `create_many`).
pub(crate) fn queued_job_response(render: &Renderer<'_>, job: &Job) -> Response {
    object_response(StatusCode::OK, "job_status", render.queued_job(job))
}

/// Adds `Location` with the address of what a create made (recorded on ticket, user and group
/// creates).
pub(crate) fn add_location(response: &mut Response, url: &str) {
    if let Ok(location) = HeaderValue::from_str(url) {
        response.headers_mut().insert(header::LOCATION, location);
    }
}

/// Adds `x-zendesk-api-warn` when `body` held keys `action` does not permit, naming `controller`
/// (recorded on updates and deletes).
pub(crate) fn add_api_warning(
    response: &mut Response,
    controller: &str,
    body: &Value,
    action: Action,
) {
    let keys = unpermitted_keys(body, action);
    let warning = api_warning(controller, action, &keys);
    if let Some(value) = warning.and_then(|warning| HeaderValue::from_str(&warning).ok()) {
        response
            .headers_mut()
            .insert(HeaderName::from_static("x-zendesk-api-warn"), value);
    }
}

/// A list reply: the records under their key, then the paging fields of either kind.
pub(crate) struct ListJson<T> {
    pub(crate) key: &'static str,
    pub(crate) items: Vec<T>,
    /// `facets: null`, which search replies carry.
    pub(crate) facets: bool,
    pub(crate) links: PageLinks,
}

/// A search result: the object plus `result_type` (`search.yml`, SearchResponse).
#[derive(Serialize)]
pub(crate) struct SearchResultJson<T> {
    #[serde(flatten)]
    object: T,
    result_type: &'static str,
}

/// Renders records with the account's base URL.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Renderer<'a> {
    pub(crate) account_url: &'a str,
}

/// `{"count": {"value", "refreshed_at"}}`, the approximate counts (`groups.yml`,
/// GroupsCountObject); the sandbox's counts are exact and fresh.
#[derive(Serialize)]
struct CountJson {
    count: CountValueJson,
}

#[derive(Serialize)]
struct CountValueJson {
    value: usize,
    refreshed_at: String,
}

/// `{"<key>": value}`, keeping the value's own key order.
struct Envelope<T> {
    key: &'static str,
    value: T,
}

#[derive(Serialize)]
struct Via {
    channel: &'static str,
    source: ViaSource,
}

#[derive(Serialize)]
struct ViaSource {
    from: Value,
    to: Value,
    rel: Option<&'static str>,
}

#[derive(Serialize)]
struct CursorMetaJson<'a> {
    has_more: bool,
    after_cursor: Option<&'a str>,
    before_cursor: Option<&'a str>,
}

#[derive(Serialize)]
struct CursorLinksJson<'a> {
    prev: Option<&'a str>,
    next: Option<&'a str>,
}

impl Renderer<'_> {
    /// `https://{account}/api/v2/{path}`.
    pub(crate) fn api_url(&self, path: &str) -> String {
        format!("{}/api/v2/{path}", self.account_url)
    }

    /// The address of one record, `https://{account}/api/v2/{collection}/{id}.json`: its `url`,
    /// and the `Location` of a create.
    pub(crate) fn record_url(&self, collection: &str, id: impl std::fmt::Display) -> String {
        self.api_url(&format!("{collection}/{id}.json"))
    }
}

impl<T: Serialize> Serialize for Envelope<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(1))?;
        map.serialize_entry(self.key, &self.value)?;
        map.end()
    }
}

impl<T: Serialize> Serialize for ListJson<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(None)?;
        map.serialize_entry(self.key, &self.items)?;
        if self.facets {
            map.serialize_entry("facets", &Value::Null)?;
        }
        match &self.links {
            PageLinks::Offset {
                next_page,
                previous_page,
                count,
            } => {
                map.serialize_entry("next_page", next_page)?;
                map.serialize_entry("previous_page", previous_page)?;
                map.serialize_entry("count", count)?;
            }
            PageLinks::Cursor {
                has_more,
                after_cursor,
                before_cursor,
                next,
                prev,
            } => {
                map.serialize_entry(
                    "meta",
                    &CursorMetaJson {
                        has_more: *has_more,
                        after_cursor: after_cursor.as_deref(),
                        before_cursor: before_cursor.as_deref(),
                    },
                )?;
                map.serialize_entry(
                    "links",
                    &CursorLinksJson {
                        prev: prev.as_deref(),
                        next: next.as_deref(),
                    },
                )?;
            }
        }
        map.end()
    }
}

/// Zendesk's time format.
fn timestamp(seconds: UnixSeconds) -> String {
    format!("{}Z", datetime::format(seconds).replacen(' ', "T", 1))
}

/// `via` with its channel and an empty source, as the recorded objects carry it.
fn via(channel: &'static str) -> Via {
    Via {
        channel,
        source: ViaSource {
            from: json!({}),
            to: json!({}),
            rel: None,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_times_as_recorded() {
        assert_eq!(timestamp(1_695_079_560), "2023-09-18T23:26:00Z");
    }
}
