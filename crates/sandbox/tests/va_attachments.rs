//! Attachments in `message.attachment` (`bot-api.md`): the instance downloads each from its URL,
//! with the request's `headers` for private files and only from trusted domains, then the bot
//! answers as the attachment examples do, or the live agent gets the file.

mod va_support;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use serde_json::{json, Value};
use va_support::{chat_with_agent, request, Sandbox, Webhook};

const PDF: &[u8] = b"%PDF-1.4 sandbox test file";
const PRIVATE_AUTHORIZATION: &str = "Basic amFzbWluZS53YWRod2FuaWE6VGVzdGluZ0AxMjM=";

/// A file host on a free port: `/files/public.pdf` for anyone, `/files/private.pdf` only with
/// the right `Authorization`; it counts the downloads.
struct FileHost {
    base_url: String,
    hits: Arc<AtomicUsize>,
}

async fn serve_file(
    State(hits): State<Arc<AtomicUsize>>,
    Path(name): Path<String>,
    headers: HeaderMap,
) -> Response {
    hits.fetch_add(1, Ordering::SeqCst);
    let authorized = headers
        .get(header::AUTHORIZATION)
        .is_some_and(|value| value == PRIVATE_AUTHORIZATION);
    match (name.as_str(), authorized) {
        ("public.pdf", _) | ("private.pdf", true) => {
            ([(header::CONTENT_TYPE, "application/pdf")], PDF).into_response()
        }
        ("private.pdf", false) => StatusCode::UNAUTHORIZED.into_response(),
        _ => StatusCode::NOT_FOUND.into_response(),
    }
}

impl FileHost {
    async fn start() -> FileHost {
        let hits = Arc::new(AtomicUsize::new(0));
        let app = Router::new()
            .route("/files/{name}", get(serve_file))
            .with_state(hits.clone());
        let socket = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind a free port");
        let base_url = format!("http://{}", socket.local_addr().expect("bound address"));
        tokio::spawn(async move { axum::serve(socket, app).await });
        FileHost { base_url, hits }
    }

    fn url(&self, name: &str) -> String {
        format!("{}/files/{name}", self.base_url)
    }

    fn hits(&self) -> usize {
        self.hits.load(Ordering::SeqCst)
    }
}

/// A sandbox that trusts the file host (127.0.0.1).
async fn trusting_sandbox(webhook: &Webhook, extra: Value) -> Sandbox {
    let sandbox = Sandbox::start().await;
    let mut config = json!({
        "webhook_url": webhook.url,
        "retry_backoff_millis": 10,
        "trusted_attachment_domains": ["127.0.0.1"],
    });
    for (key, value) in extra.as_object().expect("an object") {
        config[key] = value.clone();
    }
    sandbox.configure(config).await;
    sandbox
}

/// A message with one attachment, as the documented examples send it.
fn with_attachment(request_id: &str, attachment: Value) -> Value {
    let mut body = request(request_id, None, "");
    body["message"] = json!({"attachment": attachment});
    body
}

fn pdf(url: &str) -> Value {
    json!({
        "clientAttachmentId": "my-unique-identifier",
        "contentType": "application/pdf",
        "fileName": "MY PDF TEST",
        "url": url,
    })
}

async fn only_conversation(sandbox: &Sandbox) -> Value {
    let list = sandbox.get("/sandbox/va/conversations").await;
    assert_eq!(list.as_array().unwrap().len(), 1, "{list}");
    sandbox.settled(list[0]["id"].as_str().unwrap()).await
}

/// The attachments recorded on the conversation's inbound entries.
fn attachments(conversation: &Value) -> Vec<Value> {
    conversation["entries"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|entry| entry["attachments"].as_array())
        .flatten()
        .cloned()
        .collect()
}

#[tokio::test]
async fn the_bot_downloads_a_public_file_and_answers_as_documented() {
    let files = FileHost::start().await;
    let mut webhook = Webhook::start().await;
    let sandbox = trusting_sandbox(&webhook, json!({})).await;
    let (status, ack) = sandbox
        .send(with_attachment("r-file", pdf(&files.url("public.pdf"))))
        .await;
    assert_eq!(
        (status, ack),
        (StatusCode::OK, json!({"status": "success"}))
    );

    let reply = webhook.next().await.json;
    assert_eq!(reply["requestId"], "r-file");
    assert_eq!(reply["message"]["attachment"]["fileName"], "MY PDF TEST");
    assert_eq!(reply["completed"], true);
    assert_eq!(
        reply["body"],
        json!([
            {"uiType": "OutputText", "group": "DefaultText", "required": false, "nluTextEnabled": false, "label": "File got", "maskType": "NONE", "itemType": "outputtext"},
            {"uiType": "OutputText", "group": "DefaultText", "required": false, "nluTextEnabled": false, "label": "The conversation has ended. If you need help again, type hi.", "maskType": "NONE", "itemType": "outputtext"},
        ])
    );

    let conversation = only_conversation(&sandbox).await;
    assert_eq!(conversation["state"], "ended");
    assert_eq!(conversation["end_reason"], "completed");
    let attachment = &attachments(&conversation)[0];
    assert_eq!(attachment["status"], "received");
    assert_eq!(attachment["size_bytes"], PDF.len());
    assert_eq!(attachment["client_attachment_id"], "my-unique-identifier");
    let download = sandbox
        .client
        .get(format!(
            "{}/sandbox/va/attachments/{}",
            sandbox.url,
            attachment["id"].as_str().unwrap()
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(download.status(), StatusCode::OK);
    assert_eq!(download.headers()[header::CONTENT_TYPE], "application/pdf");
    assert_eq!(download.bytes().await.unwrap().as_ref(), PDF);
    webhook.assert_quiet();
}

#[tokio::test]
async fn a_private_file_is_downloaded_with_the_given_authorization() {
    let files = FileHost::start().await;
    let mut webhook = Webhook::start().await;
    let sandbox = trusting_sandbox(&webhook, json!({})).await;
    let mut private = pdf(&files.url("private.pdf"));
    private["headers"] = json!({"Authorization": PRIVATE_AUTHORIZATION});
    sandbox
        .send(with_attachment("r-file", json!([private])))
        .await;
    assert_eq!(webhook.next().await.json["completed"], true);
    let conversation = only_conversation(&sandbox).await;
    let attachment = &attachments(&conversation)[0];
    assert_eq!(attachment["status"], "received");
    assert_eq!(attachment["with_authorization"], true);
    let shown = conversation.to_string();
    assert!(!shown.contains("\"content\""), "{shown}");
}

#[tokio::test]
async fn a_failed_download_gets_no_reply() {
    let files = FileHost::start().await;
    let mut webhook = Webhook::start().await;
    let sandbox = trusting_sandbox(&webhook, json!({})).await;
    sandbox
        .send(with_attachment("r-file", pdf(&files.url("private.pdf"))))
        .await;
    let conversation = only_conversation(&sandbox).await;
    let attachment = &attachments(&conversation)[0];
    assert_eq!(attachment["status"], "failed");
    let error = attachment["error"].as_str().unwrap();
    assert!(error.contains("401"), "{error}");
    assert_eq!(conversation["state"], "bot");
    assert_eq!(files.hits(), 1);
    let missing = sandbox
        .client
        .get(format!(
            "{}/sandbox/va/attachments/{}",
            sandbox.url,
            attachment["id"].as_str().unwrap()
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
    webhook.assert_quiet();
}

#[tokio::test]
async fn untrusted_domains_are_not_downloaded() {
    let files = FileHost::start().await;
    let mut webhook = Webhook::start().await;
    let sandbox = Sandbox::with_webhook(&webhook.url).await;
    sandbox
        .send(with_attachment("r-file", pdf(&files.url("public.pdf"))))
        .await;
    let conversation = only_conversation(&sandbox).await;
    let attachment = &attachments(&conversation)[0];
    assert_eq!(attachment["status"], "failed");
    let error = attachment["error"].as_str().unwrap();
    assert!(error.contains("is not a trusted domain"), "{error}");
    assert_eq!(files.hits(), 0);
    webhook.assert_quiet();
}

#[tokio::test]
async fn during_a_live_agent_chat_the_agent_gets_the_files() {
    let files = FileHost::start().await;
    let mut webhook = Webhook::start().await;
    let sandbox = trusting_sandbox(&webhook, json!({})).await;
    let id = chat_with_agent(&sandbox, &mut webhook).await;

    let two = json!([pdf(&files.url("public.pdf")), pdf(&files.url("public.pdf"))]);
    sandbox.send(with_attachment("r-files", two)).await;
    let conversation = sandbox.settled(&id).await;
    assert_eq!(conversation["state"], "with_agent");
    let received: Vec<&Value> = conversation["entries"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|entry| entry["attachments"].as_array())
        .flatten()
        .map(|attachment| &attachment["status"])
        .collect();
    assert_eq!(received, ["received", "received"]);
    let console = sandbox.console_page().await;
    assert!(
        console.contains("attachment <a href=\"/sandbox/va/attachments/"),
        "{console}"
    );
    webhook.assert_quiet();
}

#[tokio::test]
async fn a_synchronous_channel_answers_once_the_file_is_in() {
    let files = FileHost::start().await;
    let mut webhook = Webhook::start().await;
    let sandbox = trusting_sandbox(&webhook, json!({"synchronous": true})).await;
    let (status, reply) = sandbox
        .send(with_attachment("r-file", pdf(&files.url("public.pdf"))))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(reply["requestId"], "r-file");
    assert_eq!(reply["body"][0]["label"], "File got");
    assert_eq!(reply["completed"], true);
    let conversation = only_conversation(&sandbox).await;
    let last = conversation["entries"]
        .as_array()
        .unwrap()
        .last()
        .unwrap()
        .clone();
    assert_eq!(last["delivery"]["status"], "in_response");
    webhook.assert_quiet();
}

#[tokio::test]
async fn malformed_attachments_get_400() {
    let sandbox = Sandbox::start().await;
    let cases = [
        (
            json!({"contentType": "application/zip", "fileName": "a.zip", "url": "http://127.0.0.1/a.zip"}),
            "message.attachment.contentType `application/zip` is not one of",
        ),
        (
            json!({"contentType": "text/plain", "url": "http://127.0.0.1/a.txt"}),
            "message.attachment.fileName is required",
        ),
        (
            json!({"contentType": "text/plain", "fileName": "a.txt", "url": "ftp://127.0.0.1/a.txt"}),
            "message.attachment.url `ftp://127.0.0.1/a.txt` is not an http or https URL",
        ),
    ];
    for (attachment, detail) in cases {
        let (status, error) = sandbox.send(with_attachment("r", attachment)).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{error}");
        let shown = error["error"]["detail"].as_str().unwrap();
        assert!(shown.contains(detail), "{shown}");
    }
    assert_eq!(sandbox.get("/sandbox/va/conversations").await, json!([]));
}
