//! The binary with `--zendesk`: the ServiceNow line stays first, the Zendesk account and its demo
//! sign-ins follow the ServiceNow block, and both servers answer. Without `--zendesk` no Zendesk
//! server runs.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

fn start(args: &[&str]) -> (Child, impl Iterator<Item = String>) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_flare-sandbox"))
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("the binary starts");
    let stdout = child.stdout.take().expect("piped stdout");
    let lines = BufReader::new(stdout)
        .lines()
        .map(|line| line.expect("readable output"));
    (child, lines)
}

#[test]
fn prints_the_zendesk_account_after_the_servicenow_block_and_serves_it() {
    let (mut child, mut lines) =
        start(&["--servicenow", "127.0.0.1:0", "--zendesk", "127.0.0.1:0"]);
    let first = lines.next().expect("a first line");
    assert!(
        first.starts_with("ServiceNow instance: http://127.0.0.1:"),
        "{first}"
    );
    let mut before = Vec::new();
    let zendesk_line = loop {
        let line = lines.next().expect("a Zendesk line");
        if line.starts_with("Zendesk account: ") {
            break line;
        }
        before.push(line);
    };
    assert_eq!(
        before.len(),
        4,
        "the ServiceNow block comes first: {before:?}"
    );
    let url = zendesk_line
        .strip_prefix("Zendesk account: ")
        .expect("the prefix")
        .to_owned();
    assert!(
        url.starts_with("http://127.0.0.1:") && !url.ends_with(":0"),
        "{url}"
    );
    let logins: Vec<String> = lines.by_ref().take(3).collect();
    assert!(logins[0].starts_with("Zendesk demo users"), "{logins:?}");
    let banner = logins.join("\n");
    for login in [
        "admin@example.com / sandbox-token",
        "user@example.com / sandbox-token",
    ] {
        assert!(banner.contains(login), "{banner}");
    }

    let runtime = tokio::runtime::Runtime::new().expect("a runtime");
    let role = runtime.block_on(async {
        let response = reqwest::Client::new()
            .get(format!("{url}/api/v2/users/me.json"))
            .basic_auth("admin@example.com/token", Some("sandbox-token"))
            .send()
            .await
            .expect("the Zendesk account answers");
        let body: serde_json::Value = response.json().await.expect("JSON");
        body["user"]["role"].clone()
    });
    assert_eq!(role, "admin");
    child.kill().expect("the test started this child");
    child.wait().expect("the child exits");
}

#[test]
fn runs_no_zendesk_account_without_the_flag() {
    let (mut child, mut lines) = start(&["--servicenow", "127.0.0.1:0"]);
    let first = lines.next().expect("a first line");
    let url = first
        .strip_prefix("ServiceNow instance: ")
        .expect("the URL line comes first")
        .to_owned();
    // The banner is printed before serving starts, so an answer means it is complete.
    let runtime = tokio::runtime::Runtime::new().expect("a runtime");
    runtime.block_on(async {
        reqwest::Client::new()
            .get(format!("{url}/"))
            .send()
            .await
            .expect("the ServiceNow instance answers");
    });
    child.kill().expect("the test started this child");
    child.wait().expect("the child exits");
    let rest: Vec<String> = lines.collect();
    assert!(
        rest.iter().all(|line| !line.contains("Zendesk")),
        "{rest:?}"
    );
}

#[test]
fn keeps_the_account_in_the_data_dir_and_reads_its_oauth_clients_from_the_config() {
    let dir =
        std::env::temp_dir().join(format!("flare-sandbox-zendesk-cli-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("a temporary directory");
    let config = dir.join("config.json");
    std::fs::write(
        &config,
        r#"{"zendesk": {"oauth_clients": [{"client_id": "flare", "redirect_uris": ["https://only.example/callback"]}], "token_lifetime_secs": 7200}}"#,
    )
    .expect("the config file");
    let data = dir.join("data");
    let (mut child, mut lines) = start(&[
        "--servicenow",
        "127.0.0.1:0",
        "--zendesk",
        "127.0.0.1:0",
        "--data",
        data.to_str().expect("a UTF-8 path"),
        "--config",
        config.to_str().expect("a UTF-8 path"),
    ]);
    // `lines` stays open until the end: the banner goes on after this line, and a closed pipe
    // would stop the server.
    let url = lines
        .by_ref()
        .find_map(|line| line.strip_prefix("Zendesk account: ").map(str::to_owned))
        .expect("the Zendesk line");
    let runtime = tokio::runtime::Runtime::new().expect("a runtime");
    let statuses = runtime.block_on(async {
        let mut statuses = Vec::new();
        for redirect_uri in [
            "https://only.example/callback",
            "https://abcdefghijklmnop.chromiumapp.org/",
        ] {
            let response = reqwest::Client::new()
                .get(format!("{url}/oauth/authorizations/new"))
                .query(&[
                    ("response_type", "code"),
                    ("client_id", "flare"),
                    ("redirect_uri", redirect_uri),
                    ("scope", "read"),
                    ("state", "xyz"),
                    (
                        "code_challenge",
                        "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
                    ),
                    ("code_challenge_method", "S256"),
                ])
                .send()
                .await
                .expect("the Zendesk account answers");
            statuses.push(response.status().as_u16());
        }
        statuses
    });
    child.kill().expect("the test started this child");
    child.wait().expect("the child exits");
    assert_eq!(
        statuses,
        [200, 400],
        "the configured redirect URI replaces the defaults"
    );
    assert!(data.join("zendesk.sqlite3").exists());
    assert!(data.join("servicenow.sqlite3").exists());
    let _ = std::fs::remove_dir_all(&dir);
}
