//! `--data DIR` for the Zendesk account: tickets, comments, audits, soft-deleted tickets, users
//! (created, changed and deleted ones too), groups, group memberships, uploads, bulk job statuses
//! and OAuth tokens survive a restart; ids go on where they stopped.

mod common;

use std::path::{Path, PathBuf};

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::common::zendesk::{self, ADMIN};
use crate::common::{submit_consent, Sandbox, ZENDESK_AGENT_ID};

/// Both runs answer with the same links, so their replies can be compared whole.
const ACCOUNT_URL: &str = "http://zendesk.test";
const REDIRECT: &str = "https://abcdefghijklmnop.chromiumapp.org/";
const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
const CHALLENGE: &str = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";

/// A fresh directory for one test.
fn fresh_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "flare-sandbox-zendesk-{name}-{}",
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

async fn start(dir: &Path) -> Sandbox {
    let options = flare_sandbox::zendesk::ZendeskOptions {
        data_dir: Some(dir.to_owned()),
        ..Default::default()
    };
    let state = flare_sandbox::zendesk::ZendeskState::with_options(ACCOUNT_URL, &options)
        .expect("the data directory opens");
    Sandbox::start_zendesk_state(state).await
}

async fn send(
    sandbox: &Sandbox,
    method: reqwest::Method,
    path: &str,
    body: Option<Value>,
) -> Value {
    let reply = zendesk::send(sandbox, method.clone(), ADMIN, path, body).await;
    assert!(reply.status.is_success(), "{method} {path}: {}", reply.text);
    match reply.text.is_empty() {
        true => Value::Null,
        false => reply.json(),
    }
}

async fn upload(sandbox: &Sandbox, name: &str, content: &[u8]) -> String {
    let request = sandbox
        .client()
        .post(format!(
            "{}/api/v2/uploads.json?filename={name}",
            sandbox.url
        ))
        .header("content-type", "text/plain")
        .body(content.to_vec());
    let reply = sandbox.send(request, ADMIN).await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text);
    reply.json()["upload"]["token"]
        .as_str()
        .expect("a token")
        .to_owned()
}

/// Signs the agent in with OAuth and returns the access token.
async fn access_token(sandbox: &Sandbox) -> String {
    let mut url =
        reqwest::Url::parse(&format!("{}/oauth/authorizations/new", sandbox.url)).expect("a URL");
    url.query_pairs_mut().extend_pairs([
        ("response_type", "code"),
        ("client_id", "flare"),
        ("redirect_uri", REDIRECT),
        ("scope", "read write"),
        ("state", "xyz"),
        ("code_challenge", CHALLENGE),
        ("code_challenge_method", "S256"),
    ]);
    let answer = submit_consent(
        url.as_str(),
        ("agent@example.com", "sandbox-token"),
        "allow",
    )
    .await;
    let code = answer.location_param("code").expect("a code");
    let reply = sandbox
        .post(
            None,
            "/oauth/tokens",
            &json!({"grant_type": "authorization_code", "code": code, "client_id": "flare",
                    "redirect_uri": REDIRECT, "code_verifier": VERIFIER}),
        )
        .await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text);
    reply.json()["access_token"]
        .as_str()
        .expect("a token")
        .to_owned()
}

async fn me_with(sandbox: &Sandbox, token: &str) -> reqwest::StatusCode {
    let request = sandbox
        .client()
        .get(format!("{}/api/v2/users/me.json", sandbox.url))
        .bearer_auth(token);
    sandbox.send(request, None).await.status
}

#[tokio::test]
async fn the_account_survives_a_restart() {
    let dir = fresh_dir("restart");
    let first = start(&dir).await;
    use reqwest::Method;

    // A ticket from a new requester, with a file, then a private note.
    let attached = upload(&first, "log.txt", b"first file").await;
    let created = send(
        &first,
        Method::POST,
        "/api/v2/tickets.json",
        Some(json!({"ticket": {
            "subject": "Kept",
            "comment": {"body": "Please keep this", "uploads": [attached]},
            "requester": {"name": "Nina New", "email": "nina@example.com"},
        }})),
    )
    .await;
    let ticket_id = created["ticket"]["id"].as_u64().expect("an id");
    send(
        &first,
        Method::PUT,
        &format!("/api/v2/tickets/{ticket_id}.json"),
        Some(
            json!({"ticket": {"status": "pending", "assignee_id": ZENDESK_AGENT_ID,
                    "comment": {"body": "Internal note", "public": false}}}),
        ),
    )
    .await;
    send(&first, Method::DELETE, "/api/v2/tickets/2.json", None).await;
    // Bulk jobs: a create and an update with a failed item.
    let created_job = send(
        &first,
        Method::POST,
        "/api/v2/tickets/create_many.json",
        Some(json!({"tickets": [{"subject": "Bulk", "comment": {"body": "One of many"}}]})),
    )
    .await;
    let updated_job = send(
        &first,
        Method::PUT,
        "/api/v2/tickets/update_many.json?ids=3,999",
        Some(json!({"ticket": {"priority": "high"}})),
    )
    .await;
    let job_paths: Vec<String> = [&created_job, &updated_job]
        .iter()
        .map(|job| {
            let id = job["job_status"]["id"].as_str().expect("a job id");
            format!("/api/v2/job_statuses/{id}.json")
        })
        .collect();
    let mut jobs_before = Vec::new();
    for path in &job_paths {
        jobs_before.push(send(&first, Method::GET, path, None).await);
    }
    assert_eq!(jobs_before[1]["job_status"]["results"][1]["success"], false);
    // A new group, a renamed one and a deleted one.
    let group = send(
        &first,
        Method::POST,
        "/api/v2/groups.json",
        Some(json!({"group": {"name": "Escalations"}})),
    )
    .await;
    let group_id = group["group"]["id"].as_u64().expect("an id");
    send(
        &first,
        Method::PUT,
        "/api/v2/groups/40002.json",
        Some(json!({"group": {"name": "Networks", "description": "LAN and VPN"}})),
    )
    .await;
    send(&first, Method::DELETE, "/api/v2/groups/40005.json", None).await;
    let groups_before = send(&first, Method::GET, "/api/v2/groups.json", None).await;
    // An upload not attached yet, and a signed-in OAuth client.
    let pending = upload(&first, "later.txt", b"second file").await;
    let token = access_token(&first).await;
    assert_eq!(me_with(&first, &token).await, StatusCode::OK);
    let ticket_before = send(
        &first,
        Method::GET,
        &format!("/api/v2/tickets/{ticket_id}.json"),
        None,
    )
    .await;
    let comments_before = send(
        &first,
        Method::GET,
        &format!("/api/v2/tickets/{ticket_id}/comments.json"),
        None,
    )
    .await;

    let second = start(&dir).await;
    let ticket_after = send(
        &second,
        Method::GET,
        &format!("/api/v2/tickets/{ticket_id}.json"),
        None,
    )
    .await;
    assert_eq!(ticket_after, ticket_before);
    assert_eq!(ticket_after["ticket"]["status"], "pending");
    let comments_after = send(
        &second,
        Method::GET,
        &format!("/api/v2/tickets/{ticket_id}/comments.json"),
        None,
    )
    .await;
    assert_eq!(comments_after, comments_before);
    assert_eq!(comments_after["comments"][1]["public"], false);
    let mut jobs_after = Vec::new();
    for path in &job_paths {
        jobs_after.push(send(&second, Method::GET, path, None).await);
    }
    assert_eq!(jobs_after, jobs_before);
    let next_job = send(
        &second,
        Method::DELETE,
        "/api/v2/tickets/destroy_many.json?ids=999",
        None,
    )
    .await;
    let next_job_id = next_job["job_status"]["id"].as_str().expect("a job id");
    assert!(
        job_paths.iter().all(|path| !path.contains(next_job_id)),
        "a fresh job id"
    );
    let groups_after = send(&second, Method::GET, "/api/v2/groups.json", None).await;
    assert_eq!(groups_after, groups_before);
    assert_eq!(groups_after["count"], 6);
    let next_group = send(
        &second,
        Method::POST,
        "/api/v2/groups.json",
        Some(json!({"group": {"name": "Field service"}})),
    )
    .await;
    assert_eq!(next_group["group"]["id"], group_id + 1);

    // The attached file still downloads.
    let content_url = comments_after["comments"][0]["attachments"][0]["content_url"]
        .as_str()
        .expect("an attachment")
        .replacen(ACCOUNT_URL, &second.url, 1);
    let download = second.send(second.client().get(content_url), None).await;
    assert_eq!(download.text, "first file");

    // The new requester, the deleted ticket, the OAuth token.
    let found = send(
        &second,
        Method::GET,
        "/api/v2/users/search.json?query=email:nina@example.com",
        None,
    )
    .await;
    assert_eq!(found["users"][0]["name"], "Nina New");
    let gone = second.get(ADMIN, "/api/v2/tickets/2.json").await;
    assert_eq!(gone.status, StatusCode::NOT_FOUND);
    assert_eq!(me_with(&second, &token).await, StatusCode::OK);

    // The pending upload can still be attached, and ids go on where they stopped.
    let next = send(
        &second,
        Method::POST,
        "/api/v2/tickets.json",
        Some(json!({"ticket": {"subject": "Next", "comment": {"body": "Later", "uploads": [pending]}}})),
    )
    .await;
    let bulk_ticket_id = jobs_before[0]["job_status"]["results"][0]["id"]
        .as_u64()
        .expect("the bulk-created ticket");
    assert_eq!(bulk_ticket_id, ticket_id + 1);
    assert_eq!(next["ticket"]["id"], bulk_ticket_id + 1);
    let comments = send(
        &second,
        Method::GET,
        &format!("/api/v2/tickets/{}/comments.json", bulk_ticket_id + 1),
        None,
    )
    .await;
    let comment = &comments["comments"][0];
    assert_eq!(comment["attachments"][0]["file_name"], "later.txt");
    let earlier_ids: Vec<&Value> = comments_after["comments"]
        .as_array()
        .expect("comments")
        .iter()
        .map(|comment| &comment["id"])
        .collect();
    assert!(!earlier_ids.contains(&&comment["id"]), "a fresh comment id");
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn deleted_tickets_and_audits_survive_a_restart() {
    use reqwest::Method;
    let dir = fresh_dir("history");
    let first = start(&dir).await;
    send(
        &first,
        Method::PUT,
        "/api/v2/tickets/3.json",
        Some(json!({"ticket": {"status": "pending"}})),
    )
    .await;
    send(&first, Method::DELETE, "/api/v2/tickets/4.json", None).await;
    send(&first, Method::DELETE, "/api/v2/tickets/5.json", None).await;
    // Ticket 5 goes for good, and its audits with it.
    send(
        &first,
        Method::DELETE,
        "/api/v2/deleted_tickets/5.json",
        None,
    )
    .await;
    let deleted_before = send(&first, Method::GET, "/api/v2/deleted_tickets.json", None).await;
    let audits_before = send(&first, Method::GET, "/api/v2/ticket_audits.json", None).await;
    let ticket_audits_before =
        send(&first, Method::GET, "/api/v2/tickets/3/audits.json", None).await;

    let second = start(&dir).await;
    let deleted_after = send(&second, Method::GET, "/api/v2/deleted_tickets.json", None).await;
    assert_eq!(deleted_after, deleted_before);
    assert_eq!(deleted_after["deleted_tickets"][0]["id"], 4);
    assert_eq!(deleted_after["count"], 1);
    let audits_after = send(&second, Method::GET, "/api/v2/ticket_audits.json", None).await;
    assert_eq!(audits_after, audits_before);
    let ticket_audits_after =
        send(&second, Method::GET, "/api/v2/tickets/3/audits.json", None).await;
    assert_eq!(ticket_audits_after, ticket_audits_before);
    assert_eq!(
        ticket_audits_after["audits"]
            .as_array()
            .and_then(|audits| audits.last())
            .map(|audit| audit["events"][0]["value"].clone()),
        Some(json!("pending"))
    );
    // The deleted ticket can still be restored; the purged one cannot.
    send(
        &second,
        Method::PUT,
        "/api/v2/deleted_tickets/4/restore.json",
        None,
    )
    .await;
    send(&second, Method::GET, "/api/v2/tickets/4.json", None).await;
    let purged = second
        .send(
            second.client().put(format!(
                "{}/api/v2/deleted_tickets/5/restore.json",
                second.url
            )),
            ADMIN,
        )
        .await;
    assert_eq!(purged.status, StatusCode::NOT_FOUND);
    // Audit ids go on where they stopped.
    let updated = send(
        &second,
        Method::PUT,
        "/api/v2/tickets/3.json",
        Some(json!({"ticket": {"status": "open"}})),
    )
    .await;
    let earlier_ids: Vec<&Value> = audits_after["audits"]
        .as_array()
        .expect("audits")
        .iter()
        .map(|audit| &audit["id"])
        .collect();
    assert!(
        !earlier_ids.contains(&&updated["audit"]["id"]),
        "a fresh audit id"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn a_fresh_directory_is_seeded_and_memory_stays_the_default() {
    let dir = fresh_dir("seed");
    let sandbox = start(&dir).await;
    assert!(dir.join("zendesk.sqlite3").exists());
    assert!(
        !dir.join("servicenow.sqlite3").exists(),
        "the ServiceNow instance keeps its own file"
    );
    let ticket = sandbox.get(ADMIN, "/api/v2/tickets/1.json").await;
    assert_eq!(ticket.json()["ticket"]["subject"], "Printer on fire");
    let _ = std::fs::remove_dir_all(&dir);

    let in_memory = Sandbox::start_zendesk().await;
    let created = in_memory
        .post(
            ADMIN,
            "/api/v2/tickets.json",
            &json!({"ticket": {"subject": "Gone after a restart", "comment": {"body": "x"}}}),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED);
    let restarted = Sandbox::start_zendesk().await;
    let id = created.json()["ticket"]["id"].as_u64().expect("an id");
    let missing = restarted
        .get(ADMIN, &format!("/api/v2/tickets/{id}.json"))
        .await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_directory_from_before_groups_gets_the_demo_groups() {
    let dir = fresh_dir("no-groups");
    let first = start(&dir).await;
    drop(first);
    // What a data directory written before the account kept groups holds: no group rows and no
    // group counter.
    let connection =
        rusqlite::Connection::open(dir.join("zendesk.sqlite3")).expect("the database opens");
    connection
        .execute_batch("DELETE FROM groups; DELETE FROM counters WHERE name = 'next_group_id';")
        .expect("the groups go");
    drop(connection);
    let second = start(&dir).await;
    let groups = send(&second, reqwest::Method::GET, "/api/v2/groups.json", None).await;
    assert_eq!(groups["count"], 5);
    assert_eq!(groups["groups"][4]["name"], "Support");
    assert_eq!(groups["groups"][4]["default"], true);
    // The demo groups were stored: a change to them is kept, not seeded over.
    send(
        &second,
        reqwest::Method::DELETE,
        "/api/v2/groups/40005.json",
        None,
    )
    .await;
    let third = start(&dir).await;
    let groups_again = send(&third, reqwest::Method::GET, "/api/v2/groups.json", None).await;
    assert_eq!(groups_again["count"], 5);
    assert_eq!(groups_again["groups"][0]["name"], "Database");
    assert_eq!(groups_again["groups"][0]["deleted"], true);
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn created_changed_and_deleted_users_survive_a_restart() {
    use reqwest::Method;

    let dir = fresh_dir("users");
    let first = start(&dir).await;
    let mut user_ids = Vec::new();
    for user in [
        json!({"name": "Kept", "email": "kept@example.com"}),
        json!({"name": "Changed"}),
        json!({"name": "Deleted"}),
        json!({"name": "Deleted in bulk"}),
    ] {
        let created = send(
            &first,
            Method::POST,
            "/api/v2/users.json",
            Some(json!({ "user": user })),
        )
        .await;
        user_ids.push(created["user"]["id"].as_u64().expect("an id"));
    }
    send(
        &first,
        Method::PUT,
        &format!("/api/v2/users/{}.json", user_ids[1]),
        Some(json!({"user": {"name": "Changed agent", "role": "agent"}})),
    )
    .await;
    send(
        &first,
        Method::DELETE,
        &format!("/api/v2/users/{}.json", user_ids[2]),
        None,
    )
    .await;
    send(
        &first,
        Method::DELETE,
        &format!("/api/v2/users/destroy_many.json?ids={}", user_ids[3]),
        None,
    )
    .await;
    let mut users_before = Vec::new();
    for user_id in &user_ids {
        let path = format!("/api/v2/users/{user_id}.json");
        users_before.push(send(&first, Method::GET, &path, None).await);
    }
    let list_before = send(&first, Method::GET, "/api/v2/users.json", None).await;

    let second = start(&dir).await;
    let mut users_after = Vec::new();
    for user_id in &user_ids {
        let path = format!("/api/v2/users/{user_id}.json");
        users_after.push(send(&second, Method::GET, &path, None).await);
    }
    assert_eq!(users_after, users_before);
    assert_eq!(
        users_after[1]["user"]["custom_role_id"],
        360_000_000_004_u64
    );
    assert_eq!(users_after[2]["user"]["active"], false);
    assert_eq!(users_after[3]["user"]["active"], false);
    let list_after = send(&second, Method::GET, "/api/v2/users.json", None).await;
    assert_eq!(list_after, list_before);
    assert_eq!(list_after["count"], 6);
    let next = send(
        &second,
        Method::POST,
        "/api/v2/users.json",
        Some(json!({"user": {"name": "Next"}})),
    )
    .await;
    assert_eq!(next["user"]["id"], user_ids[3] + 1);
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn users_stored_before_custom_roles_get_theirs() {
    let dir = fresh_dir("old-users");
    let first = start(&dir).await;
    drop(first);
    // Users as a data directory written before the account kept custom roles, external ids,
    // verification and deletion holds them.
    let connection =
        rusqlite::Connection::open(dir.join("zendesk.sqlite3")).expect("the database opens");
    let rows: Vec<(i64, String)> = {
        let mut statement = connection
            .prepare("SELECT id, data FROM users")
            .expect("a query");
        statement
            .query_map([], |row| Ok((row.get(0)?, row.get(1)?)))
            .expect("rows")
            .map(|row| row.expect("a row"))
            .collect()
    };
    for (id, data) in rows {
        let mut user: Value = serde_json::from_str(&data).expect("a stored user");
        let fields = user.as_object_mut().expect("an object");
        for field in ["custom_role_id", "external_id", "verified", "active"] {
            fields.remove(field);
        }
        connection
            .execute(
                "UPDATE users SET data = ?1 WHERE id = ?2",
                rusqlite::params![user.to_string(), id],
            )
            .expect("the user is rewritten");
    }
    drop(connection);
    let second = start(&dir).await;
    let admin = send(&second, reqwest::Method::GET, "/api/v2/users/me.json", None).await;
    assert_eq!(admin["user"]["custom_role_id"], 360_000_000_003_u64);
    assert_eq!(admin["user"]["active"], true);
    assert_eq!(admin["user"]["verified"], true);
    let agent = send(
        &second,
        reqwest::Method::GET,
        &format!("/api/v2/users/{ZENDESK_AGENT_ID}.json"),
        None,
    )
    .await;
    assert_eq!(agent["user"]["custom_role_id"], 360_000_000_004_u64);
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn memberships_survive_a_restart() {
    use reqwest::Method;
    let dir = fresh_dir("memberships");
    let first = start(&dir).await;
    let created = send(
        &first,
        Method::POST,
        "/api/v2/group_memberships.json",
        Some(
            json!({"group_membership": {"user_id": ZENDESK_AGENT_ID, "group_id": 40002,
                                         "default": true}}),
        ),
    )
    .await;
    let memberships_before =
        send(&first, Method::GET, "/api/v2/group_memberships.json", None).await;
    let agent_path = format!("/api/v2/users/{ZENDESK_AGENT_ID}.json");
    let agent_before = send(&first, Method::GET, &agent_path, None).await;
    assert_eq!(agent_before["user"]["default_group_id"], 40002);

    let second = start(&dir).await;
    let memberships_after =
        send(&second, Method::GET, "/api/v2/group_memberships.json", None).await;
    assert_eq!(memberships_after, memberships_before);
    assert_eq!(memberships_after["count"], 3);
    assert_eq!(
        send(&second, Method::GET, &agent_path, None).await,
        agent_before
    );
    let next = send(
        &second,
        Method::POST,
        "/api/v2/group_memberships.json",
        Some(json!({"group_membership": {"user_id": ZENDESK_AGENT_ID, "group_id": 40003}})),
    )
    .await;
    let created_id = created["group_membership"]["id"].as_u64().expect("an id");
    assert_eq!(next["group_membership"]["id"], created_id + 1);
    drop(second);

    // A directory written before the account kept memberships gets the demo ones.
    let connection =
        rusqlite::Connection::open(dir.join("zendesk.sqlite3")).expect("the database opens");
    connection
        .execute_batch(
            "DELETE FROM memberships; DELETE FROM counters WHERE name = 'next_membership_id';",
        )
        .expect("the memberships go");
    drop(connection);
    let third = start(&dir).await;
    let seeded = send(&third, Method::GET, "/api/v2/group_memberships.json", None).await;
    assert_eq!(seeded["count"], 2);
    assert_eq!(seeded["group_memberships"][0]["group_id"], 40001);
    let _ = std::fs::remove_dir_all(&dir);
}
