use super::*;
use crate::instance::InstanceUrl;
use crate::oauth::form::{query_pairs, single};

/// The start of every script; times in steps are seconds after it.
const T0: UnixMillis = UnixMillis(1_700_000_000_000);

/// One event in a session, at a number of seconds after [`T0`].
enum Step {
    /// A caller asks for access and must be told this.
    Ask(u64, Want),
    /// The refresh reply arrives; `handle_refresh_response` must return `expected`.
    Reply(u64, HttpResponse, Result<(), CoreError>),
    /// The refresh request got no reply.
    NetworkError,
    /// A request sent with this access token came back 401.
    Unauthorized(&'static str),
    /// A request sent with this access token succeeded.
    Succeeded(&'static str),
    /// A new sign-in completed.
    SignIn(u64, TokenSet),
}

#[derive(Debug)]
enum Want {
    /// Ready with this access token.
    Ready(&'static str),
    /// A refresh request carrying this refresh token.
    Refresh(&'static str),
    Wait,
    SignInAgain(CoreError),
}

fn at(secs: u64) -> UnixMillis {
    T0.saturating_add(Duration::from_secs(secs))
}

fn tokens(access: &str, refresh: Option<&str>, expires_at_secs: Option<u64>) -> TokenSet {
    TokenSet {
        access_token: access.into(),
        refresh_token: refresh.map(str::to_owned),
        expires_at: expires_at_secs.map(at),
        scope: Some("useraccount".into()),
    }
}

fn manager(initial: TokenSet) -> TokenManager {
    let instance = InstanceUrl::parse_servicenow("acme").expect("valid");
    let client = OAuthClient {
        client_id: "flare".into(),
        client_secret: Some("client-s3cret".into()),
        redirect_uri: "https://ext.chromiumapp.org/".into(),
        scopes: vec!["useraccount".into()],
    };
    TokenManager::new(OAuthEndpoints::servicenow(&instance), client, initial)
}

/// A successful refresh reply.
fn granted(access: &str, refresh: Option<&str>, expires_in_secs: u64) -> HttpResponse {
    let refresh = refresh.map_or(String::new(), |refresh| {
        format!(r#","refresh_token":"{refresh}""#)
    });
    json(
        200,
        &format!(
            r#"{{"access_token":"{access}","token_type":"Bearer","expires_in":{expires_in_secs}{refresh}}}"#
        ),
    )
}

fn json(status: u16, body: &str) -> HttpResponse {
    HttpResponse {
        status,
        headers: vec![("Content-Type".into(), "application/json".into())],
        body: body.into(),
    }
}

fn bearer(access: &str) -> Credentials {
    Credentials::Bearer {
        access_token: access.into(),
    }
}

fn run(manager: &mut TokenManager, script: Vec<Step>) {
    for (step_idx, step) in script.into_iter().enumerate() {
        match step {
            Step::Ask(secs, want) => {
                let access = manager.access(at(secs));
                let matches = match (&access, &want) {
                    (Access::Ready(credentials), Want::Ready(token)) => {
                        *credentials == bearer(token)
                    }
                    (Access::RefreshNeeded(request), Want::Refresh(refresh_token)) => {
                        let body = format!("?{}", request.body_text().unwrap_or_default());
                        let pairs = query_pairs(&body).expect("form body");
                        single(&pairs, "grant_type") == Ok(Some("refresh_token"))
                            && single(&pairs, "refresh_token") == Ok(Some(refresh_token))
                    }
                    (Access::Wait, Want::Wait) => true,
                    (Access::SignInAgain(reason), Want::SignInAgain(expected)) => {
                        reason == expected
                    }
                    _ => false,
                };
                assert!(
                    matches,
                    "step {step_idx} at +{secs}s: got {access:?}, wanted {want:?}"
                );
            }
            Step::Reply(secs, response, expected) => {
                assert_eq!(
                    manager.handle_refresh_response(&response, at(secs)),
                    expected,
                    "step {step_idx} at +{secs}s"
                );
            }
            Step::NetworkError => manager.handle_refresh_network_error(),
            Step::Unauthorized(access) => manager.handle_unauthorized(&bearer(access)),
            Step::Succeeded(access) => manager.handle_success(&bearer(access)),
            Step::SignIn(secs, tokens) => manager.handle_sign_in(tokens, at(secs)),
        }
    }
}

fn check(initial: TokenSet, script: Vec<Step>) {
    run(&mut manager(initial), script);
}

fn sign_in_again(message: &str) -> CoreError {
    CoreError::SignInAgain {
        message: message.into(),
    }
}

const SERVICENOW_DENIED: &str = r#"{"error_description":"access_denied","error":"server_error"}"#;

fn ready(secs: u64, access: &'static str) -> Step {
    Step::Ask(secs, Want::Ready(access))
}

fn refresh(secs: u64, refresh_token: &'static str) -> Step {
    Step::Ask(secs, Want::Refresh(refresh_token))
}

fn wait(secs: u64) -> Step {
    Step::Ask(secs, Want::Wait)
}

fn signed_out(secs: u64, reason: CoreError) -> Step {
    Step::Ask(secs, Want::SignInAgain(reason))
}

fn reply(secs: u64, response: HttpResponse, expected: Result<(), CoreError>) -> Step {
    Step::Reply(secs, response, expected)
}

fn network_error() -> Step {
    Step::NetworkError
}

fn unauthorized(access: &'static str) -> Step {
    Step::Unauthorized(access)
}

fn sign_in(secs: u64, tokens: TokenSet) -> Step {
    Step::SignIn(secs, tokens)
}

#[test]
fn fresh_token_is_ready_for_everyone() {
    check(
        tokens("a1", Some("r1"), Some(1799)),
        vec![ready(0, "a1"), ready(0, "a1"), ready(1738, "a1")],
    );
}

#[test]
fn refreshes_once_before_expiry_and_serves_the_old_token_meanwhile() {
    check(
        tokens("a1", Some("r1"), Some(1799)),
        vec![
            ready(1738, "a1"),
            // Within 60 s of expiry the first caller refreshes ...
            refresh(1745, "r1"),
            // ... and the others keep using the still valid token, without a second refresh.
            ready(1746, "a1"),
            ready(1798, "a1"),
            // Once it has expired, they wait.
            wait(1799),
            wait(1800),
            reply(1801, granted("a2", Some("r2"), 1799), Ok(())),
            ready(1801, "a2"),
            ready(1801, "a2"),
            // The rotated refresh token is the one used next time.
            refresh(1801 + 1740, "r2"),
        ],
    );
}

#[test]
fn two_callers_after_expiry_share_one_refresh() {
    check(
        tokens("a1", Some("r1"), Some(1799)),
        vec![
            refresh(5000, "r1"),
            wait(5000),
            reply(5001, granted("a2", None, 1799), Ok(())),
            ready(5001, "a2"),
            ready(5001, "a2"),
            // The reply had no refresh token: the old one stays in use.
            refresh(5001 + 1799, "r1"),
        ],
    );
}

#[test]
fn refused_refresh_ends_the_session_until_sign_in() {
    check(
        tokens("a1", Some("r1"), Some(1799)),
        vec![
            refresh(1800, "r1"),
            wait(1800),
            reply(
                1801,
                json(401, SERVICENOW_DENIED),
                Err(sign_in_again("server_error: access_denied")),
            ),
            signed_out(1801, sign_in_again("server_error: access_denied")),
            signed_out(1802, sign_in_again("server_error: access_denied")),
            // A 401 for the dead token changes nothing.
            unauthorized("a1"),
            signed_out(1803, sign_in_again("server_error: access_denied")),
            sign_in(1900, tokens("b1", Some("s1"), Some(1900 + 1799))),
            ready(1900, "b1"),
        ],
    );
}

#[test]
fn invalid_grant_ends_the_session() {
    let invalid_grant = r#"{"error":"invalid_grant","error_description":"refresh token expired"}"#;
    let reason = sign_in_again("invalid_grant: refresh token expired");
    check(
        tokens("a1", Some("r1"), Some(1799)),
        vec![
            refresh(1800, "r1"),
            reply(1800, json(400, invalid_grant), Err(reason.clone())),
            signed_out(1800, reason),
        ],
    );
    let bad_client = CoreError::Unauthorized {
        message: "invalid_client".into(),
    };
    check(
        tokens("a1", Some("r1"), Some(1799)),
        vec![
            refresh(1800, "r1"),
            reply(
                1800,
                json(401, r#"{"error":"invalid_client"}"#),
                Err(bad_client.clone()),
            ),
            signed_out(1800, bad_client),
        ],
    );
}

#[test]
fn passing_failures_hand_the_refresh_to_the_next_caller() {
    check(
        tokens("a1", Some("r1"), Some(1799)),
        vec![
            refresh(1800, "r1"),
            wait(1800),
            reply(1801, json(503, ""), Err(CoreError::Server { status: 503 })),
            refresh(1802, "r1"),
            wait(1802),
            network_error(),
            refresh(1803, "r1"),
            reply(
                1804,
                json(200, "<html><title>Instance Hibernating page</title></html>"),
                Err(CoreError::InstanceHibernating),
            ),
            refresh(1805, "r1"),
            reply(
                1805,
                json(200, r#"{"token_type":"Bearer"}"#),
                Err(CoreError::Malformed {
                    message: "the token reply has no access_token".into(),
                }),
            ),
            refresh(1806, "r1"),
            reply(1806, granted("a2", Some("r2"), 1799), Ok(())),
            ready(1806, "a2"),
        ],
    );
}

#[test]
fn lost_refresh_is_handed_out_again_after_the_timeout() {
    check(
        tokens("a1", Some("r1"), Some(1799)),
        vec![
            refresh(1800, "r1"),
            wait(1830),
            wait(1859),
            refresh(1860, "r1"),
            wait(1861),
            reply(1862, granted("a2", Some("r2"), 1799), Ok(())),
            // A late reply to the first refresh is ignored.
            reply(1863, granted("late", Some("late"), 1799), Ok(())),
            ready(1863, "a2"),
        ],
    );
    // Before expiry a lost refresh is also retried, by whoever asks after the timeout.
    check(
        tokens("a1", Some("r1"), Some(1799)),
        vec![refresh(1739, "r1"), ready(1798, "a1"), refresh(1799, "r1")],
    );
}

#[test]
fn unauthorized_mid_session_forces_one_refresh() {
    check(
        tokens("a1", Some("r1"), Some(1799)),
        vec![
            ready(10, "a1"),
            ready(10, "a1"),
            // Both requests come back 401: one refresh, and no one gets the refused token meanwhile.
            unauthorized("a1"),
            refresh(11, "r1"),
            unauthorized("a1"),
            wait(11),
            reply(12, granted("a2", Some("r2"), 1799), Ok(())),
            // A late 401 for the replaced token changes nothing.
            unauthorized("a1"),
            ready(12, "a2"),
            ready(12 + 1738, "a2"),
        ],
    );
}

#[test]
fn unauthorized_with_a_new_token_stops_the_loop() {
    let reason = sign_in_again("the instance refused a newly refreshed access token");
    check(
        tokens("a1", Some("r1"), Some(1799)),
        vec![
            unauthorized("a1"),
            refresh(10, "r1"),
            reply(11, granted("a2", Some("r2"), 1799), Ok(())),
            ready(11, "a2"),
            unauthorized("a2"),
            signed_out(12, reason),
        ],
    );
    // A token from an ordinary refresh gets one 401-driven refresh.
    check(
        tokens("a1", Some("r1"), Some(1799)),
        vec![
            refresh(1800, "r1"),
            reply(1800, granted("a2", Some("r2"), 1799), Ok(())),
            unauthorized("a2"),
            refresh(1801, "r2"),
        ],
    );
    // So does a token from a 401-driven refresh once it has worked: a later 401 is a new event.
    check(
        tokens("a1", Some("r1"), Some(1799)),
        vec![
            unauthorized("a1"),
            refresh(10, "r1"),
            reply(11, granted("a2", Some("r2"), 1799), Ok(())),
            ready(11, "a2"),
            Step::Succeeded("a2"),
            unauthorized("a2"),
            refresh(600, "r2"),
        ],
    );
}

#[test]
fn unauthorized_during_a_refresh_stops_serving_the_old_token() {
    check(
        tokens("a1", Some("r1"), Some(1799)),
        vec![
            refresh(1739, "r1"),
            ready(1740, "a1"),
            unauthorized("a1"),
            wait(1741),
            reply(1742, granted("a2", Some("r2"), 1799), Ok(())),
            ready(1742, "a2"),
        ],
    );
}

#[test]
fn unauthorized_for_other_credentials_is_ignored() {
    let mut manager = manager(tokens("a1", Some("r1"), Some(1799)));
    manager.handle_unauthorized(&Credentials::Basic {
        username: "admin".into(),
        password: "a1".into(),
    });
    run(
        &mut manager,
        vec![unauthorized("a"), unauthorized("a1x"), ready(0, "a1")],
    );
}

#[test]
fn without_a_refresh_token_expiry_means_sign_in_again() {
    let reason = sign_in_again("the access token has expired and there is no refresh token");
    check(
        tokens("a1", None, Some(1799)),
        vec![
            ready(1738, "a1"),
            signed_out(1739, reason.clone()),
            signed_out(1740, reason.clone()),
        ],
    );
    // A token without expiry (Zendesk without expires_in) lives until a 401.
    check(
        tokens("a1", None, None),
        vec![
            ready(10_000_000, "a1"),
            unauthorized("a1"),
            signed_out(10_000_001, reason),
        ],
    );
}

#[test]
fn clock_skew_and_jumps() {
    // A custom skew.
    let mut custom =
        manager(tokens("a1", Some("r1"), Some(1799))).with_refresh_skew(Duration::from_secs(300));
    run(&mut custom, vec![ready(1498, "a1"), refresh(1499, "r1")]);
    // An absurd skew refreshes at once, and still serves a token refreshed under it until halfway.
    let mut absurd = manager(tokens("a1", Some("r1"), Some(1799))).with_refresh_skew(Duration::MAX);
    run(
        &mut absurd,
        vec![
            refresh(0, "r1"),
            reply(0, granted("a2", Some("r2"), 1799), Ok(())),
            ready(899, "a2"),
            refresh(900, "r2"),
        ],
    );
    check(
        tokens("a1", Some("r1"), Some(1799)),
        vec![
            // The local clock jumps back while the refresh is in flight: no timeout, others wait.
            refresh(1800, "r1"),
            ready(100, "a1"),
            unauthorized("a1"),
            wait(100),
            // A reply received "earlier" still counts from its own `now`.
            reply(50, granted("a2", Some("r2"), 1799), Ok(())),
            ready(50, "a2"),
            ready(50 + 1738, "a2"),
            // The clock jumps far ahead: straight to a refresh.
            refresh(1_000_000, "r2"),
        ],
    );
    // A token living less than twice the skew is refreshed halfway, not on every request.
    check(
        tokens("a1", Some("r1"), Some(0)),
        vec![
            refresh(0, "r1"),
            reply(0, granted("a2", Some("r2"), 30), Ok(())),
            ready(14, "a2"),
            refresh(15, "r2"),
            reply(15, granted("a3", Some("r3"), 3600), Ok(())),
            ready(15 + 3539, "a3"),
            refresh(15 + 3540, "r3"),
        ],
    );
}

#[test]
fn a_new_sign_in_replaces_everything() {
    check(
        tokens("a1", Some("r1"), Some(1799)),
        vec![
            refresh(1800, "r1"),
            sign_in(1801, tokens("b1", Some("s1"), Some(1801 + 1799))),
            // The refresh started before the sign-in is no longer waited for.
            reply(1802, granted("a2", Some("r2"), 1799), Ok(())),
            ready(1802, "b1"),
            refresh(1801 + 1740, "s1"),
        ],
    );
}

#[test]
fn tokens_to_persist() {
    let mut manager = manager(tokens("a1", Some("r1"), Some(1799)));
    assert_eq!(
        manager.tokens(),
        Some(&tokens("a1", Some("r1"), Some(1799)))
    );
    run(
        &mut manager,
        vec![
            refresh(1800, "r1"),
            reply(1800, granted("a2", None, 1799), Ok(())),
        ],
    );
    assert_eq!(
        manager.tokens(),
        Some(&tokens("a2", Some("r1"), Some(1800 + 1799)))
    );
    run(
        &mut manager,
        vec![
            refresh(1800 + 1799, "r1"),
            reply(
                1800 + 1799,
                json(401, SERVICENOW_DENIED),
                Err(sign_in_again("server_error: access_denied")),
            ),
        ],
    );
    assert_eq!(manager.tokens(), None);
}

#[test]
fn refresh_request_targets_the_token_endpoint() {
    let mut manager = manager(tokens("a1", Some("r1"), Some(0)));
    match manager.access(T0) {
        Access::RefreshNeeded(request) => {
            assert_eq!(request.url, "https://acme.service-now.com/oauth_token.do");
            assert_eq!(
                request.body_text(),
                Some("grant_type=refresh_token&refresh_token=r1&client_id=flare&client_secret=client-s3cret")
            );
        }
        other => panic!("expected a refresh, got {other:?}"),
    }
}

#[test]
fn debug_never_prints_secrets() {
    let mut manager = manager(tokens("access-s3cret", Some("refresh-s3cret"), Some(0)));
    let refresh = manager.access(T0);
    let printed = format!("{manager:?} {refresh:?}");
    assert!(!printed.contains("s3cret"), "{printed}");
    assert!(printed.contains("RefreshNeeded"), "{printed}");
    manager.handle_sign_in(tokens("access-s3cret", None, None), T0);
    let ready = manager.access(T0);
    assert!(!format!("{ready:?}").contains("s3cret"), "{ready:?}");
}
