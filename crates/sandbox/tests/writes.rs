//! Updates, deletes, the incident state model, journal fields and roles, over real HTTP.

mod common;

use std::time::{SystemTime, UNIX_EPOCH};

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::common::{Reply, Sandbox, ABEL, ABEL_SYS_ID, ADMIN, ITIL};

const INC1: &str = "/api/now/table/incident/1c741bd70b2322007518478d83673af3";
const INC2: &str = "/api/now/table/incident/46b66a40a9fe198101f243dfbc79033d";
const INC4_ON_HOLD: &str = "/api/now/table/incident/8d6353eac0a8016400d8a125ca14fc1f";
const INC5_FREDS: &str = "/api/now/table/incident/9c573169c611228700193229fff72400";

async fn patch(sandbox: &Sandbox, user: (&str, &str), path: &str, body: Value) -> Reply {
    let request = sandbox
        .client()
        .patch(format!("{}{path}", sandbox.url))
        .json(&body);
    sandbox.send(request, Some(user)).await
}

async fn put(sandbox: &Sandbox, user: (&str, &str), path: &str, body: Value) -> Reply {
    let request = sandbox
        .client()
        .put(format!("{}{path}", sandbox.url))
        .json(&body);
    sandbox.send(request, Some(user)).await
}

async fn delete(sandbox: &Sandbox, user: (&str, &str), path: &str) -> Reply {
    let request = sandbox.client().delete(format!("{}{path}", sandbox.url));
    sandbox.send(request, Some(user)).await
}

fn assert_envelope(reply: &Reply, status: StatusCode, message: &str, detail: &str) {
    assert_eq!(reply.status, status, "{}", reply.text);
    assert_eq!(
        reply.json(),
        json!({"error": {"message": message, "detail": detail}, "status": "failure"})
    );
}

#[tokio::test]
async fn agents_update_and_the_record_changes() {
    let sandbox = Sandbox::start().await;
    let reply = patch(
        &sandbox,
        ITIL,
        INC1,
        json!({"urgency": "1", "impact": "1", "state": "2", "sys_mod_count": "99"}),
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    let record = &reply.json()["result"];
    assert_eq!(record["priority"], "1");
    assert_eq!(record["state"], "2");
    assert_eq!(record["incident_state"], "2");
    assert_eq!(record["sys_mod_count"], "1");
    assert_eq!(record["sys_updated_by"], "itil");
    // PUT behaves as PATCH: only the given fields change.
    let reply = put(
        &sandbox,
        ITIL,
        INC1,
        json!({"short_description": "Wifi drops in room 4"}),
    )
    .await;
    assert_eq!(
        reply.json()["result"]["short_description"],
        "Wifi drops in room 4"
    );
    assert_eq!(reply.json()["result"]["priority"], "1");
    assert_eq!(reply.json()["result"]["sys_mod_count"], "2");
}

#[tokio::test]
async fn resolving_needs_a_resolution_code_and_notes() {
    let sandbox = Sandbox::start().await;
    let reply = patch(&sandbox, ITIL, INC1, json!({"state": "6"})).await;
    assert_envelope(&reply, StatusCode::FORBIDDEN, "Operation Failed", "Data Policy Exception: The following fields are mandatory: Resolution code, Resolution notes");
    let reply = patch(
        &sandbox,
        ITIL,
        INC1,
        json!({"state": "6", "close_code": "Solution provided"}),
    )
    .await;
    assert_envelope(
        &reply,
        StatusCode::FORBIDDEN,
        "Operation Failed",
        "Data Policy Exception: The following fields are mandatory: Resolution notes",
    );
    let reply = patch(&sandbox, ITIL, INC1, json!({"state": "6", "close_code": "Solution provided", "close_notes": "Reset the adapter"})).await;
    assert_eq!(reply.status, StatusCode::OK);
    let record = &reply.json()["result"];
    assert_eq!(record["state"], "6");
    assert_eq!(record["active"], "true");
    assert_eq!(
        record["resolved_by"]["value"],
        "46d44a23a9fe19810012d100cca80666"
    );
    assert_ne!(record["resolved_at"], "");
    let reply = patch(&sandbox, ITIL, INC1, json!({"state": "7"})).await;
    assert_eq!(reply.json()["result"]["active"], "false");
    assert_ne!(reply.json()["result"]["closed_at"], "");
    // Reopening counts.
    let reply = patch(&sandbox, ITIL, INC1, json!({"state": "2"})).await;
    assert_eq!(reply.json()["result"]["reopen_count"], "1");
    assert_eq!(reply.json()["result"]["active"], "true");
}

#[tokio::test]
async fn comments_and_work_notes_are_journal_entries() {
    let sandbox = Sandbox::start().await;
    let reply = patch(
        &sandbox,
        ABEL,
        INC2,
        json!({"comments": "Still broken today"}),
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    assert_eq!(
        reply.json()["result"]["comments"],
        "",
        "stored values of journal fields read as empty"
    );
    let reply = patch(
        &sandbox,
        ITIL,
        INC2,
        json!({"work_notes": "Escalating to the desktop team"}),
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK);

    let path = "/api/now/table/sys_journal_field?sysparm_query=element_id%3D46b66a40a9fe198101f243dfbc79033d%5EORDERBYsys_created_on&sysparm_fields=element,value,sys_created_by";
    let reply = sandbox.get(Some(ITIL), path).await;
    assert_eq!(
        reply.json()["result"],
        json!([
            {"element": "comments", "value": "It happens with every PDF, even small ones.", "sys_created_by": "abel.tuter"},
            {"element": "work_notes", "value": "Reproduced on a test laptop; the PDF handler is missing.", "sys_created_by": "itil"},
            {"element": "comments", "value": "Still broken today", "sys_created_by": "abel.tuter"},
            {"element": "work_notes", "value": "Escalating to the desktop team", "sys_created_by": "itil"},
        ])
    );
    // The end user sees comments only.
    let reply = sandbox.get(Some(ABEL), path).await;
    let elements: Vec<Value> = reply.json()["result"]
        .as_array()
        .unwrap()
        .iter()
        .map(|entry| entry["element"].clone())
        .collect();
    assert_eq!(elements, [json!("comments"), json!("comments")]);

    // Display values show the journal, newest first.
    let reply = sandbox
        .get(
            Some(ABEL),
            &format!("{INC2}?sysparm_display_value=true&sysparm_fields=comments,work_notes"),
        )
        .await;
    let comments = reply.json()["result"]["comments"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(
        comments.contains(" - Abel Tuter (Additional comments)\nStill broken today\n\n"),
        "{comments}"
    );
    assert!(
        comments.find("Still broken").unwrap() < comments.find("every PDF").unwrap(),
        "{comments}"
    );
    // "Fields for which the calling entity does not have rights to because of ACLs are not
    // returned in a REST query response" (c_RESTAPI.md).
    assert_eq!(
        reply.json()["result"].get("work_notes"),
        None,
        "end users do not see work notes"
    );
    let reply = sandbox.get(Some(ABEL), INC2).await;
    assert_eq!(reply.json()["result"].get("work_notes"), None);
    assert_eq!(reply.json()["result"]["comments"], "");
    let reply = sandbox
        .get(
            Some(ITIL),
            &format!("{INC2}?sysparm_display_value=true&sysparm_fields=work_notes"),
        )
        .await;
    let work_notes = reply.json()["result"]["work_notes"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(
        work_notes.contains("Beth Anglin (Work notes)\nEscalating to the desktop team"),
        "{work_notes}"
    );
}

#[tokio::test]
async fn a_callers_comment_takes_an_incident_off_hold() {
    let sandbox = Sandbox::start().await;
    // INC0000004 is on hold awaiting the caller, Don Goodliffe (an itil user), so as admin set the
    // caller to Abel first.
    patch(
        &sandbox,
        ADMIN,
        INC4_ON_HOLD,
        json!({"caller_id": ABEL_SYS_ID}),
    )
    .await;
    let reply = patch(
        &sandbox,
        ABEL,
        INC4_ON_HOLD,
        json!({"comments": "Here is the log you asked for"}),
    )
    .await;
    assert_eq!(reply.json()["result"]["state"], "2");
    assert_eq!(reply.json()["result"]["hold_reason"], "");
}

#[tokio::test]
async fn end_users_only_comment_and_never_delete() {
    let sandbox = Sandbox::start().await;
    // Fields other than comments are skipped, as field-level ACLs skip them.
    let reply = patch(
        &sandbox,
        ABEL,
        INC1,
        json!({"short_description": "changed", "urgency": "1"}),
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(
        reply.json()["result"]["short_description"],
        "Unable to connect to office wifi"
    );
    assert_eq!(reply.json()["result"]["urgency"], "2");
    // Someone else's incident does not exist for them.
    let reply = patch(&sandbox, ABEL, INC5_FREDS, json!({"comments": "hi"})).await;
    assert_envelope(
        &reply,
        StatusCode::NOT_FOUND,
        "No Record found",
        "Record doesn't exist or ACL restricts the record retrieval",
    );
    let reply = delete(&sandbox, ABEL, INC1).await;
    assert_envelope(
        &reply,
        StatusCode::FORBIDDEN,
        "Operation Failed",
        "ACL Exception Delete Failed due to security constraints",
    );
    let reply = delete(&sandbox, ITIL, INC1).await;
    assert_envelope(
        &reply,
        StatusCode::FORBIDDEN,
        "Operation Failed",
        "ACL Exception Delete Failed due to security constraints",
    );
    let reply = patch(
        &sandbox,
        ABEL,
        "/api/now/table/sys_user/62826bf03710200044e0bfc8bcbe5df1",
        json!({"title": "CEO"}),
    )
    .await;
    assert_envelope(
        &reply,
        StatusCode::FORBIDDEN,
        "Operation Failed",
        "ACL Exception Update Failed due to security constraints",
    );
    let reply = sandbox
        .post(
            Some(ABEL),
            "/api/now/table/change_request",
            &json!({"short_description": "x"}),
        )
        .await;
    assert_envelope(
        &reply,
        StatusCode::FORBIDDEN,
        "Operation Failed",
        "ACL Exception Insert Failed due to security constraints",
    );
}

#[tokio::test]
async fn admins_delete() {
    let sandbox = Sandbox::start().await;
    let reply = delete(&sandbox, ADMIN, INC1).await;
    assert_eq!(reply.status, StatusCode::NO_CONTENT);
    assert_eq!(reply.text, "");
    let reply = sandbox.get(Some(ADMIN), INC1).await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND);
    // Recorded: deleting what does not exist is the 404 envelope.
    let reply = delete(&sandbox, ADMIN, "/api/now/v2/table/incident/NoId").await;
    assert_envelope(
        &reply,
        StatusCode::NOT_FOUND,
        "No Record found",
        "Record doesn't exist or ACL restricts the record retrieval",
    );
    let reply = sandbox
        .get(Some(ADMIN), "/api/now/table/incident?sysparm_fields=number")
        .await;
    assert_eq!(reply.numbers().len(), 7);
}

/// Checks which numbers a user sees in a table, in number order.
async fn check_visible(sandbox: &Sandbox, user: (&str, &str), table: &str, expected: &[&str]) {
    let reply = sandbox
        .get(
            Some(user),
            &format!("/api/now/table/{table}?sysparm_query=ORDERBYnumber&sysparm_fields=number"),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    assert_eq!(reply.numbers(), expected, "{} on {table}", user.0);
}

#[tokio::test]
async fn every_table_with_its_numbers_and_roles() {
    let sandbox = Sandbox::start().await;
    check_visible(&sandbox, ABEL, "sc_request", &["REQ0000001", "REQ0000002"]).await;
    check_visible(
        &sandbox,
        ITIL,
        "sc_request",
        &[
            "REQ0000001",
            "REQ0000002",
            "REQ0000003",
            "REQ0000004",
            "REQ0000005",
            "REQ0000006",
            "REQ0000007",
            "REQ0000008",
        ],
    )
    .await;
    check_visible(
        &sandbox,
        ABEL,
        "sc_req_item",
        &["RITM0000001", "RITM0000002"],
    )
    .await;
    check_visible(&sandbox, ABEL, "change_request", &[]).await;
    let changes: Vec<String> = (1..=8).map(|number| format!("CHG{number:07}")).collect();
    let changes: Vec<&str> = changes.iter().map(String::as_str).collect();
    check_visible(&sandbox, ITIL, "change_request", &changes).await;

    let reply = sandbox
        .get(
            Some(ABEL),
            "/api/now/table/sys_user_group?sysparm_query=ORDERBYname&sysparm_fields=name",
        )
        .await;
    assert_eq!(
        reply.json()["result"],
        json!([{"name": "Database"}, {"name": "Hardware"}, {"name": "Network"}, {"name": "Service Desk"}, {"name": "Software"}])
    );
    let reply = sandbox.get(Some(ITIL), "/api/now/table/sys_user_grmember?sysparm_query=user.user_name%3Ditil%5EORDERBYgroup.name&sysparm_fields=group.name").await;
    assert_eq!(
        reply.json()["result"],
        json!([{"group.name": "Hardware"}, {"group.name": "Service Desk"}, {"group.name": "Software"}])
    );

    let cases = [
        ("sc_request", ABEL, "REQ0010001"),
        ("sc_req_item", ABEL, "RITM0010001"),
        ("change_request", ITIL, "CHG0010001"),
    ];
    for (table, user, number) in cases {
        let reply = sandbox
            .post(
                Some(user),
                &format!("/api/now/table/{table}"),
                &json!({"short_description": "New"}),
            )
            .await;
        assert_eq!(reply.status, StatusCode::CREATED, "{table}: {}", reply.text);
        assert_eq!(reply.json()["result"]["number"], number, "{table}");
    }
    let reply = sandbox
        .post(
            Some(ABEL),
            "/api/now/table/sc_request",
            &json!({"short_description": "Mine"}),
        )
        .await;
    assert_eq!(
        reply.json()["result"]["requested_for"]["value"],
        ABEL_SYS_ID
    );
}

#[tokio::test]
async fn update_without_response_body() {
    let sandbox = Sandbox::start().await;
    let request = sandbox
        .client()
        .patch(format!("{}{INC1}", sandbox.url))
        .header("X-no-response-body", "true")
        .json(&json!({"urgency": "1"}));
    let reply = sandbox.send(request, Some(ITIL)).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.text, "");
}

#[tokio::test]
async fn input_display_values() {
    let sandbox = Sandbox::start().await;
    let body = json!({"short_description": "By name", "caller_id": "Abel Tuter", "urgency": "1 - High", "impact": "2"});
    let reply = sandbox
        .post(
            Some(ADMIN),
            "/api/now/table/incident?sysparm_input_display_value=true",
            &body,
        )
        .await;
    let record = &reply.json()["result"];
    assert_eq!(record["caller_id"]["value"], ABEL_SYS_ID);
    assert_eq!(record["urgency"], "1");
    assert_eq!(record["priority"], "2");
    // Without the flag the values are stored as given.
    let reply = sandbox
        .post(Some(ADMIN), "/api/now/table/incident", &body)
        .await;
    assert_eq!(reply.json()["result"]["caller_id"]["value"], "Abel Tuter");
}

/// "You cannot pass multiple records in POST, PUT, and PATCH operations. If you do, only the first
/// record is processed, the rest are ignored" (c_RESTAPI.md).
#[tokio::test]
async fn only_the_first_of_several_records_is_written() {
    let sandbox = Sandbox::start().await;
    let records = json!([
        {"short_description": "First", "urgency": "1"},
        {"short_description": "Second"}
    ]);
    let reply = sandbox
        .post(Some(ADMIN), "/api/now/table/incident", &records)
        .await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text);
    assert_eq!(reply.json()["result"]["short_description"], "First");
    let reply = sandbox
        .get(
            Some(ADMIN),
            "/api/now/table/incident?sysparm_query=short_description=Second",
        )
        .await;
    assert_eq!(reply.json()["result"], json!([]));

    let reply = patch(
        &sandbox,
        ITIL,
        INC1,
        json!([{"urgency": "1"}, {"urgency": "3"}]),
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    assert_eq!(reply.json()["result"]["urgency"], "1");

    for body in [json!([]), json!(["not a record"])] {
        let reply = put(&sandbox, ITIL, INC1, body).await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{}", reply.text);
        assert_eq!(
            reply.json()["error"]["message"],
            "Exception while reading request"
        );
    }
}

/// "Except for choice fields, you can pass an empty value in the parameter to clear the value in
/// the database. For example, sending `{"short description":""}` clears the short_description
/// field" (c_RESTAPI.md).
#[tokio::test]
async fn empty_values_clear_fields_but_not_choices() {
    let sandbox = Sandbox::start().await;
    let before = sandbox.get(Some(ITIL), INC1).await.json()["result"].clone();
    let reply = patch(
        &sandbox,
        ITIL,
        INC1,
        json!({"short_description": "", "state": "", "urgency": "", "category": ""}),
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    let record = &reply.json()["result"];
    assert_eq!(record["short_description"], "");
    for choice in ["state", "incident_state", "urgency", "priority", "category"] {
        assert_eq!(record[choice], before[choice], "{choice}");
        assert_ne!(record[choice], "", "{choice}");
    }

    let reply = sandbox
        .post(
            Some(ITIL),
            "/api/now/table/incident",
            &json!({"short_description": "Empty choices", "state": "", "impact": ""}),
        )
        .await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text);
    assert_eq!(reply.json()["result"]["state"], "1");
    assert_eq!(reply.json()["result"]["impact"], "3");
}

/// "You can also override HTTP methods, such as GET or POST, by setting the
/// X-http-method-override header" (c_RESTAPI.md).
#[tokio::test]
async fn methods_can_be_overridden_by_a_header() {
    let sandbox = Sandbox::start().await;
    let tunnelled = |path: &str, method: &str| {
        sandbox
            .client()
            .post(format!("{}{path}", sandbox.url))
            .header("X-HTTP-Method-Override", method)
    };
    let reply = sandbox
        .send(
            tunnelled(INC1, "PATCH").json(&json!({"urgency": "1"})),
            Some(ITIL),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    assert_eq!(reply.json()["result"]["urgency"], "1");

    let before = sandbox.get(Some(ADMIN), "/api/now/table/incident").await;
    let reply = sandbox
        .send(
            tunnelled("/api/now/table/incident?sysparm_limit=1", "get"),
            Some(ADMIN),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    assert_eq!(reply.numbers().len(), 1);
    let after = sandbox.get(Some(ADMIN), "/api/now/table/incident").await;
    assert_eq!(after.numbers(), before.numbers(), "nothing was created");

    let reply = sandbox.send(tunnelled(INC1, "DELETE"), Some(ADMIN)).await;
    assert_eq!(reply.status, StatusCode::NO_CONTENT, "{}", reply.text);
    assert_eq!(
        sandbox.get(Some(ADMIN), INC1).await.status,
        StatusCode::NOT_FOUND
    );
}

/// "The database value is in UTC format, while the display value is based on the user's time zone"
/// (`sysparm_display_value`, c_TableAPI.md), and every demo user's time zone is GMT: writes stamp
/// the machine's clock in UTC, read back the same either way.
#[tokio::test]
async fn writes_stamp_the_time_in_utc() {
    let sandbox = Sandbox::start().await;
    let before = utc_now();
    let reply = patch(
        &sandbox,
        ITIL,
        INC1,
        json!({"urgency": "1", "comments": "Stamped"}),
    )
    .await;
    let after = utc_now();
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    let record = &reply.json()["result"];
    let updated = record["sys_updated_on"]
        .as_str()
        .expect("a time")
        .to_owned();
    assert!(
        before <= updated && updated <= after,
        "{before} <= {updated} <= {after}"
    );
    assert_eq!(record["sys_created_on"], "2024-03-04 09:00:00");
    let displayed = sandbox
        .get(
            Some(ITIL),
            &format!("{INC1}?sysparm_display_value=true&sysparm_fields=sys_updated_on"),
        )
        .await;
    assert_eq!(displayed.json()["result"]["sys_updated_on"], updated);
    let path = "/api/now/table/sys_journal_field?sysparm_query=value%3DStamped&sysparm_fields=sys_created_on";
    let entry = sandbox.get(Some(ITIL), path).await.json()["result"][0].clone();
    let stamped = entry["sys_created_on"].as_str().expect("a time");
    assert!(
        before.as_str() <= stamped && stamped <= after.as_str(),
        "{stamped}"
    );

    let before = utc_now();
    let reply = sandbox
        .post(
            Some(ITIL),
            "/api/now/table/incident",
            &json!({"short_description": "Stamped on creation"}),
        )
        .await;
    let after = utc_now();
    let record = &reply.json()["result"];
    for field in ["sys_created_on", "sys_updated_on", "opened_at"] {
        let stamped = record[field].as_str().expect("a time");
        assert!(
            before.as_str() <= stamped && stamped <= after.as_str(),
            "{field}: {before} <= {stamped} <= {after}"
        );
    }
}

/// The machine's clock as `YYYY-MM-DD HH:MM:SS` in UTC, to the second.
fn utc_now() -> String {
    let seconds = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("the clock is past 1970")
        .as_secs();
    let (days, second_of_day) = (seconds / 86_400, seconds % 86_400);
    // Walk the years and months from 1970; slow, but plain.
    let (mut year, mut day_of_year) = (1970, days);
    let is_leap = |year: u64| {
        year.is_multiple_of(4) && (!year.is_multiple_of(100) || year.is_multiple_of(400))
    };
    while day_of_year >= if is_leap(year) { 366 } else { 365 } {
        day_of_year -= if is_leap(year) { 366 } else { 365 };
        year += 1;
    }
    let february = if is_leap(year) { 29 } else { 28 };
    let month_lengths = [31, february, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
    let (mut month, mut day) = (1, day_of_year);
    for length in month_lengths {
        if day < length {
            break;
        }
        day -= length;
        month += 1;
    }
    format!(
        "{year:04}-{month:02}-{:02} {:02}:{:02}:{:02}",
        day + 1,
        second_of_day / 3600,
        second_of_day % 3600 / 60,
        second_of_day % 60
    )
}
