use super::*;

const CONFIG: &str = r#"
listen = "127.0.0.1:0"

[[site]]
id = "demo"
origins = ["http://127.0.0.1:8080", "https://www.example.com"]
identity_secret = { env = "DEMO_IDENTITY_SECRET" }

[site.desk]
kind = "servicenow"
instance = "http://127.0.0.1:8300"
user = "admin"
password = { env = "DEMO_SN_PASSWORD" }
"#;

fn env(name: &str) -> Option<String> {
    match name {
        "DEMO_IDENTITY_SECRET" => Some("a-secret-of-enough-length".into()),
        "DEMO_SN_PASSWORD" => Some("hunter2".into()),
        _ => None,
    }
}

#[test]
fn a_site_reads_its_origins_desk_and_secrets_from_the_environment() {
    let config = RelayConfig::parse(CONFIG, &env).expect("valid");
    let site = &config.sites["demo"];
    assert_eq!(site.origins.len(), 2);
    assert_eq!(site.identity_secret.expose(), "a-secret-of-enough-length");
    assert!(matches!(
        &site.desk.auth,
        DeskAuth::Basic(Credentials::Basic { username, password })
            if username == "admin" && password == "hunter2"
    ));
    assert_eq!(config.limits.frames_per_minute, 120);
}

#[test]
fn debug_output_never_shows_a_secret() {
    let config = RelayConfig::parse(CONFIG, &env).expect("valid");
    let shown = format!("{config:?}");
    assert!(!shown.contains("hunter2"), "{shown}");
    assert!(!shown.contains("a-secret-of-enough-length"), "{shown}");
}

#[test]
fn a_missing_environment_variable_is_named() {
    let error = RelayConfig::parse(CONFIG, &|_| None).expect_err("no env");
    assert_eq!(
        error.to_string(),
        "environment variable DEMO_IDENTITY_SECRET is not set"
    );
}

#[test]
fn origins_must_be_bare_origins() {
    for origin in [
        "http://a.example/",
        "a.example",
        "ftp://a.example",
        "https://a.example?x",
    ] {
        let text = CONFIG.replace("\"https://www.example.com\"", &format!("{origin:?}"));
        let error = RelayConfig::parse(&text, &env).expect_err(origin);
        assert!(error.to_string().contains("is not an origin"), "{error}");
    }
}

#[test]
fn unknown_keys_are_refused_rather_than_ignored() {
    let text = CONFIG.replace("listen =", "lisen = \"x\"\nlisten =");
    let error = RelayConfig::parse(&text, &env).expect_err("typo");
    assert!(error.to_string().contains("lisen"), "{error}");
}

#[test]
fn the_documented_example_config_is_valid() {
    let text = include_str!("../../relay.example.toml");
    let config = RelayConfig::parse(text, &|name| {
        name.starts_with("FLARE_DEMO_")
            .then(|| "demo-secret-long-enough".to_owned())
    })
    .expect("the example is valid");
    assert!(config.sites.contains_key("demo"));
}

#[test]
fn a_va_handoff_needs_exactly_one_way_to_check_the_webhook() {
    let with = |lines: &str| {
        format!(
            "{CONFIG}\n[site.handoff]\nroute = \"va\"\ncontext = {{ queue = \"it\" }}\n{lines}\n"
        )
    };
    let config = RelayConfig::parse(&with("webhook_hmac_secret = \"shh\""), &env).expect("valid");
    let handoff = config.sites["demo"].handoff.as_ref().expect("handoff");
    assert_eq!(handoff.context, [("queue".to_owned(), "it".to_owned())]);
    assert!(matches!(&handoff.webhook, WebhookAuth::Hmac(secret) if secret.expose() == "shh"));
    for lines in ["", "webhook_token = \"a\"\nwebhook_hmac_secret = \"b\""] {
        let error = RelayConfig::parse(&with(lines), &env).expect_err(lines);
        assert!(error.to_string().contains("exactly one"), "{error}");
    }
}

#[test]
fn a_desk_signs_in_with_a_password_or_an_oauth_refresh_token_not_both() {
    let oauth = CONFIG.replace(
        "user = \"admin\"\npassword = { env = \"DEMO_SN_PASSWORD\" }",
        "oauth = { client_id = \"flare-relay\", client_secret = { env = \"DEMO_SN_PASSWORD\" }, refresh_token = \"r-1\" }",
    );
    let config = RelayConfig::parse(&oauth, &env).expect("valid");
    assert!(matches!(
        &config.sites["demo"].desk.auth,
        DeskAuth::OAuth { client_id, refresh_token, .. }
            if client_id == "flare-relay" && refresh_token.expose() == "r-1"
    ));
    assert!(!format!("{config:?}").contains("hunter2"));
    let both = CONFIG.replace(
        "user = \"admin\"",
        "user = \"admin\"\noauth = { client_id = \"c\", client_secret = \"s\", refresh_token = \"r\" }",
    );
    let error = RelayConfig::parse(&both, &env).expect_err("both");
    assert!(
        error
            .to_string()
            .contains("either user and password, or oauth"),
        "{error}"
    );
}
