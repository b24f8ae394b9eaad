//! Counters for `/metrics`, in Prometheus' text format.

use std::fmt::Write;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};

/// What the relay counts.
#[derive(Default)]
pub struct Metrics {
    /// Open WebSocket connections.
    pub connections: AtomicI64,
    /// Messages kept, from anyone.
    pub messages: AtomicU64,
    /// Frames refused (malformed, too large, rate limited, ...).
    pub refused_frames: AtomicU64,
    /// WebSocket upgrades refused for their origin.
    pub refused_origins: AtomicU64,
    /// Tickets filed by the assistant.
    pub tickets_filed: AtomicU64,
    /// Hand-offs asked for.
    pub handoffs: AtomicU64,
    /// Webhook posts refused (authentication) or unreadable.
    pub webhook_failures: AtomicU64,
    /// Messages the Virtual Agent took.
    pub va_sent: AtomicU64,
    /// Messages the Virtual Agent refused for good.
    pub va_refused: AtomicU64,
}

impl Metrics {
    /// Counts one more of `counter`.
    pub fn add(counter: &AtomicU64) {
        counter.fetch_add(1, Ordering::Relaxed);
    }

    /// The text `/metrics` answers with; `queue_depth` is the outbound queue's length.
    pub fn render(&self, queue_depth: u64) -> String {
        let mut text = String::new();
        let gauge = self.connections.load(Ordering::Relaxed);
        let counters = [
            (
                "flare_relay_messages_total",
                "Messages kept",
                &self.messages,
            ),
            (
                "flare_relay_refused_frames_total",
                "Frames refused",
                &self.refused_frames,
            ),
            (
                "flare_relay_refused_origins_total",
                "Upgrades refused for their origin",
                &self.refused_origins,
            ),
            (
                "flare_relay_tickets_filed_total",
                "Tickets filed by the assistant",
                &self.tickets_filed,
            ),
            (
                "flare_relay_handoffs_total",
                "Hand-offs asked for",
                &self.handoffs,
            ),
            (
                "flare_relay_webhook_failures_total",
                "Webhook posts refused or unreadable",
                &self.webhook_failures,
            ),
            (
                "flare_relay_va_sent_total",
                "Messages the Virtual Agent took",
                &self.va_sent,
            ),
            (
                "flare_relay_va_refused_total",
                "Messages the Virtual Agent refused for good",
                &self.va_refused,
            ),
        ];
        let _ = writeln!(
            text,
            "# HELP flare_relay_connections Open WebSocket connections"
        );
        let _ = writeln!(text, "# TYPE flare_relay_connections gauge");
        let _ = writeln!(text, "flare_relay_connections {gauge}");
        let _ = writeln!(
            text,
            "# HELP flare_relay_outbound_queue_depth Messages waiting for the service desk"
        );
        let _ = writeln!(text, "# TYPE flare_relay_outbound_queue_depth gauge");
        let _ = writeln!(text, "flare_relay_outbound_queue_depth {queue_depth}");
        for (name, help, counter) in counters {
            let _ = writeln!(text, "# HELP {name} {help}");
            let _ = writeln!(text, "# TYPE {name} counter");
            let _ = writeln!(text, "{name} {}", counter.load(Ordering::Relaxed));
        }
        text
    }
}
