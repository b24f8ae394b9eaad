//! `--data DIR`: the state survives a restart.

mod common;

use std::path::PathBuf;

use reqwest::StatusCode;
use serde_json::json;

use crate::common::{Sandbox, ADMIN};

/// A fresh directory for one test.
fn fresh_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("flare-sandbox-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

async fn start(dir: &std::path::Path) -> Sandbox {
    let options = flare_sandbox::InstanceOptions {
        data_dir: Some(dir.to_owned()),
        ..Default::default()
    };
    let state = flare_sandbox::AppState::with_options("http://sandbox.test", &options)
        .expect("the data directory opens");
    Sandbox::start_with(state).await
}

#[tokio::test]
async fn state_survives_a_restart() {
    let dir = fresh_dir("restart");
    let first = start(&dir).await;
    let reply = first
        .post(
            Some(ADMIN),
            "/api/now/table/incident",
            &json!({"short_description": "Kept", "comments": "first comment"}),
        )
        .await;
    assert_eq!(reply.status, StatusCode::CREATED);
    let sys_id = reply.json()["result"]["sys_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let request = first
        .client()
        .patch(format!("{}/api/now/table/incident/{sys_id}", first.url))
        .json(&json!({"urgency": "1", "impact": "1"}));
    assert_eq!(
        first.send(request, Some(ADMIN)).await.status,
        StatusCode::OK
    );
    let request = first.client().delete(format!(
        "{}/api/now/table/incident/1c741bd70b2322007518478d83673af3",
        first.url
    ));
    assert_eq!(
        first.send(request, Some(ADMIN)).await.status,
        StatusCode::NO_CONTENT
    );

    let second = start(&dir).await;
    let reply = second
        .get(
            Some(ADMIN),
            &format!(
                "/api/now/table/incident/{sys_id}?sysparm_fields=number,priority,short_description"
            ),
        )
        .await;
    assert_eq!(
        reply.json()["result"],
        json!({"number": "INC0010001", "priority": "1", "short_description": "Kept"})
    );
    let reply = second
        .get(
            Some(ADMIN),
            "/api/now/table/incident/1c741bd70b2322007518478d83673af3",
        )
        .await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND);
    let reply = second
        .get(Some(ADMIN), &format!("/api/now/table/sys_journal_field?sysparm_query=element_id%3D{sys_id}&sysparm_fields=value"))
        .await;
    assert_eq!(reply.json()["result"], json!([{"value": "first comment"}]));
    // Numbers and sys_ids go on where they stopped.
    let reply = second
        .post(
            Some(ADMIN),
            "/api/now/table/incident",
            &json!({"short_description": "Next"}),
        )
        .await;
    assert_eq!(reply.json()["result"]["number"], "INC0010002");
    assert_ne!(reply.json()["result"]["sys_id"], sys_id.as_str());
    let _ = std::fs::remove_dir_all(&dir);
}
