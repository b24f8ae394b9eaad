use super::*;

#[test]
fn a_hello_with_nothing_but_its_type_is_a_first_visit() {
    let frame = ClientFrame::parse(r#"{"type":"hello"}"#).expect("valid");
    assert_eq!(
        frame,
        ClientFrame::Hello {
            visitor: None,
            identity: None,
            conversation: None,
            after: 0,
            locale: None
        }
    );
}

#[test]
fn a_send_reads_its_client_id_text_and_reply() {
    let frame = ClientFrame::parse(
        r#"{"type":"send","conversation":"c1","client_id":"m-1","text":"Report a problem","reply":"report"}"#,
    )
    .expect("valid");
    assert_eq!(
        frame,
        ClientFrame::Send {
            conversation: "c1".into(),
            client_id: "m-1".into(),
            text: "Report a problem".into(),
            reply: Some("report".into())
        }
    );
}

#[test]
fn unknown_or_broken_frames_are_malformed() {
    for text in [
        "",
        "not json",
        r#"{"type":"shout"}"#,
        r#"{"type":"send","conversation":"c1","text":"hi"}"#,
        r#"{"type":"send","conversation":"c1","client_id":"","text":"hi"}"#,
        r#"{"type":"send","conversation":"c1","client_id":"m","text":"   "}"#,
        r#"{"type":"rate","conversation":"c1","score":6}"#,
    ] {
        assert_eq!(
            ClientFrame::parse(text),
            Err(Unreadable(Refusal::Malformed)),
            "{text}"
        );
    }
}

#[test]
fn a_frame_past_the_byte_bound_is_too_large_before_it_is_parsed() {
    let text = format!(
        r#"{{"type":"send","conversation":"c1","client_id":"m","text":"{}"}}"#,
        "a".repeat(MAX_FRAME_BYTES)
    );
    assert_eq!(
        ClientFrame::parse(&text),
        Err(Unreadable(Refusal::TooLarge))
    );
}

#[test]
fn a_message_past_the_character_bound_is_too_large() {
    // Multi-byte characters: within the byte bound, past the character bound.
    let text = format!(
        r#"{{"type":"send","conversation":"c1","client_id":"m","text":"{}"}}"#,
        "é".repeat(MAX_TEXT_CHARS + 1)
    );
    assert!(text.len() <= MAX_FRAME_BYTES);
    assert_eq!(
        ClientFrame::parse(&text),
        Err(Unreadable(Refusal::TooLarge))
    );
}

#[test]
fn entries_round_trip_with_their_kind_and_author() {
    let frame = ServerFrame::Entry {
        conversation: "c1".into(),
        entry: Entry {
            seq: 7,
            at_ms: 1_700_000_000_000,
            body: EntryBody::Message {
                author: Author::Agent {
                    name: "Beth Anglin".into(),
                },
                text: "<b>not markup</b>".into(),
                client_id: None,
                quick_replies: vec![],
                cards: vec![],
            },
        },
    };
    let text = frame.to_text();
    assert!(text.contains(r#""type":"entry""#), "{text}");
    assert!(text.contains(r#""kind":"message""#), "{text}");
    assert!(text.contains(r#""role":"agent""#), "{text}");
    let read: ServerFrame = serde_json::from_str(&text).expect("reads back");
    assert_eq!(read, frame);
}

#[test]
fn refusals_are_snake_case_words() {
    let text = ServerFrame::Refused {
        reason: Refusal::RateLimited,
        client_id: Some("m-2".into()),
    }
    .to_text();
    assert_eq!(
        text,
        r#"{"type":"refused","reason":"rate_limited","client_id":"m-2"}"#
    );
}
