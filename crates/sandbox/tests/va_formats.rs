//! The integration endpoint's HTTP surface: `Accept` and `Content-Type` each "Only supports
//! application/json" (`bot-api.md`, "Headers"), and it is a `POST` resource; anything else gets
//! the instance's 406, 415 or 405 (`r_RESTAPIHTTPResponseCodes.md`) and is not processed.

mod va_support;

use reqwest::StatusCode;
use serde_json::{json, Value};
use va_support::{read, request, Sandbox, Webhook, ADMIN};

fn failure(message: &str) -> Value {
    json!({"error": {"message": message, "detail": null}, "status": "failure"})
}

/// Posts a valid request body with `headers` and returns the answer.
async fn post_with(sandbox: &Sandbox, headers: &[(&str, &str)]) -> (StatusCode, Value) {
    let body = request("r-1", None, "hi").to_string();
    let mut post = sandbox
        .client
        .post(format!(
            "{}/api/sn_va_as_service/bot/integration",
            sandbox.url
        ))
        .basic_auth(ADMIN.0, Some(ADMIN.1))
        .body(body);
    for (name, value) in headers {
        post = post.header(*name, *value);
    }
    read(post).await
}

#[tokio::test]
async fn only_json_bodies_are_read() {
    let mut webhook = Webhook::start().await;
    let sandbox = Sandbox::with_webhook(&webhook.url).await;
    for content_type in [
        "text/plain",
        "application/xml",
        "application/x-www-form-urlencoded",
    ] {
        let answer = post_with(&sandbox, &[("Content-Type", content_type)]).await;
        assert_eq!(
            answer,
            (
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                failure("Unsupported media type")
            ),
            "{content_type}"
        );
    }
    assert_eq!(sandbox.get("/sandbox/va/conversations").await, json!([]));

    // JSON, with or without a charset, or no type at all, is read.
    for headers in [
        &[("Content-Type", "application/json;charset=UTF-8")][..],
        &[],
    ] {
        let answer = post_with(&sandbox, headers).await;
        assert_eq!(answer, (StatusCode::OK, json!({"status": "success"})));
        webhook.next().await;
    }
}

#[tokio::test]
async fn only_json_is_answered() {
    let mut webhook = Webhook::start().await;
    let sandbox = Sandbox::with_webhook(&webhook.url).await;
    let json = ("Content-Type", "application/json");
    for accept in ["application/xml", "text/html", "application/json;q=0"] {
        let answer = post_with(&sandbox, &[json, ("Accept", accept)]).await;
        assert_eq!(
            answer,
            (StatusCode::NOT_ACCEPTABLE, failure("Not acceptable")),
            "{accept}"
        );
    }
    assert_eq!(sandbox.get("/sandbox/va/conversations").await, json!([]));

    let answer = post_with(&sandbox, &[json, ("Accept", "text/html, */*;q=0.1")]).await;
    assert_eq!(answer, (StatusCode::OK, json!({"status": "success"})));
    webhook.next().await;
}

#[tokio::test]
async fn other_methods_are_not_allowed() {
    let sandbox = Sandbox::start().await;
    let url = format!("{}/api/sn_va_as_service/bot/integration", sandbox.url);
    for method in [reqwest::Method::GET, reqwest::Method::PUT] {
        let response = sandbox
            .client
            .request(method.clone(), &url)
            .basic_auth(ADMIN.0, Some(ADMIN.1))
            .send()
            .await
            .expect("the sandbox answers");
        assert_eq!(
            response.status(),
            StatusCode::METHOD_NOT_ALLOWED,
            "{method}"
        );
        let allow = response.headers().get("allow").cloned();
        assert_eq!(
            allow.as_ref().map(|allow| allow.to_str().unwrap()),
            Some("POST")
        );
        let body: Value = response.json().await.expect("a JSON body");
        assert_eq!(body, failure("Method not allowed"));
    }

    // Credentials come first, as everywhere on the instance.
    let (status, _) = read(sandbox.client.get(&url)).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}
