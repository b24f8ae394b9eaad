//! flare-relay: the chat server behind Flare's widget.
//!
//! - `config.rs`: `relay.toml`, its sites and secrets.
//! - `server.rs`: the WebSocket (origin checked), `/healthz`, `/metrics`, the socket loop with
//!   its bounds; `session.rs`: one visitor's frames, kept and answered; `hub.rs`: fan-out to a
//!   visitor's open sockets.
//! - `handoff.rs`: live agents through the VA Bot Integration API: the webhook, what is queued for
//!   the instance; `outbound.rs`: the durable queue that sends it, in order, until it is taken.
//! - `follow.rs`: followed tickets' changes told in their conversations (polling by watermark, or
//!   at once on the customer's business rule's post).
//! - `uploads.rs`: visitors' files, sent up by HTTP and served back at capability URLs.
//! - `desk.rs`: the assistant's ticket actions on the site's ServiceNow, through flare-core;
//!   `transport.rs`: reqwest under flare-core's retry driver.
//! - `store.rs` and `store/`: what is kept (SQLite by default), behind a trait.
//! - `ids.rs`: random ids, visitor tokens, the host site's identity proof.
//!
//! The protocol itself (frames, bounds) and the assistant are flare-core's `chat` module, which
//! the widget's panel compiles too.
#![warn(missing_docs)]

pub mod actions;
pub mod config;
pub mod desk;
pub mod follow;
pub mod handoff;
pub mod hub;
pub mod ids;
pub mod metrics;
pub mod outbound;
pub mod server;
pub mod session;
pub mod store;
pub mod transport;
pub mod uploads;

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use flare_core::chat::protocol::ServerFrame;
use tokio::net::TcpListener;
use tokio::sync::Notify;

use crate::config::{RelayConfig, Site};
use crate::desk::Desk;
use crate::hub::Hub;
use crate::metrics::Metrics;
use crate::server::SocketsPerIp;
use crate::store::{Change, Kept, Store, StoreError};
use crate::transport::{desk_client, ClientError};

/// Everything a running relay shares between its sockets.
pub struct Relay {
    /// The configuration it started with.
    pub config: RelayConfig,
    /// The sites by id, shared with their sessions.
    pub sites: BTreeMap<String, Arc<Site>>,
    /// Where everything is kept.
    pub store: Arc<dyn Store>,
    /// Each site's service desk, by site id.
    pub desks: BTreeMap<String, Desk>,
    /// Live fan-out to open sockets.
    pub hub: Hub,
    /// Counters for `/metrics`.
    pub metrics: Metrics,
    /// Open sockets per address.
    pub sockets_per_ip: SocketsPerIp,
    /// Frames each visitor may still send.
    pub buckets: crate::server::Buckets,
    /// Wakes the outbound queue when something was queued.
    pub outbound_ready: Notify,
    /// Wakes a site's ticket follower early.
    pub follow_pokes: crate::follow::Pokes,
    /// Where visitors' files are kept.
    pub files_dir: PathBuf,
    /// The origin browsers and service desks reach the relay on, without a trailing slash.
    pub public_url: String,
    /// Held from keeping a change to publishing it, so sockets get entries in sequence order
    /// whichever task (a socket, a webhook) kept them.
    publishing: std::sync::Mutex<()>,
}

impl Relay {
    /// A relay for `config` keeping everything in `store` and visitors' files in `files_dir`,
    /// reached by browsers and service desks at `public_url`.
    pub fn new(
        config: RelayConfig,
        store: Arc<dyn Store>,
        files_dir: PathBuf,
        public_url: String,
    ) -> Result<Relay, ClientError> {
        let mut desks = BTreeMap::new();
        for (id, site) in &config.sites {
            let client = desk_client(site.desk.trust.as_deref())?;
            desks.insert(id.clone(), Desk::new(&site.desk, client, store.clone(), id));
        }
        let sites = config
            .sites
            .iter()
            .map(|(id, site)| (id.clone(), Arc::new(site.clone())))
            .collect();
        Ok(Relay {
            config,
            sites,
            store,
            desks,
            hub: Hub::default(),
            metrics: Metrics::default(),
            sockets_per_ip: SocketsPerIp::default(),
            buckets: crate::server::Buckets::default(),
            outbound_ready: Notify::new(),
            follow_pokes: crate::follow::Pokes::default(),
            files_dir,
            public_url: public_url.trim_end_matches('/').to_owned(),
            publishing: std::sync::Mutex::default(),
        })
    }
}

impl Relay {
    /// Keeps `change` and pushes its new entries to the visitor's open sockets; the entries kept,
    /// and whether any socket was there to get them.
    pub fn keep(
        &self,
        visitor_id: &str,
        change: Change<'_>,
    ) -> Result<(Vec<Kept>, bool), StoreError> {
        let conversation_id = change.conversation_id.to_owned();
        let _in_order = self
            .publishing
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let kept = self.store.record(change)?;
        let mut delivered = false;
        for kept in kept.iter().filter(|kept| kept.fresh) {
            Metrics::add(&self.metrics.messages);
            let n_sockets = self.hub.publish(
                visitor_id,
                ServerFrame::Entry {
                    conversation: conversation_id.clone(),
                    entry: kept.entry.clone(),
                },
            );
            delivered = delivered || n_sockets > 0;
        }
        Ok((kept, delivered))
    }
}

/// Serves `relay` on `listener` until the process ends.
pub async fn serve(relay: Relay, listener: TcpListener) -> std::io::Result<()> {
    let relay = Arc::new(relay);
    if let Err(error) = crate::handoff::rearm_waits(&relay) {
        tracing::error!(%error, "setting the waits of queued conversations again failed");
    }
    tokio::spawn(crate::outbound::run(relay.clone()));
    crate::follow::spawn_all(&relay);
    let app = crate::server::router(relay);
    axum::serve(
        listener,
        app.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .await
}
