//! The Virtual Agent Bot Integration API on the wire (`bot-api.md`): the request body a chat
//! client posts, and the response body the VA posts back to the configured response endpoint.
//! Field names and the order of fields follow the document's tables and examples.

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The request body of `POST /api/sn_va_as_service/bot/integration` ("Request body parameters").
/// Unknown fields are ignored; `message` stays raw because its shape depends on the action (an
/// object, or an array for `UPDATE_MESSAGES`).
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct InboundRequest {
    /// Required.
    pub(crate) request_id: String,
    /// Required.
    pub(crate) user_id: String,
    #[serde(default)]
    pub(crate) action: Option<String>,
    #[serde(default)]
    pub(crate) client_session_id: Option<String>,
    #[serde(default)]
    pub(crate) now_session_id: Option<String>,
    #[serde(default)]
    pub(crate) message: Option<Value>,
    #[serde(default)]
    pub(crate) email_id: Option<String>,
    #[serde(default)]
    pub(crate) timezone: Option<String>,
    #[serde(default)]
    pub(crate) context_variables: Option<Value>,
    #[serde(default)]
    pub(crate) client_variables: Option<Value>,
    #[serde(default)]
    pub(crate) silent_message: Option<bool>,
    /// `true` (the default) for a bot-to-bot conversation, `false` for a standalone one.
    #[serde(default)]
    pub(crate) bot_to_bot: Option<bool>,
    #[serde(default)]
    pub(crate) cause: Option<String>,
    #[serde(default)]
    pub(crate) history: Option<Value>,
    #[serde(default)]
    pub(crate) intent: Option<Intent>,
    #[serde(default)]
    pub(crate) topic: Option<Topic>,
    /// A static token may come in the body as well as in the `token` header
    /// (`configure-send-request.md`).
    #[serde(default)]
    pub(crate) token: Option<String>,
}

/// `intent` of a `SWITCH`.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct Intent {
    #[serde(default)]
    pub(crate) id: Option<String>,
}

/// `topic` of a `SWITCH`: a name or a sys_id.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct Topic {
    #[serde(default)]
    pub(crate) name: Option<String>,
    #[serde(default)]
    pub(crate) id: Option<String>,
}

/// The documented values of `action` ("Request body parameters", `action`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub(crate) enum Action {
    Agent,
    CreateConversation,
    EndConversation,
    FaultConversation,
    SendHistory,
    SetUserTimezone,
    StartConversation,
    StartCreatedConversation,
    Switch,
    Typing,
    Viewing,
    UpdateMessages,
}

/// The response body the VA posts to the response endpoint ("VA response body parameters").
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct OutboundMessage {
    pub(crate) request_id: String,
    pub(crate) client_session_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) now_session_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) message: Option<Value>,
    pub(crate) user_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) interaction_id: Option<String>,
    pub(crate) body: Vec<BodyItem>,
    /// Only ever `true`: "false ... this parameter isn't returned in the response".
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) agent_chat: Option<bool>,
    /// Only ever `true`, as `agentChat`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) completed: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) take_control: Option<bool>,
    pub(crate) score: u8,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) client_variables: Option<Value>,
}

/// One element of `body`, tagged by `uiType` (`bot-api.md` "body.uiType", `va-api-controls.md`).
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "uiType")]
pub(crate) enum BodyItem {
    #[serde(rename_all = "camelCase")]
    OutputText {
        group: &'static str,
        value: String,
        /// `NONE` in most documented replies; the stand-by message of the hand-off has none
        /// ("Transfer a conversation to Live Agent Support based on the user's selection").
        #[serde(skip_serializing_if = "Option::is_none")]
        mask_type: Option<&'static str>,
        #[serde(skip_serializing_if = "Option::is_none")]
        agent_info: Option<AgentInfo>,
        #[serde(skip_serializing_if = "Option::is_none")]
        message_id: Option<String>,
    },
    /// The `OutputText` shape of the attachment examples, with `label` where the others have
    /// `value` ("Transfer a public application/pdf attachment file").
    #[serde(rename = "OutputText", rename_all = "camelCase")]
    OutputLabel {
        group: &'static str,
        required: bool,
        nlu_text_enabled: bool,
        label: String,
        mask_type: &'static str,
        item_type: &'static str,
    },
    #[serde(rename_all = "camelCase")]
    TopicPickerControl {
        group: &'static str,
        nlu_text_enabled: bool,
        prompt_msg: &'static str,
        label: &'static str,
        options: Vec<PickerOption>,
    },
    #[serde(rename_all = "camelCase")]
    Picker {
        group: &'static str,
        required: bool,
        nlu_text_enabled: bool,
        label: &'static str,
        item_type: &'static str,
        style: &'static str,
        multi_select: bool,
        options: Vec<PickerOption>,
        scripted_data: Option<Value>,
    },
    /// "Output Link" (`va-api-controls.md`).
    #[serde(rename_all = "camelCase")]
    OutputLink {
        group: &'static str,
        label: String,
        #[serde(skip_serializing_if = "Option::is_none")]
        header: Option<String>,
        /// "Only returned for DefaultOutputLink. ... Possible values: link" (`body.type`).
        #[serde(rename = "type")]
        link_type: &'static str,
        value: LinkValue,
        #[serde(skip_serializing_if = "Option::is_none")]
        agent_info: Option<AgentInfo>,
        #[serde(skip_serializing_if = "Option::is_none")]
        message_id: Option<String>,
    },
    /// "Output Image" (`va-api-controls.md`).
    #[serde(rename_all = "camelCase")]
    OutputImage {
        group: &'static str,
        value: String,
        #[serde(skip_serializing_if = "Option::is_none")]
        alt_text: Option<String>,
        #[serde(skip_serializing_if = "Option::is_none")]
        agent_info: Option<AgentInfo>,
        #[serde(skip_serializing_if = "Option::is_none")]
        message_id: Option<String>,
    },
    /// "Output Card" (`va-api-controls.md`): `data` is the card's JSON as a string.
    #[serde(rename_all = "camelCase")]
    OutputCard {
        group: &'static str,
        template_name: String,
        data: String,
        #[serde(skip_serializing_if = "Option::is_none")]
        agent_info: Option<AgentInfo>,
        #[serde(skip_serializing_if = "Option::is_none")]
        message_id: Option<String>,
    },
    /// The wait-time spinner: `ActionMsg` with `spinnerType`, `message` and `waitTime`
    /// ("body.actionType", `StartSpinner`).
    #[serde(rename = "ActionMsg", rename_all = "camelCase")]
    Spinner {
        action_type: &'static str,
        spinner_type: &'static str,
        message: &'static str,
        wait_time: String,
    },
    #[serde(rename_all = "camelCase")]
    ActionMsg {
        action_type: &'static str,
        #[serde(skip_serializing_if = "Option::is_none")]
        conversation_id: Option<String>,
        #[serde(skip_serializing_if = "Option::is_none")]
        interaction_id: Option<String>,
        #[serde(skip_serializing_if = "Option::is_none")]
        message_id: Option<String>,
    },
}

/// An option of a picker control.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct PickerOption {
    pub(crate) label: &'static str,
    pub(crate) value: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) render_style: Option<&'static str>,
    pub(crate) enabled: bool,
}

/// `value` of an `OutputLink`: "value->action: Link url".
#[derive(Debug, Clone, Serialize)]
pub(crate) struct LinkValue {
    pub(crate) action: String,
    pub(crate) target: &'static str,
}

/// `body.agentInfo`: who a live-agent message is from.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct AgentInfo {
    pub(crate) sent_from_agent: bool,
    pub(crate) agent_name: String,
    pub(crate) agent_id: String,
}

impl Action {
    /// The action named by `text`; empty means none, as a null or missing `action` does.
    pub(crate) fn parse(text: &str) -> Result<Option<Action>, String> {
        let action = match text {
            "" => return Ok(None),
            "AGENT" => Action::Agent,
            "CREATE_CONVERSATION" => Action::CreateConversation,
            "END_CONVERSATION" => Action::EndConversation,
            "FAULT_CONVERSATION" => Action::FaultConversation,
            "SEND_HISTORY" => Action::SendHistory,
            "SET_USER_TIMEZONE" => Action::SetUserTimezone,
            "START_CONVERSATION" => Action::StartConversation,
            "START_CREATED_CONVERSATION" => Action::StartCreatedConversation,
            "SWITCH" => Action::Switch,
            "TYPING" => Action::Typing,
            "VIEWING" => Action::Viewing,
            "UPDATE_MESSAGES" => Action::UpdateMessages,
            _ => return Err(format!("invalid action `{text}`")),
        };
        Ok(Some(action))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_every_documented_action() {
        for (text, expected) in [
            ("AGENT", Action::Agent),
            ("START_CONVERSATION", Action::StartConversation),
            ("TYPING", Action::Typing),
            ("VIEWING", Action::Viewing),
            ("UPDATE_MESSAGES", Action::UpdateMessages),
        ] {
            assert_eq!(Action::parse(text), Ok(Some(expected)));
            let round_trip = serde_json::to_value(expected).unwrap();
            assert_eq!(round_trip, Value::from(text));
        }
        assert_eq!(Action::parse(""), Ok(None));
        assert_eq!(
            Action::parse("agent"),
            Err("invalid action `agent`".to_owned())
        );
    }

    /// Checks that `item` has the shape of a documented example.
    fn check(item: BodyItem, documented: &str) {
        let documented: Value = serde_json::from_str(documented).unwrap();
        assert_eq!(serde_json::to_value(&item).unwrap(), documented);
    }

    #[test]
    fn serializes_the_documented_output_controls() {
        // The examples of `va-api-controls.md`.
        check(
            BodyItem::OutputLink {
                group: "DefaultOutputLink",
                label: "ServiceNow".to_owned(),
                header: Some("The world works with ServiceNow".to_owned()),
                link_type: "link",
                value: LinkValue {
                    action: "https://empcygiraffe6.service-now.com/va_link.do?token=<token>&target_url=https%3A%2F%2Fwww.servicenow.com".to_owned(),
                    target: "_blank",
                },
                agent_info: None,
                message_id: None,
            },
            r#"{
              "uiType": "OutputLink",
              "group": "DefaultOutputLink",
              "label": "ServiceNow",
              "header": "The world works with ServiceNow",
              "type": "link",
              "value": {
                "action": "https://empcygiraffe6.service-now.com/va_link.do?token=<token>&target_url=https%3A%2F%2Fwww.servicenow.com",
                "target": "_blank"
              }
            }"#,
        );
        check(
            BodyItem::OutputImage {
                group: "DefaultOutputImage",
                value: "https://adaptivecards.io/content/cats/1.png".to_owned(),
                alt_text: Some("Image alt text".to_owned()),
                agent_info: None,
                message_id: None,
            },
            r#"{
              "uiType": "OutputImage",
              "group": "DefaultOutputImage",
              "value": "https://adaptivecards.io/content/cats/1.png",
              "altText": "Image alt text"
            }"#,
        );
        let youtube = r#"{"link":"https://empcygiraffe6.service-now.com/va_link.do?token=<token>&target_url=servicenow.com","description":"The world works with ServiceNow","id":"IWsGk-Kh5ko","title":"ServiceNow","url":"","target":"_blank"}"#;
        check(
            BodyItem::OutputCard {
                group: "DefaultOutputCard",
                template_name: "Youtube Video Card".to_owned(),
                data: youtube.to_owned(),
                agent_info: None,
                message_id: None,
            },
            r#"{
              "uiType": "OutputCard",
              "group": "DefaultOutputCard",
              "templateName": "Youtube Video Card",
              "data": "{\"link\":\"https://empcygiraffe6.service-now.com/va_link.do?token=<token>&target_url=servicenow.com\",\"description\":\"The world works with ServiceNow\",\"id\":\"IWsGk-Kh5ko\",\"title\":\"ServiceNow\",\"url\":\"\",\"target\":\"_blank\"}"
            }"#,
        );
    }

    #[test]
    fn serializes_body_items_as_documented() {
        let item = BodyItem::OutputText {
            group: "DefaultText",
            value: "Hi".to_owned(),
            mask_type: Some("NONE"),
            agent_info: None,
            message_id: None,
        };
        assert_eq!(
            serde_json::to_string(&item).unwrap(),
            r#"{"uiType":"OutputText","group":"DefaultText","value":"Hi","maskType":"NONE"}"#
        );
        let typing = BodyItem::ActionMsg {
            action_type: "StartTypingIndicator",
            conversation_id: None,
            interaction_id: None,
            message_id: None,
        };
        assert_eq!(
            serde_json::to_string(&typing).unwrap(),
            r#"{"uiType":"ActionMsg","actionType":"StartTypingIndicator"}"#
        );
        // The `StartSpinner` example of "body.actionType", in its order.
        let spinner = BodyItem::Spinner {
            action_type: "StartSpinner",
            spinner_type: "wait_time",
            message: "Routing you to a live agent...",
            wait_time: "8 Seconds".to_owned(),
        };
        assert_eq!(
            serde_json::to_string(&spinner).unwrap(),
            r#"{"uiType":"ActionMsg","actionType":"StartSpinner","spinnerType":"wait_time","message":"Routing you to a live agent...","waitTime":"8 Seconds"}"#
        );
    }
}
