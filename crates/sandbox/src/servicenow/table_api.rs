//! The Table API routes (`c_TableAPI.md`): thin handlers over `crate::servicenow::table`.

use axum::body::Bytes;
use axum::extract::{FromRequest, OriginalUri, Path, Query, Request};
use axum::http::{header, HeaderMap, HeaderName, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::common::datetime;
use crate::common::http::percent_encode;
use crate::common::server::Linked;
use crate::servicenow::acl;
use crate::servicenow::auth::CurrentUser;
use crate::servicenow::error::AppError;
use crate::servicenow::negotiation::{self, AcceptsJson};
use crate::servicenow::params::TableParams;
use crate::servicenow::schema::Table;
use crate::servicenow::store::{Database, User};
use crate::servicenow::table::{self, ListRequest};
use crate::servicenow::wire::{self, json_response, RenderOptions, Rendered};
use crate::servicenow::AppState;

pub(crate) fn routes() -> Router<AppState> {
    let list = || get(list_records).post(create_record);
    let record = || {
        get(read_record)
            .put(update_record)
            .patch(update_record)
            .delete(delete_record)
    };
    Router::new()
        .route("/api/now/table/{table}", list())
        .route("/api/now/table/{table}/{sys_id}", record())
        .route("/api/now/{version}/table/{table}", list())
        .route("/api/now/{version}/table/{table}/{sys_id}", record())
        .method_not_allowed_fallback(negotiation::method_not_allowed)
}

#[derive(Debug, Deserialize)]
struct TablePath {
    #[serde(default)]
    version: Option<String>,
    table: String,
}

#[derive(Debug, Deserialize)]
struct RecordPath {
    #[serde(default)]
    version: Option<String>,
    table: String,
    sys_id: String,
}

/// The `{version}` segment: absent means the latest.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ApiVersion {
    Latest,
    V1,
    V2,
}

/// What every Table API request reads from its path and parameters.
struct TableRequest {
    version: ApiVersion,
    table: Table,
    params: TableParams,
    /// How to write the records of the answer.
    options: RenderOptions,
}

#[derive(Serialize)]
struct ResultBody<T> {
    result: T,
}

/// A request body that must be a JSON object; anything else is the envelope's 400, and a
/// `Content-Type` other than JSON or XML is 415. An empty body reads as `{}`, since the instance
/// defaults the content type to JSON and fills in defaults.
struct JsonObject(Map<String, Value>);

impl<S: Send + Sync> FromRequest<S> for JsonObject {
    type Rejection = AppError;

    async fn from_request(request: Request, state: &S) -> Result<Self, AppError> {
        let content_type = request
            .headers()
            .get(header::CONTENT_TYPE)
            .map(|value| value.to_str().unwrap_or("unreadable"));
        if content_type.is_some_and(|content_type| !negotiation::is_json_or_xml(content_type)) {
            return Err(AppError::UnsupportedMediaType);
        }
        let bytes = Bytes::from_request(request, state)
            .await
            .map_err(|rejection| AppError::BadBody(rejection.body_text()))?;
        read_record_body(&bytes).map(JsonObject)
    }
}

/// The record a write's body holds. "You cannot pass multiple records in POST, PUT, and PATCH
/// operations. If you do, only the first record is processed, the rest are ignored"
/// (`c_RESTAPI.md`): of an array, the first element counts.
fn read_record_body(bytes: &[u8]) -> Result<Map<String, Value>, AppError> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Ok(Map::new());
    }
    let not_an_object = || AppError::BadBody("the payload is not a JSON object".to_owned());
    // The vendor's own examples quote with apostrophes (`--data "{'short_description':'Unable to
    // connect to office wifi',...}"`, c_TableAPI.md; batch-api.md shows such a body answered
    // 201), so a body that is JSON once its single-quoted strings are double-quoted is read so.
    let parsed = serde_json::from_slice::<Value>(bytes).or_else(|strict_error| {
        std::str::from_utf8(bytes)
            .ok()
            .and_then(|text| serde_json::from_str::<Value>(&double_quoted(text)).ok())
            .ok_or(strict_error)
    });
    match parsed {
        Ok(Value::Object(object)) => Ok(object),
        Ok(Value::Array(records)) => match records.into_iter().next() {
            Some(Value::Object(first)) => Ok(first),
            _ => Err(not_an_object()),
        },
        Ok(_) => Err(not_an_object()),
        Err(error) => Err(AppError::BadBody(format!(
            "the payload is not valid JSON: {error}"
        ))),
    }
}

async fn list_records(
    Linked(state): Linked<AppState>,
    CurrentUser(user): CurrentUser,
    _: AcceptsJson,
    Path(path): Path<TablePath>,
    OriginalUri(uri): OriginalUri,
    Query(pairs): Query<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let request = TableRequest::read(&state, &user, path.version.as_deref(), &path.table, &pairs)?;
    let params = &request.params;
    let list = ListRequest {
        query: params.query.clone(),
        limit: params.limit,
        offset: params.offset,
    };
    let db = state.db();
    let page = table::list(&db, request.table, &user, &list, datetime::now());
    // "Version 1 returns error code 404 with no results" (`c_TableAPI.md`, GET list).
    if request.version == ApiVersion::V1 && page.records.is_empty() {
        return Err(AppError::NoRecord);
    }
    let records: Vec<Rendered> = page
        .records
        .iter()
        .map(|record| wire::render(record, &db, &request.options))
        .collect();
    let mut response = json_response(StatusCode::OK, &ResultBody { result: records });
    let headers = response.headers_mut();
    if !params.no_count {
        headers.insert(
            HeaderName::from_static("x-total-count"),
            HeaderValue::from(page.total),
        );
    }
    if !params.suppress_pagination_header {
        let url = format!("{}{}", state.instance_url(), uri.path());
        let link = link_header(&url, &pairs, params.offset, params.limit, page.total);
        if let Ok(link) = HeaderValue::from_str(&link) {
            headers.insert(header::LINK, link);
        }
    }
    Ok(response)
}

async fn read_record(
    Linked(state): Linked<AppState>,
    CurrentUser(user): CurrentUser,
    _: AcceptsJson,
    Path(path): Path<RecordPath>,
    Query(pairs): Query<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let request = TableRequest::read(&state, &user, path.version.as_deref(), &path.table, &pairs)?;
    let db = state.db();
    let record = table::read(&db, request.table, &user, &path.sys_id)?;
    let rendered = wire::render(record, &db, &request.options);
    Ok(json_response(
        StatusCode::OK,
        &ResultBody { result: rendered },
    ))
}

async fn create_record(
    Linked(state): Linked<AppState>,
    CurrentUser(user): CurrentUser,
    _: AcceptsJson,
    Path(path): Path<TablePath>,
    Query(pairs): Query<Vec<(String, String)>>,
    headers: HeaderMap,
    JsonObject(mut body): JsonObject,
) -> Result<Response, AppError> {
    let request = TableRequest::read(&state, &user, path.version.as_deref(), &path.table, &pairs)?;
    let mut db = state.db();
    request.resolve_input(&db, &mut body);
    let sys_id = table::create(&mut db, request.table, &user, &body, datetime::now())?;
    let location = format!(
        "{}{}/{sys_id}",
        request.options.table_url,
        request.table.name()
    );
    // Recorded (`output.ServiceNowOutputTest_insertRecordNoResponse`): 201, Location, no body and
    // no content type.
    let mut response = match wants_no_body(&headers) {
        true => StatusCode::CREATED.into_response(),
        // The caller may not read what they created (an end user filing for someone else).
        false => request.written(&db, &user, &sys_id, StatusCode::CREATED),
    };
    if let Ok(location) = HeaderValue::from_str(&location) {
        response.headers_mut().insert(header::LOCATION, location);
    }
    Ok(response)
}

async fn update_record(
    Linked(state): Linked<AppState>,
    CurrentUser(user): CurrentUser,
    _: AcceptsJson,
    Path(path): Path<RecordPath>,
    Query(pairs): Query<Vec<(String, String)>>,
    headers: HeaderMap,
    JsonObject(mut body): JsonObject,
) -> Result<Response, AppError> {
    let request = TableRequest::read(&state, &user, path.version.as_deref(), &path.table, &pairs)?;
    let mut db = state.db();
    request.resolve_input(&db, &mut body);
    let now = datetime::now();
    table::update(&mut db, request.table, &user, &path.sys_id, &body, now)?;
    if wants_no_body(&headers) {
        return Ok(StatusCode::OK.into_response());
    }
    // The user may have changed the record so that they can no longer read it.
    Ok(request.written(&db, &user, &path.sys_id, StatusCode::OK))
}

/// 204 without a body (recorded: `output.ServiceNowOutputTest_delete`).
async fn delete_record(
    Linked(state): Linked<AppState>,
    CurrentUser(user): CurrentUser,
    _: AcceptsJson,
    Path(path): Path<RecordPath>,
) -> Result<Response, AppError> {
    let request = TableRequest::read(&state, &user, path.version.as_deref(), &path.table, &[])?;
    table::delete(&mut state.db(), request.table, &user, &path.sys_id)?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

fn wants_no_body(headers: &HeaderMap) -> bool {
    headers
        .get("x-no-response-body")
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| value.eq_ignore_ascii_case("true"))
}

/// `text` with every single-quoted string turned into a double-quoted one; double-quoted strings
/// and everything outside strings are kept as they are.
fn double_quoted(text: &str) -> String {
    let mut converted = String::with_capacity(text.len());
    let mut chars = text.chars();
    while let Some(character) = chars.next() {
        match character {
            '"' => {
                converted.push('"');
                while let Some(inner) = chars.next() {
                    converted.push(inner);
                    match inner {
                        '\\' => converted.extend(chars.next()),
                        '"' => break,
                        _ => {}
                    }
                }
            }
            '\'' => {
                converted.push('"');
                while let Some(inner) = chars.next() {
                    match inner {
                        '\\' => match chars.next() {
                            Some('\'') => converted.push('\''),
                            Some(escaped) => {
                                converted.push('\\');
                                converted.push(escaped);
                            }
                            None => {}
                        },
                        '"' => converted.push_str("\\\""),
                        '\'' => break,
                        _ => converted.push(inner),
                    }
                }
                converted.push('"');
            }
            _ => converted.push(character),
        }
    }
    converted
}

impl ApiVersion {
    fn from_segment(segment: Option<&str>) -> Result<ApiVersion, AppError> {
        match segment {
            None => Ok(ApiVersion::Latest),
            Some("v1") => Ok(ApiVersion::V1),
            Some("v2") => Ok(ApiVersion::V2),
            Some(_) => Err(AppError::NoSuchResource),
        }
    }

    fn path_segment(self) -> &'static str {
        match self {
            ApiVersion::Latest => "",
            ApiVersion::V1 => "v1/",
            ApiVersion::V2 => "v2/",
        }
    }
}

impl TableRequest {
    /// Checks the API version and the table, and reads the parameters.
    fn read(
        state: &AppState,
        user: &User,
        version: Option<&str>,
        table: &str,
        pairs: &[(String, String)],
    ) -> Result<TableRequest, AppError> {
        let version = ApiVersion::from_segment(version)?;
        let table =
            Table::from_name(table).ok_or_else(|| AppError::InvalidTable(table.to_owned()))?;
        let params = TableParams::from_pairs(pairs, table);
        let options = RenderOptions {
            show_work_notes: acl::can_read_work_notes(user),
            fields: params.fields.clone(),
            exclude_reference_link: params.exclude_reference_link,
            display_value: params.display_value,
            table_url: format!(
                "{}/api/now/{}table/",
                state.instance_url(),
                version.path_segment()
            ),
        };
        Ok(TableRequest {
            version,
            table,
            params,
            options,
        })
    }

    /// With `sysparm_input_display_value`, turns the display values of a write's body into the
    /// values they stand for.
    fn resolve_input(&self, db: &Database, body: &mut Map<String, Value>) {
        if self.params.input_display_value {
            table::resolve_display_values(db, self.table, body);
        }
    }

    /// The answer to a write: the record as the caller can read it now, or an empty result when
    /// they cannot read it, which the instance answers with the same status.
    fn written(&self, db: &Database, user: &User, sys_id: &str, status: StatusCode) -> Response {
        let result = match table::read(db, self.table, user, sys_id) {
            Ok(record) => wire::render(record, db, &self.options),
            Err(_) => Rendered::default(),
        };
        json_response(status, &ResultBody { result })
    }
}

/// The `Link` header: first, prev (when there is a previous page), next (when there is a next
/// page) and last, each the request's own URL with `sysparm_offset` and `sysparm_limit` set. Other
/// parameters, unknown ones included, are echoed (recorded README).
fn link_header(
    url: &str,
    pairs: &[(String, String)],
    offset: usize,
    limit: usize,
    total: usize,
) -> String {
    let limit = limit.max(1);
    let last_offset = total.saturating_sub(1) / limit * limit;
    let mut links = vec![(0, "first")];
    if offset > 0 {
        links.push((offset.saturating_sub(limit), "prev"));
    }
    if offset + limit < total {
        links.push((offset + limit, "next"));
    }
    links.push((last_offset, "last"));
    links
        .into_iter()
        .map(|(page_offset, rel)| {
            format!(
                "<{url}?{}>;rel=\"{rel}\"",
                page_query(pairs, page_offset, limit)
            )
        })
        .collect::<Vec<_>>()
        .join(",")
}

fn page_query(pairs: &[(String, String)], offset: usize, limit: usize) -> String {
    let mut encoded: Vec<String> = pairs
        .iter()
        .filter(|(key, _)| key != "sysparm_offset" && key != "sysparm_limit")
        .map(|(key, value)| format!("{}={}", percent_encode(key), percent_encode(value)))
        .collect();
    encoded.push(format!("sysparm_limit={limit}"));
    encoded.push(format!("sysparm_offset={offset}"));
    encoded.join("&")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(offset: usize, limit: usize, total: usize, expected: &str) {
        let pairs = vec![("sysparm_query".to_owned(), "active=true".to_owned())];
        let header = link_header(
            "http://sn/api/now/table/incident",
            &pairs,
            offset,
            limit,
            total,
        );
        let rels: Vec<String> = header
            .split(',')
            .map(|link| {
                let offset = link.split("sysparm_offset=").nth(1).unwrap_or_default();
                let offset = offset.split('>').next().unwrap_or_default();
                let rel = link
                    .split("rel=\"")
                    .nth(1)
                    .unwrap_or_default()
                    .trim_end_matches('"');
                format!("{rel}={offset}")
            })
            .collect();
        assert_eq!(rels.join(" "), expected);
    }

    #[test]
    fn single_quoted_bodies() {
        let cases = [
            (
                "{'short_description':'Unable to connect to office wifi','urgency':'2'}",
                r#"{"short_description":"Unable to connect to office wifi","urgency":"2"}"#,
            ),
            (
                r#"{'a':'it\'s "quoted"', "b": "don't"}"#,
                r#"{"a":"it's \"quoted\"", "b": "don't"}"#,
            ),
            (r#"{'a':'line\nbreak'}"#, r#"{"a":"line\nbreak"}"#),
        ];
        for (text, expected) in cases {
            assert_eq!(double_quoted(text), expected, "{text}");
        }
        let record = read_record_body(cases[0].0.as_bytes()).expect("a record");
        assert_eq!(record["urgency"], "2");
        assert!(read_record_body(b"{'unterminated").is_err());
    }

    #[test]
    fn link_header_pages() {
        check(0, 10, 25, "first=0 next=10 last=20");
        check(10, 10, 25, "first=0 prev=0 next=20 last=20");
        check(20, 10, 25, "first=0 prev=10 last=20");
        check(0, 10, 0, "first=0 last=0");
        check(0, 10, 10, "first=0 last=0");
    }

    #[test]
    fn link_header_echoes_other_parameters() {
        let pairs = vec![
            (
                "sysparm_query".to_owned(),
                "active=true^ORDERBYnumber".to_owned(),
            ),
            ("unknown".to_owned(), "x y".to_owned()),
            ("sysparm_offset".to_owned(), "0".to_owned()),
        ];
        let header = link_header("http://sn/api/now/table/incident", &pairs, 0, 1, 1);
        assert_eq!(
            header,
            "<http://sn/api/now/table/incident?sysparm_query=active%3Dtrue%5EORDERBYnumber&unknown=x%20y&sysparm_limit=1&sysparm_offset=0>;rel=\"first\",\
             <http://sn/api/now/table/incident?sysparm_query=active%3Dtrue%5EORDERBYnumber&unknown=x%20y&sysparm_limit=1&sysparm_offset=0>;rel=\"last\""
        );
    }
}
