//! Content negotiation of the REST APIs: "Supported types: application/json or application/xml"
//! for `Accept` and for a body's `Content-Type` (`c_TableAPI.md`, `c_AttachmentAPI.md`), 406 and
//! 415 otherwise, and 405 for a method a resource does not have (`r_RESTAPIHTTPResponseCodes.md`).
//!
//! XML itself is not emulated: a request that accepts only XML is answered in JSON, and an XML
//! body cannot be read (400).

use axum::extract::FromRequestParts;
use axum::http::header::ACCEPT;
use axum::http::request::Parts;

use crate::servicenow::auth::CurrentUser;
use crate::servicenow::error::AppError;

/// The request's `Accept` admits JSON or XML, or is absent ("Default: application/json"). A real
/// client's catch-all list such as `text/html, image/gif, image/jpeg, *; q=.2, */*; q=.2` admits
/// JSON (recorded: every request of `shared/recorded/servicenow/` sends it).
pub(crate) struct AcceptsJson;

impl<S: Send + Sync> FromRequestParts<S> for AcceptsJson {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, AppError> {
        let accept = parts
            .headers
            .get(ACCEPT)
            .map(|value| value.to_str().unwrap_or_default());
        match accept {
            None => Ok(AcceptsJson),
            Some(accept) if accept.trim().is_empty() || admits_json_or_xml(accept) => {
                Ok(AcceptsJson)
            }
            Some(_) => Err(AppError::NotAcceptable),
        }
    }
}

/// Whether a `Content-Type` names a body format the REST APIs read: JSON or XML, with or without
/// parameters such as `charset`. An absent or empty one means JSON ("Default: application/json").
pub(crate) fn is_json_or_xml(content_type: &str) -> bool {
    let media_type = media_type(content_type);
    media_type.is_empty() || media_type == "application/json" || media_type == "application/xml"
}

/// 405 in the instance's envelope, with axum's `Allow` header, after the credentials were checked.
pub(crate) async fn method_not_allowed(_user: CurrentUser) -> AppError {
    AppError::MethodNotAllowed
}

/// Whether any media range of an `Accept` header, not refused with `q=0`, covers JSON or XML.
fn admits_json_or_xml(accept: &str) -> bool {
    accept.split(',').any(|range| {
        let mut parts = range.split(';');
        let media_range = media_type(parts.next().unwrap_or_default());
        let refused = parts.any(|parameter| match parameter.split_once('=') {
            Some((name, value)) => {
                name.trim().eq_ignore_ascii_case("q")
                    && value
                        .trim()
                        .parse::<f32>()
                        .is_ok_and(|quality| quality == 0.0)
            }
            None => false,
        });
        let covers = matches!(
            media_range.as_str(),
            "*" | "*/*" | "application/*" | "application/json" | "application/xml"
        );
        covers && !refused
    })
}

/// The media type of a header value, lowercase, without parameters.
fn media_type(value: &str) -> String {
    value
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accept_headers() {
        let cases = [
            ("application/json", true),
            ("Application/JSON; charset=utf-8", true),
            ("application/xml", true),
            ("*/*", true),
            ("application/*", true),
            ("text/html, image/gif, image/jpeg, *; q=.2, */*; q=.2", true),
            ("text/html", false),
            ("text/plain, image/png", false),
            ("application/json;q=0", false),
            ("application/json;q=0, text/html", false),
            ("text/html, application/json;q=0.5", true),
        ];
        for (accept, expected) in cases {
            assert_eq!(admits_json_or_xml(accept), expected, "{accept}");
        }
    }

    #[test]
    fn body_content_types() {
        let cases = [
            ("application/json", true),
            ("application/json;charset=UTF-8", true),
            ("application/xml", true),
            ("", true),
            ("text/plain", false),
            ("application/x-www-form-urlencoded", false),
            ("multipart/form-data; boundary=x", false),
        ];
        for (content_type, expected) in cases {
            assert_eq!(is_json_or_xml(content_type), expected, "{content_type}");
        }
    }
}
