//! A sandbox on a free port and a small client for it.

#![allow(dead_code)]

pub mod zendesk;

use flare_core::http::{HttpRequest, HttpResponse};
use reqwest::header::HeaderMap;
use reqwest::StatusCode;
use serde_json::Value;

pub const ADMIN: (&str, &str) = ("admin", "admin");
pub const ITIL: (&str, &str) = ("itil", "itil");
pub const ABEL: (&str, &str) = ("abel.tuter", "abel.tuter");
pub const ADMIN_SYS_ID: &str = "6816f79cc0a8016401c5a33be04be441";
pub const ABEL_SYS_ID: &str = "62826bf03710200044e0bfc8bcbe5df1";

/// Zendesk sign-ins: `{email}/token` and the account's API token.
pub const ZENDESK_ADMIN: (&str, &str) = ("admin@example.com/token", "sandbox-token");
pub const ZENDESK_AGENT: (&str, &str) = ("agent@example.com/token", "sandbox-token");
pub const ZENDESK_USER: (&str, &str) = ("user@example.com/token", "sandbox-token");
pub const ZENDESK_ADMIN_ID: u64 = 10_001;
pub const ZENDESK_AGENT_ID: u64 = 10_002;
pub const ZENDESK_USER_ID: u64 = 10_003;

/// A running sandbox; the server task ends with the test's runtime.
pub struct Sandbox {
    pub url: String,
    client: reqwest::Client,
}

/// One response, read completely.
#[derive(Debug)]
pub struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub text: String,
}

impl Sandbox {
    pub async fn start() -> Sandbox {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind a free port");
        let url = format!("http://{}", listener.local_addr().expect("bound address"));
        let app = flare_sandbox::app(flare_sandbox::AppState::new(&url));
        tokio::spawn(async move { axum::serve(listener, app).await });
        Sandbox {
            url,
            client: reqwest::Client::new(),
        }
    }

    /// A sandbox serving `state`; links in its answers point at the state's own URL.
    pub async fn start_with(state: flare_sandbox::AppState) -> Sandbox {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind a free port");
        let url = format!("http://{}", listener.local_addr().expect("bound address"));
        let app = flare_sandbox::app(state);
        tokio::spawn(async move { axum::serve(listener, app).await });
        Sandbox {
            url,
            client: reqwest::Client::new(),
        }
    }

    /// A Zendesk account on a free port, with the default options.
    pub async fn start_zendesk() -> Sandbox {
        Sandbox::start_zendesk_with(&flare_sandbox::zendesk::ZendeskOptions::default()).await
    }

    /// A Zendesk account on a free port.
    pub async fn start_zendesk_with(options: &flare_sandbox::zendesk::ZendeskOptions) -> Sandbox {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind a free port");
        let url = format!("http://{}", listener.local_addr().expect("bound address"));
        let state = flare_sandbox::zendesk::ZendeskState::with_options(&url, options)
            .expect("the account starts");
        let app = flare_sandbox::zendesk::app(state);
        tokio::spawn(async move { axum::serve(listener, app).await });
        Sandbox {
            url,
            client: reqwest::Client::new(),
        }
    }

    /// A Zendesk account serving `state`; links in its answers point at the state's own URL.
    pub async fn start_zendesk_state(state: flare_sandbox::zendesk::ZendeskState) -> Sandbox {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind a free port");
        let url = format!("http://{}", listener.local_addr().expect("bound address"));
        let app = flare_sandbox::zendesk::app(state);
        tokio::spawn(async move { axum::serve(listener, app).await });
        Sandbox {
            url,
            client: reqwest::Client::new(),
        }
    }

    pub async fn get(&self, user: Option<(&str, &str)>, path: &str) -> Reply {
        self.send(self.client.get(format!("{}{path}", self.url)), user)
            .await
    }

    pub async fn post(&self, user: Option<(&str, &str)>, path: &str, body: &Value) -> Reply {
        let request = self.client.post(format!("{}{path}", self.url)).json(body);
        self.send(request, user).await
    }

    pub async fn send(
        &self,
        request: reqwest::RequestBuilder,
        user: Option<(&str, &str)>,
    ) -> Reply {
        let request = match user {
            Some((name, password)) => request.basic_auth(name, Some(password)),
            None => request,
        };
        let response = request.send().await.expect("the sandbox answers");
        Reply {
            status: response.status(),
            headers: response.headers().clone(),
            text: response.text().await.expect("a readable body"),
        }
    }

    pub fn client(&self) -> &reqwest::Client {
        &self.client
    }
}

impl Reply {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.text)
            .unwrap_or_else(|error| panic!("not JSON ({error}): {}", self.text))
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|value| value.to_str().ok())
    }

    /// The `number` of every record of a list result.
    pub fn numbers(&self) -> Vec<String> {
        self.json()["result"]
            .as_array()
            .expect("a list result")
            .iter()
            .map(|record| record["number"].as_str().unwrap_or_default().to_owned())
            .collect()
    }
}

/// The keys of a JSON object in the order they were written (serde_json's `Value` sorts them).
/// For an array, the keys of its first element.
#[derive(Debug, Default)]
pub struct OrderedKeys(pub Vec<String>);

impl<'de> serde::Deserialize<'de> for OrderedKeys {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(OrderedKeysVisitor)
    }
}

struct OrderedKeysVisitor;

impl<'de> serde::de::Visitor<'de> for OrderedKeysVisitor {
    type Value = OrderedKeys;

    fn expecting(&self, formatter: &mut std::fmt::Formatter) -> std::fmt::Result {
        formatter.write_str("a JSON object or array of objects")
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<OrderedKeys, A::Error> {
        let mut keys = Vec::new();
        while let Some(key) = map.next_key::<String>()? {
            map.next_value::<serde::de::IgnoredAny>()?;
            keys.push(key);
        }
        Ok(OrderedKeys(keys))
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<OrderedKeys, A::Error> {
        let first = seq.next_element::<OrderedKeys>()?.unwrap_or_default();
        while seq.next_element::<serde::de::IgnoredAny>()?.is_some() {}
        Ok(first)
    }
}

/// The keys of the `result` object of a Table or Attachment API body, in written order.
pub fn result_keys(text: &str) -> Vec<String> {
    #[derive(serde::Deserialize)]
    struct Body {
        result: OrderedKeys,
    }
    serde_json::from_str::<Body>(text)
        .expect("a result body")
        .result
        .0
}

/// What a browser does on an OAuth sign-in page: opens `authorization_url`, fills in the user name
/// and password, presses the button with `button` as its value (`allow` or `deny`) and returns the
/// answer without following its redirect. The form's action and hidden fields are read from the
/// page, as a browser reads them.
pub async fn submit_consent(
    authorization_url: &str,
    (user_name, password): (&str, &str),
    button: &str,
) -> Reply {
    let browser = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("a client");
    let page = browser
        .get(authorization_url)
        .send()
        .await
        .expect("the sign-in page");
    assert_eq!(page.status(), StatusCode::OK, "{authorization_url}");
    let html = page.text().await.expect("a page");
    let (action, mut form) = read_form(&html);
    form.extend(
        [
            ("user_name", user_name),
            ("user_password", password),
            ("action", button),
        ]
        .map(|(name, value)| (name.to_owned(), value.to_owned())),
    );
    let action = reqwest::Url::parse(authorization_url)
        .and_then(|url| url.join(&action))
        .expect("a form action");
    let response = browser
        .post(action)
        .form(&form)
        .send()
        .await
        .expect("the sign-in answer");
    Reply {
        status: response.status(),
        headers: response.headers().clone(),
        text: response.text().await.expect("a readable body"),
    }
}

/// The `action` of the page's form and its hidden fields, unescaped.
pub fn read_form(html: &str) -> (String, Vec<(String, String)>) {
    let attribute = |tag: &str, name: &str| -> String {
        let start = tag
            .find(&format!("{name}=\""))
            .map(|at| at + name.len() + 2)
            .unwrap_or_else(|| panic!("{name} in {tag}"));
        let end = tag[start..].find('"').expect("a closing quote") + start;
        unescape(&tag[start..end])
    };
    let form_tag = html
        .split("<form ")
        .nth(1)
        .and_then(|rest| rest.split('>').next())
        .unwrap_or_else(|| panic!("a form in {html}"));
    let hidden = html
        .split("<input ")
        .skip(1)
        .filter_map(|rest| rest.split('>').next())
        .filter(|tag| tag.contains("type=\"hidden\""))
        .map(|tag| (attribute(tag, "name"), attribute(tag, "value")))
        .collect();
    (attribute(form_tag, "action"), hidden)
}

fn unescape(text: &str) -> String {
    text.replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

impl Reply {
    /// The query parameters of the `Location` a redirect points at.
    pub fn location_params(&self) -> Vec<(String, String)> {
        let location = self.header("location").expect("a redirect");
        let url = reqwest::Url::parse(location).expect("an absolute location");
        url.query_pairs()
            .map(|(name, value)| (name.into_owned(), value.into_owned()))
            .collect()
    }

    /// One query parameter of the `Location` a redirect points at.
    pub fn location_param(&self, name: &str) -> Option<String> {
        self.location_params()
            .into_iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value)
    }
}

/// Sends what the core built; a transport failure is `None`.
pub async fn send(request: &HttpRequest) -> Option<HttpResponse> {
    let client = reqwest::Client::new();
    let method = reqwest::Method::from_bytes(request.method.as_str().as_bytes()).expect("a method");
    let mut builder = client.request(method, &request.url);
    for (name, value) in &request.headers {
        builder = builder.header(name, value);
    }
    if let Some(body) = &request.body {
        builder = builder.body(body.clone());
    }
    let response = builder.send().await.ok()?;
    let status = response.status().as_u16();
    let headers = response
        .headers()
        .iter()
        .map(|(name, value)| {
            (
                name.to_string(),
                value.to_str().unwrap_or_default().to_owned(),
            )
        })
        .collect();
    let body = response.bytes().await.ok()?.to_vec();
    Some(HttpResponse::new(status, headers, body))
}

/// Sends what the core built and expects an answer.
pub async fn must_send(request: &HttpRequest) -> HttpResponse {
    send(request).await.expect("the sandbox answers")
}

/// The sandbox counts requests per clock hour, as ServiceNow does: two requests that straddle the
/// hour's end fall into two windows, so a test that needs them in one waits the last seconds out.
pub async fn wait_out_the_end_of_the_hour() {
    let into_hour_secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("after 1970")
        .as_secs()
        % 3600;
    // Callers check that a limit lasting until the hour's end is too long to wait, which needs
    // more of the hour left than the longest wait a policy accepts (60 s) plus slack.
    if into_hour_secs >= 3600 - 75 {
        tokio::time::sleep(std::time::Duration::from_secs(3601 - into_hour_secs)).await;
    }
}
