//! Plain HTTP values: what a provider asks to send and what it is handed back.
//!
//! Whoever does the I/O (fetch in the browser, reqwest in the relay and tests) converts these to and
//! from its own types and nothing more.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::auth::Credentials;

/// An HTTP method Flare uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Method {
    /// `GET`
    Get,
    /// `POST`
    Post,
    /// `PUT`
    Put,
    /// `PATCH`
    Patch,
    /// `DELETE`
    Delete,
}

/// A request for the caller to send, exactly as built.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HttpRequest {
    /// The method.
    pub method: Method,
    /// The absolute URL, query string already encoded.
    pub url: String,
    /// Header names and values, in order.
    pub headers: Vec<(String, String)>,
    /// The body, if any: JSON or form text, or the bytes of a file being uploaded.
    pub body: Option<Vec<u8>>,
}

/// A response as received, handed back to the provider that built the request.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct HttpResponse {
    /// The status code.
    pub status: u16,
    /// Header names and values as received.
    pub headers: Vec<(String, String)>,
    /// The body as received: usually UTF-8 JSON, or a file's bytes.
    pub body: Vec<u8>,
}

impl Method {
    /// The method's name on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
            Method::Put => "PUT",
            Method::Patch => "PATCH",
            Method::Delete => "DELETE",
        }
    }
}

impl HttpRequest {
    /// A request with no headers and no body yet; the `with_*` methods add them.
    pub fn new(method: Method, url: impl Into<String>) -> HttpRequest {
        HttpRequest {
            method,
            url: url.into(),
            headers: Vec::new(),
            body: None,
        }
    }

    /// A request to a JSON API: it asks for JSON back and signs in with `credentials`, which is
    /// how every ServiceNow and Zendesk API call starts.
    pub fn json_api(
        method: Method,
        url: impl Into<String>,
        credentials: &Credentials,
    ) -> HttpRequest {
        HttpRequest::new(method, url)
            .with_header("Accept", "application/json")
            .with_credentials(credentials)
    }

    /// A `GET` for a file of any type (`Accept: */*`).
    pub fn download(url: impl Into<String>) -> HttpRequest {
        HttpRequest::new(Method::Get, url).with_header("Accept", "*/*")
    }

    /// This request with one more header, after those it has.
    pub fn with_header(mut self, name: &str, value: &str) -> HttpRequest {
        self.headers.push((name.to_owned(), value.to_owned()));
        self
    }

    /// This request signed in with `credentials` (the `Authorization` header).
    pub fn with_credentials(self, credentials: &Credentials) -> HttpRequest {
        self.with_header("Authorization", &credentials.authorization())
    }

    /// This request carrying `body` as JSON.
    pub fn with_json(self, body: &Value) -> HttpRequest {
        self.with_body("application/json", body.to_string().into_bytes())
    }

    /// This request carrying `pairs` as an HTML form (`application/x-www-form-urlencoded`).
    pub fn with_form(self, pairs: &[(&str, &str)]) -> HttpRequest {
        self.with_body(
            "application/x-www-form-urlencoded",
            query_string(pairs).into_bytes(),
        )
    }

    /// This request carrying `body`, such as a file's bytes, of type `content_type`.
    pub fn with_body(self, content_type: &str, body: Vec<u8>) -> HttpRequest {
        let mut request = self.with_header("Content-Type", content_type);
        request.body = Some(body);
        request
    }

    /// The body as text, when there is one and it is UTF-8.
    pub fn body_text(&self) -> Option<&str> {
        std::str::from_utf8(self.body.as_deref()?).ok()
    }

    /// The first value of a header, matched without regard to case.
    pub fn header(&self, name: &str) -> Option<&str> {
        find_header(&self.headers, name)
    }
}

impl HttpResponse {
    /// A response from its parts.
    pub fn new(
        status: u16,
        headers: Vec<(String, String)>,
        body: impl Into<Vec<u8>>,
    ) -> HttpResponse {
        HttpResponse {
            status,
            headers,
            body: body.into(),
        }
    }

    /// The body as text; invalid UTF-8 becomes U+FFFD.
    pub fn text(&self) -> std::borrow::Cow<'_, str> {
        String::from_utf8_lossy(&self.body)
    }

    /// The first value of a header, matched without regard to case.
    pub fn header(&self, name: &str) -> Option<&str> {
        find_header(&self.headers, name)
    }

    /// Whether the `Content-Type` says JSON.
    pub fn is_json(&self) -> bool {
        self.header("content-type")
            .is_some_and(|value| value.to_ascii_lowercase().contains("json"))
    }

    /// Whether the `Content-Type` says HTML.
    pub fn is_html(&self) -> bool {
        self.header("content-type")
            .is_some_and(|value| value.to_ascii_lowercase().contains("text/html"))
    }
}

fn find_header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(key, _)| key.eq_ignore_ascii_case(name))
        .map(|(_, value)| value.as_str())
}

/// Percent-encodes a query-string component: everything but RFC 3986 unreserved characters.
pub fn encode_component(input: &str) -> String {
    let mut encoded = String::with_capacity(input.len());
    for byte in input.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                encoded.push(byte as char)
            }
            _ => encoded.push_str(&format!("%{byte:02X}")),
        }
    }
    encoded
}

/// Builds `name=value&...` with every component percent-encoded.
pub fn query_string(pairs: &[(&str, &str)]) -> String {
    pairs
        .iter()
        .map(|(name, value)| format!("{}={}", encode_component(name), encode_component(value)))
        .collect::<Vec<_>>()
        .join("&")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes_query_components() {
        assert_eq!(
            encode_component("caller_id=abc^ORDERBYDESCsys_updated_on"),
            "caller_id%3Dabc%5EORDERBYDESCsys_updated_on"
        );
        assert_eq!(encode_component("a b/ü"), "a%20b%2F%C3%BC");
        assert_eq!(
            query_string(&[("sysparm_limit", "1"), ("x", "&")]),
            "sysparm_limit=1&x=%26"
        );
    }

    #[test]
    fn builds_requests_in_header_order() {
        let credentials = Credentials::Bearer {
            access_token: "t0ken".into(),
        };
        let request = HttpRequest::json_api(Method::Post, "https://acme.test/api", &credentials)
            .with_json(&serde_json::json!({"a": 1}));
        assert_eq!(
            request,
            HttpRequest {
                method: Method::Post,
                url: "https://acme.test/api".into(),
                headers: vec![
                    ("Accept".into(), "application/json".into()),
                    ("Authorization".into(), "Bearer t0ken".into()),
                    ("Content-Type".into(), "application/json".into()),
                ],
                body: Some(br#"{"a":1}"#.to_vec()),
            }
        );
        let form = HttpRequest::new(Method::Post, "https://acme.test/token")
            .with_form(&[("grant_type", "password"), ("scope", "a b")]);
        assert_eq!(
            form.header("content-type"),
            Some("application/x-www-form-urlencoded")
        );
        assert_eq!(form.body_text(), Some("grant_type=password&scope=a%20b"));
    }

    #[test]
    fn headers_match_without_case() {
        let response = HttpResponse {
            status: 200,
            headers: vec![(
                "Content-Type".into(),
                "application/json;charset=UTF-8".into(),
            )],
            body: Vec::new(),
        };
        assert_eq!(
            response.header("content-type"),
            Some("application/json;charset=UTF-8")
        );
        assert!(response.is_json());
        assert!(!response.is_html());
    }
}
