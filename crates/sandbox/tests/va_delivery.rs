//! Delivery of replies to the webhook: bounded retries, then the reply is recorded as
//! undelivered and the rest still go out.

mod va_support;

use serde_json::{json, Value};
use va_support::{closed_webhook_url, request, Sandbox, Webhook};

/// The delivery record of the conversation's only reply so far.
async fn first_reply_delivery(sandbox: &Sandbox) -> Value {
    let id = sandbox.get("/sandbox/va/conversations").await[0]["id"]
        .as_str()
        .expect("an id")
        .to_owned();
    let conversation = sandbox.settled(&id).await;
    conversation["entries"][1]["delivery"].clone()
}

#[tokio::test]
async fn a_webhook_that_is_down_gets_bounded_retries() {
    let sandbox = Sandbox::with_webhook(&closed_webhook_url().await).await;
    sandbox
        .send(request("r-1", Some("START_CONVERSATION"), ""))
        .await;
    let delivery = first_reply_delivery(&sandbox).await;
    assert_eq!(delivery["status"], "undelivered", "{delivery}");
    assert_eq!(delivery["attempts"], 3);
    let error = delivery["last_error"].as_str().unwrap();
    assert!(error.starts_with("cannot post to the webhook"), "{error}");
}

#[tokio::test]
async fn a_failing_webhook_gets_exactly_max_attempts() {
    let mut webhook = Webhook::answering(&[503, 503, 503, 503]).await;
    let sandbox = Sandbox::with_webhook(&webhook.url).await;
    sandbox
        .configure(
            json!({"webhook_url": webhook.url, "max_attempts": 4, "retry_backoff_millis": 5}),
        )
        .await;
    sandbox
        .send(request("r-1", Some("START_CONVERSATION"), ""))
        .await;
    for _ in 0..4 {
        assert_eq!(webhook.next().await.json["requestId"], "r-1");
    }
    let delivery = first_reply_delivery(&sandbox).await;
    assert_eq!(
        delivery,
        json!({"status": "undelivered", "attempts": 4, "last_error": "the webhook answered 503 Service Unavailable"})
    );
    webhook.assert_quiet();

    // The next reply goes out as usual.
    sandbox.send(request("r-2", None, "hi")).await;
    assert_eq!(webhook.next().await.json["requestId"], "r-2");
}

#[tokio::test]
async fn a_retry_that_succeeds_is_delivered_once() {
    let mut webhook = Webhook::answering(&[500]).await;
    let sandbox = Sandbox::with_webhook(&webhook.url).await;
    sandbox
        .send(request("r-1", Some("START_CONVERSATION"), ""))
        .await;
    let failed = webhook.next().await.json;
    let retried = webhook.next().await.json;
    assert_eq!(failed, retried);
    let delivery = first_reply_delivery(&sandbox).await;
    assert_eq!(delivery["status"], "delivered");
    assert_eq!(delivery["attempts"], 2);
    webhook.assert_quiet();
}

#[tokio::test]
async fn a_refusing_webhook_is_not_retried() {
    let mut webhook = Webhook::answering(&[401]).await;
    let sandbox = Sandbox::with_webhook(&webhook.url).await;
    sandbox
        .send(request("r-1", Some("START_CONVERSATION"), ""))
        .await;
    webhook.next().await;
    let delivery = first_reply_delivery(&sandbox).await;
    assert_eq!(delivery["status"], "undelivered");
    assert_eq!(delivery["attempts"], 1);
    webhook.assert_quiet();
}

#[tokio::test]
async fn without_a_webhook_replies_are_undelivered() {
    let sandbox = Sandbox::start().await;
    sandbox
        .send(request("r-1", Some("START_CONVERSATION"), ""))
        .await;
    let delivery = first_reply_delivery(&sandbox).await;
    assert_eq!(
        delivery,
        json!({"status": "undelivered", "attempts": 0, "last_error": "no webhook URL is configured"})
    );
}

#[tokio::test]
async fn silent_messages_suppress_bot_replies() {
    let mut webhook = Webhook::start().await;
    let sandbox = Sandbox::with_webhook(&webhook.url).await;
    let mut silent = request("r-1", Some("START_CONVERSATION"), "");
    silent["silentMessage"] = Value::Bool(true);
    sandbox.send(silent).await;
    let delivery = first_reply_delivery(&sandbox).await;
    assert_eq!(delivery["status"], "suppressed");

    let mut loud = request("r-2", None, "hi");
    loud["silentMessage"] = Value::Bool(false);
    sandbox.send(loud).await;
    assert_eq!(webhook.next().await.json["requestId"], "r-2");
    webhook.assert_quiet();
}

#[tokio::test]
async fn the_config_is_validated() {
    let sandbox = Sandbox::start().await;
    for config in [
        json!({"webhook_url": "not a url"}),
        json!({"max_attempts": 0}),
        json!({"outbound_auth": {"kind": "carrier-pigeon"}}),
    ] {
        let response = sandbox
            .client
            .put(format!("{}/sandbox/va/config", sandbox.url))
            .json(&config)
            .send()
            .await
            .unwrap();
        assert_eq!(
            response.status(),
            reqwest::StatusCode::BAD_REQUEST,
            "{config}"
        );
    }
}
