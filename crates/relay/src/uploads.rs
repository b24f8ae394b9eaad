//! Visitors' files: `POST /uploads/{site}/{conversation}` keeps one and adds it to the
//! conversation (and, with a person, sends it on: the instance downloads it from the relay);
//! `GET /files/{id}/{name}` serves it back.
//!
//! A file's URL is its capability: a random 128-bit id, so the service desk can fetch it without
//! the visitor's token, and nobody can guess another's. Files are served as downloads (images
//! inline) with `nosniff` and a CSP that runs nothing, so an uploaded HTML or SVG cannot script
//! the relay's origin; only the types below are taken at all.

use std::sync::Arc;

use axum::body::{Body, Bytes};
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use flare_core::chat::protocol::{Author, EntryBody};
use flare_core::http::encode_component;
use serde_json::json;

use crate::handoff::{Outgoing, Send};
use crate::ids::{random_id, token_hash};
use crate::store::{Change, NewEntry, StoredFile};
use crate::transport::now_ms;
use crate::Relay;

/// The types a visitor may send: what the Virtual Agent takes and a browser shows safely.
const CONTENT_TYPES: [&str; 4] = ["image/png", "image/jpeg", "application/pdf", "text/plain"];

/// The longest file name kept.
const MAX_NAME_CHARS: usize = 120;

/// `POST /uploads/{site}/{conversation}`: the file is the body, its name in `x-file-name`, the
/// visitor's token in `Authorization: Bearer`.
pub async fn upload(
    State(relay): State<Arc<Relay>>,
    Path((site_id, conversation_id)): Path<(String, String)>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    match keep_upload(&relay, &site_id, &conversation_id, &headers, body).await {
        Ok(answer) => (StatusCode::CREATED, axum::Json(answer)).into_response(),
        Err((status, reason)) => (status, reason).into_response(),
    }
}

/// `GET /files/{id}/{name}`.
pub async fn download(
    State(relay): State<Arc<Relay>>,
    Path((id, _name)): Path<(String, String)>,
) -> Response {
    let file = match relay.store.file(&id) {
        Ok(Some(file)) => file,
        Ok(None) => return StatusCode::NOT_FOUND.into_response(),
        Err(error) => {
            tracing::error!(%error, "reading a file's record failed");
            return StatusCode::SERVICE_UNAVAILABLE.into_response();
        }
    };
    let Ok(bytes) = tokio::fs::read(relay.files_dir.join(&file.id)).await else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let disposition = match file.content_type.starts_with("image/") {
        true => "inline".to_owned(),
        false => format!(
            "attachment; filename*=UTF-8''{}",
            encode_component(&file.name)
        ),
    };
    (
        [
            (header::CONTENT_TYPE, file.content_type),
            (header::CONTENT_DISPOSITION, disposition),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff".to_owned()),
            (
                header::CONTENT_SECURITY_POLICY,
                "default-src 'none'; sandbox".to_owned(),
            ),
            (header::CACHE_CONTROL, "private, max-age=86400".to_owned()),
        ],
        bytes,
    )
        .into_response()
}

type Refusal = (StatusCode, &'static str);

async fn keep_upload(
    relay: &Relay,
    site_id: &str,
    conversation_id: &str,
    headers: &HeaderMap,
    body: Body,
) -> Result<serde_json::Value, Refusal> {
    let site = relay
        .sites
        .get(site_id)
        .ok_or((StatusCode::NOT_FOUND, "no such site"))?;
    let origin = headers
        .get(header::ORIGIN)
        .and_then(|value| value.to_str().ok());
    if !origin.is_some_and(|origin| site.origins.iter().any(|allowed| allowed == origin)) {
        return Err((StatusCode::FORBIDDEN, "origin not allowed for this site"));
    }
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.strip_prefix("Bearer "))
        .ok_or((StatusCode::UNAUTHORIZED, "no visitor token"))?;
    let unavailable = |error: crate::store::StoreError| {
        tracing::error!(%error, "the store failed on an upload");
        (StatusCode::SERVICE_UNAVAILABLE, "try again")
    };
    let visitor = relay
        .store
        .visitor_by_token(site_id, &token_hash(token))
        .map_err(unavailable)?
        .ok_or((StatusCode::UNAUTHORIZED, "unknown visitor token"))?;
    let conversation = relay
        .store
        .conversation(conversation_id)
        .map_err(unavailable)?
        .filter(|conversation| conversation.visitor_id == visitor.id)
        .ok_or((StatusCode::NOT_FOUND, "no such conversation"))?;
    if conversation.ended {
        return Err((StatusCode::CONFLICT, "the conversation has ended"));
    }
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.split(';').next())
        .map(|value| value.trim().to_ascii_lowercase())
        .filter(|value| CONTENT_TYPES.contains(&value.as_str()))
        .ok_or((
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "only PNG, JPEG, PDF and plain text files",
        ))?;
    let limit = relay.config.limits.upload_max_bytes;
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.parse::<u64>().ok());
    if declared.is_some_and(|length| length > limit) {
        return Err((StatusCode::PAYLOAD_TOO_LARGE, "the file is too large"));
    }
    let bytes: Bytes = axum::body::to_bytes(body, usize::try_from(limit).unwrap_or(usize::MAX))
        .await
        .map_err(|_| (StatusCode::PAYLOAD_TOO_LARGE, "the file is too large"))?;
    if bytes.is_empty() {
        return Err((StatusCode::BAD_REQUEST, "the file is empty"));
    }
    let name = file_name(headers);
    let file = StoredFile {
        id: random_id(),
        conversation_id: conversation.id.clone(),
        name: name.clone(),
        content_type: content_type.clone(),
        size: bytes.len() as u64,
    };
    tokio::fs::write(relay.files_dir.join(&file.id), &bytes)
        .await
        .map_err(|error| {
            tracing::error!(%error, "writing a file failed");
            (StatusCode::SERVICE_UNAVAILABLE, "try again")
        })?;
    relay.store.add_file(&file).map_err(unavailable)?;
    let url = format!(
        "{}/files/{}/{}",
        relay.public_url,
        file.id,
        encode_component(&name)
    );
    let outbound = match conversation.assistant.with_person() {
        true => vec![Outgoing::new(
            site,
            &visitor,
            Send::File {
                id: file.id.clone(),
                name: name.clone(),
                content_type: content_type.clone(),
                url: url.clone(),
            },
        )
        .to_payload()],
        false => vec![],
    };
    let change = Change {
        conversation_id: &conversation.id,
        entries: vec![NewEntry {
            body: EntryBody::File {
                author: Author::Visitor,
                name,
                url: url.clone(),
                content_type,
                size: file.size,
            },
            client_id: None,
        }],
        assistant: None,
        ends: false,
        outbound,
        once: None,
        now_ms: now_ms(),
    };
    let (kept, _) = relay.keep(&visitor.id, change).map_err(unavailable)?;
    relay.outbound_ready.notify_one();
    let seq = kept.first().map(|kept| kept.entry.seq).unwrap_or_default();
    Ok(json!({"seq": seq, "url": url}))
}

/// The name from `x-file-name` (percent-encoded by the panel), without a path or control
/// characters, bounded; "file" when there is none.
fn file_name(headers: &HeaderMap) -> String {
    let raw = headers
        .get("x-file-name")
        .and_then(|value| value.to_str().ok())
        .unwrap_or_default();
    let decoded = percent_decode(raw);
    let base = decoded.rsplit(['/', '\\']).next().unwrap_or_default();
    let clean: String = base
        .chars()
        .filter(|character| !character.is_control())
        .take(MAX_NAME_CHARS)
        .collect();
    match clean.trim() {
        "" | "." | ".." => "file".to_owned(),
        name => name.to_owned(),
    }
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut decoded = Vec::with_capacity(bytes.len());
    let mut idx = 0;
    while idx < bytes.len() {
        let escaped = (bytes[idx] == b'%')
            .then(|| text.get(idx + 1..idx + 3))
            .flatten()
            .and_then(|hex| u8::from_str_radix(hex, 16).ok());
        match escaped {
            Some(byte) => {
                decoded.push(byte);
                idx += 3;
            }
            None => {
                decoded.push(bytes[idx]);
                idx += 1;
            }
        }
    }
    String::from_utf8_lossy(&decoded).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn named(raw: &str) -> String {
        let mut headers = HeaderMap::new();
        headers.insert("x-file-name", raw.parse().expect("header"));
        file_name(&headers)
    }

    #[test]
    fn names_lose_paths_and_control_characters_and_stay_short() {
        assert_eq!(named("invoice%20May.pdf"), "invoice May.pdf");
        assert_eq!(named("..%2F..%2Fetc%2Fpasswd"), "passwd");
        assert_eq!(named("C:%5Cfakepath%5Cshot.png"), "shot.png");
        assert_eq!(named("a%0Ab.txt"), "ab.txt");
        assert_eq!(named("%E2%9C%93.txt"), "✓.txt");
        assert_eq!(named(".."), "file");
        assert_eq!(named(&"x".repeat(300)).chars().count(), MAX_NAME_CHARS);
        assert_eq!(file_name(&HeaderMap::new()), "file");
    }
}
