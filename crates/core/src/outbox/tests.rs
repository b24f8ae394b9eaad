use super::*;

const NOW: u64 = 1_700_000_000_000;

fn outbox_with(ids: &[&str]) -> Outbox<String> {
    let mut outbox = Outbox::default();
    for id in ids {
        outbox.queue(
            (*id).to_owned(),
            "c1".to_owned(),
            format!("flare-{id}"),
            format!("report {id}"),
            NOW,
        );
    }
    outbox
}

fn waiting_until(outbox: &Outbox<String>, id: &str) -> u64 {
    match outbox.find(id).map(|entry| &entry.state) {
        Some(EntryState::Waiting { at_ms, .. }) => *at_ms,
        other => panic!("{id} is not waiting: {other:?}"),
    }
}

fn network() -> CoreError {
    CoreError::Network {
        message: "offline".to_owned(),
    }
}

#[test]
fn a_queued_report_is_due_at_once() {
    let outbox = outbox_with(&["a", "b"]);
    assert_eq!(outbox.due(NOW), ["a", "b"]);
    assert_eq!(outbox.next_due_ms(), Some(NOW));
}

#[test]
fn transient_failures_back_off_doubling_up_to_the_longest_wait() {
    let mut outbox = outbox_with(&["a"]);
    let mut now = NOW;
    let mut waits = Vec::new();
    for _ in 0..10 {
        outbox.start("a");
        outbox.failed("a", network(), now, 0.0);
        let at = waiting_until(&outbox, "a");
        waits.push(at - now);
        assert!(outbox.due(at - 1).is_empty());
        assert_eq!(outbox.due(at), ["a"]);
        now = at;
    }
    assert_eq!(&waits[..4], [30_000, 60_000, 120_000, 240_000]);
    assert_eq!(waits[9], LONGEST_RETRY_MS);
    assert_eq!(
        outbox.find("a").unwrap().n_attempts,
        10,
        "it never gives up"
    );
}

#[test]
fn jitter_spreads_tries_by_up_to_a_quarter() {
    let mut outbox = outbox_with(&["a"]);
    outbox.start("a");
    outbox.failed("a", CoreError::Server { status: 503 }, NOW, 0.999);
    let wait = waiting_until(&outbox, "a") - NOW;
    assert!((37_000..37_500).contains(&wait), "{wait}");
}

#[test]
fn a_rate_limit_is_waited_out_in_full() {
    let mut outbox = outbox_with(&["a"]);
    outbox.start("a");
    let limited = CoreError::RateLimited {
        retry_after_secs: Some(600),
    };
    outbox.failed("a", limited.clone(), NOW, 0.0);
    assert_eq!(waiting_until(&outbox, "a"), NOW + 600_000);
    let Some(EntryState::Waiting { last_error, .. }) = outbox.find("a").map(|entry| &entry.state)
    else {
        panic!("waiting");
    };
    assert_eq!(last_error.as_ref(), Some(&limited), "the queue can say why");
}

#[test]
fn a_sign_in_that_ran_out_waits_for_the_user_then_goes_at_once() {
    let mut outbox = outbox_with(&["a", "b"]);
    outbox.start("a");
    outbox.failed(
        "a",
        CoreError::SignInAgain {
            message: "invalid_grant".to_owned(),
        },
        NOW,
        0.0,
    );
    assert_eq!(outbox.due(NOW + LONGEST_RETRY_MS * 10), ["b"]);
    outbox.signed_in("another connection", NOW + 5);
    assert_eq!(outbox.due(NOW + 5), ["b"]);
    outbox.signed_in("c1", NOW + 10);
    assert_eq!(outbox.due(NOW + 10), ["a", "b"]);
}

#[test]
fn a_refused_value_waits_for_an_edit() {
    let mut outbox = outbox_with(&["a"]);
    outbox.start("a");
    let refused = CoreError::Validation {
        field: Some("category".to_owned()),
        message: "not a choice".to_owned(),
    };
    outbox.failed("a", refused.clone(), NOW, 0.0);
    assert_eq!(
        outbox.find("a").unwrap().state,
        EntryState::NeedsEdit { error: refused }
    );
    assert_eq!(outbox.next_due_ms(), None);
    outbox.edited("a", "report a, fixed".to_owned(), NOW + 1);
    assert_eq!(outbox.due(NOW + 1), ["a"]);
    assert_eq!(outbox.find("a").unwrap().report, "report a, fixed");
}

#[test]
fn an_entry_cut_off_while_sending_is_tried_again_with_its_correlation_id() {
    let mut outbox = outbox_with(&["a"]);
    outbox.start("a");
    // The worker stopped mid-send; the stored outbox says Sending.
    let stored = serde_json::to_string(&outbox).unwrap();
    let restored: Outbox<String> = serde_json::from_str(&stored).unwrap();
    assert_eq!(restored.due(NOW), ["a"]);
    assert_eq!(restored.find("a").unwrap().correlation_id, "flare-a");
}

#[test]
fn coming_online_makes_every_waiting_entry_due() {
    let mut outbox = outbox_with(&["a", "b"]);
    for id in ["a", "b"] {
        outbox.start(id);
        outbox.failed(id, network(), NOW, 0.5);
    }
    assert!(outbox.due(NOW + 1).is_empty());
    outbox.retry_all_now(NOW + 1);
    assert_eq!(outbox.due(NOW + 1), ["a", "b"]);
}

#[test]
fn a_filed_entry_is_no_longer_due_and_can_be_removed() {
    let mut outbox = outbox_with(&["a"]);
    outbox.start("a");
    outbox.filed(
        "a",
        "INC0010001".to_owned(),
        "https://x/inc".to_owned(),
        NOW + 3,
    );
    assert!(outbox.due(NOW + 3).is_empty());
    assert_eq!(outbox.next_due_ms(), None);
    outbox.remove("a");
    assert!(outbox.entries.is_empty());
}

#[test]
fn every_error_has_a_kind() {
    assert_eq!(classify(&network()), FailureKind::Transient);
    assert_eq!(
        classify(&CoreError::InstanceHibernating),
        FailureKind::Transient
    );
    assert_eq!(classify(&CoreError::MfaRequired), FailureKind::SignIn);
    assert_eq!(
        classify(&CoreError::Forbidden {
            message: "ACL".to_owned()
        }),
        FailureKind::Edit
    );
}
