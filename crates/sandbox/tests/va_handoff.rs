//! The Virtual Agent Bot Integration API over real HTTP: a visitor starts a chat, asks for a live
//! agent, and the simulated agent accepts, types, replies and ends; every reply arrives on the
//! test's webhook (`bot-api.md`).

mod va_support;

use reqwest::StatusCode;
use serde_json::{json, Value};
use va_support::{hand_off, request, texts, wait_for_agent, Sandbox, Webhook, STAND_BY};

const GREETING: &str = "Hi, I'm your Virtual Agent. Let me know how I can help you today.";
const AGENT_GREETING: &str = "Thank you for contacting support. I am looking into your question now and will be with you shortly.";
const ENDED: &str = "The conversation has ended. If you need help again, type hi.";

/// Starts a chat and takes the greeting off the webhook.
async fn start_chat(sandbox: &Sandbox, webhook: &mut Webhook) -> Value {
    let (status, ack) = sandbox
        .send(request("r-start", Some("START_CONVERSATION"), ""))
        .await;
    assert_eq!(
        (status, ack),
        (StatusCode::OK, json!({"status": "success"}))
    );
    webhook.next().await.json
}

async fn agent(sandbox: &Sandbox, id: &str, action: &str, body: Value) -> Value {
    let (status, conversation) = sandbox
        .post(&format!("/sandbox/va/conversations/{id}/{action}"), body)
        .await;
    assert_eq!(status, StatusCode::OK, "{action}: {conversation}");
    conversation
}

#[tokio::test]
async fn start_conversation_sends_the_greeting() {
    let mut webhook = Webhook::start().await;
    let sandbox = Sandbox::with_webhook(&webhook.url).await;
    let greeting = start_chat(&sandbox, &mut webhook).await;
    assert_eq!(greeting["requestId"], "r-start");
    assert_eq!(greeting["clientSessionId"], "session-1");
    assert_eq!(greeting["userId"], "abel.tuter");
    assert_eq!(greeting["message"]["clientMessageId"], "r-start-m");
    assert_eq!(greeting["score"], 1);
    assert_eq!(texts(&greeting), [GREETING]);
    let picker = &greeting["body"][1];
    assert_eq!(picker["uiType"], "TopicPickerControl");
    assert_eq!(picker["options"][0]["label"], "Live Agent Support.");
    assert!(greeting.get("agentChat").is_none(), "{greeting}");
}

#[tokio::test]
async fn the_agent_utterance_leads_to_the_live_agent_queue() {
    let mut webhook = Webhook::start().await;
    let sandbox = Sandbox::with_webhook(&webhook.url).await;
    start_chat(&sandbox, &mut webhook).await;

    sandbox.send(request("r-1", None, "agent")).await;
    let picker = webhook.next().await.json;
    assert_eq!(picker["body"][0]["uiType"], "Picker");
    assert_eq!(
        picker["body"][0]["options"][0]["value"],
        "Live Agent Support."
    );
    assert_eq!(
        sandbox.get("/sandbox/va/conversations?state=waiting").await,
        json!([])
    );

    let mut selection = request("r-2", None, "Live Agent Support.");
    selection["message"]["typed"] = Value::Bool(false);
    sandbox.send(selection).await;
    let (stand_by, spinner) = hand_off(&mut webhook).await;
    assert_eq!(stand_by["requestId"], "r-2");
    // The documented `StartSpinner` example; nobody is ahead and no chat was accepted yet.
    assert_eq!(
        spinner["body"],
        json!([{
            "uiType": "ActionMsg",
            "actionType": "StartSpinner",
            "spinnerType": "wait_time",
            "message": "Routing you to a live agent...",
            "waitTime": "8 Seconds",
        }])
    );
    let waiting = sandbox.only("waiting").await;
    assert_eq!(waiting["user_id"], "abel.tuter");
    assert_eq!(waiting["client_session_id"], "session-1");
}

#[tokio::test]
async fn the_wait_time_follows_the_queue() {
    let mut webhook = Webhook::start().await;
    let sandbox = Sandbox::with_webhook(&webhook.url).await;
    let ask = |session: &str| {
        let mut asking = request(&format!("r-{session}"), Some("AGENT"), "");
        asking["clientSessionId"] = Value::from(session);
        asking
    };
    let wait_time = |spinner: &Value| spinner["body"][0]["waitTime"].clone();
    sandbox.send(ask("first")).await;
    let (_, spinner) = hand_off(&mut webhook).await;
    assert_eq!(wait_time(&spinner), "8 Seconds");
    sandbox.send(ask("second")).await;
    let (_, spinner) = hand_off(&mut webhook).await;
    assert_eq!(wait_time(&spinner), "16 Seconds", "one chat ahead");

    // The first chat waits at least 40 s on the VA clock before the agent takes it; the wall
    // clock may add a second.
    let first = sandbox.get("/sandbox/va/conversations?state=waiting").await[0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    sandbox
        .post("/sandbox/va/clock", json!({"advance_secs": 40}))
        .await;
    let accepted = agent(&sandbox, &first, "accept", json!({})).await;
    webhook.next().await;
    let waited =
        accepted["accepted_at"].as_i64().unwrap() - accepted["waiting_since"].as_i64().unwrap();
    assert!(waited >= 40, "{accepted}");
    sandbox.send(ask("third")).await;
    let (_, spinner) = hand_off(&mut webhook).await;
    assert_eq!(
        wait_time(&spinner),
        format!("{} Seconds", 2 * waited),
        "one chat ahead, each at what the accepted one waited"
    );
}

#[tokio::test]
async fn an_unknown_request_is_not_understood() {
    let mut webhook = Webhook::start().await;
    let sandbox = Sandbox::with_webhook(&webhook.url).await;
    sandbox.send(request("r-1", None, "How are you?")).await;
    let reply = webhook.next().await.json;
    assert_eq!(
        texts(&reply)[0],
        "I am sorry but I didn't understand your request."
    );
    assert_eq!(reply["score"], 0);
}

#[tokio::test]
async fn the_agent_joins_chats_and_ends() {
    let mut webhook = Webhook::start().await;
    let sandbox = Sandbox::with_webhook(&webhook.url).await;
    start_chat(&sandbox, &mut webhook).await;
    let id = wait_for_agent(&sandbox, &mut webhook).await;

    let accepted = agent(&sandbox, &id, "accept", json!({})).await;
    assert_eq!(accepted["state"], "with_agent");
    let joined = webhook.next().await.json;
    assert_eq!(texts(&joined), [AGENT_GREETING]);
    assert_eq!(joined["agentChat"], true);
    assert_eq!(joined["requestId"], "r-agent");
    let agent_info = &joined["body"][0]["agentInfo"];
    assert_eq!(agent_info["sentFromAgent"], true);
    assert_eq!(agent_info["agentName"], "Beth Anglin");
    assert_eq!(
        sandbox.get("/sandbox/va/conversations?state=waiting").await,
        json!([])
    );

    sandbox.send(request("r-typing", Some("TYPING"), "")).await;
    let conversation = sandbox.settled(&id).await;
    assert_eq!(conversation["visitor_typing"], true);
    sandbox
        .send(request("r-msg", None, "My VPN client will not start"))
        .await;
    let conversation = sandbox.settled(&id).await;
    assert_eq!(conversation["visitor_typing"], false);
    let last = conversation["entries"]
        .as_array()
        .unwrap()
        .last()
        .unwrap()
        .clone();
    assert_eq!(last["direction"], "inbound");
    assert_eq!(last["from"], "visitor");
    assert_eq!(last["text"], "My VPN client will not start");

    agent(&sandbox, &id, "typing", json!({"typing": true})).await;
    let typing = webhook.next().await.json;
    assert_eq!(
        typing["body"],
        json!([{"uiType": "ActionMsg", "actionType": "StartTypingIndicator"}])
    );
    agent(
        &sandbox,
        &id,
        "messages",
        json!({"text": "Please restart it."}),
    )
    .await;
    let message = webhook.next().await.json;
    assert_eq!(texts(&message), ["Please restart it."]);
    assert_eq!(message["requestId"], "r-msg");
    assert_eq!(message["agentChat"], true);
    assert!(message["body"][0]["messageId"].is_string(), "{message}");
    agent(&sandbox, &id, "typing", json!({"typing": false})).await;
    let stopped = webhook.next().await.json;
    assert_eq!(stopped["body"][0]["actionType"], "EndTypingIndicator");

    let ended = agent(&sandbox, &id, "end", json!({})).await;
    assert_eq!(ended["state"], "ended");
    let end = webhook.next().await.json;
    assert_eq!(texts(&end), [ENDED]);
    assert_eq!(end["completed"], true);

    let (status, error) = sandbox
        .post(
            &format!("/sandbox/va/conversations/{id}/messages"),
            json!({"text": "still there?"}),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(error["status"], "failure");
    webhook.assert_quiet();
}

#[tokio::test]
async fn the_visitor_ends_a_live_agent_chat() {
    let mut webhook = Webhook::start().await;
    let sandbox = Sandbox::with_webhook(&webhook.url).await;
    start_chat(&sandbox, &mut webhook).await;
    let id = wait_for_agent(&sandbox, &mut webhook).await;
    agent(&sandbox, &id, "accept", json!({"agent_name": "Fred Luddy"})).await;
    let joined = webhook.next().await.json;
    assert_eq!(joined["body"][0]["agentInfo"]["agentName"], "Fred Luddy");

    sandbox
        .send(request("r-end", Some("END_CONVERSATION"), ""))
        .await;
    let end = webhook.next().await.json;
    assert_eq!(texts(&end), [ENDED]);
    assert_eq!(end["completed"], true);
    assert_eq!(end["requestId"], "r-end");
    assert_eq!(sandbox.settled(&id).await["state"], "ended");

    // The next chat of the same visitor is a new conversation.
    start_chat(&sandbox, &mut webhook).await;
    let list = sandbox.get("/sandbox/va/conversations").await;
    assert_eq!(list.as_array().unwrap().len(), 2, "{list}");
}

#[tokio::test]
async fn the_transcript_keeps_every_message_once_in_order() {
    let mut webhook = Webhook::start().await;
    let sandbox = Sandbox::with_webhook(&webhook.url).await;
    let mut posted = vec![start_chat(&sandbox, &mut webhook).await];
    let id = wait_for_agent(&sandbox, &mut webhook).await;
    agent(&sandbox, &id, "accept", json!({})).await;
    posted.push(webhook.next().await.json);
    for n_message in 0..5 {
        agent(
            &sandbox,
            &id,
            "messages",
            json!({"text": format!("agent {n_message}")}),
        )
        .await;
        sandbox
            .send(request(
                &format!("r-{n_message}"),
                None,
                &format!("visitor {n_message}"),
            ))
            .await;
    }
    for _ in 0..5 {
        posted.push(webhook.next().await.json);
    }

    let conversation = sandbox.settled(&id).await;
    webhook.assert_quiet();
    let entries = conversation["entries"].as_array().unwrap();
    let seqs: Vec<u64> = entries
        .iter()
        .map(|entry| entry["seq"].as_u64().unwrap())
        .collect();
    assert_eq!(
        seqs,
        (1..=u64::try_from(entries.len()).unwrap()).collect::<Vec<_>>()
    );
    let outbound: Vec<&Value> = entries
        .iter()
        .filter(|entry| entry["direction"] == "outbound")
        .collect();
    // The stand-by reply and the spinner were taken off the webhook by `wait_for_agent`.
    let outbound_without_hand_off: Vec<Value> = outbound
        .iter()
        .filter(|entry| entry["payload"]["body"][0]["value"] != STAND_BY)
        .filter(|entry| entry["kind"] != "wait_time")
        .map(|entry| entry["payload"].clone())
        .collect();
    assert_eq!(outbound_without_hand_off, posted);
    for entry in &outbound {
        assert_eq!(
            entry["delivery"],
            json!({"status": "delivered", "attempts": 1}),
            "{entry}"
        );
    }
    let visitor_texts: Vec<&str> = entries
        .iter()
        .filter(|entry| entry["direction"] == "inbound")
        .filter_map(|entry| entry["text"].as_str())
        .filter(|text| text.starts_with("visitor"))
        .collect();
    assert_eq!(
        visitor_texts,
        [
            "visitor 0",
            "visitor 1",
            "visitor 2",
            "visitor 3",
            "visitor 4"
        ]
    );
}

#[tokio::test]
async fn update_messages_marks_agent_messages() {
    let mut webhook = Webhook::start().await;
    let sandbox = Sandbox::with_webhook(&webhook.url).await;
    // UPDATE_MESSAGES "is only valid if custom adapter property with name third_party_chat
    // tied to provider application is set to true" (`bot-api.md`).
    sandbox
        .configure(json!({
            "webhook_url": webhook.url,
            "adapter_properties": {"third_party_chat": true},
        }))
        .await;
    start_chat(&sandbox, &mut webhook).await;
    let id = wait_for_agent(&sandbox, &mut webhook).await;
    agent(&sandbox, &id, "accept", json!({})).await;
    let joined = webhook.next().await.json;
    let message_id = joined["body"][0]["messageId"].as_str().unwrap();

    let mut update = request("r-update", Some("UPDATE_MESSAGES"), "");
    update["message"] = json!([{"status": "sent_to_user", "id": message_id}]);
    let (status, body) = sandbox.send(update).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body, "Message Processed Successfully");
    let conversation = sandbox.settled(&id).await;
    let entry = conversation["entries"]
        .as_array()
        .unwrap()
        .iter()
        .find(|entry| entry["message_id"] == message_id)
        .unwrap()
        .clone();
    assert_eq!(entry["client_status"], "sent_to_user");
    webhook.assert_quiet();
}
