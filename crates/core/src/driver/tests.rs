use super::*;
use crate::auth::Credentials;
use crate::instance::InstanceUrl;
use crate::providers::servicenow::{SafeCreate, ServiceNow, Table};
use crate::ticket::Ticket;

const START_MS: u64 = 1_000_000;

fn servicenow() -> ServiceNow {
    let instance = InstanceUrl::parse_servicenow("acme").expect("valid instance");
    let credentials = Credentials::Basic {
        username: "abel.tuter".into(),
        password: "secret".into(),
    };
    ServiceNow::new(instance, credentials)
}

fn create() -> Driver<SafeCreate> {
    let create = SafeCreate::new(servicenow(), Table::Incident, Default::default(), "flare-1");
    Driver::new(create, RetryPolicy::default())
}

fn fetch() -> Driver<Fetch> {
    let request = servicenow().current_user_request();
    Driver::new(Fetch::new(request), RetryPolicy::default())
}

fn reply(status: u16, headers: &[(&str, &str)], body: &str) -> Outcome {
    let mut all = vec![("Content-Type".to_owned(), "application/json".to_owned())];
    all.extend(headers.iter().map(|(n, v)| (n.to_string(), v.to_string())));
    Outcome::Response(HttpResponse::new(status, all, body))
}

fn created() -> Outcome {
    reply(
        201,
        &[],
        r#"{"result":{"sys_id":"a1","number":"INC0010001"}}"#,
    )
}

fn found() -> Outcome {
    reply(
        200,
        &[],
        r#"{"result":[{"sys_id":"a1","number":"INC0010001"}]}"#,
    )
}

fn not_found() -> Outcome {
    reply(200, &[], r#"{"result":[]}"#)
}

fn unavailable() -> Outcome {
    reply(503, &[], "")
}

fn dropped() -> Outcome {
    Outcome::NetworkError("connection reset".into())
}

/// Drives `driver`, answering its requests with `outcomes` in turn and moving the clock to each
/// wait's end (jitter 0), and returns what it was told to do, one line per poll.
fn trace<Op: Operation>(
    mut driver: Driver<Op>,
    outcomes: Vec<Outcome>,
    show: impl Fn(&Op::Output) -> String,
) -> Vec<String> {
    let mut now_ms = START_MS;
    let mut outcomes = outcomes.into_iter();
    let mut lines = Vec::new();
    loop {
        match driver.poll(now_ms) {
            Poll::Send(request) => {
                lines.push(format!("send {:?}", request.method));
                let outcome = outcomes.next().expect("an answer for every request");
                driver.handle(outcome, now_ms, 0.0);
            }
            Poll::Wait { until_ms } => {
                lines.push(format!("wait {}", until_ms - now_ms));
                now_ms = until_ms;
            }
            Poll::Done(output) => {
                lines.push(format!("done {}", show(&output)));
                break;
            }
            Poll::Failed(error) => {
                lines.push(format!("failed {error}"));
                break;
            }
        }
    }
    assert!(outcomes.next().is_none(), "every answer was asked for");
    lines
}

fn check_create(outcomes: Vec<Outcome>, expected: &[&str]) {
    let reference = |ticket: &Ticket| ticket.reference.clone();
    assert_eq!(trace(create(), outcomes, reference), expected);
}

fn check_fetch(outcomes: Vec<Outcome>, expected: &[&str]) {
    let status = |response: &HttpResponse| response.status.to_string();
    assert_eq!(trace(fetch(), outcomes, status), expected);
}

#[test]
fn a_create_answered_at_once_is_done() {
    check_create(vec![created()], &["send Post", "done INC0010001"]);
}

#[test]
fn a_lost_create_that_was_committed_is_found_not_filed_twice() {
    check_create(
        vec![dropped(), found()],
        &["send Post", "wait 250", "send Get", "done INC0010001"],
    );
}

#[test]
fn a_lost_create_that_was_not_committed_is_sent_again() {
    check_create(
        vec![unavailable(), not_found(), created()],
        &[
            "send Post",
            "wait 250",
            "send Get",
            // The lookup found nothing: the back-off follows the 503 that sent Flare looking.
            "wait 500",
            "send Post",
            "done INC0010001",
        ],
    );
}

#[test]
fn a_rate_limited_create_waits_as_told_and_creates_again() {
    check_create(
        vec![reply(429, &[("Retry-After", "3")], "{}"), created()],
        &["send Post", "wait 3000", "send Post", "done INC0010001"],
    );
}

#[test]
fn a_refused_create_fails_at_once() {
    let forbidden = reply(
        403,
        &[],
        r#"{"error":{"message":"Operation Failed","detail":"ACL"},"status":"failure"}"#,
    );
    let lines = trace(create(), vec![forbidden], |_| String::new());
    assert_eq!(lines[0], "send Post");
    assert!(lines[1].starts_with("failed "), "{lines:?}");
    assert_eq!(lines.len(), 2);
}

#[test]
fn a_create_gives_up_after_the_retry_budget_with_the_last_failure() {
    // Four attempts in all (the default policy); the lookups find nothing, so the error is the
    // 503 that made Flare look, not the empty lookup.
    check_create(
        vec![unavailable(), not_found(), unavailable(), not_found()],
        &[
            "send Post",
            "wait 250",
            "send Get",
            "wait 500",
            "send Post",
            "wait 1000",
            "send Get",
            "failed the instance failed with HTTP 503",
        ],
    );
}

#[test]
fn a_create_that_never_gets_an_answer_gives_up_with_the_network_error() {
    check_create(
        vec![dropped(), dropped(), dropped(), dropped()],
        &[
            "send Post",
            "wait 250",
            "send Get",
            "wait 500",
            "send Get",
            "wait 1000",
            "send Get",
            "failed network error: connection reset",
        ],
    );
}

#[test]
fn a_rate_limit_longer_than_the_policy_allows_is_reported() {
    check_fetch(
        vec![reply(429, &[("Retry-After", "3600")], "{}")],
        &["send Get", "done 429"],
    );
}

#[test]
fn a_read_is_retried_through_5xx_and_network_errors() {
    check_fetch(
        vec![unavailable(), dropped(), reply(200, &[], "{}")],
        &[
            "send Get", "wait 250", "send Get", "wait 500", "send Get", "done 200",
        ],
    );
}

#[test]
fn a_read_refused_is_handed_back_for_the_provider_to_read() {
    check_fetch(vec![reply(401, &[], "{}")], &["send Get", "done 401"]);
}

#[test]
fn a_read_gives_up_after_the_retry_budget() {
    check_fetch(
        vec![unavailable(), unavailable(), unavailable(), dropped()],
        &[
            "send Get",
            "wait 250",
            "send Get",
            "wait 500",
            "send Get",
            "wait 1000",
            "send Get",
            "failed network error: connection reset",
        ],
    );
}

#[test]
fn polling_early_keeps_waiting_and_an_answer_to_nothing_changes_nothing() {
    let mut driver = fetch();
    // No request is out yet: this answer is ignored.
    driver.handle(unavailable(), START_MS, 0.0);
    assert_eq!(driver.n_attempts(), 0);
    assert!(matches!(driver.poll(START_MS), Poll::Send(_)));
    driver.handle(unavailable(), START_MS, 0.0);
    let until_ms = START_MS + 250;
    assert_eq!(driver.poll(START_MS + 100), Poll::Wait { until_ms });
    assert!(matches!(driver.poll(until_ms), Poll::Send(_)));
    driver.handle(reply(200, &[], "{}"), until_ms, 0.0);
    // Done stays done, however often it is asked.
    for _ in 0..2 {
        assert!(matches!(driver.poll(until_ms), Poll::Done(response) if response.status == 200));
    }
    assert_eq!(driver.n_attempts(), 2);
}

#[test]
fn an_appending_write_is_sent_again_only_after_a_rate_limit() {
    let comment = |outcomes: Vec<Outcome>| {
        let request = HttpRequest {
            method: Method::Put,
            ..servicenow().current_user_request()
        };
        let status = |response: &HttpResponse| response.status.to_string();
        trace(
            Driver::new(Fetch::appending(request), RetryPolicy::default()),
            outcomes,
            status,
        )
    };
    assert_eq!(
        comment(vec![
            reply(429, &[("Retry-After", "2")], "{}"),
            reply(200, &[], "{}")
        ]),
        ["send Put", "wait 2000", "send Put", "done 200"]
    );
    // The comment may have landed: the user decides whether to send it again.
    assert_eq!(comment(vec![unavailable()]), ["send Put", "done 503"]);
    assert_eq!(comment(vec![dropped()]).len(), 2);
    assert!(comment(vec![dropped()])[1].starts_with("failed"));
}

#[test]
fn a_queued_report_looked_up_first_and_not_found_is_created_at_once() {
    let driver = Driver::new(
        create().operation.looking_up_first(),
        RetryPolicy::default(),
    );
    let reference = |ticket: &Ticket| ticket.reference.clone();
    assert_eq!(
        trace(driver, vec![not_found(), created()], reference),
        ["send Get", "send Post", "done INC0010001"]
    );
}

#[test]
fn a_queued_report_looked_up_first_and_found_is_not_created_again() {
    let driver = Driver::new(
        create().operation.looking_up_first(),
        RetryPolicy::default(),
    );
    let reference = |ticket: &Ticket| ticket.reference.clone();
    assert_eq!(
        trace(driver, vec![found()], reference),
        ["send Get", "done INC0010001"]
    );
}
