use super::*;
use crate::providers::servicenow::incident_state;
use crate::ticket::PersonRef;

fn incident(id: &str, state: &str, updated: i64) -> Ticket {
    Ticket {
        id: id.to_owned(),
        reference: format!("INC{id}"),
        title: "Printer jams".to_owned(),
        description: String::new(),
        status: incident_state(state),
        priority: None,
        assignee: None,
        requester: None,
        created: None,
        updated: Some(Timestamp(updated)),
        web_link: String::new(),
        native: BTreeMap::new(),
    }
}

fn comment(id: &str, author: &str, written: i64, public: bool) -> Comment {
    Comment {
        id: id.to_owned(),
        author: Some(PersonRef {
            id: author.to_owned(),
            name: None,
        }),
        body: format!("comment {id}"),
        created: Some(Timestamp(written)),
        public,
    }
}

fn findings(tickets: Vec<Ticket>, comments: Vec<(&str, Comment)>) -> Findings {
    Findings {
        tickets,
        comments: comments
            .into_iter()
            .map(|(id, comment)| (id.to_owned(), comment))
            .collect(),
    }
}

/// A watch that has had its first sync: ticket 1 New, ticket 2 In Progress, at 100.
fn started() -> Watch {
    let mut watch = Watch::default();
    assert_eq!(watch.since(), None, "a first sync asks for everything");
    let told = watch.apply(
        findings(
            vec![incident("1", "1", 90), incident("2", "2", 100)],
            vec![("1", comment("c0", "itil", 90, true))],
        ),
        "abel.tuter",
    );
    assert!(told.is_empty(), "the first sync only learns");
    assert_eq!(watch.unseen_count(), 0);
    watch
}

#[test]
fn the_next_sync_asks_again_from_the_watermarks_second() {
    let watch = started();
    assert_eq!(watch.watermark, Some(Timestamp(100)));
    assert_eq!(watch.since(), Some(Timestamp(99)));
}

#[test]
fn an_agents_comment_and_a_new_state_are_told_and_counted_once_per_ticket() {
    let mut watch = started();
    let told = watch.apply(
        findings(
            vec![incident("1", "2", 130), incident("2", "6", 120)],
            vec![("1", comment("c1", "itil", 130, true))],
        ),
        "abel.tuter",
    );
    assert_eq!(
        told,
        [
            Change::StateChanged {
                ticket_id: "1".to_owned(),
                reference: "INC1".to_owned(),
                title: "Printer jams".to_owned(),
                status: "In Progress".to_owned()
            },
            Change::StateChanged {
                ticket_id: "2".to_owned(),
                reference: "INC2".to_owned(),
                title: "Printer jams".to_owned(),
                status: "Resolved".to_owned()
            },
            Change::Commented {
                ticket_id: "1".to_owned(),
                reference: "INC1".to_owned(),
                title: "Printer jams".to_owned(),
                author: Some("itil".to_owned()),
                body: "comment c1".to_owned()
            },
        ]
    );
    assert_eq!(watch.unseen_count(), 2, "two tickets changed");
    assert_eq!(watch.since(), Some(Timestamp(129)));
    watch.mark_seen("1");
    assert_eq!(watch.unseen_count(), 1);
    watch.mark_all_seen();
    assert_eq!(watch.unseen_count(), 0);
}

#[test]
fn what_was_seen_in_the_watermarks_second_is_not_told_again() {
    let mut watch = started();
    let again = findings(
        vec![incident("1", "1", 130)],
        vec![("1", comment("c1", "itil", 130, true))],
    );
    assert_eq!(watch.apply(again.clone(), "abel.tuter").len(), 1);
    assert!(
        watch.apply(again, "abel.tuter").is_empty(),
        "the same comment, asked for again"
    );
    // Comments older than the next `since` cannot come back, so they are forgotten.
    watch.apply(
        findings(vec![incident("1", "1", 200)], vec![]),
        "abel.tuter",
    );
    assert!(watch.recent_comments.is_empty());
}

#[test]
fn my_own_comments_work_notes_and_new_tickets_are_not_told() {
    let mut watch = started();
    let told = watch.apply(
        findings(
            vec![incident("1", "1", 140), incident("3", "1", 140)],
            vec![
                ("1", comment("c2", "abel.tuter", 140, true)),
                ("1", comment("c3", "itil", 140, false)),
            ],
        ),
        "abel.tuter",
    );
    assert!(told.is_empty(), "{told:?}");
    assert_eq!(
        watch.known.get("3").map(String::as_str),
        Some("1"),
        "a new ticket is followed"
    );
    assert_eq!(watch.unseen_count(), 0);
}

#[test]
fn zendesk_changes_are_the_requested_tickets_updated_since() {
    assert_eq!(
        zendesk_changed_tickets(7, Some(Timestamp::from_utc(2024, 3, 1, 9, 5, 0))).query(),
        "type:ticket requester:7 updated>2024-03-01T09:05:00Z"
    );
    assert_eq!(
        zendesk_changed_tickets(7, None).query(),
        "type:ticket requester:7"
    );
}

#[test]
fn a_zendesk_tickets_description_is_no_news() {
    let comments = vec![
        comment("1", "9", 100, true),
        comment("2", "9", 150, true),
        comment("3", "9", 200, false),
    ];
    let found = zendesk_comment_findings("42", comments.clone(), Timestamp(120));
    let ids: Vec<(&str, &str)> = found
        .iter()
        .map(|(ticket, comment)| (ticket.as_str(), comment.id.as_str()))
        .collect();
    assert_eq!(ids, [("42", "2"), ("42", "3")]);
    // The description is skipped even when written after `since`.
    let found = zendesk_comment_findings("42", comments, Timestamp(50));
    assert_eq!(found.len(), 2);
    assert!(found.iter().all(|(_, comment)| comment.id != "1"));
}
