//! OAuth 2.0 against the sandbox: authorization code with PKCE or a client secret, refresh,
//! password grant, expiry.

mod common;

use base64::Engine;
use reqwest::redirect::Policy;
use reqwest::StatusCode;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use crate::common::Sandbox;

const REDIRECT: &str = "https://abcdefghijklmnop.chromiumapp.org/";
const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
const ACCESS_DENIED: &str = r#"{"error_description":"access_denied","error":"server_error"}"#;
/// The REST API's 401 as recorded (`service.TableApiClientTest_healthCheckInvalidCredentials.json`).
const NOT_AUTHENTICATED: &str = r#"{"error":{"detail":"Required to provide Auth information","message":"User Not Authenticated"},"status":"failure"}"#;
/// Where the confidential client's configuration sends its codes.
const RELAY_REDIRECT: &str = "https://relay.example/oauth/callback";
const RELAY_SECRET: &str = "flare-relay-secret";

fn challenge(verifier: &str) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

fn no_redirects() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(Policy::none())
        .build()
        .unwrap()
}

/// The query of a redirect's `Location` as pairs.
fn location_params(response: &reqwest::Response) -> Vec<(String, String)> {
    let location = response.headers()["location"].to_str().unwrap();
    let url = reqwest::Url::parse(location).unwrap();
    url.query_pairs()
        .map(|(name, value)| (name.into_owned(), value.into_owned()))
        .collect()
}

fn param<'a>(params: &'a [(String, String)], name: &str) -> Option<&'a str> {
    params
        .iter()
        .find(|(key, _)| key == name)
        .map(|(_, value)| value.as_str())
}

/// Signs in through the page as `user` and returns the redirect's parameters.
async fn sign_in(
    sandbox: &Sandbox,
    request: &[(&str, &str)],
    user: (&str, &str),
    action: &str,
) -> Vec<(String, String)> {
    let client = no_redirects();
    let page = client
        .get(format!("{}/oauth_auth.do", sandbox.url))
        .query(request)
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.unwrap();
    assert!(
        html.contains("<label for=\"user_name\">User name</label>"),
        "{html}"
    );
    assert!(
        html.contains(">Allow</button>") && html.contains(">Deny</button>"),
        "{html}"
    );
    let mut form: Vec<(&str, &str)> = request.to_vec();
    form.extend([
        ("user_name", user.0),
        ("user_password", user.1),
        ("action", action),
    ]);
    let response = client
        .post(format!("{}/oauth_auth.do", sandbox.url))
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(
        response.status(),
        StatusCode::SEE_OTHER,
        "{:?}",
        response.headers()
    );
    let redirect_uri = request
        .iter()
        .find(|(name, _)| *name == "redirect_uri")
        .map(|(_, value)| *value)
        .expect("the request names its redirect URI");
    assert!(response.headers()["location"]
        .to_str()
        .unwrap()
        .starts_with(redirect_uri));
    location_params(&response)
}

async fn token(sandbox: &Sandbox, form: &[(&str, &str)]) -> (StatusCode, String) {
    let response = reqwest::Client::new()
        .post(format!("{}/oauth_token.do", sandbox.url))
        .form(form)
        .send()
        .await
        .unwrap();
    (response.status(), response.text().await.unwrap())
}

fn authorization_request(challenge: &str) -> Vec<(&'static str, String)> {
    vec![
        ("response_type", "code".to_owned()),
        ("client_id", "flare".to_owned()),
        ("redirect_uri", REDIRECT.to_owned()),
        ("state", "xyz-state".to_owned()),
        ("code_challenge", challenge.to_owned()),
        ("code_challenge_method", "S256".to_owned()),
    ]
}

fn borrowed<'a>(pairs: &'a [(&'static str, String)]) -> Vec<(&'static str, &'a str)> {
    pairs
        .iter()
        .map(|(name, value)| (*name, value.as_str()))
        .collect()
}

#[tokio::test]
async fn authorization_code_with_pkce_then_refresh() {
    let sandbox = Sandbox::start().await;
    let request = authorization_request(&challenge(VERIFIER));
    let params = sign_in(
        &sandbox,
        &borrowed(&request),
        ("abel.tuter", "abel.tuter"),
        "allow",
    )
    .await;
    assert_eq!(param(&params, "state"), Some("xyz-state"));
    let code = param(&params, "code").expect("a code").to_owned();

    let exchange = [
        ("grant_type", "authorization_code"),
        ("client_id", "flare"),
        ("code", code.as_str()),
        ("redirect_uri", REDIRECT),
        ("code_verifier", VERIFIER),
    ];
    let (status, body) = token(&sandbox, &exchange).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let tokens: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(tokens["token_type"], "Bearer");
    assert_eq!(tokens["expires_in"], 1799);
    assert_eq!(tokens["scope"], "useraccount");
    let access_token = tokens["access_token"].as_str().unwrap().to_owned();
    let refresh_token = tokens["refresh_token"].as_str().unwrap().to_owned();

    // The code is spent.
    assert_eq!(
        token(&sandbox, &exchange).await,
        (StatusCode::UNAUTHORIZED, ACCESS_DENIED.to_owned())
    );

    // The token works as Bearer and as access_token, as the signed-in user.
    let path = "/api/now/table/incident?sysparm_fields=number&sysparm_query=ORDERBYnumber";
    let response = reqwest::Client::new()
        .get(format!("{}{path}", sandbox.url))
        .bearer_auth(&access_token)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let numbers: Value = response.json().await.unwrap();
    assert_eq!(
        numbers["result"].as_array().map(Vec::len),
        Some(4),
        "Abel's four incidents"
    );
    let response = reqwest::Client::new()
        .get(format!("{}{path}&access_token={access_token}", sandbox.url))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);

    // Expired: the REST API answers the 401 envelope; the refresh token still works.
    let expired = reqwest::Client::new()
        .post(format!("{}/sandbox/oauth/expire-tokens", sandbox.url))
        .send()
        .await
        .unwrap();
    assert_eq!(expired.status(), StatusCode::NO_CONTENT);
    let response = reqwest::Client::new()
        .get(format!("{}{path}", sandbox.url))
        .bearer_auth(&access_token)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error"]["message"], "User Not Authenticated");
    let (status, body) = token(
        &sandbox,
        &[
            ("grant_type", "refresh_token"),
            ("client_id", "flare"),
            ("refresh_token", &refresh_token),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let refreshed: Value = serde_json::from_str(&body).unwrap();
    assert_ne!(refreshed["access_token"], access_token.as_str());
    let response = reqwest::Client::new()
        .get(format!("{}{path}", sandbox.url))
        .bearer_auth(refreshed["access_token"].as_str().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);

    // Revoked: refreshing fails with the recorded body.
    reqwest::Client::new()
        .post(format!("{}/sandbox/oauth/revoke-tokens", sandbox.url))
        .send()
        .await
        .unwrap();
    let (status, body) = token(
        &sandbox,
        &[
            ("grant_type", "refresh_token"),
            ("client_id", "flare"),
            ("refresh_token", &refresh_token),
        ],
    )
    .await;
    assert_eq!(
        (status, body.as_str()),
        (StatusCode::UNAUTHORIZED, ACCESS_DENIED)
    );
}

#[tokio::test]
async fn a_wrong_verifier_or_redirect_is_refused() {
    let sandbox = Sandbox::start().await;
    for (verifier, redirect) in [
        ("wrong-verifier-wrong-verifier-wrong-verifier", REDIRECT),
        (VERIFIER, "https://other.chromiumapp.org/"),
    ] {
        let request = authorization_request(&challenge(VERIFIER));
        let params = sign_in(&sandbox, &borrowed(&request), ("admin", "admin"), "allow").await;
        let code = param(&params, "code").unwrap().to_owned();
        let exchange = [
            ("grant_type", "authorization_code"),
            ("client_id", "flare"),
            ("code", code.as_str()),
            ("redirect_uri", redirect),
            ("code_verifier", verifier),
        ];
        assert_eq!(
            token(&sandbox, &exchange).await,
            (StatusCode::UNAUTHORIZED, ACCESS_DENIED.to_owned())
        );
    }
}

#[tokio::test]
async fn authorization_refusals() {
    let sandbox = Sandbox::start().await;
    // Denied by the user.
    let request = authorization_request(&challenge(VERIFIER));
    let params = sign_in(&sandbox, &borrowed(&request), ("admin", "admin"), "deny").await;
    assert_eq!(param(&params, "error"), Some("access_denied"));
    assert_eq!(param(&params, "state"), Some("xyz-state"));

    // Bad credentials keep the user on the page.
    let mut form = borrowed(&request);
    form.extend([
        ("user_name", "admin"),
        ("user_password", "nope"),
        ("action", "allow"),
    ]);
    let response = no_redirects()
        .post(format!("{}/oauth_auth.do", sandbox.url))
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert!(response
        .text()
        .await
        .unwrap()
        .contains("role=\"alert\">User name or password invalid"));

    // Redirected errors: no state, no PKCE for the public client, plain PKCE.
    let cases = [
        ("state", None, "invalid_request"),
        ("code_challenge", None, "invalid_request"),
        ("code_challenge_method", Some("plain"), "invalid_request"),
        ("response_type", Some("token"), "unsupported_response_type"),
    ];
    for (name, value, error) in cases {
        let mut request = authorization_request(&challenge(VERIFIER));
        request.retain(|(key, _)| *key != name);
        if let Some(value) = value {
            request.push((name, value.to_owned()));
        }
        let response = no_redirects()
            .get(format!("{}/oauth_auth.do", sandbox.url))
            .query(&borrowed(&request))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::SEE_OTHER, "{name}");
        assert_eq!(
            param(&location_params(&response), "error"),
            Some(error),
            "{name}"
        );
    }

    // Unknown client or redirect URI: an error page, never a redirect.
    for (name, value) in [
        ("client_id", "nobody"),
        ("redirect_uri", "https://evil.example/cb"),
    ] {
        let mut request = authorization_request(&challenge(VERIFIER));
        request.retain(|(key, _)| *key != name);
        request.push((name, value.to_owned()));
        let response = no_redirects()
            .get(format!("{}/oauth_auth.do", sandbox.url))
            .query(&borrowed(&request))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{name}");
        assert!(response.text().await.unwrap().contains("role=\"alert\""));
    }
}

#[tokio::test]
async fn password_grant_and_client_secrets() {
    let sandbox = Sandbox::start().await;
    let mut form = vec![
        ("grant_type", "password"),
        ("client_id", "flare-relay"),
        ("client_secret", "flare-relay-secret"),
        ("username", "itil"),
        ("password", "itil"),
    ];
    let (status, body) = token(&sandbox, &form).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    form[2].1 = "wrong";
    assert_eq!(
        token(&sandbox, &form).await,
        (StatusCode::UNAUTHORIZED, ACCESS_DENIED.to_owned())
    );
    form[2].1 = "flare-relay-secret";
    form[4].1 = "wrong";
    assert_eq!(
        token(&sandbox, &form).await,
        (StatusCode::UNAUTHORIZED, ACCESS_DENIED.to_owned())
    );

    let (status, body) = token(
        &sandbox,
        &[("grant_type", "client_credentials"), ("client_id", "flare")],
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        serde_json::from_str::<Value>(&body).unwrap()["error"],
        "unsupported_grant_type"
    );

    // Or in the URL, as c_OAuthAuthorizationCodeFlow.md sends them, wholly or in part.
    form[4].1 = "itil";
    let in_url = reqwest::Client::new()
        .post(format!("{}/oauth_token.do", sandbox.url))
        .query(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(in_url.status(), StatusCode::OK);
    let token = in_url.json::<Value>().await.unwrap();
    assert_eq!(token["token_type"], "Bearer");
    let split = reqwest::Client::new()
        .post(format!("{}/oauth_token.do", sandbox.url))
        .query(&form[..3])
        .form(&form[3..])
        .send()
        .await
        .unwrap();
    assert_eq!(split.status(), StatusCode::OK);

    // Any other body is refused.
    let response = reqwest::Client::new()
        .post(format!("{}/oauth_token.do", sandbox.url))
        .json(&json!({"grant_type": "password", "client_id": "flare", "username": "itil", "password": "itil"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    assert_eq!(
        response.json::<Value>().await.unwrap()["error"],
        "invalid_request"
    );
}

#[tokio::test]
async fn configured_clients_and_lifetimes() {
    let options = flare_sandbox::InstanceOptions {
        oauth_clients: vec![flare_sandbox::common::oauth::OAuthClientConfig {
            client_id: "flare".to_owned(),
            client_secret: None,
            redirect_uris: vec!["https://only.example/callback".to_owned()],
        }],
        token_lifetime_secs: Some(60),
        ..Default::default()
    };
    let state = flare_sandbox::AppState::with_options("http://sandbox.test", &options).unwrap();
    let sandbox = Sandbox::start_with(state).await;
    let request = authorization_request(&challenge(VERIFIER));
    let response = no_redirects()
        .get(format!("{}/oauth_auth.do", sandbox.url))
        .query(&borrowed(&request))
        .send()
        .await
        .unwrap();
    assert_eq!(
        response.status(),
        StatusCode::BAD_REQUEST,
        "the default redirect URIs were replaced"
    );
    let (status, body) = token(
        &sandbox,
        &[
            ("grant_type", "password"),
            ("client_id", "flare"),
            ("username", "itil"),
            ("password", "itil"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        serde_json::from_str::<Value>(&body).unwrap()["expires_in"],
        59
    );
}

/// A sandbox whose `flare-relay` has only [`RELAY_REDIRECT`], as `--config` sets it, and whose
/// access tokens live `token_lifetime_secs`.
async fn relay_sandbox(token_lifetime_secs: Option<i64>) -> Sandbox {
    let options = flare_sandbox::InstanceOptions {
        oauth_clients: vec![flare_sandbox::common::oauth::OAuthClientConfig {
            client_id: "flare-relay".to_owned(),
            client_secret: Some(RELAY_SECRET.to_owned()),
            redirect_uris: vec![RELAY_REDIRECT.to_owned()],
        }],
        token_lifetime_secs,
        ..Default::default()
    };
    let state = flare_sandbox::AppState::with_options("http://sandbox.test", &options).unwrap();
    Sandbox::start_with(state).await
}

/// An authorization request of the confidential client: no PKCE, which only public clients must
/// send ("It supports both confidential clients (with a client secret) and public clients (using
/// PKCE)", `authorization-code-grant.md`).
fn relay_request() -> Vec<(&'static str, &'static str)> {
    vec![
        ("response_type", "code"),
        ("client_id", "flare-relay"),
        ("redirect_uri", RELAY_REDIRECT),
        ("state", "relay-state"),
    ]
}

/// Posts a token request with its parameters in the URL, as `c_OAuthAuthorizationCodeFlow.md`
/// shows the exchange (`oauth_token.do?grant_type=authorization_code&code=...&client_secret=...`).
async fn token_in_url(sandbox: &Sandbox, params: &[(&str, &str)]) -> (StatusCode, String) {
    let response = reqwest::Client::new()
        .post(format!("{}/oauth_token.do", sandbox.url))
        .query(params)
        .send()
        .await
        .unwrap();
    (response.status(), response.text().await.unwrap())
}

/// The status and body of a REST call with `access_token` as Bearer.
async fn incidents_with(sandbox: &Sandbox, access_token: &str) -> (StatusCode, Value) {
    let response = reqwest::Client::new()
        .get(format!(
            "{}/api/now/table/incident?sysparm_fields=number",
            sandbox.url
        ))
        .bearer_auth(access_token)
        .send()
        .await
        .unwrap();
    (response.status(), response.json().await.unwrap())
}

#[tokio::test]
async fn confidential_client_authorization_code_with_its_secret() {
    let sandbox = relay_sandbox(None).await;
    let params = sign_in(
        &sandbox,
        &relay_request(),
        ("abel.tuter", "abel.tuter"),
        "allow",
    )
    .await;
    assert_eq!(param(&params, "state"), Some("relay-state"));
    let code = param(&params, "code").expect("a code").to_owned();
    let exchange = |secret: Option<&'static str>| {
        let mut params = vec![
            ("grant_type", "authorization_code"),
            ("code", code.as_str()),
            ("redirect_uri", RELAY_REDIRECT),
            ("client_id", "flare-relay"),
        ];
        params.extend(secret.map(|secret| ("client_secret", secret)));
        params
    };

    // A wrong or missing secret is refused before the code is looked at, so it does not spend
    // the code: only the client's own request can.
    for secret in [Some("wrong-secret"), None] {
        assert_eq!(
            token_in_url(&sandbox, &exchange(secret)).await,
            (StatusCode::UNAUTHORIZED, ACCESS_DENIED.to_owned()),
            "{secret:?}"
        );
    }
    let (status, body) = token_in_url(&sandbox, &exchange(Some(RELAY_SECRET))).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let tokens: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(tokens["token_type"], "Bearer");
    assert_eq!(tokens["expires_in"], 1799);
    let access_token = tokens["access_token"].as_str().unwrap().to_owned();
    let refresh_token = tokens["refresh_token"].as_str().unwrap().to_owned();
    assert_eq!(
        token_in_url(&sandbox, &exchange(Some(RELAY_SECRET))).await,
        (StatusCode::UNAUTHORIZED, ACCESS_DENIED.to_owned()),
        "the code is spent"
    );

    let (status, incidents) = incidents_with(&sandbox, &access_token).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        incidents["result"].as_array().map(Vec::len),
        Some(4),
        "Abel's four incidents: the token signs in as the user who allowed it"
    );

    // Refreshing needs the secret too.
    let mut refresh = vec![
        ("grant_type", "refresh_token"),
        ("client_id", "flare-relay"),
        ("refresh_token", refresh_token.as_str()),
        ("client_secret", "wrong-secret"),
    ];
    assert_eq!(
        token(&sandbox, &refresh).await,
        (StatusCode::UNAUTHORIZED, ACCESS_DENIED.to_owned())
    );
    refresh[3].1 = RELAY_SECRET;
    let (status, body) = token(&sandbox, &refresh).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let refreshed: Value = serde_json::from_str(&body).unwrap();
    let (status, _) = incidents_with(&sandbox, refreshed["access_token"].as_str().unwrap()).await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn confidential_client_redirect_uris_come_from_the_configuration() {
    let sandbox = relay_sandbox(None).await;
    // Unregistered: an error page, never a redirect, whether the URI is unknown or one of the
    // defaults the configuration replaced.
    for redirect_uri in [
        "https://relay.example/oauth/other",
        "https://relay.example/oauth/callback.evil.example",
        REDIRECT,
    ] {
        let mut request = relay_request();
        request[2].1 = redirect_uri;
        let response = no_redirects()
            .get(format!("{}/oauth_auth.do", sandbox.url))
            .query(&request)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{redirect_uri}");
        assert!(response.headers().get("location").is_none());
        let page = response.text().await.unwrap();
        assert!(
            page.contains("role=\"alert\">The redirect URI")
                && page.contains("is not registered for this client."),
            "{page}"
        );
    }

    // The token request must name the redirect URI the code was issued for; a mismatch spends
    // the code.
    let params = sign_in(&sandbox, &relay_request(), ("itil", "itil"), "allow").await;
    let code = param(&params, "code").unwrap().to_owned();
    let mut exchange = vec![
        ("grant_type", "authorization_code"),
        ("client_id", "flare-relay"),
        ("client_secret", RELAY_SECRET),
        ("code", code.as_str()),
        ("redirect_uri", "https://relay.example/oauth/other"),
    ];
    assert_eq!(
        token(&sandbox, &exchange).await,
        (StatusCode::UNAUTHORIZED, ACCESS_DENIED.to_owned())
    );
    exchange[4].1 = RELAY_REDIRECT;
    assert_eq!(
        token(&sandbox, &exchange).await,
        (StatusCode::UNAUTHORIZED, ACCESS_DENIED.to_owned())
    );

    // A confidential client may add PKCE; then the verifier must match as well.
    let verifier_challenge = challenge(VERIFIER);
    let mut request = relay_request();
    request.extend([
        ("code_challenge", verifier_challenge.as_str()),
        ("code_challenge_method", "S256"),
    ]);
    for (verifier, expected) in [
        (
            "wrong-verifier-wrong-verifier-wrong-verifier",
            StatusCode::UNAUTHORIZED,
        ),
        (VERIFIER, StatusCode::OK),
    ] {
        let params = sign_in(&sandbox, &request, ("itil", "itil"), "allow").await;
        let code = param(&params, "code").unwrap().to_owned();
        let exchange = [
            ("grant_type", "authorization_code"),
            ("client_id", "flare-relay"),
            ("client_secret", RELAY_SECRET),
            ("code", code.as_str()),
            ("redirect_uri", RELAY_REDIRECT),
            ("code_verifier", verifier),
        ];
        let (status, body) = token(&sandbox, &exchange).await;
        assert_eq!(status, expected, "{verifier}: {body}");
    }
}

#[tokio::test]
async fn an_access_token_runs_out_and_its_refresh_token_still_works() {
    // The handlers read the wall clock (`common::oauth` itself takes `now`, and its unit tests
    // move it), so this waits for a two-second token to run out: at most two seconds after it
    // was issued, since expiry is counted in whole seconds.
    let sandbox = relay_sandbox(Some(2)).await;
    let (status, body) = token(
        &sandbox,
        &[
            ("grant_type", "password"),
            ("client_id", "flare-relay"),
            ("client_secret", RELAY_SECRET),
            ("username", "itil"),
            ("password", "itil"),
        ],
    )
    .await;
    let issued_at = std::time::Instant::now();
    assert_eq!(status, StatusCode::OK, "{body}");
    let tokens: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(tokens["expires_in"], 1);
    let access_token = tokens["access_token"].as_str().unwrap();
    let (status, _) = incidents_with(&sandbox, access_token).await;
    assert_eq!(status, StatusCode::OK, "fresh, the token works");

    let deadline = issued_at + std::time::Duration::from_millis(2500);
    let (status, body) = loop {
        let (status, body) = incidents_with(&sandbox, access_token).await;
        if status != StatusCode::OK || std::time::Instant::now() > deadline {
            break (status, body);
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    };
    assert_eq!(
        status,
        StatusCode::UNAUTHORIZED,
        "expired after {:?}",
        issued_at.elapsed()
    );
    assert_eq!(
        body,
        serde_json::from_str::<Value>(NOT_AUTHENTICATED).unwrap()
    );

    let (status, body) = token(
        &sandbox,
        &[
            ("grant_type", "refresh_token"),
            ("client_id", "flare-relay"),
            ("client_secret", RELAY_SECRET),
            ("refresh_token", tokens["refresh_token"].as_str().unwrap()),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let refreshed: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(refreshed["expires_in"], 1);
    let (status, _) = incidents_with(&sandbox, refreshed["access_token"].as_str().unwrap()).await;
    assert_eq!(status, StatusCode::OK, "the refreshed token works");
}
