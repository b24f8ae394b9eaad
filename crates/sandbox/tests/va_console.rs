//! The agent console: a person accepts, answers and ends chats with plain HTML forms.

mod va_support;

use reqwest::StatusCode;
use serde_json::json;
use va_support::{hand_off, request, texts, Sandbox, Webhook};

#[tokio::test]
async fn an_agent_answers_from_the_console() {
    let mut webhook = Webhook::start().await;
    let sandbox = Sandbox::with_webhook(&webhook.url).await;
    let mut asking = request("r-1", Some("AGENT"), "");
    asking["userId"] = json!("<script>alert(1)</script>");
    sandbox.send(asking).await;
    hand_off(&mut webhook).await;
    let id = sandbox.only("waiting").await["id"]
        .as_str()
        .unwrap()
        .to_owned();

    let html = sandbox.console_page().await;
    assert!(html.contains("Waiting for an agent (1)"), "{html}");
    assert!(
        html.contains("Accept chat with &lt;script&gt;alert(1)&lt;/script&gt;"),
        "{html}"
    );
    assert!(!html.contains("<script>alert"), "{html}");
    assert!(!html.contains("<script>"), "inline scripts: {html}");
    assert!(html.contains("<script src=\"/sandbox/va/console.js\" defer></script>"));

    let no_redirects = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let console = format!("{}/sandbox/va/console/{id}", sandbox.url);
    let accepted = no_redirects
        .post(format!("{console}/accept"))
        .send()
        .await
        .unwrap();
    assert_eq!(accepted.status(), StatusCode::SEE_OTHER);
    assert_eq!(accepted.headers()["location"], "/sandbox/va/console");
    assert_eq!(webhook.next().await.json["agentChat"], true);

    let reply = no_redirects
        .post(format!("{console}/reply"))
        .form(&[("text", "Hello from the console")])
        .send()
        .await
        .unwrap();
    assert_eq!(reply.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        texts(&webhook.next().await.json),
        ["Hello from the console"]
    );

    let html = sandbox.console_page().await;
    assert!(
        html.contains("Beth Anglin: Hello from the console"),
        "{html}"
    );
    assert!(html.contains("<label for=\"reply-"), "{html}");

    let ended = no_redirects
        .post(format!("{console}/end"))
        .send()
        .await
        .unwrap();
    assert_eq!(ended.status(), StatusCode::SEE_OTHER);
    assert_eq!(webhook.next().await.json["completed"], true);

    // A second end has nothing to end: the console shows why.
    let again = no_redirects
        .post(format!("{console}/end"))
        .send()
        .await
        .unwrap();
    let location = again.headers()["location"].to_str().unwrap().to_owned();
    assert!(
        location.starts_with("/sandbox/va/console?notice="),
        "{location}"
    );
    let notice_page = sandbox
        .client
        .get(format!("{}{location}", sandbox.url))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(notice_page.contains("<p role=\"alert\">"), "{notice_page}");
}

#[tokio::test]
async fn the_console_script_is_a_static_file() {
    let sandbox = Sandbox::start().await;
    let response = sandbox
        .client
        .get(format!("{}/sandbox/va/console.js", sandbox.url))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert!(response.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/javascript"));
    assert!(response.text().await.unwrap().contains("location.replace"));
}
