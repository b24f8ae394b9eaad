//! The Attachment API routes (`c_AttachmentAPI.md`): list, metadata, download, upload (raw and
//! multipart), delete. Thin handlers over `crate::servicenow::attachment`.

use std::collections::HashMap;

use axum::body::Body;
use axum::extract::{DefaultBodyLimit, Multipart, Path, Query, Request};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use flare_core::query::EncodedQuery;
use serde::Serialize;

use crate::common::datetime;
use crate::common::server::Linked;
use crate::servicenow::attachment::{self, Upload};
use crate::servicenow::auth::CurrentUser;
use crate::servicenow::error::AppError;
use crate::servicenow::eval;
use crate::servicenow::negotiation::{self, AcceptsJson};
use crate::servicenow::schema::Table;
use crate::servicenow::table::{self, ListRequest};
use crate::servicenow::wire::json_response;
use crate::servicenow::wire::Rendered;
use crate::servicenow::AppState;

/// `sysparm_limit` of the attachment list when none is given ("Default: 1000").
const DEFAULT_LIMIT: usize = 1000;

pub(crate) fn routes() -> Router<AppState> {
    let mut router = Router::new();
    for prefix in ["/api/now/attachment", "/api/now/v1/attachment"] {
        router = router
            .route(prefix, get(list_attachments))
            .route(&format!("{prefix}/file"), post(upload_file))
            .route(&format!("{prefix}/upload"), post(upload_multipart))
            .route(
                &format!("{prefix}/{{sys_id}}"),
                get(read_metadata).delete(delete_attachment),
            )
            .route(&format!("{prefix}/{{sys_id}}/file"), get(download));
    }
    // The handlers enforce the instance's own size limit, with its own error.
    router
        .method_not_allowed_fallback(negotiation::method_not_allowed)
        .layer(DefaultBodyLimit::disable())
}

#[derive(Serialize)]
struct ResultBody<T> {
    result: T,
}

async fn list_attachments(
    Linked(state): Linked<AppState>,
    CurrentUser(user): CurrentUser,
    _: AcceptsJson,
    Query(params): Query<HashMap<String, String>>,
) -> Response {
    let query = params
        .get("sysparm_query")
        .map(|encoded| EncodedQuery::parse_lenient(encoded).0)
        .unwrap_or_default();
    let request = ListRequest {
        query: eval::drop_invalid_parts(query, Table::SysAttachment),
        limit: numeric(params.get("sysparm_limit")).unwrap_or(DEFAULT_LIMIT),
        offset: numeric(params.get("sysparm_offset")).unwrap_or(0),
    };
    let db = state.db();
    let page = table::list(&db, Table::SysAttachment, &user, &request, datetime::now());
    let result: Vec<Rendered> = page
        .records
        .iter()
        .map(|attachment| attachment::metadata(attachment, state.instance_url()))
        .collect();
    json_response(StatusCode::OK, &ResultBody { result })
}

async fn read_metadata(
    Linked(state): Linked<AppState>,
    CurrentUser(user): CurrentUser,
    _: AcceptsJson,
    Path(sys_id): Path<String>,
) -> Result<Response, AppError> {
    let db = state.db();
    let attachment = table::read(&db, Table::SysAttachment, &user, &sys_id)?;
    let result = attachment::metadata(attachment, state.instance_url());
    Ok(json_response(StatusCode::OK, &ResultBody { result }))
}

/// The content, with its content type and `X-Attachment-Metadata`.
async fn download(
    Linked(state): Linked<AppState>,
    CurrentUser(user): CurrentUser,
    Path(sys_id): Path<String>,
) -> Result<Response, AppError> {
    let db = state.db();
    let attachment = table::read(&db, Table::SysAttachment, &user, &sys_id)?;
    let content = db.file(&sys_id).unwrap_or_default().to_vec();
    let metadata = attachment::metadata(attachment, state.instance_url());
    let metadata = serde_json::to_string(&metadata).expect("metadata is strings");
    let mut response = Body::from(content).into_response();
    let headers = response.headers_mut();
    if let Ok(content_type) = HeaderValue::from_str(attachment.get("content_type")) {
        headers.insert(header::CONTENT_TYPE, content_type);
    }
    if let Ok(metadata) = HeaderValue::from_str(&metadata) {
        headers.insert("x-attachment-metadata", metadata);
    }
    Ok(response)
}

/// `POST .../file?table_name=..&table_sys_id=..&file_name=..` with the content as the body and
/// its type in `Content-Type` ("This header is mandatory to post file attachments").
async fn upload_file(
    Linked(state): Linked<AppState>,
    CurrentUser(user): CurrentUser,
    _: AcceptsJson,
    Query(params): Query<HashMap<String, String>>,
    request: Request,
) -> Result<Response, AppError> {
    let table_name = required(&params, "table_name")?;
    let table_sys_id = required(&params, "table_sys_id")?;
    let file_name = required(&params, "file_name")?;
    let content_type = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .map(str::to_owned)
        .ok_or(AppError::MissingParameter("Content-Type"))?;
    let max = state.max_attachment_bytes();
    let declared = declared_length(request.headers());
    let content = axum::body::to_bytes(request.into_body(), max.saturating_add(1))
        .await
        .map_err(|_| too_large(declared.unwrap_or(max as u64 + 1), max))?;
    if content.len() > max {
        return Err(too_large(content.len() as u64, max));
    }
    let upload = Upload {
        table_name,
        table_sys_id,
        file_name,
        content_type: &content_type,
        content: content.to_vec(),
    };
    created(&state, &user, upload)
}

/// Multipart upload: `table_name` and `table_sys_id` parts first, the file last.
async fn upload_multipart(
    Linked(state): Linked<AppState>,
    CurrentUser(user): CurrentUser,
    _: AcceptsJson,
    mut multipart: Multipart,
) -> Result<Response, AppError> {
    let bad_body =
        |error: axum::extract::multipart::MultipartError| AppError::BadBody(error.body_text());
    let mut fields: HashMap<String, String> = HashMap::new();
    let max = state.max_attachment_bytes();
    while let Some(field) = multipart.next_field().await.map_err(bad_body)? {
        let name = field.name().unwrap_or_default().to_owned();
        let Some(file_name) = field.file_name().map(str::to_owned) else {
            let value = field.text().await.map_err(bad_body)?;
            fields.insert(name, value);
            continue;
        };
        let content_type = field
            .content_type()
            .unwrap_or("application/octet-stream")
            .to_owned();
        let content = field.bytes().await.map_err(bad_body)?;
        if content.len() > max {
            return Err(too_large(content.len() as u64, max));
        }
        let upload = Upload {
            table_name: required(&fields, "table_name")?,
            table_sys_id: required(&fields, "table_sys_id")?,
            file_name: &file_name,
            content_type: &content_type,
            content: content.to_vec(),
        };
        return created(&state, &user, upload);
    }
    Err(AppError::MissingParameter("file"))
}

async fn delete_attachment(
    Linked(state): Linked<AppState>,
    CurrentUser(user): CurrentUser,
    _: AcceptsJson,
    Path(sys_id): Path<String>,
) -> Result<StatusCode, AppError> {
    attachment::delete(&mut state.db(), &user, &sys_id)?;
    Ok(StatusCode::NO_CONTENT)
}

/// Stores the upload and answers 201 with `Location` and the metadata.
fn created(
    state: &AppState,
    user: &crate::servicenow::store::User,
    upload: Upload<'_>,
) -> Result<Response, AppError> {
    let mut db = state.db();
    let sys_id = attachment::upload(&mut db, user, upload, datetime::now())?;
    let attachment = table::read(&db, Table::SysAttachment, user, &sys_id)?;
    let result = attachment::metadata(attachment, state.instance_url());
    let mut response = json_response(StatusCode::CREATED, &ResultBody { result });
    let location = format!("{}/api/now/attachment/{sys_id}", state.instance_url());
    if let Ok(location) = HeaderValue::from_str(&location) {
        response.headers_mut().insert(header::LOCATION, location);
    }
    Ok(response)
}

fn required<'a>(
    params: &'a HashMap<String, String>,
    name: &'static str,
) -> Result<&'a str, AppError> {
    params
        .get(name)
        .map(String::as_str)
        .filter(|value| !value.is_empty())
        .ok_or(AppError::MissingParameter(name))
}

fn numeric(value: Option<&String>) -> Option<usize> {
    value.and_then(|value| value.parse().ok())
}

fn declared_length(headers: &HeaderMap) -> Option<u64> {
    headers
        .get(header::CONTENT_LENGTH)?
        .to_str()
        .ok()?
        .parse()
        .ok()
}

fn too_large(size: u64, max: usize) -> AppError {
    AppError::PayloadTooLarge {
        size,
        max: max as u64,
    }
}
