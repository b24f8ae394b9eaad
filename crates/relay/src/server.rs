//! The HTTP edge: the widget's WebSocket (origin checked before the upgrade), `/healthz` and
//! `/metrics`, and the socket loop that reads frames, bounds them and hands them to a
//! [`Session`].

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::extract::DefaultBodyLimit;
use axum::extract::{ConnectInfo, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use flare_core::chat::protocol::{ClientFrame, Refusal, ServerFrame, Unreadable, MAX_FRAME_BYTES};
use serde::Deserialize;
use tokio::sync::broadcast::error::RecvError;

use crate::config::Site;
use crate::metrics::Metrics;
use crate::session::{Handled, Hello, Session, SessionError};
use crate::Relay;

/// How long a socket may stay silent (the panel pings every 25 seconds) before it is closed.
const IDLE_LIMIT: Duration = Duration::from_secs(75);

/// How long the panel has to say `hello`.
const HELLO_LIMIT: Duration = Duration::from_secs(10);

/// Chat-sized buffers: a socket holds a few KB, not the 128 KB default meant for bulk transfer.
const SOCKET_BUFFER_BYTES: usize = 4 * 1024;

/// The largest webhook post read: a reply with a few messages, not a file.
const WEBHOOK_BODY_LIMIT: usize = 256 * 1024;

/// The relay's routes.
pub fn router(relay: Arc<Relay>) -> Router {
    Router::new()
        .route("/ws", get(upgrade))
        .route("/healthz", get(|| async { "ok" }))
        .route("/metrics", get(metrics))
        .route(
            "/uploads/{site}/{conversation}",
            post(crate::uploads::upload).layer(DefaultBodyLimit::disable()),
        )
        .route("/files/{id}/{name}", get(crate::uploads::download))
        .route(
            "/webhooks/tickets/{site}",
            post(crate::follow::webhook).layer(DefaultBodyLimit::max(WEBHOOK_BODY_LIMIT)),
        )
        .route(
            "/webhooks/va/{site}",
            post(crate::handoff::webhook).layer(DefaultBodyLimit::max(WEBHOOK_BODY_LIMIT)),
        )
        .with_state(relay)
}

/// Whether the request comes from one of the site's origins: exactly one `Origin` header, equal to
/// one of them.
pub fn origin_allowed(site: &Site, headers: &HeaderMap) -> bool {
    let mut origins = headers.get_all(header::ORIGIN).iter();
    let (Some(origin), None) = (origins.next(), origins.next()) else {
        return false;
    };
    origin
        .to_str()
        .is_ok_and(|origin| site.origins.iter().any(|allowed| allowed == origin))
}

/// Open sockets per address, for the per-IP bound.
#[derive(Default)]
pub struct SocketsPerIp(Mutex<HashMap<IpAddr, u32>>);

#[derive(Deserialize)]
struct SocketQuery {
    site: String,
}

async fn metrics(State(relay): State<Arc<Relay>>) -> Response {
    (
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        relay
            .metrics
            .render(relay.store.outbound_depth().unwrap_or_default()),
    )
        .into_response()
}

async fn upgrade(
    State(relay): State<Arc<Relay>>,
    Query(query): Query<SocketQuery>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    upgrade: WebSocketUpgrade,
) -> Response {
    let Some(site) = relay.sites.get(&query.site).cloned() else {
        return (StatusCode::NOT_FOUND, "no such site").into_response();
    };
    let origin = headers
        .get(header::ORIGIN)
        .and_then(|value| value.to_str().ok());
    if !origin.is_some_and(|origin| site.origins.iter().any(|allowed| allowed == origin)) {
        Metrics::add(&relay.metrics.refused_origins);
        return (StatusCode::FORBIDDEN, "origin not allowed for this site").into_response();
    }
    let Some(slot) = SocketSlot::take(&relay, peer.ip()) else {
        return (
            StatusCode::TOO_MANY_REQUESTS,
            "too many sockets from this address",
        )
            .into_response();
    };
    upgrade
        .read_buffer_size(SOCKET_BUFFER_BYTES)
        .write_buffer_size(SOCKET_BUFFER_BYTES)
        // Past the protocol's bound, so an oversized frame is answered with a refusal.
        .max_message_size(4 * MAX_FRAME_BYTES)
        .max_frame_size(4 * MAX_FRAME_BYTES)
        .on_upgrade(move |socket| async move {
            relay.metrics.connections.fetch_add(1, Ordering::Relaxed);
            run(relay.clone(), site, socket).await;
            relay.metrics.connections.fetch_sub(1, Ordering::Relaxed);
            drop(slot);
        })
}

/// One socket from `hello` to close.
async fn run(relay: Arc<Relay>, site: Arc<Site>, mut socket: WebSocket) {
    let Some(hello) = read_hello(&mut socket).await else {
        let _ = send(&mut socket, &refused(Refusal::HelloFirst, None)).await;
        return;
    };
    let after = hello.after;
    let (mut session, welcome, conversation_id) = match Session::start(relay.clone(), site, hello) {
        Ok(started) => started,
        Err(error) => {
            let _ = send(&mut socket, &refusal_of(&relay, error)).await;
            return;
        }
    };
    let mut updates = relay.hub.subscribe(session.visitor_id());
    let replay = match session.catch_up(&conversation_id, after) {
        Ok(replay) => replay,
        Err(error) => {
            let _ = send(&mut socket, &refusal_of(&relay, error)).await;
            return;
        }
    };
    for frame in std::iter::once(&welcome).chain(&replay) {
        if send(&mut socket, frame).await.is_err() {
            return;
        }
    }
    let visitor_id = session.visitor_id().to_owned();
    loop {
        // Biased: what is already published goes out before the next frame is read, so a
        // `ping` answered with `pong` tells the panel it has everything published before it.
        tokio::select! {
            biased;
            update = updates.recv() => match update {
                Ok(frame) => if send(&mut socket, &frame).await.is_err() { break; },
                // Behind: the panel resumes from its last sequence after reconnecting.
                Err(RecvError::Lagged(_) | RecvError::Closed) => break,
            },
            received = tokio::time::timeout(IDLE_LIMIT, socket.recv()) => {
                let text = match received {
                    Ok(Some(Ok(Message::Text(text)))) => text,
                    Ok(Some(Ok(Message::Binary(_)))) => {
                        if send(&mut socket, &refused(Refusal::Malformed, None)).await.is_err() { break; }
                        continue;
                    }
                    Ok(Some(Ok(Message::Ping(_) | Message::Pong(_)))) => continue,
                    _ => break,
                };
                if !relay.buckets.take(&visitor_id, relay.config.limits.frames_per_minute) {
                    Metrics::add(&relay.metrics.refused_frames);
                    if send(&mut socket, &refused(Refusal::RateLimited, None)).await.is_err() { break; }
                    continue;
                }
                let handled = match ClientFrame::parse(text.as_str()) {
                    Ok(frame) => session.handle(frame),
                    Err(Unreadable(reason)) => Err(SessionError::Refused(reason, None)),
                };
                let handled = match handled {
                    Ok(handled) => handled,
                    Err(SessionError::Refused(reason, client_id)) => {
                        Metrics::add(&relay.metrics.refused_frames);
                        Handled { frames: vec![refused(reason, client_id)], pending: None }
                    }
                    Err(SessionError::Store(error)) => {
                        tracing::error!(%error, "the store failed; closing the socket");
                        break;
                    }
                };
                let mut failed = false;
                for frame in &handled.frames {
                    failed = failed || send(&mut socket, frame).await.is_err();
                }
                if failed { break; }
                if let Some(pending) = handled.pending {
                    if let Err(error) = session.finish(pending).await {
                        tracing::error!(%error, "keeping the assistant's answer failed");
                        break;
                    }
                }
            }
        }
    }
    drop(updates);
    relay.hub.release(&visitor_id);
}

async fn read_hello(socket: &mut WebSocket) -> Option<Hello> {
    let received = tokio::time::timeout(HELLO_LIMIT, socket.recv()).await;
    let Ok(Some(Ok(Message::Text(text)))) = received else {
        return None;
    };
    match ClientFrame::parse(text.as_str()) {
        Ok(ClientFrame::Hello {
            visitor,
            identity,
            conversation,
            after,
            locale,
        }) => Some(Hello {
            visitor,
            identity,
            conversation,
            after,
            locale,
        }),
        _ => None,
    }
}

async fn send(socket: &mut WebSocket, frame: &ServerFrame) -> Result<(), axum::Error> {
    socket.send(Message::Text(frame.to_text().into())).await
}

fn refused(reason: Refusal, client_id: Option<String>) -> ServerFrame {
    ServerFrame::Refused { reason, client_id }
}

fn refusal_of(relay: &Relay, error: SessionError) -> ServerFrame {
    match error {
        SessionError::Refused(reason, client_id) => refused(reason, client_id),
        SessionError::Store(error) => {
            tracing::error!(%error, "the store failed at hello");
            Metrics::add(&relay.metrics.refused_frames);
            refused(Refusal::Malformed, None)
        }
    }
}

/// Each visitor's token bucket, shared by all their sockets, so opening more sockets does not
/// buy more frames.
#[derive(Default)]
pub struct Buckets(Mutex<HashMap<String, Bucket>>);

impl Buckets {
    /// Whether `visitor_id` may send one more frame now (`per_minute` a minute).
    fn take(&self, visitor_id: &str, per_minute: u32) -> bool {
        let mut buckets = self
            .0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        // Full buckets carry nothing worth keeping: drop them once there are many.
        if buckets.len() > 10_000 {
            buckets.retain(|_, bucket| !bucket.is_full());
        }
        buckets
            .entry(visitor_id.to_owned())
            .or_insert_with(|| Bucket::new(per_minute))
            .take()
    }
}

/// A token bucket: `per_minute` frames a minute, bursts of a fifth of that.
struct Bucket {
    tokens: f64,
    capacity: f64,
    per_second: f64,
    last: Instant,
}

impl Bucket {
    fn new(per_minute: u32) -> Bucket {
        let capacity = f64::from((per_minute / 5).max(1));
        Bucket {
            tokens: capacity,
            capacity,
            per_second: f64::from(per_minute) / 60.0,
            last: Instant::now(),
        }
    }

    fn is_full(&self) -> bool {
        let refilled = self.tokens + self.last.elapsed().as_secs_f64() * self.per_second;
        refilled >= self.capacity
    }

    fn take(&mut self) -> bool {
        let now = Instant::now();
        let elapsed = now.duration_since(self.last).as_secs_f64();
        self.last = now;
        self.tokens = (self.tokens + elapsed * self.per_second).min(self.capacity);
        if self.tokens < 1.0 {
            return false;
        }
        self.tokens -= 1.0;
        true
    }
}

/// One socket's place in its address's count; given back when dropped.
struct SocketSlot {
    relay: Arc<Relay>,
    ip: IpAddr,
}

impl SocketSlot {
    fn take(relay: &Arc<Relay>, ip: IpAddr) -> Option<SocketSlot> {
        let mut counts = relay
            .sockets_per_ip
            .0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let count = counts.entry(ip).or_default();
        if *count >= relay.config.limits.sockets_per_ip {
            return None;
        }
        *count += 1;
        Some(SocketSlot {
            relay: relay.clone(),
            ip,
        })
    }
}

impl Drop for SocketSlot {
    fn drop(&mut self) {
        let mut counts = self
            .relay
            .sockets_per_ip
            .0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Some(count) = counts.get_mut(&self.ip) {
            *count -= 1;
            if *count == 0 {
                counts.remove(&self.ip);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn site() -> Site {
        let config = crate::config::RelayConfig::parse(
            r#"
listen = "127.0.0.1:0"
[[site]]
id = "demo"
origins = ["https://shop.example"]
identity_secret = "0123456789abcdef"
[site.desk]
kind = "servicenow"
instance = "https://acme.service-now.com"
user = "relay"
password = "secret"
"#,
            &|_| None,
        )
        .expect("valid");
        config.sites["demo"].clone()
    }

    #[test]
    fn exactly_one_origin_header_equal_to_one_of_the_sites() {
        let with = |origins: &[&str]| {
            let mut headers = HeaderMap::new();
            for origin in origins {
                headers.append(header::ORIGIN, origin.parse().expect("header"));
            }
            origin_allowed(&site(), &headers)
        };
        assert!(with(&["https://shop.example"]));
        assert!(!with(&[]));
        assert!(!with(&["https://shop.example/"]));
        assert!(!with(&["https://shop.example", "https://evil.example"]));
        assert!(!with(&["https://evil.example", "https://shop.example"]));
    }
}
