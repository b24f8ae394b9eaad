//! The durable outbound queue towards the service desk's Virtual Agent.
//!
//! Every message for the instance is committed to the queue with the entry it comes from; this
//! task sends each conversation's messages one at a time, in order, and removes a message only
//! once the instance took it. A 429, a 5xx or a network failure waits (honouring `Retry-After`)
//! and tries again, so a relay restarted or an instance down for a while loses nothing; the same
//! `requestId` and `clientMessageId` go with every try.

use std::sync::Arc;
use std::time::Duration;

use flare_core::driver::Outcome;

use crate::handoff::Outgoing;
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
    let Some(handoff) = &site.handoff else {
        let _ = relay.store.outbound_done(queued.id);
        return;
    };
    let request_id = format!("flare-{}-{}", queued.conversation_id, queued.id);
    let outcome = desk
        .post_va(
            &request_id,
            &queued.conversation_id,
            &outgoing.va_user(),
            &outgoing.va_send(&handoff.context),
            handoff.instance_token.as_ref().map(|token| token.expose()),
        )
        .await;
    let retry_after_ms = match outcome {
        Outcome::Response(response) if response.status == 200 => {
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
