//! Hand-off to a live agent through the VA Bot Integration API, with the sandbox's simulated
//! agent: queued with the wait, the agent's name, messages and typing both ways, delivery
//! reports, and the end from either side.

mod support;

use flare_core::chat::protocol::{Author, ClientFrame, EntryBody, ServerFrame};
use serde_json::json;
use support::{Panel, RelayOptions, RelayProcess, Sandbox};

async fn with_agent() -> (Sandbox, RelayProcess, Panel, String) {
    let sandbox = Sandbox::start().await;
    let relay = RelayProcess::start(&sandbox.url, RelayOptions::default());
    sandbox.send_va_replies_to(&relay).await;
    let mut panel = Panel::abel(&relay).await;
    let asked = panel.say("Talk to a person", Some("person")).await;
    let (answer, _) = panel.assistant_after(asked).await;
    assert_eq!(
        answer,
        "I am finding a person for you. Stay here; you can keep writing."
    );
    let wait = panel
        .until(|frame| matches!(frame, ServerFrame::Wait { .. }))
        .await;
    assert!(
        matches!(wait, ServerFrame::Wait { seconds, .. } if seconds > 0),
        "{wait:?}"
    );
    let waiting = sandbox.va_conversation_in("waiting").await;
    assert_eq!(
        waiting["client_session_id"],
        panel.conversation.as_str(),
        "{waiting}"
    );
    assert_eq!(waiting["user_id"], "abel.tuter@example.com");
    let id = waiting["id"].as_str().expect("id").to_owned();
    sandbox
        .agent(&id, "accept", json!({"agent_name": "Fred Luddy"}))
        .await;
    panel
        .until(|frame| matches!(frame, ServerFrame::Entry { entry, .. } if matches!(&entry.body, EntryBody::AgentJoined { name, .. } if name == "Fred Luddy")))
        .await;
    (sandbox, relay, panel, id)
}

#[tokio::test]
async fn a_visitor_and_an_agent_talk_both_ways_with_typing_and_delivery_reports() {
    let (sandbox, relay, mut panel, id) = with_agent().await;

    panel
        .send(&ClientFrame::Typing {
            conversation: panel.conversation.clone(),
            on: true,
        })
        .await;
    let mut typing_seen = false;
    for _ in 0..100 {
        let conversation = sandbox
            .va_get(&format!("conversations/{id}?settle=true"))
            .await;
        if conversation["visitor_typing"] == true {
            typing_seen = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert!(typing_seen, "the agent sees the visitor typing");

    panel.say("My VPN client will not start", None).await;
    sandbox.agent(&id, "typing", json!({"typing": true})).await;
    let typing = panel
        .until(|frame| matches!(frame, ServerFrame::Typing { .. }))
        .await;
    assert!(
        matches!(typing, ServerFrame::Typing { on: true, who: Author::Agent { ref name }, .. } if name == "Fred Luddy"),
        "{typing:?}"
    );
    sandbox
        .agent(&id, "messages", json!({"text": "Please restart it."}))
        .await;
    while !support::agent_texts(&panel.entries).contains(&"Please restart it.".to_owned()) {
        panel.next().await;
    }

    // The agent's transcript has the visitor's words, and the agent's message was reported
    // delivered to the visitor.
    let mut delivered = false;
    for _ in 0..100 {
        let conversation = sandbox
            .va_get(&format!("conversations/{id}?settle=true"))
            .await;
        let entries = conversation["entries"].as_array().expect("entries").clone();
        let visitor_said = entries.iter().any(|entry| {
            entry["direction"] == "inbound" && entry["text"] == "My VPN client will not start"
        });
        assert!(visitor_said, "{conversation}");
        delivered = entries.iter().any(|entry| {
            entry["text"] == "Please restart it." && entry["client_status"] == "sent_to_user"
        });
        if delivered {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert!(delivered, "UPDATE_MESSAGES reached the instance");

    sandbox.agent(&id, "end", json!({})).await;
    panel
        .until(|frame| matches!(frame, ServerFrame::Entry { entry, .. } if entry.body == EntryBody::RatingRequested))
        .await;
    let metrics = reqwest::get(format!("{}/metrics", relay.url))
        .await
        .expect("metrics")
        .text()
        .await
        .expect("text");
    for line in [
        "flare_relay_handoffs_total 1",
        "flare_relay_connections 1",
        "flare_relay_outbound_queue_depth ",
        "flare_relay_webhook_failures_total 0",
    ] {
        assert!(metrics.contains(line), "{line} in {metrics}");
    }
    let ended = panel
        .entries
        .iter()
        .any(|entry| matches!(&entry.body, EntryBody::Ended { by: Author::Agent { name } } if name == "Fred Luddy"));
    assert!(ended);
}

#[tokio::test]
async fn the_visitor_ends_the_chat_and_the_agent_is_told() {
    let (sandbox, _relay, mut panel, id) = with_agent().await;
    panel
        .send(&ClientFrame::End {
            conversation: panel.conversation.clone(),
        })
        .await;
    panel
        .until(|frame| matches!(frame, ServerFrame::Entry { entry, .. } if entry.body == EntryBody::RatingRequested))
        .await;
    let mut ended = false;
    for _ in 0..100 {
        if sandbox
            .va_get(&format!("conversations/{id}?settle=true"))
            .await["state"]
            == "ended"
        {
            ended = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert!(ended, "the instance's conversation ended");
    panel
        .send(&ClientFrame::Rate {
            conversation: panel.conversation.clone(),
            score: 5,
            comment: "Quick and kind".into(),
        })
        .await;
    panel
        .until(|frame| matches!(frame, ServerFrame::Entry { entry, .. } if matches!(entry.body, EntryBody::Rated { score: 5, .. })))
        .await;
}

#[tokio::test]
async fn a_webhook_post_without_the_right_signature_is_refused_and_a_replay_is_applied_once() {
    let (_sandbox, relay, mut panel, _id) = with_agent().await;
    let body = json!({
        "requestId": "r-x",
        "clientSessionId": panel.conversation,
        "agentChat": true,
        "body": [{"uiType": "OutputText", "value": "Forged", "agentInfo": {"sentFromAgent": true, "agentName": "Mallory", "agentId": "m"}}]
    })
    .to_string();
    let client = reqwest::Client::new();
    let url = format!("{}/webhooks/va/{}", relay.url, support::SITE);
    for signature in [None, Some("00".repeat(20))] {
        let mut request = client.post(&url).body(body.clone());
        if let Some(signature) = signature {
            request = request.header("x-b2b-signature", signature);
        }
        assert_eq!(request.send().await.expect("answer").status(), 401);
    }
    // Signed properly, twice: kept once.
    use hmac::{Hmac, Mac};
    let mut mac =
        Hmac::<sha1::Sha1>::new_from_slice(support::WEBHOOK_SECRET.as_bytes()).expect("key");
    mac.update(body.as_bytes());
    let signature: String = mac
        .finalize()
        .into_bytes()
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect();
    for _ in 0..2 {
        let status = client
            .post(&url)
            .header("x-b2b-signature", &signature)
            .body(body.clone())
            .send()
            .await
            .expect("answer")
            .status();
        assert_eq!(status, 200);
    }
    panel.send(&ClientFrame::Ping).await;
    panel.until(|frame| *frame == ServerFrame::Pong).await;
    let forged = support::agent_texts(&panel.entries)
        .iter()
        .filter(|text| *text == "Forged")
        .count();
    assert_eq!(forged, 1);
}

/// The visitor's conversation asks for a person and is answered with the ticket offer; the
/// offer's buttons.
async fn offered_a_ticket(panel: &mut Panel) -> Vec<String> {
    let asked = panel.say("Talk to a person", Some("person")).await;
    loop {
        let offer = panel.entries.iter().find_map(|entry| match &entry.body {
            EntryBody::Message {
                author: Author::Assistant,
                text,
                quick_replies,
                ..
            } if entry.seq > asked && text.starts_with("Nobody can answer right now") => Some(
                quick_replies
                    .iter()
                    .map(|reply| reply.value.clone())
                    .collect(),
            ),
            _ => None,
        });
        if let Some(offer) = offer {
            return offer;
        }
        panel.next().await;
    }
}

#[tokio::test]
async fn when_nobody_accepts_in_time_the_chat_becomes_a_ticket_with_its_transcript() {
    let sandbox = Sandbox::start().await;
    let relay = RelayProcess::start(
        &sandbox.url,
        RelayOptions {
            handoff: "max_wait_secs = 1",
            ..RelayOptions::default()
        },
    );
    sandbox.send_va_replies_to(&relay).await;
    let mut panel = Panel::abel(&relay).await;
    let offer = offered_a_ticket(&mut panel).await;
    assert_eq!(offer, ["file_transcript", "cancel"]);
    // The instance's queue no longer holds the visitor.
    let waiting = sandbox.va_conversation_in("ended").await;
    assert_eq!(waiting["client_session_id"], panel.conversation.as_str());

    let seq = panel.say("File a ticket", Some("file_transcript")).await;
    let (answer, cards) = panel.assistant_after(seq).await;
    assert!(answer.starts_with("Done: INC"), "{answer}");
    let incident = &sandbox
        .table(&format!(
            "/api/now/table/incident?sysparm_query=number={}",
            cards[0]
        ))
        .await[0];
    assert_eq!(incident["caller_id"]["value"], support::ABEL_SYS_ID);
    assert_eq!(incident["short_description"], "Chat: Talk to a person");
    let description = incident["description"].as_str().expect("text");
    assert!(
        description.contains("Flare: I am finding a person for you."),
        "{description}"
    );
    let sys_id = incident["sys_id"].as_str().expect("sys_id");
    let files = sandbox
        .table(&format!(
            "/api/now/attachment?sysparm_query=table_sys_id={sys_id}"
        ))
        .await;
    assert_eq!(files[0]["file_name"], "chat-transcript.txt", "{files}");
}

#[tokio::test]
async fn outside_business_hours_a_ticket_is_offered_at_once() {
    let sandbox = Sandbox::start().await;
    // Open only on a day that is not today (UTC).
    let days = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
    let today = (flare_relay::transport::now_ms() / 86_400_000 + 3) % 7;
    let handoff = format!(
        "hours = \"{} 09:00-17:00 Z\"",
        days[((today + 1) % 7) as usize]
    );
    let relay = RelayProcess::start(
        &sandbox.url,
        RelayOptions {
            handoff: &handoff,
            ..RelayOptions::default()
        },
    );
    sandbox.send_va_replies_to(&relay).await;
    let mut panel = Panel::abel(&relay).await;
    offered_a_ticket(&mut panel).await;
    let queued = sandbox.va_get("conversations").await;
    assert_eq!(queued, json!([]), "nobody was put in a queue");
}
