//! Handing control back to the primary bot: "Number of times that Virtual Agent tries to get a
//! response, after which control is returned to the primary bot" (`va.bot.to.bot.take.control_times`,
//! default 2, `bot2bot.md`), signalled by `takeControl: true` (`bot-api.md`).

mod va_support;

use serde_json::{json, Value};
use va_support::{request, texts, Sandbox, Webhook};

const NOT_UNDERSTOOD: &str = "I am sorry but I didn't understand your request.";

/// Sends `body` and returns the reply's `takeControl`, checking it is the not-understood one.
async fn take_control(sandbox: &Sandbox, webhook: &mut Webhook, body: Value) -> Option<Value> {
    sandbox.send(body).await;
    let reply = webhook.next().await.json;
    assert_eq!(texts(&reply)[0], NOT_UNDERSTOOD, "{reply}");
    assert_eq!(reply["score"], 0, "{reply}");
    reply.get("takeControl").cloned()
}

fn message(request_id: &str) -> Value {
    request(request_id, None, "How are you?")
}

#[tokio::test]
async fn the_second_misunderstood_message_hands_control_back() {
    let mut webhook = Webhook::start().await;
    let sandbox = Sandbox::with_webhook(&webhook.url).await;
    assert_eq!(
        take_control(&sandbox, &mut webhook, message("r-1")).await,
        None
    );
    assert_eq!(
        take_control(&sandbox, &mut webhook, message("r-2")).await,
        Some(json!(true))
    );
    // The count starts again, and the conversation goes on.
    assert_eq!(
        take_control(&sandbox, &mut webhook, message("r-3")).await,
        None
    );
    assert_eq!(sandbox.only("bot").await["n_entries"], 6);
}

#[tokio::test]
async fn an_understood_message_starts_the_count_again() {
    let mut webhook = Webhook::start().await;
    let sandbox = Sandbox::with_webhook(&webhook.url).await;
    assert_eq!(
        take_control(&sandbox, &mut webhook, message("r-1")).await,
        None
    );
    sandbox.send(request("r-hi", None, "hi")).await;
    assert!(webhook.next().await.json.get("takeControl").is_none());
    assert_eq!(
        take_control(&sandbox, &mut webhook, message("r-2")).await,
        None
    );

    // A typing indicator in between is no answer.
    sandbox.send(request("r-typing", Some("TYPING"), "")).await;
    assert_eq!(
        take_control(&sandbox, &mut webhook, message("r-3")).await,
        Some(json!(true))
    );
}

#[tokio::test]
async fn the_number_of_tries_is_configurable() {
    let mut webhook = Webhook::start().await;
    let sandbox = Sandbox::with_webhook(&webhook.url).await;
    sandbox
        .configure(json!({"webhook_url": webhook.url, "take_control_times": 3}))
        .await;
    for request_id in ["r-1", "r-2"] {
        assert_eq!(
            take_control(&sandbox, &mut webhook, message(request_id)).await,
            None
        );
    }
    assert_eq!(
        take_control(&sandbox, &mut webhook, message("r-3")).await,
        Some(json!(true))
    );

    sandbox
        .configure(json!({"webhook_url": webhook.url, "take_control_times": 0}))
        .await;
    for request_id in ["r-4", "r-5", "r-6"] {
        assert_eq!(
            take_control(&sandbox, &mut webhook, message(request_id)).await,
            None
        );
    }
}

#[tokio::test]
async fn a_standalone_conversation_has_no_primary_bot_to_hand_back_to() {
    let mut webhook = Webhook::start().await;
    let sandbox = Sandbox::with_webhook(&webhook.url).await;
    for request_id in ["r-1", "r-2", "r-3"] {
        let mut standalone = message(request_id);
        standalone["botToBot"] = Value::Bool(false);
        assert_eq!(take_control(&sandbox, &mut webhook, standalone).await, None);
    }
}
