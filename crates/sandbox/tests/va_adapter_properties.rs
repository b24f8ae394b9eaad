//! The custom adapter properties of the VA Bot to Bot Provider Application:
//! `third_party_chat` (`va-api-interaction-record-third-party-chat.md`) and `store_history_as`
//! (`va-api-support-chat-history.md`).

mod va_support;

use reqwest::StatusCode;
use serde_json::{json, Value};
use va_support::{hand_off, request, Sandbox, Webhook};

/// The history of `bot-api.md`'s "Update only chat history" example, shortened.
fn send_history() -> Value {
    let mut body = request("r-history", Some("SEND_HISTORY"), "");
    body["history"] = json!([
        {"isBotMessage": true, "value": "How can I help you?", "displayName": "Genesys Bot", "type": "text", "timestamp": "1739866290393"},
        {"isBotMessage": false, "value": "I am facing an issue while creating an incident.", "displayName": "User", "type": "text", "timestamp": "1739877357223"},
    ]);
    body
}

async fn sandbox_with(webhook: &Webhook, adapter_properties: Value) -> Sandbox {
    let sandbox = Sandbox::start().await;
    sandbox
        .configure(json!({"webhook_url": webhook.url, "adapter_properties": adapter_properties}))
        .await;
    sandbox
}

async fn only_conversation(sandbox: &Sandbox) -> Value {
    let list = sandbox.get("/sandbox/va/conversations").await;
    let id = list[0]["id"].as_str().expect("an id");
    sandbox.settled(id).await
}

/// Sends the history, asks for an agent, and returns the conversation.
async fn history_then_agent(sandbox: &Sandbox, webhook: &mut Webhook) -> Value {
    let (status, _) = sandbox.send(send_history()).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(webhook.next().await.json, json!({"status": "success"}));
    sandbox
        .send(request("r-agent", Some("AGENT"), "I need a human"))
        .await;
    hand_off(webhook).await;
    only_conversation(sandbox).await
}

#[tokio::test]
async fn without_third_party_chat_update_messages_is_refused() {
    let webhook = Webhook::start().await;
    let sandbox = sandbox_with(&webhook, json!({})).await;
    sandbox
        .send(request("r-start", Some("START_CONVERSATION"), ""))
        .await;
    let mut update = request("r-update", Some("UPDATE_MESSAGES"), "");
    update["message"] =
        json!([{"status": "sent_to_user", "id": "54623afeff762210efa1ffffffffff77"}]);
    let (status, error) = sandbox.send(update).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{error}");
    assert_eq!(error["status"], "failure");
    let detail = error["error"]["detail"].as_str().unwrap();
    assert!(detail.contains("third_party_chat"), "{detail}");

    let conversation = only_conversation(&sandbox).await;
    assert_eq!(conversation["entries"].as_array().unwrap().len(), 2);
    assert!(
        conversation["interaction"]["sys_id"].is_string(),
        "{conversation}"
    );
    assert!(
        conversation["interaction"]
            .get("client_session_id")
            .is_none(),
        "{conversation}"
    );
}

#[tokio::test]
async fn third_party_chat_keeps_the_client_session_on_the_interaction() {
    let mut webhook = Webhook::start().await;
    let sandbox = sandbox_with(&webhook, json!({"third_party_chat": true})).await;
    sandbox
        .send(request("r-start", Some("CREATE_CONVERSATION"), "hi"))
        .await;
    let created = webhook.next().await.json;
    let conversation = only_conversation(&sandbox).await;
    assert_eq!(
        conversation["interaction"],
        json!({"sys_id": created["interactionId"], "client_session_id": "session-1"})
    );
}

#[tokio::test]
async fn without_store_history_as_the_agent_sees_no_history() {
    let mut webhook = Webhook::start().await;
    let sandbox = sandbox_with(&webhook, json!({})).await;
    let conversation = history_then_agent(&sandbox, &mut webhook).await;
    assert_eq!(conversation["history"].as_array().unwrap().len(), 2);
    assert!(
        conversation.get("agent_history").is_none(),
        "{conversation}"
    );
    assert!(!sandbox.console_page().await.contains("History:"));
}

#[tokio::test]
async fn store_history_as_multi_text_gives_one_message_each() {
    let mut webhook = Webhook::start().await;
    let sandbox = sandbox_with(&webhook, json!({"store_history_as": "multi-text"})).await;
    let conversation = history_then_agent(&sandbox, &mut webhook).await;
    assert_eq!(
        conversation["agent_history"],
        json!([
            {"format": "multi-text", "content": "Genesys Bot: How can I help you?"},
            {"format": "multi-text", "content": "User: I am facing an issue while creating an incident."},
        ])
    );
    let page = sandbox.console_page().await;
    assert!(
        page.contains("<li>History: <pre>Genesys Bot: How can I help you?</pre></li>"),
        "{page}"
    );
}

#[tokio::test]
async fn store_history_as_text_gives_one_block() {
    let mut webhook = Webhook::start().await;
    let sandbox = sandbox_with(&webhook, json!({"store_history_as": "text"})).await;
    let conversation = history_then_agent(&sandbox, &mut webhook).await;
    assert_eq!(
        conversation["agent_history"],
        json!([{"format": "text", "content": "Genesys Bot: How can I help you?\nUser: I am facing an issue while creating an incident."}])
    );
}

#[tokio::test]
async fn store_history_as_html_gives_html_also_from_the_history_parameter() {
    let mut webhook = Webhook::start().await;
    let sandbox = sandbox_with(&webhook, json!({"store_history_as": "html"})).await;
    // "The chat history can also be sent using standard message processing with the history
    // parameter" (`bot-api.md`, SEND_HISTORY).
    let mut hand_off_request = request("r-agent", Some("AGENT"), "I need a human");
    hand_off_request["history"] =
        json!([{"isBotMessage": false, "value": "<b>VPN</b> down", "displayName": "User"}]);
    sandbox.send(hand_off_request).await;
    hand_off(&mut webhook).await;
    let conversation = only_conversation(&sandbox).await;
    let html = "<div><p><strong>User</strong>: &lt;b&gt;VPN&lt;/b&gt; down</p></div>";
    assert_eq!(
        conversation["agent_history"],
        json!([{"format": "html", "content": html}])
    );
    assert!(sandbox
        .console_page()
        .await
        .contains(&format!("<li>History: {html}</li>")));
}

#[tokio::test]
async fn unknown_properties_are_refused() {
    let sandbox = Sandbox::start().await;
    for config in [
        json!({"adapter_properties": {"store_history_as": "markdown"}}),
        json!({"adapter_properties": {"third_party": true}}),
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
