//! Nothing lost, nothing doubled: the instance's VA endpoint failing for a while, and the relay
//! killed with SIGKILL in the middle of 100 live-agent conversations.

mod support;

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::Duration;

use flare_core::chat::protocol::{ClientFrame, Entry, ServerFrame};
use futures_util::{SinkExt, StreamExt};
use serde_json::{json, Value};
use support::{raw_socket, Panel, RelayOptions, RelayProcess, Sandbox, ORIGIN};
use tokio::sync::Mutex;
use tokio_tungstenite::tungstenite::Message;

/// The visitor's messages (requestId, text) as the instance's transcript has them, retransmissions
/// of one request (the same requestId) counted once.
fn visitor_requests(conversation: &Value) -> Vec<(String, String)> {
    let mut seen = BTreeSet::new();
    conversation["entries"]
        .as_array()
        .expect("entries")
        .iter()
        .filter(|entry| entry["direction"] == "inbound" && entry.get("action").is_none())
        .filter_map(|entry| {
            let request_id = entry["payload"]["requestId"].as_str()?.to_owned();
            let text = entry["text"].as_str()?.to_owned();
            seen.insert(request_id.clone())
                .then_some((request_id, text))
        })
        .collect()
}

/// Takes the sandbox's waiting conversation for `session` (the relay's conversation id) and
/// has the agent accept it.
async fn accept(sandbox: &Sandbox, session: &str) -> String {
    for _ in 0..200 {
        let waiting = sandbox.va_get("conversations?state=waiting").await;
        let found = waiting.as_array().and_then(|list| {
            list.iter()
                .find(|conversation| conversation["client_session_id"] == session)
                .cloned()
        });
        if let Some(conversation) = found {
            let id = conversation["id"].as_str().expect("id").to_owned();
            sandbox.agent(&id, "accept", json!({})).await;
            return id;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("{session} never waited for an agent");
}

#[tokio::test]
async fn messages_for_an_instance_that_fails_for_a_while_wait_and_go_once_in_order() {
    let sandbox = Sandbox::start().await;
    let relay = RelayProcess::start(&sandbox.url, RelayOptions::default());
    sandbox.send_va_replies_to(&relay).await;
    let mut panel = Panel::abel(&relay).await;
    panel.say("Talk to a person", Some("person")).await;
    let id = accept(&sandbox, &panel.conversation).await;

    sandbox
        .send_json(
            reqwest::Method::POST,
            "/sandbox/faults",
            json!({"kind": "status", "status": 503, "count": 6}),
        )
        .await;
    for text in ["one", "two", "three"] {
        panel.say(text, None).await;
    }
    let mut texts = vec![];
    for _ in 0..200 {
        let conversation = sandbox
            .va_get(&format!("conversations/{id}?settle=true"))
            .await;
        texts = visitor_requests(&conversation)
            .into_iter()
            .map(|(_, text)| text)
            .filter(|text| ["one", "two", "three"].contains(&text.as_str()))
            .collect();
        if texts.len() >= 3 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(texts, ["one", "two", "three"]);
    let faults = sandbox.get_json("/sandbox/faults").await;
    assert_eq!(faults, json!([]), "every fault was used up on the way");
}

/// One visitor's side of a chat that survives the relay dying: it reconnects, says where it
/// was, and resends what was not acknowledged, with the same client id.
struct Visitor {
    url: String,
    token: String,
    conversation: String,
    entries: Vec<Entry>,
    /// Sockets that failed on the way (the relay was down).
    n_failed_sockets: u32,
}

impl Visitor {
    fn last_seq(&self) -> u64 {
        self.entries.last().map_or(0, |entry| entry.seq)
    }

    /// Sends `text` and waits for its ack, reconnecting (and resending with the same client
    /// id) as often as it takes.
    async fn say(&mut self, client_id: &str, text: &str) {
        let send = ClientFrame::Send {
            conversation: self.conversation.clone(),
            client_id: client_id.into(),
            text: text.into(),
            reply: None,
        };
        self.until(send, |frame| {
            matches!(frame, ServerFrame::Ack { client_id: acked, .. } if acked == client_id)
        })
        .await;
    }

    /// Reads until the agent's messages have all arrived; each `ping` is answered after
    /// everything published before it.
    async fn agent_texts(&mut self, expected: usize) -> Vec<String> {
        loop {
            let texts = support::agent_texts(&self.entries);
            if texts.len() >= expected {
                return texts;
            }
            self.until(ClientFrame::Ping, |frame| *frame == ServerFrame::Pong)
                .await;
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    async fn until(&mut self, frame: ClientFrame, done: impl Fn(&ServerFrame) -> bool) {
        loop {
            if let Some(()) = self.try_once(&frame, &done).await {
                return;
            }
            self.n_failed_sockets += 1;
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// One socket: hello from the last sequence seen, `frame`, then frames until `done`; none
    /// when the socket failed on the way.
    async fn try_once(
        &mut self,
        frame: &ClientFrame,
        done: &impl Fn(&ServerFrame) -> bool,
    ) -> Option<()> {
        let mut socket = raw_socket(&self.url, ORIGIN).await.ok()?;
        let hello = ClientFrame::Hello {
            visitor: Some(self.token.clone()),
            identity: None,
            conversation: Some(self.conversation.clone()),
            after: self.last_seq(),
            locale: None,
        };
        for frame in [&hello, frame] {
            let text = serde_json::to_string(frame).expect("frame");
            socket.send(Message::text(text)).await.ok()?;
        }
        loop {
            let message = tokio::time::timeout(Duration::from_secs(10), socket.next())
                .await
                .ok()??
                .ok()?;
            let Message::Text(text) = message else {
                continue;
            };
            let frame: ServerFrame = serde_json::from_str(text.as_str()).expect("frame");
            if let ServerFrame::Entry { entry, .. } = &frame {
                // The replay and the live feed may both carry an entry: it is shown once.
                if entry.seq > self.last_seq() {
                    assert_eq!(entry.seq, self.last_seq() + 1, "a gap before {}", entry.seq);
                    self.entries.push(entry.clone());
                }
            }
            if done(&frame) {
                let _ = socket.close(None).await;
                return Some(());
            }
        }
    }
}

const N_CONVERSATIONS: usize = 100;
const N_ROUNDS: usize = 6;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_relay_killed_during_100_live_chats_loses_and_doubles_nothing() {
    let sandbox = Arc::new(Sandbox::start().await);
    let data = std::env::temp_dir().join(format!(
        "flare-relay-kill-{}",
        flare_relay::ids::random_id()
    ));
    let relay = RelayProcess::start(
        &sandbox.url,
        RelayOptions {
            data: Some(&data),
            ..RelayOptions::default()
        },
    );
    sandbox.send_va_replies_to(&relay).await;
    // The instance keeps trying its webhook posts while the relay is down.
    sandbox
        .send_json(
            reqwest::Method::PUT,
            "/sandbox/va/config",
            json!({
                "webhook_url": format!("{}/webhooks/va/{}", relay.url, support::SITE),
                "outbound_auth": {"kind": "hmac", "secret": support::WEBHOOK_SECRET},
                "adapter_properties": {"third_party_chat": true},
                "max_attempts": 10,
                "retry_backoff_millis": 100,
            }),
        )
        .await;

    let mut chats = vec![];
    for n_chat in 0..N_CONVERSATIONS {
        let mut panel = Panel::connect(
            &relay,
            Panel::hello_verified(&format!("u-{n_chat}"), "abel.tuter@example.com"),
        )
        .await;
        panel.assistant_after(0).await;
        panel.say("Talk to a person", Some("person")).await;
        let agent_side = accept(&sandbox, &panel.conversation).await;
        let visitor = Visitor {
            url: relay.ws_url(),
            token: panel.visitor.clone(),
            conversation: panel.conversation.clone(),
            entries: vec![],
            n_failed_sockets: 0,
        };
        panel.close().await;
        chats.push((visitor, agent_side));
    }

    let relay = Arc::new(Mutex::new(relay));
    let killer = {
        let relay = relay.clone();
        let data = data.clone();
        tokio::spawn(async move {
            tokio::time::sleep(Duration::from_millis(300)).await;
            let mut relay = relay.lock().await;
            relay.kill();
            tokio::time::sleep(Duration::from_millis(300)).await;
            relay.restart(Some(&data));
        })
    };
    let mut tasks = vec![];
    for (mut visitor, agent_side) in chats {
        let sandbox = sandbox.clone();
        tasks.push(tokio::spawn(async move {
            for round in 0..N_ROUNDS {
                visitor
                    .say(&format!("v-{round}"), &format!("visitor {round}"))
                    .await;
                sandbox
                    .agent(
                        &agent_side,
                        "messages",
                        json!({"text": format!("agent {round}")}),
                    )
                    .await;
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            // The agent's greeting on accepting, then each round's message.
            let texts = visitor.agent_texts(N_ROUNDS + 1).await;
            (visitor, agent_side, texts)
        }));
    }
    killer.await.expect("killed and restarted");
    let mut n_failed_sockets = 0;
    for task in tasks {
        let (visitor, agent_side, texts) = task.await.expect("a chat ran");
        n_failed_sockets += visitor.n_failed_sockets;
        let expected: Vec<String> = (0..N_ROUNDS)
            .map(|round| format!("agent {round}"))
            .collect();
        assert_eq!(
            texts[1..],
            expected,
            "the visitor got every agent message once, in order"
        );
        let seqs: Vec<u64> = visitor.entries.iter().map(|entry| entry.seq).collect();
        assert!(
            seqs.windows(2).all(|pair| pair[1] == pair[0] + 1),
            "{seqs:?}"
        );
        let mut said = vec![];
        for _ in 0..200 {
            let conversation = sandbox
                .va_get(&format!("conversations/{agent_side}?settle=true"))
                .await;
            said = visitor_requests(&conversation)
                .into_iter()
                .map(|(_, text)| text)
                .filter(|text| text.starts_with("visitor "))
                .collect();
            if said.len() >= N_ROUNDS {
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let expected: Vec<String> = (0..N_ROUNDS)
            .map(|round| format!("visitor {round}"))
            .collect();
        assert_eq!(
            said, expected,
            "the agent got every visitor message once, in order"
        );
    }
    assert!(
        n_failed_sockets > 0,
        "the kill happened while the chats were going on"
    );
    std::fs::remove_dir_all(data).ok();
}
