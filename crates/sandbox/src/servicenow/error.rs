//! The one error type of the ServiceNow instance and its wire form, ServiceNow's envelope
//! `{"error":{"message":...,"detail":...},"status":"failure"}`.

use axum::extract::{FromRequest, Request};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::servicenow::wire::json_response;

/// Everything a request to the instance can fail with; each variant answers as the real instance
/// does for that case.
#[derive(Debug, thiserror::Error)]
pub(crate) enum AppError {
    /// No or wrong credentials (recorded: `service.TableApiClientTest_healthCheckInvalidCredentials`).
    #[error("user not authenticated")]
    Unauthenticated,
    /// Valid Basic credentials of a user enrolled in multi-factor authentication, without an MFA
    /// token: 401 with `X-MFA_TOKEN: invalid` ("Multi-factor authentication REST responses",
    /// c_RESTAPI.md).
    #[error("multi-factor authentication token missing")]
    MfaRequired,
    /// The table is not one the instance has. Real instances answer 400 `Invalid table <name>` with a
    /// null detail (public captures of developer instances; not in the vendor docs).
    #[error("invalid table {0}")]
    InvalidTable(String),
    /// The record does not exist or ACLs hide it (recorded:
    /// `output.ServiceNowOutputTest_deleteNonExistingRecord`).
    #[error("no record found")]
    NoRecord,
    /// The path matches no REST resource, answered 400 as real instances do.
    #[error("requested URI does not represent any resource")]
    NoSuchResource,
    /// The body is not a JSON object (see `crate::servicenow::table_api::JsonObject`).
    #[error("invalid request body: {0}")]
    BadBody(String),
    /// The user's roles do not allow the operation (403, `r_RESTAPIHTTPResponseCodes.md`; the
    /// detail is the one real instances send, "ACL Exception Insert Failed due to security
    /// constraints").
    #[error("{0:?} not permitted by ACLs")]
    AclDenied(Operation),
    /// A data policy makes these fields (their labels) mandatory, such as the resolution code and
    /// notes when an incident is resolved.
    #[error("mandatory fields missing: {0:?}")]
    DataPolicy(Vec<&'static str>),
    /// Past the user's hourly limit (`inbound-REST-API-rate-limiting.md`); `api` names the REST
    /// API the request went to (see `crate::servicenow::rate_limit::rest_api_name`).
    #[error("rate limit of {limit} requests per hour for {api} exceeded")]
    RateLimited { limit: u32, api: &'static str },
    /// An insert whose `sys_id` is already taken (recorded:
    /// `output.ServiceNowOutputTest_insertRecordError`, "Error during insert of incident (<number>)").
    #[error("insert into {table} failed: {number}")]
    InsertFailed { table: &'static str, number: String },
    /// A required parameter is missing (Attachment API: "Indicates that one or more mandatory
    /// parameters were missing from the request"; the wording of the detail is the sandbox's own).
    #[error("missing parameter {0}")]
    MissingParameter(&'static str),
    /// A body larger than the instance accepts; message and detail as KB0747638 quotes them.
    #[error("payload of {size} bytes exceeds {max} bytes")]
    PayloadTooLarge { size: u64, max: u64 },
    /// The resource exists but not with this HTTP method: 405, "The HTTP action is not allowed for
    /// the requested REST API" (`r_RESTAPIHTTPResponseCodes.md`).
    #[error("method not allowed")]
    MethodNotAllowed,
    /// The `Accept` header admits neither of the formats the endpoint writes, JSON and XML: 406,
    /// "The endpoint does not support the response format specified in the request Accept header".
    #[error("no acceptable response format")]
    NotAcceptable,
    /// The `Content-Type` of a request body is neither JSON nor XML: 415, "The endpoint does not
    /// support the format of the request body".
    #[error("unsupported request body format")]
    UnsupportedMediaType,
    /// A status injected through the admin API, answered with the message the vendor's table of
    /// status codes gives it (`r_RESTAPIHTTPResponseCodes.md`).
    #[error("injected fault {0}")]
    Injected(StatusCode),
}

/// `Json` whose rejection is an [`AppError`], so bad bodies get the envelope too (axum
/// `examples/error-handling`).
pub(crate) struct AppJson<T>(pub(crate) T);

/// The write operation an ACL refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Operation {
    Insert,
    Update,
    Delete,
}

/// A response in the instance's error envelope,
/// `{"error":{"message":...,"detail":...},"status":"failure"}`, which the Virtual Agent's API
/// shares (`bot-api.md`, "Response body parameters").
pub(crate) fn envelope_response(
    status: StatusCode,
    message: &str,
    detail: Option<&str>,
) -> Response {
    let envelope = Envelope {
        error: EnvelopeError { message, detail },
        status: "failure",
    };
    json_response(status, &envelope)
}

#[derive(Serialize)]
struct Envelope<'a> {
    error: EnvelopeError<'a>,
    status: &'static str,
}

#[derive(Serialize)]
struct EnvelopeError<'a> {
    message: &'a str,
    detail: Option<&'a str>,
}

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for AppJson<T> {
    type Rejection = AppError;

    async fn from_request(request: Request, state: &S) -> Result<Self, AppError> {
        match axum::Json::<T>::from_request(request, state).await {
            Ok(axum::Json(value)) => Ok(AppJson(value)),
            Err(rejection) => Err(AppError::BadBody(rejection.body_text())),
        }
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let mfa_required = matches!(self, AppError::MfaRequired);
        let (status, message, detail): (StatusCode, String, Option<String>) = match self {
            AppError::Unauthenticated | AppError::MfaRequired => (
                StatusCode::UNAUTHORIZED,
                "User Not Authenticated".to_owned(),
                Some("Required to provide Auth information".to_owned()),
            ),
            AppError::InvalidTable(table) => (
                StatusCode::BAD_REQUEST,
                format!("Invalid table {table}"),
                None,
            ),
            AppError::NoRecord => (
                StatusCode::NOT_FOUND,
                "No Record found".to_owned(),
                Some("Record doesn't exist or ACL restricts the record retrieval".to_owned()),
            ),
            AppError::NoSuchResource => (
                StatusCode::BAD_REQUEST,
                "Requested URI does not represent any resource".to_owned(),
                None,
            ),
            AppError::BadBody(reason) => {
                // The message is the one instances give for unreadable payloads (KB0747638).
                (
                    StatusCode::BAD_REQUEST,
                    "Exception while reading request".to_owned(),
                    Some(reason),
                )
            }
            AppError::AclDenied(operation) => (
                StatusCode::FORBIDDEN,
                "Operation Failed".to_owned(),
                Some(format!(
                    "ACL Exception {operation:?} Failed due to security constraints"
                )),
            ),
            AppError::DataPolicy(labels) => (
                StatusCode::FORBIDDEN,
                "Operation Failed".to_owned(),
                Some(format!(
                    "Data Policy Exception: The following fields are mandatory: {}",
                    labels.join(", ")
                )),
            ),
            AppError::MissingParameter(name) => (
                StatusCode::BAD_REQUEST,
                "Bad Request".to_owned(),
                Some(format!("Missing required parameter: {name}")),
            ),
            AppError::InsertFailed { table, number } => (
                StatusCode::FORBIDDEN,
                "Operation Failed".to_owned(),
                Some(format!("Error during insert of {table} ({number})")),
            ),
            AppError::PayloadTooLarge { size, max } => (
                StatusCode::BAD_REQUEST,
                "Exception while reading request".to_owned(),
                Some(format!(
                    "Rejected large REST payload with content-length = {size} bytes. Max allowed: {max} bytes."
                )),
            ),
            AppError::RateLimited { limit, api } => (
                StatusCode::TOO_MANY_REQUESTS,
                "Rate limit exceeded".to_owned(),
                Some(format!(
                    "Rate limit of {limit} requests per hour for {api} exceeded"
                )),
            ),
            AppError::MethodNotAllowed => response_code_answer(StatusCode::METHOD_NOT_ALLOWED),
            AppError::NotAcceptable => response_code_answer(StatusCode::NOT_ACCEPTABLE),
            AppError::UnsupportedMediaType => response_code_answer(StatusCode::UNSUPPORTED_MEDIA_TYPE),
            AppError::Injected(status) => response_code_answer(status),
        };
        let mut response = envelope_response(status, &message, detail.as_deref());
        if mfa_required {
            response
                .headers_mut()
                .insert("x-mfa_token", HeaderValue::from_static("invalid"));
        }
        if status == StatusCode::UNAUTHORIZED {
            response.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("BASIC realm=\"Service-now\""),
            );
        }
        response
    }
}

/// A status with the message `r_RESTAPIHTTPResponseCodes.md` gives it and no detail.
fn response_code_answer(status: StatusCode) -> (StatusCode, String, Option<String>) {
    let message = match status.as_u16() {
        400 => "Bad Request",
        403 => "Forbidden",
        405 => "Method not allowed",
        406 => "Not acceptable",
        415 => "Unsupported media type",
        502 => "Bad gateway",
        503 => "Service unavailable",
        _ => "Internal server error",
    };
    (status, message.to_owned(), None)
}
