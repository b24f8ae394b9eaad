//! The relay's benchmark (`scripts/bench-relay.sh`): idle memory per open conversation, and the
//! latency of an agent's message from the webhook to the visitor's socket at a steady rate, each
//! beside a bare axum WebSocket server with the same buffer settings measured in the same run.
//! Numbers are recorded, never asserted.
//!
//! `bench [N_SOCKETS] [RATE] [SECONDS]`; `bench echo-server` runs the baseline server.

use std::collections::HashMap;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::extract::ws::{Message as AxumMessage, WebSocketUpgrade};
use axum::extract::{Path, Query, State};
use axum::routing::{get, post};
use axum::Router;
use flare_core::chat::protocol::{ClientFrame, EntryBody, ServerFrame};
use futures_util::{SinkExt, StreamExt};
use hmac::{Hmac, Mac};
use serde_json::json;
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::Message;

const ORIGIN: &str = "http://bench.example";
const SECRET: &str = "bench-webhook-secret";
const BUFFER: usize = 4 * 1024;

type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("echo-server") {
        return echo_server().await;
    }
    let n_sockets: usize = args.first().and_then(|n| n.parse().ok()).unwrap_or(10_000);
    let rate: u64 = args.get(1).and_then(|n| n.parse().ok()).unwrap_or(500);
    let seconds: u64 = args.get(2).and_then(|n| n.parse().ok()).unwrap_or(10);

    let sandbox = start_sandbox().await;
    let dir = std::env::temp_dir().join(format!("flare-relay-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let (mut relay, relay_url) = start_relay(&dir, &sandbox)?;
    let (mut echo, echo_url) =
        spawn_printing(Command::new(std::env::current_exe()?).arg("echo-server"))?;
    configure_va(&sandbox, &relay_url).await;

    // Idle memory: every socket has said hello (the relay kept a visitor and a conversation).
    // One server at a time: both sides' sockets would pass this process's file limit.
    let relay_before = rss_kb(relay.id());
    let mut sockets = Vec::with_capacity(n_sockets);
    for _ in 0..n_sockets {
        let mut socket = connect(&format!("{}/ws?site=bench", ws(&relay_url))).await?;
        send(&mut socket, &hello()).await?;
        until_welcome(&mut socket).await?;
        sockets.push(socket);
    }
    tokio::time::sleep(Duration::from_secs(1)).await;
    let relay_idle = rss_kb(relay.id()).saturating_sub(relay_before);
    sockets.clear();
    let echo_before = rss_kb(echo.id());
    for n_socket in 0..n_sockets {
        sockets.push(connect(&format!("{}/ws?id=idle-{n_socket}", ws(&echo_url))).await?);
    }
    tokio::time::sleep(Duration::from_secs(1)).await;
    let echo_idle = rss_kb(echo.id()).saturating_sub(echo_before);
    drop(sockets);
    tokio::time::sleep(Duration::from_secs(1)).await;

    // Latency: 100 visitors with an agent; the agent's messages arrive on the webhook.
    let n_chats = 100;
    let mut visitors = Vec::new();
    for _ in 0..n_chats {
        visitors.push(with_agent(&relay_url, &sandbox).await?);
    }
    let relay_latencies = measure(rate, seconds, visitors, |n_message, conversation| {
        let body = json!({
            "requestId": format!("bench-{n_message}"),
            "clientSessionId": conversation,
            "agentChat": true,
            "body": [{"uiType": "OutputText", "value": format!("m{n_message}"),
                      "agentInfo": {"sentFromAgent": true, "agentName": "Bench", "agentId": "b"}}]
        })
        .to_string();
        let signature = sign(&body);
        (
            format!("{relay_url}/webhooks/va/bench"),
            body,
            Some(signature),
        )
    })
    .await;
    let mut echo_visitors = Vec::new();
    for n_chat in 0..n_chats {
        let socket = connect(&format!("{}/ws?id=chat-{n_chat}", ws(&echo_url))).await?;
        echo_visitors.push((socket, format!("chat-{n_chat}")));
    }
    let echo_latencies = measure(rate, seconds, echo_visitors, |n_message, id| {
        (
            format!("{echo_url}/push/{id}"),
            format!("m{n_message}"),
            None,
        )
    })
    .await;

    let _ = relay.kill();
    let _ = echo.kill();
    let _ = std::fs::remove_dir_all(&dir);
    report(
        n_sockets,
        relay_idle,
        echo_idle,
        rate,
        &relay_latencies,
        &echo_latencies,
    );
    Ok(())
}

/// Posts `rate` messages a second for `seconds` round-robin to the conversations, each as the
/// request `make` builds, and times each from the post to its arrival on the socket.
async fn measure(
    rate: u64,
    seconds: u64,
    visitors: Vec<(Socket, String)>,
    make: impl Fn(u64, &str) -> (String, String, Option<String>),
) -> Vec<f64> {
    let sent_at: Arc<Mutex<HashMap<String, Instant>>> = Arc::default();
    let (arrived, mut arrivals) = mpsc::unbounded_channel::<(String, Instant)>();
    let mut ids = Vec::new();
    for (mut socket, id) in visitors {
        ids.push(id);
        let arrived = arrived.clone();
        tokio::spawn(async move {
            while let Some(Ok(message)) = socket.next().await {
                let Message::Text(text) = message else {
                    continue;
                };
                let now = Instant::now();
                let text = match serde_json::from_str::<ServerFrame>(text.as_str()) {
                    Ok(ServerFrame::Entry { entry, .. }) => match entry.body {
                        EntryBody::Message { text, .. } => text,
                        _ => continue,
                    },
                    Ok(_) => continue,
                    Err(_) => text.as_str().to_owned(),
                };
                let _ = arrived.send((text, now));
            }
        });
    }
    drop(arrived);
    let client = reqwest::Client::new();
    let total = rate * seconds;
    let mut ticker = tokio::time::interval(Duration::from_micros(1_000_000 / rate));
    for n_message in 0..total {
        ticker.tick().await;
        let (url, body, signature) = make(n_message, &ids[n_message as usize % ids.len()]);
        let client = client.clone();
        let sent_at = sent_at.clone();
        tokio::spawn(async move {
            sent_at
                .lock()
                .expect("lock")
                .insert(format!("m{n_message}"), Instant::now());
            let mut request = client.post(url).body(body);
            if let Some(signature) = signature {
                request = request.header("x-b2b-signature", signature);
            }
            let _ = request.send().await;
        });
    }
    let mut latencies = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(10);
    while latencies.len() < total as usize && Instant::now() < deadline {
        let Ok(Some((text, at))) =
            tokio::time::timeout(Duration::from_secs(1), arrivals.recv()).await
        else {
            continue;
        };
        if let Some(sent) = sent_at.lock().expect("lock").remove(&text) {
            latencies.push(at.duration_since(sent).as_secs_f64() * 1000.0);
        }
    }
    latencies.sort_by(f64::total_cmp);
    latencies
}

fn report(n_sockets: usize, relay_kb: u64, echo_kb: u64, rate: u64, relay: &[f64], echo: &[f64]) {
    let percentile = |values: &[f64], p: f64| -> f64 {
        if values.is_empty() {
            return f64::NAN;
        }
        values[((values.len() - 1) as f64 * p).round() as usize]
    };
    let (relay_p50, relay_p99) = (percentile(relay, 0.5), percentile(relay, 0.99));
    let (echo_p50, echo_p99) = (percentile(echo, 0.5), percentile(echo, 0.99));
    println!("| measure | relay | bare axum WebSocket server | ratio | target |");
    println!("|---|---|---|---|---|");
    println!(
        "| RSS for {n_sockets} idle sockets (after hello) | {:.1} MB | {:.1} MB | {:.2}x | ≤ 150 MB, ≤ 1.5x |",
        relay_kb as f64 / 1024.0,
        echo_kb as f64 / 1024.0,
        relay_kb as f64 / echo_kb.max(1) as f64
    );
    println!(
        "| agent → visitor p50 at {rate} msg/s | {relay_p50:.2} ms | {echo_p50:.2} ms | {:.2}x | |",
        relay_p50 / echo_p50
    );
    println!(
        "| agent → visitor p99 at {rate} msg/s | {relay_p99:.2} ms | {echo_p99:.2} ms | {:.2}x | ≤ 20 ms, ≤ 2x |",
        relay_p99 / echo_p99
    );
    println!(
        "| messages delivered | {} | {} | | all |",
        relay.len(),
        echo.len()
    );
}

/// The baseline: sockets registered by `?id=`, `POST /push/{id}` forwards the body to that socket.
async fn echo_server() -> anyhow::Result<()> {
    type Sockets = Arc<Mutex<HashMap<String, mpsc::UnboundedSender<String>>>>;
    async fn socket(
        State(sockets): State<Sockets>,
        Query(query): Query<HashMap<String, String>>,
        upgrade: WebSocketUpgrade,
    ) -> axum::response::Response {
        let id = query.get("id").cloned().unwrap_or_default();
        upgrade
            .read_buffer_size(BUFFER)
            .write_buffer_size(BUFFER)
            .on_upgrade(move |mut socket| async move {
                let (sender, mut outgoing) = mpsc::unbounded_channel();
                sockets.lock().expect("lock").insert(id.clone(), sender);
                loop {
                    tokio::select! {
                        text = outgoing.recv() => match text {
                            Some(text) => if socket.send(AxumMessage::Text(text.into())).await.is_err() { break },
                            None => break,
                        },
                        received = socket.recv() => if !matches!(received, Some(Ok(_))) { break },
                    }
                }
                sockets.lock().expect("lock").remove(&id);
            })
    }
    async fn push(State(sockets): State<Sockets>, Path(id): Path<String>, body: String) {
        let sender = sockets.lock().expect("lock").get(&id).cloned();
        if let Some(sender) = sender {
            let _ = sender.send(body);
        }
    }
    let sockets: Sockets = Arc::default();
    let app = Router::new()
        .route("/ws", get(socket))
        .route("/push/{id}", post(push))
        .with_state(sockets);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    println!("listening on http://{}", listener.local_addr()?);
    axum::serve(listener, app).await?;
    Ok(())
}

async fn start_sandbox() -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("address"));
    let app = flare_sandbox::app(flare_sandbox::AppState::new(&url));
    tokio::spawn(async move { axum::serve(listener, app).await });
    url
}

fn start_relay(dir: &std::path::Path, sandbox: &str) -> anyhow::Result<(Child, String)> {
    let config = format!(
        r#"
listen = "127.0.0.1:0"
[limits]
frames_per_minute = 100000
sockets_per_ip = 100000
[[site]]
id = "bench"
origins = ["{ORIGIN}"]
identity_secret = "bench-identity-secret-0123456789"
[site.desk]
kind = "servicenow"
instance = "{sandbox}"
user = "admin"
password = "admin"
[site.handoff]
route = "va"
webhook_hmac_secret = "{SECRET}"
max_wait_secs = 3600
"#
    );
    std::fs::write(dir.join("relay.toml"), config)?;
    let binary = std::env::current_exe()?
        .parent()
        .and_then(|examples| examples.parent())
        .map(|release| release.join("flare-relay"))
        .ok_or_else(|| anyhow::anyhow!("no target directory"))?;
    let mut command = Command::new(binary);
    command
        .arg("--config")
        .arg(dir.join("relay.toml"))
        .arg("--data")
        .arg(dir.join("data"))
        .env("RUST_LOG", "flare_relay=error");
    spawn_printing(&mut command)
}

/// Starts `command` and reads the URL from its first line (`... on http://ADDR`).
fn spawn_printing(command: &mut Command) -> anyhow::Result<(Child, String)> {
    use std::io::BufRead;
    let mut child = command
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()?;
    let mut line = String::new();
    std::io::BufReader::new(child.stdout.take().expect("stdout")).read_line(&mut line)?;
    let url = line
        .split_whitespace()
        .last()
        .ok_or_else(|| anyhow::anyhow!("no address in {line:?}"))?
        .to_owned();
    Ok((child, url))
}

async fn configure_va(sandbox: &str, relay: &str) {
    let _ = reqwest::Client::new()
        .put(format!("{sandbox}/sandbox/va/config"))
        .json(&json!({
            "webhook_url": format!("{relay}/webhooks/va/bench"),
            "outbound_auth": {"kind": "hmac", "secret": SECRET},
        }))
        .send()
        .await;
}

/// A visitor whose conversation a (simulated) agent has accepted.
async fn with_agent(relay: &str, sandbox: &str) -> anyhow::Result<(Socket, String)> {
    let mut socket = connect(&format!("{}/ws?site=bench", ws(relay))).await?;
    send(&mut socket, &hello()).await?;
    let conversation = until_welcome(&mut socket).await?;
    send(
        &mut socket,
        &ClientFrame::Send {
            conversation: conversation.clone(),
            client_id: "person".into(),
            text: "Talk to a person".into(),
            reply: Some("person".into()),
        },
    )
    .await?;
    let client = reqwest::Client::new();
    loop {
        let waiting: serde_json::Value = client
            .get(format!("{sandbox}/sandbox/va/conversations?state=waiting"))
            .send()
            .await?
            .json()
            .await?;
        let id = waiting.as_array().and_then(|list| {
            list.iter()
                .find(|item| item["client_session_id"] == conversation.as_str())
                .and_then(|item| item["id"].as_str().map(str::to_owned))
        });
        if let Some(id) = id {
            client
                .post(format!("{sandbox}/sandbox/va/conversations/{id}/accept"))
                .json(&json!({}))
                .send()
                .await?;
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    // Until the agent has joined.
    while let Some(Ok(message)) = socket.next().await {
        let Message::Text(text) = message else {
            continue;
        };
        if let Ok(ServerFrame::Entry { entry, .. }) = serde_json::from_str(text.as_str()) {
            if matches!(entry.body, EntryBody::AgentJoined { .. }) {
                break;
            }
        }
    }
    Ok((socket, conversation))
}

fn hello() -> ClientFrame {
    ClientFrame::Hello {
        visitor: None,
        identity: None,
        conversation: None,
        after: 0,
        locale: None,
    }
}

async fn connect(url: &str) -> anyhow::Result<Socket> {
    let mut request = url.into_client_request()?;
    request.headers_mut().insert("origin", ORIGIN.parse()?);
    Ok(tokio_tungstenite::connect_async(request).await?.0)
}

async fn send(socket: &mut Socket, frame: &ClientFrame) -> anyhow::Result<()> {
    socket
        .send(Message::text(serde_json::to_string(frame)?))
        .await?;
    Ok(())
}

async fn until_welcome(socket: &mut Socket) -> anyhow::Result<String> {
    while let Some(message) = socket.next().await {
        let Message::Text(text) = message? else {
            continue;
        };
        if let Ok(ServerFrame::Welcome { conversation, .. }) = serde_json::from_str(text.as_str()) {
            return Ok(conversation);
        }
    }
    anyhow::bail!("the socket closed before the welcome")
}

fn ws(url: &str) -> String {
    url.replacen("http://", "ws://", 1)
}

fn sign(body: &str) -> String {
    let mut mac = Hmac::<sha1::Sha1>::new_from_slice(SECRET.as_bytes()).expect("key");
    mac.update(body.as_bytes());
    mac.finalize()
        .into_bytes()
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

/// Resident memory of a process, in KB (`VmRSS` of `/proc/PID/status`).
fn rss_kb(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|status| {
            status
                .lines()
                .find_map(|line| line.strip_prefix("VmRSS:"))
                .and_then(|value| value.split_whitespace().next()?.parse().ok())
        })
        .unwrap_or(0)
}
