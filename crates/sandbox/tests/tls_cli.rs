//! The binary with `--tls`: https URLs, the certificate's SPKI hash on the line the end-to-end tests
//! read, the certificate written where `--tls-cert-out` says, and both servers answering by real
//! instance names through it; `--tls-cert` and `--tls-key` serve a given certificate.

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

const SPKI_PREFIX: &str = "TLS certificate SPKI sha256: ";

/// A child sandbox, killed when the test ends, however it ends.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts the binary and reads its banner, which the Chromium flags end: its lines, and the hash
/// of the SPKI line.
fn start(args: &[&str]) -> (Running, Vec<String>, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_flare-sandbox"))
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("the binary starts");
    let stdout = child.stdout.take().expect("piped stdout");
    let running = Running(child);
    let mut banner = Vec::new();
    for line in BufReader::new(stdout).lines() {
        let line = line.expect("readable output");
        let last = line.contains("--ignore-certificate-errors-spki-list=");
        banner.push(line);
        if last {
            let spki = banner
                .iter()
                .find_map(|line| line.strip_prefix(SPKI_PREFIX))
                .unwrap_or_else(|| panic!("no SPKI line in {banner:?}"))
                .to_owned();
            return (running, banner, spki);
        }
    }
    panic!("no Chromium flags in {banner:?}");
}

/// The address after `prefix` on a banner line, such as `https://127.0.0.1:4711`.
fn address(banner: &[String], prefix: &str) -> SocketAddr {
    let line = banner
        .iter()
        .find_map(|line| line.strip_prefix(prefix))
        .unwrap_or_else(|| panic!("no `{prefix}` line in {banner:?}"));
    let address = line
        .strip_prefix("https://")
        .unwrap_or_else(|| panic!("an https URL: {line}"));
    address.parse().expect("IP:PORT")
}

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("flare-tls-cli-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// A client that trusts only the certificate in `pem` and reaches the servers by real names.
fn client(pem: &[u8], servicenow: SocketAddr, zendesk: SocketAddr) -> reqwest::Client {
    reqwest::Client::builder()
        .tls_built_in_root_certs(false)
        .add_root_certificate(reqwest::Certificate::from_pem(pem).expect("a PEM certificate"))
        .resolve("acme.service-now.com", servicenow)
        .resolve("acme.zendesk.com", zendesk)
        .build()
        .expect("a client")
}

#[test]
fn serves_https_with_a_certificate_made_at_start() {
    let dir = temp_dir("self-signed");
    let certificate_out = dir.join("sandbox.pem");
    let (_running, banner, spki) = start(&[
        "--servicenow",
        "127.0.0.1:0",
        "--zendesk",
        "127.0.0.1:0",
        "--tls",
        "--tls-cert-out",
        certificate_out.to_str().unwrap(),
    ]);
    assert!(
        banner[0].starts_with("ServiceNow instance: https://127.0.0.1:"),
        "the URL line stays first: {banner:?}"
    );
    let servicenow = address(&banner, "ServiceNow instance: ");
    let zendesk = address(&banner, "Zendesk account: ");
    assert_eq!(spki.len(), 44, "base64 of 32 bytes: {spki}");
    let pem = std::fs::read(&certificate_out).expect("the certificate is written out");

    let runtime = tokio::runtime::Runtime::new().unwrap();
    let client = client(&pem, servicenow, zendesk);
    runtime.block_on(async {
        let incidents = client
            .get("https://acme.service-now.com/api/now/table/incident?sysparm_limit=1")
            .basic_auth("admin", Some("admin"))
            .send()
            .await
            .expect("the instance answers over TLS");
        assert_eq!(incidents.status(), reqwest::StatusCode::OK);
        let link = incidents.headers()["link"].to_str().unwrap();
        assert!(link.starts_with("<https://acme.service-now.com/"), "{link}");
        let me = client
            .get("https://acme.zendesk.com/api/v2/users/me.json")
            .basic_auth("admin@example.com/token", Some("sandbox-token"))
            .send()
            .await
            .expect("the account answers over TLS");
        assert_eq!(me.status(), reqwest::StatusCode::OK);
    });

    // Last, the flags that make Chromium reach both servers by real names and trust exactly this
    // certificate.
    assert_eq!(
        banner.last().map(String::as_str),
        Some(
            format!(
                "  --host-resolver-rules=\"MAP *.service-now.com {servicenow}, MAP *.zendesk.com {zendesk}\" \
                 --ignore-certificate-errors-spki-list={spki}"
            )
            .as_str()
        )
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn serves_the_certificate_it_is_given() {
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/tls");
    let certificate = fixtures.join("cert.pem");
    let (_running, banner, spki) = start(&[
        "--servicenow",
        "127.0.0.1:0",
        "--zendesk",
        "127.0.0.1:0",
        "--tls",
        "--tls-cert",
        certificate.to_str().unwrap(),
        "--tls-key",
        fixtures.join("key.pem").to_str().unwrap(),
    ]);
    // What openssl prints for the fixture (tests/tls.rs).
    assert_eq!(spki, "0+wsXhmvf5JlvANOs3d7hnuGjre9ThR/euap8K+qt1I=");
    let servicenow = address(&banner, "ServiceNow instance: ");
    let zendesk = address(&banner, "Zendesk account: ");
    let pem = std::fs::read(&certificate).unwrap();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let status = runtime.block_on(async {
        client(&pem, servicenow, zendesk)
            .get("https://acme.zendesk.com/api/v2/users/me.json")
            .basic_auth("admin@example.com/token", Some("sandbox-token"))
            .send()
            .await
            .expect("the account answers with the given certificate")
            .status()
    });
    assert_eq!(status, reqwest::StatusCode::OK);
}

#[test]
fn refuses_a_certificate_it_cannot_read() {
    let output = Command::new(env!("CARGO_BIN_EXE_flare-sandbox"))
        .args([
            "--servicenow",
            "127.0.0.1:0",
            "--tls",
            "--tls-cert",
            "/nonexistent/cert.pem",
            "--tls-key",
            "/nonexistent/key.pem",
        ])
        .output()
        .expect("the binary runs");
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("cannot read /nonexistent/cert.pem"),
        "{stderr}"
    );
}
