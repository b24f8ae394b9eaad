use super::*;

const VERIFIED: Audience = Audience {
    desk: Desk::ServiceNow,
    verified: true,
};

const ANONYMOUS: Audience = Audience {
    desk: Desk::ServiceNow,
    verified: false,
};

fn values(say: &Say) -> Vec<&'static str> {
    say.choices.iter().map(|(_, value)| *value).collect()
}

#[test]
fn the_greeting_offers_the_menu_and_zendesk_has_no_requests() {
    let says = Assistant::greet(VERIFIED);
    assert_eq!(says[0].phrase, Phrase::Greeting);
    assert_eq!(
        values(&says[1]),
        ["report", "request", "look_up", "list", "comment", "person"]
    );
    let zendesk = Assistant::greet(Audience {
        desk: Desk::Zendesk,
        verified: true,
    });
    assert!(!values(&zendesk[1]).contains(&"request"));
}

#[test]
fn reporting_a_problem_asks_title_details_urgency_then_files() {
    let mut assistant = Assistant::default();
    let turn = assistant.handle(Input::Reply("report"), VERIFIED);
    assert_eq!(turn.says[0].phrase, Phrase::AskTitle);
    let turn = assistant.handle(Input::Text("  VPN drops every hour "), VERIFIED);
    assert_eq!(turn.says[0].phrase, Phrase::AskDescription);
    let turn = assistant.handle(Input::Text("Since Monday, on Wi-Fi only."), VERIFIED);
    assert_eq!(turn.says[0].phrase, Phrase::AskUrgency);
    assert_eq!(values(&turn.says[0]), ["high", "medium", "low", "cancel"]);
    let turn = assistant.handle(Input::Text("banana"), VERIFIED);
    assert_eq!(turn.says[0].phrase, Phrase::PickUrgency);
    let turn = assistant.handle(Input::Reply("high"), VERIFIED);
    assert_eq!(
        turn.action,
        Some(Action::FileIncident(Report {
            title: "VPN drops every hour".into(),
            description: "Since Monday, on Wi-Fi only.".into(),
            urgency: Urgency::High,
        }))
    );
    let says = assistant.after(
        &Outcome::Filed {
            number: "INC0010042".into(),
        },
        VERIFIED,
    );
    assert_eq!(
        says[0].phrase.text("en"),
        "Done: INC0010042 is filed. We will follow up on it there."
    );
    // Back at the menu: the next words pick from it again.
    let turn = assistant.handle(Input::Text("my tickets please"), VERIFIED);
    assert_eq!(turn.action, Some(Action::ListMine));
}

#[test]
fn a_request_skips_the_urgency() {
    let mut assistant = Assistant::default();
    assistant.handle(Input::Text("I need a new laptop"), VERIFIED);
    assistant.handle(Input::Text("New laptop"), VERIFIED);
    let turn = assistant.handle(Input::Text("Mine is six years old"), VERIFIED);
    assert_eq!(
        turn.action,
        Some(Action::FileRequest(Report {
            title: "New laptop".into(),
            description: "Mine is six years old".into(),
            urgency: Urgency::Medium,
        }))
    );
}

#[test]
fn a_ticket_number_typed_at_the_menu_looks_it_up_at_once() {
    let mut assistant = Assistant::default();
    let turn = assistant.handle(Input::Text("what about inc0010001?"), VERIFIED);
    assert_eq!(
        turn.action,
        Some(Action::LookUp {
            number: "INC0010001".into()
        })
    );
    let turn = assistant.handle(Input::Text("and #42"), VERIFIED);
    assert_eq!(
        turn.action,
        Some(Action::LookUp {
            number: "#42".into()
        })
    );
}

#[test]
fn commenting_asks_the_number_then_the_text() {
    let mut assistant = Assistant::default();
    assistant.handle(Input::Reply("comment"), VERIFIED);
    let turn = assistant.handle(Input::Text("INC0010001"), VERIFIED);
    assert_eq!(turn.says[0].phrase, Phrase::AskComment);
    let turn = assistant.handle(Input::Text("Still broken."), VERIFIED);
    assert_eq!(
        turn.action,
        Some(Action::Comment {
            number: "INC0010001".into(),
            text: "Still broken.".into()
        })
    );
}

#[test]
fn cancel_goes_back_to_the_menu_from_any_question() {
    let mut assistant = Assistant::default();
    assistant.handle(Input::Reply("report"), VERIFIED);
    assistant.handle(Input::Text("Printer"), VERIFIED);
    let turn = assistant.handle(Input::Text("Abbrechen"), VERIFIED);
    assert_eq!(turn.says[0].phrase, Phrase::Cancelled);
    assert_eq!(assistant, Assistant::default());
}

#[test]
fn an_anonymous_visitor_is_offered_a_person_instead_of_tickets() {
    let mut assistant = Assistant::default();
    for input in [
        Input::Reply("report"),
        Input::Reply("list"),
        Input::Text("INC0010001"),
    ] {
        let turn = assistant.handle(input, ANONYMOUS);
        assert_eq!(turn.action, None, "{input:?}");
        assert_eq!(turn.says[0].phrase, Phrase::SignInFirst);
        assert_eq!(values(&turn.says[0]), ["person"]);
    }
    let turn = assistant.handle(Input::Reply("person"), ANONYMOUS);
    assert_eq!(turn.action, Some(Action::HandOff));
}

#[test]
fn with_a_person_the_assistant_is_quiet_until_they_leave() {
    let mut assistant = Assistant::default();
    assistant.handle(Input::Text("can I talk to a human"), VERIFIED);
    assistant.after(&Outcome::Queued { now_ms: 5 }, VERIFIED);
    assert_eq!(assistant.waiting_since(), Some(5));
    assert!(assistant.with_person());
    assert_eq!(assistant.agent(), None);
    assistant.agent_joined("Beth Anglin");
    assert_eq!(assistant.agent(), Some("Beth Anglin"));
    assert_eq!(assistant.waiting_since(), None);
    let turn = assistant.handle(Input::Text("report a problem"), VERIFIED);
    assert_eq!(turn, Turn::silent());
    assistant.back_from_person();
    let turn = assistant.handle(Input::Text("report a problem"), VERIFIED);
    assert_eq!(turn.says[0].phrase, Phrase::AskTitle);
}

#[test]
fn unknown_words_and_foreign_buttons_get_the_menu_again() {
    let mut assistant = Assistant::default();
    for input in [Input::Text("hmm"), Input::Reply("request")] {
        let audience = Audience {
            desk: Desk::Zendesk,
            verified: true,
        };
        let turn = assistant.handle(input, audience);
        assert_eq!(turn.says[0].phrase, Phrase::NotUnderstood, "{input:?}");
    }
}

#[test]
fn the_state_survives_being_stored_as_json() {
    let mut assistant = Assistant::default();
    assistant.handle(Input::Reply("report"), VERIFIED);
    assistant.handle(Input::Text("Printer"), VERIFIED);
    let stored = serde_json::to_string(&assistant).expect("serialises");
    let mut restored: Assistant = serde_json::from_str(&stored).expect("reads back");
    let turn = restored.handle(Input::Text("It jams"), VERIFIED);
    assert_eq!(turn.says[0].phrase, Phrase::AskUrgency);
}

#[test]
fn every_phrase_has_words_in_both_languages() {
    let phrases = [
        Phrase::Greeting,
        Phrase::WhatCanIDo,
        Phrase::MenuReport,
        Phrase::MenuRequest,
        Phrase::MenuLookUp,
        Phrase::MenuList,
        Phrase::MenuComment,
        Phrase::MenuPerson,
        Phrase::Cancel,
        Phrase::Cancelled,
        Phrase::NotUnderstood,
        Phrase::SignInFirst,
        Phrase::AskTitle,
        Phrase::AskRequestTitle,
        Phrase::AskDescription,
        Phrase::AskUrgency,
        Phrase::UrgencyHigh,
        Phrase::UrgencyMedium,
        Phrase::UrgencyLow,
        Phrase::PickUrgency,
        Phrase::AskNumber,
        Phrase::AskCommentNumber,
        Phrase::AskComment,
        Phrase::Filed { number: "X".into() },
        Phrase::HereItIs,
        Phrase::YourOpenTickets,
        Phrase::NoOpenTickets,
        Phrase::CommentAdded,
        Phrase::NotFound,
        Phrase::DeskUnavailable,
        Phrase::FindingPerson,
        Phrase::NobodyAvailable,
        Phrase::NoRoute,
        Phrase::UnknownVisitor,
        Phrase::FileTicket,
        Phrase::NoThanks,
        Phrase::TicketMoved {
            number: "INC1".into(),
            state: "Resolved".into(),
        },
        Phrase::TicketCommented {
            number: "INC1".into(),
            author: None,
            text: "Done".into(),
        },
    ];
    for phrase in phrases {
        let english = phrase.text("en");
        let german = phrase.text("de-AT");
        assert!(!english.is_empty(), "{phrase:?}");
        assert!(!german.is_empty(), "{phrase:?}");
        assert_ne!(english, german, "{phrase:?}");
    }
}

#[test]
fn when_nobody_comes_a_ticket_with_the_conversation_is_offered() {
    let mut assistant = Assistant::default();
    assistant.handle(Input::Reply("person"), ANONYMOUS);
    assistant.after(&Outcome::Queued { now_ms: 1 }, ANONYMOUS);
    let says = assistant.after(&Outcome::NobodyAvailable, ANONYMOUS);
    assert_eq!(says[0].phrase, Phrase::NobodyAvailable);
    assert_eq!(values(&says[0]), ["file_transcript", "cancel"]);
    let turn = assistant.handle(Input::Reply("file_transcript"), ANONYMOUS);
    assert_eq!(turn.action, Some(Action::FileTranscript));

    // Declining goes back to the menu.
    let mut declining = Assistant::default();
    declining.after(&Outcome::NobodyAvailable, VERIFIED);
    let turn = declining.handle(Input::Reply("cancel"), VERIFIED);
    assert_eq!(turn.says[0].phrase, Phrase::Cancelled);
}
