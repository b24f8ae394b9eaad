//! The binary: prints the instance URL line the end-to-end tests parse, then serves.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

#[test]
fn prints_the_instance_url_and_serves() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_flare-sandbox"))
        .args(["--servicenow", "127.0.0.1:0", "--zendesk", "127.0.0.1:0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("the binary starts");
    let stdout = child.stdout.take().expect("piped stdout");
    let mut lines = BufReader::new(stdout).lines();
    let first = lines
        .next()
        .expect("a first line")
        .expect("readable output");
    let url = first
        .strip_prefix("ServiceNow instance: ")
        .expect("the URL line comes first")
        .to_owned();
    assert!(
        url.starts_with("http://127.0.0.1:") && !url.ends_with(":0"),
        "{url}"
    );
    // Read the banner up to the Zendesk credentials, its last line.
    let mut banner = Vec::new();
    for line in lines.by_ref() {
        let line = line.expect("readable output");
        let last = line.contains("user@example.com");
        banner.push(line);
        if last {
            break;
        }
    }
    let banner = banner.join("\n");
    for credentials in [
        "admin / admin",
        "itil / itil",
        "abel.tuter / abel.tuter",
        "admin@example.com / sandbox-token",
        "user@example.com / sandbox-token",
    ] {
        assert!(banner.contains(credentials), "{banner}");
    }
    let zendesk_url = banner
        .lines()
        .find_map(|line| line.strip_prefix("Zendesk account: "))
        .expect("a Zendesk line")
        .to_owned();

    let runtime = tokio::runtime::Runtime::new().unwrap();
    let status = runtime.block_on(async {
        let response = reqwest::Client::new()
            .get(format!("{url}/api/now/table/incident?sysparm_limit=1"))
            .basic_auth("admin", Some("admin"))
            .send()
            .await
            .expect("the sandbox answers");
        response.status()
    });
    assert_eq!(status, reqwest::StatusCode::OK);
    let status = runtime.block_on(async {
        let response = reqwest::Client::new()
            .get(format!("{zendesk_url}/api/v2/users/me.json"))
            .basic_auth("admin@example.com/token", Some("sandbox-token"))
            .send()
            .await
            .expect("the Zendesk account answers");
        response.status()
    });
    assert_eq!(status, reqwest::StatusCode::OK);
    child.kill().expect("the test started this child");
    child.wait().expect("the child exits");
}
