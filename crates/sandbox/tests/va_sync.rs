//! Synchronous mode (`virtual-agent-api-enable-synchronous-support.md`): the Bot to Bot channel's
//! Synchronous check box makes the endpoint answer with the Virtual Agent's reply itself, and
//! nothing is posted to the response endpoint.

mod va_support;

use reqwest::StatusCode;
use serde_json::{json, Value};
use va_support::{request, texts, Sandbox, Webhook};

/// A synchronous sandbox that still has a webhook, to show nothing is posted to it.
async fn synchronous_sandbox(webhook: &Webhook) -> Sandbox {
    let sandbox = Sandbox::start().await;
    sandbox
        .configure(json!({"webhook_url": webhook.url, "synchronous": true}))
        .await;
    sandbox
}

/// The only conversation's transcript.
async fn transcript(sandbox: &Sandbox) -> Value {
    let list = sandbox.get("/sandbox/va/conversations").await;
    let id = list[0]["id"].as_str().expect("an id");
    sandbox.settled(id).await
}

#[tokio::test]
async fn replies_come_back_in_the_response() {
    let mut webhook = Webhook::start().await;
    let sandbox = synchronous_sandbox(&webhook).await;

    let (status, greeting) = sandbox
        .send(request("r-start", Some("START_CONVERSATION"), ""))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(greeting["requestId"], "r-start");
    assert_eq!(greeting["clientSessionId"], "session-1");
    assert_eq!(
        texts(&greeting),
        ["Hi, I'm your Virtual Agent. Let me know how I can help you today."]
    );
    assert_eq!(greeting["body"][1]["uiType"], "TopicPickerControl");

    let (_, reply) = sandbox.send(request("r-1", None, "How are you?")).await;
    assert_eq!(reply["requestId"], "r-1");
    assert_eq!(reply["score"], 0);

    // A request the Virtual Agent does not answer gets the plain acknowledgement.
    let (_, ack) = sandbox
        .send(request("r-tz", Some("SET_USER_TIMEZONE"), ""))
        .await;
    assert_eq!(ack, json!({"status": "success"}));

    let (_, ended) = sandbox
        .send(request("r-end", Some("END_CONVERSATION"), ""))
        .await;
    assert_eq!(
        texts(&ended),
        ["The conversation has ended. If you need help again, type hi."]
    );

    let conversation = transcript(&sandbox).await;
    let statuses: Vec<&Value> = conversation["entries"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|entry| entry["direction"] == "outbound")
        .map(|entry| &entry["delivery"]["status"])
        .collect();
    assert_eq!(statuses, ["in_response", "in_response", "in_response"]);
    webhook.assert_quiet();
}

#[tokio::test]
async fn a_synchronous_channel_has_no_live_agent() {
    let mut webhook = Webhook::start().await;
    let sandbox = synchronous_sandbox(&webhook).await;
    sandbox
        .send(request("r-start", Some("START_CONVERSATION"), ""))
        .await;
    let (_, picker) = sandbox.send(request("r-1", None, "agent")).await;
    assert_eq!(picker["body"][0]["uiType"], "Picker");

    for hand_off in [
        request("r-2", None, "Live Agent Support."),
        request("r-3", Some("AGENT"), "I need a human"),
    ] {
        let (status, error) = sandbox.send(hand_off).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{error}");
        assert_eq!(error["status"], "failure");
        let detail = error["error"]["detail"].as_str().unwrap();
        assert!(detail.contains("excluded from Agent Chat"), "{detail}");
    }
    assert_eq!(
        sandbox.get("/sandbox/va/conversations?state=waiting").await,
        json!([])
    );
    let conversation = transcript(&sandbox).await;
    assert_eq!(
        conversation["entries"].as_array().unwrap().len(),
        4,
        "refused requests are not recorded: {conversation}"
    );
    webhook.assert_quiet();
}

#[tokio::test]
async fn silent_messages_get_only_the_acknowledgement() {
    let webhook = Webhook::start().await;
    let sandbox = synchronous_sandbox(&webhook).await;
    let mut silent = request("r-1", Some("START_CONVERSATION"), "");
    silent["silentMessage"] = Value::Bool(true);
    let (status, body) = sandbox.send(silent).await;
    assert_eq!(
        (status, body),
        (StatusCode::OK, json!({"status": "success"}))
    );
    let conversation = transcript(&sandbox).await;
    assert_eq!(
        conversation["entries"][1]["delivery"]["status"],
        "suppressed"
    );
}

#[tokio::test]
async fn switching_back_to_asynchronous_posts_again() {
    let mut webhook = Webhook::start().await;
    let sandbox = synchronous_sandbox(&webhook).await;
    let (_, greeting) = sandbox
        .send(request("r-1", Some("START_CONVERSATION"), ""))
        .await;
    assert_eq!(greeting["requestId"], "r-1");
    sandbox
        .configure(json!({"webhook_url": webhook.url, "synchronous": false}))
        .await;
    let (_, ack) = sandbox.send(request("r-2", None, "hi")).await;
    assert_eq!(ack, json!({"status": "success"}));
    assert_eq!(webhook.next().await.json["requestId"], "r-2");
    webhook.assert_quiet();
}
