//! `--data DIR` for the Virtual Agent: the waiting queue, open and ended conversations with every
//! transcript entry, the configuration and the VA clock survive a restart, the conversations go
//! on where they stopped, and a reply a restart cut short is posted afterwards.

mod va_support;

use std::path::{Path, PathBuf};

use reqwest::StatusCode;
use serde_json::{json, Value};
use va_support::{hand_off, request, texts, Sandbox, Webhook};

/// A fresh directory for one test.
fn fresh_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("flare-sandbox-va-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

/// A sandbox keeping its state in `dir`.
async fn start(dir: &Path) -> Sandbox {
    Sandbox::start_with(|url| {
        let options = flare_sandbox::InstanceOptions {
            data_dir: Some(dir.to_owned()),
            ..Default::default()
        };
        flare_sandbox::AppState::with_options(url, &options).expect("the data directory opens")
    })
    .await
}

/// A chat-client request from `session`.
fn from(session: &str, request_id: &str, action: Option<&str>, text: &str) -> Value {
    let mut body = request(request_id, action, text);
    body["clientSessionId"] = Value::from(session);
    body
}

async fn agent(sandbox: &Sandbox, id: &str, action: &str, body: Value) {
    let (status, answer) = sandbox
        .post(&format!("/sandbox/va/conversations/{id}/{action}"), body)
        .await;
    assert_eq!(status, StatusCode::OK, "{action}: {answer}");
}

/// The id of the open conversation of `session`.
async fn conversation_of(sandbox: &Sandbox, session: &str) -> String {
    let list = sandbox.get("/sandbox/va/conversations").await;
    let conversation = list
        .as_array()
        .unwrap()
        .iter()
        .find(|conversation| {
            conversation["client_session_id"] == session && conversation["state"] != "ended"
        })
        .unwrap_or_else(|| panic!("an open conversation of {session}: {list}"));
    conversation["id"].as_str().unwrap().to_owned()
}

/// The `messageId`s of a conversation's replies.
fn message_ids(conversation: &Value) -> Vec<String> {
    conversation["entries"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|entry| entry["message_id"].as_str())
        .map(str::to_owned)
        .collect()
}

#[tokio::test]
async fn conversations_survive_a_restart_and_go_on() {
    let dir = fresh_dir("restart");
    let mut webhook = Webhook::start().await;
    let first = start(&dir).await;
    first
        .configure(json!({
            "webhook_url": webhook.url,
            "retry_backoff_millis": 10,
            "adapter_properties": {"third_party_chat": true},
        }))
        .await;

    // One chat waits for an agent, one is with the agent, one has ended.
    first
        .send(from(
            "waiting",
            "r-waiting",
            Some("AGENT"),
            "I need a human",
        ))
        .await;
    hand_off(&mut webhook).await;
    first
        .send(from("chat", "r-chat", Some("AGENT"), "My VPN is down"))
        .await;
    hand_off(&mut webhook).await;
    let chat = conversation_of(&first, "chat").await;
    agent(&first, &chat, "accept", json!({"agent_name": "Fred Luddy"})).await;
    webhook.next().await;
    agent(&first, &chat, "messages", json!({"text": "Which client?"})).await;
    webhook.next().await;
    first
        .send(from("chat", "r-answer", None, "The Cisco one"))
        .await;
    first
        .send(from("done", "r-hi", Some("START_CONVERSATION"), ""))
        .await;
    webhook.next().await;
    first
        .send(from("done", "r-end", Some("END_CONVERSATION"), ""))
        .await;
    webhook.next().await;
    first
        .post("/sandbox/va/clock", json!({"advance_secs": 60}))
        .await;
    let waiting = conversation_of(&first, "waiting").await;
    let before_list = first.get("/sandbox/va/conversations").await;
    let mut before = Vec::new();
    for conversation in before_list.as_array().unwrap() {
        before.push(first.settled(conversation["id"].as_str().unwrap()).await);
    }
    let before_config = first.get("/sandbox/va/config").await;
    webhook.assert_quiet();

    let second = start(&dir).await;
    assert_eq!(second.get("/sandbox/va/conversations").await, before_list);
    for conversation in &before {
        let id = conversation["id"].as_str().unwrap();
        assert_eq!(&second.settled(id).await, conversation);
    }
    assert_eq!(second.get("/sandbox/va/config").await, before_config);
    assert_eq!(second.get("/sandbox/va/clock").await["offset_secs"], 60);
    assert_eq!(second.only("waiting").await["id"], waiting.as_str());
    let chat_before = before
        .iter()
        .find(|conversation| conversation["id"] == chat.as_str())
        .unwrap();
    assert_eq!(
        chat_before["interaction"]["client_session_id"], "chat",
        "the Interaction record keeps clientSessionId with third_party_chat"
    );
    webhook.assert_quiet();

    // The waiting chat is accepted; the greeting echoes the request it answers.
    agent(&second, &waiting, "accept", json!({})).await;
    let joined = webhook.next().await.json;
    assert_eq!(joined["requestId"], "r-waiting");
    assert_eq!(joined["clientSessionId"], "waiting");
    let earlier_ids: Vec<String> = before.iter().flat_map(message_ids).collect();
    let joined_id = joined["body"][0]["messageId"].as_str().unwrap();
    assert!(
        !earlier_ids.iter().any(|id| id == joined_id),
        "{joined_id} was handed out before the restart"
    );

    // The chat with the agent goes on in the same conversation.
    second
        .send(from("chat", "r-more", None, "Version 4.10"))
        .await;
    agent(
        &second,
        &chat,
        "messages",
        json!({"text": "Please update it."}),
    )
    .await;
    let message = webhook.next().await.json;
    assert_eq!(texts(&message), ["Please update it."]);
    assert_eq!(message["requestId"], "r-more");
    assert_eq!(message["body"][0]["agentInfo"]["agentName"], "Fred Luddy");
    let chat_after = second.settled(&chat).await;
    let n_before = chat_before["entries"].as_array().unwrap().len();
    let entries = chat_after["entries"].as_array().unwrap();
    assert_eq!(
        entries[..n_before],
        chat_before["entries"].as_array().unwrap()[..]
    );
    let seqs: Vec<u64> = entries
        .iter()
        .map(|entry| entry["seq"].as_u64().unwrap())
        .collect();
    assert_eq!(seqs, (1..=seqs.len() as u64).collect::<Vec<_>>());
    assert_eq!(entries[n_before]["text"], "Version 4.10");

    // The ended chat stays ended: its session starts a new conversation.
    second
        .send(from("done", "r-again", Some("START_CONVERSATION"), ""))
        .await;
    webhook.next().await;
    let again = conversation_of(&second, "done").await;
    assert!(before
        .iter()
        .all(|conversation| conversation["id"] != again.as_str()));
    webhook.assert_quiet();
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn a_reply_cut_short_by_a_restart_is_posted_after_it() {
    let dir = fresh_dir("pending");
    // The first post fails, and the retry is a minute away when the sandbox stops.
    let mut webhook = Webhook::answering(&[503]).await;
    let first = start(&dir).await;
    first
        .configure(json!({"webhook_url": webhook.url, "retry_backoff_millis": 60_000}))
        .await;
    first
        .send(request("r-start", Some("START_CONVERSATION"), ""))
        .await;
    let refused = webhook.next().await;
    let id = first.only("bot").await["id"].as_str().unwrap().to_owned();

    let second = start(&dir).await;
    let posted = webhook.next().await;
    assert_eq!(posted.body, refused.body, "the exact bytes, posted again");
    let conversation = second.settled(&id).await;
    let greeting = &conversation["entries"][1];
    assert_eq!(greeting["delivery"]["status"], "delivered", "{greeting}");
    webhook.assert_quiet();
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn received_attachments_survive_a_restart() {
    let dir = fresh_dir("attachments");
    let files = FileHost::start().await;
    let mut webhook = Webhook::start().await;
    let first = start(&dir).await;
    first
        .configure(json!({
            "webhook_url": webhook.url,
            "trusted_attachment_domains": ["127.0.0.1"],
        }))
        .await;
    let mut with_file = request("r-file", None, "");
    with_file["message"] = json!({"attachment": {
        "contentType": "text/plain",
        "fileName": "notes.txt",
        "url": files.url,
    }});
    first.send(with_file).await;
    webhook.next().await;
    let id = first.only("ended").await["id"].as_str().unwrap().to_owned();
    let conversation = first.settled(&id).await;
    let attachment_id = conversation["entries"][0]["attachments"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();

    let second = start(&dir).await;
    let download = second
        .client
        .get(format!(
            "{}/sandbox/va/attachments/{attachment_id}",
            second.url
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(download.status(), StatusCode::OK);
    assert_eq!(download.text().await.unwrap(), FileHost::CONTENT);
    let _ = std::fs::remove_dir_all(&dir);
}

/// A web server with one text file, for the VA to download.
struct FileHost {
    url: String,
}

impl FileHost {
    const CONTENT: &'static str = "VPN client 4.10 log";

    async fn start() -> FileHost {
        let app = axum::Router::new().route(
            "/notes.txt",
            axum::routing::get(|| async { FileHost::CONTENT }),
        );
        let socket = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind a free port");
        let url = format!(
            "http://{}/notes.txt",
            socket.local_addr().expect("bound address")
        );
        tokio::spawn(async move { axum::serve(socket, app).await });
        FileHost { url }
    }
}

#[tokio::test]
async fn the_users_time_zone_survives_a_restart() {
    let dir = fresh_dir("timezone");
    let mut webhook = Webhook::start().await;
    let first = start(&dir).await;
    first
        .configure(json!({"webhook_url": webhook.url, "retry_backoff_millis": 10}))
        .await;
    let mut set_timezone = from("tz", "r-1", Some("SET_USER_TIMEZONE"), "");
    set_timezone["timezone"] = Value::from("Asia/Kolkata");
    first.send(set_timezone).await;
    first
        .send(from("tz", "r-2", Some("END_CONVERSATION"), ""))
        .await;
    webhook.next().await;
    let ended = first.get("/sandbox/va/conversations").await[0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    first.settled(&ended).await;

    // The user's next conversation, after the restart, starts with the time zone they set
    // ("This time zone remains in effect until you reset it", `bot-api.md`).
    let second = start(&dir).await;
    let mut hello = from("tz", "r-3", None, "hi");
    hello.as_object_mut().unwrap().remove("timezone");
    second.send(hello).await;
    assert_eq!(
        texts(&webhook.next().await.json)[0],
        "Hi, I'm your Virtual Agent. Let me know how I can help you today."
    );
    let id = conversation_of(&second, "tz").await;
    assert_ne!(id, ended);
    assert_eq!(second.settled(&id).await["timezone"], "Asia/Kolkata");
    let _ = std::fs::remove_dir_all(&dir);
}
