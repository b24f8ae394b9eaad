//! What the extension's pages ask the background worker, and what it answers: one enum each,
//! serialised with serde across `runtime.sendMessage`, never a raw JS value.

use serde::{Deserialize, Serialize};

use crate::api::{AppError, Provider};

/// A request to the background worker.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum WorkerRequest {
    /// Sign in to a ServiceNow instance or Zendesk account through its OAuth consent page
    /// (authorization code with PKCE) and save the connection. The page asks for the instance's
    /// host permission first, while it still has the user's click.
    #[serde(rename = "sign_in_with_oauth")]
    SignInWithOAuth {
        /// Which service desk the address is of.
        provider: Provider,
        /// The instance or account address as the user typed it.
        instance: String,
        /// The client id of the customer's OAuth application for Flare.
        client_id: String,
        /// The client secret, only if the customer's application requires one.
        client_secret: Option<String>,
    },
}

/// The background worker's answer. Externally tagged (serde's default), because the pages read it
/// and an internally tagged enum costs several times the wasm to deserialise.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WorkerReply {
    /// Signed in; the connection is saved and is now the default.
    Connected {
        /// The instance's host.
        host: String,
        /// The signed-in user's display name.
        user_name: String,
    },
    /// It failed; the page says why.
    Failed {
        /// What went wrong.
        error: AppError,
    },
}
