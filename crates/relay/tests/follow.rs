//! A ticket the assistant filed or showed: its state changes and the desk's public comments are
//! told in the conversation, by polling or at once on the customer's business rule's post; work
//! notes never are.

mod support;

use flare_core::chat::protocol::{Author, EntryBody};
use serde_json::json;
use support::{Panel, RelayOptions, RelayProcess, Sandbox};

/// A verified visitor who filed an incident through the assistant; its number and `sys_id`.
async fn filed(relay: &RelayProcess, sandbox: &Sandbox) -> (Panel, String, String) {
    let mut panel = Panel::connect(
        relay,
        Panel::hello_verified("u-abel", "abel.tuter@example.com"),
    )
    .await;
    panel.assistant_after(0).await;
    panel.say("Report a problem", Some("report")).await;
    panel.say("Printer jams", None).await;
    panel.say("Every page", None).await;
    let seq = panel.say("It can wait", Some("low")).await;
    let (_, cards) = panel.assistant_after(seq).await;
    let incident = &sandbox
        .table(&format!(
            "/api/now/table/incident?sysparm_query=number={}",
            cards[0]
        ))
        .await[0];
    let sys_id = incident["sys_id"].as_str().expect("sys_id").to_owned();
    (panel, cards[0].clone(), sys_id)
}

/// Waits for the assistant's message that starts with `start`.
async fn told(panel: &mut Panel, start: &str) -> String {
    loop {
        let found = panel.entries.iter().find_map(|entry| match &entry.body {
            EntryBody::Message {
                author: Author::Assistant,
                text,
                ..
            } if text.starts_with(start) => Some(text.clone()),
            _ => None,
        });
        if let Some(text) = found {
            return text;
        }
        panel.next().await;
    }
}

#[tokio::test]
async fn state_changes_and_public_comments_are_told_by_polling_and_work_notes_never() {
    let sandbox = Sandbox::start().await;
    let relay = RelayProcess::start(
        &sandbox.url,
        RelayOptions {
            desk: "poll_secs = 1",
            ..RelayOptions::default()
        },
    );
    let (mut panel, number, sys_id) = filed(&relay, &sandbox).await;
    // The first look only learns where the ticket stands.
    tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
    sandbox
        .patch_as(
            "itil",
            "incident",
            &sys_id,
            json!({"work_notes": "Caller seems grumpy"}),
        )
        .await;
    sandbox
        .patch_as(
            "itil",
            "incident",
            &sys_id,
            json!({"comments": "A technician comes at 3."}),
        )
        .await;
    sandbox
        .patch_as("itil", "incident", &sys_id, json!({"state": "2"}))
        .await;
    // The journal names its author by user name.
    let comment = told(&mut panel, "Beth Anglin on ").await;
    assert_eq!(
        comment,
        format!("Beth Anglin on {number}: A technician comes at 3.")
    );
    let moved = told(&mut panel, &format!("{number} is now")).await;
    assert_eq!(moved, format!("{number} is now In Progress."));
    let leaked = panel.entries.iter().any(
        |entry| matches!(&entry.body, EntryBody::Message { text, .. } if text.contains("grumpy")),
    );
    assert!(!leaked, "a work note reached the visitor");
}

#[tokio::test]
async fn the_customers_business_rule_has_a_change_told_at_once() {
    let sandbox = Sandbox::start().await;
    let relay = RelayProcess::start(
        &sandbox.url,
        RelayOptions {
            desk: "poll_secs = 0\nticket_webhook_token = \"rule-token\"",
            ..RelayOptions::default()
        },
    );
    let (mut panel, number, sys_id) = filed(&relay, &sandbox).await;
    let client = reqwest::Client::new();
    let url = format!("{}/webhooks/tickets/{}", relay.url, support::SITE);
    let post = |token: &'static str| {
        client
            .post(&url)
            .header("token", token)
            .json(&json!({"sys_id": sys_id, "number": number, "state": "6"}))
            .send()
    };
    assert_eq!(post("wrong").await.expect("answer").status(), 401);
    // The rule fires on insert: the relay learns where the ticket stands.
    assert_eq!(post("rule-token").await.expect("answer").status(), 204);
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    sandbox
        .patch_as("itil", "incident", &sys_id, json!({"state": "6", "close_code": "Solved (Permanently)", "close_notes": "Replaced the roller"}))
        .await;
    assert_eq!(post("rule-token").await.expect("answer").status(), 204);
    let moved = told(&mut panel, &format!("{number} is now")).await;
    assert_eq!(moved, format!("{number} is now Resolved."));
}
