//! The Zendesk account's fault switches (`/sandbox/faults`) over real HTTP: the next calls to
//! `/api/v2/` fail with a status in Zendesk's shape, are slow, or lose their connection after the
//! change was committed.

mod common;

use std::time::{Duration, Instant};

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::common::{Reply, Sandbox, ZENDESK_ADMIN};

const TICKET: &str = "/api/v2/tickets/1.json";

async fn add_fault(sandbox: &Sandbox, fault: Value) -> Reply {
    sandbox.post(None, "/sandbox/faults", &fault).await
}

/// Adds `fault`, sends one call, and checks its status, content type and body.
async fn check_status_fault(status: u16, content_type: &str, body: &str) {
    let sandbox = Sandbox::start_zendesk().await;
    let added = add_fault(&sandbox, json!({"kind": "status", "status": status})).await;
    assert_eq!(added.status, StatusCode::CREATED, "{}", added.text);
    let reply = sandbox.get(Some(ZENDESK_ADMIN), TICKET).await;
    assert_eq!(reply.status.as_u16(), status, "{}", reply.text);
    assert_eq!(reply.header("content-type"), Some(content_type), "{status}");
    assert_eq!(reply.text, body, "{status}");
    let after = sandbox.get(Some(ZENDESK_ADMIN), TICKET).await;
    assert_eq!(after.status, StatusCode::OK, "one call only");
}

#[tokio::test]
async fn status_faults_answer_in_zendesk_shapes() {
    const JSON: &str = "application/json; charset=utf-8";
    check_status_fault(
        429,
        "text/plain; charset=utf-8",
        "Number of allowed API requests per minute exceeded",
    )
    .await;
    check_status_fault(401, JSON, r#"{"error":"Couldn't authenticate you"}"#).await;
    check_status_fault(
        404,
        JSON,
        r#"{"error":"RecordNotFound","description":"Not found"}"#,
    )
    .await;
    check_status_fault(
        503,
        JSON,
        r#"{"error":"ServiceUnavailable","description":"Service Unavailable"}"#,
    )
    .await;
}

#[tokio::test]
async fn faults_apply_to_the_next_calls_and_never_count_against_the_limit() {
    let options = flare_sandbox::zendesk::ZendeskOptions {
        requests_per_minute: Some(10),
        ..Default::default()
    };
    let sandbox = Sandbox::start_zendesk_with(&options).await;
    let fault = json!({"kind": "status", "status": 429, "count": 2});
    assert_eq!(
        add_fault(&sandbox, fault.clone()).await.status,
        StatusCode::CREATED
    );
    // The admin API itself is not faulted and shows what is pending.
    let pending = sandbox.get(None, "/sandbox/faults").await;
    assert_eq!(pending.json(), json!([fault]));
    for _ in 0..2 {
        let limited = sandbox.get(Some(ZENDESK_ADMIN), TICKET).await;
        assert_eq!(limited.status, StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(limited.header("retry-after"), Some("60"));
    }
    let reply = sandbox.get(Some(ZENDESK_ADMIN), TICKET).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(
        reply.header("x-rate-limit-remaining"),
        Some("9"),
        "injected answers are not counted"
    );
    assert_eq!(sandbox.get(None, "/sandbox/faults").await.json(), json!([]));

    // DELETE clears what is pending.
    add_fault(
        &sandbox,
        json!({"kind": "status", "status": 500, "count": 5}),
    )
    .await;
    let request = sandbox
        .client()
        .delete(format!("{}/sandbox/faults", sandbox.url));
    assert_eq!(
        sandbox.send(request, None).await.status,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        sandbox.get(Some(ZENDESK_ADMIN), TICKET).await.status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn a_zendesk_account_does_not_hibernate() {
    let sandbox = Sandbox::start_zendesk().await;
    let refused = add_fault(&sandbox, json!({"kind": "hibernate"})).await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST);
    assert_eq!(refused.json()["error"], "InvalidValue");
    let unreadable = add_fault(&sandbox, json!({"kind": "flood"})).await;
    assert_eq!(unreadable.status, StatusCode::BAD_REQUEST);
    assert_eq!(sandbox.get(None, "/sandbox/faults").await.json(), json!([]));
}

#[tokio::test]
async fn latency_delays_the_next_call() {
    let sandbox = Sandbox::start_zendesk().await;
    add_fault(&sandbox, json!({"kind": "latency", "millis": 300})).await;
    let started = Instant::now();
    let reply = sandbox.get(Some(ZENDESK_ADMIN), TICKET).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert!(started.elapsed() >= Duration::from_millis(300));
}

#[tokio::test]
async fn a_dropped_connection_comes_after_the_ticket_is_committed() {
    let sandbox = Sandbox::start_zendesk().await;
    add_fault(&sandbox, json!({"kind": "drop_after_commit"})).await;
    let result = sandbox
        .client()
        .post(format!("{}/api/v2/tickets.json", sandbox.url))
        .basic_auth(ZENDESK_ADMIN.0, Some(ZENDESK_ADMIN.1))
        .json(
            &json!({"ticket": {"subject": "Written but unanswered", "comment": {"body": "x"},
                                 "external_id": "drop-1"}}),
        )
        .send()
        .await;
    let failed = match result {
        Err(_) => true,
        Ok(response) => response.text().await.is_err(),
    };
    assert!(failed, "the client must see a broken connection");
    let found = sandbox
        .get(
            Some(ZENDESK_ADMIN),
            "/api/v2/tickets.json?external_id=drop-1",
        )
        .await;
    assert_eq!(found.json()["count"], 1);
    assert_eq!(
        found.json()["tickets"][0]["subject"],
        "Written but unanswered"
    );
}
