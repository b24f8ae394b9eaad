//! Zendesk groups beyond their own CRUD, over real HTTP: tickets take only groups that exist, the
//! group count, and the memberships that put agents in groups. Each case is a request and what
//! the reply must hold, read by JSON pointer.

mod common;

use reqwest::Method;
use serde_json::{json, Value};

use crate::common::zendesk::{check, delete, get, post, put, send, ADMIN, AGENT, END_USER};
use crate::common::{Sandbox, ZENDESK_ADMIN_ID, ZENDESK_AGENT_ID, ZENDESK_USER_ID};

const SUPPORT: u64 = 40_001;
const NETWORK: u64 = 40_002;
const DATABASE: u64 = 40_005;

/// `(user_id, group_id, default)` of every membership in a list.
fn memberships(list: &Value) -> Vec<(u64, u64, bool)> {
    list["group_memberships"]
        .as_array()
        .unwrap_or_else(|| panic!("no memberships in {list}"))
        .iter()
        .map(|membership| {
            (
                membership["user_id"].as_u64().expect("a user id"),
                membership["group_id"].as_u64().expect("a group id"),
                membership["default"].as_bool().expect("a flag"),
            )
        })
        .collect()
}

#[tokio::test]
async fn tickets_take_only_groups_that_exist() {
    let sandbox = Sandbox::start_zendesk().await;
    let invalid = r#"{"error":"RecordInvalid","description":"Record validation errors","details":{"group":[{"description":"Group: is invalid"}]}}"#;
    check(
        &sandbox,
        delete(ADMIN, &format!("/api/v2/groups/{DATABASE}.json")),
        None,
        204,
        &[],
    )
    .await;
    for group_id in [999, DATABASE] {
        for (method, path) in [
            (Method::POST, "/api/v2/tickets.json"),
            (Method::PUT, "/api/v2/tickets/3.json"),
        ] {
            let body = json!({"ticket": {"subject": "Grouped", "comment": {"body": "x"},
                                         "group_id": group_id}});
            let reply = send(&sandbox, method.clone(), ADMIN, path, Some(body)).await;
            assert_eq!(
                (reply.status.as_u16(), reply.text.as_str()),
                (422, invalid),
                "{method} {path} group {group_id}"
            );
        }
    }
    check(
        &sandbox,
        post(ADMIN, "/api/v2/tickets.json"),
        Some(json!({"ticket": {"subject": "Grouped", "comment": {"body": "x"}, "group_id": NETWORK}})),
        201,
        &[("/ticket/group_id", json!(NETWORK))],
    )
    .await;
    // Taking the group away is always allowed.
    check(
        &sandbox,
        put(ADMIN, "/api/v2/tickets/3.json"),
        Some(json!({"ticket": {"group_id": null}})),
        200,
        &[("/ticket/group_id", Value::Null)],
    )
    .await;
}

#[tokio::test]
async fn groups_are_counted() {
    let sandbox = Sandbox::start_zendesk().await;
    let count = check(
        &sandbox,
        get(AGENT, "/api/v2/groups/count.json"),
        None,
        200,
        &[("/count/value", json!(5))],
    )
    .await;
    assert!(count["count"]["refreshed_at"].is_string(), "{count}");
    check(
        &sandbox,
        post(ADMIN, "/api/v2/groups.json"),
        Some(json!({"group": {"name": "Escalations"}})),
        201,
        &[],
    )
    .await;
    check(
        &sandbox,
        get(ADMIN, "/api/v2/groups/count"),
        None,
        200,
        &[("/count/value", json!(6))],
    )
    .await;
    check(
        &sandbox,
        get(END_USER, "/api/v2/groups/count.json"),
        None,
        403,
        &[],
    )
    .await;
}

#[tokio::test]
async fn agents_belong_to_their_groups() {
    let sandbox = Sandbox::start_zendesk().await;
    let all = check(
        &sandbox,
        get(AGENT, "/api/v2/group_memberships.json"),
        None,
        200,
        &[("/count", json!(2))],
    )
    .await;
    assert_eq!(
        memberships(&all),
        vec![
            (ZENDESK_ADMIN_ID, SUPPORT, true),
            (ZENDESK_AGENT_ID, SUPPORT, true)
        ]
    );
    let first = &all["group_memberships"][0];
    let membership_id = first["id"].as_u64().expect("an id");
    assert_eq!(
        first["url"],
        format!(
            "{}/api/v2/group_memberships/{membership_id}.json",
            sandbox.url
        )
    );
    check(
        &sandbox,
        get(
            AGENT,
            &format!("/api/v2/group_memberships/{membership_id}.json"),
        ),
        None,
        200,
        &[("/group_membership/user_id", json!(ZENDESK_ADMIN_ID))],
    )
    .await;
    let of_support = check(
        &sandbox,
        get(AGENT, &format!("/api/v2/groups/{SUPPORT}/memberships.json")),
        None,
        200,
        &[],
    )
    .await;
    assert_eq!(memberships(&of_support).len(), 2);
    let of_agent = check(
        &sandbox,
        get(
            AGENT,
            &format!("/api/v2/users/{ZENDESK_AGENT_ID}/group_memberships.json"),
        ),
        None,
        200,
        &[],
    )
    .await;
    assert_eq!(
        memberships(&of_agent),
        vec![(ZENDESK_AGENT_ID, SUPPORT, true)]
    );
    let paged = check(
        &sandbox,
        get(AGENT, "/api/v2/group_memberships.json?page[size]=1"),
        None,
        200,
        &[("/meta/has_more", json!(true))],
    )
    .await;
    assert_eq!(memberships(&paged).len(), 1);
    for path in [
        "/api/v2/groups/999/memberships.json",
        "/api/v2/users/999/group_memberships.json",
        "/api/v2/group_memberships/999.json",
    ] {
        check(&sandbox, get(AGENT, path), None, 404, &[]).await;
    }
    check(
        &sandbox,
        get(END_USER, "/api/v2/group_memberships.json"),
        None,
        403,
        &[],
    )
    .await;
}

#[tokio::test]
async fn admins_add_and_remove_members() {
    let sandbox = Sandbox::start_zendesk().await;
    let create = |user_id: u64, group_id: u64, default: bool| json!({"group_membership": {"user_id": user_id, "group_id": group_id, "default": default}});
    let created = check(
        &sandbox,
        post(ADMIN, "/api/v2/group_memberships.json"),
        Some(create(ZENDESK_AGENT_ID, NETWORK, false)),
        201,
        &[
            ("/group_membership/user_id", json!(ZENDESK_AGENT_ID)),
            ("/group_membership/group_id", json!(NETWORK)),
            ("/group_membership/default", json!(false)),
        ],
    )
    .await;
    let network_id = created["group_membership"]["id"].as_u64().expect("an id");
    let agent_path = format!("/api/v2/users/{ZENDESK_AGENT_ID}.json");
    check(
        &sandbox,
        get(ADMIN, &agent_path),
        None,
        200,
        &[("/user/default_group_id", json!(SUPPORT))],
    )
    .await;

    // A new default group takes over from the old one.
    check(
        &sandbox,
        post(ADMIN, "/api/v2/group_memberships.json"),
        Some(create(ZENDESK_AGENT_ID, 40_003, true)),
        201,
        &[("/group_membership/default", json!(true))],
    )
    .await;
    check(
        &sandbox,
        get(ADMIN, &agent_path),
        None,
        200,
        &[("/user/default_group_id", json!(40_003))],
    )
    .await;
    let of_agent_path = format!("/api/v2/users/{ZENDESK_AGENT_ID}/group_memberships.json");
    let of_agent = check(&sandbox, get(ADMIN, &of_agent_path), None, 200, &[]).await;
    assert_eq!(
        memberships(&of_agent),
        vec![
            (ZENDESK_AGENT_ID, SUPPORT, false),
            (ZENDESK_AGENT_ID, NETWORK, false),
            (ZENDESK_AGENT_ID, 40_003, true)
        ]
    );

    // Removing the default membership makes the oldest other one the default.
    let default_id = of_agent["group_memberships"][2]["id"]
        .as_u64()
        .expect("an id");
    check(
        &sandbox,
        delete(
            ADMIN,
            &format!("/api/v2/group_memberships/{default_id}.json"),
        ),
        None,
        204,
        &[],
    )
    .await;
    check(
        &sandbox,
        get(ADMIN, &agent_path),
        None,
        200,
        &[("/user/default_group_id", json!(SUPPORT))],
    )
    .await;
    check(
        &sandbox,
        delete(
            ADMIN,
            &format!("/api/v2/group_memberships/{default_id}.json"),
        ),
        None,
        404,
        &[],
    )
    .await;

    // Refusals: a member twice, an end user, a group that is not there, an agent doing it.
    for (body, field) in [
        (create(ZENDESK_AGENT_ID, NETWORK, false), "user"),
        (create(ZENDESK_USER_ID, NETWORK, false), "user"),
        (create(ZENDESK_AGENT_ID, 999, false), "group"),
        (
            json!({"group_membership": {"user_id": ZENDESK_AGENT_ID}}),
            "group_id",
        ),
    ] {
        let refused = check(
            &sandbox,
            post(ADMIN, "/api/v2/group_memberships.json"),
            Some(body.clone()),
            422,
            &[("/error", json!("RecordInvalid"))],
        )
        .await;
        assert!(refused["details"].get(field).is_some(), "{body}: {refused}");
    }
    check(
        &sandbox,
        post(AGENT, "/api/v2/group_memberships.json"),
        Some(create(ZENDESK_AGENT_ID, DATABASE, false)),
        403,
        &[],
    )
    .await;
    check(
        &sandbox,
        delete(
            AGENT,
            &format!("/api/v2/group_memberships/{network_id}.json"),
        ),
        None,
        403,
        &[],
    )
    .await;
}
