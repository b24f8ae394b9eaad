//! ServiceNow's Virtual Agent Bot Integration API (`bot-api.md`) with a simulated live agent.
//!
//! A chat client posts to `/api/sn_va_as_service/bot/integration`; the instance answers with a
//! synchronous acknowledgement and posts the Virtual Agent's replies, and later the live agent's
//! messages, to the configured response endpoint (the webhook). A channel configured as
//! synchronous answers with the reply itself instead. The live agent is simulated: the
//! admin API (`admin_api.rs`) and the agent console (`console_api.rs`) accept waiting conversations,
//! type, reply and end them.
//!
//! - `wire.rs`: the request and response bodies.
//! - `conversation.rs` and `conversation/`: conversations, transcripts with sequence numbers,
//!   the agent's actions; no I/O (the invariant is stated in `conversation.rs`).
//! - `bot_api.rs`: the bot integration endpoint's handlers; `bot.rs`: what the Virtual Agent
//!   says, each reply taken from the vendor's examples.
//! - `attachments.rs`: `message.attachment`, downloaded from its URL.
//! - `inbound.rs`, `signature.rs`, `config.rs`: validation and authentication.
//! - `delivery.rs`: the webhook posts, with bounded retries.
//! - `persist.rs`: with `--data`, the whole VA state in SQLite, so it survives restarts.

mod admin_api;
mod attachments;
mod bot;
mod bot_api;
mod config;
mod console_api;
mod conversation;
mod delivery;
mod error;
mod inbound;
mod persist;
mod signature;
mod wire;

use std::ops::{Deref, DerefMut};
use std::path::Path;
use std::sync::MutexGuard;
use std::time::Duration;

use axum::extract::DefaultBodyLimit;
use axum::routing::post;
use axum::Router;
use tokio::sync::watch;

use crate::common::datetime::UnixSeconds;
use crate::common::persist::StoreError;
use crate::servicenow::AppState;
use crate::va::config::VaConfig;
use crate::va::conversation::agent::AgentMessage;
use crate::va::conversation::registry::Conversations;
use crate::va::conversation::Conversation;
use crate::va::error::VaError;
use crate::va::persist::VaStore;

/// The Virtual Agent's whole state; `AppState` holds it behind one mutex.
#[derive(Debug)]
pub(crate) struct VaState {
    config: VaConfig,
    conversations: Conversations,
    /// Made on first use, so that building an `AppState` never fails.
    http_client: Option<reqwest::Client>,
    /// Bumped whenever a delivery ends, for `?settle=true`.
    changes: watch::Sender<u64>,
    /// How far the VA clock is ahead of the wall clock; `POST /sandbox/va/clock` moves it on so
    /// that tests see the idle time-out without waiting an hour.
    clock_offset_secs: i64,
    /// Where changes are written through to, with `--data`.
    store: Option<VaStore>,
}

/// The locked VA state; what changed is written to the database when the lock is released, so
/// that no change can be missed. This is the only place the conversations are written: the
/// conversation core (`crate::va::conversation`) only marks what changed.
pub(crate) struct VaGuard<'a>(MutexGuard<'a, VaState>);

/// The agent's name when an accept names none: the demo `itil` user, who is also the agent in the
/// vendor's `agentInfo` example.
pub(crate) const DEFAULT_AGENT_NAME: &str = "Beth Anglin";

/// What the simulated live agent does to a conversation.
#[derive(Debug, Clone)]
pub(crate) enum AgentAction {
    Accept { agent_name: String },
    Message(AgentMessage),
    Typing(bool),
    End,
}

/// Points the Virtual Agent's replies at `url` (`--va-webhook`).
pub fn set_webhook(state: &AppState, url: &str) -> Result<(), config::InvalidWebhookUrl> {
    let url = url.parse()?;
    va(state).config.webhook_url = Some(url);
    Ok(())
}

/// The instance's REST endpoint. `crate::servicenow::app` puts it behind the same fault injection
/// and rate limit as the Table API: it is a Scripted REST API of the `sn_va_as_service` namespace,
/// so one of the "inbound REST API requests processed per hour" that rate limit rules count
/// (`inbound-REST-API-rate-limiting.md`). Bodies have no size limit: `message.text` has
/// "Maximum length: Unlimited" (`bot-api.md`), where axum would stop at 2 MB.
pub(crate) fn api_routes() -> Router<AppState> {
    Router::new()
        .route(
            "/api/sn_va_as_service/bot/integration",
            post(bot_api::integration),
        )
        .method_not_allowed_fallback(bot_api::method_not_allowed)
        .layer(DefaultBodyLimit::disable())
}

/// The sandbox's own VA admin API and agent console.
pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .merge(admin_api::routes())
        .merge(console_api::routes())
}

impl Default for VaState {
    fn default() -> VaState {
        VaState {
            config: VaConfig::default(),
            conversations: Conversations::new(id_seed()),
            http_client: None,
            changes: watch::channel(0).0,
            clock_offset_secs: 0,
            store: None,
        }
    }
}

impl VaState {
    /// The VA state kept in `dir` (`--data`), which from now on keeps receiving changes.
    pub(crate) fn open(dir: &Path) -> Result<VaState, StoreError> {
        let mut store = VaStore::open(dir)?;
        let stored = store.load()?;
        Ok(VaState {
            config: stored.config.unwrap_or_default(),
            conversations: Conversations::restore(stored.conversations, id_seed())?,
            clock_offset_secs: stored.clock_offset_secs,
            store: Some(store),
            ..VaState::default()
        })
    }

    /// Writes what changed through to the database, if there is one. A failed write is logged,
    /// not returned, as `crate::servicenow::store::Database` does: the change stands in memory.
    fn save(&mut self) {
        let Some(store) = self.store.as_mut() else {
            return;
        };
        let mut written = store.write_settings(&self.config, self.clock_offset_secs);
        if let Some(unsaved) = self.conversations.take_unsaved() {
            written = written.and(store.write(&unsaved));
        }
        if let Err(error) = written {
            tracing::error!(%error, "cannot write the VA database");
        }
    }

    fn http_client(&mut self) -> Result<reqwest::Client, String> {
        if let Some(client) = &self.http_client {
            return Ok(client.clone());
        }
        let client = reqwest::Client::builder()
            .build()
            .map_err(|error| format!("cannot make an HTTP client: {error}"))?;
        self.http_client = Some(client.clone());
        Ok(client)
    }

    /// The VA clock: the wall clock plus what the admin API advanced it by. Every VA time stamp
    /// and the idle time-out use it.
    fn now(&self) -> UnixSeconds {
        crate::common::datetime::now().saturating_add(self.clock_offset_secs)
    }

    /// Moves the VA clock on by `seconds`.
    fn advance_clock(&mut self, seconds: i64) {
        self.clock_offset_secs = self.clock_offset_secs.saturating_add(seconds);
    }

    /// Catches up on the runs of the idle time-out job the VA clock has passed.
    fn close_idle_conversations(&mut self) {
        let now = self.now();
        let idle = self.config.idle_timeout();
        self.conversations.close_idle(now, idle);
    }

    fn notify_change(&self) {
        self.changes.send_modify(|version| *version += 1);
    }
}

/// Applies an agent action and starts delivering what it sent.
fn act(state: &AppState, id: &str, action: AgentAction) -> Result<Conversation, VaError> {
    {
        let mut va = va(state);
        let now = va.now();
        let conversations = &mut va.conversations;
        match action {
            AgentAction::Accept { agent_name } => conversations.accept(id, &agent_name, now),
            AgentAction::Message(message) => conversations.agent_message(id, &message, now),
            AgentAction::Typing(typing) => conversations.agent_typing(id, typing, now),
            AgentAction::End => conversations.agent_end(id, now),
        }?;
    }
    delivery::kick(state, id);
    conversation(state, id)
}

/// A copy of one conversation.
fn conversation(state: &AppState, id: &str) -> Result<Conversation, VaError> {
    va(state)
        .conversations
        .get(id)
        .cloned()
        .ok_or_else(|| conversation::AgentError::NoConversation(id.to_owned()).into())
}

/// Waits until no reply of the conversation is pending delivery, or `timeout` passes.
async fn wait_until_settled(state: &AppState, id: &str, timeout: Duration) {
    let deadline = tokio::time::Instant::now() + timeout;
    loop {
        let mut changes = {
            let va = va(state);
            if va.conversations.is_settled(id) {
                return;
            }
            va.changes.subscribe()
        };
        let changed = tokio::time::timeout_at(deadline, changes.changed()).await;
        if changed.is_err() {
            return;
        }
    }
}

/// Starts posting the replies a restart cut short (with `--data`). Outside a Tokio runtime, as
/// in a test that only builds the state, they go out with the conversation's next reply.
pub(crate) fn resume_deliveries(state: &AppState) {
    if tokio::runtime::Handle::try_current().is_err() {
        return;
    }
    let pending = va(state).conversations.with_pending_deliveries();
    for conversation_id in pending {
        delivery::kick(state, &conversation_id);
    }
}

/// The VA state, with the idle time-out job caught up to the VA clock. The job posts nothing,
/// so running it whenever the state is looked at is indistinguishable from running it on time.
fn va(state: &AppState) -> VaGuard<'_> {
    let mut va = VaGuard(crate::lock(&state.va));
    va.close_idle_conversations();
    va
}

/// Ids only need to differ between runs, so the clock is seed enough.
fn id_seed() -> u64 {
    crate::common::datetime::now().unsigned_abs()
}

impl Deref for VaGuard<'_> {
    type Target = VaState;

    fn deref(&self) -> &VaState {
        &self.0
    }
}

impl DerefMut for VaGuard<'_> {
    fn deref_mut(&mut self) -> &mut VaState {
        &mut self.0
    }
}

impl Drop for VaGuard<'_> {
    fn drop(&mut self) {
        self.0.save();
    }
}
