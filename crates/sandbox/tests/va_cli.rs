//! `--va-webhook URL` points the Virtual Agent's replies at a webhook from the start.

mod va_support;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use va_support::{request, Sandbox, Webhook};

#[tokio::test]
async fn the_webhook_can_be_set_on_the_command_line() {
    let mut webhook = Webhook::start().await;
    let mut child = Command::new(env!("CARGO_BIN_EXE_flare-sandbox"))
        .args(["--servicenow", "127.0.0.1:0", "--va-webhook", &webhook.url])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("the binary starts");
    let stdout = child.stdout.take().expect("piped stdout");
    // The reader stays alive until the end: the sandbox fails when its stdout is closed.
    let (first_line, _lines) = tokio::task::spawn_blocking(move || {
        let mut lines = BufReader::new(stdout).lines();
        let first_line = lines
            .next()
            .expect("a first line")
            .expect("readable output");
        (first_line, lines)
    })
    .await
    .expect("the reader ends");
    let url = first_line
        .strip_prefix("ServiceNow instance: ")
        .expect("the URL line comes first")
        .to_owned();
    let sandbox = Sandbox {
        url,
        client: reqwest::Client::new(),
    };
    sandbox
        .send(request("r-1", Some("START_CONVERSATION"), ""))
        .await;
    assert_eq!(webhook.next().await.json["requestId"], "r-1");
    child.kill().expect("the test started this child");
    child.wait().expect("the child exits");
}

#[test]
fn an_invalid_webhook_url_stops_the_start() {
    let output = Command::new(env!("CARGO_BIN_EXE_flare-sandbox"))
        .args([
            "--servicenow",
            "127.0.0.1:0",
            "--va-webhook",
            "relay.example/va",
        ])
        .output()
        .expect("the binary runs");
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("--va-webhook"), "{stderr}");
    assert!(
        stderr.contains("invalid webhook URL `relay.example/va`"),
        "{stderr}"
    );
}
