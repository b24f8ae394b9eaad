//! Documented commands and context variables beyond the actions: `live_agent_only` and `topic`
//! in `contextVariables`, and the Bye command (`bot-api.md`).

mod va_support;

use serde_json::{json, Value};
use va_support::{hand_off, request, texts, Sandbox, Webhook};

const GREETING: &str = "Hi, I'm your Virtual Agent. Let me know how I can help you today.";
const ENDED: &str = "The conversation has ended. If you need help again, type hi.";

async fn check_goes_straight_to_the_agent(context_variables: Value) {
    let mut webhook = Webhook::start().await;
    let sandbox = Sandbox::with_webhook(&webhook.url).await;
    let mut start = request("r-start", Some("START_CONVERSATION"), "");
    start["contextVariables"] = context_variables.clone();
    sandbox.send(start).await;
    hand_off(&mut webhook).await;
    let waiting = sandbox.only("waiting").await;
    assert_eq!(waiting["user_id"], "abel.tuter");
    webhook.assert_quiet();
}

#[tokio::test]
async fn live_agent_only_skips_the_bot() {
    check_goes_straight_to_the_agent(
        json!({"live_agent_only": "true", "liveagent_deviceType": "test_device_type"}),
    )
    .await;
    check_goes_straight_to_the_agent(json!({"live_agent_only": true})).await;
}

#[tokio::test]
async fn the_live_agent_topic_as_context_variable_skips_the_bot() {
    check_goes_straight_to_the_agent(json!({"topic": "ce2ee85053130010cf8cddeeff7b12bf"})).await;
}

#[tokio::test]
async fn live_agent_only_applies_to_later_messages_too() {
    let mut webhook = Webhook::start().await;
    let sandbox = Sandbox::with_webhook(&webhook.url).await;
    let mut create = request("r-create", Some("CREATE_CONVERSATION"), "hi");
    create["contextVariables"] = json!({"live_agent_only": "true"});
    sandbox.send(create).await;
    let created = webhook.next().await.json;
    assert_eq!(created["body"][0]["actionType"], "CreateConversation");
    sandbox.send(request("r-1", None, "My VPN is down")).await;
    hand_off(&mut webhook).await;
    sandbox.only("waiting").await;
}

#[tokio::test]
async fn without_live_agent_only_the_bot_greets() {
    let mut webhook = Webhook::start().await;
    let sandbox = Sandbox::with_webhook(&webhook.url).await;
    let mut start = request("r-start", Some("START_CONVERSATION"), "");
    start["contextVariables"] =
        json!({"live_agent_only": "false", "requester_session_language": "es"});
    sandbox.send(start).await;
    assert_eq!(texts(&webhook.next().await.json), [GREETING]);
}

#[tokio::test]
async fn bye_offers_to_end_and_ending_ends() {
    let mut webhook = Webhook::start().await;
    let sandbox = Sandbox::with_webhook(&webhook.url).await;
    sandbox.send(request("r-hi", None, "hi")).await;
    webhook.next().await;

    sandbox.send(request("r-bye", None, "bye")).await;
    let picker = webhook.next().await.json;
    assert_eq!(picker["requestId"], "r-bye");
    assert_eq!(
        picker["body"],
        json!([{
            "uiType": "Picker",
            "group": "DefaultPicker",
            "required": true,
            "nluTextEnabled": false,
            "label": "Please make a selection.",
            "itemType": "List",
            "style": "list",
            "multiSelect": false,
            "options": [
                {"label": "End conversation", "value": "1", "renderStyle": "data", "enabled": false},
                {"label": "Cancel", "value": "0", "renderStyle": "data", "enabled": false},
            ],
            "scriptedData": null,
        }])
    );

    let mut choice = request("r-end", None, "1");
    choice["message"]["typed"] = Value::Bool(false);
    sandbox.send(choice).await;
    let ended = webhook.next().await.json;
    assert_eq!(texts(&ended), [ENDED]);
    assert!(
        ended.get("completed").is_none(),
        "a bot conversation: {ended}"
    );
    let list = sandbox.get("/sandbox/va/conversations").await;
    assert_eq!(list[0]["state"], "ended");
    assert_eq!(list[0]["end_reason"], "visitor");
}

#[tokio::test]
async fn cancelling_the_bye_picker_goes_on() {
    let mut webhook = Webhook::start().await;
    let sandbox = Sandbox::with_webhook(&webhook.url).await;
    sandbox.send(request("r-bye", None, "choa")).await;
    assert_eq!(
        webhook.next().await.json["body"][0]["label"],
        "Please make a selection."
    );
    sandbox.send(request("r-cancel", None, "Cancel")).await;
    assert_eq!(texts(&webhook.next().await.json), [GREETING]);

    // The picker is gone: "1" is just a message now.
    sandbox.send(request("r-1", None, "1")).await;
    let reply = webhook.next().await.json;
    assert_eq!(reply["score"], 0);
    let list = sandbox.get("/sandbox/va/conversations").await;
    assert_eq!(list[0]["state"], "bot");
}
