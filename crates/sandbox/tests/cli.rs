//! The binary: prints the instance URL line the end-to-end tests parse and the OAuth clients,
//! reads `--config`, seeds `--seed-incidents` once into `--data`, then serves.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
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
    // Read the banner up to the Zendesk credentials, the last line of the Zendesk block.
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

/// A running sandbox binary whose stdout lines arrive on a channel, so that a test can wait for a
/// line with a timeout. The reader thread keeps the pipe open as long as the child lives.
struct Running {
    child: Child,
    lines: mpsc::Receiver<String>,
}

impl Running {
    fn start(args: &[&str]) -> Running {
        let mut child = Command::new(env!("CARGO_BIN_EXE_flare-sandbox"))
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("the binary starts");
        let stdout = child.stdout.take().expect("piped stdout");
        let (sender, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if sender.send(line).is_err() {
                    break;
                }
            }
        });
        Running { child, lines }
    }

    /// The next line of stdout; fails the test if none comes within `timeout`.
    fn next_line(&self, timeout: Duration) -> String {
        self.lines
            .recv_timeout(timeout)
            .unwrap_or_else(|error| panic!("no line on stdout within {timeout:?}: {error}"))
    }

    /// The next `n_lines` lines.
    fn next_lines(&self, n_lines: usize) -> Vec<String> {
        (0..n_lines)
            .map(|_| self.next_line(Duration::from_secs(10)))
            .collect()
    }

    /// The lines up to and including the first one `is_last` accepts.
    fn lines_until(&self, is_last: impl Fn(&str) -> bool) -> Vec<String> {
        let mut lines = Vec::new();
        loop {
            let line = self.next_line(Duration::from_secs(10));
            let last = is_last(&line);
            lines.push(line);
            if last {
                return lines;
            }
        }
    }

    /// The ServiceNow URL from the banner's first line.
    fn servicenow_url(&self, timeout: Duration) -> String {
        let first = self.next_line(timeout);
        first
            .strip_prefix("ServiceNow instance: ")
            .unwrap_or_else(|| panic!("the URL line comes first: {first}"))
            .to_owned()
    }

    fn stop(mut self) {
        self.child.kill().expect("the test started this child");
        self.child.wait().expect("the child exits");
    }
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

const DEFAULT_REDIRECT_URIS: &str = "https://*.chromiumapp.org/*, https://*.extensions.allizom.org/*, http://127.0.0.1:*, http://localhost:*";

/// The banner from its second line to its end: with `--zendesk`, the Zendesk OAuth line and the
/// two clients under it come last.
fn rest_of_banner(sandbox: &Running) -> Vec<String> {
    let mut banner = sandbox.lines_until(|line| line.starts_with("Zendesk OAuth: "));
    banner.extend(sandbox.next_lines(4));
    banner
}

#[test]
fn prints_the_oauth_clients_of_both_servers() {
    let sandbox = Running::start(&["--servicenow", "127.0.0.1:0", "--zendesk", "127.0.0.1:0"]);
    let url = sandbox.servicenow_url(Duration::from_secs(30));
    let banner = rest_of_banner(&sandbox);
    let zendesk_url = banner
        .iter()
        .find_map(|line| line.strip_prefix("Zendesk account: "))
        .expect("a Zendesk line")
        .to_owned();
    let clients = [
        "  flare (public: PKCE S256, no secret)".to_owned(),
        format!("    redirect URIs: {DEFAULT_REDIRECT_URIS}"),
        "  flare-relay / flare-relay-secret (confidential: client secret, PKCE optional)"
            .to_owned(),
        format!("    redirect URIs: {DEFAULT_REDIRECT_URIS}"),
    ];
    let mut expected = vec![format!(
        "ServiceNow OAuth: {url}/oauth_auth.do and /oauth_token.do, access tokens live 1800 s"
    )];
    expected.extend(clients.iter().cloned());
    expected.push(format!(
        "Zendesk OAuth: {zendesk_url}/oauth/authorizations/new and /oauth/tokens, \
         access tokens do not expire unless a token request sets expires_in"
    ));
    expected.extend(clients.iter().cloned());
    let oauth_idx = banner
        .iter()
        .position(|line| line.starts_with("ServiceNow OAuth: "))
        .expect("a ServiceNow OAuth block");
    assert_eq!(banner[oauth_idx..], expected);
    sandbox.stop();
}

const RELAY_REDIRECT: &str = "https://relay.example/oauth/callback";

#[test]
fn a_config_file_sets_redirect_uris_secrets_and_lifetimes() {
    let dir = fresh_dir("config");
    let config_path = dir.join("sandbox.json");
    let config = serde_json::json!({
        "oauth_clients": [{
            "client_id": "flare-relay",
            "client_secret": "configured-secret",
            "redirect_uris": [RELAY_REDIRECT],
        }],
        "token_lifetime_secs": 600,
        "zendesk": {"token_lifetime_secs": 7200},
    });
    std::fs::write(&config_path, config.to_string()).expect("a config file");
    let sandbox = Running::start(&[
        "--servicenow",
        "127.0.0.1:0",
        "--zendesk",
        "127.0.0.1:0",
        "--config",
        path_arg(&config_path),
    ]);
    let url = sandbox.servicenow_url(Duration::from_secs(30));
    let banner = rest_of_banner(&sandbox).join("\n");
    assert!(
        banner.contains(&format!(
            "ServiceNow OAuth: {url}/oauth_auth.do and /oauth_token.do, access tokens live 600 s\n"
        )),
        "{banner}"
    );
    assert!(
        banner.contains("access tokens live 7200 s unless a token request sets expires_in"),
        "{banner}"
    );
    let relay = format!(
        "  flare-relay / configured-secret (confidential: client secret, PKCE optional)\n    \
         redirect URIs: {RELAY_REDIRECT}"
    );
    assert_eq!(banner.matches(&relay).count(), 2, "both servers: {banner}");

    let runtime = tokio::runtime::Runtime::new().expect("a runtime");
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("a client");
    let relay_request = |redirect_uri: &'static str| {
        vec![
            ("response_type", "code"),
            ("client_id", "flare-relay"),
            ("redirect_uri", redirect_uri),
            ("state", "s"),
        ]
    };
    let sign_in_page = |request: Vec<(&str, &str)>| {
        runtime.block_on(async {
            let response = client
                .get(format!("{url}/oauth_auth.do"))
                .query(&request)
                .send()
                .await
                .expect("the sandbox answers");
            response.status()
        })
    };
    // The configured redirect URI is accepted, flare-relay's defaults are gone, and flare, which
    // the file leaves alone, keeps them.
    assert_eq!(sign_in_page(relay_request(RELAY_REDIRECT)), 200);
    let default_redirect = "https://abcdefghijklmnop.chromiumapp.org/";
    assert_eq!(sign_in_page(relay_request(default_redirect)), 400);
    let mut flare_request = relay_request(default_redirect);
    flare_request[1].1 = "flare";
    flare_request.extend([
        (
            "code_challenge",
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
        ),
        ("code_challenge_method", "S256"),
    ]);
    assert_eq!(sign_in_page(flare_request), 200);

    // The code flow: the configured secret, not the default one, and the configured lifetime.
    let (status, tokens) = runtime.block_on(async {
        let mut form = relay_request(RELAY_REDIRECT);
        form.extend([
            ("user_name", "itil"),
            ("user_password", "itil"),
            ("action", "allow"),
        ]);
        let response = client
            .post(format!("{url}/oauth_auth.do"))
            .form(&form)
            .send()
            .await
            .expect("the sandbox answers");
        let location = response.headers()["location"].to_str().unwrap().to_owned();
        assert!(location.starts_with(RELAY_REDIRECT), "{location}");
        let code = reqwest::Url::parse(&location)
            .unwrap()
            .query_pairs()
            .find(|(name, _)| name == "code")
            .expect("a code")
            .1
            .into_owned();
        let exchange = |secret: &'static str| {
            [
                ("grant_type", "authorization_code"),
                ("client_id", "flare-relay"),
                ("client_secret", secret),
                ("code", code.as_str()),
                ("redirect_uri", RELAY_REDIRECT),
            ]
            .map(|(name, value)| (name, value.to_owned()))
        };
        let refused = client
            .post(format!("{url}/oauth_token.do"))
            .form(&exchange("flare-relay-secret"))
            .send()
            .await
            .expect("the sandbox answers");
        assert_eq!(refused.status(), 401, "the default secret was replaced");
        let response = client
            .post(format!("{url}/oauth_token.do"))
            .form(&exchange("configured-secret"))
            .send()
            .await
            .expect("the sandbox answers");
        let status = response.status();
        let tokens: serde_json::Value = response.json().await.expect("JSON");
        (status, tokens)
    });
    assert_eq!(status, 200, "{tokens}");
    assert_eq!(tokens["expires_in"], 599, "{tokens}");
    sandbox.stop();
    std::fs::remove_dir_all(&dir).expect("the test's own directory");
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

/// The instance's `X-Total-Count` for incidents, as the admin sees them.
fn total_incidents(runtime: &tokio::runtime::Runtime, url: &str) -> u64 {
    runtime.block_on(async {
        let response = reqwest::Client::new()
            .get(format!("{url}/api/now/table/incident?sysparm_limit=1"))
            .basic_auth("admin", Some("admin"))
            .send()
            .await
            .expect("the sandbox answers");
        assert_eq!(response.status(), 200);
        response.headers()["x-total-count"]
            .to_str()
            .expect("a text header")
            .parse()
            .expect("a count")
    })
}

#[test]
fn seeds_incidents_into_a_new_data_directory_only() {
    const N_SEEDED: u64 = 100_000;
    // "N up to 100000 starts in seconds" holds for the release build (about 3 s with --data, see
    // the README); this debug test build, sharing the machine with the other tests, takes several
    // times as long, so the bound only catches a hang.
    const START_TIMEOUT: Duration = Duration::from_secs(180);
    let runtime = tokio::runtime::Runtime::new().expect("a runtime");
    let demo = Running::start(&["--servicenow", "127.0.0.1:0"]);
    let n_demo_incidents = total_incidents(&runtime, &demo.servicenow_url(START_TIMEOUT));
    demo.stop();

    let dir = fresh_dir("seed");
    let args = [
        "--servicenow",
        "127.0.0.1:0",
        "--seed-incidents",
        "100000",
        "--data",
        path_arg(&dir),
    ];
    // A directory that holds a state is used as it is: restarting with the same command line
    // must not add another 100000 incidents on every start.
    for run in ["first start, seeding", "restart with the same --data"] {
        let started = Instant::now();
        let sandbox = Running::start(&args);
        let url = sandbox.servicenow_url(START_TIMEOUT);
        eprintln!("{run}: the URL came after {:?}", started.elapsed());
        assert_eq!(
            total_incidents(&runtime, &url),
            n_demo_incidents + N_SEEDED,
            "{run}"
        );
        sandbox.stop();
    }
    std::fs::remove_dir_all(&dir).expect("the test's own directory");
}
