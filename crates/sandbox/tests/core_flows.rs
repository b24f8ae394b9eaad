//! flare-core's ServiceNow operations end to end over real HTTP against the sandbox: the core
//! builds every request and reads every reply; this file only carries them (reqwest) and owns the
//! clock, as the extension and the relay do.

mod common;

use std::collections::BTreeMap;

use flare_core::auth::Credentials;
use flare_core::error::CoreError;
use flare_core::http::{HttpRequest, HttpResponse, Method};
use flare_core::instance::InstanceUrl;
use flare_core::providers::servicenow::{
    DirectoryCache, DirectoryTable, Level, NewIncident, SafeCreate, ServiceNow, Table,
    TicketFilter, TicketPages,
};
use flare_core::query::CURRENT_USER;
use flare_core::retry::{Attempt, CreateStep, RetryDecision, RetryPolicy};
use flare_core::ticket::StatusCategory;
use serde_json::json;

use crate::common::{
    must_send, send, wait_out_the_end_of_the_hour, Sandbox, ABEL, ABEL_SYS_ID, ADMIN, ITIL,
};

/// Sends with the core's retry policy and reports the waits it asked for. The caller owns the clock:
/// here it skips the waits instead of sleeping through a minute-long `Retry-After`.
async fn send_with_retries(
    request: &HttpRequest,
    policy: &RetryPolicy,
) -> (Option<HttpResponse>, Vec<u64>) {
    let mut waits = Vec::new();
    for attempt in 1.. {
        let response = send(request).await;
        let outcome = match &response {
            Some(response) => Attempt::Response(response),
            None => Attempt::NetworkError,
        };
        match policy.decide(request.method, attempt, outcome, now_ms(), 0.5) {
            RetryDecision::RetryAfter(wait_ms) => waits.push(wait_ms),
            RetryDecision::GiveUp => return (response, waits),
        }
    }
    unreachable!("the policy gives up after max_attempts")
}

fn now_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("after 1970")
        .as_millis() as u64
}

fn client(sandbox: &Sandbox, (username, password): (&str, &str)) -> ServiceNow {
    let instance =
        InstanceUrl::parse_servicenow(&sandbox.url).expect("the sandbox URL is an instance");
    ServiceNow::new(
        instance,
        Credentials::Basic {
            username: username.into(),
            password: password.into(),
        },
    )
}

fn fields(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(name, value)| (name.to_string(), value.to_string()))
        .collect()
}

async fn add_fault(sandbox: &Sandbox, fault: serde_json::Value) {
    let reply = sandbox.post(None, "/sandbox/faults", &fault).await;
    assert!(
        reply.status.is_success(),
        "adding fault {fault}: {}",
        reply.text
    );
}

#[tokio::test]
async fn an_end_user_files_finds_comments_on_and_lists_an_incident() {
    let sandbox = Sandbox::start().await;
    let abel = client(&sandbox, ABEL);
    let user = abel
        .parse_user(&must_send(&abel.current_user_request()).await)
        .expect("abel exists");
    assert_eq!(user.sys_id, ABEL_SYS_ID);

    let created = abel
        .parse_incident(
            &must_send(&abel.create_incident_request(&NewIncident {
                short_description: "VPN drops every few minutes".into(),
                description: "Since this morning".into(),
                urgency: Level::High,
                impact: Level::Medium,
                caller_id: user.sys_id.clone(),
                parent_incident: None,
            }))
            .await,
        )
        .expect("created");
    assert!(
        created.reference.starts_with("INC"),
        "{}",
        created.reference
    );
    assert_eq!(
        created
            .priority
            .as_ref()
            .map(|priority| priority.code.as_str()),
        Some("2")
    );
    assert_eq!(created.status.label, "New");
    assert_eq!(
        created
            .requester
            .as_ref()
            .and_then(|person| person.name.as_deref()),
        Some("Abel Tuter")
    );

    let found = abel
        .parse_found_ticket(
            Table::Incident,
            &must_send(&abel.find_by_number_request(Table::Incident, &created.reference)).await,
        )
        .expect("parses")
        .expect("found by number");
    assert_eq!(found.id, created.id);

    let by_text = TicketFilter {
        text: Some("VPN drops".into()),
        requester: Some(CURRENT_USER.into()),
        ..TicketFilter::default()
    };
    let page = abel
        .parse_ticket_page(
            Table::Incident,
            &must_send(&abel.list_tickets_request(Table::Incident, &by_text, 10, 0)).await,
            10,
            0,
        )
        .expect("lists");
    assert_eq!(
        page.items
            .iter()
            .map(|ticket| ticket.id.as_str())
            .collect::<Vec<_>>(),
        [created.id.as_str()]
    );

    let comment = abel.add_comment_request(
        Table::Incident,
        &created.id,
        "It happened again at 10:15",
        true,
    );
    abel.parse_ticket(Table::Incident, &must_send(&comment).await)
        .expect("commented");
    let journal = abel
        .parse_journal(&must_send(&abel.journal_request(&created.id, 50)).await)
        .expect("journal");
    assert_eq!(
        journal
            .iter()
            .map(|entry| (entry.body.as_str(), entry.public))
            .collect::<Vec<_>>(),
        [("It happened again at 10:15", true)]
    );

    // End users may not delete: the instance says so in its own words.
    let refused = abel
        .parse_deleted(&must_send(&abel.delete_ticket_request(Table::Incident, &created.id)).await);
    assert!(
        matches!(refused, Err(CoreError::Forbidden { .. })),
        "{refused:?}"
    );
}

#[tokio::test]
async fn an_agent_works_an_incident_to_resolution_and_an_admin_deletes_it() {
    let sandbox = Sandbox::start().await;
    let beth = client(&sandbox, ITIL);
    let create = beth.create_ticket_request(
        Table::Incident,
        &fields(&[
            ("short_description", "Printer jams"),
            ("caller_id", ABEL_SYS_ID),
        ]),
    );
    let incident = beth
        .parse_ticket(Table::Incident, &must_send(&create).await)
        .expect("created");

    let note =
        beth.add_comment_request(Table::Incident, &incident.id, "Ordered a new roller", false);
    beth.parse_ticket(Table::Incident, &must_send(&note).await)
        .expect("work note added");

    // Resolving needs a close code and notes; without them the instance refuses.
    let bare =
        beth.update_ticket_request(Table::Incident, &incident.id, &fields(&[("state", "6")]));
    let refused = beth.parse_ticket(Table::Incident, &must_send(&bare).await);
    assert!(
        matches!(&refused, Err(CoreError::Validation { field: Some(field), .. }) if field == "Resolution code, Resolution notes"),
        "{refused:?}"
    );
    let resolve = beth.update_ticket_request(
        Table::Incident,
        &incident.id,
        &fields(&[
            ("state", "6"),
            ("close_code", "Solved (Permanently)"),
            ("close_notes", "Roller replaced"),
        ]),
    );
    let resolved = beth
        .parse_ticket(Table::Incident, &must_send(&resolve).await)
        .expect("resolved");
    assert_eq!(
        (resolved.status.label.as_str(), resolved.status.category),
        ("Resolved", StatusCategory::Completed)
    );

    // The caller does not see the work note.
    let abel = client(&sandbox, ABEL);
    let journal = abel
        .parse_journal(&must_send(&abel.journal_request(&incident.id, 50)).await)
        .expect("journal");
    assert!(journal.iter().all(|entry| entry.public), "{journal:?}");

    let admin = client(&sandbox, ADMIN);
    admin
        .parse_deleted(
            &must_send(&admin.delete_ticket_request(Table::Incident, &incident.id)).await,
        )
        .expect("deleted");
    let gone = admin.parse_ticket(
        Table::Incident,
        &must_send(&admin.get_ticket_request(Table::Incident, &incident.id)).await,
    );
    assert!(matches!(gone, Err(CoreError::NotFound { .. })), "{gone:?}");
}

#[tokio::test]
async fn requests_and_changes_list_and_page() {
    let sandbox = Sandbox::start().await;
    let beth = client(&sandbox, ITIL);
    let request = beth.create_ticket_request(
        Table::Request,
        &fields(&[
            ("short_description", "New laptop"),
            ("requested_for", ABEL_SYS_ID),
        ]),
    );
    let created = beth
        .parse_ticket(Table::Request, &must_send(&request).await)
        .expect("request created");
    assert!(
        created.reference.starts_with("REQ"),
        "{}",
        created.reference
    );
    assert_eq!(
        created.requester.map(|person| person.id).as_deref(),
        Some(ABEL_SYS_ID)
    );

    let mut all_incidents = Vec::new();
    let mut pages = TicketPages::new(beth.clone(), Table::Incident, &TicketFilter::default(), 2);
    let mut n_requests = 0;
    while let Some(next) = pages.next_request() {
        n_requests += 1;
        all_incidents.extend(pages.handle(&must_send(&next).await).expect("a page"));
    }
    let everything = beth
        .parse_ticket_page(
            Table::Incident,
            &must_send(&beth.list_tickets_request(
                Table::Incident,
                &TicketFilter::default(),
                1000,
                0,
            ))
            .await,
            1000,
            0,
        )
        .expect("one big page");
    assert_eq!(all_incidents.len(), everything.items.len());
    assert_eq!(
        all_incidents, everything.items,
        "paging yields the same tickets in the same order"
    );
    assert_eq!(n_requests, everything.items.len().div_ceil(2));

    let changes = beth
        .parse_ticket_page(
            Table::ChangeRequest,
            &must_send(&beth.list_tickets_request(
                Table::ChangeRequest,
                &TicketFilter::default(),
                50,
                0,
            ))
            .await,
            50,
            0,
        )
        .expect("changes list");
    assert!(
        changes
            .items
            .iter()
            .all(|change| change.reference.starts_with("CHG")),
        "{:?}",
        changes.items
    );
}

#[tokio::test]
async fn the_directory_fills_and_refreshes_by_delta() {
    let sandbox = Sandbox::start().await;
    let beth = client(&sandbox, ITIL);
    let mut cache = DirectoryCache::default();
    for table in [DirectoryTable::Users, DirectoryTable::Groups] {
        while cache
            .handle_refresh(
                table,
                &must_send(&cache.refresh_request(&beth, table)).await,
            )
            .expect("refresh")
        {}
    }
    assert!(cache
        .users
        .values()
        .any(|user| user.user_name == "abel.tuter"));
    assert!(
        cache
            .groups
            .values()
            .any(|group| group.name == "Service Desk"),
        "{:?}",
        cache.groups
    );
    let watermark = cache.user_watermark.expect("a watermark");

    let admin = client(&sandbox, ADMIN);
    let new_user = json!({"user_name": "new.hire", "first_name": "New", "last_name": "Hire", "email": "new.hire@example.com"});
    let reply = sandbox
        .post(Some(ADMIN), "/api/now/table/sys_user", &new_user)
        .await;
    assert_eq!(reply.status.as_u16(), 201, "{}", reply.text);
    let delta = cache.refresh_request(&admin, DirectoryTable::Users);
    assert!(delta.url.contains("sys_updated_on%3E%3D"), "{}", delta.url);
    cache
        .handle_refresh(DirectoryTable::Users, &must_send(&delta).await)
        .expect("delta");
    assert!(cache
        .users
        .values()
        .any(|user| user.user_name == "new.hire"));
    assert!(cache.user_watermark >= Some(watermark));
}

#[tokio::test]
async fn rate_limits_are_waited_out() {
    let sandbox = Sandbox::start().await;
    add_fault(
        &sandbox,
        json!({"kind": "status", "status": 429, "count": 2}),
    )
    .await;
    let beth = client(&sandbox, ITIL);
    let (response, waits) = send_with_retries(
        &beth.get_ticket_request(Table::Incident, "missing"),
        &RetryPolicy::default(),
    )
    .await;
    assert_eq!(
        waits,
        [60_000, 60_000],
        "two 429s with Retry-After: 60, then the answer"
    );
    let error = beth
        .parse_ticket(Table::Incident, &response.expect("answered"))
        .expect_err("no such record");
    assert!(matches!(error, CoreError::NotFound { .. }), "{error:?}");
}

#[tokio::test]
async fn a_real_rate_limit_is_reported_with_its_wait() {
    let sandbox = Sandbox::start().await;
    let reply = sandbox
        .send(
            reqwest::Client::new()
                .put(format!("{}/sandbox/rate-limit", sandbox.url))
                .json(&json!({"requests_per_hour": 1})),
            None,
        )
        .await;
    assert!(reply.status.is_success(), "{}", reply.text);
    let beth = client(&sandbox, ITIL);
    let request = beth.list_tickets_request(Table::Incident, &TicketFilter::default(), 1, 0);
    wait_out_the_end_of_the_hour().await;
    must_send(&request).await;
    let limited = must_send(&request).await;
    let policy = RetryPolicy::default();
    assert_eq!(
        policy.decide(Method::Get, 1, Attempt::Response(&limited), now_ms(), 0.5),
        RetryDecision::GiveUp,
        "an hour is too long to wait"
    );
    let error = beth
        .parse_ticket_page(Table::Incident, &limited, 1, 0)
        .expect_err("limited");
    assert!(
        matches!(error, CoreError::RateLimited { retry_after_secs: Some(secs) } if secs > 0 && secs <= 3600),
        "{error:?}"
    );
}

#[tokio::test]
async fn a_create_retried_after_a_dropped_connection_makes_exactly_one_record() {
    let sandbox = Sandbox::start().await;
    add_fault(&sandbox, json!({"kind": "drop_after_commit", "count": 1})).await;
    let beth = client(&sandbox, ITIL);
    let correlation_id = "flare-0b7e2c44-7d1f-4f4e-9a55-3a0f0c1d2e3f";
    let mut create = SafeCreate::new(
        beth.clone(),
        Table::Incident,
        fields(&[("short_description", "Badge reader dead")]),
        correlation_id,
    );
    let mut steps = Vec::new();
    let ticket = loop {
        let request = create.request();
        steps.push(request.method);
        let response = send(&request).await;
        let outcome = match &response {
            Some(response) => Attempt::Response(response),
            None => Attempt::NetworkError,
        };
        match create.handle(outcome) {
            CreateStep::Done(ticket) => break ticket,
            CreateStep::Again => assert!(steps.len() < 5, "too many rounds: {steps:?}"),
            CreateStep::Failed(error) => panic!("create failed: {error}"),
        }
    };
    assert_eq!(
        steps,
        [Method::Post, Method::Get],
        "the drop is followed by a lookup, not a second create"
    );
    let filter = flare_core::query::EncodedQuery::default().and(flare_core::query::Condition::new(
        "correlation_id",
        flare_core::query::Operator::Equals,
        correlation_id,
    ));
    let matching = beth
        .parse_ticket_page(
            Table::Incident,
            &must_send(&beth.list_request(Table::Incident, &filter.to_string(), 10, 0)).await,
            10,
            0,
        )
        .expect("lists");
    assert_eq!(matching.items.len(), 1, "exactly one record");
    assert_eq!(matching.items[0].id, ticket.id);
}

#[tokio::test]
async fn a_hibernating_instance_and_server_errors_are_named() {
    let sandbox = Sandbox::start().await;
    let beth = client(&sandbox, ITIL);
    add_fault(&sandbox, json!({"kind": "hibernate", "count": 1})).await;
    let asleep = beth.parse_ticket_page(
        Table::Incident,
        &must_send(&beth.list_tickets_request(Table::Incident, &TicketFilter::default(), 1, 0))
            .await,
        1,
        0,
    );
    assert_eq!(asleep, Err(CoreError::InstanceHibernating));
    add_fault(
        &sandbox,
        json!({"kind": "status", "status": 503, "count": 1}),
    )
    .await;
    let failed = beth.parse_ticket(
        Table::Incident,
        &must_send(&beth.get_ticket_request(Table::Incident, "x")).await,
    );
    assert_eq!(failed, Err(CoreError::Server { status: 503 }));
    let wrong = client(&sandbox, ("abel.tuter", "wrong"));
    let refused = wrong.parse_user(&must_send(&wrong.current_user_request()).await);
    assert!(
        matches!(refused, Err(CoreError::Unauthorized { .. })),
        "{refused:?}"
    );
}

/// Signs in through the sandbox's consent page the way a browser would, with the URL flare-core
/// built, and returns the redirect URL the browser would land on.
async fn consent(authorization_url: &str, (user_name, password): (&str, &str)) -> String {
    let browser = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("a client");
    let page = browser
        .get(authorization_url)
        .send()
        .await
        .expect("the consent page");
    assert_eq!(
        page.status().as_u16(),
        200,
        "{}",
        page.text().await.unwrap_or_default()
    );
    let (action, query) = authorization_url.split_once('?').expect("a query");
    let mut form: Vec<(String, String)> = query
        .split('&')
        .filter_map(|pair| pair.split_once('='))
        .map(|(name, value)| {
            (
                flare_core::paging::percent_decode(name),
                flare_core::paging::percent_decode(value),
            )
        })
        .collect();
    form.extend(
        [
            ("user_name", user_name),
            ("user_password", password),
            ("action", "allow"),
        ]
        .map(|(name, value)| (name.to_owned(), value.to_owned())),
    );
    let answer = browser
        .post(action)
        .form(&form)
        .send()
        .await
        .expect("the consent answer");
    assert_eq!(answer.status().as_u16(), 303, "{:?}", answer.headers());
    answer.headers()["location"]
        .to_str()
        .expect("a location")
        .to_owned()
}

#[tokio::test]
async fn oauth_sign_in_then_a_401_refreshes_once_and_a_revoked_session_asks_to_sign_in_again() {
    use flare_core::oauth::{
        parse_token_response, Access, OAuthClient, OAuthEndpoints, PendingAuthorization,
        TokenGrant, TokenManager, UnixMillis,
    };

    let sandbox = Sandbox::start().await;
    let instance = InstanceUrl::parse_servicenow(&sandbox.url).expect("an instance");
    let endpoints = OAuthEndpoints::servicenow(&instance);
    let client = OAuthClient {
        client_id: "flare".into(),
        client_secret: None,
        redirect_uri: "https://abcdefghijklmnop.chromiumapp.org/".into(),
        scopes: vec!["useraccount".into()],
    };
    let now = || UnixMillis(now_ms());

    // Authorization code with PKCE, state checked on the way back.
    let pending = PendingAuthorization::new([3; 32], [5; 32]);
    let landed = consent(&pending.authorization_url(&endpoints, &client), ABEL).await;
    let code = pending
        .parse_callback(&landed)
        .expect("the code comes back with our state");
    let token_reply = must_send(&pending.token_request(&endpoints, &client, &code)).await;
    let tokens =
        parse_token_response(&token_reply, TokenGrant::AuthorizationCode, now()).expect("tokens");
    let mut manager = TokenManager::new(endpoints, client, tokens);

    let Access::Ready(first) = manager.access(now()) else {
        panic!("a fresh token is ready")
    };
    let me = ServiceNow::new(instance.clone(), first.clone());
    assert_eq!(
        me.parse_user(&must_send(&me.current_user_request()).await)
            .expect("signed in")
            .sys_id,
        ABEL_SYS_ID
    );

    // The instance expires every token: the next call is a 401, then exactly one refresh.
    let expired = sandbox
        .post(None, "/sandbox/oauth/expire-tokens", &json!({}))
        .await;
    assert!(expired.status.is_success(), "{}", expired.text);
    let refused = must_send(&me.current_user_request()).await;
    assert!(matches!(
        me.parse_user(&refused),
        Err(CoreError::Unauthorized { .. })
    ));
    manager.handle_unauthorized(&first);
    let Access::RefreshNeeded(refresh) = manager.access(now()) else {
        panic!("the first caller refreshes")
    };
    assert_eq!(
        manager.access(now()),
        Access::Wait,
        "a second caller waits for that refresh"
    );
    manager
        .handle_refresh_response(&must_send(&refresh).await, now())
        .expect("refreshed");
    let Access::Ready(second) = manager.access(now()) else {
        panic!("the new token is ready")
    };
    assert_ne!(second, first);
    let again = ServiceNow::new(instance.clone(), second.clone());
    assert_eq!(
        again
            .parse_user(&must_send(&again.current_user_request()).await)
            .expect("works again")
            .name,
        "Abel Tuter"
    );
    manager.handle_success(&second);

    // Revoked: the refresh is refused too, and the session ends in "sign in again".
    let revoked = sandbox
        .post(None, "/sandbox/oauth/revoke-tokens", &json!({}))
        .await;
    assert!(revoked.status.is_success(), "{}", revoked.text);
    assert!(matches!(
        again.parse_user(&must_send(&again.current_user_request()).await),
        Err(CoreError::Unauthorized { .. })
    ));
    manager.handle_unauthorized(&second);
    let Access::RefreshNeeded(refresh) = manager.access(now()) else {
        panic!("one more refresh is tried")
    };
    let failed = manager.handle_refresh_response(&must_send(&refresh).await, now());
    assert!(
        matches!(failed, Err(CoreError::SignInAgain { .. })),
        "{failed:?}"
    );
    assert!(matches!(manager.access(now()), Access::SignInAgain(_)));
    assert_eq!(manager.tokens(), None, "nothing left worth storing");
}

#[tokio::test]
async fn an_mfa_user_is_told_to_use_oauth_and_oauth_works() {
    use flare_core::oauth::{
        parse_token_response, OAuthClient, OAuthEndpoints, PendingAuthorization, TokenGrant,
        UnixMillis,
    };

    let sandbox = Sandbox::start().await;
    let fred = client(&sandbox, ("fred.luddy", "fred.luddy"));
    let refused = fred.parse_user(&must_send(&fred.current_user_request()).await);
    assert_eq!(
        refused,
        Err(CoreError::MfaRequired),
        "valid password, no second factor"
    );
    let wrong = client(&sandbox, ("fred.luddy", "wrong"));
    assert!(matches!(
        wrong.parse_user(&must_send(&wrong.current_user_request()).await),
        Err(CoreError::Unauthorized { .. })
    ));

    let instance = InstanceUrl::parse_servicenow(&sandbox.url).expect("an instance");
    let endpoints = OAuthEndpoints::servicenow(&instance);
    let oauth_client = OAuthClient {
        client_id: "flare".into(),
        client_secret: None,
        redirect_uri: "https://abcdefghijklmnop.chromiumapp.org/".into(),
        scopes: vec!["useraccount".into()],
    };
    let pending = PendingAuthorization::new([8; 32], [9; 32]);
    let landed = consent(
        &pending.authorization_url(&endpoints, &oauth_client),
        ("fred.luddy", "fred.luddy"),
    )
    .await;
    let code = pending.parse_callback(&landed).expect("a code");
    let reply = must_send(&pending.token_request(&endpoints, &oauth_client, &code)).await;
    let tokens = parse_token_response(&reply, TokenGrant::AuthorizationCode, UnixMillis(now_ms()))
        .expect("tokens");
    let signed_in = ServiceNow::new(instance, tokens.credentials());
    let me = signed_in
        .parse_user(&must_send(&signed_in.current_user_request()).await)
        .expect("OAuth works for an MFA user");
    assert_eq!(me.user_name, "fred.luddy");
}
