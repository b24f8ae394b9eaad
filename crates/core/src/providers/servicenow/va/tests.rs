use serde_json::json;

use super::*;
use crate::auth::Credentials;
use crate::instance::InstanceUrl;

fn servicenow() -> ServiceNow {
    ServiceNow::new(
        InstanceUrl::parse_servicenow("https://acme.service-now.com").expect("valid"),
        Credentials::Basic {
            username: "relay".into(),
            password: "secret".into(),
        },
    )
}

fn abel() -> VaUser {
    VaUser {
        user_id: "abel.tuter".into(),
        email: Some("abel.tuter@example.com".into()),
    }
}

fn body(request: &HttpRequest) -> Value {
    serde_json::from_str(request.body_text().expect("a body")).expect("json")
}

#[test]
fn asking_for_an_agent_posts_the_documented_agent_action_with_the_queue_context() {
    let request = servicenow().va_request(
        "r-1",
        "conversation-1",
        &abel(),
        &VaSend::Agent {
            text: "Talk to a person".into(),
            context: vec![("b2b_category".into(), "humanresource".into())],
        },
        1_588_824_102,
    );
    assert_eq!(request.method, Method::Post);
    assert_eq!(
        request.url,
        "https://acme.service-now.com/api/sn_va_as_service/bot/integration"
    );
    assert!(request
        .header("authorization")
        .is_some_and(|value| value.starts_with("Basic ")));
    assert_eq!(
        body(&request),
        json!({
            "requestId": "r-1",
            "clientSessionId": "conversation-1",
            "userId": "abel.tuter",
            "emailId": "abel.tuter@example.com",
            "timestamp": 1_588_824_102,
            "action": "AGENT",
            "message": {"text": "Talk to a person", "typed": true, "clientMessageId": "r-1"},
            "contextVariables": {"b2b_category": "humanresource"},
        })
    );
}

#[test]
fn a_message_carries_its_client_message_id_and_no_action() {
    let request = servicenow().va_request(
        "r-2",
        "conversation-1",
        &VaUser {
            user_id: "visitor-9".into(),
            email: None,
        },
        &VaSend::Message {
            text: "My VPN will not start".into(),
            client_message_id: "m-7".into(),
        },
        1,
    );
    let body = body(&request);
    assert_eq!(body.get("action"), None);
    assert_eq!(body.get("emailId"), None);
    assert_eq!(
        body["message"],
        json!({"text": "My VPN will not start", "typed": true, "clientMessageId": "m-7"})
    );
}

#[test]
fn delivery_reports_are_update_messages_with_one_status_per_message() {
    let request = servicenow().va_request(
        "r-3",
        "conversation-1",
        &abel(),
        &VaSend::Delivered {
            message_ids: vec!["a".into(), "b".into()],
            sent: true,
        },
        1,
    );
    let body = body(&request);
    assert_eq!(body["action"], "UPDATE_MESSAGES");
    assert_eq!(
        body["message"],
        json!([{"status": "sent_to_user", "id": "a"}, {"status": "sent_to_user", "id": "b"}])
    );
    let failed = servicenow().va_request(
        "r-4",
        "c",
        &abel(),
        &VaSend::Delivered {
            message_ids: vec!["a".into()],
            sent: false,
        },
        1,
    );
    assert_eq!(body_status(&failed), "external_error");
}

fn body_status(request: &HttpRequest) -> String {
    body(request)["message"][0]["status"]
        .as_str()
        .expect("status")
        .to_owned()
}

#[test]
fn typing_and_ending_are_their_documented_actions() {
    for (send, action) in [
        (VaSend::Typing, "TYPING"),
        (VaSend::End, "END_CONVERSATION"),
    ] {
        let request = servicenow().va_request("r", "c", &abel(), &send, 1);
        assert_eq!(body(&request)["action"], action);
    }
}

#[test]
fn an_agents_message_names_the_agent_and_its_message_id() {
    let reply = parse_va_reply(
        json!({
            "requestId": "r-msg",
            "clientSessionId": "conversation-1",
            "userId": "abel.tuter",
            "agentChat": true,
            "body": [{
                "uiType": "OutputText",
                "group": "DefaultText",
                "value": "Please restart it.",
                "maskType": "NONE",
                "agentInfo": {"sentFromAgent": true, "agentName": "Beth Anglin", "agentId": "46d44a23"},
                "messageId": "msg-1"
            }],
            "score": 1
        })
        .to_string()
        .as_bytes(),
    )
    .expect("valid");
    assert_eq!(reply.client_session_id, "conversation-1");
    assert!(reply.agent_chat);
    assert!(!reply.completed);
    assert_eq!(
        reply.items,
        [VaItem::Text {
            text: "Please restart it.".into(),
            agent: Some(VaAgent {
                name: "Beth Anglin".into(),
                id: "46d44a23".into()
            }),
            message_id: Some("msg-1".into()),
        }]
    );
}

#[test]
fn spinners_typing_links_images_and_pickers_are_read() {
    let reply = parse_va_reply(
        json!({
            "clientSessionId": "c",
            "completed": true,
            "body": [
                {"uiType": "ActionMsg", "actionType": "StartSpinner", "spinnerType": "wait_time",
                 "message": "Routing you to a live agent...", "waitTime": "8 Seconds"},
                {"uiType": "ActionMsg", "actionType": "StartTypingIndicator"},
                {"uiType": "ActionMsg", "actionType": "EndTypingIndicator"},
                {"uiType": "OutputLink", "group": "DefaultOutputLink", "label": "ServiceNow",
                 "type": "link", "value": {"action": "https://www.servicenow.com", "target": "_blank"}},
                {"uiType": "OutputImage", "value": "https://example.com/1.png", "altText": "A cat"},
                {"uiType": "TopicPickerControl", "promptMsg": "Pick one", "label": "Show me",
                 "options": [{"label": "Live Agent Support.", "value": "x", "enabled": true}]},
                {"uiType": "OutputCard", "templateName": "Youtube Video Card", "data": "{}"}
            ]
        })
        .to_string()
        .as_bytes(),
    )
    .expect("valid");
    assert!(reply.completed);
    assert_eq!(
        reply.items,
        [
            VaItem::Wait { seconds: 8 },
            VaItem::Typing { on: true },
            VaItem::Typing { on: false },
            VaItem::Link {
                label: "ServiceNow".into(),
                url: "https://www.servicenow.com".into(),
                agent: None,
                message_id: None
            },
            VaItem::Image {
                url: "https://example.com/1.png".into(),
                alt: "A cat".into(),
                agent: None,
                message_id: None
            },
            VaItem::Choices {
                label: "Pick one".into(),
                options: vec!["Live Agent Support.".into()]
            },
            VaItem::Other {
                kind: "OutputCard".into()
            },
        ]
    );
}

#[test]
fn waits_in_minutes_become_seconds_and_nonsense_is_malformed() {
    assert_eq!(wait_seconds("2 Minutes"), 120);
    assert_eq!(wait_seconds("soon"), 0);
    for broken in ["", "[]", "{}", "{\"clientSessionId\": 5}"] {
        assert!(
            matches!(
                parse_va_reply(broken.as_bytes()),
                Err(CoreError::Malformed { .. })
            ),
            "{broken}"
        );
    }
}

#[test]
fn a_file_is_the_documented_message_attachment() {
    let request = servicenow().va_request(
        "r-5",
        "conversation-1",
        &abel(),
        &VaSend::File {
            client_attachment_id: "f-1".into(),
            content_type: "application/pdf".into(),
            file_name: "invoice.pdf".into(),
            url: "https://relay.example/files/f-1/invoice.pdf".into(),
        },
        1,
    );
    let body = body(&request);
    assert_eq!(body.get("action"), None);
    assert_eq!(
        body["message"],
        json!({"attachment": {
            "clientAttachmentId": "f-1",
            "contentType": "application/pdf",
            "fileName": "invoice.pdf",
            "url": "https://relay.example/files/f-1/invoice.pdf",
        }})
    );
}
