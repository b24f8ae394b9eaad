//! What every JSON response of the instance looks like on the wire.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

/// The content type every recorded ServiceNow JSON response carries.
pub(crate) const JSON_UTF8: &str = "application/json;charset=UTF-8";

/// A JSON response with the headers every recorded Table API response carries.
pub(crate) fn json_response<T: Serialize>(status: StatusCode, body: &T) -> Response {
    let body = serde_json::to_string(body).expect("records are strings and maps of strings");
    let mut response = (status, body).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(JSON_UTF8));
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("no-cache,no-store,must-revalidate,max-age=-1"),
    );
    headers.insert(
        header::PRAGMA,
        HeaderValue::from_static("no-store,no-cache"),
    );
    headers.insert(header::EXPIRES, HeaderValue::from_static("0"));
    response
}

/// Percent-encodes everything but RFC 3986's unreserved characters.
pub(crate) fn percent_encode(text: &str) -> String {
    let mut encoded = String::with_capacity(text.len());
    for byte in text.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                encoded.push(char::from(byte))
            }
            _ => encoded.push_str(&format!("%{byte:02X}")),
        }
    }
    encoded
}
