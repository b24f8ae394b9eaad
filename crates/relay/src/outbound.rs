//! The durable outbound queue towards the service desk's Virtual Agent.
//!
//! Every message for the instance is committed to the queue with the entry it comes from; this
//! task sends each conversation's messages one at a time, in order, and removes a message only
//! once the instance took it. A 429, a 5xx or a network failure waits (honouring `Retry-After`)
//! and tries again, so a relay restarted or an instance down for a while loses nothing; the same
//! `requestId` and `clientMessageId` go with every try.

use std::sync::Arc;
use std::time::Duration;

use flare_core::chat::transcript;
use flare_core::driver::Outcome;

use crate::actions::TRANSCRIPT_LIMIT;
use crate::handoff::{Outgoing, Send};
use crate::metrics::Metrics;
use crate::store::Outgoing as Queued;
use crate::transport::now_ms;
use crate::Relay;

/// How many messages (each of another conversation) go out at once.
const BATCH: u32 = 32;

/// How long the task sleeps when nothing is due and nobody says otherwise.
const IDLE_POLL: Duration = Duration::from_millis(500);

/// The longest wait between tries of one message.
const MAX_BACKOFF_MS: u64 = 30_000;

/// Runs the queue until the process ends.
pub async fn run(relay: Arc<Relay>) {
    loop {
        let due = match relay.store.due_outbound(now_ms(), BATCH) {
            Ok(due) => due,
            Err(error) => {
                tracing::error!(%error, "reading the outbound queue failed");
                Vec::new()
            }
        };
        if due.is_empty() {
            let _ = tokio::time::timeout(IDLE_POLL, relay.outbound_ready.notified()).await;
            continue;
        }
        let sends = due.into_iter().map(|queued| send_one(&relay, queued));
        futures_util::future::join_all(sends).await;
    }
}

/// The conversation as text, as it stands now.
fn transcript_of(relay: &Relay, conversation_id: &str) -> Option<String> {
    let conversation = relay.store.conversation(conversation_id).ok()??;
    let visitor = relay.store.visitor(&conversation.visitor_id).ok()??;
    let entries = relay
        .store
        .entries_after(conversation_id, 0, TRANSCRIPT_LIMIT)
        .ok()?;
    let name = visitor
        .verified
        .as_ref()
        .map(|user| user.name.as_str())
        .unwrap_or_default();
    Some(transcript::render(&entries, name, &conversation.locale))
}

async fn send_one(relay: &Relay, queued: Queued) {
    let outgoing: Outgoing = match serde_json::from_str(&queued.payload) {
        Ok(outgoing) => outgoing,
        Err(error) => {
            tracing::error!(%error, id = queued.id, "an unreadable queued message is dropped");
            let _ = relay.store.outbound_done(queued.id);
            return;
        }
    };
    let (Some(site), Some(desk)) = (
        relay.sites.get(&outgoing.site),
        relay.desks.get(&outgoing.site),
    ) else {
        tracing::warn!(site = %outgoing.site, "a queued message for a site no longer configured is dropped");
        let _ = relay.store.outbound_done(queued.id);
        return;
    };
    let outcome = match (&outgoing.send, &site.handoff) {
        (Send::AttachTranscript { ticket }, _) => {
            let attached = match transcript_of(relay, &queued.conversation_id) {
                Some(text) => desk.attach_transcript(ticket, &text).await,
                None => None,
            };
            let Some(outcome) = attached else {
                tracing::warn!(id = queued.id, "a transcript with nowhere to go is dropped");
                let _ = relay.store.outbound_done(queued.id);
                return;
            };
            outcome
        }
        (_, Some(handoff)) => {
            let Some(send) = outgoing.va_send(&handoff.context) else {
                let _ = relay.store.outbound_done(queued.id);
                return;
            };
            let request_id = format!("flare-{}-{}", queued.conversation_id, queued.id);
            desk.post_va(
                &request_id,
                &queued.conversation_id,
                &outgoing.va_user(),
                &send,
                handoff.instance_token.as_ref().map(|token| token.expose()),
            )
            .await
        }
        (_, None) => {
            let _ = relay.store.outbound_done(queued.id);
            return;
        }
    };
    let retry_after_ms = match outcome {
        Outcome::Response(response) if matches!(response.status, 200 | 201) => {
            let _ = relay.store.outbound_done(queued.id);
            Metrics::add(&relay.metrics.va_sent);
            return;
        }
        Outcome::Response(response) if response.status == 429 || response.status >= 500 => response
            .header("retry-after")
            .and_then(|seconds| seconds.trim().parse::<u64>().ok())
            .map(|seconds| seconds * 1000),
        Outcome::Response(response) => {
            // The instance refuses it for good (a 4xx): trying again would not help.
            tracing::warn!(
                status = response.status,
                id = queued.id,
                "the instance refused a queued message"
            );
            Metrics::add(&relay.metrics.va_refused);
            let _ = relay.store.outbound_done(queued.id);
            return;
        }
        Outcome::NetworkError(_) => None,
    };
    let backoff_ms =
        (relay.config.limits.outbound_retry_ms << queued.attempts.min(15)).min(MAX_BACKOFF_MS);
    let next_at_ms = now_ms()
        + retry_after_ms
            .unwrap_or(backoff_ms)
            .min(10 * MAX_BACKOFF_MS);
    if let Err(error) = relay.store.outbound_later(queued.id, next_at_ms) {
        tracing::error!(%error, "rescheduling a queued message failed");
    }
}
