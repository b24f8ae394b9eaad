//! What the documented values of `action` do (`bot-api.md`, "Request body parameters", `action`),
//! over real HTTP: each test sends the action to the integration endpoint and checks what reaches
//! the webhook and what the sandbox's admin API and agent console show afterwards.

mod va_support;

use reqwest::StatusCode;
use serde_json::{json, Value};
use va_support::{chat_with_agent, hand_off, request, texts, Sandbox, Webhook, STAND_BY};

const GREETING: &str = "Hi, I'm your Virtual Agent. Let me know how I can help you today.";
const NOT_UNDERSTOOD: &str = "I am sorry but I didn't understand your request.";
const ENDED: &str = "The conversation has ended. If you need help again, type hi.";
/// The sys_id of the "Live Agent Support." topic in the documented topic pickers.
const LIVE_AGENT_TOPIC_ID: &str = "ce2ee85053130010cf8cddeeff7b12bf";

/// Sends `body` and checks the documented acknowledgement.
async fn send_ok(sandbox: &Sandbox, body: Value) {
    let (status, ack) = sandbox.send(body.clone()).await;
    assert_eq!(
        (status, ack),
        (StatusCode::OK, json!({"status": "success"})),
        "{body}"
    );
}

/// Starts a chat in `session` and takes the greeting off the webhook.
async fn start_chat(sandbox: &Sandbox, webhook: &mut Webhook, session: &str) -> String {
    let mut start = request(
        &format!("r-start-{session}"),
        Some("START_CONVERSATION"),
        "",
    );
    start["clientSessionId"] = Value::from(session);
    send_ok(sandbox, start).await;
    let greeting = webhook.next().await.json;
    assert_eq!(texts(&greeting), [GREETING], "{greeting}");
    open_conversation(sandbox, session).await
}

/// The id of the conversation of `abel.tuter` in `session` that is not over.
async fn open_conversation(sandbox: &Sandbox, session: &str) -> String {
    let list = sandbox.get("/sandbox/va/conversations").await;
    let open: Vec<&Value> = list
        .as_array()
        .expect("a list")
        .iter()
        .filter(|summary| summary["client_session_id"] == session && summary["state"] != "ended")
        .collect();
    assert_eq!(open.len(), 1, "{list}");
    open[0]["id"].as_str().expect("an id").to_owned()
}

/// The `action` of each inbound entry of a conversation, in order (`null` for plain messages).
fn request_actions(conversation: &Value) -> Vec<Value> {
    conversation["entries"]
        .as_array()
        .expect("entries")
        .iter()
        .filter(|entry| entry["direction"] == "inbound")
        .map(|entry| entry["action"].clone())
        .collect()
}

/// The documented `SWITCH` example ("Change an ongoing conversation using the SWITCH action
/// parameter"), in `session`, with `target` as its `intent` or `topic`.
fn switch(request_id: &str, session: &str, target: (&str, Value)) -> Value {
    let mut body = json!({
        "requestId": request_id,
        "enterpriseId": "ServiceNow",
        "nowBotId": "A85PWLERF",
        "clientSessionId": session,
        "nowSessionId": "",
        "action": "SWITCH",
        "message": {"typed": true, "clientMessageId": "ABC-123"},
        "userId": "abel.tuter",
        "timestamp": 1588824102,
        "timezone": "America/New_York",
    });
    body[target.0] = target.1;
    body
}

#[tokio::test]
async fn switch_to_the_live_agent_topic_hands_the_chat_to_the_queue() {
    let mut webhook = Webhook::start().await;
    let sandbox = Sandbox::with_webhook(&webhook.url).await;
    // The topic by NLU intent id, by name (`topic.name`) and by sys_id (`topic.id`).
    let targets = [
        ("intent", json!({"id": LIVE_AGENT_TOPIC_ID})),
        ("topic", json!({"name": "Live Agent Support."})),
        ("topic", json!({"id": LIVE_AGENT_TOPIC_ID})),
    ];
    for (target_idx, target) in targets.into_iter().enumerate() {
        let session = format!("switch-{target_idx}");
        let id = start_chat(&sandbox, &mut webhook, &session).await;
        let request_id = format!("r-switch-{target_idx}");
        send_ok(&sandbox, switch(&request_id, &session, target)).await;
        let (stand_by, _) = hand_off(&mut webhook).await;
        assert_eq!(stand_by["requestId"], request_id.as_str());
        assert_eq!(
            stand_by["message"],
            json!({"typed": true, "clientMessageId": "ABC-123"})
        );
        let conversation = sandbox.settled(&id).await;
        assert_eq!(conversation["state"], "waiting", "{conversation}");
    }
    webhook.assert_quiet();
}

#[tokio::test]
async fn switch_to_a_topic_the_sandbox_lacks_is_not_understood() {
    let mut webhook = Webhook::start().await;
    let sandbox = Sandbox::with_webhook(&webhook.url).await;
    let id = start_chat(&sandbox, &mut webhook, "session-1").await;
    // The documented example switches to "Saloon Vehicle", a topic only that instance has.
    let target = ("intent", json!({"id": "Saloon Vehicle"}));
    send_ok(&sandbox, switch("r-switch", "session-1", target)).await;
    let reply = webhook.next().await.json;
    assert_eq!(reply["requestId"], "r-switch");
    assert_eq!(texts(&reply)[0], NOT_UNDERSTOOD, "{reply}");
    assert_eq!(reply["score"], 0);
    assert!(reply.get("agentChat").is_none(), "{reply}");
    let conversation = sandbox.settled(&id).await;
    assert_eq!(conversation["state"], "bot");
    assert_eq!(
        request_actions(&conversation),
        [json!("START_CONVERSATION"), json!("SWITCH")]
    );
    webhook.assert_quiet();
}

#[tokio::test]
async fn switch_during_a_live_agent_chat_leaves_the_agent_in_charge() {
    let mut webhook = Webhook::start().await;
    let sandbox = Sandbox::with_webhook(&webhook.url).await;
    let id = chat_with_agent(&sandbox, &mut webhook).await;
    for (request_id, target) in [
        ("r-switch-1", ("intent", json!({"id": "Saloon Vehicle"}))),
        (
            "r-switch-2",
            ("topic", json!({"name": "Live Agent Support."})),
        ),
    ] {
        send_ok(&sandbox, switch(request_id, "session-1", target)).await;
        let conversation = sandbox.settled(&id).await;
        assert_eq!(conversation["state"], "with_agent", "{conversation}");
        webhook.assert_quiet();
    }
    let (status, _) = sandbox
        .post(
            &format!("/sandbox/va/conversations/{id}/messages"),
            json!({"text": "Still here."}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let message = webhook.next().await.json;
    assert_eq!(texts(&message), ["Still here."]);
    assert_eq!(message["agentChat"], true);
}

#[tokio::test]
async fn viewing_ends_the_typing_indicator_the_agent_sees() {
    let mut webhook = Webhook::start().await;
    let sandbox = Sandbox::with_webhook(&webhook.url).await;
    let id = chat_with_agent(&sandbox, &mut webhook).await;
    let typing_notice = "abel.tuter is typing…";

    // "First send TYPING and then after the user finishes typing, send VIEWING."
    send_ok(&sandbox, request("r-typing", Some("TYPING"), "")).await;
    let conversation = sandbox.settled(&id).await;
    assert_eq!(conversation["visitor_typing"], true);
    assert_eq!(sandbox.only("with_agent").await["visitor_typing"], true);
    assert!(sandbox.console_page().await.contains(typing_notice));

    send_ok(&sandbox, request("r-viewing", Some("VIEWING"), "")).await;
    let conversation = sandbox.settled(&id).await;
    assert_eq!(conversation["visitor_typing"], false);
    assert_eq!(sandbox.only("with_agent").await["visitor_typing"], false);
    assert!(!sandbox.console_page().await.contains(typing_notice));
    assert_eq!(conversation["state"], "with_agent");
    let actions = request_actions(&conversation);
    assert_eq!(
        actions[actions.len() - 2..],
        [json!("TYPING"), json!("VIEWING")]
    );
    // The indicator is the agent's to see; the chat client is sent nothing.
    webhook.assert_quiet();
}

#[tokio::test]
async fn start_created_conversation_greets_in_the_created_conversation() {
    let mut webhook = Webhook::start().await;
    let sandbox = Sandbox::with_webhook(&webhook.url).await;
    // "Create a chat interaction", then "Start a conversation initiated using the
    // START_CREATED_CONVERSATION action", as documented.
    send_ok(
        &sandbox,
        json!({
            "requestId": "f42f3550-5b44-4cde-aa52-9b6756b3131c",
            "clientSessionId": "",
            "action": "CREATE_CONVERSATION",
            "message": {"text": "hi", "typed": false},
            "userId": "abel.tuter",
            "emailId": "abel.tuter@example.com",
        }),
    )
    .await;
    let created = webhook.next().await.json;
    let action = &created["body"][0];
    assert_eq!(action["actionType"], "CreateConversation", "{created}");
    let id = action["conversationId"].as_str().expect("an id").to_owned();
    assert_eq!(sandbox.only("created").await["id"], id.as_str());

    send_ok(
        &sandbox,
        json!({
            "requestId": "f42f3550-5b44-4cde-aa52-9b6756b3131d",
            "clientSessionId": "",
            "action": "START_CREATED_CONVERSATION",
            "userId": "abel.tuter",
            "emailId": "abel.tuter@example.com",
        }),
    )
    .await;
    let greeting = webhook.next().await.json;
    assert_eq!(
        greeting["requestId"],
        "f42f3550-5b44-4cde-aa52-9b6756b3131d"
    );
    assert_eq!(greeting["clientSessionId"], "");
    assert_eq!(greeting["userId"], "abel.tuter");
    assert_eq!(texts(&greeting), [GREETING]);
    assert_eq!(greeting["body"][1]["uiType"], "TopicPickerControl");
    assert_eq!(greeting["score"], 1);

    // The same conversation, now with the bot; no second one was started.
    let list = sandbox.get("/sandbox/va/conversations").await;
    assert_eq!(list.as_array().map(Vec::len), Some(1), "{list}");
    assert_eq!(list[0]["id"], id.as_str());
    assert_eq!(list[0]["state"], "bot");
    let conversation = sandbox.settled(&id).await;
    assert_eq!(
        request_actions(&conversation),
        [
            json!("CREATE_CONVERSATION"),
            json!("START_CREATED_CONVERSATION")
        ]
    );
    webhook.assert_quiet();
}

#[tokio::test]
async fn fault_conversation_hands_control_back_and_ends_the_chat() {
    let mut webhook = Webhook::start().await;
    let sandbox = Sandbox::with_webhook(&webhook.url).await;
    let id = start_chat(&sandbox, &mut webhook, "").await;

    // The documented request ("Fault a conversation using") gets the documented reply.
    send_ok(
        &sandbox,
        json!({
            "requestId": "f42f3550-5b44-4cde-aa52-9b6756b3131c",
            "clientSessionId": "",
            "action": "FAULT_CONVERSATION",
            "cause": "EXTERNAL_FAILURE",
            "userId": "abel.tuter",
            "emailId": "abel.tuter@example.com",
        }),
    )
    .await;
    assert_eq!(
        webhook.next().await.json,
        json!({
            "requestId": "f42f3550-5b44-4cde-aa52-9b6756b3131c",
            "clientSessionId": "",
            "userId": "abel.tuter",
            "body": [],
            "takeControl": true,
            "score": 0,
        })
    );
    let conversation = sandbox.settled(&id).await;
    assert_eq!(conversation["state"], "ended");
    assert_eq!(conversation["end_reason"], "fault");
    assert_eq!(conversation["fault_cause"], "EXTERNAL_FAILURE");
    assert!(conversation["ended_at"].is_i64(), "{conversation}");

    // The user's next message starts a new conversation.
    let mut hello = request("r-hi", None, "hi");
    hello["clientSessionId"] = Value::from("");
    send_ok(&sandbox, hello).await;
    assert_eq!(texts(&webhook.next().await.json), [GREETING]);
    assert_ne!(open_conversation(&sandbox, "").await, id);
    webhook.assert_quiet();
}

#[tokio::test]
async fn fault_conversation_ends_a_live_agent_chat() {
    let mut webhook = Webhook::start().await;
    let sandbox = Sandbox::with_webhook(&webhook.url).await;
    let id = chat_with_agent(&sandbox, &mut webhook).await;
    let mut fault = request("r-fault", Some("FAULT_CONVERSATION"), "");
    fault["cause"] = Value::from("EXTERNAL_FAILURE");
    send_ok(&sandbox, fault).await;
    let reply = webhook.next().await.json;
    assert_eq!(reply["takeControl"], true, "{reply}");
    assert_eq!(reply["body"], json!([]));
    let conversation = sandbox.settled(&id).await;
    assert_eq!(conversation["state"], "ended");
    assert_eq!(conversation["end_reason"], "fault");
    // The agent has nobody to talk to any more.
    let (status, _) = sandbox
        .post(
            &format!("/sandbox/va/conversations/{id}/messages"),
            json!({"text": "Hello?"}),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    webhook.assert_quiet();
}

#[tokio::test]
async fn send_history_updates_only_the_history() {
    let mut webhook = Webhook::start().await;
    let sandbox = Sandbox::with_webhook(&webhook.url).await;
    let id = start_chat(&sandbox, &mut webhook, "").await;

    // The documented request ("Update only chat history").
    let history = json!([
        {"isBotMessage": true, "value": "How can I help you?", "displayName": "Genesys Bot", "type": "text", "timestamp": "1739866290393"},
        {"isBotMessage": false, "value": "I am facing an issue while creating an incident.", "displayName": "User", "type": "text", "timestamp": "1739877357223"},
        {"isBotMessage": true, "value": "Okay. i am routing you to an agent", "displayName": "Genesys Bot", "type": "text", "timestamp": "1739877409746"},
        {"isBotMessage": false, "value": "Thanks.", "displayName": "User", "type": "text", "timestamp": "1739877453201"},
    ]);
    send_ok(
        &sandbox,
        json!({
            "requestId": "f42f3550-5b44-4cde-aa52-9b6756b3131c",
            "clientSessionId": "",
            "userId": "abel.tuter",
            "emailId": "abel.tuter@example.com",
            "action": "SEND_HISTORY",
            "history": history,
        }),
    )
    .await;
    assert_eq!(webhook.next().await.json, json!({"status": "success"}));
    let conversation = sandbox.settled(&id).await;
    assert_eq!(conversation["history"], history);
    assert_eq!(conversation["state"], "bot");
    let kinds: Vec<&Value> = conversation["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|entry| &entry["kind"])
        .collect();
    assert_eq!(kinds, ["request", "bot_reply", "request", "history_ack"]);
    webhook.assert_quiet();

    // "The chat history can also be sent using standard message processing with the history
    // parameter": the message is answered, and its history is added.
    let mut message = request("r-agent", None, "Live Agent Support.");
    message["clientSessionId"] = Value::from("");
    message["history"] = json!({"isBotMessage": false, "value": "Still broken.", "displayName": "User", "type": "text", "timestamp": "1739877500000"});
    send_ok(&sandbox, message).await;
    let (stand_by, _) = hand_off(&mut webhook).await;
    assert_eq!(texts(&stand_by), [STAND_BY]);
    let conversation = sandbox.settled(&id).await;
    let kept = conversation["history"].as_array().expect("a history");
    assert_eq!(kept.len(), 5, "{conversation}");
    assert_eq!(kept[4]["value"], "Still broken.");
    webhook.assert_quiet();
}

#[tokio::test]
async fn set_user_timezone_stays_in_effect_until_reset() {
    let mut webhook = Webhook::start().await;
    let sandbox = Sandbox::with_webhook(&webhook.url).await;
    let without_timezone = |request_id: &str, action: Option<&str>, text: &str| {
        let mut body = request(request_id, action, text);
        body.as_object_mut().expect("an object").remove("timezone");
        body
    };
    let set_timezone = |request_id: &str, timezone: &str| {
        let mut body = request(request_id, Some("SET_USER_TIMEZONE"), "");
        body["timezone"] = Value::from(timezone);
        body
    };

    // Before the user sets one, a conversation has no time zone: the instance's applies.
    send_ok(&sandbox, without_timezone("r-1", None, "hi")).await;
    webhook.next().await;
    let first = open_conversation(&sandbox, "session-1").await;
    assert!(sandbox.settled(&first).await.get("timezone").is_none());

    // Nothing is said in answer to SET_USER_TIMEZONE; the time zone is the user's from now on.
    send_ok(&sandbox, set_timezone("r-2", "Asia/Kolkata")).await;
    assert_eq!(sandbox.settled(&first).await["timezone"], "Asia/Kolkata");
    webhook.assert_quiet();
    send_ok(&sandbox, without_timezone("r-3", None, "How are you?")).await;
    webhook.next().await;
    assert_eq!(sandbox.settled(&first).await["timezone"], "Asia/Kolkata");

    // It outlives the conversation: the user's next one starts with it.
    send_ok(
        &sandbox,
        without_timezone("r-4", Some("END_CONVERSATION"), ""),
    )
    .await;
    assert_eq!(texts(&webhook.next().await.json), [ENDED]);
    send_ok(&sandbox, without_timezone("r-5", None, "hi")).await;
    webhook.next().await;
    let second = open_conversation(&sandbox, "session-1").await;
    assert_ne!(second, first);
    assert_eq!(sandbox.settled(&second).await["timezone"], "Asia/Kolkata");

    // The same user in another client session has the same time zone.
    let mut elsewhere = without_timezone("r-6", None, "hi");
    elsewhere["clientSessionId"] = Value::from("session-2");
    send_ok(&sandbox, elsewhere).await;
    webhook.next().await;
    let third = open_conversation(&sandbox, "session-2").await;
    assert_eq!(sandbox.settled(&third).await["timezone"], "Asia/Kolkata");

    // Until it is reset with the same action.
    send_ok(&sandbox, set_timezone("r-7", "Europe/London")).await;
    assert_eq!(sandbox.settled(&second).await["timezone"], "Europe/London");
    send_ok(
        &sandbox,
        without_timezone("r-8", Some("END_CONVERSATION"), ""),
    )
    .await;
    webhook.next().await;
    send_ok(&sandbox, without_timezone("r-9", None, "hi")).await;
    webhook.next().await;
    let fourth = open_conversation(&sandbox, "session-1").await;
    assert_eq!(sandbox.settled(&fourth).await["timezone"], "Europe/London");
    webhook.assert_quiet();
}
