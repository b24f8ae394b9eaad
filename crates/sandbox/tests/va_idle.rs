//! Closing idle bot-to-bot conversations (`va-b2b-open-conversation.md`): the Time Out Abandoned
//! B2B Conversations job closes conversations idle longer than
//! `com.glide.cs.b2b_conversation_idle_timeout`; the user's next request starts a new one. The
//! tests move the sandbox's VA clock on instead of waiting.

mod va_support;

use reqwest::StatusCode;
use serde_json::{json, Value};
use va_support::{request, texts, wait_for_agent, Sandbox, Webhook};

const GREETING: &str = "Hi, I'm your Virtual Agent. Let me know how I can help you today.";

async fn advance(sandbox: &Sandbox, seconds: i64) -> Value {
    let (status, clock) = sandbox
        .post("/sandbox/va/clock", json!({"advance_secs": seconds}))
        .await;
    assert_eq!(status, StatusCode::OK, "{clock}");
    clock
}

async fn only_conversation(sandbox: &Sandbox) -> Value {
    let list = sandbox.get("/sandbox/va/conversations").await;
    assert_eq!(list.as_array().unwrap().len(), 1, "{list}");
    list[0].clone()
}

#[tokio::test]
async fn an_idle_conversation_closes_after_an_hour_and_the_next_request_starts_anew() {
    let mut webhook = Webhook::start().await;
    let sandbox = Sandbox::with_webhook(&webhook.url).await;
    sandbox
        .send(request("r-start", Some("START_CONVERSATION"), ""))
        .await;
    assert_eq!(texts(&webhook.next().await.json), [GREETING]);

    // Not yet idle for an hour.
    advance(&sandbox, 3599).await;
    assert_eq!(only_conversation(&sandbox).await["state"], "bot");

    // Idle for more than an hour, and the hourly job has run since.
    let clock = advance(&sandbox, 3601).await;
    assert_eq!(clock["offset_secs"], 7200);
    let closed = only_conversation(&sandbox).await;
    assert_eq!(closed["state"], "ended");
    assert_eq!(closed["end_reason"], "idle_timeout");
    let id = closed["id"].as_str().unwrap();
    let conversation = sandbox.settled(id).await;
    let ended_at = conversation["ended_at"].as_i64().unwrap();
    assert_eq!(
        ended_at % 3600,
        0,
        "the job runs on the hour: {conversation}"
    );
    assert!(ended_at <= clock["now"].as_i64().unwrap());
    webhook.assert_quiet();

    // The user comes back: a new conversation answers.
    sandbox.send(request("r-back", None, "hi")).await;
    let greeting = webhook.next().await.json;
    assert_eq!(greeting["requestId"], "r-back");
    assert_eq!(texts(&greeting), [GREETING]);
    let list = sandbox.get("/sandbox/va/conversations").await;
    assert_eq!(list.as_array().unwrap().len(), 2, "{list}");
    assert_eq!(list[1]["state"], "bot");
}

#[tokio::test]
async fn each_request_restarts_the_idle_time() {
    let mut webhook = Webhook::start().await;
    let sandbox = Sandbox::with_webhook(&webhook.url).await;
    sandbox
        .configure(json!({
            "webhook_url": webhook.url,
            "idle_timeout_secs": 60,
            "idle_job_interval_secs": 1,
        }))
        .await;
    sandbox
        .send(request("r-start", Some("START_CONVERSATION"), ""))
        .await;
    webhook.next().await;
    advance(&sandbox, 40).await;
    sandbox.send(request("r-1", Some("TYPING"), "")).await;
    advance(&sandbox, 40).await;
    assert_eq!(only_conversation(&sandbox).await["state"], "bot");
    advance(&sandbox, 30).await;
    assert_eq!(
        only_conversation(&sandbox).await["end_reason"],
        "idle_timeout"
    );
}

#[tokio::test]
async fn a_conversation_waiting_for_an_agent_times_out_too() {
    let mut webhook = Webhook::start().await;
    let sandbox = Sandbox::with_webhook(&webhook.url).await;
    let id = wait_for_agent(&sandbox, &mut webhook).await;
    advance(&sandbox, 7200).await;
    let (status, error) = sandbox
        .post(&format!("/sandbox/va/conversations/{id}/accept"), json!({}))
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{error}");
    webhook.assert_quiet();
}

#[tokio::test]
async fn standalone_conversations_do_not_time_out() {
    let mut webhook = Webhook::start().await;
    let sandbox = Sandbox::with_webhook(&webhook.url).await;
    let mut standalone = request("r-start", Some("START_CONVERSATION"), "");
    standalone["botToBot"] = Value::Bool(false);
    sandbox.send(standalone).await;
    webhook.next().await;
    advance(&sandbox, 7200).await;
    assert_eq!(only_conversation(&sandbox).await["state"], "bot");
}

#[tokio::test]
async fn the_clock_only_moves_forward() {
    let sandbox = Sandbox::start().await;
    let (status, error) = sandbox
        .post("/sandbox/va/clock", json!({"advance_secs": -1}))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{error}");
    let clock = sandbox.get("/sandbox/va/clock").await;
    assert_eq!(clock["offset_secs"], 0);
    for config in [
        json!({"idle_timeout_secs": -1}),
        json!({"idle_job_interval_secs": 0}),
    ] {
        let response = sandbox
            .client
            .put(format!("{}/sandbox/va/config", sandbox.url))
            .json(&config)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{config}");
    }
}
