//! A relay killed with SIGKILL and started again on the same data keeps every conversation.

mod support;

use flare_core::chat::protocol::ClientFrame;
use support::{Panel, RelayOptions, RelayProcess, Sandbox};

#[tokio::test]
async fn conversations_survive_a_kill_and_resume_from_the_last_sequence() {
    let sandbox = Sandbox::start().await;
    let data = std::env::temp_dir().join(format!(
        "flare-relay-data-{}",
        flare_relay::ids::random_id()
    ));
    let mut relay = RelayProcess::start(
        &sandbox.url,
        RelayOptions {
            data: Some(&data),
            ..RelayOptions::default()
        },
    );
    let mut panel = Panel::abel(&relay).await;
    let asked = panel.say("Report a problem", Some("report")).await;
    panel.assistant_after(asked).await;
    let (token, conversation) = (panel.visitor.clone(), panel.conversation.clone());
    let before: Vec<u64> = panel.entries.iter().map(|entry| entry.seq).collect();

    relay.kill();
    relay.restart(Some(&data));

    let mut back = Panel::connect(
        &relay,
        ClientFrame::Hello {
            visitor: Some(token),
            identity: None,
            conversation: None,
            after: 0,
            locale: None,
        },
    )
    .await;
    assert_eq!(
        back.conversation, conversation,
        "the open conversation is picked up"
    );
    while back.entries.len() < before.len() {
        back.next().await;
    }
    let after: Vec<u64> = back.entries.iter().map(|entry| entry.seq).collect();
    assert_eq!(after, before);
    // The assistant remembers it asked for a title.
    let seq = back.say("Printer jams", None).await;
    let (question, _) = back.assistant_after(seq).await;
    assert_eq!(
        question,
        "Tell me more: what happened, and what did you expect?"
    );
    std::fs::remove_dir_all(data).ok();
}
