use flare_core::chat::protocol::Author;

use super::*;

fn message(author: Author, text: &str) -> EntryBody {
    EntryBody::Message {
        author,
        text: text.into(),
        client_id: None,
        quick_replies: vec![],
        cards: vec![],
    }
}

fn visitor_says(client_id: &str, text: &str) -> crate::store::NewEntry {
    crate::store::NewEntry {
        body: message(Author::Visitor, text),
        client_id: Some(client_id.into()),
    }
}

fn assistant_says(text: &str) -> crate::store::NewEntry {
    crate::store::NewEntry {
        body: message(Author::Assistant, text),
        client_id: None,
    }
}

fn change<'a>(conversation_id: &'a str, entries: Vec<crate::store::NewEntry>) -> Change<'a> {
    Change {
        conversation_id,
        entries,
        assistant: None,
        ends: false,
        outbound: vec![],
        once: None,
        now_ms: 1_000,
    }
}

fn temp_dir() -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("flare-relay-store-{}", random_id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

#[test]
fn sequence_numbers_have_no_gaps_and_a_resent_client_id_is_kept_once() {
    let store = SqliteStore::in_memory().expect("store");
    let visitor = store.create_visitor("demo", "hash-1").expect("visitor");
    let conversation = store
        .create_conversation(&visitor.id, "en", 1)
        .expect("conversation");
    let kept = store
        .record(change(
            &conversation.id,
            vec![assistant_says("Hi"), visitor_says("m-1", "Hello")],
        ))
        .expect("record");
    assert_eq!(
        kept.iter()
            .map(|kept| (kept.entry.seq, kept.fresh))
            .collect::<Vec<_>>(),
        [(1, true), (2, true)]
    );
    let again = store
        .record(change(&conversation.id, vec![visitor_says("m-1", "Hello")]))
        .expect("record");
    assert_eq!((again[0].entry.seq, again[0].fresh), (2, false));
    let next = store
        .record(change(&conversation.id, vec![visitor_says("m-2", "More")]))
        .expect("record");
    assert_eq!(next[0].entry.seq, 3);
    let entries = store
        .entries_after(&conversation.id, 1, 100)
        .expect("entries");
    assert_eq!(
        entries.iter().map(|entry| entry.seq).collect::<Vec<_>>(),
        [2, 3]
    );
}

#[test]
fn everything_survives_closing_and_reopening_the_file() {
    let dir = temp_dir();
    let (visitor_id, conversation_id) = {
        let store = SqliteStore::open(&dir).expect("store");
        let visitor = store.create_visitor("demo", "hash-2").expect("visitor");
        let conversation = store
            .create_conversation(&visitor.id, "en", 1)
            .expect("conversation");
        let mut assistant = Assistant::default();
        assistant.back_from_person();
        store
            .record(Change {
                assistant: Some(&assistant),
                ends: true,
                ..change(&conversation.id, vec![visitor_says("m-1", "Kept?")])
            })
            .expect("record");
        (visitor.id, conversation.id)
    };
    let store = SqliteStore::open(&dir).expect("reopened");
    let visitor = store
        .visitor_by_token("demo", "hash-2")
        .expect("read")
        .expect("found");
    assert_eq!(visitor.id, visitor_id);
    assert_eq!(
        store
            .visitor_by_token("other-site", "hash-2")
            .expect("read"),
        None
    );
    let conversation = store
        .conversation(&conversation_id)
        .expect("read")
        .expect("found");
    assert!(conversation.ended);
    let entries = store
        .entries_after(&conversation_id, 0, 10)
        .expect("entries");
    assert_eq!(entries.len(), 1);
    std::fs::remove_dir_all(dir).ok();
}

#[test]
fn unread_counts_what_the_visitor_did_not_write_and_has_not_seen() {
    let store = SqliteStore::in_memory().expect("store");
    let visitor = store.create_visitor("demo", "hash-3").expect("visitor");
    let older = store
        .create_conversation(&visitor.id, "en", 1)
        .expect("conversation");
    let newer = store
        .create_conversation(&visitor.id, "en", 2)
        .expect("conversation");
    store
        .record(change(
            &newer.id,
            vec![
                assistant_says("Hi"),
                visitor_says("m-1", "Hey"),
                assistant_says("What?"),
            ],
        ))
        .expect("record");
    let summaries = store.summaries(&visitor.id).expect("summaries");
    assert_eq!(summaries[0].id, newer.id);
    assert_eq!(summaries[0].unread, 2);
    assert_eq!(summaries[0].last_text, "What?");
    assert_eq!(summaries[1].id, older.id);
    store.mark_seen(&newer.id, 2).expect("seen");
    assert_eq!(
        store.summaries(&visitor.id).expect("summaries")[0].unread,
        1
    );
    // Seeing past the end counts as seeing the end.
    store.mark_seen(&newer.id, 99).expect("seen");
    assert_eq!(
        store.summaries(&visitor.id).expect("summaries")[0].unread,
        0
    );
}

#[test]
fn a_verified_visitor_is_found_again_by_their_external_id() {
    let store = SqliteStore::in_memory().expect("store");
    let user = VerifiedUser {
        external_id: "u-7".into(),
        email: "abel.tuter@example.com".into(),
        name: "Abel".into(),
    };
    let first = store.verified_visitor("demo", &user).expect("visitor");
    store
        .set_desk_user(&first.id, "sys-abel")
        .expect("desk user");
    store.add_token(&first.id, "hash-a").expect("token");
    let renamed = VerifiedUser {
        name: "Abel Tuter".into(),
        ..user.clone()
    };
    let again = store.verified_visitor("demo", &renamed).expect("visitor");
    assert_eq!(again.id, first.id);
    assert_eq!(again.desk_user.as_deref(), Some("sys-abel"));
    assert_eq!(
        again.verified.as_ref().map(|user| user.name.as_str()),
        Some("Abel Tuter")
    );
    // A new email address means another service desk user: looked up again.
    let moved = VerifiedUser {
        email: "abel@example.org".into(),
        ..renamed
    };
    assert_eq!(
        store
            .verified_visitor("demo", &moved)
            .expect("visitor")
            .desk_user,
        None
    );
    assert_eq!(
        store
            .visitor_by_token("demo", "hash-a")
            .expect("read")
            .map(|visitor| visitor.id),
        Some(first.id)
    );
}

#[test]
fn a_change_to_a_missing_conversation_is_refused() {
    let store = SqliteStore::in_memory().expect("store");
    let error = store
        .record(change("nope", vec![assistant_says("Hi")]))
        .expect_err("missing");
    assert!(matches!(error, StoreError::NoConversation(_)), "{error}");
}

#[test]
fn the_outbound_queue_hands_out_each_conversations_oldest_message_first() {
    let store = SqliteStore::in_memory().expect("store");
    let visitor = store.create_visitor("demo", "hash-4").expect("visitor");
    let first = store
        .create_conversation(&visitor.id, "en", 1)
        .expect("conversation");
    let second = store
        .create_conversation(&visitor.id, "en", 1)
        .expect("conversation");
    for (conversation, payloads) in [(&first, vec!["a1", "a2"]), (&second, vec!["b1"])] {
        store
            .record(Change {
                outbound: payloads.into_iter().map(String::from).collect(),
                ..change(&conversation.id, vec![])
            })
            .expect("record");
    }
    assert_eq!(store.outbound_depth().expect("depth"), 3);
    let due = store.due_outbound(1_000, 10).expect("due");
    let payloads: Vec<&str> = due
        .iter()
        .map(|outgoing| outgoing.payload.as_str())
        .collect();
    assert_eq!(payloads, ["a1", "b1"]);
    // a1 fails and waits; a2 must not overtake it.
    store.outbound_later(due[0].id, 5_000).expect("later");
    store.outbound_done(due[1].id).expect("done");
    assert_eq!(store.due_outbound(2_000, 10).expect("due"), vec![]);
    let retried = store.due_outbound(5_000, 10).expect("due");
    assert_eq!(
        (retried[0].payload.as_str(), retried[0].attempts),
        ("a1", 1)
    );
    store.outbound_done(retried[0].id).expect("done");
    assert_eq!(store.due_outbound(5_000, 10).expect("due")[0].payload, "a2");
}

#[test]
fn a_change_with_a_key_applies_once() {
    let store = SqliteStore::in_memory().expect("store");
    let visitor = store.create_visitor("demo", "hash-5").expect("visitor");
    let conversation = store
        .create_conversation(&visitor.id, "en", 1)
        .expect("conversation");
    let delivery = || Change {
        once: Some("delivery-1"),
        ..change(&conversation.id, vec![assistant_says("From the agent")])
    };
    assert_eq!(store.record(delivery()).expect("record").len(), 1);
    assert_eq!(store.record(delivery()).expect("record"), vec![]);
    assert_eq!(
        store
            .entries_after(&conversation.id, 0, 10)
            .expect("entries")
            .len(),
        1
    );
    assert_eq!(
        store
            .visitor(&visitor.id)
            .expect("read")
            .map(|found| found.id),
        Some(visitor.id)
    );
    assert_eq!(store.visitor("nobody").expect("read"), None);
}
