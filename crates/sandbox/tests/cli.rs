//! The binary: prints the instance URL line the end-to-end tests parse, reads `--config`, then
//! serves.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

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

/// The URL a log line names, such as `instance_url=http://127.0.0.1:4711` (colours or not).
fn logged_url(line: &str) -> Option<String> {
    let start = line.find("http://127.0.0.1:")?;
    let url: String = line[start..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || ".:/".contains(*c))
        .collect();
    Some(url)
}

#[test]
fn a_closed_stdout_is_logged_and_the_server_keeps_serving() {
    // A pipe whose reading end is gone before the child starts: its first write to stdout fails.
    let (reader, writer) = std::io::pipe().expect("a pipe");
    drop(reader);
    let mut child = Command::new(env!("CARGO_BIN_EXE_flare-sandbox"))
        .args(["--servicenow", "127.0.0.1:0"])
        .stdout(writer)
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary starts");
    let stderr = child.stderr.take().expect("piped stderr");
    let mut url = None;
    let mut warned = false;
    for line in BufReader::new(stderr).lines() {
        let line = line.expect("readable output");
        if line.contains("ServiceNow instance listening") {
            url = logged_url(&line);
        }
        if line.contains("cannot write the start-up banner") {
            warned = true;
            break;
        }
    }
    assert!(warned, "the failed banner is logged");
    let url = url.expect("the URL is logged");
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let status = runtime.block_on(async {
        let response = reqwest::Client::new()
            .get(format!("{url}/api/now/table/incident?sysparm_limit=1"))
            .basic_auth("admin", Some("admin"))
            .send()
            .await
            .expect("the sandbox still answers");
        response.status()
    });
    assert_eq!(status, reqwest::StatusCode::OK);
    assert!(
        child.try_wait().expect("a status").is_none(),
        "still running"
    );
    child.kill().expect("the test started this child");
    child.wait().expect("the child exits");
}

/// A fresh directory under the system's temporary one, for this test alone.
fn fresh_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("flare-sandbox-cli-{name}-{}", std::process::id()));
    match std::fs::remove_dir_all(&dir) {
        Ok(()) => {}
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => {}
        Err(error) => panic!("cannot clear {}: {error}", dir.display()),
    }
    std::fs::create_dir_all(&dir).expect("a temporary directory");
    dir
}

fn path_arg(path: &Path) -> &str {
    path.to_str().expect("a UTF-8 temporary path")
}

#[test]
fn a_config_file_with_a_zero_lifetime_stops_the_start() {
    let dir = fresh_dir("zero-lifetime");
    let config_path = dir.join("sandbox.json");
    std::fs::write(&config_path, r#"{"token_lifetime_secs": 0}"#).expect("a config file");
    let mut child = Command::new(env!("CARGO_BIN_EXE_flare-sandbox"))
        .args([
            "--servicenow",
            "127.0.0.1:0",
            "--config",
            path_arg(&config_path),
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary starts");
    let mut stderr = child.stderr.take().expect("piped stderr");
    let reader = std::thread::spawn(move || {
        let mut text = String::new();
        std::io::Read::read_to_string(&mut stderr, &mut text).map(|_| text)
    });
    // Waiting on the exit, bounded: a sandbox that took the file would serve forever.
    let deadline = Instant::now() + Duration::from_secs(30);
    let status = loop {
        if let Some(status) = child.try_wait().expect("a status") {
            break status;
        }
        if Instant::now() > deadline {
            child.kill().expect("the test started this child");
            child.wait().expect("the child exits");
            panic!("the sandbox started with a zero token lifetime");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let stderr = reader
        .join()
        .expect("the reader ends")
        .expect("readable stderr");
    assert!(!status.success());
    assert!(
        stderr.contains("token_lifetime_secs must be at least 1, not 0"),
        "{stderr}"
    );
    std::fs::remove_dir_all(&dir).expect("the test's own directory");
}
