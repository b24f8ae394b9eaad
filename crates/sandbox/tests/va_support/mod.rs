//! A sandbox and a webhook listener for the Virtual Agent API tests. The listener is an axum
//! server on a free port that hands every post it receives to the test through a channel, so a
//! test awaits each message (with a time-out) instead of sleeping.

#![allow(dead_code)]

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use axum::Router;
use reqwest::RequestBuilder;
use serde_json::{json, Value};
use tokio::sync::mpsc;

/// How long a test waits for a webhook post before it fails.
const WAIT: Duration = Duration::from_secs(10);

/// The demo admin, as whom the chat client authenticates.
pub const ADMIN: (&str, &str) = ("admin", "admin");

/// One post the webhook received.
#[derive(Debug)]
pub struct Received {
    pub headers: HeaderMap,
    pub body: Bytes,
    pub json: Value,
}

/// The test's response endpoint.
pub struct Webhook {
    pub url: String,
    received: mpsc::UnboundedReceiver<Received>,
}

#[derive(Clone)]
struct Listener {
    sender: mpsc::UnboundedSender<Received>,
    /// Statuses to answer with, in order; 200 once they are used up.
    statuses: Arc<Mutex<VecDeque<StatusCode>>>,
}

/// A running sandbox.
pub struct Sandbox {
    pub url: String,
    pub client: reqwest::Client,
}

impl Webhook {
    /// A webhook that answers 200.
    pub async fn start() -> Webhook {
        Webhook::answering(&[]).await
    }

    /// A webhook that answers `statuses` to its first posts, then 200.
    pub async fn answering(statuses: &[u16]) -> Webhook {
        let (sender, received) = mpsc::unbounded_channel();
        let statuses = statuses
            .iter()
            .map(|status| StatusCode::from_u16(*status).expect("a valid status"))
            .collect();
        let listener = Listener {
            sender,
            statuses: Arc::new(Mutex::new(statuses)),
        };
        // Replies echo the request's message, whose text has no length limit (`bot-api.md`), so
        // neither has the listener.
        let app = Router::new()
            .route("/va", post(receive))
            .layer(DefaultBodyLimit::disable())
            .with_state(listener);
        let socket = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind a free port");
        let url = format!("http://{}/va", socket.local_addr().expect("bound address"));
        tokio::spawn(async move { axum::serve(socket, app).await });
        Webhook { url, received }
    }

    /// The next post, or a failed test after 10 s.
    pub async fn next(&mut self) -> Received {
        tokio::time::timeout(WAIT, self.received.recv())
            .await
            .expect("a webhook post within 10 s")
            .expect("the webhook listener is running")
    }

    /// Fails if a post arrived that the test did not take.
    pub fn assert_quiet(&mut self) {
        if let Ok(extra) = self.received.try_recv() {
            panic!("unexpected webhook post: {}", extra.json);
        }
    }
}

async fn receive(State(listener): State<Listener>, headers: HeaderMap, body: Bytes) -> StatusCode {
    let json = serde_json::from_slice(&body).expect("the webhook gets JSON");
    let status = listener
        .statuses
        .lock()
        .expect("no panics while locked")
        .pop_front()
        .unwrap_or(StatusCode::OK);
    // The test may have finished with the channel; the post still gets its answer.
    let _ = listener.sender.send(Received {
        headers,
        body,
        json,
    });
    status
}

/// A webhook URL on which nothing listens: the port was free a moment ago.
pub async fn closed_webhook_url() -> String {
    let socket = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind a free port");
    let address = socket.local_addr().expect("bound address");
    drop(socket);
    format!("http://{address}/va")
}

impl Sandbox {
    pub async fn start() -> Sandbox {
        Sandbox::start_with(flare_sandbox::AppState::new).await
    }

    /// A sandbox serving the state `make_state` builds for its URL.
    pub async fn start_with(make_state: impl FnOnce(&str) -> flare_sandbox::AppState) -> Sandbox {
        let socket = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind a free port");
        let url = format!("http://{}", socket.local_addr().expect("bound address"));
        let app = flare_sandbox::app(make_state(&url));
        tokio::spawn(async move { axum::serve(socket, app).await });
        Sandbox {
            url,
            client: reqwest::Client::new(),
        }
    }

    /// A sandbox whose replies go to `webhook` with fast retries.
    pub async fn with_webhook(webhook_url: &str) -> Sandbox {
        let sandbox = Sandbox::start().await;
        sandbox
            .configure(json!({"webhook_url": webhook_url, "retry_backoff_millis": 10}))
            .await;
        sandbox
    }

    pub async fn configure(&self, config: Value) {
        let response = self
            .client
            .put(format!("{}/sandbox/va/config", self.url))
            .json(&config)
            .send()
            .await
            .expect("the sandbox answers");
        assert_eq!(response.status(), reqwest::StatusCode::OK, "{config}");
    }

    /// A request to the integration endpoint, ready to send.
    pub fn integration(&self) -> RequestBuilder {
        self.client
            .post(format!("{}/api/sn_va_as_service/bot/integration", self.url))
            .header("Accept", "application/json")
    }

    /// Posts `body` as the demo admin and returns the status and body.
    pub async fn send(&self, body: Value) -> (reqwest::StatusCode, Value) {
        let request = self
            .integration()
            .basic_auth(ADMIN.0, Some(ADMIN.1))
            .json(&body);
        read(request).await
    }

    /// A GET of the sandbox's admin API.
    pub async fn get(&self, path: &str) -> Value {
        let request = self.client.get(format!("{}{path}", self.url));
        let (status, body) = read(request).await;
        assert_eq!(status, reqwest::StatusCode::OK, "{path}: {body}");
        body
    }

    /// A POST to the sandbox's admin API.
    pub async fn post(&self, path: &str, body: Value) -> (reqwest::StatusCode, Value) {
        read(self.client.post(format!("{}{path}", self.url)).json(&body)).await
    }

    /// One conversation once every reply of it was delivered or given up on.
    pub async fn settled(&self, conversation_id: &str) -> Value {
        self.get(&format!(
            "/sandbox/va/conversations/{conversation_id}?settle=true"
        ))
        .await
    }

    /// The agent console's page.
    pub async fn console_page(&self) -> String {
        self.client
            .get(format!("{}/sandbox/va/console", self.url))
            .send()
            .await
            .expect("the sandbox answers")
            .text()
            .await
            .expect("a readable page")
    }

    /// The only conversation in `state`.
    pub async fn only(&self, state: &str) -> Value {
        let list = self
            .get(&format!("/sandbox/va/conversations?state={state}"))
            .await;
        let conversations = list.as_array().expect("a list");
        assert_eq!(conversations.len(), 1, "{list}");
        conversations[0].clone()
    }
}

/// Sends and reads the whole answer; a body that is not JSON comes back as a JSON string.
pub async fn read(request: RequestBuilder) -> (reqwest::StatusCode, Value) {
    let response = request.send().await.expect("the sandbox answers");
    let status = response.status();
    let text = response.text().await.expect("a readable body");
    let body = serde_json::from_str(&text).unwrap_or(Value::String(text));
    (status, body)
}

/// A chat-client request with the documented fields.
pub fn request(request_id: &str, action: Option<&str>, text: &str) -> Value {
    let mut body = json!({
        "requestId": request_id,
        "enterpriseId": "ServiceNow",
        "nowBotId": "A85PWLERF",
        "clientSessionId": "session-1",
        "nowSessionId": "",
        "message": {"text": text, "typed": true, "clientMessageId": format!("{request_id}-m")},
        "userId": "abel.tuter",
        "emailId": "abel.tuter@example.com",
        "timestamp": 1588824102,
        "timezone": "America/New_York",
    });
    if let Some(action) = action {
        body["action"] = Value::from(action);
    }
    body
}

/// The stand-by message of a hand-off to the live-agent queue.
pub const STAND_BY: &str = "Please stand by while I connect you to a live agent.";

/// Takes a hand-off to the live-agent queue off the webhook: the stand-by message, then the
/// `StartSpinner` with the estimated wait (`bot-api.md`, "body.actionType"), both with
/// `agentChat: true`. Returns the stand-by message and the spinner.
pub async fn hand_off(webhook: &mut Webhook) -> (Value, Value) {
    let stand_by = webhook.next().await.json;
    assert_eq!(texts(&stand_by), [STAND_BY], "{stand_by}");
    assert_eq!(stand_by["agentChat"], true, "{stand_by}");
    let spinner = webhook.next().await.json;
    let item = &spinner["body"][0];
    assert_eq!(item["actionType"], "StartSpinner", "{spinner}");
    assert_eq!(spinner["agentChat"], true, "{spinner}");
    assert_eq!(spinner["requestId"], stand_by["requestId"]);
    (stand_by, spinner)
}

/// Asks for an agent with the AGENT action and returns the waiting conversation's id.
pub async fn wait_for_agent(sandbox: &Sandbox, webhook: &mut Webhook) -> String {
    sandbox
        .send(request("r-agent", Some("AGENT"), "I need a human"))
        .await;
    hand_off(webhook).await;
    let waiting = sandbox.only("waiting").await;
    waiting["id"].as_str().expect("an id").to_owned()
}

/// Asks for an agent, who accepts through the admin API, and takes the join message off the
/// webhook; returns the conversation's id.
pub async fn chat_with_agent(sandbox: &Sandbox, webhook: &mut Webhook) -> String {
    let id = wait_for_agent(sandbox, webhook).await;
    let (status, _) = sandbox
        .post(&format!("/sandbox/va/conversations/{id}/accept"), json!({}))
        .await;
    assert_eq!(status, reqwest::StatusCode::OK);
    webhook.next().await;
    id
}

/// The `value`s of the `OutputText` items of a reply.
pub fn texts(reply: &Value) -> Vec<String> {
    reply["body"]
        .as_array()
        .expect("a body list")
        .iter()
        .filter(|item| item["uiType"] == "OutputText")
        .map(|item| item["value"].as_str().expect("a text").to_owned())
        .collect()
}
