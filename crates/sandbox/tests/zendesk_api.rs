//! The Zendesk account over real HTTP: every case is a request and what the reply must hold, read
//! by JSON pointer, so a new case is one line.

mod common;

use reqwest::Method;
use serde_json::{json, Value};

use crate::common::zendesk::{check, delete, get, ids, post, put, send, ADMIN, AGENT, END_USER};
use crate::common::{Sandbox, ZENDESK_ADMIN_ID, ZENDESK_AGENT_ID, ZENDESK_USER_ID};

const FORBIDDEN: &str = "You do not have access to this page. Please contact the account owner of this help desk for further help.";

#[tokio::test]
async fn sign_in_takes_the_api_token_only() {
    let sandbox = Sandbox::start_zendesk().await;
    let unauthenticated = [("/error", json!("Couldn't authenticate you"))];
    check(
        &sandbox,
        get(None, "/api/v2/tickets.json"),
        None,
        401,
        &unauthenticated,
    )
    .await;
    for wrong in [
        ("admin@example.com/token", "wrong-token"),
        ("nobody@example.com/token", "sandbox-token"),
        ("admin@example.com", "sandbox-token"),
    ] {
        check(
            &sandbox,
            get(Some(wrong), "/api/v2/tickets.json"),
            None,
            401,
            &unauthenticated,
        )
        .await;
    }
    let reply = sandbox
        .send(
            sandbox
                .client()
                .get(format!("{}/api/v2/tickets.json", sandbox.url))
                .bearer_auth("not-issued"),
            None,
        )
        .await;
    assert_eq!(reply.status.as_u16(), 401);
    assert_eq!(reply.json()["error"], "invalid_token");

    check(
        &sandbox,
        get(ADMIN, "/api/v2/users/me.json"),
        None,
        200,
        &[
            ("/user/id", json!(ZENDESK_ADMIN_ID)),
            ("/user/role", json!("admin")),
        ],
    )
    .await;
    check(
        &sandbox,
        get(END_USER, "/api/v2/users/me"),
        None,
        200,
        &[
            ("/user/id", json!(ZENDESK_USER_ID)),
            ("/user/role", json!("end-user")),
        ],
    )
    .await;
    // "Allowed For: Anonymous users": no credentials describe the anonymous user.
    check(
        &sandbox,
        get(None, "/api/v2/users/me.json"),
        None,
        200,
        &[
            ("/user/id", Value::Null),
            ("/user/name", json!("Anonymous user")),
        ],
    )
    .await;
    check(
        &sandbox,
        get(
            Some(("admin@example.com/token", "x")),
            "/api/v2/users/me.json",
        ),
        None,
        401,
        &unauthenticated,
    )
    .await;
}

#[tokio::test]
async fn end_users_are_kept_out_of_the_agent_apis() {
    let sandbox = Sandbox::start_zendesk().await;
    let forbidden = [
        ("/error", json!("Forbidden")),
        ("/description", json!(FORBIDDEN)),
    ];
    for path in [
        "/api/v2/tickets.json",
        "/api/v2/tickets/1.json",
        "/api/v2/tickets/show_many.json?ids=1,2",
        "/api/v2/tickets/1/comments.json",
        "/api/v2/search.json?query=type%3Aticket",
        "/api/v2/users/search.json?query=ada",
        "/api/v2/users.json",
        "/api/v2/users/10001.json",
        "/api/v2/users/10003/tickets/requested.json",
        "/api/v2/groups.json",
        "/api/v2/groups/assignable.json",
        "/api/v2/groups/40001.json",
    ] {
        check(&sandbox, get(END_USER, path), None, 403, &forbidden).await;
    }
    let create = json!({"ticket": {"subject": "Mine", "comment": {"body": "Help"}}});
    check(
        &sandbox,
        post(END_USER, "/api/v2/tickets.json"),
        Some(create),
        403,
        &forbidden,
    )
    .await;
    check(
        &sandbox,
        delete(END_USER, "/api/v2/tickets/1.json"),
        None,
        403,
        &forbidden,
    )
    .await;
    // End users may read their own profile.
    check(
        &sandbox,
        get(END_USER, "/api/v2/users/10003.json"),
        None,
        200,
        &[("/user/email", json!("user@example.com"))],
    )
    .await;
}

#[tokio::test]
async fn tickets_are_created_shown_updated_and_deleted() {
    let sandbox = Sandbox::start_zendesk().await;
    check(
        &sandbox,
        get(ADMIN, "/api/v2/tickets/1.json"),
        None,
        200,
        &[
            ("/ticket/id", json!(1)),
            ("/ticket/subject", json!("Printer on fire")),
            ("/ticket/status", json!("new")),
            ("/ticket/priority", json!("urgent")),
            ("/ticket/requester_id", json!(ZENDESK_USER_ID)),
        ],
    )
    .await;
    let not_found = [
        ("/error", json!("RecordNotFound")),
        ("/description", json!("Not found")),
    ];
    for path in ["/api/v2/tickets/999.json", "/api/v2/tickets/abc.json"] {
        check(&sandbox, get(ADMIN, path), None, 404, &not_found).await;
    }

    let created = send(
        &sandbox,
        Method::POST,
        ADMIN,
        "/api/v2/tickets.json",
        Some(json!({"ticket": {
            "subject": "Projector", "comment": {"body": "No signal"}, "priority": "high",
            "type": "incident", "tags": ["av"], "external_id": "flare-1",
            "requester": {"name": "New Person", "email": "new.person@example.com"}
        }})),
    )
    .await;
    assert_eq!(created.status.as_u16(), 201, "{}", created.text);
    let ticket = &created.json()["ticket"];
    let ticket_id = ticket["id"].as_u64().expect("an id");
    assert_eq!(ticket_id, 13, "after the twelve seeded tickets");
    assert_eq!(
        created.header("location"),
        Some(format!("{}/api/v2/tickets/13.json", sandbox.url).as_str())
    );
    assert_eq!(
        created.header("content-type"),
        Some("application/json; charset=utf-8")
    );
    assert_eq!(ticket["description"], "No signal");
    assert_eq!(ticket["via"]["channel"], "api");
    assert_eq!(ticket["submitter_id"], ZENDESK_ADMIN_ID);
    assert_eq!(created.json()["audit"]["events"][0]["type"], "Comment");
    let requester_id = ticket["requester_id"].as_u64().expect("a requester");
    check(
        &sandbox,
        get(ADMIN, &format!("/api/v2/users/{requester_id}.json")),
        None,
        200,
        &[
            ("/user/role", json!("end-user")),
            ("/user/name", json!("New Person")),
        ],
    )
    .await;

    // An update with a private comment; `description` and `id` are not changed, as recorded.
    let update = json!({"ticket": {
        "id": 13, "description": "ignored", "status": "pending", "assignee_id": ZENDESK_AGENT_ID,
        "comment": {"body": "Checked the cable", "public": false}
    }});
    let updated = send(
        &sandbox,
        Method::PUT,
        AGENT,
        "/api/v2/tickets/13.json",
        Some(update),
    )
    .await;
    assert_eq!(updated.status.as_u16(), 200, "{}", updated.text);
    assert_eq!(updated.json()["ticket"]["status"], "pending");
    assert_eq!(updated.json()["ticket"]["description"], "No signal");
    assert!(
        updated
            .header("x-zendesk-api-warn")
            .is_some_and(|warning| warning.contains(r#":unpermitted_keys=>["ticket.id"]"#)),
        "{:?}",
        updated.headers
    );
    let comments = check(
        &sandbox,
        get(ADMIN, "/api/v2/tickets/13/comments.json"),
        None,
        200,
        &[
            ("/count", json!(2)),
            ("/comments/0/public", json!(true)),
            ("/comments/1/public", json!(false)),
            ("/comments/1/body", json!("Checked the cable")),
            ("/comments/1/author_id", json!(ZENDESK_AGENT_ID)),
        ],
    )
    .await;
    assert_eq!(comments["next_page"], Value::Null);

    // Agents without the permission may not delete; admins may, once.
    let forbidden = [("/error", json!("Forbidden"))];
    check(
        &sandbox,
        delete(AGENT, "/api/v2/tickets/13.json"),
        None,
        403,
        &forbidden,
    )
    .await;
    let deleted = send(
        &sandbox,
        Method::DELETE,
        ADMIN,
        "/api/v2/tickets/13.json",
        Some(json!({"ticket": {"id": 13}})),
    )
    .await;
    assert_eq!(deleted.status.as_u16(), 204);
    assert!(deleted.text.is_empty());
    check(
        &sandbox,
        delete(ADMIN, "/api/v2/tickets/13.json"),
        None,
        404,
        &not_found,
    )
    .await;
    check(
        &sandbox,
        get(ADMIN, "/api/v2/tickets/13"),
        None,
        404,
        &not_found,
    )
    .await;
}

/// Comments added by ticket updates keep the visibility they were given: `public` is "true if a
/// public comment; false if an internal note" (Zendesk's Ticket Comments reference, "JSON format";
/// the stored `tickets.yml` only types it as a boolean). Only agents may list comments
/// (ListTicketComments, "Allowed For: Agents"), so the requester, an end user, reads none of them
/// through the Tickets API, internal notes included.
#[tokio::test]
async fn update_comments_keep_their_visibility() {
    let sandbox = Sandbox::start_zendesk().await;
    let created = check(
        &sandbox,
        post(AGENT, "/api/v2/tickets.json"),
        Some(json!({"ticket": {
            "subject": "VPN drops", "comment": {"body": "The VPN drops every hour"},
            "requester_id": ZENDESK_USER_ID
        }})),
        201,
        &[
            ("/ticket/requester_id", json!(ZENDESK_USER_ID)),
            ("/ticket/is_public", json!(true)),
        ],
    )
    .await;
    let ticket_id = created["ticket"]["id"].as_u64().expect("an id");
    let ticket_path = format!("/api/v2/tickets/{ticket_id}.json");
    let comments_path = format!("/api/v2/tickets/{ticket_id}/comments.json");

    let updates = [
        (
            json!({"body": "Please reinstall the client", "public": true}),
            true,
        ),
        (json!({"body": "Did that help?"}), true),
        (
            json!({"body": "Known issue, see PRB-12", "public": false}),
            false,
        ),
    ];
    for (comment, public) in updates {
        check(
            &sandbox,
            put(AGENT, &ticket_path),
            Some(json!({"ticket": {"comment": comment}})),
            200,
            &[
                ("/audit/events/0/type", json!("Comment")),
                ("/audit/events/0/public", json!(public)),
            ],
        )
        .await;
    }
    for reader in [AGENT, ADMIN] {
        check(
            &sandbox,
            get(reader, &comments_path),
            None,
            200,
            &[
                ("/count", json!(4)),
                ("/comments/0/public", json!(true)),
                ("/comments/1/body", json!("Please reinstall the client")),
                ("/comments/1/public", json!(true)),
                ("/comments/2/body", json!("Did that help?")),
                ("/comments/2/public", json!(true)),
                ("/comments/3/body", json!("Known issue, see PRB-12")),
                ("/comments/3/public", json!(false)),
                ("/comments/3/author_id", json!(ZENDESK_AGENT_ID)),
            ],
        )
        .await;
    }
    // The internal note changes neither the description nor the ticket's visibility.
    check(
        &sandbox,
        get(AGENT, &ticket_path),
        None,
        200,
        &[
            ("/ticket/description", json!("The VPN drops every hour")),
            ("/ticket/is_public", json!(true)),
        ],
    )
    .await;

    // The requester is refused every way to the comments, the internal note's among them.
    let forbidden = [
        ("/error", json!("Forbidden")),
        ("/description", json!(FORBIDDEN)),
    ];
    for path in [
        comments_path.clone(),
        ticket_path.clone(),
        format!("/api/v2/tickets/{ticket_id}/audits.json"),
        "/api/v2/search.json?query=PRB-12".to_owned(),
    ] {
        check(&sandbox, get(END_USER, &path), None, 403, &forbidden).await;
    }
}

/// A comment sent without `public` is as public as the ticket's first one: "The initial value set
/// on ticket creation persists for any additional comment unless you change it" (Zendesk's Ticket
/// Comments reference). A ticket created with an internal note stays private until a comment says
/// otherwise.
#[tokio::test]
async fn comments_without_public_follow_the_first_comment() {
    let sandbox = Sandbox::start_zendesk().await;
    let created = check(
        &sandbox,
        post(AGENT, "/api/v2/tickets.json"),
        Some(json!({"ticket": {
            "subject": "Badge reader", "requester_id": ZENDESK_USER_ID,
            "comment": {"body": "Opened for the requester", "public": false}
        }})),
        201,
        &[
            ("/ticket/is_public", json!(false)),
            ("/audit/events/0/public", json!(false)),
        ],
    )
    .await;
    let ticket_id = created["ticket"]["id"].as_u64().expect("an id");
    let ticket_path = format!("/api/v2/tickets/{ticket_id}.json");
    for (comment, public) in [
        (json!({"body": "Still investigating"}), false),
        (json!("A plain string comment"), false),
        (
            json!({"body": "We replaced the reader", "public": true}),
            true,
        ),
        (json!({"body": "Closing note"}), false),
    ] {
        check(
            &sandbox,
            put(AGENT, &ticket_path),
            Some(json!({"ticket": {"comment": comment}})),
            200,
            &[("/audit/events/0/public", json!(public))],
        )
        .await;
    }
    let comments = check(
        &sandbox,
        get(AGENT, &format!("/api/v2/tickets/{ticket_id}/comments.json")),
        None,
        200,
        &[("/count", json!(5))],
    )
    .await;
    let visibility: Vec<&Value> = comments["comments"]
        .as_array()
        .expect("comments")
        .iter()
        .map(|comment| &comment["public"])
        .collect();
    assert_eq!(visibility, [false, false, false, true, false]);
}

#[tokio::test]
async fn invalid_tickets_answer_record_invalid() {
    let sandbox = Sandbox::start_zendesk().await;
    let cases = [
        (
            json!({"subject": "No text"}),
            "/details/base/0/description",
            "Description: cannot be blank",
        ),
        (
            json!({"comment": {"body": "x"}, "status": "lost"}),
            "/details/status/0/description",
            "Status: lost is not a valid status",
        ),
        (
            json!({"comment": {"body": "x"}, "priority": "p0"}),
            "/details/priority/0/description",
            "Priority: p0 is not a valid priority",
        ),
        (
            json!({"comment": {"body": "x"}, "assignee_id": ZENDESK_USER_ID}),
            "/details/assignee/0/description",
            "Assignee: is invalid",
        ),
        (
            json!({"comment": {"body": "x"}, "requester_id": 424242}),
            "/details/requester/0/description",
            "Requester: is invalid",
        ),
        (
            json!({"comment": {"body": "x"}, "status": "solved"}),
            "/details/base/0/description",
            "Assignee: is required when solving a ticket",
        ),
    ];
    for (ticket, pointer, description) in cases {
        check(
            &sandbox,
            post(ADMIN, "/api/v2/tickets.json"),
            Some(json!({ "ticket": ticket })),
            422,
            &[
                ("/error", json!("RecordInvalid")),
                ("/description", json!("Record validation errors")),
                (pointer, json!(description)),
            ],
        )
        .await;
    }
    // Closed tickets are read-only (seeded tickets 11 and 12 are closed).
    check(
        &sandbox,
        put(ADMIN, "/api/v2/tickets/11.json"),
        Some(json!({"ticket": {"comment": {"body": "Reopen please"}}})),
        422,
        &[(
            "/details/status/0/description",
            json!("Status closed prevents ticket update"),
        )],
    )
    .await;
    // A new ticket that gets an assignee becomes open.
    check(
        &sandbox,
        put(ADMIN, "/api/v2/tickets/1.json"),
        Some(json!({"ticket": {"assignee_id": ZENDESK_AGENT_ID}})),
        200,
        &[
            ("/ticket/status", json!("open")),
            ("/audit/events/0/field_name", json!("assignee_id")),
        ],
    )
    .await;
    check(
        &sandbox,
        post(ADMIN, "/api/v2/tickets.json"),
        Some(json!({"subject": "no envelope"})),
        400,
        &[],
    )
    .await;
}

#[tokio::test]
async fn show_many_and_bulk_jobs() {
    let sandbox = Sandbox::start_zendesk().await;
    let shown = check(
        &sandbox,
        get(ADMIN, "/api/v2/tickets/show_many.json?ids=5,3,999,1"),
        None,
        200,
        &[("/count", json!(3)), ("/next_page", Value::Null)],
    )
    .await;
    assert_eq!(
        ids(&shown, "tickets"),
        vec![1, 3, 5],
        "id order, unknown ids left out"
    );
    let many_ids: Vec<String> = (1..=101).map(|id| id.to_string()).collect();
    check(
        &sandbox,
        get(
            ADMIN,
            &format!("/api/v2/tickets/show_many.json?ids={}", many_ids.join(",")),
        ),
        None,
        400,
        &[
            ("/error", json!("TooManyValues")),
            ("/max_count", json!(100)),
        ],
    )
    .await;

    let too_many: Vec<Value> = (0..101)
        .map(|_| json!({"subject": "test", "description": "test"}))
        .collect();
    check(
        &sandbox,
        post(ADMIN, "/api/v2/tickets/create_many.json"),
        Some(json!({ "tickets": too_many })),
        400,
        &[
            ("/error", json!("TooManyValues")),
            (
                "/description",
                json!("Parameter  cannot specify more than 100 values"),
            ),
        ],
    )
    .await;

    let two = json!({"tickets": [{"subject": "a", "description": "a"}, {"subject": "b", "description": "b"}]});
    let queued = check(
        &sandbox,
        post(ADMIN, "/api/v2/tickets/create_many.json"),
        Some(two),
        200,
        &[
            ("/job_status/status", json!("queued")),
            ("/job_status/total", json!(2)),
            ("/job_status/results", Value::Null),
        ],
    )
    .await;
    let job_id = queued["job_status"]["id"]
        .as_str()
        .expect("a job id")
        .to_owned();
    assert!(job_id.starts_with("V3-") && job_id.len() == 35, "{job_id}");
    check(
        &sandbox,
        get(ADMIN, &format!("/api/v2/job_statuses/{job_id}.json")),
        None,
        200,
        &[
            ("/job_status/status", json!("completed")),
            ("/job_status/progress", json!(2)),
            ("/job_status/results/0/index", json!(0)),
            ("/job_status/results/0/id", json!(13)),
            ("/job_status/results/1/id", json!(14)),
        ],
    )
    .await;
    check(
        &sandbox,
        get(ADMIN, "/api/v2/job_statuses/V3-nope.json"),
        None,
        404,
        &[("/error", json!("RecordNotFound"))],
    )
    .await;

    // update_many: each ticket its own change, or one change for `ids`.
    let each = json!({"tickets": [{"id": 13, "subject": "A"}, {"id": 14, "priority": "low"}]});
    let queued = check(
        &sandbox,
        put(ADMIN, "/api/v2/tickets/update_many.json"),
        Some(each),
        200,
        &[],
    )
    .await;
    let job_id = queued["job_status"]["id"]
        .as_str()
        .expect("a job id")
        .to_owned();
    check(
        &sandbox,
        get(ADMIN, &format!("/api/v2/job_statuses/{job_id}")),
        None,
        200,
        &[
            ("/job_status/results/0/action", json!("update")),
            ("/job_status/results/0/status", json!("Updated")),
            ("/job_status/results/0/success", json!(true)),
            ("/job_status/results/1/id", json!(14)),
        ],
    )
    .await;
    let same = json!({"ticket": {"status": "open"}});
    check(
        &sandbox,
        put(ADMIN, "/api/v2/tickets/update_many.json?ids=13,14"),
        Some(same),
        200,
        &[],
    )
    .await;
    check(
        &sandbox,
        get(ADMIN, "/api/v2/tickets/13.json"),
        None,
        200,
        &[
            ("/ticket/subject", json!("A")),
            ("/ticket/status", json!("open")),
        ],
    )
    .await;
    check(
        &sandbox,
        get(ADMIN, "/api/v2/tickets/14.json"),
        None,
        200,
        &[
            ("/ticket/priority", json!("low")),
            ("/ticket/status", json!("open")),
        ],
    )
    .await;

    let destroyed = send(
        &sandbox,
        Method::DELETE,
        ADMIN,
        "/api/v2/tickets/destroy_many.json?ids=13,14",
        Some(json!({"tickets": [{"id": 13}]})),
    )
    .await;
    assert_eq!(destroyed.status.as_u16(), 200, "{}", destroyed.text);
    assert_eq!(destroyed.json()["job_status"]["status"], "queued");
    assert!(destroyed
        .header("x-zendesk-api-warn")
        .is_some_and(|warning| warning.contains(r#"["tickets"]"#)));
    check(
        &sandbox,
        get(ADMIN, "/api/v2/tickets/14.json"),
        None,
        404,
        &[],
    )
    .await;
    check(
        &sandbox,
        delete(AGENT, "/api/v2/tickets/destroy_many.json?ids=1"),
        None,
        403,
        &[],
    )
    .await;
}

#[tokio::test]
async fn lists_page_by_offset_and_by_cursor() {
    let sandbox = Sandbox::start_zendesk().await;
    let url = &sandbox.url;
    let page = check(
        &sandbox,
        get(ADMIN, "/api/v2/tickets.json?page=2&per_page=5"),
        None,
        200,
        &[
            ("/count", json!(12)),
            (
                "/next_page",
                json!(format!("{url}/api/v2/tickets.json?page=3&per_page=5")),
            ),
            (
                "/previous_page",
                json!(format!("{url}/api/v2/tickets.json?page=1&per_page=5")),
            ),
        ],
    )
    .await;
    assert_eq!(ids(&page, "tickets"), vec![6, 7, 8, 9, 10]);
    let all = check(
        &sandbox,
        get(ADMIN, "/api/v2/tickets.json"),
        None,
        200,
        &[("/next_page", Value::Null)],
    )
    .await;
    assert_eq!(ids(&all, "tickets"), (1..=12).collect::<Vec<_>>());
    check(
        &sandbox,
        get(ADMIN, "/api/v2/tickets.json?page=101"),
        None,
        400,
        &[("/errors/0/code", json!("InvalidPaginationDepth"))],
    )
    .await;

    // Cursor paging to the end, following `meta.after_cursor`.
    let mut seen = Vec::new();
    let mut path = "/api/v2/tickets.json?page%5Bsize%5D=5".to_owned();
    loop {
        let page = check(&sandbox, get(ADMIN, &path), None, 200, &[]).await;
        seen.extend(ids(&page, "tickets"));
        assert!(page.get("count").is_none(), "cursor pages have no count");
        if page["meta"]["has_more"] == json!(false) {
            break;
        }
        let next = page["links"]["next"].as_str().expect("links.next");
        path = next
            .strip_prefix(url.as_str())
            .expect("an account URL")
            .to_owned();
    }
    assert_eq!(seen, (1..=12).collect::<Vec<_>>());
    check(
        &sandbox,
        get(ADMIN, "/api/v2/tickets.json?page%5Bafter%5D=garbage"),
        None,
        400,
        &[("/errors/0/code", json!("InvalidPaginationParameter"))],
    )
    .await;

    let requested = check(
        &sandbox,
        get(
            ADMIN,
            "/api/v2/users/10003/tickets/requested.json?page[size]=100",
        ),
        None,
        200,
        &[("/meta/has_more", json!(false))],
    )
    .await;
    assert_eq!(ids(&requested, "tickets"), vec![1, 3, 5, 7, 9, 11]);
    let external = check(
        &sandbox,
        get(ADMIN, "/api/v2/tickets.json?external_id=none-such"),
        None,
        200,
        &[("/count", json!(0))],
    )
    .await;
    assert!(ids(&external, "tickets").is_empty());
    let newest_first = check(
        &sandbox,
        get(ADMIN, "/api/v2/tickets/3/comments.json?sort_order=desc"),
        None,
        200,
        &[],
    )
    .await;
    assert_eq!(newest_first["comments"][0]["body"], "A ThinkPad T14.");
}

#[tokio::test]
async fn groups_are_listed_by_name_and_changed_by_admins() {
    let sandbox = Sandbox::start_zendesk().await;
    let url = &sandbox.url;
    let names = |json: &Value| -> Vec<String> {
        json["groups"]
            .as_array()
            .unwrap_or_else(|| panic!("no groups in {json}"))
            .iter()
            .map(|group| group["name"].as_str().expect("a name").to_owned())
            .collect()
    };
    let all = check(
        &sandbox,
        get(AGENT, "/api/v2/groups.json"),
        None,
        200,
        &[
            ("/count", json!(5)),
            ("/groups/4/name", json!("Support")),
            ("/groups/4/default", json!(true)),
            ("/groups/4/deleted", json!(false)),
            (
                "/groups/4/url",
                json!(format!("{url}/api/v2/groups/40001.json")),
            ),
        ],
    )
    .await;
    assert_eq!(
        names(&all),
        ["Database", "Hardware", "Network", "Software", "Support"]
    );

    // Admins create, agents may not; names sort without case.
    let create = |name: &str| Some(json!({"group": {"name": name}}));
    check(
        &sandbox,
        post(AGENT, "/api/v2/groups.json"),
        create("Escalations"),
        403,
        &[("/error", json!("Forbidden"))],
    )
    .await;
    let reply = send(
        &sandbox,
        Method::POST,
        ADMIN,
        "/api/v2/groups.json",
        create("escalations"),
    )
    .await;
    assert_eq!(reply.status.as_u16(), 201, "{}", reply.text);
    let created = reply.json();
    let id = created["group"]["id"].as_u64().expect("an id");
    assert_eq!(
        reply.header("location"),
        Some(format!("{url}/api/v2/groups/{id}.json").as_str())
    );
    assert_eq!(created["group"]["description"], "");
    assert_eq!(created["group"]["is_public"], true);
    check(
        &sandbox,
        post(ADMIN, "/api/v2/groups.json"),
        Some(json!({"group": {"description": "No name"}})),
        422,
        &[
            ("/error", json!("RecordInvalid")),
            (
                "/details/name/0/description",
                json!("Name: cannot be blank"),
            ),
        ],
    )
    .await;

    // Cursor pages in the same order, with `name,id` cursors.
    let mut seen = Vec::new();
    let mut path = "/api/v2/groups.json?page%5Bsize%5D=2".to_owned();
    loop {
        let page = check(&sandbox, get(AGENT, &path), None, 200, &[]).await;
        seen.extend(names(&page));
        if page["meta"]["has_more"] == json!(false) {
            break;
        }
        let next = page["links"]["next"].as_str().expect("links.next");
        path = next
            .strip_prefix(url.as_str())
            .expect("an account URL")
            .to_owned();
    }
    assert_eq!(
        seen,
        [
            "Database",
            "escalations",
            "Hardware",
            "Network",
            "Software",
            "Support"
        ]
    );

    // Only admins update; a private group stays private.
    let group_path = format!("/api/v2/groups/{id}.json");
    let rename = Some(
        json!({"group": {"name": "Escalations", "description": "Tier 2", "is_public": false}}),
    );
    check(&sandbox, put(AGENT, &group_path), rename.clone(), 403, &[]).await;
    check(
        &sandbox,
        put(ADMIN, &group_path),
        rename,
        200,
        &[
            ("/group/name", json!("Escalations")),
            ("/group/description", json!("Tier 2")),
            ("/group/is_public", json!(false)),
        ],
    )
    .await;
    check(
        &sandbox,
        put(ADMIN, &group_path),
        Some(json!({"group": {"is_public": true}})),
        422,
        &[("/error", json!("RecordInvalid"))],
    )
    .await;

    // Deleting marks the group: listed as deleted, shown, no longer assignable or changeable.
    check(&sandbox, delete(AGENT, &group_path), None, 403, &[]).await;
    let deleted = send(
        &sandbox,
        Method::DELETE,
        ADMIN,
        &group_path,
        Some(json!({"group": {"id": id}})),
    )
    .await;
    assert_eq!(deleted.status.as_u16(), 204, "{}", deleted.text);
    assert_eq!(deleted.text, "");
    assert_eq!(
        deleted.header("x-zendesk-api-warn"),
        Some("{:allowed_parameters=>{:controller=>\"groups\", :action=>\"destroy\", :unpermitted_keys=>[\"group.id\", \"group\"], :invalid_values=>[]}}")
    );
    check(
        &sandbox,
        get(AGENT, &group_path),
        None,
        200,
        &[("/group/deleted", json!(true))],
    )
    .await;
    let listed = check(
        &sandbox,
        get(AGENT, "/api/v2/groups.json"),
        None,
        200,
        &[("/count", json!(6))],
    )
    .await;
    assert_eq!(listed["groups"][1]["deleted"], true);
    let live = check(
        &sandbox,
        get(AGENT, "/api/v2/groups.json?exclude_deleted=true"),
        None,
        200,
        &[("/count", json!(5))],
    )
    .await;
    assert!(!names(&live).contains(&"Escalations".to_owned()));
    let assignable = check(
        &sandbox,
        get(AGENT, "/api/v2/groups/assignable.json"),
        None,
        200,
        &[("/count", json!(5))],
    )
    .await;
    assert_eq!(names(&assignable), names(&live));
    for method in [Method::PUT, Method::DELETE] {
        check(
            &sandbox,
            (method, ADMIN, &group_path),
            Some(json!({"group": {"name": "Back"}})),
            404,
            &[("/error", json!("RecordNotFound"))],
        )
        .await;
    }
    check(
        &sandbox,
        get(AGENT, "/api/v2/groups/99.json"),
        None,
        404,
        &[("/error", json!("RecordNotFound"))],
    )
    .await;
}

#[tokio::test]
async fn users_are_filtered_by_role() {
    let sandbox = Sandbox::start_zendesk().await;
    let url = &sandbox.url;
    for (query, expected) in [
        (
            "role[]=agent&role[]=admin",
            vec![ZENDESK_ADMIN_ID, ZENDESK_AGENT_ID],
        ),
        ("role=end-user", vec![ZENDESK_USER_ID, 10_004]),
        ("role%5B%5D=admin", vec![ZENDESK_ADMIN_ID]),
        ("role=owner", vec![]),
        (
            "",
            vec![ZENDESK_ADMIN_ID, ZENDESK_AGENT_ID, ZENDESK_USER_ID, 10_004],
        ),
    ] {
        let users = check(
            &sandbox,
            get(AGENT, &format!("/api/v2/users.json?{query}")),
            None,
            200,
            &[],
        )
        .await;
        assert_eq!(ids(&users, "users"), expected, "{query}");
    }
    // Page links keep the filter.
    check(
        &sandbox,
        get(
            AGENT,
            "/api/v2/users.json?role[]=agent&role[]=admin&per_page=1",
        ),
        None,
        200,
        &[(
            "/next_page",
            json!(format!(
                "{url}/api/v2/users.json?page=2&per_page=1&role%5B%5D=agent&role%5B%5D=admin"
            )),
        )],
    )
    .await;
}

#[tokio::test]
async fn search_finds_tickets_within_the_result_limit() {
    let sandbox = Sandbox::start_zendesk().await;
    let cases: [(&str, &[u64]); 12] = [
        ("type:ticket status:open", &[3, 4]),
        ("type:ticket status<solved", &[1, 2, 3, 4, 5, 6, 7, 8]),
        ("type:ticket status>=solved", &[9, 10, 11, 12]),
        ("type:ticket priority:urgent", &[1]),
        ("type:ticket priority>normal", &[1, 2, 8, 9]),
        (
            "type:ticket requester:user@example.com status:closed",
            &[11],
        ),
        ("type:ticket requester:\"Erik Enduser\" status:new", &[2]),
        ("type:ticket subject:printer", &[1, 12]),
        ("type:ticket toner", &[12]),
        ("type:ticket \"is smoking\"", &[1]),
        ("type:ticket thinkpad -status:solved", &[3]),
        ("type:user ada", &[]),
    ];
    for (query, expected) in cases {
        let path = format!(
            "/api/v2/search.json?query={}&sort_by=created_at&sort_order=asc",
            flare_core::http::encode_component(query)
        );
        let results = check(
            &sandbox,
            get(ADMIN, &path),
            None,
            200,
            &[("/facets", Value::Null)],
        )
        .await;
        assert_eq!(ids(&results, "results"), expected.to_vec(), "{query}");
        assert_eq!(results["count"], json!(expected.len()), "{query}");
        if !expected.is_empty() {
            assert_eq!(results["results"][0]["result_type"], "ticket");
        }
    }
    let limit = [
        ("/error", json!("invalid")),
        (
            "/description",
            json!(
                "Invalid search: Requested response size was greater than Search Response Limits"
            ),
        ),
    ];
    check(
        &sandbox,
        get(ADMIN, "/api/v2/search.json?query=type%3Aticket&page=11"),
        None,
        422,
        &limit,
    )
    .await;
    check(
        &sandbox,
        get(
            ADMIN,
            "/api/v2/search.json?query=type%3Aticket&page=21&per_page=50",
        ),
        None,
        422,
        &limit,
    )
    .await;
    check(
        &sandbox,
        get(
            ADMIN,
            "/api/v2/search.json?query=type%3Aticket&page=10&per_page=100",
        ),
        None,
        200,
        &[],
    )
    .await;
    let paged = check(
        &sandbox,
        get(ADMIN, "/api/v2/search.json?query=type%3Aticket&per_page=5"),
        None,
        200,
        &[("/count", json!(12))],
    )
    .await;
    assert_eq!(
        paged["next_page"],
        json!(format!(
            "{}/api/v2/search.json?page=2&per_page=5&query=type%3Aticket",
            sandbox.url
        ))
    );

    let users = check(
        &sandbox,
        get(
            AGENT,
            "/api/v2/users/search.json?query=email%3Auser%40example.com",
        ),
        None,
        200,
        &[("/count", json!(1))],
    )
    .await;
    assert_eq!(ids(&users, "users"), vec![ZENDESK_USER_ID]);
    let users = check(
        &sandbox,
        get(AGENT, "/api/v2/users/search.json?query=ada"),
        None,
        200,
        &[],
    )
    .await;
    assert_eq!(ids(&users, "users"), vec![ZENDESK_ADMIN_ID]);
}

#[tokio::test]
async fn uploads_attach_to_comments_and_download() {
    let sandbox = Sandbox::start_zendesk().await;
    let uploaded = sandbox
        .send(
            sandbox
                .client()
                .post(format!(
                    "{}/api/v2/uploads.json?filename=screen%20shot.png",
                    sandbox.url
                ))
                .header("content-type", "image/png")
                .body(vec![137u8, 80, 78, 71, 1, 2, 3]),
            END_USER,
        )
        .await;
    assert_eq!(uploaded.status.as_u16(), 201, "{}", uploaded.text);
    let upload = &uploaded.json()["upload"];
    let token = upload["token"].as_str().expect("a token").to_owned();
    assert_eq!(upload["attachment"]["file_name"], "screen shot.png");
    assert_eq!(upload["attachments"][0]["size"], 7);
    check(
        &sandbox,
        post(ADMIN, "/api/v2/uploads.json"),
        None,
        400,
        &[],
    )
    .await;

    let comment =
        json!({"ticket": {"comment": {"body": "See the screenshot", "uploads": [token]}}});
    check(
        &sandbox,
        put(ADMIN, "/api/v2/tickets/3.json"),
        Some(comment),
        200,
        &[],
    )
    .await;
    let comments = check(
        &sandbox,
        get(ADMIN, "/api/v2/tickets/3/comments.json"),
        None,
        200,
        &[],
    )
    .await;
    let attachment = &comments["comments"][3]["attachments"][0];
    assert_eq!(attachment["content_type"], "image/png");
    let content_url = attachment["content_url"].as_str().expect("a content_url");
    assert!(
        content_url.starts_with(&format!("{}/attachments/token/", sandbox.url)),
        "{content_url}"
    );

    let download = sandbox
        .client()
        .get(content_url)
        .send()
        .await
        .expect("a download");
    assert_eq!(download.status().as_u16(), 200);
    assert_eq!(download.headers()["content-type"], "image/png");
    assert_eq!(
        download.bytes().await.expect("bytes").to_vec(),
        vec![137u8, 80, 78, 71, 1, 2, 3]
    );

    let attachment_id = attachment["id"].as_u64().expect("an id");
    check(
        &sandbox,
        get(ADMIN, &format!("/api/v2/attachments/{attachment_id}.json")),
        None,
        200,
        &[("/attachment/file_name", json!("screen shot.png"))],
    )
    .await;
    // A token is used once.
    let again = json!({"ticket": {"comment": {"body": "Again", "uploads": [token]}}});
    let updated = check(
        &sandbox,
        put(ADMIN, "/api/v2/tickets/3.json"),
        Some(again),
        200,
        &[],
    )
    .await;
    assert_eq!(updated["audit"]["events"][0]["attachments"], json!([]));
}

#[tokio::test]
async fn rate_limits_answer_as_recorded() {
    let options = flare_sandbox::zendesk::ZendeskOptions {
        requests_per_minute: Some(3),
        ..Default::default()
    };
    let sandbox = Sandbox::start_zendesk_with(&options).await;
    for remaining in ["2", "1", "0"] {
        let reply = send(&sandbox, Method::GET, ADMIN, "/api/v2/users/me.json", None).await;
        assert_eq!(reply.status.as_u16(), 200);
        assert_eq!(reply.header("x-rate-limit"), Some("3"));
        assert_eq!(reply.header("rate-limit"), Some("3"));
        assert_eq!(reply.header("x-rate-limit-remaining"), Some(remaining));
        assert_eq!(reply.header("rate-limit-remaining"), Some(remaining));
        assert!(reply.header("rate-limit-reset").is_some());
    }
    let limited = send(&sandbox, Method::GET, ADMIN, "/api/v2/tickets.json", None).await;
    assert_eq!(limited.status.as_u16(), 429);
    assert_eq!(
        limited.header("content-type"),
        Some("text/plain; charset=utf-8")
    );
    assert_eq!(
        limited.text,
        "Number of allowed API requests per minute exceeded"
    );
    let retry_after: u64 = limited
        .header("retry-after")
        .expect("retry-after")
        .parse()
        .expect("seconds");
    assert!((1..=60).contains(&retry_after), "{retry_after}");

    // The admin API lifts the limit at run time.
    let reply = sandbox
        .send(
            sandbox
                .client()
                .put(format!("{}/sandbox/rate-limit", sandbox.url))
                .json(&json!({"requests_per_minute": null})),
            None,
        )
        .await;
    assert_eq!(reply.status.as_u16(), 200);
    let reply = send(&sandbox, Method::GET, ADMIN, "/api/v2/tickets.json", None).await;
    assert_eq!(reply.status.as_u16(), 200);
    assert_eq!(reply.header("x-rate-limit"), None);

    let default = Sandbox::start_zendesk().await;
    let reply = send(&default, Method::GET, ADMIN, "/api/v2/tickets.json", None).await;
    assert_eq!(
        reply.header("x-rate-limit"),
        Some("700"),
        "the recorded limit"
    );
}

#[tokio::test]
async fn unknown_paths_are_invalid_endpoints() {
    let sandbox = Sandbox::start_zendesk().await;
    check(
        &sandbox,
        get(ADMIN, "/api/v2/no_such_thing.json"),
        None,
        404,
        &[
            ("/error", json!("InvalidEndpoint")),
            ("/description", json!("Not found")),
        ],
    )
    .await;
}
