//! Posting replies to the response endpoint: "The VA then processes the request and sends a
//! second response to the configured response endpoint" (`bot-api.md`).
//!
//! One task per conversation posts its pending replies in sequence order, so a client sees them
//! in the order they were said. A failed post is retried a bounded number of times with a
//! doubling wait (on connection errors, time-outs, 408, 429 and 5xx; other answers are final),
//! then recorded as undelivered and the next reply goes out.

use std::time::Duration;

use axum::http::header::{ACCEPT, CONTENT_TYPE};

use crate::servicenow::AppState;
use crate::va::config::{OutboundAuth, VaConfig};
use crate::va::conversation::transcript::{Delivery, DeliveryStatus};
use crate::va::signature;

/// Starts posting the conversation's pending replies, unless a task already is.
pub(crate) fn kick(state: &AppState, conversation_id: &str) {
    let start = crate::va::va(state)
        .conversations
        .start_delivering(conversation_id);
    if start {
        tokio::spawn(deliver(state.clone(), conversation_id.to_owned()));
    }
}

/// Why one attempt failed.
#[derive(Debug)]
struct Failure {
    retryable: bool,
    detail: String,
}

async fn deliver(state: AppState, conversation_id: String) {
    loop {
        let (seq, body, config, client) = {
            let mut va = crate::va::va(&state);
            let Some((seq, body)) = va.conversations.next_pending(&conversation_id) else {
                return;
            };
            let client = va.http_client();
            (seq, body, va.config.clone(), client)
        };
        let delivery =
            post_with_retries(&state, &conversation_id, seq, &body, &config, client).await;
        if delivery.status == DeliveryStatus::Undelivered {
            tracing::warn!(
                conversation_id,
                seq,
                attempts = delivery.attempts,
                error = delivery.last_error.as_deref().unwrap_or_default(),
                "VA reply undelivered"
            );
        }
        let mut va = crate::va::va(&state);
        va.conversations
            .record_delivery(&conversation_id, seq, delivery);
        va.notify_change();
    }
}

async fn post_with_retries(
    state: &AppState,
    conversation_id: &str,
    seq: u64,
    body: &str,
    config: &VaConfig,
    client: Result<reqwest::Client, String>,
) -> Delivery {
    let undelivered = |attempts, detail: String| Delivery {
        status: DeliveryStatus::Undelivered,
        attempts,
        last_error: Some(detail),
    };
    let Some(url) = &config.webhook_url else {
        return undelivered(0, "no webhook URL is configured".to_owned());
    };
    let client = match client {
        Ok(client) => client,
        Err(detail) => return undelivered(0, detail),
    };
    let mut attempt = 1;
    loop {
        let failure = match post_once(&client, url.as_url(), body, config).await {
            Ok(()) => {
                return Delivery {
                    status: DeliveryStatus::Delivered,
                    attempts: attempt,
                    last_error: None,
                }
            }
            Err(failure) => failure,
        };
        let give_up = !failure.retryable || attempt >= config.max_attempts;
        if give_up {
            return undelivered(attempt, failure.detail);
        }
        let progress = Delivery {
            status: DeliveryStatus::Pending,
            attempts: attempt,
            last_error: Some(failure.detail),
        };
        crate::va::va(state)
            .conversations
            .record_delivery(conversation_id, seq, progress);
        tokio::time::sleep(config.backoff(attempt)).await;
        attempt += 1;
    }
}

async fn post_once(
    client: &reqwest::Client,
    url: &reqwest::Url,
    body: &str,
    config: &VaConfig,
) -> Result<(), Failure> {
    let request = client
        .post(url.clone())
        .timeout(Duration::from_millis(config.timeout_millis))
        .header(CONTENT_TYPE, "application/json")
        .header(ACCEPT, "application/json")
        .body(body.to_owned());
    let request = match &config.outbound_auth {
        OutboundAuth::None => request,
        OutboundAuth::Token { token } => request.header("token", token),
        OutboundAuth::Hmac { secret } => {
            request.header(signature::HEADER, signature::sign(secret, body.as_bytes()))
        }
        OutboundAuth::Basic {
            user_name,
            password,
        } => request.basic_auth(user_name, Some(password)),
    };
    let response = request.send().await.map_err(|error| Failure {
        retryable: true,
        detail: format!("cannot post to the webhook: {error}"),
    })?;
    let status = response.status();
    if status.is_success() {
        return Ok(());
    }
    let retryable = status.is_server_error() || matches!(status.as_u16(), 408 | 429);
    Err(Failure {
        retryable,
        detail: format!("the webhook answered {status}"),
    })
}
