//! HTTPS (`--tls`): both servers behind one certificate, reached by real instance names as a
//! browser with `--host-resolver-rules` reaches them, with every link in their answers naming the
//! host the client asked for; and certificates read from PEM files, whose SPKI hash matches what
//! `openssl x509 -pubkey | openssl pkey -pubin -outform der | openssl dgst -sha256 -binary | base64`
//! prints for them.

mod common;

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use flare_sandbox::common::tls::{TlsError, TlsIdentity};
use reqwest::redirect::Policy;
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::common::{ABEL, ADMIN, ZENDESK_ADMIN};

/// What openssl says of `tests/fixtures/tls/cert.pem` (see the module doc).
const FIXTURE_SPKI_SHA256: &str = "0+wsXhmvf5JlvANOs3d7hnuGjre9ThR/euap8K+qt1I=";
const ABELS_INCIDENT: &str = "1c741bd70b2322007518478d83673af3";

/// The ServiceNow instance and the Zendesk account over TLS, and a client that trusts only their
/// certificate and resolves every name below to them.
struct Https {
    client: reqwest::Client,
    servicenow: SocketAddr,
}

impl Https {
    async fn start() -> Https {
        let identity = TlsIdentity::self_signed().expect("a certificate is made");
        let servicenow = serve(
            |url| flare_sandbox::app(flare_sandbox::AppState::new(url)),
            &identity,
        )
        .await;
        let zendesk = serve(
            |url| flare_sandbox::zendesk::app(flare_sandbox::zendesk::ZendeskState::new(url)),
            &identity,
        )
        .await;
        let certificate = reqwest::Certificate::from_pem(identity.certificate_pem().as_bytes())
            .expect("the PEM is readable");
        let client = reqwest::Client::builder()
            .tls_built_in_root_certs(false)
            .add_root_certificate(certificate)
            .https_only(true)
            .redirect(Policy::none())
            .resolve("acme.service-now.com", servicenow)
            .resolve("globex.service-now.com", servicenow)
            .resolve("acme.zendesk.com", zendesk)
            .resolve("localhost", servicenow)
            .build()
            .expect("a client");
        Https { client, servicenow }
    }

    async fn get(&self, url: &str, user: (&str, &str)) -> reqwest::Response {
        self.client
            .get(url)
            .basic_auth(user.0, Some(user.1))
            .send()
            .await
            .unwrap_or_else(|error| panic!("GET {url}: {error:?}"))
    }
}

/// Serves the router `app` makes for its URL over TLS on a free port.
async fn serve(app: impl FnOnce(&str) -> axum::Router, identity: &TlsIdentity) -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind a free port");
    let address = listener.local_addr().expect("bound address");
    let router = app(&format!("https://{address}"));
    let identity = identity.clone();
    tokio::spawn(async move {
        flare_sandbox::common::tls::serve(listener, router, &identity, std::future::pending()).await
    });
    address
}

fn header<'a>(response: &'a reqwest::Response, name: &str) -> &'a str {
    response.headers()[name].to_str().expect("a text header")
}

#[tokio::test]
async fn servicenow_links_name_the_host_the_client_asked_for() {
    let https = Https::start().await;
    let list = https
        .get(
            "https://acme.service-now.com/api/now/table/incident?sysparm_limit=1",
            ADMIN,
        )
        .await;
    assert_eq!(list.status(), StatusCode::OK);
    assert!(
        header(&list, "link").starts_with("<https://acme.service-now.com/api/now/table/incident?"),
        "{}",
        header(&list, "link")
    );
    let records: Value = list.json().await.unwrap();
    let caller_link = records["result"][0]["caller_id"]["link"].as_str().unwrap();
    assert!(
        caller_link.starts_with("https://acme.service-now.com/api/now/table/sys_user/"),
        "{caller_link}"
    );

    // Any name under service-now.com reaches the same instance, and gets links of its own.
    let created = https
        .client
        .post("https://globex.service-now.com/api/now/table/incident")
        .basic_auth(ADMIN.0, Some(ADMIN.1))
        .json(&json!({"short_description": "Links over TLS"}))
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), StatusCode::CREATED);
    let location = header(&created, "location").to_owned();
    let record: Value = created.json().await.unwrap();
    let sys_id = record["result"]["sys_id"].as_str().unwrap();
    assert_eq!(
        location,
        format!("https://globex.service-now.com/api/now/table/incident/{sys_id}")
    );

    let uploaded = https
        .client
        .post(format!(
            "https://acme.service-now.com/api/now/attachment/file?table_name=incident&table_sys_id={ABELS_INCIDENT}&file_name=log.txt"
        ))
        .basic_auth(ABEL.0, Some(ABEL.1))
        .header("content-type", "text/plain")
        .body("log line\n")
        .send()
        .await
        .unwrap();
    assert_eq!(uploaded.status(), StatusCode::CREATED);
    assert!(header(&uploaded, "location")
        .starts_with("https://acme.service-now.com/api/now/attachment/"));
    let attachment: Value = uploaded.json().await.unwrap();
    let download = attachment["result"]["download_link"].as_str().unwrap();
    assert!(
        download.starts_with("https://acme.service-now.com/api/now/attachment/")
            && download.ends_with("/file"),
        "{download}"
    );
    let file = https.get(download, ABEL).await;
    assert_eq!(file.text().await.unwrap(), "log line\n");

    let home = https.get("https://acme.service-now.com/", ABEL).await;
    let html = home.text().await.unwrap();
    assert!(
        html.contains("<code>https://acme.service-now.com/api/now/table/incident</code>"),
        "{html}"
    );
}

#[tokio::test]
async fn the_consent_page_works_over_tls_and_sends_the_code_to_the_client() {
    let https = Https::start().await;
    let request = [
        ("response_type", "code"),
        ("client_id", "flare"),
        ("redirect_uri", "https://abcdefghijklmnop.chromiumapp.org/"),
        ("state", "xyz-state"),
        (
            "code_challenge",
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
        ),
        ("code_challenge_method", "S256"),
    ];
    let page = https
        .client
        .get("https://acme.service-now.com/oauth_auth.do")
        .query(&request)
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.unwrap();
    // The form posts back to the page it came from, on whatever host that was.
    assert!(html.contains("<form method=\"post\" action=\"/"), "{html}");
    let mut form = request.to_vec();
    form.extend([
        ("user_name", ABEL.0),
        ("user_password", ABEL.1),
        ("action", "allow"),
    ]);
    let allowed = https
        .client
        .post("https://acme.service-now.com/oauth_auth.do")
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(allowed.status(), StatusCode::SEE_OTHER);
    let location = header(&allowed, "location");
    assert!(
        location.starts_with("https://abcdefghijklmnop.chromiumapp.org/?code="),
        "{location}"
    );
}

#[tokio::test]
async fn zendesk_links_name_the_host_the_client_asked_for() {
    let https = Https::start().await;
    let tickets = https
        .get(
            "https://acme.zendesk.com/api/v2/tickets.json?per_page=2",
            ZENDESK_ADMIN,
        )
        .await;
    assert_eq!(tickets.status(), StatusCode::OK);
    let tickets: Value = tickets.json().await.unwrap();
    let url = tickets["tickets"][0]["url"].as_str().unwrap();
    assert!(
        url.starts_with("https://acme.zendesk.com/api/v2/tickets/"),
        "{url}"
    );
    let next_page = tickets["next_page"].as_str().unwrap();
    assert!(
        next_page.starts_with("https://acme.zendesk.com/api/v2/tickets.json?"),
        "{next_page}"
    );

    let uploaded = https
        .client
        .post("https://acme.zendesk.com/api/v2/uploads.json?filename=log.txt")
        .basic_auth(ZENDESK_ADMIN.0, Some(ZENDESK_ADMIN.1))
        .header("content-type", "text/plain")
        .body("log line\n")
        .send()
        .await
        .unwrap();
    assert_eq!(uploaded.status(), StatusCode::CREATED);
    let upload: Value = uploaded.json().await.unwrap();
    let content_url = upload["upload"]["attachment"]["content_url"]
        .as_str()
        .unwrap();
    assert!(
        content_url.starts_with("https://acme.zendesk.com/"),
        "{content_url}"
    );
    let file = https.client.get(content_url).send().await.unwrap();
    assert_eq!(file.text().await.unwrap(), "log line\n");

    let created = https
        .client
        .post("https://acme.zendesk.com/api/v2/tickets.json")
        .basic_auth(ZENDESK_ADMIN.0, Some(ZENDESK_ADMIN.1))
        .json(&json!({"ticket": {"subject": "Links over TLS", "comment": {"body": "Hello"}}}))
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), StatusCode::CREATED);
    assert!(header(&created, "location").starts_with("https://acme.zendesk.com/api/v2/tickets/"));

    let brands = https
        .get("https://acme.zendesk.com/api/v2/brands.json", ZENDESK_ADMIN)
        .await;
    let brands: Value = brands.json().await.unwrap();
    assert_eq!(brands["brands"][0]["brand_url"], "https://acme.zendesk.com");
}

#[tokio::test]
async fn the_loopback_names_are_served_too_and_links_keep_their_port() {
    let https = Https::start().await;
    let port = https.servicenow.port();
    for host in [format!("127.0.0.1:{port}"), format!("localhost:{port}")] {
        let list = https
            .get(
                &format!("https://{host}/api/now/table/incident?sysparm_limit=1"),
                ADMIN,
            )
            .await;
        assert_eq!(list.status(), StatusCode::OK);
        assert!(
            header(&list, "link").starts_with(&format!("<https://{host}/api/now/table/incident?")),
            "{}",
            header(&list, "link")
        );
    }
}

#[tokio::test]
async fn plain_http_keeps_the_links_of_the_state_whatever_the_host() {
    let sandbox =
        crate::common::Sandbox::start_with(flare_sandbox::AppState::new("http://sandbox.test"))
            .await;
    let list = reqwest::Client::new()
        .get(format!(
            "{}/api/now/table/incident?sysparm_limit=1",
            sandbox.url
        ))
        .header("host", "acme.service-now.com")
        .basic_auth(ADMIN.0, Some(ADMIN.1))
        .send()
        .await
        .unwrap();
    assert_eq!(list.status(), StatusCode::OK);
    assert!(
        header(&list, "link").starts_with("<http://sandbox.test/api/now/table/incident?"),
        "{}",
        header(&list, "link")
    );
}

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/tls")
        .join(name)
}

#[test]
fn reads_a_certificate_and_key_from_pem_files() {
    let identity = TlsIdentity::from_pem_files(&fixture("cert.pem"), &fixture("key.pem"))
        .expect("the fixture pair is served");
    assert_eq!(identity.spki_sha256(), FIXTURE_SPKI_SHA256);
    let written = std::fs::read_to_string(fixture("cert.pem")).unwrap();
    assert_eq!(
        identity.certificate_pem(),
        written,
        "the PEM written out is openssl's"
    );
}

#[test]
fn refuses_a_key_of_another_certificate_and_unreadable_files() {
    let refused = TlsIdentity::from_pem_files(&fixture("cert.pem"), &fixture("other-key.pem"));
    assert!(
        matches!(&refused, Err(TlsError::Refused(reason)) if reason.contains("key")),
        "{:?}",
        refused.err()
    );
    let missing = TlsIdentity::from_pem_files(&fixture("missing.pem"), &fixture("key.pem"));
    assert!(
        matches!(&missing, Err(TlsError::Read { path, .. }) if path.ends_with("missing.pem")),
        "{:?}",
        missing.err()
    );
    let no_certificate = TlsIdentity::from_pem_files(&fixture("key.pem"), &fixture("key.pem"));
    assert_eq!(
        no_certificate.err(),
        Some(TlsError::Read {
            path: fixture("key.pem"),
            reason: "no CERTIFICATE in it".to_owned(),
        })
    );
    let no_key = TlsIdentity::from_pem_files(&fixture("cert.pem"), &fixture("cert.pem"));
    assert!(
        matches!(&no_key, Err(TlsError::Read { path, .. }) if path.ends_with("cert.pem")),
        "{:?}",
        no_key.err()
    );
}
