//! The one error type of the Virtual Agent API and its admin API. Every error answers in the
//! envelope `bot-api.md` documents ("Response body parameters": `error.message`, `error.detail`,
//! `status: failure`), which is also the instance's REST envelope.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use crate::servicenow::error::AppError;
use crate::servicenow::wire::json_response;
use crate::va::conversation::{AgentError, RequestError};

#[derive(Debug, thiserror::Error)]
pub(crate) enum VaError {
    /// No or wrong Basic credentials: the instance's own 401 ("Unauthorized. The user
    /// credentials are incorrect or have not been passed.").
    #[error("user not authenticated")]
    Unauthenticated,
    /// The body is not JSON (KB0747638's "Exception while reading request", as the Table API).
    #[error("unreadable request body: {0}")]
    UnreadableBody(String),
    /// "Bad Request. A bad request type or malformed request was detected."
    #[error("bad request: {0}")]
    BadRequest(String),
    /// An agent action that does not fit the conversation.
    #[error(transparent)]
    Agent(#[from] AgentError),
    /// No attachment with this id was received.
    #[error("no received attachment `{0}`")]
    NoAttachment(String),
    /// A request the channel cannot serve.
    #[error("bad request: {0}")]
    Request(#[from] RequestError),
    /// The endpoint only takes `POST`: the instance's 405.
    #[error("method not allowed")]
    MethodNotAllowed,
    /// `Accept` does not admit JSON, the only response format (`bot-api.md`, "Headers"): the
    /// instance's 406.
    #[error("no acceptable response format")]
    NotAcceptable,
    /// The body's `Content-Type` is not JSON, the only request format (`bot-api.md`,
    /// "Headers"): the instance's 415.
    #[error("unsupported request body format")]
    UnsupportedMediaType,
}

#[derive(Serialize)]
struct Envelope<'a> {
    error: EnvelopeError<'a>,
    status: &'static str,
}

#[derive(Serialize)]
struct EnvelopeError<'a> {
    message: &'a str,
    detail: &'a str,
}

impl IntoResponse for VaError {
    fn into_response(self) -> Response {
        let detail = self.to_string();
        let (status, message) = match &self {
            VaError::Unauthenticated => return AppError::Unauthenticated.into_response(),
            VaError::MethodNotAllowed => return AppError::MethodNotAllowed.into_response(),
            VaError::NotAcceptable => return AppError::NotAcceptable.into_response(),
            VaError::UnsupportedMediaType => return AppError::UnsupportedMediaType.into_response(),
            VaError::UnreadableBody(_) => {
                (StatusCode::BAD_REQUEST, "Exception while reading request")
            }
            VaError::BadRequest(_)
            | VaError::Request(_)
            | VaError::Agent(AgentError::EmptyText | AgentError::InvalidControl { .. }) => {
                (StatusCode::BAD_REQUEST, "Bad Request")
            }
            VaError::Agent(AgentError::NoConversation(_)) | VaError::NoAttachment(_) => {
                (StatusCode::NOT_FOUND, "Not Found")
            }
            VaError::Agent(AgentError::WrongState { .. }) => (StatusCode::CONFLICT, "Conflict"),
        };
        let envelope = Envelope {
            error: EnvelopeError {
                message,
                detail: &detail,
            },
            status: "failure",
        };
        json_response(status, &envelope)
    }
}
