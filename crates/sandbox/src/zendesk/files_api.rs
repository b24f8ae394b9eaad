//! Files: `POST /api/v2/uploads.json?filename=` (Zendesk's Upload Files; the raw bytes are the
//! body and `Content-Type` their type), `GET /api/v2/attachments/{id}` (`attachments.yml`), and
//! the `content_url` download.
//!
//! The upload reply is `201` with `{"upload": {"token", "expires_at", "attachments",
//! "attachment"}}`, as Zendesk's Ticket Attachments reference describes it (not in the stored
//! yml); a token is attached with `comment.uploads` and lasts 60 minutes. Files are limited to
//! 50 MB, Zendesk's limit for ticket attachments.

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{DefaultBodyLimit, Path};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;

use crate::common::datetime;
use crate::common::server::Linked;
use crate::zendesk::auth::Caller;
use crate::zendesk::error::ZendeskError;
use crate::zendesk::extract::{json_route, Params, RecordId};
use crate::zendesk::wire::object_response;
use crate::zendesk::ZendeskState;

/// The largest file the account takes.
const MAX_UPLOAD_BYTES: usize = 50 * 1024 * 1024;

/// Under `/api/v2/`, rate limited.
pub(crate) fn api_routes() -> Router<ZendeskState> {
    let router = Router::new().route("/api/v2/attachments/{attachment_id}", get(show_attachment));
    json_route(
        router,
        "/api/v2/uploads",
        post(upload).layer(DefaultBodyLimit::max(MAX_UPLOAD_BYTES)),
    )
}

/// `content_url`s: `/attachments/token/{token}/?name={file_name}`.
pub(crate) fn download_routes() -> Router<ZendeskState> {
    Router::new()
        .route("/attachments/token/{token}", get(download))
        .route("/attachments/token/{token}/", get(download))
}

async fn upload(
    Linked(state): Linked<ZendeskState>,
    Caller(_actor): Caller,
    params: Params,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ZendeskError> {
    let body = body.map_err(|rejection| match rejection.status() {
        StatusCode::PAYLOAD_TOO_LARGE => ZendeskError::TooLarge,
        _ => ZendeskError::BadRequest(rejection.body_text()),
    })?;
    let file_name = params
        .get("filename")
        .filter(|name| !name.trim().is_empty())
        .ok_or_else(|| ZendeskError::BadRequest("filename is required".to_owned()))?;
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .unwrap_or("application/binary");
    let mut account = state.account();
    let upload = account
        .upload(
            file_name,
            content_type,
            body.to_vec(),
            params.get("token"),
            datetime::now(),
        )?
        .clone();
    let attachments = upload
        .attachment_ids
        .iter()
        .filter_map(|id| account.attachment(*id))
        .collect();
    Ok(object_response(
        StatusCode::CREATED,
        "upload",
        state.renderer().upload(&upload, attachments),
    ))
}

async fn show_attachment(
    Linked(state): Linked<ZendeskState>,
    Caller(actor): Caller,
    RecordId(attachment_id): RecordId,
) -> Result<Response, ZendeskError> {
    let account = state.account();
    let attachment = account.show_attachment(&actor.user, attachment_id)?;
    Ok(object_response(
        StatusCode::OK,
        "attachment",
        state.renderer().attachment(attachment),
    ))
}

async fn download(Linked(state): Linked<ZendeskState>, Path(token): Path<String>) -> Response {
    let account = state.account();
    let Some(attachment) = account.attachment_by_token(&token) else {
        return (StatusCode::NOT_FOUND, "Not Found").into_response();
    };
    let mut response = (StatusCode::OK, attachment.bytes.clone()).into_response();
    let headers = response.headers_mut();
    if let Ok(content_type) = HeaderValue::from_str(&attachment.content_type) {
        headers.insert(header::CONTENT_TYPE, content_type);
    }
    let disposition = format!(
        "attachment; filename=\"{}\"",
        attachment.file_name.replace(['"', '\\', '\r', '\n'], "_")
    );
    if let Ok(disposition) = HeaderValue::from_str(&disposition) {
        headers.insert(header::CONTENT_DISPOSITION, disposition);
    }
    response
}
