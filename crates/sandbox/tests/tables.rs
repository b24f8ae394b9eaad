//! GET one, PUT, PATCH, DELETE and POST on every emulated table other than incident, as an admin,
//! an `itil` agent and the end user Abel Tuter, over real HTTP.
//!
//! What each role may do is the sandbox's model of a fresh instance's ACLs (`src/acl.rs`): agents
//! and admins read and change every task, only admins delete and change users, groups, memberships
//! and journal entries, end users read their own requests and only comment on them. A record the
//! user may not read is 404 ("Record doesn't exist or ACL restricts the record retrieval").

mod common;

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::common::{Reply, Sandbox, ABEL, ABEL_SYS_ID, ADMIN, ITIL};
use crate::Outcome::{Done, NotFound, Refused, Skipped};

/// A seeded record and the field a write changes.
#[derive(Debug, Clone, Copy)]
struct Target {
    table: &'static str,
    sys_id: &'static str,
    field: &'static str,
    /// What the write sets the field to; `None` means a text naming the writer.
    new_value: Option<&'static str>,
}

impl Target {
    fn path(&self) -> String {
        format!("/api/now/table/{}/{}", self.table, self.sys_id)
    }
}

const ABELS_REQUEST: Target = task("sc_request", "d71f7935c0a8016700802b64c67c11c6");
const DAVIDS_REQUEST: Target = task("sc_request", "d7158da0c0a8016700eef46c8d1f3661");
const ABELS_ITEM: Target = task("sc_req_item", "aeed229047801200e0ef563dbb9a71c2");
const DAVIDS_ITEM: Target = task("sc_req_item", "aeed229047801200e0ef563dbb9a71c4");
const CHANGE: Target = task("change_request", "c286d61347c12200e0ef563dbb9a71d1");
const DAVID_MILLER: Target = Target {
    table: "sys_user",
    sys_id: "a8f98bb0eb32010045e1a5115206fe3a",
    field: "title",
    new_value: None,
};
const DATABASE_GROUP: Target = Target {
    table: "sys_user_group",
    sys_id: "287ee6fea9fe198100ada7950d0b1b73",
    field: "description",
    new_value: None,
};
/// The admin's membership of the Database group, moved to Abel by a write.
const MEMBERSHIP: Target = Target {
    table: "sys_user_grmember",
    sys_id: "0a52d3dcd7011200f2d224837e6103f6",
    field: "user",
    new_value: Some(ABEL_SYS_ID),
};
/// Abel's comment on his INC0000002.
const COMMENT: Target = Target {
    table: "sys_journal_field",
    sys_id: "a1b2c3d4e5f60718293a4b5c6d7e8f90",
    field: "value",
    new_value: None,
};
/// The agent's work note on INC0000002.
const WORK_NOTE: Target = Target {
    table: "sys_journal_field",
    sys_id: "a1b2c3d4e5f60718293a4b5c6d7e8f91",
    field: "value",
    new_value: None,
};
const INC2: &str = "46b66a40a9fe198101f243dfbc79033d";

const fn task(table: &'static str, sys_id: &'static str) -> Target {
    Target {
        table,
        sys_id,
        field: "short_description",
        new_value: None,
    }
}

/// What a request does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Outcome {
    /// Read, changed, deleted or created.
    Done,
    /// A write answered 200 that left the field as it was: an end user on their own request may
    /// only add comments, and other fields are skipped as field-level ACLs skip them.
    Skipped,
    /// 403 "ACL Exception ... Failed due to security constraints".
    Refused,
    /// 404 "No Record found".
    NotFound,
}

/// What one user may do to one record.
struct Case {
    target: Target,
    user: (&'static str, &'static str),
    get: Outcome,
    /// PATCH and PUT, which behave the same.
    write: Outcome,
    delete: Outcome,
}

const fn case(
    target: Target,
    user: (&'static str, &'static str),
    get: Outcome,
    write: Outcome,
    delete: Outcome,
) -> Case {
    Case {
        target,
        user,
        get,
        write,
        delete,
    }
}

const CASES: &[Case] = &[
    case(ABELS_REQUEST, ADMIN, Done, Done, Done),
    case(ABELS_REQUEST, ITIL, Done, Done, Refused),
    case(ABELS_REQUEST, ABEL, Done, Skipped, Refused),
    case(DAVIDS_REQUEST, ITIL, Done, Done, Refused),
    case(DAVIDS_REQUEST, ABEL, NotFound, NotFound, NotFound),
    case(ABELS_ITEM, ADMIN, Done, Done, Done),
    case(ABELS_ITEM, ITIL, Done, Done, Refused),
    case(ABELS_ITEM, ABEL, Done, Skipped, Refused),
    case(DAVIDS_ITEM, ITIL, Done, Done, Refused),
    case(DAVIDS_ITEM, ABEL, NotFound, NotFound, NotFound),
    case(CHANGE, ADMIN, Done, Done, Done),
    case(CHANGE, ITIL, Done, Done, Refused),
    case(CHANGE, ABEL, NotFound, NotFound, NotFound),
    case(DAVID_MILLER, ADMIN, Done, Done, Done),
    case(DAVID_MILLER, ITIL, Done, Refused, Refused),
    case(DAVID_MILLER, ABEL, Done, Refused, Refused),
    case(DATABASE_GROUP, ADMIN, Done, Done, Done),
    case(DATABASE_GROUP, ITIL, Done, Refused, Refused),
    case(DATABASE_GROUP, ABEL, Done, Refused, Refused),
    case(MEMBERSHIP, ADMIN, Done, Done, Done),
    case(MEMBERSHIP, ITIL, Done, Refused, Refused),
    case(MEMBERSHIP, ABEL, Done, Refused, Refused),
    case(COMMENT, ADMIN, Done, Done, Done),
    case(COMMENT, ITIL, Done, Refused, Refused),
    case(COMMENT, ABEL, Done, Refused, Refused),
    case(WORK_NOTE, ADMIN, Done, Done, Done),
    case(WORK_NOTE, ITIL, Done, Refused, Refused),
    case(WORK_NOTE, ABEL, NotFound, NotFound, NotFound),
];

#[tokio::test]
async fn get_one_by_role() {
    for Case {
        target,
        user,
        get: expected,
        ..
    } in CASES
    {
        let sandbox = Sandbox::start().await;
        let reply = sandbox.get(Some(*user), &target.path()).await;
        let context = format!("GET {} as {}", target.path(), user.0);
        match expected {
            Done => {
                assert_eq!(reply.status, StatusCode::OK, "{context}: {}", reply.text);
                assert_eq!(reply.json()["result"]["sys_id"], target.sys_id, "{context}");
            }
            _ => assert_not_found(&reply, &context),
        }
    }
}

#[tokio::test]
async fn patch_and_put_by_role() {
    for method in [Method::PATCH, Method::PUT] {
        for Case {
            target,
            user,
            write: expected,
            ..
        } in CASES
        {
            let sandbox = Sandbox::start().await;
            let before = field_as_admin(&sandbox, target).await;
            let new_value = match target.new_value {
                Some(value) => value.to_owned(),
                None => format!("Changed by {} with {method}", user.0),
            };
            let request = sandbox
                .client()
                .request(method.clone(), format!("{}{}", sandbox.url, target.path()))
                .json(&json!({ target.field: new_value }));
            let reply = sandbox.send(request, Some(*user)).await;
            let context = format!("{method} {} as {}", target.path(), user.0);
            let after = field_as_admin(&sandbox, target).await;
            match expected {
                Done => {
                    assert_eq!(reply.status, StatusCode::OK, "{context}: {}", reply.text);
                    assert_eq!(after, new_value, "{context}");
                    // Journal entries have no sys_updated_by in the sandbox's schema.
                    if target.table != "sys_journal_field" {
                        let updated_by = &reply.json()["result"]["sys_updated_by"];
                        assert_eq!(updated_by, user.0, "{context}");
                    }
                }
                Skipped => {
                    assert_eq!(reply.status, StatusCode::OK, "{context}: {}", reply.text);
                    assert_eq!(after, before, "{context}");
                }
                Refused => {
                    assert_refused(&reply, "Update", &context);
                    assert_eq!(after, before, "{context}");
                }
                NotFound => {
                    assert_not_found(&reply, &context);
                    assert_eq!(after, before, "{context}");
                }
            }
        }
    }
}

#[tokio::test]
async fn delete_by_role() {
    for Case {
        target,
        user,
        delete: expected,
        ..
    } in CASES
    {
        let sandbox = Sandbox::start().await;
        let request = sandbox
            .client()
            .delete(format!("{}{}", sandbox.url, target.path()));
        let reply = sandbox.send(request, Some(*user)).await;
        let context = format!("DELETE {} as {}", target.path(), user.0);
        let still_there = sandbox.get(Some(ADMIN), &target.path()).await.status;
        match expected {
            Done => {
                assert_eq!(reply.status, StatusCode::NO_CONTENT, "{context}");
                assert_eq!(reply.text, "", "{context}");
                assert_eq!(still_there, StatusCode::NOT_FOUND, "{context}");
            }
            Refused => {
                assert_refused(&reply, "Delete", &context);
                assert_eq!(still_there, StatusCode::OK, "{context}");
            }
            _ => {
                assert_not_found(&reply, &context);
                assert_eq!(still_there, StatusCode::OK, "{context}");
            }
        }
    }
}

#[tokio::test]
async fn post_by_role() {
    let cases: &[(&str, Value, (&str, &str), Outcome)] = &[
        (
            "sc_request",
            json!({"short_description": "Headset"}),
            ADMIN,
            Done,
        ),
        (
            "sc_request",
            json!({"short_description": "Headset"}),
            ITIL,
            Done,
        ),
        (
            "sc_request",
            json!({"short_description": "Headset"}),
            ABEL,
            Done,
        ),
        (
            "sc_req_item",
            json!({"short_description": "Headset"}),
            ITIL,
            Done,
        ),
        (
            "sc_req_item",
            json!({"short_description": "Headset"}),
            ABEL,
            Done,
        ),
        (
            "change_request",
            json!({"short_description": "Reboot"}),
            ADMIN,
            Done,
        ),
        (
            "change_request",
            json!({"short_description": "Reboot"}),
            ITIL,
            Done,
        ),
        (
            "change_request",
            json!({"short_description": "Reboot"}),
            ABEL,
            Refused,
        ),
        ("sys_user", json!({"user_name": "new.person"}), ADMIN, Done),
        (
            "sys_user",
            json!({"user_name": "new.person"}),
            ITIL,
            Refused,
        ),
        (
            "sys_user",
            json!({"user_name": "new.person"}),
            ABEL,
            Refused,
        ),
        (
            "sys_user_group",
            json!({"name": "Facilities", "description": "Desks"}),
            ADMIN,
            Done,
        ),
        (
            "sys_user_group",
            json!({"name": "Facilities", "description": "Desks"}),
            ITIL,
            Refused,
        ),
        (
            "sys_user_group",
            json!({"name": "Facilities", "description": "Desks"}),
            ABEL,
            Refused,
        ),
        (
            "sys_user_grmember",
            json!({"group": DATABASE_GROUP.sys_id, "user": ABEL_SYS_ID}),
            ADMIN,
            Done,
        ),
        (
            "sys_user_grmember",
            json!({"group": DATABASE_GROUP.sys_id, "user": ABEL_SYS_ID}),
            ITIL,
            Refused,
        ),
        (
            "sys_user_grmember",
            json!({"group": DATABASE_GROUP.sys_id, "user": ABEL_SYS_ID}),
            ABEL,
            Refused,
        ),
        (
            "sys_journal_field",
            json!({"element": "comments", "element_id": INC2, "name": "incident", "value": "Posted directly"}),
            ADMIN,
            Done,
        ),
        (
            "sys_journal_field",
            json!({"element": "comments", "element_id": INC2, "name": "incident", "value": "Posted directly"}),
            ITIL,
            Refused,
        ),
        (
            "sys_journal_field",
            json!({"element": "comments", "element_id": INC2, "name": "incident", "value": "Posted directly"}),
            ABEL,
            Refused,
        ),
    ];
    for (table, body, user, expected) in cases {
        let sandbox = Sandbox::start().await;
        let list = format!("/api/now/table/{table}?sysparm_limit=1");
        let count = |reply: Reply| reply.header("x-total-count").map(str::to_owned);
        let count_before = count(sandbox.get(Some(ADMIN), &list).await);
        let reply = sandbox
            .post(Some(*user), &format!("/api/now/table/{table}"), body)
            .await;
        let context = format!("POST {table} as {}", user.0);
        match expected {
            Done => {
                assert_eq!(
                    reply.status,
                    StatusCode::CREATED,
                    "{context}: {}",
                    reply.text
                );
                let location = reply.header("location").expect("a Location").to_owned();
                let sys_id = reply.json()["result"]["sys_id"]
                    .as_str()
                    .expect("a sys_id")
                    .to_owned();
                assert_eq!(
                    location,
                    format!("{}/api/now/table/{table}/{sys_id}", sandbox.url),
                    "{context}"
                );
                let path = format!(
                    "{}?sysparm_exclude_reference_link=true",
                    &location[sandbox.url.len()..]
                );
                let stored = sandbox.get(Some(ADMIN), &path).await.json()["result"].clone();
                for (field, value) in body.as_object().expect("an object body") {
                    assert_eq!(&stored[field], value, "{context}: {field}");
                }
            }
            _ => {
                assert_refused(&reply, "Insert", &context);
                let count_after = count(sandbox.get(Some(ADMIN), &list).await);
                assert_eq!(count_after, count_before, "{context}");
            }
        }
    }
}

/// The target's field as the admin reads it, references as their sys_id.
async fn field_as_admin(sandbox: &Sandbox, target: &Target) -> String {
    let path = format!(
        "{}?sysparm_exclude_reference_link=true&sysparm_fields={}",
        target.path(),
        target.field
    );
    let reply = sandbox.get(Some(ADMIN), &path).await;
    assert_eq!(reply.status, StatusCode::OK, "{path}: {}", reply.text);
    reply.json()["result"][target.field]
        .as_str()
        .expect("a string value")
        .to_owned()
}

fn assert_refused(reply: &Reply, operation: &str, context: &str) {
    assert_eq!(
        reply.status,
        StatusCode::FORBIDDEN,
        "{context}: {}",
        reply.text
    );
    assert_eq!(
        reply.json(),
        json!({"error": {"message": "Operation Failed", "detail": format!("ACL Exception {operation} Failed due to security constraints")}, "status": "failure"}),
        "{context}"
    );
}

fn assert_not_found(reply: &Reply, context: &str) {
    assert_eq!(
        reply.status,
        StatusCode::NOT_FOUND,
        "{context}: {}",
        reply.text
    );
    assert_eq!(
        reply.json(),
        json!({"error": {"message": "No Record found", "detail": "Record doesn't exist or ACL restricts the record retrieval"}, "status": "failure"}),
        "{context}"
    );
}
