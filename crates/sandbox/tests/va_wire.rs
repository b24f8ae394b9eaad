//! Details of the request and reply bodies that `bot-api.md` documents in its parameter tables
//! and examples, checked over real HTTP.

mod va_support;

use serde_json::{json, Value};
use va_support::{chat_with_agent, hand_off, request, Sandbox, Webhook};

#[tokio::test]
async fn client_variables_stay_with_the_conversation() {
    // "Pass-through JSON-formatted name-value pairs that are sent back in the response. ...
    // can be used to keep specific customer information attached to the conversation."
    let mut webhook = Webhook::start().await;
    let sandbox = Sandbox::with_webhook(&webhook.url).await;
    let mut start = request("r-start", Some("START_CONVERSATION"), "");
    start["clientVariables"] = json!({"relayChat": "chat-1"});
    sandbox.send(start).await;
    assert_eq!(
        webhook.next().await.json["clientVariables"],
        json!({"relayChat": "chat-1"})
    );

    // A request without them is answered with the conversation's.
    sandbox.send(request("r-1", None, "How are you?")).await;
    assert_eq!(
        webhook.next().await.json["clientVariables"],
        json!({"relayChat": "chat-1"})
    );

    // So are the live agent's messages, whatever the last request was.
    let id = chat_with_agent(&sandbox, &mut webhook).await;
    sandbox.send(request("r-typing", Some("TYPING"), "")).await;
    sandbox.settled(&id).await;
    sandbox
        .post(
            &format!("/sandbox/va/conversations/{id}/messages"),
            json!({"text": "Hello"}),
        )
        .await;
    let message = webhook.next().await.json;
    assert_eq!(message["requestId"], "r-typing");
    assert_eq!(message["clientVariables"], json!({"relayChat": "chat-1"}));

    // New ones replace them.
    let mut changed = request("r-2", None, "Thanks");
    changed["clientVariables"] = json!({"relayChat": "chat-2"});
    sandbox.send(changed).await;
    sandbox.settled(&id).await;
    sandbox
        .post(
            &format!("/sandbox/va/conversations/{id}/messages"),
            json!({"text": "You are welcome"}),
        )
        .await;
    assert_eq!(
        webhook.next().await.json["clientVariables"],
        json!({"relayChat": "chat-2"})
    );
}

#[tokio::test]
async fn client_variables_do_not_outlive_their_conversation() {
    let mut webhook = Webhook::start().await;
    let sandbox = Sandbox::with_webhook(&webhook.url).await;
    let mut start = request("r-start", Some("START_CONVERSATION"), "");
    start["clientVariables"] = json!({"relayChat": "chat-1"});
    sandbox.send(start).await;
    webhook.next().await;
    sandbox
        .send(request("r-end", Some("END_CONVERSATION"), ""))
        .await;
    webhook.next().await;

    sandbox.send(request("r-hi", None, "hi")).await;
    let greeting = webhook.next().await.json;
    assert_eq!(
        greeting.get("clientVariables"),
        None::<&Value>,
        "{greeting}"
    );
}

#[tokio::test]
async fn the_hand_off_answers_as_the_documented_example() {
    // "Transfer a conversation to Live Agent Support based on the user's selection".
    let mut webhook = Webhook::start().await;
    let sandbox = Sandbox::with_webhook(&webhook.url).await;
    let selection = json!({
        "requestId": "322bas2be70-sadsa-we32-3eq2-1231ra9",
        "botToBot": true,
        "clientSessionId": "",
        "silentMessage": false,
        "message": {"text": "Live Agent Support.", "typed": true},
        "userId": "abel.tuter",
        "emailId": "abel.tuter@servicenow.com",
        "timestamp": 1588824102,
        "timezone": "America/New_York",
    });
    sandbox.send(selection).await;
    let (stand_by, _) = hand_off(&mut webhook).await;
    assert_eq!(
        stand_by,
        json!({
            "requestId": "322bas2be70-sadsa-we32-3eq2-1231ra9",
            "clientSessionId": "",
            "message": {"text": "Live Agent Support.", "typed": true},
            "userId": "abel.tuter",
            "body": [{
                "uiType": "OutputText",
                "group": "DefaultText",
                "value": "Please stand by while I connect you to a live agent.",
            }],
            "agentChat": true,
            "score": 1,
        })
    );
}

#[tokio::test]
async fn ending_echoes_an_empty_text_as_documented() {
    // "End a Virtual Agent conversation by setting the action parameter": the request sends a
    // text, though `message.text` "Must be empty if the value of the action property is
    // END_CONVERSATION", and the reply echoes it empty.
    let mut webhook = Webhook::start().await;
    let sandbox = Sandbox::with_webhook(&webhook.url).await;
    let mut start = request("r-start", Some("START_CONVERSATION"), "");
    start["userId"] = Value::from("beth.anglin");
    start["clientSessionId"] = Value::from("");
    sandbox.send(start).await;
    webhook.next().await;
    let end = json!({
        "requestId": "s345ew-sjg554-qwe23-we23",
        "action": "END_CONVERSATION",
        "enterpriseId": "ServiceNow",
        "nowBotId": "A85PWLERF",
        "clientSessionId": "",
        "nowSessionId": "",
        "message": {"text": "b2b topic", "typed": true, "clientMessageId": "ABC-123"},
        "userId": "beth.anglin",
        "emailId": "beth.anglin@example.com",
        "timestamp": 1588824102,
        "timezone": "America/New_York",
    });
    sandbox.send(end.clone()).await;
    assert_eq!(
        webhook.next().await.json,
        json!({
            "requestId": "s345ew-sjg554-qwe23-we23",
            "clientSessionId": "",
            "nowSessionId": "",
            "message": {"text": "", "typed": true, "clientMessageId": "ABC-123"},
            "userId": "beth.anglin",
            "body": [{
                "uiType": "OutputText",
                "group": "DefaultText",
                "value": "The conversation has ended. If you need help again, type hi.",
                "maskType": "NONE",
            }],
            "score": 1,
        })
    );
    // The transcript keeps the request as it was sent.
    let ended = sandbox.only("ended").await;
    let conversation = sandbox.settled(ended["id"].as_str().expect("an id")).await;
    let entries = conversation["entries"].as_array().expect("entries");
    let request = entries
        .iter()
        .find(|entry| entry["action"] == "END_CONVERSATION")
        .expect("the request");
    assert_eq!(request["payload"], end);
}

#[tokio::test]
async fn message_texts_have_no_length_limit() {
    // `message.text`: "Maximum length: Unlimited". Three megabytes is past axum's default limit.
    let mut webhook = Webhook::start().await;
    let sandbox = Sandbox::with_webhook(&webhook.url).await;
    let text = "x".repeat(3 * 1024 * 1024);
    let (status, ack) = sandbox.send(request("r-long", None, &text)).await;
    assert_eq!(
        (status, ack),
        (reqwest::StatusCode::OK, json!({"status": "success"}))
    );
    let reply = webhook.next().await.json;
    assert_eq!(
        reply["message"]["text"].as_str().map(str::len),
        Some(text.len())
    );
}
