//! The relay binary on a free port against an in-process sandbox, and a WebSocket client that
//! speaks the panel's protocol.

#![allow(dead_code)]

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use flare_core::chat::protocol::{ClientFrame, Entry, EntryBody, Identity, ServerFrame};
use futures_util::{SinkExt, StreamExt};
use hmac::{Hmac, Mac};
use serde_json::Value;
use sha2::Sha256;
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

pub const ORIGIN: &str = "http://shop.example";
pub const SITE: &str = "demo";
pub const IDENTITY_SECRET: &str = "test-identity-secret-0123456789";
pub const ABEL_SYS_ID: &str = "62826bf03710200044e0bfc8bcbe5df1";
pub const WEBHOOK_SECRET: &str = "test-webhook-secret";

/// A sandbox serving on a free port for the test's runtime.
pub struct Sandbox {
    pub url: String,
    client: reqwest::Client,
}

impl Sandbox {
    pub async fn start() -> Sandbox {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let url = format!("http://{}", listener.local_addr().expect("address"));
        let app = flare_sandbox::app(flare_sandbox::AppState::new(&url));
        tokio::spawn(async move { axum::serve(listener, app).await });
        Sandbox {
            url,
            client: reqwest::Client::new(),
        }
    }

    /// The Table API's `result` for `path`, as the admin.
    pub async fn table(&self, path: &str) -> Value {
        let reply: Value = self
            .client
            .get(format!("{}{path}", self.url))
            .basic_auth("admin", Some("admin"))
            .header("accept", "application/json")
            .send()
            .await
            .expect("sandbox answers")
            .json()
            .await
            .expect("json");
        reply["result"].clone()
    }

    /// Points the Virtual Agent's replies at the relay's webhook, signed with the test secret.
    pub async fn send_va_replies_to(&self, relay: &RelayProcess) {
        let config = serde_json::json!({
            "webhook_url": format!("{}/webhooks/va/{SITE}", relay.url),
            "outbound_auth": {"kind": "hmac", "secret": WEBHOOK_SECRET},
            "adapter_properties": {"third_party_chat": true},
            // The relay serves visitors' files on loopback.
            "trusted_attachment_domains": ["127.0.0.1"],
        });
        let response = self
            .client
            .put(format!("{}/sandbox/va/config", self.url))
            .json(&config)
            .send()
            .await
            .expect("sandbox answers");
        assert_eq!(response.status(), 200);
    }

    /// Any JSON call to the sandbox; the answer must be 2xx.
    pub async fn send_json(&self, method: reqwest::Method, path: &str, body: Value) -> Value {
        let response = self
            .client
            .request(method, format!("{}{path}", self.url))
            .json(&body)
            .send()
            .await
            .expect("sandbox answers");
        assert!(
            response.status().is_success(),
            "{path}: {}",
            response.status()
        );
        response.json().await.unwrap_or(Value::Null)
    }

    /// `GET path` as JSON, without credentials (the sandbox's own admin API).
    pub async fn get_json(&self, path: &str) -> Value {
        self.client
            .get(format!("{}{path}", self.url))
            .send()
            .await
            .expect("sandbox answers")
            .json()
            .await
            .expect("json")
    }

    /// The simulated agent's side: `GET /sandbox/va/...`.
    pub async fn va_get(&self, path: &str) -> Value {
        self.client
            .get(format!("{}/sandbox/va/{path}", self.url))
            .send()
            .await
            .expect("sandbox answers")
            .json()
            .await
            .expect("json")
    }

    /// The simulated agent acts: `POST /sandbox/va/conversations/{id}/{action}`.
    pub async fn agent(&self, conversation: &str, action: &str, body: Value) -> Value {
        let response = self
            .client
            .post(format!(
                "{}/sandbox/va/conversations/{conversation}/{action}",
                self.url
            ))
            .json(&body)
            .send()
            .await
            .expect("sandbox answers");
        assert_eq!(response.status(), 200, "{action}");
        response.json().await.expect("json")
    }

    /// The one conversation in `state`, waiting until there is one.
    pub async fn va_conversation_in(&self, state: &str) -> Value {
        for _ in 0..100 {
            let list = self.va_get(&format!("conversations?state={state}")).await;
            if let Some(first) = list.as_array().and_then(|list| list.first()) {
                return first.clone();
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("no conversation became {state}");
    }

    /// A refresh token for the sandbox's confidential `flare-relay` client, as `user` (password
    /// grant, the way an admin would generate one for the relay).
    pub async fn refresh_token(&self, user: &str) -> String {
        let reply: Value = self
            .client
            .post(format!("{}/oauth_token.do", self.url))
            .form(&[
                ("grant_type", "password"),
                ("client_id", "flare-relay"),
                ("client_secret", "flare-relay-secret"),
                ("username", user),
                ("password", user),
            ])
            .send()
            .await
            .expect("sandbox answers")
            .json()
            .await
            .expect("json");
        reply["refresh_token"]
            .as_str()
            .expect("a refresh token")
            .to_owned()
    }

    /// A file's bytes as text, as the admin (`/api/now/attachment/{sys_id}/file`).
    pub async fn download(&self, attachment_sys_id: &str) -> String {
        self.client
            .get(format!(
                "{}/api/now/attachment/{attachment_sys_id}/file",
                self.url
            ))
            .basic_auth("admin", Some("admin"))
            .send()
            .await
            .expect("sandbox answers")
            .text()
            .await
            .expect("text")
    }

    /// Changes a record as `user` (name and password alike in the sandbox's demo users).
    pub async fn patch_as(&self, user: &str, table: &str, sys_id: &str, fields: Value) {
        let response = self
            .client
            .patch(format!("{}/api/now/table/{table}/{sys_id}", self.url))
            .basic_auth(user, Some(user))
            .header("accept", "application/json")
            .json(&fields)
            .send()
            .await
            .expect("sandbox answers");
        assert_eq!(response.status(), 200, "{fields}");
    }

    /// Creates a record as the admin; its `result`.
    pub async fn create(&self, table: &str, fields: Value) -> Value {
        let reply: Value = self
            .client
            .post(format!("{}/api/now/table/{table}", self.url))
            .basic_auth("admin", Some("admin"))
            .header("accept", "application/json")
            .json(&fields)
            .send()
            .await
            .expect("sandbox answers")
            .json()
            .await
            .expect("json");
        reply["result"].clone()
    }
}

/// The relay binary, killed when dropped.
pub struct RelayProcess {
    pub url: String,
    child: Child,
    pub dir: PathBuf,
}

/// How quickly the relay tries a message the instance did not take again, in tests.
pub const OUTBOUND_RETRY_MS: u64 = 100;

/// What the test config may change.
pub struct RelayOptions<'a> {
    pub frames_per_minute: u32,
    pub sockets_per_ip: u32,
    pub data: Option<&'a Path>,
    /// More lines for the site's `[site.handoff]` table.
    pub handoff: &'a str,
    /// More lines for the site's `[site.desk]` table.
    pub desk: &'a str,
    /// More lines for `[limits]`.
    pub limits: &'a str,
    /// How the desk signs in, instead of the admin's password.
    pub desk_auth: Option<String>,
}

impl Default for RelayOptions<'_> {
    fn default() -> Self {
        RelayOptions {
            frames_per_minute: 6000,
            sockets_per_ip: 200,
            data: None,
            handoff: "",
            desk: "",
            limits: "",
            desk_auth: None,
        }
    }
}

impl RelayProcess {
    pub fn start(sandbox_url: &str, options: RelayOptions<'_>) -> RelayProcess {
        let dir = std::env::temp_dir().join(format!(
            "flare-relay-test-{}",
            flare_relay::ids::random_id()
        ));
        std::fs::create_dir_all(&dir).expect("temp dir");
        let config = format!(
            r#"
listen = "127.0.0.1:0"

[limits]
frames_per_minute = {frames}
sockets_per_ip = {sockets}
outbound_retry_ms = {OUTBOUND_RETRY_MS}
{limits}

[[site]]
id = "{SITE}"
origins = ["{ORIGIN}"]
identity_secret = {{ env = "TEST_IDENTITY_SECRET" }}

[site.desk]
kind = "servicenow"
instance = "{sandbox_url}"
{desk_auth}
{desk}

[site.handoff]
route = "va"
context = {{ queue = "it_support" }}
webhook_hmac_secret = {{ env = "TEST_WEBHOOK_SECRET" }}
{handoff}
"#,
            frames = options.frames_per_minute,
            sockets = options.sockets_per_ip,
            handoff = options.handoff,
            desk = options.desk,
            limits = options.limits,
            desk_auth = options
                .desk_auth
                .as_deref()
                .unwrap_or("user = \"admin\"\npassword = { env = \"TEST_DESK_PASSWORD\" }"),
        );
        let config_path = dir.join("relay.toml");
        std::fs::write(&config_path, config).expect("config");
        RelayProcess::spawn(&config_path, options.data, dir)
    }

    /// Starts the binary again on the same config, data and port (a restart after a kill).
    pub fn restart(&mut self, data: Option<&Path>) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let config_path = self.dir.join("relay.toml");
        let address = self.url.trim_start_matches("http://");
        let config = std::fs::read_to_string(&config_path).expect("config");
        let config = config.replace(
            "listen = \"127.0.0.1:0\"",
            &format!("listen = \"{address}\""),
        );
        std::fs::write(&config_path, config).expect("config");
        let restarted = RelayProcess::spawn(&config_path, data, self.dir.clone());
        *self = restarted;
    }

    /// SIGKILL: no chance to flush or say goodbye.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    fn spawn(config_path: &Path, data: Option<&Path>, dir: PathBuf) -> RelayProcess {
        let mut command = Command::new(env!("CARGO_BIN_EXE_flare-relay"));
        command
            .arg("--config")
            .arg(config_path)
            .env("TEST_IDENTITY_SECRET", IDENTITY_SECRET)
            .env("TEST_DESK_PASSWORD", "admin")
            .env("TEST_WEBHOOK_SECRET", WEBHOOK_SECRET)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit());
        if let Some(data) = data {
            command.arg("--data").arg(data);
        }
        let mut child = command.spawn().expect("relay starts");
        let stdout = child.stdout.take().expect("stdout");
        let mut line = String::new();
        BufReader::new(stdout)
            .read_line(&mut line)
            .expect("relay prints its address");
        let url = line
            .trim()
            .strip_prefix("flare-relay listening on ")
            .unwrap_or_else(|| panic!("unexpected first line {line:?}"))
            .to_owned();
        RelayProcess { url, child, dir }
    }

    pub fn ws_url(&self) -> String {
        format!("{}/ws?site={SITE}", self.url.replace("http://", "ws://"))
    }
}

impl Drop for RelayProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The host site's proof for a signed-in user.
pub fn identity(id: &str, email: &str) -> Identity {
    let mut mac = Hmac::<Sha256>::new_from_slice(IDENTITY_SECRET.as_bytes()).expect("key");
    mac.update(format!("{id}:{email}").as_bytes());
    let hash = mac
        .finalize()
        .into_bytes()
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect();
    Identity {
        id: id.into(),
        email: email.into(),
        name: String::new(),
        hash,
    }
}

/// What the agents said, in order.
pub fn agent_texts(entries: &[Entry]) -> Vec<String> {
    entries
        .iter()
        .filter_map(|entry| match &entry.body {
            EntryBody::Message {
                author: flare_core::chat::protocol::Author::Agent { .. },
                text,
                ..
            } => Some(text.clone()),
            _ => None,
        })
        .collect()
}

/// A panel's socket.
pub struct Panel {
    socket: WebSocketStream<MaybeTlsStream<TcpStream>>,
    pub visitor: String,
    pub conversation: String,
    /// Every entry seen, in arrival order.
    pub entries: Vec<Entry>,
    n_sent: u32,
}

/// Opens a socket from `origin` without saying hello: for refusals.
pub async fn raw_socket(
    url: &str,
    origin: &str,
) -> Result<WebSocketStream<MaybeTlsStream<TcpStream>>, tokio_tungstenite::tungstenite::Error> {
    let mut request = url.into_client_request().expect("request");
    request
        .headers_mut()
        .insert("origin", origin.parse().expect("header"));
    tokio_tungstenite::connect_async(request)
        .await
        .map(|(socket, _)| socket)
}

impl Panel {
    /// Connects and says hello; the welcome's replay lands in `entries`.
    pub async fn connect(relay: &RelayProcess, hello: ClientFrame) -> Panel {
        let socket = raw_socket(&relay.ws_url(), ORIGIN).await.expect("connects");
        let mut panel = Panel {
            socket,
            visitor: String::new(),
            conversation: String::new(),
            entries: vec![],
            n_sent: 0,
        };
        panel.send(&hello).await;
        match panel.next().await {
            ServerFrame::Welcome {
                visitor,
                conversation,
                ..
            } => {
                panel.visitor = visitor;
                panel.conversation = conversation;
            }
            other => panic!("expected welcome, got {other:?}"),
        }
        panel
    }

    /// Abel Tuter (a demo user of the sandbox) signed in on the host site, past the greeting.
    pub async fn abel(relay: &RelayProcess) -> Panel {
        let mut panel = Panel::connect(
            relay,
            Panel::hello_verified("u-abel", "abel.tuter@example.com"),
        )
        .await;
        panel.assistant_after(0).await;
        panel
    }

    /// A hello as a verified user.
    pub fn hello_verified(id: &str, email: &str) -> ClientFrame {
        ClientFrame::Hello {
            visitor: None,
            identity: Some(identity(id, email)),
            conversation: None,
            after: 0,
            locale: Some("en".into()),
        }
    }

    pub async fn send(&mut self, frame: &ClientFrame) {
        let text = serde_json::to_string(frame).expect("frame");
        self.send_text(text).await;
    }

    pub async fn send_text(&mut self, text: String) {
        self.socket.send(Message::text(text)).await.expect("sent");
    }

    /// The next frame, within five seconds; entries are recorded.
    pub async fn next(&mut self) -> ServerFrame {
        loop {
            let message = tokio::time::timeout(Duration::from_secs(15), self.socket.next())
                .await
                .expect("a frame within 15 s")
                .expect("socket open")
                .expect("frame");
            let Message::Text(text) = message else {
                continue;
            };
            let frame: ServerFrame = serde_json::from_str(text.as_str()).expect("a server frame");
            if let ServerFrame::Entry { entry, .. } = &frame {
                self.entries.push(entry.clone());
            }
            return frame;
        }
    }

    /// Frames until one matches; it is returned.
    pub async fn until(&mut self, matches: impl Fn(&ServerFrame) -> bool) -> ServerFrame {
        loop {
            let frame = self.next().await;
            if matches(&frame) {
                return frame;
            }
        }
    }

    /// Sends `text` (or presses the quick reply `reply`) with a fresh client id; the ack's seq.
    pub async fn say(&mut self, text: &str, reply: Option<&str>) -> u64 {
        self.n_sent += 1;
        let client_id = format!("m-{}-{}", self.n_sent, flare_relay::ids::random_id());
        self.send(&ClientFrame::Send {
            conversation: self.conversation.clone(),
            client_id: client_id.clone(),
            text: text.into(),
            reply: reply.map(Into::into),
        })
        .await;
        match self
            .until(|frame| matches!(frame, ServerFrame::Ack { client_id: acked, .. } if *acked == client_id))
            .await
        {
            ServerFrame::Ack { seq, .. } => seq,
            _ => unreachable!(),
        }
    }

    /// Waits until the assistant's message after sequence `after` has come, and returns its text
    /// and cards' numbers.
    pub async fn assistant_after(&mut self, after: u64) -> (String, Vec<String>) {
        loop {
            let found = self.entries.iter().find_map(|entry| match &entry.body {
                EntryBody::Message {
                    author: flare_core::chat::protocol::Author::Assistant,
                    text,
                    cards,
                    ..
                } if entry.seq > after => Some((
                    text.clone(),
                    cards.iter().map(|card| card.number.clone()).collect(),
                )),
                _ => None,
            });
            if let Some(found) = found {
                return found;
            }
            self.next().await;
        }
    }

    pub async fn close(mut self) {
        let _ = self.socket.close(None).await;
    }
}
