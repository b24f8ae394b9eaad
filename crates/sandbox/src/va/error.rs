//! The one error type of the Virtual Agent API and its admin API. Every error answers in the
//! envelope `bot-api.md` documents ("Response body parameters": `error.message`, `error.detail`,
//! `status: failure`), which is also the instance's REST envelope.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use crate::servicenow::error::{envelope_response, AppError};
use crate::va::conversation::{AgentError, RequestError};

#[derive(Debug, thiserror::Error)]
pub(crate) enum VaError {
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
    /// What the instance's REST APIs answer alike: no or wrong credentials (401, "Unauthorized.
    /// The user credentials are incorrect or have not been passed."), a method other than `POST`
    /// (405), an `Accept` that does not admit JSON (406) and a body that is not JSON (415), JSON
    /// being the only format (`bot-api.md`, "Headers").
    #[error(transparent)]
    Instance(#[from] AppError),
}

impl IntoResponse for VaError {
    fn into_response(self) -> Response {
        let detail = self.to_string();
        let (status, message) = match self {
            VaError::Instance(error) => return error.into_response(),
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
        envelope_response(status, message, Some(&detail))
    }
}
