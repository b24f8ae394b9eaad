//! The sandbox's own API for the Virtual Agent (not ServiceNow): configuration, the transcripts,
//! and the simulated live agent that tests and the demo drive. Like the rest of `/sandbox/`, it
//! needs no credentials.
//!
//! - `GET`/`PUT /sandbox/va/config`: see `crate::va::config::VaConfig`; secrets read back masked.
//! - `GET /sandbox/va/conversations[?state=waiting]`: summaries, oldest first.
//! - `GET /sandbox/va/conversations/{id}[?settle=true]`: one conversation with every transcript
//!   entry; `settle` first waits (up to 10 s) until no reply is still being delivered and no
//!   attachment still being downloaded.
//! - `POST /sandbox/va/conversations/{id}/accept` (`{"agent_name": ...}`, optional),
//!   `/messages`, `/typing` (`{"typing": true}`), `/end`. A message is `{"text": ...}`, or one
//!   of the output controls of `va-api-controls.md`: `{"link": {"url": ..., "label": ...,
//!   "header": ...}}`, `{"image": {"url": ..., "alt_text": ...}}` or `{"card": {"template_name":
//!   ..., "data": {...}}}` (`header` and `alt_text` optional).
//! - `GET /sandbox/va/rejected`: requests whose static token or signature did not match.
//! - `GET /sandbox/va/attachments/{id}`: a received attachment's content, as the agent would
//!   open it.
//! - `GET /sandbox/va/clock`, `POST /sandbox/va/clock` (`{"advance_secs": 3600}`): the VA clock,
//!   which the idle time-out runs on; advancing it is how a test sees an hour pass at once.

use std::collections::HashMap;
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::common::datetime::UnixSeconds;
use crate::servicenow::error::AppJson;
use crate::servicenow::AppState;
use crate::va::config::VaConfig;
use crate::va::conversation::agent::AgentMessage;
use crate::va::conversation::registry::RejectedRequest;
use crate::va::conversation::transcript::AttachmentStatus;
use crate::va::conversation::{Conversation, ConversationState, ConversationSummary};
use crate::va::error::VaError;
use crate::va::AgentAction;

/// How long `?settle=true` waits at most.
const SETTLE_TIMEOUT: Duration = Duration::from_secs(10);

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/sandbox/va/config", get(config).put(set_config))
        .route("/sandbox/va/conversations", get(list))
        .route("/sandbox/va/conversations/{id}", get(conversation))
        .route("/sandbox/va/conversations/{id}/accept", post(accept))
        .route("/sandbox/va/conversations/{id}/messages", post(message))
        .route("/sandbox/va/conversations/{id}/typing", post(typing))
        .route("/sandbox/va/conversations/{id}/end", post(end))
        .route("/sandbox/va/rejected", get(rejected))
        .route("/sandbox/va/clock", get(clock).post(advance_clock))
        .route("/sandbox/va/attachments/{id}", get(attachment))
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct AcceptBody {
    agent_name: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct TypingBody {
    typing: bool,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct AdvanceBody {
    advance_secs: i64,
}

/// The VA clock as the admin API shows it.
#[derive(Debug, Serialize)]
struct Clock {
    /// Unix seconds.
    now: UnixSeconds,
    /// How far it is ahead of the wall clock.
    offset_secs: i64,
}

async fn config(State(state): State<AppState>) -> Json<VaConfig> {
    Json(crate::va::va(&state).config.redacted())
}

async fn set_config(
    State(state): State<AppState>,
    AppJson(config): AppJson<VaConfig>,
) -> Result<Json<VaConfig>, VaError> {
    config.validate().map_err(VaError::BadRequest)?;
    let shown = config.redacted();
    crate::va::va(&state).config = config;
    Ok(Json(shown))
}

async fn list(
    State(state): State<AppState>,
    query: Result<Query<HashMap<String, String>>, QueryRejection>,
) -> Result<Json<Vec<ConversationSummary>>, VaError> {
    let params = params(query)?;
    let filter = match params.get("state") {
        Some(name) => Some(parse_state(name)?),
        None => None,
    };
    Ok(Json(crate::va::va(&state).conversations.list(filter)))
}

async fn conversation(
    State(state): State<AppState>,
    Path(id): Path<String>,
    query: Result<Query<HashMap<String, String>>, QueryRejection>,
) -> Result<Json<Conversation>, VaError> {
    let params = params(query)?;
    if params.get("settle").map(String::as_str) == Some("true") {
        crate::va::wait_until_settled(&state, &id, SETTLE_TIMEOUT).await;
    }
    crate::va::conversation(&state, &id).map(Json)
}

async fn accept(
    State(state): State<AppState>,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Json<Conversation>, VaError> {
    let body: AcceptBody = match body.is_empty() {
        true => AcceptBody::default(),
        false => serde_json::from_slice(&body)
            .map_err(|error| VaError::UnreadableBody(error.to_string()))?,
    };
    let agent_name = body
        .agent_name
        .unwrap_or_else(|| crate::va::DEFAULT_AGENT_NAME.to_owned());
    crate::va::act(&state, &id, AgentAction::Accept { agent_name }).map(Json)
}

async fn message(
    State(state): State<AppState>,
    Path(id): Path<String>,
    AppJson(message): AppJson<AgentMessage>,
) -> Result<Json<Conversation>, VaError> {
    crate::va::act(&state, &id, AgentAction::Message(message)).map(Json)
}

async fn typing(
    State(state): State<AppState>,
    Path(id): Path<String>,
    AppJson(body): AppJson<TypingBody>,
) -> Result<Json<Conversation>, VaError> {
    crate::va::act(&state, &id, AgentAction::Typing(body.typing)).map(Json)
}

async fn end(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<Conversation>, VaError> {
    crate::va::act(&state, &id, AgentAction::End).map(Json)
}

async fn rejected(State(state): State<AppState>) -> Json<Vec<RejectedRequest>> {
    Json(crate::va::va(&state).conversations.rejected().to_vec())
}

async fn attachment(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Response, VaError> {
    let va = crate::va::va(&state);
    let attachment = va
        .conversations
        .attachment(&id)
        .filter(|attachment| attachment.status() == AttachmentStatus::Received);
    let Some(attachment) = attachment else {
        return Err(VaError::NoAttachment(id));
    };
    let content = attachment.content().cloned().unwrap_or_default();
    let disposition = format!(
        "attachment; filename=\"{}\"",
        attachment.file_name().replace(['"', '\\', '\r', '\n'], "_")
    );
    let headers = [
        (
            header::CONTENT_TYPE,
            attachment.content_type().to_ascii_lowercase(),
        ),
        (header::CONTENT_DISPOSITION, disposition),
    ];
    Ok((headers, content).into_response())
}

async fn clock(State(state): State<AppState>) -> Json<Clock> {
    let va = crate::va::va(&state);
    Json(Clock {
        now: va.now(),
        offset_secs: va.clock_offset_secs,
    })
}

/// Moves the VA clock on; it never goes back, as a real clock would not.
async fn advance_clock(
    State(state): State<AppState>,
    AppJson(body): AppJson<AdvanceBody>,
) -> Result<Json<Clock>, VaError> {
    if body.advance_secs < 0 {
        return Err(VaError::BadRequest(
            "advance_secs must not be negative".to_owned(),
        ));
    }
    crate::va::va(&state).advance_clock(body.advance_secs);
    Ok(clock(State(state)).await)
}

/// The query parameters, or what is wrong with them.
fn params(
    query: Result<Query<HashMap<String, String>>, QueryRejection>,
) -> Result<HashMap<String, String>, VaError> {
    query
        .map(|Query(params)| params)
        .map_err(|rejection| VaError::BadRequest(rejection.body_text()))
}

fn parse_state(name: &str) -> Result<ConversationState, VaError> {
    serde_json::from_value(Value::from(name))
        .map_err(|_| VaError::BadRequest(format!("unknown conversation state `{name}`")))
}
