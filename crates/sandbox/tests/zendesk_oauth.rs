//! OAuth 2.0 against the sandbox's Zendesk account: flare-core's whole session over HTTP (sign in
//! with PKCE, a 401 refreshed once, a revoked session signed in again), then the endpoints one case
//! at a time.

mod common;

use flare_core::error::CoreError;
use flare_core::http::{HttpRequest, HttpResponse};
use flare_core::instance::InstanceUrl;
use flare_core::oauth::{
    parse_token_response, Access, OAuthClient, OAuthEndpoints, PendingAuthorization, TokenGrant,
    TokenManager, TokenSet, UnixMillis,
};
use flare_core::providers::zendesk::Zendesk;
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::common::{
    submit_consent, Reply, Sandbox, ZENDESK_ADMIN_ID, ZENDESK_AGENT_ID, ZENDESK_USER_ID,
};

const REDIRECT: &str = "https://abcdefghijklmnop.chromiumapp.org/";
const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
/// `BASE64URL(SHA256(VERIFIER))`, RFC 7636 appendix B.
const CHALLENGE: &str = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";
const AGENT: (&str, &str) = ("agent@example.com", "sandbox-token");

/// Sends what the core built; the sandbox always answers.
async fn send(request: &HttpRequest) -> HttpResponse {
    let client = reqwest::Client::new();
    let method = reqwest::Method::from_bytes(request.method.as_str().as_bytes()).expect("a method");
    let mut builder = client.request(method, &request.url);
    for (name, value) in &request.headers {
        builder = builder.header(name, value);
    }
    if let Some(body) = &request.body {
        builder = builder.body(body.clone());
    }
    let response = builder.send().await.expect("the sandbox answers");
    let status = response.status().as_u16();
    let headers = response
        .headers()
        .iter()
        .map(|(name, value)| {
            (
                name.to_string(),
                value.to_str().unwrap_or_default().to_owned(),
            )
        })
        .collect();
    let body = response.bytes().await.expect("a body").to_vec();
    HttpResponse::new(status, headers, body)
}

fn now() -> UnixMillis {
    let since_epoch = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("after 1970");
    UnixMillis(since_epoch.as_millis() as u64)
}

fn flare_client() -> OAuthClient {
    OAuthClient {
        client_id: "flare".into(),
        client_secret: None,
        redirect_uri: REDIRECT.into(),
        scopes: vec!["read".into(), "write".into()],
    }
}

fn endpoints(sandbox: &Sandbox) -> OAuthEndpoints {
    OAuthEndpoints::zendesk(&instance(sandbox))
}

fn instance(sandbox: &Sandbox) -> InstanceUrl {
    InstanceUrl::parse_zendesk(&sandbox.url).expect("the sandbox URL is an account")
}

/// A whole sign-in as flare-core runs it: the URL core builds, the consent page, `state` checked
/// on the way back, the code exchanged with the PKCE verifier.
async fn sign_in(sandbox: &Sandbox, user: (&str, &str)) -> TokenSet {
    let pending = PendingAuthorization::new([3; 32], [5; 32]);
    let url = pending.authorization_url(&endpoints(sandbox), &flare_client());
    let answer = submit_consent(&url, user, "allow").await;
    assert_eq!(answer.status, StatusCode::SEE_OTHER, "{}", answer.text);
    let landed = answer.header("location").expect("a redirect");
    let code = pending
        .parse_callback(landed)
        .expect("the code comes back with our state");
    let reply = send(&pending.token_request(&endpoints(sandbox), &flare_client(), &code)).await;
    assert_eq!(reply.status, 201, "{}", reply.text());
    parse_token_response(&reply, TokenGrant::AuthorizationCode, now()).expect("tokens")
}

/// Who the credentials sign in as, through flare-core's `/users/me`.
async fn me(sandbox: &Sandbox, access: &Access) -> Result<u64, CoreError> {
    let Access::Ready(credentials) = access else {
        panic!("credentials to use, not {access:?}")
    };
    let zendesk = Zendesk::new(instance(sandbox), credentials.clone());
    zendesk
        .parse_user(&send(&zendesk.me_request()).await)
        .map(|user| user.id)
}

async fn admin_switch(sandbox: &Sandbox, path: &str) {
    let reply = sandbox.post(None, path, &json!({})).await;
    assert_eq!(
        reply.status,
        StatusCode::NO_CONTENT,
        "{path}: {}",
        reply.text
    );
}

#[tokio::test]
async fn oauth_sign_in_then_a_401_refreshes_once_and_a_revoked_session_signs_in_again() {
    let sandbox = Sandbox::start_zendesk().await;
    let tokens = sign_in(&sandbox, AGENT).await;
    assert_eq!(tokens.scope.as_deref(), Some("read write"));
    assert_eq!(tokens.expires_at, None, "expires_in defaults to null");
    let mut manager = TokenManager::new(endpoints(&sandbox), flare_client(), tokens);

    let first = manager.access(now());
    assert_eq!(me(&sandbox, &first).await, Ok(ZENDESK_AGENT_ID));
    let Access::Ready(first) = first else {
        unreachable!("checked by me()")
    };

    // Every access token expires: the next call is Zendesk's invalid_token 401, then one refresh.
    admin_switch(&sandbox, "/sandbox/oauth/expire-tokens").await;
    assert_eq!(
        me(&sandbox, &Access::Ready(first.clone())).await,
        Err(CoreError::TokenExpired)
    );
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
        .handle_refresh_response(&send(&refresh).await, now())
        .expect("refreshed");
    let second = manager.access(now());
    assert_ne!(second, Access::Ready(first.clone()));
    assert_eq!(me(&sandbox, &second).await, Ok(ZENDESK_AGENT_ID));
    let Access::Ready(second) = second else {
        unreachable!("checked by me()")
    };
    manager.handle_success(&second);
    // The refresh replaced the old access token too.
    assert_eq!(
        me(&sandbox, &Access::Ready(first)).await,
        Err(CoreError::TokenExpired)
    );

    // Revoked: the refresh is refused too, and the session ends in "sign in again".
    admin_switch(&sandbox, "/sandbox/oauth/revoke-tokens").await;
    assert_eq!(
        me(&sandbox, &Access::Ready(second.clone())).await,
        Err(CoreError::TokenExpired)
    );
    manager.handle_unauthorized(&second);
    let Access::RefreshNeeded(refresh) = manager.access(now()) else {
        panic!("one more refresh is tried")
    };
    let failed = manager.handle_refresh_response(&send(&refresh).await, now());
    assert!(
        matches!(failed, Err(CoreError::SignInAgain { .. })),
        "{failed:?}"
    );
    assert!(matches!(manager.access(now()), Access::SignInAgain(_)));
    assert_eq!(manager.tokens(), None, "nothing left worth storing");

    // Signing in again starts a working session.
    manager.handle_sign_in(sign_in(&sandbox, AGENT).await, now());
    assert_eq!(
        me(&sandbox, &manager.access(now())).await,
        Ok(ZENDESK_AGENT_ID)
    );
}

#[tokio::test]
async fn a_configured_lifetime_is_reported_and_refreshed_before_it_ends() {
    let options = flare_sandbox::zendesk::ZendeskOptions {
        token_lifetime_secs: Some(1800),
        ..Default::default()
    };
    let sandbox = Sandbox::start_zendesk_with(&options).await;
    let signed_in_at = now();
    let tokens = sign_in(&sandbox, ("admin@example.com", "sandbox-token")).await;
    let expires_at = tokens.expires_at.expect("an expiry");
    let lifetime = expires_at.duration_since(signed_in_at).as_secs();
    assert!((1799..=1800).contains(&lifetime), "{lifetime}");
    let mut manager = TokenManager::new(endpoints(&sandbox), flare_client(), tokens);
    assert_eq!(
        me(&sandbox, &manager.access(now())).await,
        Ok(ZENDESK_ADMIN_ID)
    );
    // The caller owns the clock: half an hour later the manager refreshes before sending.
    let later = expires_at.saturating_sub(std::time::Duration::from_secs(30));
    let Access::RefreshNeeded(refresh) = manager.access(later) else {
        panic!("refreshed ahead of expiry")
    };
    manager
        .handle_refresh_response(&send(&refresh).await, later)
        .expect("refreshed");
    assert_eq!(
        me(&sandbox, &manager.access(later)).await,
        Ok(ZENDESK_ADMIN_ID)
    );
}

// --- The authorization page ---

fn authorization_url(sandbox: &Sandbox, params: &[(&str, &str)]) -> String {
    let mut url =
        reqwest::Url::parse(&format!("{}/oauth/authorizations/new", sandbox.url)).expect("a URL");
    url.query_pairs_mut().extend_pairs(params);
    url.to_string()
}

/// A complete request from the public client, with `changes` applied (an empty value removes the
/// parameter).
fn request_params<'a>(changes: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    let mut params = vec![
        ("response_type", "code"),
        ("client_id", "flare"),
        ("redirect_uri", REDIRECT),
        ("scope", "read write"),
        ("state", "xyz"),
        ("code_challenge", CHALLENGE),
        ("code_challenge_method", "S256"),
    ];
    for (name, value) in changes {
        params.retain(|(known, _)| known != name);
        if !value.is_empty() {
            params.push((name, value));
        }
    }
    params
}

async fn open_page(sandbox: &Sandbox, params: &[(&str, &str)]) -> Reply {
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("a client");
    sandbox
        .send(client.get(authorization_url(sandbox, params)), None)
        .await
}

/// A sign-in as `user` through the page, returning the code from the redirect.
async fn code_for(sandbox: &Sandbox, changes: &[(&str, &str)], user: (&str, &str)) -> String {
    let url = authorization_url(sandbox, &request_params(changes));
    let answer = submit_consent(&url, user, "allow").await;
    assert_eq!(answer.location_param("state").as_deref(), Some("xyz"));
    answer.location_param("code").expect("a code")
}

#[tokio::test]
async fn the_page_signs_in_with_an_email_and_the_api_token() {
    let sandbox = Sandbox::start_zendesk().await;
    let page = open_page(&sandbox, &request_params(&[])).await;
    assert_eq!(page.status, StatusCode::OK);
    for expected in [
        "<label for=\"user_name\">Email</label>",
        "wants to access your Zendesk data",
        ">Allow</button>",
        ">Deny</button>",
        "action=\"/oauth/authorizations\"",
    ] {
        assert!(page.text.contains(expected), "{expected}: {}", page.text);
    }
    assert!(!page.text.contains("<script") && !page.text.contains("style="));

    let url = authorization_url(&sandbox, &request_params(&[]));
    let wrong = submit_consent(&url, ("agent@example.com", "wrong"), "allow").await;
    assert_eq!(wrong.status, StatusCode::OK);
    assert!(wrong.text.contains("role=\"alert\""), "{}", wrong.text);

    let denied = submit_consent(&url, AGENT, "deny").await;
    assert_eq!(denied.status, StatusCode::SEE_OTHER);
    assert!(denied
        .header("location")
        .is_some_and(|location| location.starts_with(REDIRECT)));
    assert_eq!(
        denied.location_param("error").as_deref(),
        Some("access_denied")
    );
    assert_eq!(denied.location_param("state").as_deref(), Some("xyz"));
}

#[tokio::test]
async fn unknown_clients_and_redirects_get_a_page_and_bad_requests_go_back_with_an_error() {
    let sandbox = Sandbox::start_zendesk().await;
    for changes in [
        [("client_id", "nobody")],
        [("redirect_uri", "https://evil.example/")],
    ] {
        let page = open_page(&sandbox, &request_params(&changes)).await;
        assert_eq!(page.status, StatusCode::BAD_REQUEST, "{changes:?}");
        assert_eq!(page.header("location"), None, "never a redirect");
        assert!(page.text.contains("role=\"alert\""), "{}", page.text);
    }
    for (changes, error) in [
        (vec![("state", "")], "invalid_request"),
        (vec![("scope", "")], "invalid_request"),
        (
            vec![("code_challenge", ""), ("code_challenge_method", "")],
            "invalid_request",
        ),
        (vec![("code_challenge_method", "plain")], "invalid_request"),
        (
            vec![("response_type", "token")],
            "unsupported_response_type",
        ),
    ] {
        let answer = open_page(&sandbox, &request_params(&changes)).await;
        assert_eq!(answer.status, StatusCode::SEE_OTHER, "{changes:?}");
        assert_eq!(
            answer.location_param("error").as_deref(),
            Some(error),
            "{changes:?}"
        );
    }
    // The confidential client may leave PKCE out.
    let relay = request_params(&[
        ("client_id", "flare-relay"),
        ("code_challenge", ""),
        ("code_challenge_method", ""),
    ]);
    assert_eq!(open_page(&sandbox, &relay).await.status, StatusCode::OK);
}

// --- The token endpoint ---

async fn post_token(sandbox: &Sandbox, body: &Value) -> Reply {
    sandbox.post(None, "/oauth/tokens", body).await
}

fn code_exchange(code: &str) -> Value {
    json!({
        "grant_type": "authorization_code",
        "code": code,
        "client_id": "flare",
        "redirect_uri": REDIRECT,
        "scope": "read write",
        "code_verifier": VERIFIER,
    })
}

/// The reply is the RFC 6749 error `error` with the given status.
fn check_refused(reply: &Reply, status: StatusCode, error: &str) {
    assert_eq!(reply.status, status, "{}", reply.text);
    let body = reply.json();
    assert_eq!(body["error"], error, "{}", reply.text);
    assert!(body["error_description"].is_string(), "{}", reply.text);
}

fn with(mut body: Value, name: &str, value: Value) -> Value {
    body[name] = value;
    body
}

#[tokio::test]
async fn a_code_is_exchanged_once_as_json_for_201_and_bearer_tokens() {
    let sandbox = Sandbox::start_zendesk().await;
    let code = code_for(&sandbox, &[], AGENT).await;
    let reply = post_token(&sandbox, &code_exchange(&code)).await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text);
    assert_eq!(reply.header("cache-control"), Some("no-store"));
    let body = reply.json();
    assert_eq!(body["token_type"], "bearer");
    assert_eq!(body["scope"], "read write");
    assert_eq!(body["expires_in"], Value::Null);
    assert_eq!(body["refresh_token_expires_in"], 2_592_000);
    assert!(body["refresh_token"].is_string());
    let access_token = body["access_token"].as_str().expect("a token").to_owned();

    let me = sandbox
        .send(
            sandbox
                .client()
                .get(format!("{}/api/v2/users/me.json", sandbox.url))
                .bearer_auth(&access_token),
            None,
        )
        .await;
    assert_eq!(me.json()["user"]["id"], ZENDESK_AGENT_ID);

    // The code is spent.
    check_refused(
        &post_token(&sandbox, &code_exchange(&code)).await,
        StatusCode::BAD_REQUEST,
        "invalid_grant",
    );
}

#[tokio::test]
async fn codes_are_refused_with_the_wrong_verifier_redirect_or_after_expiry() {
    let sandbox = Sandbox::start_zendesk().await;
    let code = code_for(&sandbox, &[], AGENT).await;
    let wrong_verifier = with(
        code_exchange(&code),
        "code_verifier",
        json!("0123456789012345678901234567890123456789abc"),
    );
    check_refused(
        &post_token(&sandbox, &wrong_verifier).await,
        StatusCode::BAD_REQUEST,
        "invalid_grant",
    );
    // A failed exchange spends the code.
    check_refused(
        &post_token(&sandbox, &code_exchange(&code)).await,
        StatusCode::BAD_REQUEST,
        "invalid_grant",
    );

    let code = code_for(&sandbox, &[], AGENT).await;
    let wrong_redirect = with(
        code_exchange(&code),
        "redirect_uri",
        json!("https://other.chromiumapp.org/"),
    );
    check_refused(
        &post_token(&sandbox, &wrong_redirect).await,
        StatusCode::BAD_REQUEST,
        "invalid_grant",
    );

    let code = code_for(&sandbox, &[], AGENT).await;
    admin_switch(&sandbox, "/sandbox/oauth/expire-tokens").await;
    check_refused(
        &post_token(&sandbox, &code_exchange(&code)).await,
        StatusCode::BAD_REQUEST,
        "invalid_grant",
    );
}

#[tokio::test]
async fn the_confidential_client_needs_its_secret() {
    let sandbox = Sandbox::start_zendesk().await;
    let relay = [
        ("client_id", "flare-relay"),
        ("code_challenge", ""),
        ("code_challenge_method", ""),
    ];
    let exchange = |code: &str| {
        json!({
            "grant_type": "authorization_code",
            "code": code,
            "client_id": "flare-relay",
            "redirect_uri": REDIRECT,
        })
    };
    for secret in [Value::Null, json!("wrong")] {
        let code = code_for(&sandbox, &relay, AGENT).await;
        check_refused(
            &post_token(&sandbox, &with(exchange(&code), "client_secret", secret)).await,
            StatusCode::UNAUTHORIZED,
            "invalid_client",
        );
    }
    let code = code_for(&sandbox, &relay, AGENT).await;
    let reply = post_token(
        &sandbox,
        &with(
            exchange(&code),
            "client_secret",
            json!("flare-relay-secret"),
        ),
    )
    .await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text);
    check_refused(
        &post_token(
            &sandbox,
            &with(code_exchange("x"), "client_id", json!("nobody")),
        )
        .await,
        StatusCode::UNAUTHORIZED,
        "invalid_client",
    );
}

#[tokio::test]
async fn only_json_is_taken_and_only_two_grant_types() {
    let sandbox = Sandbox::start_zendesk().await;
    let code = code_for(&sandbox, &[], AGENT).await;
    let form = sandbox
        .send(
            sandbox
                .client()
                .post(format!("{}/oauth/tokens", sandbox.url))
                .form(&[
                    ("grant_type", "authorization_code"),
                    ("code", code.as_str()),
                    ("client_id", "flare"),
                    ("redirect_uri", REDIRECT),
                    ("code_verifier", VERIFIER),
                ]),
            None,
        )
        .await;
    check_refused(&form, StatusCode::BAD_REQUEST, "invalid_request");
    // The refused form did not spend the code.
    let reply = post_token(&sandbox, &code_exchange(&code)).await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text);

    let wrong_type = with(code_exchange("x"), "expires_in", json!("a day"));
    check_refused(
        &post_token(&sandbox, &wrong_type).await,
        StatusCode::BAD_REQUEST,
        "invalid_request",
    );
    let too_long = with(code_exchange("x"), "expires_in", json!(172_801));
    check_refused(
        &post_token(&sandbox, &too_long).await,
        StatusCode::BAD_REQUEST,
        "invalid_request",
    );
    for grant_type in ["password", "client_credentials"] {
        check_refused(
            &post_token(
                &sandbox,
                &json!({"grant_type": grant_type, "client_id": "flare"}),
            )
            .await,
            StatusCode::BAD_REQUEST,
            "unsupported_grant_type",
        );
    }
}

#[tokio::test]
async fn requested_lifetimes_are_kept() {
    let sandbox = Sandbox::start_zendesk().await;
    let code = code_for(&sandbox, &[], AGENT).await;
    let body = with(
        with(code_exchange(&code), "expires_in", json!(86_400)),
        "refresh_token_expires_in",
        json!(604_800),
    );
    let reply = post_token(&sandbox, &body).await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text);
    assert_eq!(
        (
            reply.json()["expires_in"].clone(),
            reply.json()["refresh_token_expires_in"].clone()
        ),
        (json!(86_400), json!(604_800))
    );
}

// --- Bearer tokens on the API ---

async fn token_for(sandbox: &Sandbox, scope: &str, user: (&str, &str)) -> String {
    let code = code_for(sandbox, &[("scope", scope)], user).await;
    let reply = post_token(sandbox, &code_exchange(&code)).await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text);
    reply.json()["access_token"]
        .as_str()
        .expect("a token")
        .to_owned()
}

async fn with_bearer(
    sandbox: &Sandbox,
    method: reqwest::Method,
    path: &str,
    token: &str,
    body: Option<Value>,
) -> Reply {
    let mut request = sandbox
        .client()
        .request(method, format!("{}{path}", sandbox.url))
        .bearer_auth(token);
    if let Some(body) = body {
        request = request.json(&body);
    }
    sandbox.send(request, None).await
}

#[tokio::test]
async fn bearer_tokens_work_within_their_scope_and_role() {
    let sandbox = Sandbox::start_zendesk().await;
    let new_ticket = json!({"ticket": {"subject": "Via OAuth", "comment": {"body": "Hello"}}});

    let read_write = token_for(&sandbox, "read write", AGENT).await;
    let created = with_bearer(
        &sandbox,
        reqwest::Method::POST,
        "/api/v2/tickets.json",
        &read_write,
        Some(new_ticket.clone()),
    )
    .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text);
    assert_eq!(created.json()["ticket"]["submitter_id"], ZENDESK_AGENT_ID);

    let read_only = token_for(&sandbox, "read", AGENT).await;
    let get = |path: &'static str, token: String| {
        let sandbox = &sandbox;
        async move { with_bearer(sandbox, reqwest::Method::GET, path, &token, None).await }
    };
    assert_eq!(
        get("/api/v2/tickets/1.json", read_only.clone())
            .await
            .status,
        StatusCode::OK
    );
    let refused = with_bearer(
        &sandbox,
        reqwest::Method::POST,
        "/api/v2/tickets.json",
        &read_only,
        Some(new_ticket),
    )
    .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "{}", refused.text);
    assert_eq!(refused.json()["error"], "Forbidden");

    let tickets_only = token_for(&sandbox, "tickets:read", AGENT).await;
    assert_eq!(
        get("/api/v2/tickets.json", tickets_only.clone())
            .await
            .status,
        StatusCode::OK
    );
    assert_eq!(
        get("/api/v2/users/me.json", tickets_only).await.status,
        StatusCode::FORBIDDEN
    );

    // An end user's token is still an end user's: the Tickets API is for agents.
    let end_user = token_for(
        &sandbox,
        "read write",
        ("user@example.com", "sandbox-token"),
    )
    .await;
    assert_eq!(
        get("/api/v2/users/me.json", end_user.clone()).await.json()["user"]["id"],
        ZENDESK_USER_ID
    );
    assert_eq!(
        get("/api/v2/tickets.json", end_user).await.status,
        StatusCode::FORBIDDEN
    );

    let unknown = get("/api/v2/users/me.json", "not-a-token".to_owned()).await;
    assert_eq!(unknown.status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        unknown.json(),
        json!({"error": "invalid_token", "error_description": "The access token provided is expired, revoked, malformed or invalid for other reasons."})
    );
}
