//! The Zendesk HTTP tests' client: each case is a request and what the reply must hold, read by
//! JSON pointer, so a new case is one call.

use reqwest::Method;
use serde_json::Value;

use crate::common::{Reply, Sandbox, ZENDESK_ADMIN, ZENDESK_AGENT, ZENDESK_USER};

/// Who signs in, if anyone.
pub type User = Option<(&'static str, &'static str)>;

pub const ADMIN: User = Some(ZENDESK_ADMIN);
pub const AGENT: User = Some(ZENDESK_AGENT);
pub const END_USER: User = Some(ZENDESK_USER);

/// The recorded body of a 404 for a record that is not there
/// (`TestDeletedTickets.test_permanently_delete`,
/// `TestUserCreateUpdateDelete.test_single_delete_raises_recordnotfoundexception`).
pub const NOT_FOUND: &str = r#"{"error":"RecordNotFound","description":"Not found"}"#;

/// Sends one request, with `body` as JSON if any.
pub async fn send(
    sandbox: &Sandbox,
    method: Method,
    user: User,
    path: &str,
    body: Option<Value>,
) -> Reply {
    let mut request = sandbox
        .client()
        .request(method, format!("{}{path}", sandbox.url));
    if let Some(body) = body {
        request = request.json(&body);
    }
    sandbox.send(request, user).await
}

/// Sends one request (with `body` as JSON, if any) and checks the status and each
/// `(JSON pointer, value)`; returns the body.
pub async fn check(
    sandbox: &Sandbox,
    (method, user, path): (Method, User, &str),
    body: Option<Value>,
    status: u16,
    expected: &[(&str, Value)],
) -> Value {
    let reply = send(sandbox, method.clone(), user, path, body).await;
    assert_eq!(
        reply.status.as_u16(),
        status,
        "{method} {path}: {}",
        reply.text
    );
    let json: Value = serde_json::from_str(&reply.text).unwrap_or(Value::Null);
    for (pointer, value) in expected {
        assert_eq!(
            json.pointer(pointer),
            Some(value),
            "{method} {path}: {pointer} in {json}"
        );
    }
    json
}

pub fn get(user: User, path: &str) -> (Method, User, &str) {
    (Method::GET, user, path)
}

pub fn post(user: User, path: &str) -> (Method, User, &str) {
    (Method::POST, user, path)
}

pub fn put(user: User, path: &str) -> (Method, User, &str) {
    (Method::PUT, user, path)
}

pub fn delete(user: User, path: &str) -> (Method, User, &str) {
    (Method::DELETE, user, path)
}

/// The `id` of every record in the list under `key`.
pub fn ids(json: &Value, key: &str) -> Vec<u64> {
    json[key]
        .as_array()
        .unwrap_or_else(|| panic!("no {key} in {json}"))
        .iter()
        .map(|record| record["id"].as_u64().expect("an id"))
        .collect()
}
