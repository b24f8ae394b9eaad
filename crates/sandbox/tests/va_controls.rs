//! The simulated live agent sends the output controls of `va-api-controls.md` (a link, an image,
//! a card) through the admin API and the console; each arrives on the webhook in the documented
//! shape, from the agent.

mod va_support;

use reqwest::StatusCode;
use serde_json::{json, Value};
use va_support::{chat_with_agent, Sandbox, Webhook};

/// Sends `message` through the admin API and returns the one body item that arrives.
async fn check_sent(sandbox: &Sandbox, webhook: &mut Webhook, id: &str, message: Value) -> Value {
    let (status, body) = sandbox
        .post(&format!("/sandbox/va/conversations/{id}/messages"), message)
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let reply = webhook.next().await.json;
    assert_eq!(reply["agentChat"], true, "{reply}");
    assert_eq!(reply["requestId"], "r-agent");
    let body = reply["body"].as_array().unwrap();
    assert_eq!(body.len(), 1, "{reply}");
    let mut item = body[0].clone();
    let agent_info = item
        .as_object_mut()
        .unwrap()
        .remove("agentInfo")
        .expect("agentInfo");
    assert_eq!(agent_info["sentFromAgent"], true);
    assert_eq!(agent_info["agentName"], "Beth Anglin");
    let message_id = item.as_object_mut().unwrap().remove("messageId");
    assert!(message_id.is_some_and(|id| id.is_string()), "{reply}");
    item
}

#[tokio::test]
async fn the_agent_sends_a_link_an_image_and_a_card() {
    let mut webhook = Webhook::start().await;
    let sandbox = Sandbox::with_webhook(&webhook.url).await;
    let id = chat_with_agent(&sandbox, &mut webhook).await;

    let link = json!({"link": {
        "url": "https://www.servicenow.com",
        "label": "ServiceNow",
        "header": "The world works with ServiceNow",
    }});
    assert_eq!(
        check_sent(&sandbox, &mut webhook, &id, link).await,
        json!({
            "uiType": "OutputLink",
            "group": "DefaultOutputLink",
            "label": "ServiceNow",
            "header": "The world works with ServiceNow",
            "type": "link",
            "value": {"action": "https://www.servicenow.com", "target": "_blank"},
        })
    );

    let image = json!({"image": {
        "url": "https://adaptivecards.io/content/cats/1.png",
        "alt_text": "Image alt text",
    }});
    assert_eq!(
        check_sent(&sandbox, &mut webhook, &id, image).await,
        json!({
            "uiType": "OutputImage",
            "group": "DefaultOutputImage",
            "value": "https://adaptivecards.io/content/cats/1.png",
            "altText": "Image alt text",
        })
    );
    let image = json!({"image": {"url": "https://adaptivecards.io/content/cats/1.png"}});
    let item = check_sent(&sandbox, &mut webhook, &id, image).await;
    assert!(item.get("altText").is_none(), "{item}");

    let data = json!({
        "image": "https://adaptivecards.io/content/cats/1.png",
        "description": "Large image description",
        "title": "Large image",
        "imageAlt": "large image alt text",
        "url": "",
        "target": "_blank",
    });
    let card = json!({"card": {"template_name": "Large image with text", "data": data}});
    let item = check_sent(&sandbox, &mut webhook, &id, card).await;
    assert_eq!(item["uiType"], "OutputCard");
    assert_eq!(item["group"], "DefaultOutputCard");
    assert_eq!(item["templateName"], "Large image with text");
    // "The data field will be of type string. You need to parse it to use the data."
    let sent: Value = serde_json::from_str(item["data"].as_str().unwrap()).unwrap();
    assert_eq!(sent, data);

    let conversation = sandbox.settled(&id).await;
    let texts: Vec<&str> = conversation["entries"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|entry| entry["kind"] == "agent_message")
        .map(|entry| entry["text"].as_str().unwrap())
        .collect();
    assert_eq!(
        texts,
        [
            "ServiceNow: https://www.servicenow.com",
            "Image Image alt text: https://adaptivecards.io/content/cats/1.png",
            "Image: https://adaptivecards.io/content/cats/1.png",
            "Card Large image with text: Large image",
        ]
    );
    webhook.assert_quiet();
}

#[tokio::test]
async fn controls_the_documents_cannot_carry_are_refused() {
    let mut webhook = Webhook::start().await;
    let sandbox = Sandbox::with_webhook(&webhook.url).await;
    let id = chat_with_agent(&sandbox, &mut webhook).await;
    for message in [
        json!({"link": {"url": "javascript:alert(1)", "label": "Click"}}),
        json!({"link": {"url": "https://www.servicenow.com", "label": " "}}),
        json!({"link": {"url": "/relative", "label": "Relative"}}),
        json!({"image": {"url": "file:///etc/passwd"}}),
        json!({"card": {"template_name": "Poster", "data": {}}}),
        json!({"card": {"template_name": "Card", "data": "not an object"}}),
        json!({"text": "two kinds", "link": {"url": "https://a.example", "label": "A"}}),
        json!({"video": {"url": "https://a.example/v.mp4"}}),
    ] {
        let (status, error) = sandbox
            .post(
                &format!("/sandbox/va/conversations/{id}/messages"),
                message.clone(),
            )
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{message}: {error}");
        assert_eq!(error["status"], "failure", "{message}");
    }
    webhook.assert_quiet();
}

#[tokio::test]
async fn the_console_sends_links_images_and_incident_cards() {
    let mut webhook = Webhook::start().await;
    let sandbox = Sandbox::with_webhook(&webhook.url).await;
    let id = chat_with_agent(&sandbox, &mut webhook).await;
    let no_redirects = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let console = format!("{}/sandbox/va/console/{id}", sandbox.url);
    let submit = |action: &str, fields: &[(&str, &str)]| {
        no_redirects
            .post(format!("{console}/{action}"))
            .form(fields)
            .send()
    };

    let html = sandbox.console_page().await;
    for label in [
        "Link address for abel.tuter",
        "Image address for abel.tuter",
        "Incident number to share with abel.tuter",
    ] {
        assert!(html.contains(label), "{label}: {html}");
    }

    let answer = submit(
        "link",
        &[
            ("url", "https://www.servicenow.com"),
            ("label", "ServiceNow"),
        ],
    )
    .await
    .unwrap();
    assert_eq!(answer.headers()["location"], "/sandbox/va/console");
    let link = webhook.next().await.json;
    assert_eq!(link["body"][0]["uiType"], "OutputLink");
    assert_eq!(
        link["body"][0]["value"]["action"],
        "https://www.servicenow.com"
    );

    submit(
        "image",
        &[
            ("url", "https://adaptivecards.io/content/cats/1.png"),
            ("alt_text", ""),
        ],
    )
    .await
    .unwrap();
    let image = webhook.next().await.json;
    assert_eq!(image["body"][0]["uiType"], "OutputImage");
    assert!(image["body"][0].get("altText").is_none(), "{image}");

    // The documented "Record" card, of a seeded incident.
    submit("card", &[("number", "INC0000001")]).await.unwrap();
    let card = webhook.next().await.json;
    let item = &card["body"][0];
    assert_eq!(item["uiType"], "OutputCard");
    assert_eq!(item["templateName"], "Card");
    let data: Value = serde_json::from_str(item["data"].as_str().unwrap()).unwrap();
    assert_eq!(
        data,
        json!({
            "sys_id": "1c741bd70b2322007518478d83673af3",
            "subtitle": "INC0000001",
            "title": "Incident",
            "fields": [
                {"fieldLabel": "Number", "fieldValue": "INC0000001"},
                {"fieldLabel": "Short description", "fieldValue": "Unable to connect to office wifi"},
                {"fieldLabel": "Caller", "fieldValue": "Abel Tuter"},
            ],
            "table_name": "incident",
            "url": format!("{}/incident.do?sys_id=1c741bd70b2322007518478d83673af3", sandbox.url),
            "target": "_blank",
        })
    );

    let unknown = submit("card", &[("number", "INC9999999")]).await.unwrap();
    let location = unknown.headers()["location"].to_str().unwrap().to_owned();
    assert!(
        location.contains("notice=") && location.contains("INC9999999"),
        "{location}"
    );
    webhook.assert_quiet();
}
