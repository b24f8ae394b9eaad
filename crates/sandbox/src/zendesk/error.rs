//! The one error type of the Zendesk account and its wire forms.
//!
//! Zendesk answers errors in several shapes, and each variant answers in the one the real account
//! uses for that case: `{"error":"<Code>","description":"..."}` (recorded: `RecordNotFound`,
//! `TooManyValues`), the bare `{"error":"Couldn't authenticate you"}`, the OAuth shape
//! `{"error":"invalid_token","error_description":"..."}`, the `errors` array of the newer paging
//! errors, and the plain-text 429.

use std::collections::BTreeMap;

use axum::extract::{FromRequest, Request};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::common::oauth::OAuthError;
use crate::zendesk::wire::json_text_response;

/// Everything a request to the account can fail with.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(crate) enum ZendeskError {
    /// No, unknown or wrong credentials: 401 `{"error":"Couldn't authenticate you"}`.
    #[error("couldn't authenticate you")]
    Unauthenticated,
    /// A bearer token the account did not issue, or one that expired (OAuth's own error body,
    /// `oauth.yml`; the shape flare-core reads as an expired token).
    #[error("invalid access token")]
    InvalidToken,
    /// A refused request to `/oauth/tokens`, answered in RFC 6749 section 5.2's shape
    /// (`{"error":"invalid_grant","error_description":"..."}`); the reference documents no error
    /// bodies, so the descriptions are RFC 6749's definitions of the codes.
    #[error("{0}")]
    OAuth(OAuthError),
    /// The signed-in user's role may not use this endpoint ("Allowed For" in the reference). The
    /// body is the one real accounts send (zenpy issue 336, flare-core's tests).
    #[error("forbidden")]
    Forbidden,
    /// The record does not exist or the caller may not see it (recorded:
    /// `TestTicketCreateUpdateDelete.test_single_delete_raises_recordnotfoundexception`).
    #[error("record not found")]
    RecordNotFound,
    /// No such API path.
    #[error("invalid endpoint")]
    InvalidEndpoint,
    /// Field validation failed: 422 with the problems per field in `details` (`base` for the whole
    /// record).
    #[error("record invalid: {0:?}")]
    RecordInvalid(BTreeMap<String, Vec<String>>),
    /// A value another record holds already: 422 `RecordInvalid` whose problem carries
    /// `"error": "DuplicateValue"` (a real account's body, zendesk/zendesk_api_client_rb PR 477).
    #[error("duplicate value for {field}")]
    DuplicateValue {
        field: &'static str,
        description: String,
    },
    /// More than 100 values in one bulk call (recorded:
    /// `TestTicketCreateUpdateDelete.test_raises_toomanyvaluesexception_create`). `parameter` is
    /// the query parameter named in the description; bodies leave it empty, as recorded.
    #[error("too many values for {parameter:?}")]
    TooManyValues {
        /// The parameter, `""` for a body array.
        parameter: &'static str,
    },
    /// Offset paging past page 100 (`shared/reference/zendesk/README.md`; the body is the one real
    /// accounts send since August 2023, as quoted in transferwise/pipelinewise PR 1183).
    #[error("offset paging past page 100")]
    PaginationDepth,
    /// A cursor that this account did not hand out; the shape is that of the paging errors, the
    /// wording the sandbox's own.
    #[error("invalid cursor in {0}")]
    InvalidCursor(&'static str),
    /// A search page past the first 1000 results (`search.yml`, "Results limit": a 422; the body
    /// is the one flare-core's tests cite from zenpy issue 371).
    #[error("search result limit exceeded")]
    SearchLimit,
    /// A body that is not the JSON object the endpoint takes. Not recorded; the code and wording
    /// are the sandbox's own, in Zendesk's `error`/`description` shape.
    #[error("bad request: {0}")]
    BadRequest(String),
    /// A file above the 50 MB upload limit; the code and wording are the sandbox's own.
    #[error("upload too large")]
    TooLarge,
    /// A status switched on through the admin API's faults (`crate::zendesk::faults`), for the
    /// statuses no other variant answers; the code and wording are the sandbox's own.
    #[error("injected fault {0}")]
    Injected(StatusCode),
    /// Past the account's requests per minute: 429, `text/plain`, `retry-after` (recorded facts in
    /// `tests/fixtures/recorded/README.md`).
    #[error("rate limited for {retry_after} s")]
    RateLimited {
        /// Seconds until the window resets.
        retry_after: u64,
    },
}

/// `Json` whose rejection is a [`ZendeskError`], so bad bodies get Zendesk's error shape too
/// (axum `examples/error-handling`).
pub(crate) struct ZendeskJson<T>(pub(crate) T);

impl ZendeskError {
    /// A 422 for one field.
    pub(crate) fn invalid(field: &str, description: impl Into<String>) -> ZendeskError {
        let mut details = BTreeMap::new();
        details.insert(field.to_owned(), vec![description.into()]);
        ZendeskError::RecordInvalid(details)
    }

    /// A 422 for a field whose value is of the wrong kind or names nothing, in the sandbox's own
    /// wording: "<field>: is invalid".
    pub(crate) fn invalid_value(field: &str) -> ZendeskError {
        ZendeskError::invalid(field, format!("{field}: is invalid"))
    }

    fn status(&self) -> StatusCode {
        match self {
            ZendeskError::Unauthenticated
            | ZendeskError::InvalidToken
            | ZendeskError::OAuth(OAuthError::InvalidClient) => StatusCode::UNAUTHORIZED,
            ZendeskError::OAuth(_) => StatusCode::BAD_REQUEST,
            ZendeskError::Forbidden => StatusCode::FORBIDDEN,
            ZendeskError::RecordNotFound | ZendeskError::InvalidEndpoint => StatusCode::NOT_FOUND,
            ZendeskError::RecordInvalid(_)
            | ZendeskError::DuplicateValue { .. }
            | ZendeskError::SearchLimit => StatusCode::UNPROCESSABLE_ENTITY,
            ZendeskError::TooManyValues { .. }
            | ZendeskError::PaginationDepth
            | ZendeskError::InvalidCursor(_)
            | ZendeskError::BadRequest(_) => StatusCode::BAD_REQUEST,
            ZendeskError::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            ZendeskError::RateLimited { .. } => StatusCode::TOO_MANY_REQUESTS,
            ZendeskError::Injected(status) => *status,
        }
    }

    /// The JSON body, keys in the order real accounts send them.
    fn body(&self) -> String {
        fn body(error: &str, description: Option<String>) -> ErrorBody<'_> {
            ErrorBody {
                error,
                description,
                ..ErrorBody::default()
            }
        }
        let body = match self {
            ZendeskError::Unauthenticated => body("Couldn't authenticate you", None),
            ZendeskError::InvalidToken => ErrorBody {
                error: "invalid_token",
                error_description: Some("The access token provided is expired, revoked, malformed or invalid for other reasons."),
                ..ErrorBody::default()
            },
            ZendeskError::OAuth(error) => ErrorBody {
                error: error.code(),
                error_description: Some(error.description()),
                ..ErrorBody::default()
            },
            ZendeskError::Forbidden => body(
                "Forbidden",
                Some("You do not have access to this page. Please contact the account owner of this help desk for further help.".to_owned()),
            ),
            ZendeskError::RecordNotFound => body("RecordNotFound", Some("Not found".to_owned())),
            ZendeskError::InvalidEndpoint => body("InvalidEndpoint", Some("Not found".to_owned())),
            ZendeskError::RecordInvalid(details) => ErrorBody {
                details: Some(
                    details
                        .iter()
                        .map(|(field, descriptions)| {
                            let problems = descriptions
                                .iter()
                                .map(|description| Problem {
                                    description,
                                    error: None,
                                })
                                .collect();
                            (field.as_str(), problems)
                        })
                        .collect(),
                ),
                ..body("RecordInvalid", Some("Record validation errors".to_owned()))
            },
            ZendeskError::DuplicateValue { field, description } => ErrorBody {
                details: Some(BTreeMap::from([(
                    *field,
                    vec![Problem {
                        description,
                        error: Some("DuplicateValue"),
                    }],
                )])),
                ..body("RecordInvalid", Some("Record validation errors".to_owned()))
            },
            // The recorded description has two spaces where a body array's parameter name would
            // go: "Parameter  cannot specify more than 100 values".
            ZendeskError::TooManyValues { parameter } => ErrorBody {
                max_count: Some(100),
                ..body(
                    "TooManyValues",
                    Some(format!("Parameter {parameter} cannot specify more than 100 values")),
                )
            },
            ZendeskError::PaginationDepth => {
                return errors_body(
                    "InvalidPaginationDepth",
                    "Pagination requests using Offset Pagination are limited to page 100 or up to 10000 records (page * per_page)",
                )
            }
            ZendeskError::InvalidCursor(parameter) => {
                return errors_body(
                    "InvalidPaginationParameter",
                    &format!("{parameter} is not a valid cursor"),
                )
            }
            ZendeskError::SearchLimit => body(
                "invalid",
                Some("Invalid search: Requested response size was greater than Search Response Limits".to_owned()),
            ),
            ZendeskError::BadRequest(description) => {
                body("InvalidValue", Some(description.clone()))
            }
            ZendeskError::TooLarge => {
                body("UploadTooLarge", Some("Files are limited to 50 MB".to_owned()))
            }
            ZendeskError::RateLimited { .. } => {
                return "Number of allowed API requests per minute exceeded".to_owned()
            }
            ZendeskError::Injected(status) => {
                let reason = status.canonical_reason().unwrap_or("Injected fault");
                let code: String = reason.split_whitespace().collect();
                return serde_json::to_string(&ErrorBody {
                    error: &code,
                    description: Some(reason.to_owned()),
                    ..ErrorBody::default()
                })
                .expect("error bodies always serialise");
            }
        };
        serde_json::to_string(&body).expect("error bodies always serialise")
    }
}

/// `{"error", "description", "error_description", "details", "max_count"}`, each when set.
#[derive(Default, Serialize)]
struct ErrorBody<'a> {
    error: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    error_description: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    details: Option<BTreeMap<&'a str, Vec<Problem<'a>>>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    max_count: Option<u32>,
}

#[derive(Serialize)]
struct Problem<'a> {
    description: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<&'static str>,
}

/// The newer shape, `{"errors": [{"code", "title"}]}`.
fn errors_body(code: &str, title: &str) -> String {
    #[derive(Serialize)]
    struct Errors<'a> {
        errors: [CodeAndTitle<'a>; 1],
    }
    #[derive(Serialize)]
    struct CodeAndTitle<'a> {
        code: &'a str,
        title: &'a str,
    }
    serde_json::to_string(&Errors {
        errors: [CodeAndTitle { code, title }],
    })
    .expect("error bodies always serialise")
}

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for ZendeskJson<T> {
    type Rejection = ZendeskError;

    async fn from_request(request: Request, state: &S) -> Result<Self, ZendeskError> {
        match axum::Json::<T>::from_request(request, state).await {
            Ok(axum::Json(value)) => Ok(ZendeskJson(value)),
            Err(rejection) => Err(ZendeskError::BadRequest(rejection.body_text())),
        }
    }
}

impl IntoResponse for ZendeskError {
    fn into_response(self) -> Response {
        let status = self.status();
        let ZendeskError::RateLimited { retry_after } = self else {
            return json_text_response(status, self.body());
        };
        let mut response =
            (status, "Number of allowed API requests per minute exceeded").into_response();
        let headers = response.headers_mut();
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/plain; charset=utf-8"),
        );
        headers.insert(header::RETRY_AFTER, HeaderValue::from(retry_after));
        response
    }
}

/// Checks what applying a request `body` gave: the values read back after it applied, or the field
/// a 422 refused. For the tests of the objects clients send.
#[cfg(test)]
pub(crate) fn check_applied<T: PartialEq + std::fmt::Debug>(
    body: &serde_json::Value,
    applied: Result<T, ZendeskError>,
    expected: Result<T, &str>,
) {
    match (applied, expected) {
        (Ok(actual), Ok(expected)) => assert_eq!(actual, expected, "{body}"),
        (Err(ZendeskError::RecordInvalid(details)), Err(field)) => {
            assert!(details.contains_key(field), "{body}: {details:?}")
        }
        (actual, expected) => panic!("{body}: {actual:?}, expected {expected:?}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Byte for byte, as recorded, key order included.
    fn check(error: ZendeskError, status: u16, body: &str) {
        assert_eq!(error.status().as_u16(), status, "{error:?}");
        assert_eq!(error.body(), body, "{error:?}");
    }

    #[test]
    fn errors_answer_as_recorded() {
        check(
            ZendeskError::RecordNotFound,
            404,
            r#"{"error":"RecordNotFound","description":"Not found"}"#,
        );
        check(
            ZendeskError::TooManyValues { parameter: "" },
            400,
            r#"{"error":"TooManyValues","description":"Parameter  cannot specify more than 100 values","max_count":100}"#,
        );
        check(
            ZendeskError::Unauthenticated,
            401,
            r#"{"error":"Couldn't authenticate you"}"#,
        );
        check(
            ZendeskError::InvalidToken,
            401,
            r#"{"error":"invalid_token","error_description":"The access token provided is expired, revoked, malformed or invalid for other reasons."}"#,
        );
        check(
            ZendeskError::OAuth(OAuthError::InvalidClient),
            401,
            r#"{"error":"invalid_client","error_description":"Client authentication failed (unknown client, no client authentication included, or unsupported authentication method)."}"#,
        );
        check(
            ZendeskError::OAuth(OAuthError::InvalidRequest("code is required")),
            400,
            r#"{"error":"invalid_request","error_description":"code is required"}"#,
        );
        check(
            ZendeskError::Injected(StatusCode::SERVICE_UNAVAILABLE),
            503,
            r#"{"error":"ServiceUnavailable","description":"Service Unavailable"}"#,
        );
        check(
            ZendeskError::DuplicateValue {
                field: "email",
                description: "Email: test@example.org is already being used by another user"
                    .to_owned(),
            },
            422,
            r#"{"error":"RecordInvalid","description":"Record validation errors","details":{"email":[{"description":"Email: test@example.org is already being used by another user","error":"DuplicateValue"}]}}"#,
        );
        check(
            ZendeskError::invalid("status", "Status closed prevents ticket update"),
            422,
            r#"{"error":"RecordInvalid","description":"Record validation errors","details":{"status":[{"description":"Status closed prevents ticket update"}]}}"#,
        );
    }
}
