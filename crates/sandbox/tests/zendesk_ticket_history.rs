//! A Zendesk ticket's history over real HTTP: soft deletes, restores and permanent deletes, the
//! audits every create and update records, and the time-based incremental export. Each case is a
//! request and what the reply must hold, read by JSON pointer.

mod common;

use reqwest::Method;
use serde_json::{json, Value};

use crate::common::zendesk::{
    check, delete, get, ids, post, put, send, ADMIN, AGENT, END_USER, NOT_FOUND,
};
use crate::common::{OrderedKeys, Sandbox, ZENDESK_ADMIN_ID};

async fn delete_ticket(sandbox: &Sandbox, ticket_id: u64) {
    let path = format!("/api/v2/tickets/{ticket_id}.json");
    let reply = send(sandbox, Method::DELETE, ADMIN, &path, None).await;
    assert_eq!(reply.status.as_u16(), 204, "{path}: {}", reply.text);
}

async fn create_ticket(sandbox: &Sandbox, subject: &str) -> Value {
    check(
        sandbox,
        post(ADMIN, "/api/v2/tickets.json"),
        Some(json!({"ticket": {"subject": subject, "comment": {"body": "Help"}}})),
        201,
        &[],
    )
    .await
}

#[tokio::test]
async fn a_deleted_ticket_leaves_for_the_deleted_tickets() {
    let sandbox = Sandbox::start_zendesk().await;
    let created = create_ticket(&sandbox, "Short-lived").await;
    let ticket_id = created["ticket"]["id"].as_u64().expect("an id");
    let ticket_path = format!("/api/v2/tickets/{ticket_id}.json");
    delete_ticket(&sandbox, ticket_id).await;

    let gone = send(&sandbox, Method::GET, ADMIN, &ticket_path, None).await;
    assert_eq!((gone.status.as_u16(), gone.text.as_str()), (404, NOT_FOUND));
    let tickets = check(&sandbox, get(ADMIN, "/api/v2/tickets.json"), None, 200, &[]).await;
    assert!(!ids(&tickets, "tickets").contains(&ticket_id));
    let again = send(&sandbox, Method::DELETE, ADMIN, &ticket_path, None).await;
    assert_eq!(again.status.as_u16(), 404);

    let deleted = check(
        &sandbox,
        get(AGENT, "/api/v2/deleted_tickets.json"),
        None,
        200,
        &[
            ("/deleted_tickets/0/id", json!(ticket_id)),
            ("/deleted_tickets/0/subject", json!("Short-lived")),
            ("/deleted_tickets/0/actor/id", json!(ZENDESK_ADMIN_ID)),
            ("/deleted_tickets/0/actor/name", json!("Ada Admin")),
            ("/deleted_tickets/0/previous_state", json!("new")),
            ("/count", json!(1)),
            ("/next_page", Value::Null),
        ],
    )
    .await;
    assert!(deleted["deleted_tickets"][0]["deleted_at"].is_string());
    check(
        &sandbox,
        get(END_USER, "/api/v2/deleted_tickets.json"),
        None,
        403,
        &[],
    )
    .await;
}

#[tokio::test]
async fn a_restored_ticket_is_back_as_it_was() {
    let sandbox = Sandbox::start_zendesk().await;
    delete_ticket(&sandbox, 3).await;
    let restored = send(
        &sandbox,
        Method::PUT,
        AGENT,
        "/api/v2/deleted_tickets/3/restore.json",
        None,
    )
    .await;
    assert_eq!(
        (restored.status.as_u16(), restored.text.as_str()),
        (200, "{}")
    );
    check(
        &sandbox,
        get(ADMIN, "/api/v2/tickets/3.json"),
        None,
        200,
        &[
            ("/ticket/status", json!("open")),
            ("/ticket/subject", json!("Laptop battery drains quickly")),
        ],
    )
    .await;
    check(
        &sandbox,
        get(ADMIN, "/api/v2/deleted_tickets.json"),
        None,
        200,
        &[("/count", json!(0))],
    )
    .await;
    for path in [
        "/api/v2/deleted_tickets/3/restore.json",
        "/api/v2/deleted_tickets/999/restore.json",
    ] {
        let reply = send(&sandbox, Method::PUT, ADMIN, path, None).await;
        assert_eq!(
            (reply.status.as_u16(), reply.text.as_str()),
            (404, NOT_FOUND),
            "{path}"
        );
    }

    // Many at once; ids of no deleted ticket are skipped.
    check(
        &sandbox,
        delete(ADMIN, "/api/v2/tickets/destroy_many.json?ids=4,5"),
        None,
        200,
        &[],
    )
    .await;
    let deleted = check(
        &sandbox,
        get(ADMIN, "/api/v2/deleted_tickets.json"),
        None,
        200,
        &[],
    )
    .await;
    assert_eq!(ids(&deleted, "deleted_tickets"), vec![4, 5]);
    let restored = send(
        &sandbox,
        Method::PUT,
        ADMIN,
        "/api/v2/deleted_tickets/restore_many.json?ids=4,5,999",
        None,
    )
    .await;
    assert_eq!(
        (restored.status.as_u16(), restored.text.as_str()),
        (200, "{}")
    );
    for path in ["/api/v2/tickets/4.json", "/api/v2/tickets/5.json"] {
        check(&sandbox, get(ADMIN, path), None, 200, &[]).await;
    }
    check(
        &sandbox,
        put(END_USER, "/api/v2/deleted_tickets/4/restore.json"),
        None,
        403,
        &[],
    )
    .await;
}

#[tokio::test]
async fn a_permanent_delete_is_a_job_and_final() {
    let sandbox = Sandbox::start_zendesk().await;
    delete_ticket(&sandbox, 6).await;
    let job = check(
        &sandbox,
        delete(AGENT, "/api/v2/deleted_tickets/6.json"),
        None,
        200,
        &[
            ("/job_status/status", json!("queued")),
            ("/job_status/total", Value::Null),
            ("/job_status/results", Value::Null),
        ],
    )
    .await;
    // As recorded: no `job_type`, and completed with `{"success": true}`.
    assert!(job["job_status"].get("job_type").is_none(), "{job}");
    let job_path = format!(
        "/api/v2/job_statuses/{}.json",
        job["job_status"]["id"].as_str().expect("a job id")
    );
    check(
        &sandbox,
        get(ADMIN, &job_path),
        None,
        200,
        &[
            ("/job_status/status", json!("completed")),
            ("/job_status/results", json!({"success": true})),
        ],
    )
    .await;
    for (method, path) in [
        (Method::PUT, "/api/v2/deleted_tickets/6/restore.json"),
        (Method::DELETE, "/api/v2/deleted_tickets/6.json"),
        // Only soft-deleted tickets can be deleted for good.
        (Method::DELETE, "/api/v2/deleted_tickets/7.json"),
    ] {
        let reply = send(&sandbox, method.clone(), ADMIN, path, None).await;
        assert_eq!(
            (reply.status.as_u16(), reply.text.as_str()),
            (404, NOT_FOUND),
            "{method} {path}"
        );
    }

    // Many at once.
    delete_ticket(&sandbox, 8).await;
    delete_ticket(&sandbox, 9).await;
    check(
        &sandbox,
        delete(ADMIN, "/api/v2/deleted_tickets/destroy_many.json?ids=8,9"),
        None,
        200,
        &[("/job_status/total", json!(2))],
    )
    .await;
    check(
        &sandbox,
        get(ADMIN, "/api/v2/deleted_tickets.json"),
        None,
        200,
        &[("/count", json!(0))],
    )
    .await;
    let too_many: Vec<String> = (1..=101).map(|id| id.to_string()).collect();
    check(
        &sandbox,
        delete(
            ADMIN,
            &format!(
                "/api/v2/deleted_tickets/destroy_many.json?ids={}",
                too_many.join(",")
            ),
        ),
        None,
        400,
        &[("/error", json!("TooManyValues"))],
    )
    .await;
}

#[tokio::test]
async fn deleted_tickets_page_and_sort() {
    let sandbox = Sandbox::start_zendesk().await;
    for ticket_id in [2, 3, 1] {
        delete_ticket(&sandbox, ticket_id).await;
    }
    let check_order = |query: &'static str, expected: Vec<u64>| {
        let sandbox = &sandbox;
        async move {
            let path = format!("/api/v2/deleted_tickets.json{query}");
            let list = check(sandbox, get(ADMIN, &path), None, 200, &[]).await;
            assert_eq!(ids(&list, "deleted_tickets"), expected, "{query}");
            list
        }
    };
    check_order("", vec![1, 2, 3]).await;
    check_order("?sort_order=desc", vec![3, 2, 1]).await;
    let first = check_order("?page=1&per_page=2", vec![1, 2]).await;
    assert_eq!(
        first["next_page"],
        format!(
            "{}/api/v2/deleted_tickets.json?page=2&per_page=2",
            sandbox.url
        )
    );
    let first = check_order("?page[size]=2", vec![1, 2]).await;
    assert_eq!(first["meta"]["has_more"], true);
    let next = first["links"]["next"].as_str().expect("a next link");
    let second = sandbox.send(sandbox.client().get(next), ADMIN).await.json();
    assert_eq!(ids(&second, "deleted_tickets"), vec![3]);
    assert_eq!(second["meta"]["has_more"], false);
}

#[tokio::test]
async fn creates_and_updates_are_audited() {
    let sandbox = Sandbox::start_zendesk().await;
    let created = create_ticket(&sandbox, "Audited").await;
    let ticket_id = created["ticket"]["id"].as_u64().expect("an id");
    let audits_path = format!("/api/v2/tickets/{ticket_id}/audits.json");
    let audits = check(
        &sandbox,
        get(AGENT, &audits_path),
        None,
        200,
        &[
            ("/count", json!(1)),
            ("/audits/0/ticket_id", json!(ticket_id)),
            ("/audits/0/author_id", json!(ZENDESK_ADMIN_ID)),
            ("/audits/0/events/0/type", json!("Comment")),
            ("/audits/0/events/0/body", json!("Help")),
            ("/audits/0/events/1/type", json!("Create")),
            ("/audits/0/events/1/field_name", json!("subject")),
            ("/audits/0/events/1/value", json!("Audited")),
            ("/audits/0/via/channel", json!("api")),
        ],
    )
    .await;
    // The list holds the audit the create answered with.
    assert_eq!(audits["audits"][0], created["audit"]);

    let updated = check(
        &sandbox,
        put(ADMIN, &format!("/api/v2/tickets/{ticket_id}.json")),
        Some(json!({"ticket": {"status": "open", "comment": {"body": "On it", "public": false}}})),
        200,
        &[],
    )
    .await;
    let audit_id = updated["audit"]["id"].as_u64().expect("an audit id");
    let audit = check(
        &sandbox,
        get(
            AGENT,
            &format!("/api/v2/tickets/{ticket_id}/audits/{audit_id}.json"),
        ),
        None,
        200,
        &[
            ("/audit/events/0/type", json!("Comment")),
            ("/audit/events/0/public", json!(false)),
            ("/audit/events/1/type", json!("Change")),
            ("/audit/events/1/field_name", json!("status")),
            ("/audit/events/1/value", json!("open")),
            ("/audit/events/1/previous_value", json!("new")),
        ],
    )
    .await;
    assert_eq!(audit["audit"], updated["audit"]);
    // An update that changes nothing leaves no audit.
    check(
        &sandbox,
        put(ADMIN, &format!("/api/v2/tickets/{ticket_id}.json")),
        Some(json!({"ticket": {"status": "open"}})),
        200,
        &[],
    )
    .await;
    check(
        &sandbox,
        get(
            AGENT,
            &format!("/api/v2/tickets/{ticket_id}/audits/count.json"),
        ),
        None,
        200,
        &[("/count/value", json!(2))],
    )
    .await;
    for path in [
        format!("/api/v2/tickets/{ticket_id}/audits/1.json"),
        format!("/api/v2/tickets/1/audits/{audit_id}.json"),
        "/api/v2/tickets/999/audits.json".to_owned(),
    ] {
        check(&sandbox, get(AGENT, &path), None, 404, &[]).await;
    }
    check(&sandbox, get(END_USER, &audits_path), None, 403, &[]).await;
}

#[tokio::test]
async fn the_audit_list_pages_by_cursor_for_admins() {
    let sandbox = Sandbox::start_zendesk().await;
    // The seeded ticket 1 plays Zendesk's sample ticket: made by the account itself, so without a
    // client, then given its type and priority (recorded `TestTicketAudits`).
    let first = check(
        &sandbox,
        get(ADMIN, "/api/v2/ticket_audits.json?page[size]=2"),
        None,
        200,
        &[
            ("/audits/0/ticket_id", json!(1)),
            ("/audits/0/metadata/system", json!({})),
            ("/audits/0/events/0/type", json!("Comment")),
            ("/audits/1/ticket_id", json!(1)),
            ("/audits/1/events/0/type", json!("Change")),
            ("/audits/1/events/0/field_name", json!("type")),
            ("/meta/has_more", json!(true)),
        ],
    )
    .await;
    let next = first["links"]["next"].as_str().expect("a next link");
    let second = sandbox.send(sandbox.client().get(next), ADMIN).await.json();
    assert_eq!(second["audits"][0]["ticket_id"], 2);
    assert!(second["audits"][0]["metadata"]["system"]["client"].is_string());
    // Without paging parameters the list is still cursor-paged, 100 at a time.
    let all = check(
        &sandbox,
        get(ADMIN, "/api/v2/ticket_audits.json"),
        None,
        200,
        &[("/meta/has_more", json!(false))],
    )
    .await;
    let n_audits = all["audits"].as_array().expect("audits").len();
    // Soft-deleted tickets' audits leave the list with them.
    delete_ticket(&sandbox, 2).await;
    let after_delete = check(
        &sandbox,
        get(ADMIN, "/api/v2/ticket_audits.json"),
        None,
        200,
        &[],
    )
    .await;
    assert_eq!(
        after_delete["audits"].as_array().expect("audits").len(),
        n_audits - 1
    );
    check(
        &sandbox,
        get(AGENT, "/api/v2/ticket_audits.json"),
        None,
        403,
        &[],
    )
    .await;
}

#[tokio::test]
async fn the_time_export_walks_by_second_to_the_end_of_the_stream() {
    let sandbox = Sandbox::start_zendesk().await;
    let first = check(
        &sandbox,
        get(
            ADMIN,
            "/api/v2/incremental/tickets.json?start_time=0&per_page=1",
        ),
        None,
        200,
        &[
            ("/count", json!(1)),
            ("/tickets/0/id", json!(1)),
            ("/end_of_stream", json!(false)),
        ],
    )
    .await;
    let text = send(
        &sandbox,
        Method::GET,
        ADMIN,
        "/api/v2/incremental/tickets.json?start_time=0&per_page=1",
        None,
    )
    .await
    .text;
    let keys: OrderedKeys = serde_json::from_str(&text).expect("an object");
    assert_eq!(
        keys.0,
        ["tickets", "count", "end_of_stream", "next_page", "end_time"]
    );
    // A page of one second moves past it.
    let generated = first["tickets"][0]["generated_timestamp"]
        .as_i64()
        .expect("a time");
    assert_eq!(first["end_time"], generated + 1);
    assert_eq!(
        first["next_page"],
        format!(
            "{}/api/v2/incremental/tickets.json?per_page=1&start_time={}",
            sandbox.url,
            generated + 1
        )
    );
    let mut exported = vec![1];
    let mut page = first;
    while page["end_of_stream"] == false {
        let next = page["next_page"].as_str().expect("a next page");
        page = sandbox.send(sandbox.client().get(next), ADMIN).await.json();
        exported.extend(ids(&page, "tickets"));
    }
    assert_eq!(exported, (1..=12).collect::<Vec<u64>>());
    // The end of the stream stays on its last second, for the next run.
    let last = page["tickets"][0]["generated_timestamp"]
        .as_i64()
        .expect("a time");
    assert_eq!(page["end_time"], last);

    // A soft-deleted ticket comes again, last, as `deleted`; both exports show it.
    delete_ticket(&sandbox, 2).await;
    for path in [
        "/api/v2/incremental/tickets.json?start_time=0",
        "/api/v2/incremental/tickets/cursor.json?start_time=0",
    ] {
        let export = check(&sandbox, get(ADMIN, path), None, 200, &[]).await;
        let tickets = export["tickets"].as_array().expect("tickets");
        let last = tickets.last().expect("tickets");
        assert_eq!(
            (&last["id"], &last["status"]),
            (&json!(2), &json!("deleted")),
            "{path}"
        );
        assert_eq!(tickets.len(), 12, "{path}");
    }
}

#[tokio::test]
async fn the_time_export_refuses_what_it_cannot_read() {
    let sandbox = Sandbox::start_zendesk().await;
    for path in [
        "/api/v2/incremental/tickets.json",
        "/api/v2/incremental/tickets.json?start_time=yesterday",
        "/api/v2/incremental/tickets.json?start_time=0&per_page=0",
        "/api/v2/incremental/tickets.json?start_time=0&per_page=1001",
    ] {
        check(
            &sandbox,
            get(ADMIN, path),
            None,
            400,
            &[("/error", json!("InvalidValue"))],
        )
        .await;
    }
    // Admins only.
    check(
        &sandbox,
        get(AGENT, "/api/v2/incremental/tickets.json?start_time=0"),
        None,
        403,
        &[],
    )
    .await;
}
