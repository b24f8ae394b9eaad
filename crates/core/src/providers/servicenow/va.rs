//! The Virtual Agent Bot Integration API from the chat client's side (`bot-api.md`): the requests
//! a relay posts to `/api/sn_va_as_service/bot/integration`, and the replies the instance posts
//! back to the relay's response endpoint, read into [`VaReply`].
//!
//! The relay uses its conversation id as `clientSessionId`, so a reply names the conversation it
//! belongs to without a mapping table.

use serde::Deserialize;
use serde_json::{json, Map, Value};

use crate::error::CoreError;
use crate::http::{HttpRequest, HttpResponse, Method};
use crate::providers::servicenow::{check, ServiceNow};

/// The endpoint's path.
pub const BOT_INTEGRATION_PATH: &str = "/api/sn_va_as_service/bot/integration";

/// Who the conversation is with, as the instance knows them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VaUser {
    /// `userId`: the user's id in the chat client's system.
    pub user_id: String,
    /// `emailId`, when known.
    pub email: Option<String>,
}

/// What the relay tells the Virtual Agent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VaSend {
    /// Hand the conversation to a live agent (`AGENT`), routed by the context variables.
    Agent {
        /// The visitor's words asking for it.
        text: String,
        /// `contextVariables` the instance's queues are routed by.
        context: Vec<(String, String)>,
    },
    /// A message from the visitor.
    Message {
        /// The text.
        text: String,
        /// `clientMessageId`: the relay's id for it.
        client_message_id: String,
    },
    /// A file from the visitor, which the instance downloads from `url` (`message.attachment`).
    File {
        /// `clientAttachmentId`: the relay's id for it.
        client_attachment_id: String,
        /// `contentType`, one the Virtual Agent takes.
        content_type: String,
        /// `fileName`.
        file_name: String,
        /// Where the instance downloads it from (the relay's public origin).
        url: String,
    },
    /// The visitor is typing (`TYPING`).
    Typing,
    /// The visitor ended the conversation (`END_CONVERSATION`).
    End,
    /// What became of agent messages on their way to the visitor (`UPDATE_MESSAGES`).
    Delivered {
        /// The `messageId`s.
        message_ids: Vec<String>,
        /// `sent_to_user`, or `external_error` when they could not be delivered.
        sent: bool,
    },
}

/// One reply the instance posted to the response endpoint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VaReply {
    /// The `requestId` it answers.
    pub request_id: String,
    /// The relay's conversation id.
    pub client_session_id: String,
    /// Whether a live agent (rather than the Virtual Agent) has the conversation.
    pub agent_chat: bool,
    /// The conversation is over.
    pub completed: bool,
    /// What it says, in order.
    pub items: Vec<VaItem>,
}

/// One element of a reply's `body`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VaItem {
    /// `OutputText`.
    Text {
        /// The text.
        text: String,
        /// The agent who wrote it, when one did.
        agent: Option<VaAgent>,
        /// `messageId`, for `UPDATE_MESSAGES`.
        message_id: Option<String>,
    },
    /// `OutputLink`.
    Link {
        /// Its words.
        label: String,
        /// Where it goes.
        url: String,
        /// The agent who sent it.
        agent: Option<VaAgent>,
        /// `messageId`.
        message_id: Option<String>,
    },
    /// `OutputImage`.
    Image {
        /// The picture's address.
        url: String,
        /// Its description.
        alt: String,
        /// The agent who sent it.
        agent: Option<VaAgent>,
        /// `messageId`.
        message_id: Option<String>,
    },
    /// `StartSpinner` with `wait_time`: the estimated wait for an agent.
    Wait {
        /// Seconds.
        seconds: u32,
    },
    /// `StartTypingIndicator` / `EndTypingIndicator`.
    Typing {
        /// Started or ended.
        on: bool,
    },
    /// A `Picker` or `TopicPickerControl`: the options' labels.
    Choices {
        /// The question.
        label: String,
        /// The options.
        options: Vec<String>,
    },
    /// Anything else (cards, other action messages), by its `uiType` or `actionType`.
    Other {
        /// What it was.
        kind: String,
    },
}

/// The agent behind a message (`agentInfo`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VaAgent {
    /// `agentName`.
    pub name: String,
    /// `agentId`.
    pub id: String,
}

impl ServiceNow {
    /// The request that tells the Virtual Agent `send` in conversation `session`.
    /// `request_id` must be unique per request; `now_secs` is the Unix time.
    pub fn va_request(
        &self,
        request_id: &str,
        session: &str,
        user: &VaUser,
        send: &VaSend,
        now_secs: u64,
    ) -> HttpRequest {
        let mut body = Map::new();
        body.insert("requestId".into(), request_id.into());
        body.insert("clientSessionId".into(), session.into());
        body.insert("userId".into(), user.user_id.clone().into());
        if let Some(email) = &user.email {
            body.insert("emailId".into(), email.clone().into());
        }
        body.insert("timestamp".into(), now_secs.into());
        let (action, message) = match send {
            VaSend::Agent { text, context } => {
                let variables: Map<String, Value> = context
                    .iter()
                    .map(|(name, value)| (name.clone(), Value::from(value.clone())))
                    .collect();
                body.insert("contextVariables".into(), Value::Object(variables));
                (
                    Some("AGENT"),
                    json!({"text": text, "typed": true, "clientMessageId": request_id}),
                )
            }
            VaSend::Message {
                text,
                client_message_id,
            } => (
                None,
                json!({"text": text, "typed": true, "clientMessageId": client_message_id}),
            ),
            VaSend::File {
                client_attachment_id,
                content_type,
                file_name,
                url,
            } => (
                None,
                json!({"attachment": {
                    "clientAttachmentId": client_attachment_id,
                    "contentType": content_type,
                    "fileName": file_name,
                    "url": url,
                }}),
            ),
            VaSend::Typing => (Some("TYPING"), json!({"text": "", "typed": true})),
            VaSend::End => (Some("END_CONVERSATION"), json!({"text": "", "typed": true})),
            VaSend::Delivered { message_ids, sent } => {
                let status = if *sent {
                    "sent_to_user"
                } else {
                    "external_error"
                };
                let updates: Vec<Value> = message_ids
                    .iter()
                    .map(|id| json!({"status": status, "id": id}))
                    .collect();
                (Some("UPDATE_MESSAGES"), Value::Array(updates))
            }
        };
        if let Some(action) = action {
            body.insert("action".into(), action.into());
        }
        body.insert("message".into(), message);
        self.request(Method::Post, BOT_INTEGRATION_PATH)
            .with_json(&Value::Object(body))
    }

    /// Reads the instance's answer to a [`ServiceNow::va_request`]: 200 means it took it.
    pub fn parse_va_ack(&self, response: &HttpResponse) -> Result<(), CoreError> {
        check(response, 200).map(drop)
    }
}

/// Reads a reply posted to the response endpoint.
pub fn parse_va_reply(body: &[u8]) -> Result<VaReply, CoreError> {
    let wire: WireReply = serde_json::from_slice(body).map_err(|error| CoreError::Malformed {
        message: format!("virtual agent reply: {error}"),
    })?;
    Ok(VaReply {
        request_id: wire.request_id,
        client_session_id: wire.client_session_id,
        agent_chat: wire.agent_chat,
        completed: wire.completed,
        items: wire.body.iter().map(item).collect(),
    })
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct WireReply {
    #[serde(default)]
    request_id: String,
    client_session_id: String,
    #[serde(default)]
    agent_chat: bool,
    #[serde(default)]
    completed: bool,
    #[serde(default)]
    body: Vec<Value>,
}

fn item(value: &Value) -> VaItem {
    let text = |key: &str| value[key].as_str().unwrap_or_default().to_owned();
    let message_id = value["messageId"].as_str().map(str::to_owned);
    let agent = value["agentInfo"]["agentName"]
        .as_str()
        .filter(|_| value["agentInfo"]["sentFromAgent"].as_bool() != Some(false))
        .map(|name| VaAgent {
            name: name.to_owned(),
            id: value["agentInfo"]["agentId"]
                .as_str()
                .unwrap_or_default()
                .to_owned(),
        });
    match value["uiType"].as_str().unwrap_or_default() {
        // The attachment examples put the text in `label` instead of `value`.
        "OutputText" => VaItem::Text {
            text: value["value"]
                .as_str()
                .or(value["label"].as_str())
                .unwrap_or_default()
                .to_owned(),
            agent,
            message_id,
        },
        "OutputLink" => VaItem::Link {
            label: text("label"),
            url: value["value"]["action"]
                .as_str()
                .unwrap_or_default()
                .to_owned(),
            agent,
            message_id,
        },
        "OutputImage" => VaItem::Image {
            url: text("value"),
            alt: text("altText"),
            agent,
            message_id,
        },
        "Picker" | "TopicPickerControl" => VaItem::Choices {
            label: value["promptMsg"]
                .as_str()
                .or(value["label"].as_str())
                .unwrap_or_default()
                .to_owned(),
            options: value["options"]
                .as_array()
                .map(|options| {
                    options
                        .iter()
                        .filter_map(|option| option["label"].as_str().map(str::to_owned))
                        .collect()
                })
                .unwrap_or_default(),
        },
        "ActionMsg" => match value["actionType"].as_str().unwrap_or_default() {
            "StartSpinner" => VaItem::Wait {
                seconds: wait_seconds(value["waitTime"].as_str().unwrap_or_default()),
            },
            "StartTypingIndicator" => VaItem::Typing { on: true },
            "EndTypingIndicator" => VaItem::Typing { on: false },
            other => VaItem::Other {
                kind: other.to_owned(),
            },
        },
        other => VaItem::Other {
            kind: other.to_owned(),
        },
    }
}

/// `"8 Seconds"`, `"2 Minutes"` as seconds; anything else as 0.
fn wait_seconds(text: &str) -> u32 {
    let mut words = text.split_whitespace();
    let amount: u32 = words
        .next()
        .and_then(|number| number.parse().ok())
        .unwrap_or(0);
    match words.next().map(str::to_ascii_lowercase).as_deref() {
        Some("minute" | "minutes") => amount.saturating_mul(60),
        Some("hour" | "hours") => amount.saturating_mul(3600),
        _ => amount,
    }
}

#[cfg(test)]
mod tests;
