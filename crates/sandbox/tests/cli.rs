//! The binary: prints the instance URL line the end-to-end tests parse, then serves.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

#[test]
fn prints_the_instance_url_and_serves() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_flare-sandbox"))
        .args(["--servicenow", "127.0.0.1:0"])
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
    let rest: Vec<String> = lines
        .take(4)
        .map(|line| line.expect("readable output"))
        .collect();
    let banner = rest.join("\n");
    for credentials in ["admin / admin", "itil / itil", "abel.tuter / abel.tuter"] {
        assert!(banner.contains(credentials), "{banner}");
    }

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
    child.kill().expect("the test started this child");
    child.wait().expect("the child exits");
}
