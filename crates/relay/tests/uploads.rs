//! A visitor's file: kept by the relay, shown in the conversation, served back at its URL, and
//! downloaded by the instance for the agent; and every way an upload is refused.

mod support;

use flare_core::chat::protocol::{Author, EntryBody, ServerFrame};
use serde_json::{json, Value};
use support::{Panel, RelayOptions, RelayProcess, Sandbox, ORIGIN, SITE};

/// The smallest PNG: one transparent pixel.
const PIXEL: &[u8] = &[
    0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52,
    0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1f, 0x15, 0xc4,
    0x89, 0x00, 0x00, 0x00, 0x0a, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9c, 0x63, 0x00, 0x01, 0x00, 0x00,
    0x05, 0x00, 0x01, 0x0d, 0x0a, 0x2d, 0xb4, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4e, 0x44, 0xae,
    0x42, 0x60, 0x82,
];

fn upload(
    relay: &RelayProcess,
    conversation: &str,
    token: &str,
    content_type: &str,
    body: Vec<u8>,
) -> reqwest::RequestBuilder {
    upload_from(ORIGIN, relay, conversation, token, content_type, body)
}

fn upload_from(
    origin: &str,
    relay: &RelayProcess,
    conversation: &str,
    token: &str,
    content_type: &str,
    body: Vec<u8>,
) -> reqwest::RequestBuilder {
    reqwest::Client::new()
        .post(format!("{}/uploads/{SITE}/{conversation}", relay.url))
        .header("origin", origin)
        .header("authorization", format!("Bearer {token}"))
        .header("content-type", content_type)
        .header("x-file-name", "screen%20shot.png")
        .body(body)
}

#[tokio::test]
async fn a_file_reaches_the_agent_through_the_relays_own_url() {
    let sandbox = Sandbox::start().await;
    let relay = RelayProcess::start(&sandbox.url, RelayOptions::default());
    sandbox.send_va_replies_to(&relay).await;
    let mut panel = Panel::abel(&relay).await;
    panel.say("Talk to a person", Some("person")).await;
    let waiting = sandbox.va_conversation_in("waiting").await;
    let id = waiting["id"].as_str().expect("id").to_owned();
    sandbox.agent(&id, "accept", json!({})).await;

    let answer = upload(
        &relay,
        &panel.conversation,
        &panel.visitor,
        "image/png",
        PIXEL.to_vec(),
    )
    .send()
    .await
    .expect("answer");
    assert_eq!(answer.status(), 201);
    let answer: Value = answer.json().await.expect("json");
    let url = answer["url"].as_str().expect("url").to_owned();
    assert!(url.starts_with(&format!("{}/files/", relay.url)), "{url}");
    assert!(url.ends_with("/screen%20shot.png"), "{url}");
    panel
        .until(|frame| matches!(frame, ServerFrame::Entry { entry, .. } if matches!(&entry.body, EntryBody::File { author: Author::Visitor, name, size: 67, .. } if name == "screen shot.png")))
        .await;

    let served = reqwest::get(&url).await.expect("served");
    assert_eq!(served.headers()["content-type"], "image/png");
    assert_eq!(served.headers()["x-content-type-options"], "nosniff");
    assert_eq!(served.bytes().await.expect("bytes").as_ref(), PIXEL);

    let mut attachment = Value::Null;
    for _ in 0..100 {
        let conversation = sandbox
            .va_get(&format!("conversations/{id}?settle=true"))
            .await;
        let found = conversation["entries"].as_array().and_then(|entries| {
            entries
                .iter()
                .filter_map(|entry| entry["attachments"].as_array())
                .flatten()
                .find(|attachment| attachment["status"] != "pending")
                .cloned()
        });
        if let Some(found) = found {
            attachment = found;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    // The sandbox fetched it from the relay: "received", with its size.
    assert_eq!(attachment["status"], "received", "{attachment}");
    assert_eq!(attachment["file_name"], "screen shot.png");
    assert_eq!(attachment["size_bytes"], 67);
}

#[tokio::test]
async fn uploads_are_refused_without_the_sites_origin_the_visitors_token_or_an_allowed_file() {
    let sandbox = Sandbox::start().await;
    let relay = RelayProcess::start(
        &sandbox.url,
        RelayOptions {
            limits: "upload_max_bytes = 100",
            ..RelayOptions::default()
        },
    );
    let panel = Panel::connect(
        &relay,
        Panel::hello_verified("u-abel", "abel.tuter@example.com"),
    )
    .await;
    let other = Panel::connect(
        &relay,
        Panel::hello_verified("u-fred", "fred.luddy@example.com"),
    )
    .await;
    let status = |request: reqwest::RequestBuilder| async move {
        request.send().await.expect("answer").status().as_u16()
    };
    let png = || PIXEL.to_vec();
    let conversation = panel.conversation.clone();
    assert_eq!(
        status(upload_from(
            "http://evil.example",
            &relay,
            &conversation,
            &panel.visitor,
            "image/png",
            png()
        ))
        .await,
        403
    );
    assert_eq!(
        status(upload(
            &relay,
            &conversation,
            "not-a-token",
            "image/png",
            png()
        ))
        .await,
        401
    );
    assert_eq!(
        status(upload(
            &relay,
            &conversation,
            &other.visitor,
            "image/png",
            png()
        ))
        .await,
        404
    );
    assert_eq!(
        status(upload(
            &relay,
            &conversation,
            &panel.visitor,
            "text/html",
            b"<script>".to_vec()
        ))
        .await,
        415
    );
    assert_eq!(
        status(upload(
            &relay,
            &conversation,
            &panel.visitor,
            "image/png",
            vec![0; 101]
        ))
        .await,
        413
    );
    assert_eq!(
        status(upload(
            &relay,
            &conversation,
            &panel.visitor,
            "image/png",
            png()
        ))
        .await,
        201
    );
    let missing = reqwest::get(format!("{}/files/{}/x.png", relay.url, "0".repeat(32)))
        .await
        .expect("answer");
    assert_eq!(missing.status(), 404);
}
