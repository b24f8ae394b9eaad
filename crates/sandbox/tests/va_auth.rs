//! Authentication of the Virtual Agent API both ways: Basic, a static `token` or an
//! `x-b2b-signature` on requests (`configure-send-request.md`, `set-up-message-auth-va-api.md`),
//! and a `token` header or an `x-b2b-signature` on the replies posted to the webhook.

mod va_support;

use hmac::{Hmac, Mac};
use reqwest::StatusCode;
use serde_json::{json, Value};
use sha1::Sha1;
use va_support::{read, request, texts, Sandbox, Webhook};

fn hmac_sha1_hex(secret: &str, payload: &[u8]) -> String {
    let mut mac = Hmac::<Sha1>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(payload);
    mac.finalize()
        .into_bytes()
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

#[tokio::test]
async fn wrong_or_missing_basic_credentials_get_the_401_envelope() {
    let mut webhook = Webhook::start().await;
    let sandbox = Sandbox::with_webhook(&webhook.url).await;
    let body = request("r-1", Some("START_CONVERSATION"), "");
    for credentials in [Some(("admin", "wrong")), None] {
        let request = sandbox.integration().json(&body);
        let request = match credentials {
            Some((user, password)) => request.basic_auth(user, Some(password)),
            None => request,
        };
        let (status, error) = read(request).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        assert_eq!(
            error,
            json!({
                "error": {"message": "User Not Authenticated", "detail": "Required to provide Auth information"},
                "status": "failure",
            })
        );
    }
    // Nothing was started: the next request is a new conversation's first.
    sandbox.send(body).await;
    assert_eq!(webhook.next().await.json["requestId"], "r-1");
    let list = sandbox.get("/sandbox/va/conversations").await;
    assert_eq!(list.as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn malformed_requests_get_400() {
    let sandbox = Sandbox::start().await;
    let cases = [
        (
            json!({"userId": "abel.tuter", "message": {"text": "hi"}}),
            "missing field `requestId`",
        ),
        (
            json!({"requestId": "r", "userId": "abel.tuter"}),
            "message is required",
        ),
        (
            json!({"requestId": "r", "userId": "abel.tuter", "action": "TRANSFER", "message": {"text": "x"}}),
            "invalid action `TRANSFER`",
        ),
    ];
    for (body, detail) in cases {
        let (status, error) = sandbox.send(body).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert_eq!(error["status"], "failure");
        assert_eq!(error["error"]["message"], "Bad Request");
        assert_eq!(error["error"]["detail"], format!("bad request: {detail}"));
    }
    let unreadable = sandbox
        .integration()
        .basic_auth("admin", Some("admin"))
        .header("Content-Type", "application/json")
        .body("{not json");
    let (status, error) = read(unreadable).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(error["error"]["message"], "Exception while reading request");
}

#[tokio::test]
async fn a_static_token_authenticates_in_the_header_or_the_body() {
    let mut webhook = Webhook::start().await;
    let sandbox = Sandbox::start().await;
    sandbox
        .configure(json!({
            "webhook_url": webhook.url,
            "inbound_auth": {"kind": "token", "token": "ORANGE"},
        }))
        .await;

    let (status, ack) = read(
        sandbox
            .integration()
            .header("token", "ORANGE")
            .json(&request("r-1", Some("START_CONVERSATION"), "")),
    )
    .await;
    assert_eq!(
        (status, ack),
        (StatusCode::OK, json!({"status": "success"}))
    );
    assert_eq!(webhook.next().await.json["requestId"], "r-1");

    let mut in_body = request("r-2", None, "hi");
    in_body["token"] = Value::from("ORANGE");
    read(sandbox.integration().json(&in_body)).await;
    assert_eq!(webhook.next().await.json["requestId"], "r-2");

    // A wrong token is acknowledged, as the documented instance does, and goes no further.
    let (status, ack) = read(
        sandbox
            .integration()
            .header("token", "APPLE")
            .json(&request("r-3", None, "agent")),
    )
    .await;
    assert_eq!(
        (status, ack),
        (StatusCode::OK, json!({"status": "success"}))
    );
    let rejected = sandbox.get("/sandbox/va/rejected").await;
    assert_eq!(rejected[0]["request_id"], "r-3");
    assert_eq!(rejected[0]["reason"], "the static token does not match");
    let conversation_id = sandbox.get("/sandbox/va/conversations").await[0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let conversation = sandbox.settled(&conversation_id).await;
    assert_eq!(conversation["entries"].as_array().unwrap().len(), 4);
    webhook.assert_quiet();

    // Basic is optional with a token, but wrong Basic credentials are still refused.
    let (status, _) = read(
        sandbox
            .integration()
            .header("token", "ORANGE")
            .basic_auth("admin", Some("wrong"))
            .json(&request("r-4", None, "hi")),
    )
    .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn a_signed_request_authenticates() {
    let mut webhook = Webhook::start().await;
    let sandbox = Sandbox::start().await;
    sandbox
        .configure(json!({
            "webhook_url": webhook.url,
            "inbound_auth": {"kind": "hmac", "secret": "hash-secret"},
        }))
        .await;
    let body = serde_json::to_vec(&request("r-1", Some("START_CONVERSATION"), "")).unwrap();
    let signed = sandbox
        .integration()
        .header("Content-Type", "application/json")
        .header("x-b2b-signature", hmac_sha1_hex("hash-secret", &body))
        .body(body.clone());
    let (status, _) = read(signed).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        texts(&webhook.next().await.json)[0],
        "Hi, I'm your Virtual Agent. Let me know how I can help you today."
    );

    let forged = sandbox
        .integration()
        .header("Content-Type", "application/json")
        .header("x-b2b-signature", hmac_sha1_hex("guess", &body))
        .body(body);
    let (status, _) = read(forged).await;
    assert_eq!(status, StatusCode::OK);
    let rejected = sandbox.get("/sandbox/va/rejected").await;
    assert_eq!(rejected[0]["reason"], "the x-b2b-signature does not match");
}

#[tokio::test]
async fn replies_carry_the_static_token() {
    let mut webhook = Webhook::start().await;
    let sandbox = Sandbox::start().await;
    sandbox
        .configure(json!({
            "webhook_url": webhook.url,
            "outbound_auth": {"kind": "token", "token": "BOT_TOKEN"},
        }))
        .await;
    sandbox
        .send(request("r-1", Some("START_CONVERSATION"), ""))
        .await;
    let received = webhook.next().await;
    assert_eq!(received.headers["token"], "BOT_TOKEN");
    assert_eq!(received.headers["content-type"], "application/json");
    assert!(received.headers.get("x-b2b-signature").is_none());
    let config = sandbox.get("/sandbox/va/config").await;
    assert_eq!(config["outbound_auth"]["token"], "********");
}

#[tokio::test]
async fn agent_messages_are_signed() {
    let mut webhook = Webhook::start().await;
    let sandbox = Sandbox::start().await;
    sandbox
        .configure(json!({
            "webhook_url": webhook.url,
            "outbound_auth": {"kind": "hmac", "secret": "shared-secret"},
        }))
        .await;
    sandbox.send(request("r-1", Some("AGENT"), "")).await;
    let stand_by = webhook.next().await;
    assert_eq!(
        stand_by.headers["x-b2b-signature"],
        hmac_sha1_hex("shared-secret", &stand_by.body)
    );
    let spinner = webhook.next().await;
    assert_eq!(spinner.json["body"][0]["actionType"], "StartSpinner");
    let id = sandbox.only("waiting").await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    sandbox
        .post(&format!("/sandbox/va/conversations/{id}/accept"), json!({}))
        .await;
    webhook.next().await;
    sandbox
        .post(
            &format!("/sandbox/va/conversations/{id}/messages"),
            json!({"text": "Hello, I am Beth"}),
        )
        .await;
    let message = webhook.next().await;
    assert_eq!(texts(&message.json), ["Hello, I am Beth"]);
    assert_eq!(
        message.headers["x-b2b-signature"],
        hmac_sha1_hex("shared-secret", &message.body)
    );
    assert!(message.headers.get("token").is_none());
}
