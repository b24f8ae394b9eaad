use super::*;

const NOW: UnixMillis = UnixMillis(1_700_000_000_000);

fn client(secret: Option<&str>, scopes: &[&str]) -> OAuthClient {
    OAuthClient {
        client_id: "a329c4515612210071a5e0c298ee2be8".into(),
        client_secret: secret.map(str::to_owned),
        redirect_uri: "https://ext.chromiumapp.org/".into(),
        scopes: scopes.iter().map(|scope| (*scope).to_owned()).collect(),
    }
}

fn servicenow_instance() -> InstanceUrl {
    InstanceUrl::parse_servicenow("acme").expect("valid")
}

fn servicenow() -> OAuthEndpoints {
    OAuthEndpoints::servicenow(&servicenow_instance())
}

fn zendesk() -> OAuthEndpoints {
    OAuthEndpoints::zendesk(&InstanceUrl::parse_zendesk("acme").expect("valid"))
}

fn response(status: u16, content_type: &str, body: &str) -> HttpResponse {
    HttpResponse {
        status,
        headers: vec![("Content-Type".into(), content_type.into())],
        body: body.into(),
    }
}

fn json(status: u16, body: &str) -> HttpResponse {
    response(status, "application/json;charset=UTF-8", body)
}

fn check_request(request: HttpRequest, url: &str, content_type: &str, body: &str) {
    assert_eq!(request.method, Method::Post);
    assert_eq!(request.url, url);
    assert_eq!(request.header("content-type"), Some(content_type));
    assert_eq!(request.header("accept"), Some("application/json"));
    assert_eq!(request.header("authorization"), None);
    assert_eq!(request.body_text(), Some(body));
}

fn check_parse(response: HttpResponse, grant: TokenGrant, expected: Result<TokenSet, CoreError>) {
    assert_eq!(
        parse_token_response(&response, grant, NOW),
        expected,
        "{grant:?}, reply {} {:?}",
        response.status,
        response.text()
    );
}

fn check_error(status: u16, body: &str, grant: TokenGrant, expected: CoreError) {
    check_parse(json(status, body), grant, Err(expected));
}

fn tokens(access: &str, refresh: Option<&str>, expires_in_secs: Option<u64>) -> TokenSet {
    TokenSet {
        access_token: access.into(),
        refresh_token: refresh.map(str::to_owned),
        expires_at: expires_in_secs.map(|secs| NOW.saturating_add(Duration::from_secs(secs))),
        scope: None,
    }
}

const SERVICENOW_DENIED: &str = r#"{"error_description":"access_denied","error":"server_error"}"#;

#[test]
fn servicenow_password_request_matches_the_docs_example() {
    let request = password_request(
        &servicenow_instance(),
        &client(Some("password22"), &[]),
        "RESTUser",
        "RESTUserPassword",
    );
    check_request(
        request,
        "https://acme.service-now.com/oauth_token.do",
        "application/x-www-form-urlencoded",
        "grant_type=password&client_id=a329c4515612210071a5e0c298ee2be8&client_secret=password22\
         &username=RESTUser&password=RESTUserPassword",
    );
    let request = password_request(
        &servicenow_instance(),
        &client(None, &["useraccount"]),
        "abel.tuter",
        "p&ss word",
    );
    assert_eq!(
        request.body_text(),
        Some(
            "grant_type=password&client_id=a329c4515612210071a5e0c298ee2be8\
             &username=abel.tuter&password=p%26ss%20word&scope=useraccount"
        )
    );
}

#[test]
fn servicenow_code_and_refresh_requests_are_form_encoded() {
    check_request(
        authorization_code_request(
            &servicenow(),
            &client(Some("s3cret"), &["useraccount"]),
            "the/code",
            "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk",
        ),
        "https://acme.service-now.com/oauth_token.do",
        "application/x-www-form-urlencoded",
        "grant_type=authorization_code&code=the%2Fcode\
         &redirect_uri=https%3A%2F%2Fext.chromiumapp.org%2F&client_id=a329c4515612210071a5e0c298ee2be8\
         &client_secret=s3cret&code_verifier=dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk",
    );
    check_request(
        refresh_token_request(&servicenow(), &client(None, &[]), "r1"),
        "https://acme.service-now.com/oauth_token.do",
        "application/x-www-form-urlencoded",
        "grant_type=refresh_token&refresh_token=r1&client_id=a329c4515612210071a5e0c298ee2be8",
    );
}

#[test]
fn zendesk_requests_are_json_as_documented() {
    check_request(
        authorization_code_request(&zendesk(), &client(None, &["read", "write"]), "c0de", "v"),
        "https://acme.zendesk.com/oauth/tokens",
        "application/json",
        r#"{"client_id":"a329c4515612210071a5e0c298ee2be8","code":"c0de","code_verifier":"v","grant_type":"authorization_code","redirect_uri":"https://ext.chromiumapp.org/","scope":"read write"}"#,
    );
    check_request(
        refresh_token_request(&zendesk(), &client(Some("zsecret"), &["read"]), "r1"),
        "https://acme.zendesk.com/oauth/tokens",
        "application/json",
        r#"{"client_id":"a329c4515612210071a5e0c298ee2be8","client_secret":"zsecret","grant_type":"refresh_token","refresh_token":"r1"}"#,
    );
}

#[test]
fn parses_the_servicenow_docs_sample_reply() {
    let body = r#"{
        "scope": "useraccount",
        "token_type": "Bearer",
        "expires_in": 1799,
        "refresh_token": "jZPdkEVrWvtMjrspldNjIS0uWM4D7QV9mgmcQXDVo5Qa_GVvmdR6NOp7OM038EHJnd6nZpWocFer1NcJz4zwdw",
        "access_token": "2wRlsRCT2SYjCCJP91kwo2EFzj5qg4O3I3aC09e0-0hz6Ib3YK7If-LMiNorNuglfqbkL4AfkYC92KYHUCcbpQ"
    }"#;
    check_parse(
        json(200, body),
        TokenGrant::Password,
        Ok(TokenSet {
            access_token: "2wRlsRCT2SYjCCJP91kwo2EFzj5qg4O3I3aC09e0-0hz6Ib3YK7If-LMiNorNuglfqbkL4AfkYC92KYHUCcbpQ".into(),
            refresh_token: Some("jZPdkEVrWvtMjrspldNjIS0uWM4D7QV9mgmcQXDVo5Qa_GVvmdR6NOp7OM038EHJnd6nZpWocFer1NcJz4zwdw".into()),
            expires_at: Some(UnixMillis(1_700_000_000_000 + 1_799_000)),
            scope: Some("useraccount".into()),
        }),
    );
}

#[test]
fn parses_zendesk_style_and_lenient_replies() {
    // Zendesk answers 201 with a lower-case token type.
    check_parse(
        json(
            201,
            r#"{"access_token":"a","token_type":"bearer","scope":"read write","refresh_token":"r","expires_in":172800}"#,
        ),
        TokenGrant::AuthorizationCode,
        Ok(TokenSet {
            scope: Some("read write".into()),
            ..tokens("a", Some("r"), Some(172_800))
        }),
    );
    check_parse(
        json(200, r#"{"access_token":"a","expires_in":"3600"}"#),
        TokenGrant::RefreshToken,
        Ok(tokens("a", None, Some(3600))),
    );
    check_parse(
        json(
            200,
            r#"{"access_token":"a","expires_in":59.9,"refresh_token":""}"#,
        ),
        TokenGrant::RefreshToken,
        Ok(tokens("a", None, Some(59))),
    );
    check_parse(
        json(
            200,
            r#"{"access_token":"a","expires_in":null,"scope":null}"#,
        ),
        TokenGrant::AuthorizationCode,
        Ok(tokens("a", None, None)),
    );
    check_parse(
        json(
            200,
            r#"{"access_token":"a","expires_in":18446744073709551615}"#,
        ),
        TokenGrant::AuthorizationCode,
        Ok(TokenSet {
            expires_at: Some(UnixMillis(u64::MAX)),
            ..tokens("a", None, None)
        }),
    );
}

#[test]
fn refuses_malformed_token_replies() {
    let malformed = |what: &str| {
        Err(CoreError::Malformed {
            message: format!("the token reply {what}"),
        })
    };
    for (body, expected) in [
        ("not json", malformed("is not JSON")),
        ("{}", malformed("has no access_token")),
        (r#"{"access_token":""}"#, malformed("has no access_token")),
        (
            r#"{"access_token":12345}"#,
            malformed("has a non-string access_token"),
        ),
        (
            r#"{"access_token":"a","refresh_token":98765}"#,
            malformed("has a non-string refresh_token"),
        ),
        (
            r#"{"access_token":"a","token_type":"mac"}"#,
            malformed("has token_type \"mac\", not Bearer"),
        ),
        (
            r#"{"access_token":"a","expires_in":-5}"#,
            malformed("has an expires_in that is not a number of seconds"),
        ),
        (
            r#"{"access_token":"a","expires_in":"soon"}"#,
            malformed("has an expires_in that is not a number of seconds"),
        ),
        (
            r#"{"access_token":"a","expires_in":true}"#,
            malformed("has an expires_in that is not a number of seconds"),
        ),
    ] {
        check_parse(json(200, body), TokenGrant::AuthorizationCode, expected);
    }
}

#[test]
fn servicenow_refusal_depends_on_the_grant() {
    check_error(
        401,
        SERVICENOW_DENIED,
        TokenGrant::Password,
        CoreError::Unauthorized {
            message: "server_error: access_denied".into(),
        },
    );
    check_error(
        401,
        SERVICENOW_DENIED,
        TokenGrant::AuthorizationCode,
        CoreError::Unauthorized {
            message: "server_error: access_denied".into(),
        },
    );
    check_error(
        401,
        SERVICENOW_DENIED,
        TokenGrant::RefreshToken,
        CoreError::SignInAgain {
            message: "server_error: access_denied".into(),
        },
    );
}

#[test]
fn rfc6749_errors_are_typed() {
    let invalid_grant = r#"{"error":"invalid_grant","error_description":"The provided authorization grant is invalid, expired, revoked"}"#;
    let message = "invalid_grant: The provided authorization grant is invalid, expired, revoked";
    check_error(
        400,
        invalid_grant,
        TokenGrant::RefreshToken,
        CoreError::SignInAgain {
            message: message.into(),
        },
    );
    check_error(
        400,
        invalid_grant,
        TokenGrant::AuthorizationCode,
        CoreError::SignInAgain {
            message: message.into(),
        },
    );
    check_error(
        400,
        invalid_grant,
        TokenGrant::Password,
        CoreError::Unauthorized {
            message: message.into(),
        },
    );
    for grant in [
        TokenGrant::AuthorizationCode,
        TokenGrant::RefreshToken,
        TokenGrant::Password,
    ] {
        check_error(
            401,
            r#"{"error":"invalid_client"}"#,
            grant,
            CoreError::Unauthorized {
                message: "invalid_client".into(),
            },
        );
        check_error(
            400,
            r#"{"error":"unauthorized_client"}"#,
            grant,
            CoreError::Unauthorized {
                message: "unauthorized_client".into(),
            },
        );
        check_error(
            400,
            r#"{"error":"invalid_scope"}"#,
            grant,
            CoreError::Validation {
                field: Some("scope".into()),
                message: "invalid_scope".into(),
            },
        );
        check_error(
            400,
            r#"{"error":"unsupported_grant_type","error_description":""}"#,
            grant,
            CoreError::Validation {
                field: None,
                message: "unsupported_grant_type".into(),
            },
        );
    }
    // Some servers answer 200 with an error object.
    check_error(
        200,
        r#"{"error":"invalid_grant"}"#,
        TokenGrant::RefreshToken,
        CoreError::SignInAgain {
            message: "invalid_grant".into(),
        },
    );
}

#[test]
fn other_failures_are_typed() {
    check_error(
        401,
        r#"{"error":{"message":"User Not Authenticated","detail":"Required to provide Auth information"},"status":"failure"}"#,
        TokenGrant::RefreshToken,
        CoreError::SignInAgain {
            message: "User Not Authenticated".into(),
        },
    );
    check_error(
        401,
        "",
        TokenGrant::Password,
        CoreError::Unauthorized {
            message: "HTTP 401".into(),
        },
    );
    check_error(
        403,
        r#"{"error_description":"blocked"}"#,
        TokenGrant::Password,
        CoreError::Forbidden {
            message: "blocked".into(),
        },
    );
    check_error(
        404,
        "",
        TokenGrant::AuthorizationCode,
        CoreError::NotFound {
            message: "HTTP 404".into(),
        },
    );
    check_error(
        302,
        "",
        TokenGrant::AuthorizationCode,
        CoreError::Malformed {
            message: "the token endpoint answered with HTTP 302".into(),
        },
    );
    check_error(
        503,
        r#"{"error":"temporarily_unavailable"}"#,
        TokenGrant::RefreshToken,
        CoreError::Server { status: 503 },
    );
    check_parse(
        HttpResponse {
            status: 429,
            headers: vec![("Retry-After".into(), " 30 ".into())],
            body: Vec::new(),
        },
        TokenGrant::RefreshToken,
        Err(CoreError::RateLimited {
            retry_after_secs: Some(30),
        }),
    );
    check_parse(
        response(
            200,
            "text/html",
            "<html><title>Instance Hibernating page</title></html>",
        ),
        TokenGrant::RefreshToken,
        Err(CoreError::InstanceHibernating),
    );
    check_parse(
        response(200, "text/html;charset=UTF-8", "<html>Log in</html>"),
        TokenGrant::Password,
        Err(CoreError::NotAnApi),
    );
}

#[test]
fn needs_refresh_honours_skew() {
    let set = tokens("a", Some("r"), Some(1799));
    let expires_at = NOW.saturating_add(Duration::from_secs(1799));
    let check = |now: UnixMillis, skew: Duration, refresh: bool, expired: bool| {
        assert_eq!(
            set.needs_refresh(now, skew),
            refresh,
            "needs_refresh at {now:?}, skew {skew:?}"
        );
        assert_eq!(set.is_expired(now), expired, "is_expired at {now:?}");
    };
    check(NOW, DEFAULT_REFRESH_SKEW, false, false);
    check(
        expires_at.saturating_sub(Duration::from_millis(60_001)),
        DEFAULT_REFRESH_SKEW,
        false,
        false,
    );
    check(
        expires_at.saturating_sub(DEFAULT_REFRESH_SKEW),
        DEFAULT_REFRESH_SKEW,
        true,
        false,
    );
    check(
        expires_at.saturating_sub(Duration::from_millis(1)),
        Duration::ZERO,
        false,
        false,
    );
    check(expires_at, Duration::ZERO, true, true);
    check(
        expires_at.saturating_add(Duration::from_secs(3600)),
        DEFAULT_REFRESH_SKEW,
        true,
        true,
    );
    // A skew longer than the whole lifetime asks for a refresh at once.
    check(NOW, Duration::from_secs(3600), true, false);
    // Without an expiry, only a 401 tells.
    let forever = tokens("a", None, None);
    assert!(!forever.needs_refresh(UnixMillis(u64::MAX), DEFAULT_REFRESH_SKEW));
    assert!(!forever.is_expired(UnixMillis(u64::MAX)));
}

#[test]
fn token_set_round_trips_and_hides_tokens() {
    let set = TokenSet {
        scope: Some("useraccount".into()),
        ..tokens("access-s3cret", Some("refresh-s3cret"), Some(1799))
    };
    let stored = serde_json::to_string(&set).expect("serialises");
    assert_eq!(
        stored,
        r#"{"access_token":"access-s3cret","refresh_token":"refresh-s3cret","expires_at":1700001799000,"scope":"useraccount"}"#
    );
    let back: TokenSet = serde_json::from_str(&stored).expect("deserialises");
    assert_eq!(back, set);
    let minimal: TokenSet = serde_json::from_str(r#"{"access_token":"a"}"#).expect("deserialises");
    assert_eq!(minimal, tokens("a", None, None));
    let printed = format!("{set:?}");
    assert!(!printed.contains("s3cret"), "{printed}");
    assert_eq!(set.credentials().authorization(), "Bearer access-s3cret");
}
