//! Content negotiation of the REST APIs: "Supported types: application/json or application/xml"
//! for `Accept` and for a body's `Content-Type` (`c_TableAPI.md`, `c_AttachmentAPI.md`), 406 and
//! 415 otherwise, and 405 for a method a resource does not have (`r_RESTAPIHTTPResponseCodes.md`).
//!
//! XML itself is not emulated: a request that accepts only XML is answered in JSON, and an XML
//! body cannot be read (400).

use axum::extract::FromRequestParts;
use axum::http::header::ACCEPT;
use axum::http::request::Parts;

use crate::common::http;
use crate::servicenow::auth::CurrentUser;
use crate::servicenow::error::AppError;

/// The request's `Accept` admits JSON or XML, or is absent ("Default: application/json"); see
/// `crate::common::http::accepts` for what admits them.
pub(crate) struct AcceptsJson;

/// The formats the REST APIs read and write ("Supported types: application/json or
/// application/xml").
const JSON_OR_XML: &[&str] = &["application/json", "application/xml"];

impl<S: Send + Sync> FromRequestParts<S> for AcceptsJson {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, AppError> {
        let accept = parts
            .headers
            .get(ACCEPT)
            .map(|value| value.to_str().unwrap_or_default());
        match http::accepts(accept, JSON_OR_XML) {
            true => Ok(AcceptsJson),
            false => Err(AppError::NotAcceptable),
        }
    }
}

/// Whether a `Content-Type` names a body format the REST APIs read: JSON or XML, with or without
/// parameters such as `charset`. An absent or empty one means JSON ("Default: application/json").
pub(crate) fn is_json_or_xml(content_type: &str) -> bool {
    http::content_type_is(content_type, JSON_OR_XML)
}

/// 405 in the instance's envelope, with axum's `Allow` header, after the credentials were checked.
pub(crate) async fn method_not_allowed(_user: CurrentUser) -> AppError {
    AppError::MethodNotAllowed
}
