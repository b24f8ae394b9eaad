//! The handlers of the bot integration endpoint (`/api/sn_va_as_service/bot/integration`,
//! `bot-api.md`) and of the attachment downloads it starts.

use std::time::Duration;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::header::CONTENT_TYPE;
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};

use crate::servicenow::error::AppError;
use crate::servicenow::wire::json_response;
use crate::servicenow::AppState;
use crate::va::attachments::{AttachmentRef, FetchLimits};
use crate::va::conversation::flow::{Channel, SyncReply};
use crate::va::error::VaError;
use crate::va::{attachments, delivery, inbound, va};

/// `POST /api/sn_va_as_service/bot/integration`.
pub(crate) async fn integration(
    State(state): State<AppState>,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, VaError> {
    let received = receive(&state, &uri, &headers, &body)?;
    let mut sync_reply = received.sync_reply;
    if !received.downloads.is_empty() {
        let downloads = download(
            state.clone(),
            received.conversation_id,
            received.downloads,
            received.channel,
        );
        match received.channel.synchronous {
            true => {
                if let Some(reply) = downloads.await {
                    sync_reply = SyncReply::Reply(reply);
                }
            }
            false => {
                tokio::spawn(downloads);
            }
        }
    }
    let response = match sync_reply {
        SyncReply::Ack => json_response(StatusCode::OK, &serde_json::json!({"status": "success"})),
        SyncReply::MessagesUpdated => {
            (StatusCode::OK, "Message Processed Successfully").into_response()
        }
        SyncReply::Reply(reply) => {
            (StatusCode::OK, [(CONTENT_TYPE, "application/json")], reply).into_response()
        }
    };
    Ok(response)
}

/// Any method but `POST`: the instance's 405, once the credentials pass, as its other REST APIs
/// answer (`r_RESTAPIHTTPResponseCodes.md`: "The HTTP action is not allowed for the requested
/// REST API").
pub(crate) async fn method_not_allowed(
    State(state): State<AppState>,
    uri: Uri,
    headers: HeaderMap,
) -> VaError {
    let inbound_auth = va(&state).config.inbound_auth.clone();
    match inbound::check_credentials(&state, &headers, &uri, &inbound_auth) {
        Ok(()) => VaError::Instance(AppError::MethodNotAllowed),
        Err(error) => error,
    }
}

/// What became of an inbound request, and what is left to do for it.
struct Received {
    conversation_id: String,
    sync_reply: SyncReply,
    channel: Channel,
    /// Attachments to download, with the ids the transcript gave them.
    downloads: Vec<(String, AttachmentRef)>,
}

/// Authenticates, validates and applies an inbound request, then starts delivering its replies.
/// A request whose token or signature is wrong is acknowledged like any other but goes no
/// further, as the documented instance does.
fn receive(
    state: &AppState,
    uri: &Uri,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<Received, VaError> {
    let (inbound_auth, channel) = {
        let va = va(state);
        (va.config.inbound_auth.clone(), va.config.channel())
    };
    inbound::check_credentials(state, headers, uri, &inbound_auth)?;
    inbound::check_formats(headers)?;
    let valid = inbound::parse(body)?;
    let token_check =
        inbound::check_message_auth(&inbound_auth, headers, body, valid.request.token.as_deref());
    let handled = {
        let mut va = va(state);
        let now = va.now();
        if let Err(reason) = token_check {
            tracing::warn!(
                request_id = valid.request.request_id,
                reason,
                "VA request rejected"
            );
            va.conversations.reject(&valid.request, reason, now);
            return Ok(Received {
                conversation_id: String::new(),
                sync_reply: SyncReply::Ack,
                channel,
                downloads: Vec::new(),
            });
        }
        va.conversations.handle_request(&valid, now, channel)?
    };
    if handled.sync_reply == SyncReply::Ack {
        delivery::kick(state, &handled.conversation_id);
    }
    Ok(Received {
        conversation_id: handled.conversation_id,
        sync_reply: handled.sync_reply,
        channel,
        downloads: handled
            .attachment_ids
            .into_iter()
            .zip(valid.attachments)
            .collect(),
    })
}

/// Downloads a request's attachments one after the other, records each, and delivers the reply
/// they lead to; on a synchronous channel the reply is returned instead.
async fn download(
    state: AppState,
    conversation_id: String,
    downloads: Vec<(String, AttachmentRef)>,
    channel: Channel,
) -> Option<String> {
    let (client, limits) = {
        let mut va = va(&state);
        let limits = FetchLimits {
            trusted_domains: va.config.trusted_attachment_domains.clone(),
            timeout: Duration::from_millis(va.config.timeout_millis),
            max_bytes: state.max_attachment_bytes(),
        };
        (va.http_client(), limits)
    };
    let mut reply = None;
    for (attachment_id, attachment) in downloads {
        let download = match &client {
            Ok(client) => attachments::fetch(client, &attachment, &limits).await,
            Err(error) => Err(error.clone()),
        };
        if let Err(error) = &download {
            tracing::warn!(
                conversation_id,
                attachment_id,
                error,
                "VA attachment not downloaded"
            );
        }
        let mut va = va(&state);
        let now = va.now();
        let answer = va.conversations.attachment_fetched(
            &conversation_id,
            &attachment_id,
            download,
            now,
            channel,
        );
        reply = answer.or(reply);
        va.notify_change();
    }
    delivery::kick(&state, &conversation_id);
    reply
}
