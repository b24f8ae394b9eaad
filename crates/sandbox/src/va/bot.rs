//! What the simulated Virtual Agent says. Every text and control is one the vendor documents
//! (`bot-api.md` examples, `va-api-controls.md`, and the Store release 2.0.x feature page for the
//! agent's name); nothing here is made up beyond choosing which documented reply fits.

use crate::va::conversation::agent::AgentMessage;
use crate::va::wire::{AgentInfo, BodyItem, LinkValue, PickerOption};

/// The sys_id of the "Live Agent Support." topic in the documented topic pickers.
pub(crate) const LIVE_AGENT_TOPIC_ID: &str = "ce2ee85053130010cf8cddeeff7b12bf";
/// The label of that topic, which is also what a client sends when the user picks it.
pub(crate) const LIVE_AGENT_TOPIC_LABEL: &str = "Live Agent Support.";

/// What the bot makes of a message typed or picked while no live agent is involved.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Intent {
    /// The Hi command ("Use commands defined in the sys_cs_contextual_action table as an
    /// utterance to start a conversation": `hi`, its variant `hola`).
    Greet,
    /// The `agent` utterance ("Transfer a conversation to Live Agent using utterance").
    AskForAgent,
    /// The Bye command ("Use commands defined in the sys_cs_contextual_action table as an
    /// utterance to end a conversation": `bye`, its variant `choa`, echoed as `chao`).
    Bye,
    /// The "Live Agent Support." topic, picked or typed ("Transfer a conversation to Live Agent
    /// Support based on the user's selection").
    LiveAgentTopic,
    /// Anything else: the sandbox has no other topics.
    NotUnderstood,
}

/// Classifies the text of a message.
pub(crate) fn intent(text: &str) -> Intent {
    let text = text.trim();
    let matches = |candidate: &str| text.eq_ignore_ascii_case(candidate);
    if matches("hi") || matches("hola") {
        return Intent::Greet;
    }
    if matches("agent") {
        return Intent::AskForAgent;
    }
    if matches("bye") || matches("choa") || matches("chao") {
        return Intent::Bye;
    }
    if matches(LIVE_AGENT_TOPIC_LABEL) || matches(LIVE_AGENT_TOPIC_ID) {
        return Intent::LiveAgentTopic;
    }
    Intent::NotUnderstood
}

/// Whether a `SWITCH` names the live-agent topic by intent id, topic name or topic sys_id.
pub(crate) fn is_live_agent_topic(name_or_id: &str) -> bool {
    intent(name_or_id) == Intent::LiveAgentTopic
}

/// The greeting topic ("Start a conversation using the START_CONVERSATION action").
pub(crate) fn greeting() -> Vec<BodyItem> {
    vec![
        output_text("Hi, I'm your Virtual Agent. Let me know how I can help you today."),
        topic_picker(),
    ]
}

/// The reply to anything the bot does not understand, with score 0 (the response shown under
/// "Transfer a conversation to Live Agent in a specific queue").
pub(crate) fn not_understood() -> Vec<BodyItem> {
    vec![
        output_text("I am sorry but I didn't understand your request."),
        output_text(
            "Please try giving me your request in a different way. I'm currently better at understanding short sentences.",
        ),
        topic_picker(),
    ]
}

/// The disambiguation picker after the `agent` utterance.
pub(crate) fn which_agent_topic() -> Vec<BodyItem> {
    let options = [
        (LIVE_AGENT_TOPIC_LABEL, LIVE_AGENT_TOPIC_LABEL),
        ("Virtual Agent Capabilities.", "Virtual Agent Capabilities."),
        ("I want something else", "-1"),
    ];
    vec![list_picker(
        "I want to be sure I got this right. What item best describes what you want to do?",
        &options,
    )]
}

/// What a reply to [`end_picker`] picks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum EndChoice {
    End,
    Cancel,
}

/// The picker the Bye command answers with ("Use commands ... to end a conversation").
pub(crate) fn end_picker() -> Vec<BodyItem> {
    let options = END_OPTIONS.map(|(label, value, _)| (label, value));
    vec![list_picker("Please make a selection.", &options)]
}

/// Reads a reply to [`end_picker`]: an option's value or its label.
pub(crate) fn end_choice(text: &str) -> Option<EndChoice> {
    let text = text.trim();
    END_OPTIONS
        .into_iter()
        .find(|(label, value, _)| text == *value || text.eq_ignore_ascii_case(label))
        .map(|(_, _, choice)| choice)
}

/// The hand-off to the live-agent queue; sent with `agentChat: true`. The documented item has
/// no `maskType`, unlike the bot's other texts, and neither has this one, so that clients learn
/// not to count on it.
pub(crate) fn stand_by() -> Vec<BodyItem> {
    vec![BodyItem::OutputText {
        group: "DefaultText",
        value: "Please stand by while I connect you to a live agent.".to_owned(),
        mask_type: None,
        agent_info: None,
        message_id: None,
    }]
}

/// The spinner sent "when transferring to Live Agent to display the wait time to the end user"
/// ("body.actionType", `StartSpinner`), with the documented example's message and `waitTime`
/// written as it is there ("8 Seconds").
pub(crate) fn wait_time_spinner(wait_secs: u64) -> BodyItem {
    let unit = match wait_secs {
        1 => "Second",
        _ => "Seconds",
    };
    BodyItem::Spinner {
        action_type: "StartSpinner",
        spinner_type: "wait_time",
        message: "Routing you to a live agent...",
        wait_time: format!("{wait_secs} {unit}"),
    }
}

/// The end of a conversation ("End a ... conversation by setting the action parameter").
pub(crate) fn conversation_ended() -> Vec<BodyItem> {
    vec![output_text(
        "The conversation has ended. If you need help again, type hi.",
    )]
}

/// The message an agent's chat starts with when they accept ("Pass agent name and avatar" in
/// the Store release 2.0.x features): Agent Chat's greeting, sent from the agent.
pub(crate) const AGENT_GREETING: &str = "Thank you for contacting support. I am looking into your question now and will be with you shortly.";

/// A message from the live agent, as text or as one of the output controls of
/// `va-api-controls.md`, with `agentInfo` ("body.agentInfo") and the `messageId` that
/// `UPDATE_MESSAGES` refers to ("body.messageId"). Links open in a new window, as in every
/// documented link.
pub(crate) fn agent_message(
    message: &AgentMessage,
    agent: AgentInfo,
    message_id: String,
) -> BodyItem {
    let agent_info = Some(agent);
    let message_id = Some(message_id);
    match message {
        AgentMessage::Text(text) => BodyItem::OutputText {
            group: "DefaultText",
            value: text.clone(),
            mask_type: Some("NONE"),
            agent_info,
            message_id,
        },
        AgentMessage::Link { url, label, header } => BodyItem::OutputLink {
            group: "DefaultOutputLink",
            label: label.clone(),
            header: header.clone(),
            link_type: "link",
            value: LinkValue {
                action: url.clone(),
                target: "_blank",
            },
            agent_info,
            message_id,
        },
        AgentMessage::Image { url, alt_text } => BodyItem::OutputImage {
            group: "DefaultOutputImage",
            value: url.clone(),
            alt_text: alt_text.clone(),
            agent_info,
            message_id,
        },
        AgentMessage::Card {
            template_name,
            data,
        } => BodyItem::OutputCard {
            group: "DefaultOutputCard",
            template_name: template_name.clone(),
            data: data.to_string(),
            agent_info,
            message_id,
        },
    }
}

/// The agent's typing indicator ("body.actionType": `StartTypingIndicator`,
/// `EndTypingIndicator`).
pub(crate) fn typing_indicator(typing: bool) -> BodyItem {
    BodyItem::ActionMsg {
        action_type: match typing {
            true => "StartTypingIndicator",
            false => "EndTypingIndicator",
        },
        conversation_id: None,
        interaction_id: None,
        message_id: None,
    }
}

/// The reply to `CREATE_CONVERSATION` ("Create a chat interaction").
pub(crate) fn conversation_created(
    conversation_id: &str,
    interaction_id: &str,
    message_id: String,
) -> BodyItem {
    BodyItem::ActionMsg {
        action_type: "CreateConversation",
        conversation_id: Some(conversation_id.to_owned()),
        interaction_id: Some(interaction_id.to_owned()),
        message_id: Some(message_id),
    }
}

/// The reply once attachments arrived, with `completed: true`: the three attachment examples
/// ("Transfer a public application/pdf attachment file", "... video/mpeg ...", "... image/jpeg
/// ...") all answer this and end the conversation.
pub(crate) fn files_received() -> Vec<BodyItem> {
    let label = |label: &str| BodyItem::OutputLabel {
        group: "DefaultText",
        required: false,
        nlu_text_enabled: false,
        label: label.to_owned(),
        mask_type: "NONE",
        item_type: "outputtext",
    };
    vec![
        label("File got"),
        label("The conversation has ended. If you need help again, type hi."),
    ]
}

/// The options of [`end_picker`]: label, value, and what picking it means.
const END_OPTIONS: [(&str, &str, EndChoice); 2] = [
    ("End conversation", "1", EndChoice::End),
    ("Cancel", "0", EndChoice::Cancel),
];

/// A required list picker of `(label, value)` options, as both documented pickers are.
fn list_picker(label: &'static str, options: &[(&'static str, &'static str)]) -> BodyItem {
    let options = options
        .iter()
        .map(|&(label, value)| PickerOption {
            label,
            value,
            render_style: Some("data"),
            enabled: false,
        })
        .collect();
    BodyItem::Picker {
        group: "DefaultPicker",
        required: true,
        nlu_text_enabled: false,
        label,
        item_type: "List",
        style: "list",
        multi_select: false,
        options,
        scripted_data: None,
    }
}

fn output_text(value: &str) -> BodyItem {
    BodyItem::OutputText {
        group: "DefaultText",
        value: value.to_owned(),
        mask_type: Some("NONE"),
        agent_info: None,
        message_id: None,
    }
}

fn topic_picker() -> BodyItem {
    BodyItem::TopicPickerControl {
        group: "DefaultPicker",
        nlu_text_enabled: false,
        prompt_msg: "Hi guest, please enter your request or make a selection of what I can help with. You can type help any time when you need help.",
        label: "Show me everything",
        options: vec![PickerOption {
            label: LIVE_AGENT_TOPIC_LABEL,
            value: LIVE_AGENT_TOPIC_ID,
            render_style: None,
            enabled: true,
        }],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(text: &str, expected: Intent) {
        assert_eq!(intent(text), expected, "{text:?}");
    }

    #[test]
    fn classifies_documented_utterances() {
        check("hi", Intent::Greet);
        check(" Hola ", Intent::Greet);
        check("agent", Intent::AskForAgent);
        check("bye", Intent::Bye);
        check("choa", Intent::Bye);
        check("Live Agent Support.", Intent::LiveAgentTopic);
        check("Live Agent support.", Intent::LiveAgentTopic);
        check(LIVE_AGENT_TOPIC_ID, Intent::LiveAgentTopic);
        check("How are you?", Intent::NotUnderstood);
        check("", Intent::NotUnderstood);
    }

    /// Checks a reply body against the `body` of a documented example of `bot-api.md`.
    fn check_body(body: Vec<BodyItem>, documented: &str) {
        let documented: serde_json::Value = serde_json::from_str(documented).unwrap();
        assert_eq!(serde_json::to_value(&body).unwrap(), documented);
    }

    #[test]
    fn offers_the_documented_pickers() {
        // "Transfer a conversation to Live Agent in a specific queue".
        check_body(
            not_understood(),
            r#"[
              {"uiType": "OutputText", "group": "DefaultText", "value": "I am sorry but I didn't understand your request.", "maskType": "NONE"},
              {"uiType": "OutputText", "group": "DefaultText", "value": "Please try giving me your request in a different way. I'm currently better at understanding short sentences.", "maskType": "NONE"},
              {
                "uiType": "TopicPickerControl",
                "group": "DefaultPicker",
                "nluTextEnabled": false,
                "promptMsg": "Hi guest, please enter your request or make a selection of what I can help with. You can type help any time when you need help.",
                "label": "Show me everything",
                "options": [{"label": "Live Agent Support.", "value": "ce2ee85053130010cf8cddeeff7b12bf", "enabled": true}]
              }
            ]"#,
        );
        // "Transfer a conversation to Live Agent using utterance".
        check_body(
            which_agent_topic(),
            r#"[{
              "uiType": "Picker",
              "group": "DefaultPicker",
              "required": true,
              "nluTextEnabled": false,
              "label": "I want to be sure I got this right. What item best describes what you want to do?",
              "itemType": "List",
              "style": "list",
              "multiSelect": false,
              "options": [
                {"label": "Live Agent Support.", "value": "Live Agent Support.", "renderStyle": "data", "enabled": false},
                {"label": "Virtual Agent Capabilities.", "value": "Virtual Agent Capabilities.", "renderStyle": "data", "enabled": false},
                {"label": "I want something else", "value": "-1", "renderStyle": "data", "enabled": false}
              ],
              "scriptedData": null
            }]"#,
        );
        // "Use commands ... as an utterance to end a conversation".
        check_body(
            end_picker(),
            r#"[{
              "uiType": "Picker",
              "group": "DefaultPicker",
              "required": true,
              "nluTextEnabled": false,
              "label": "Please make a selection.",
              "itemType": "List",
              "style": "list",
              "multiSelect": false,
              "options": [
                {"label": "End conversation", "value": "1", "renderStyle": "data", "enabled": false},
                {"label": "Cancel", "value": "0", "renderStyle": "data", "enabled": false}
              ],
              "scriptedData": null
            }]"#,
        );
    }

    #[test]
    fn stands_by_as_documented() {
        // "Transfer a conversation to Live Agent Support based on the user's selection": no
        // `maskType`.
        check_body(
            stand_by(),
            r#"[{"uiType": "OutputText", "group": "DefaultText", "value": "Please stand by while I connect you to a live agent."}]"#,
        );
    }

    #[test]
    fn reads_end_picker_choices() {
        assert_eq!(end_choice("1"), Some(EndChoice::End));
        assert_eq!(end_choice("End conversation"), Some(EndChoice::End));
        assert_eq!(end_choice("0"), Some(EndChoice::Cancel));
        assert_eq!(end_choice("cancel"), Some(EndChoice::Cancel));
        assert_eq!(end_choice("2"), None);
    }
}
