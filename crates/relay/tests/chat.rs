//! The relay binary against the sandbox, over real sockets: the assistant's ticket actions for a
//! verified visitor, refusals, and a conversation resumed after a reconnect.

mod support;

use flare_core::chat::protocol::{ClientFrame, EntryBody, Refusal, ServerFrame};
use support::{Panel, RelayOptions, RelayProcess, Sandbox, ABEL_SYS_ID};

const ABEL_EMAIL: &str = "abel.tuter@example.com";

async fn relay() -> (Sandbox, RelayProcess) {
    let sandbox = Sandbox::start().await;
    let relay = RelayProcess::start(&sandbox.url, RelayOptions::default());
    (sandbox, relay)
}

#[tokio::test]
async fn the_assistant_files_an_incident_with_the_verified_visitor_as_caller() {
    let (sandbox, relay) = relay().await;
    let mut panel = Panel::connect(&relay, Panel::hello_verified("u-abel", ABEL_EMAIL)).await;
    let (greeting, _) = panel.assistant_after(0).await;
    assert!(greeting.starts_with("Hi! I'm Flare"), "{greeting}");

    let seq = panel.say("Report a problem", Some("report")).await;
    let (question, _) = panel.assistant_after(seq).await;
    assert_eq!(question, "What is the problem, in one line?");
    let seq = panel.say("VPN drops every hour", None).await;
    panel.assistant_after(seq).await;
    let seq = panel.say("Since Monday, on Wi-Fi only.", None).await;
    let (question, _) = panel.assistant_after(seq).await;
    assert_eq!(question, "How urgent is it?");
    let seq = panel.say("It stops my work", Some("high")).await;
    let (answer, cards) = panel.assistant_after(seq).await;

    assert_eq!(cards.len(), 1, "{answer}");
    assert!(answer.contains(&cards[0]), "{answer}");
    let records = sandbox
        .table(&format!(
            "/api/now/table/incident?sysparm_query=number={}",
            cards[0]
        ))
        .await;
    let record = &records[0];
    assert_eq!(record["short_description"], "VPN drops every hour");
    assert_eq!(record["description"], "Since Monday, on Wi-Fi only.");
    assert_eq!(record["urgency"], "1");
    assert_eq!(record["caller_id"]["value"], ABEL_SYS_ID, "{record}");
}

#[tokio::test]
async fn the_assistant_files_a_request_for_the_visitor() {
    let (sandbox, relay) = relay().await;
    let mut panel = Panel::abel(&relay).await;
    panel.say("I need a new laptop", None).await;
    panel.say("New laptop", None).await;
    let seq = panel.say("Mine is six years old", None).await;
    let (_, cards) = panel.assistant_after(seq).await;
    assert!(cards[0].starts_with("REQ"), "{cards:?}");
    let records = sandbox
        .table(&format!(
            "/api/now/table/sc_request?sysparm_query=number={}",
            cards[0]
        ))
        .await;
    assert_eq!(records[0]["short_description"], "New laptop");
    assert_eq!(records[0]["requested_for"]["value"], ABEL_SYS_ID);
}

#[tokio::test]
async fn a_visitor_sees_their_own_tickets_and_never_anyone_elses() {
    let (sandbox, relay) = relay().await;
    let mine = sandbox
        .create(
            "incident",
            serde_json::json!({"short_description": "Abel's printer", "caller_id": ABEL_SYS_ID}),
        )
        .await;
    let theirs = sandbox
        .create(
            "incident",
            serde_json::json!({"short_description": "The admin's own"}),
        )
        .await;
    let mine = mine["number"].as_str().expect("number").to_owned();
    let theirs = theirs["number"].as_str().expect("number").to_owned();

    let mut panel = Panel::abel(&relay).await;
    let seq = panel.say(&format!("status of {mine}?"), None).await;
    let (answer, cards) = panel.assistant_after(seq).await;
    assert_eq!(
        (answer.as_str(), cards),
        ("Here it is:", vec![mine.clone()])
    );

    let seq = panel.say(&theirs, None).await;
    let (answer, cards) = panel.assistant_after(seq).await;
    assert_eq!(answer, "I found no ticket of yours with that number.");
    assert!(cards.is_empty());

    let seq = panel.say("My open tickets", Some("list")).await;
    let (answer, cards) = panel.assistant_after(seq).await;
    assert_eq!(answer, "Your open tickets:");
    assert!(cards.contains(&mine), "{cards:?}");
    assert!(!cards.contains(&theirs), "{cards:?}");

    let seq = panel.say("Comment on a ticket", Some("comment")).await;
    panel.assistant_after(seq).await;
    let seq = panel.say(&mine, None).await;
    panel.assistant_after(seq).await;
    let seq = panel.say("Still jammed this morning.", None).await;
    let (answer, _) = panel.assistant_after(seq).await;
    assert_eq!(answer, "Your comment is on the ticket.");
    let journal = sandbox
        .table("/api/now/table/sys_journal_field?sysparm_query=element=comments")
        .await;
    let comments: Vec<&str> = journal
        .as_array()
        .expect("list")
        .iter()
        .filter_map(|entry| entry["value"].as_str())
        .collect();
    assert!(
        comments.contains(&"Still jammed this morning."),
        "{comments:?}"
    );

    // An anonymous visitor gets no ticket at all, not even by its number.
    let mut anonymous = Panel::connect(
        &relay,
        ClientFrame::Hello {
            visitor: None,
            identity: None,
            conversation: None,
            after: 0,
            locale: Some("de".into()),
        },
    )
    .await;
    anonymous.assistant_after(0).await;
    let seq = anonymous.say(&mine, None).await;
    let (answer, cards) = anonymous.assistant_after(seq).await;
    assert!(
        answer.starts_with("Bitte melden Sie sich zuerst"),
        "{answer}"
    );
    assert!(cards.is_empty());
}

#[tokio::test]
async fn a_forged_identity_is_refused() {
    let (_sandbox, relay) = relay().await;
    let mut identity = support::identity("u-abel", ABEL_EMAIL);
    identity.email = "someone.else@example.com".into();
    let mut socket = support::raw_socket(&relay.ws_url(), support::ORIGIN)
        .await
        .expect("connects");
    use futures_util::{SinkExt, StreamExt};
    let hello = ClientFrame::Hello {
        visitor: None,
        identity: Some(identity),
        conversation: None,
        after: 0,
        locale: None,
    };
    socket
        .send(tokio_tungstenite::tungstenite::Message::text(
            serde_json::to_string(&hello).expect("frame"),
        ))
        .await
        .expect("sent");
    let reply = socket.next().await.expect("a reply").expect("frame");
    let frame: ServerFrame = serde_json::from_str(reply.to_text().expect("text")).expect("frame");
    assert_eq!(
        frame,
        ServerFrame::Refused {
            reason: Refusal::IdentityRejected,
            client_id: None
        }
    );
}

#[tokio::test]
async fn a_reconnecting_panel_gets_exactly_what_it_missed() {
    let (_sandbox, relay) = relay().await;
    let mut panel = Panel::abel(&relay).await;
    let seen = panel.say("hmm", None).await;
    let token = panel.visitor.clone();
    let conversation = panel.conversation.clone();
    // More happens while the panel is away: another socket of the same visitor talks.
    panel.close().await;
    let mut other = Panel::connect(
        &relay,
        ClientFrame::Hello {
            visitor: Some(token.clone()),
            identity: None,
            conversation: Some(conversation.clone()),
            after: 1_000,
            locale: None,
        },
    )
    .await;
    assert_eq!(other.conversation, conversation);
    let later = other.say("Cancel", Some("cancel")).await;
    other.assistant_after(later).await;
    let last_seq = other
        .entries
        .iter()
        .map(|entry| entry.seq)
        .max()
        .expect("entries");

    let mut back = Panel::connect(
        &relay,
        ClientFrame::Hello {
            visitor: Some(token),
            identity: None,
            conversation: Some(conversation),
            after: seen,
            locale: None,
        },
    )
    .await;
    // The replay follows the welcome directly.
    while back.entries.last().map(|entry| entry.seq) != Some(last_seq) {
        back.next().await;
    }
    let seqs: Vec<u64> = back.entries.iter().map(|entry| entry.seq).collect();
    assert_eq!(seqs, ((seen + 1)..=last_seq).collect::<Vec<_>>());
}

#[tokio::test]
async fn a_resent_message_is_kept_and_answered_once() {
    let (_sandbox, relay) = relay().await;
    let mut panel = Panel::abel(&relay).await;
    let send = ClientFrame::Send {
        conversation: panel.conversation.clone(),
        client_id: "same-id".into(),
        text: "Report a problem".into(),
        reply: Some("report".into()),
    };
    panel.send(&send).await;
    let first = panel
        .until(|frame| matches!(frame, ServerFrame::Ack { .. }))
        .await;
    panel.send(&send).await;
    let second = panel
        .until(|frame| matches!(frame, ServerFrame::Ack { .. }))
        .await;
    assert_eq!(first, second);
    panel.send(&ClientFrame::Ping).await;
    panel.until(|frame| *frame == ServerFrame::Pong).await;
    let from_visitor = panel
        .entries
        .iter()
        .filter(|entry| matches!(&entry.body, EntryBody::Message { client_id: Some(id), .. } if id == "same-id"))
        .count();
    let questions = panel
        .entries
        .iter()
        .filter(|entry| matches!(&entry.body, EntryBody::Message { text, .. } if text == "What is the problem, in one line?"))
        .count();
    assert_eq!((from_visitor, questions), (1, 1));
}

#[tokio::test]
async fn ending_a_conversation_puts_its_transcript_on_the_ticket_filed_in_it() {
    let (sandbox, relay) = relay().await;
    let mut panel = Panel::abel(&relay).await;
    panel.say("I need a new laptop", None).await;
    panel.say("New laptop", None).await;
    let seq = panel.say("Mine is six years old", None).await;
    let (_, cards) = panel.assistant_after(seq).await;
    panel
        .send(&ClientFrame::End {
            conversation: panel.conversation.clone(),
        })
        .await;
    panel
        .until(|frame| matches!(frame, ServerFrame::Entry { entry, .. } if entry.body == EntryBody::RatingRequested))
        .await;
    let request = &sandbox
        .table(&format!(
            "/api/now/table/sc_request?sysparm_query=number={}",
            cards[0]
        ))
        .await[0];
    let sys_id = request["sys_id"].as_str().expect("sys_id");
    let mut files = serde_json::Value::Null;
    for _ in 0..100 {
        files = sandbox
            .table(&format!(
                "/api/now/attachment?sysparm_query=table_sys_id={sys_id}"
            ))
            .await;
        if files.as_array().is_some_and(|files| !files.is_empty()) {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(files[0]["file_name"], "chat-transcript.txt", "{files}");
    assert_eq!(files[0]["table_name"], "sc_request");
    let transcript = sandbox
        .download(files[0]["sys_id"].as_str().expect("sys_id"))
        .await;
    assert!(
        transcript.contains("UTC  Visitor: Mine is six years old\n"),
        "{transcript}"
    );
    assert!(transcript.contains("Ended by Visitor"), "{transcript}");
}

#[tokio::test]
async fn a_desk_signed_in_with_oauth_refreshes_its_token_and_files_on() {
    let sandbox = Sandbox::start().await;
    let refresh_token = sandbox.refresh_token("admin").await;
    let relay = RelayProcess::start(
        &sandbox.url,
        RelayOptions {
            desk_auth: Some(format!(
                "oauth = {{ client_id = \"flare-relay\", client_secret = \"flare-relay-secret\", refresh_token = \"{refresh_token}\" }}"
            )),
            ..RelayOptions::default()
        },
    );
    let mut panel = Panel::abel(&relay).await;
    for round in 0..2 {
        if round == 1 {
            // Every access token the sandbox gave out expires now; refreshing still works.
            sandbox
                .send_json(
                    reqwest::Method::POST,
                    "/sandbox/oauth/expire-tokens",
                    serde_json::json!({}),
                )
                .await;
        }
        panel.say("Make a request", Some("request")).await;
        panel.say(&format!("Laptop {round}"), None).await;
        let seq = panel.say("For the new hire", None).await;
        let (answer, cards) = panel.assistant_after(seq).await;
        assert!(answer.starts_with("Done: REQ"), "round {round}: {answer}");
        let records = sandbox
            .table(&format!(
                "/api/now/table/sc_request?sysparm_query=number={}",
                cards[0]
            ))
            .await;
        assert_eq!(records[0]["requested_for"]["value"], ABEL_SYS_ID);
    }
}

#[tokio::test]
async fn a_visitor_keeps_several_conversations_with_unread_counts() {
    let (_sandbox, relay) = relay().await;
    let mut panel = Panel::abel(&relay).await;
    let first = panel.conversation.clone();
    panel.send(&ClientFrame::NewConversation).await;
    let opened = panel
        .until(|frame| matches!(frame, ServerFrame::Opened { .. }))
        .await;
    let ServerFrame::Opened { conversation } = opened else {
        unreachable!("matched above")
    };
    assert_ne!(conversation.id, first);
    // The new one opens with the greeting and the menu, both unread.
    assert_eq!(conversation.unread, 2);

    panel.send(&ClientFrame::List).await;
    let ServerFrame::Conversations { conversations } = panel
        .until(|frame| matches!(frame, ServerFrame::Conversations { .. }))
        .await
    else {
        unreachable!("matched above")
    };
    let ids: Vec<&str> = conversations
        .iter()
        .map(|summary| summary.id.as_str())
        .collect();
    assert_eq!(
        ids,
        [conversation.id.as_str(), first.as_str()],
        "newest first"
    );

    panel
        .send(&ClientFrame::Seen {
            conversation: first.clone(),
            seq: 2,
        })
        .await;
    panel.send(&ClientFrame::List).await;
    let ServerFrame::Conversations { conversations } = panel
        .until(|frame| matches!(frame, ServerFrame::Conversations { .. }))
        .await
    else {
        unreachable!("matched above")
    };
    let unread: Vec<u64> = conversations.iter().map(|summary| summary.unread).collect();
    assert_eq!(unread, [2, 0]);

    // Another visitor's conversation is not there for this one.
    let mut other = Panel::connect(
        &relay,
        Panel::hello_verified("u-fred", "fred.luddy@example.com"),
    )
    .await;
    other
        .send(&ClientFrame::Open {
            conversation: first,
            after: 0,
        })
        .await;
    let refusal = other
        .until(|frame| matches!(frame, ServerFrame::Refused { .. }))
        .await;
    assert_eq!(
        refusal,
        ServerFrame::Refused {
            reason: Refusal::UnknownConversation,
            client_id: None
        }
    );
}
