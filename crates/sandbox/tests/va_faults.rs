//! The admin API's fault injection and the per-user rate limit apply to the Virtual Agent
//! endpoint as they do to the Table API (`inbound-REST-API-rate-limiting.md`).

mod common;
mod va_support;

use reqwest::StatusCode;
use serde_json::json;
use va_support::{request, Sandbox, Webhook};

#[tokio::test]
async fn an_injected_fault_answers_the_integration_endpoint() {
    let mut webhook = Webhook::start().await;
    let sandbox = Sandbox::with_webhook(&webhook.url).await;
    let (status, _) = sandbox
        .post(
            "/sandbox/faults",
            json!({"kind": "status", "status": 503, "count": 1}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);

    let (status, error) = sandbox
        .send(request("r-1", Some("START_CONVERSATION"), ""))
        .await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{error}");
    assert_eq!(error["status"], "failure");
    assert_eq!(
        sandbox.get("/sandbox/va/conversations").await,
        json!([]),
        "the failed request started nothing"
    );

    let (status, ack) = sandbox
        .send(request("r-2", Some("START_CONVERSATION"), ""))
        .await;
    assert_eq!(
        (status, ack),
        (StatusCode::OK, json!({"status": "success"}))
    );
    assert_eq!(webhook.next().await.json["requestId"], "r-2");
    webhook.assert_quiet();
}

#[tokio::test]
async fn the_hibernating_page_answers_the_integration_endpoint() {
    let sandbox = Sandbox::start().await;
    sandbox
        .post("/sandbox/faults", json!({"kind": "hibernate"}))
        .await;
    let (status, body) = sandbox
        .send(request("r-1", Some("START_CONVERSATION"), ""))
        .await;
    assert_eq!(status, StatusCode::OK);
    let page = body.as_str().expect("an HTML page");
    assert!(page.contains("Instance Hibernating page"), "{page}");
}

#[tokio::test]
async fn the_rate_limit_counts_integration_requests() {
    let mut webhook = Webhook::start().await;
    let sandbox = Sandbox::with_webhook(&webhook.url).await;
    let response = sandbox
        .client
        .put(format!("{}/sandbox/rate-limit", sandbox.url))
        .json(&json!({"requests_per_hour": 1}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    common::wait_out_the_end_of_the_hour().await;

    let allowed = sandbox
        .integration()
        .basic_auth("admin", Some("admin"))
        .json(&request("r-1", Some("START_CONVERSATION"), ""))
        .send()
        .await
        .unwrap();
    assert_eq!(allowed.status(), StatusCode::OK);
    assert_eq!(allowed.headers()["x-ratelimit-limit"], "1");
    assert_eq!(webhook.next().await.json["requestId"], "r-1");

    let denied = sandbox
        .integration()
        .basic_auth("admin", Some("admin"))
        .json(&request("r-2", None, "hi"))
        .send()
        .await
        .unwrap();
    assert_eq!(denied.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(denied.headers().contains_key("retry-after"));
    let error: serde_json::Value = denied.json().await.unwrap();
    assert_eq!(
        error,
        json!({
            "error": {
                "message": "Rate limit exceeded",
                "detail": "Rate limit of 1 requests per hour for Virtual Agent Bot Integration API exceeded",
            },
            "status": "failure",
        })
    );
    webhook.assert_quiet();
}

#[tokio::test]
async fn an_injected_429_names_the_integration_api() {
    let sandbox = Sandbox::start().await;
    sandbox
        .post("/sandbox/faults", json!({"kind": "status", "status": 429}))
        .await;
    let (status, error) = sandbox
        .send(request("r-1", Some("START_CONVERSATION"), ""))
        .await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(
        error["error"]["detail"],
        "Rate limit of 0 requests per hour for Virtual Agent Bot Integration API exceeded"
    );
}
