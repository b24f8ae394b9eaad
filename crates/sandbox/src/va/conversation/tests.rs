//! The conversation core driven as `crate::va` drives it: requests, agent actions and the idle
//! job in, transcripts out.

use super::*;
use crate::va::bot;
use crate::va::conversation::agent::AgentMessage;
use crate::va::conversation::flow::{Channel, IdleTimeout, SyncReply};
use crate::va::conversation::registry::Conversations;
use crate::va::conversation::request::history_for_agent;
use crate::va::conversation::transcript::{DeliveryStatus, Direction, EntryKind};
use crate::va::inbound::ValidRequest;

pub(in crate::va::conversation) const NOW: UnixSeconds = 1_700_000_000;

pub(in crate::va::conversation) fn request(json: Value) -> ValidRequest {
    crate::va::inbound::parse(json.to_string().as_bytes()).unwrap()
}

/// Sends a request now on a default channel; returns its conversation's id.
pub(in crate::va::conversation) fn send(conversations: &mut Conversations, json: Value) -> String {
    send_at(conversations, json, NOW)
}

/// Sends a request at `at` on a default channel; returns its conversation's id.
fn send_at(conversations: &mut Conversations, json: Value, at: UnixSeconds) -> String {
    conversations
        .handle_request(&request(json), at, Channel::default())
        .unwrap()
        .conversation_id
}

/// The kinds and texts of the outbound entries, in order.
fn replies(conversations: &Conversations, id: &str) -> Vec<(EntryKind, String)> {
    conversations
        .get(id)
        .unwrap()
        .entries()
        .iter()
        .filter(|entry| entry.direction() == Direction::Outbound)
        .map(|entry| (entry.kind, entry.text().unwrap_or_default().to_owned()))
        .collect()
}

fn message(request_id: &str, text: &str) -> Value {
    serde_json::json!({
        "requestId": request_id,
        "clientSessionId": "s1",
        "userId": "abel.tuter",
        "message": {"text": text, "typed": true},
    })
}

#[test]
fn hands_a_conversation_to_the_agent_and_back() {
    let mut conversations = Conversations::new(7);
    let start = serde_json::json!({
        "requestId": "r1", "action": "START_CONVERSATION", "clientSessionId": "s1",
        "userId": "abel.tuter", "message": {"text": "", "typed": true},
    });
    let id = send(&mut conversations, start);
    assert_eq!(send(&mut conversations, message("r2", "agent")), id);
    assert_eq!(
        send(&mut conversations, message("r3", "Live Agent Support.")),
        id
    );
    assert_eq!(
        conversations.list(Some(ConversationState::Waiting)).len(),
        1
    );
    conversations.accept(&id, "Beth Anglin", NOW).unwrap();
    send(&mut conversations, message("r4", "My VPN is down"));
    conversations.agent_typing(&id, true, NOW).unwrap();
    let text = AgentMessage::Text("Restart the client".to_owned());
    conversations.agent_message(&id, &text, NOW).unwrap();
    conversations.agent_end(&id, NOW).unwrap();

    let ended = "The conversation has ended. If you need help again, type hi.";
    assert_eq!(
        replies(&conversations, &id),
        [
            (
                EntryKind::BotReply,
                "Hi, I'm your Virtual Agent. Let me know how I can help you today.".to_owned()
            ),
            (EntryKind::BotReply, String::new()),
            (
                EntryKind::BotReply,
                "Please stand by while I connect you to a live agent.".to_owned()
            ),
            (EntryKind::WaitTime, String::new()),
            (EntryKind::AgentJoined, bot::AGENT_GREETING.to_owned()),
            (EntryKind::TypingStarted, String::new()),
            (EntryKind::AgentMessage, "Restart the client".to_owned()),
            (EntryKind::ConversationEnded, ended.to_owned()),
        ]
    );
    let conversation = conversations.get(&id).unwrap();
    let seqs: Vec<u64> = conversation
        .entries()
        .iter()
        .map(|entry| entry.seq)
        .collect();
    assert_eq!(seqs, (1..=12).collect::<Vec<u64>>());
    assert_eq!(conversation.state(), ConversationState::Ended);
    let last = conversation.entries().last().unwrap();
    assert_eq!(last.payload["completed"], true);
    assert_eq!(last.payload["requestId"], "r4");
}

#[test]
fn estimates_the_wait_from_the_queue() {
    let mut conversations = Conversations::new(13);
    let ask = |session: &str, at: UnixSeconds, conversations: &mut Conversations| {
        let mut asking = message("r1", "Live Agent Support.");
        asking["clientSessionId"] = Value::from(session);
        let id = send_at(conversations, asking, at);
        let spinner = conversations.get(&id).unwrap().entries().last().unwrap();
        assert_eq!(spinner.kind, EntryKind::WaitTime);
        let wait_time = spinner.payload["body"][0]["waitTime"].clone();
        (id, wait_time)
    };
    let (first, wait_time) = ask("s1", NOW, &mut conversations);
    assert_eq!(wait_time, "8 Seconds", "nobody waited yet");
    let (_, wait_time) = ask("s2", NOW, &mut conversations);
    assert_eq!(wait_time, "16 Seconds", "one chat ahead");
    conversations
        .accept(&first, "Beth Anglin", NOW + 30)
        .unwrap();
    let (_, wait_time) = ask("s3", NOW + 30, &mut conversations);
    assert_eq!(
        wait_time, "60 Seconds",
        "one ahead, and the last chat waited 30 s"
    );
}

#[test]
fn agent_actions_need_the_right_state() {
    let mut conversations = Conversations::new(1);
    let id = send(&mut conversations, message("r1", "hi"));
    let hello = AgentMessage::Text("hello".to_owned());
    assert_eq!(
        conversations.agent_message(&id, &hello, NOW),
        Err(AgentError::WrongState {
            id: id.clone(),
            state: ConversationState::Bot,
            operation: "sending",
            expected: "an agent",
        })
    );
    assert!(conversations.accept(&id, "Beth Anglin", NOW).is_err());
    assert!(conversations.agent_end(&id, NOW).is_err());
    assert_eq!(
        conversations.accept("nope", "Beth Anglin", NOW),
        Err(AgentError::NoConversation("nope".to_owned()))
    );
    send(
        &mut conversations,
        serde_json::json!({"requestId": "r2", "action": "AGENT", "clientSessionId": "s1", "userId": "abel.tuter"}),
    );
    conversations.accept(&id, "Beth Anglin", NOW).unwrap();
    let blank = AgentMessage::Text("  ".to_owned());
    assert_eq!(
        conversations.agent_message(&id, &blank, NOW),
        Err(AgentError::EmptyText)
    );
}

#[test]
fn refuses_controls_the_documents_cannot_carry() {
    let check = |message: AgentMessage, expected: &str| match message.validate() {
        Err(error) => assert_eq!(error.to_string(), expected),
        Ok(()) => panic!("{message:?} was accepted"),
    };
    let link = |url: &str, label: &str| AgentMessage::Link {
        url: url.to_owned(),
        label: label.to_owned(),
        header: None,
    };
    check(
        link("javascript:alert(1)", "Click"),
        "invalid link: `javascript:alert(1)` is not an http or https URL",
    );
    check(link("/kb", "KB"), "invalid link: `/kb` is not a URL");
    check(
        link("https://www.servicenow.com", ""),
        "invalid link: the label is empty",
    );
    check(
        AgentMessage::Card {
            template_name: "Poster".to_owned(),
            data: serde_json::json!({}),
        },
        "invalid card: unknown template `Poster`, expected one of Large image with text, Small image with text, Youtube Video Card, Card",
    );
    check(
        AgentMessage::Card {
            template_name: "Card".to_owned(),
            data: Value::from("{}"),
        },
        "invalid card: data must be a JSON object",
    );
    let image = AgentMessage::Image {
        url: "https://adaptivecards.io/content/cats/1.png".to_owned(),
        alt_text: None,
    };
    assert_eq!(image.validate(), Ok(()));
}

#[test]
fn answers_the_documented_actions() {
    let mut conversations = Conversations::new(3);
    let create = serde_json::json!({
        "requestId": "c1", "action": "CREATE_CONVERSATION", "userId": "abel.tuter",
        "message": {"text": "hi", "typed": false},
    });
    let id = send(&mut conversations, create);
    let reply = &conversations.get(&id).unwrap().entries()[1].payload;
    assert_eq!(reply["body"][0]["actionType"], "CreateConversation");
    assert_eq!(reply["interactionId"], reply["body"][0]["interactionId"]);
    assert_eq!(reply["body"][0]["conversationId"], id.as_str());

    let fault = serde_json::json!({
        "requestId": "f1", "action": "FAULT_CONVERSATION", "cause": "EXTERNAL_FAILURE",
        "userId": "abel.tuter",
    });
    send(&mut conversations, fault);
    let conversation = conversations.get(&id).unwrap();
    let reply = &conversation.entries()[3].payload;
    assert_eq!(reply["takeControl"], true);
    assert_eq!(reply["score"], 0);
    assert_eq!(reply["body"], serde_json::json!([]));
    assert_eq!(conversation.state(), ConversationState::Ended);
    assert_eq!(
        conversation.fault_cause.as_deref(),
        Some("EXTERNAL_FAILURE")
    );

    let history = serde_json::json!({
        "requestId": "h1", "action": "SEND_HISTORY", "userId": "abel.tuter",
        "history": [{"isBotMessage": false, "value": "help", "displayName": "User", "type": "text"}],
    });
    let second = send(&mut conversations, history);
    assert_ne!(second, id, "a new conversation after the fault");
    let conversation = conversations.get(&second).unwrap();
    assert_eq!(conversation.history.len(), 1);
    assert_eq!(
        conversation.entries()[1].payload,
        serde_json::json!({"status": "success"})
    );
}

#[test]
fn suppresses_bot_replies_while_silent() {
    let mut conversations = Conversations::new(5);
    let mut silent = message("r1", "hi");
    silent["silentMessage"] = Value::Bool(true);
    let id = send(&mut conversations, silent);
    let reply = conversations.get(&id).unwrap().entries()[1].clone();
    assert_eq!(reply.delivery.unwrap().status, DeliveryStatus::Suppressed);
    assert!(conversations.is_settled(&id));
    assert!(conversations.start_delivering(&id));
    assert_eq!(conversations.next_pending(&id), None);
}

#[test]
fn updates_agent_messages() {
    let mut conversations = Conversations::new(9);
    let id = send(&mut conversations, message("r1", "Live Agent Support."));
    conversations.accept(&id, "Beth Anglin", NOW).unwrap();
    // The request, the stand-by message and the spinner come first.
    let joined = conversations.get(&id).unwrap().entries()[3].clone();
    assert_eq!(joined.kind, EntryKind::AgentJoined);
    let message_id = joined.payload["body"][0]["messageId"].as_str().unwrap();
    let update = serde_json::json!({
        "requestId": "u1", "action": "UPDATE_MESSAGES", "clientSessionId": "s1",
        "userId": "abel.tuter",
        "message": [{"status": "SENT_TO_USER", "id": message_id, "text": "Thanks!"}],
    });
    let update = request(update);
    let refused = conversations.handle_request(&update, NOW, Channel::default());
    assert_eq!(refused, Err(RequestError::NotThirdPartyChat));
    let third_party_chat = Channel {
        third_party_chat: true,
        ..Channel::default()
    };
    let sync_reply = conversations
        .handle_request(&update, NOW, third_party_chat)
        .unwrap()
        .sync_reply;
    assert_eq!(sync_reply, SyncReply::MessagesUpdated);
    let joined = &conversations.get(&id).unwrap().entries()[3];
    assert_eq!(joined.client_status.as_deref(), Some("sent_to_user"));
    assert_eq!(joined.updated_text.as_deref(), Some("Thanks!"));
}

#[test]
fn the_idle_job_closes_conversations_at_its_next_run() {
    let hourly = IdleTimeout {
        timeout_secs: 3600,
        job_interval_secs: 3600,
    };
    let start = 7200 + 600;
    let mut conversations = Conversations::new(11);
    let id = send_at(&mut conversations, message("r1", "hi"), start);
    let mut standalone = message("r1", "hi");
    standalone["clientSessionId"] = Value::from("s2");
    standalone["botToBot"] = Value::Bool(false);
    let standalone_id = send_at(&mut conversations, standalone, start);

    // Idle for longer than an hour only after 11400; the next hourly run is at 14400.
    conversations.close_idle(14_399, hourly);
    assert_eq!(
        conversations.get(&id).unwrap().state(),
        ConversationState::Bot
    );
    conversations.close_idle(14_400, hourly);
    let closed = conversations.get(&id).unwrap();
    assert_eq!(closed.state(), ConversationState::Ended);
    assert_eq!(closed.ended_at, Some(14_400));
    assert_eq!(closed.end_reason, Some(EndReason::IdleTimeout));
    assert_eq!(
        conversations.get(&standalone_id).unwrap().state(),
        ConversationState::Bot,
        "only bot-to-bot conversations time out"
    );

    // A run exactly at the time-out does not close: "idle longer than" the timeout.
    let exact = IdleTimeout {
        timeout_secs: 60,
        job_interval_secs: 60,
    };
    let mut conversations = Conversations::new(12);
    let id = send_at(&mut conversations, message("r1", "hi"), 600);
    conversations.close_idle(660, exact);
    assert_eq!(
        conversations.get(&id).unwrap().state(),
        ConversationState::Bot
    );
    conversations.close_idle(720, exact);
    assert_eq!(conversations.get(&id).unwrap().ended_at, Some(720));
}

#[test]
fn stores_the_history_for_the_agent_as_configured() {
    let items = [
        serde_json::json!({"isBotMessage": true, "value": "How can I help you?", "displayName": "Genesys Bot"}),
        serde_json::json!({"isBotMessage": false, "value": "VPN <down>"}),
    ];
    assert_eq!(
        history_for_agent(&items, HistoryFormat::MultiText),
        ["Genesys Bot: How can I help you?", "User: VPN <down>"]
    );
    assert_eq!(
        history_for_agent(&items, HistoryFormat::Text),
        ["Genesys Bot: How can I help you?\nUser: VPN <down>"]
    );
    assert_eq!(
        history_for_agent(&items, HistoryFormat::Html),
        ["<div><p><strong>Genesys Bot</strong>: How can I help you?</p><p><strong>User</strong>: VPN &lt;down&gt;</p></div>"]
    );
    assert!(history_for_agent(&[], HistoryFormat::Text).is_empty());
}
