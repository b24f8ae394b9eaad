//! The demo requests with their requested items, and changes: one in every state of their
//! models.

use crate::servicenow::schema::Table;
use crate::servicenow::seed::{
    insert, ABEL_TUTER_SYS_ID, BETH_ANGLIN_SYS_ID, CHARLIE_WHITHERSPOON_SYS_ID,
    DAVID_MILLER_SYS_ID, DON_GOODLIFFE_SYS_ID, FRED_LUDDY_SYS_ID, SEEDED_AT,
};
use crate::servicenow::store::{Database, User};

/// Adds the requests, each with its one item.
pub(crate) fn seed_requests(db: &mut Database, admin: &User) {
    for (request, day) in REQUESTS.iter().zip(0_i64..) {
        let opened = SEEDED_AT + 3600 * (5 + 24 * day);
        let approval = match request.request_state {
            "requested" => "requested",
            "closed_rejected" => "rejected",
            _ => "approved",
        };
        let values = [
            ("sys_id", request.sys_id.to_owned()),
            ("number", request.number.to_owned()),
            ("requested_for", request.requested_for.to_owned()),
            ("opened_by", request.requested_for.to_owned()),
            ("request_state", request.request_state.to_owned()),
            ("state", request.state.to_owned()),
            ("approval", approval.to_owned()),
            ("short_description", request.short_description.to_owned()),
        ];
        insert(db, Table::ScRequest, admin, &values, opened);
        let values = [
            ("sys_id", request.item_sys_id.to_owned()),
            ("number", request.item_number.to_owned()),
            ("request", request.sys_id.to_owned()),
            ("requested_for", request.requested_for.to_owned()),
            ("opened_by", request.requested_for.to_owned()),
            ("stage", request.stage.to_owned()),
            ("state", request.item_state.to_owned()),
            ("approval", approval.to_owned()),
            ("short_description", request.short_description.to_owned()),
        ];
        insert(db, Table::ScReqItem, admin, &values, opened);
    }
}

/// Adds the changes.
pub(crate) fn seed_changes(db: &mut Database, admin: &User) {
    for ((state, short_description), change_number) in CHANGES.into_iter().zip(1_i64..) {
        let opened = SEEDED_AT + 3600 * change_number;
        let mut values = vec![
            (
                "sys_id",
                format!("c286d61347c12200e0ef563dbb9a71d{change_number}"),
            ),
            ("number", format!("CHG{change_number:07}")),
            ("state", state.to_owned()),
            ("short_description", short_description.to_owned()),
            ("requested_by", BETH_ANGLIN_SYS_ID.to_owned()),
            (
                "assignment_group",
                "287ebd7da9fe198100f92cc8d1d2154e".to_owned(),
            ),
            ("assigned_to", DON_GOODLIFFE_SYS_ID.to_owned()),
        ];
        if state == "3" {
            values.push(("close_code", "successful".to_owned()));
            values.push(("close_notes", "Completed as planned.".to_owned()));
        }
        insert(db, Table::ChangeRequest, admin, &values, opened);
    }
}

/// A request, its one item, and the states they are in.
struct SeedRequest {
    sys_id: &'static str,
    number: &'static str,
    requested_for: &'static str,
    request_state: &'static str,
    state: &'static str,
    item_sys_id: &'static str,
    item_number: &'static str,
    stage: &'static str,
    item_state: &'static str,
    short_description: &'static str,
}

const REQUESTS: [SeedRequest; 8] = [
    SeedRequest {
        sys_id: "d71f7935c0a8016700802b64c67c11c6",
        number: "REQ0000001",
        requested_for: ABEL_TUTER_SYS_ID,
        request_state: "in_process",
        state: "1",
        item_sys_id: "aeed229047801200e0ef563dbb9a71c2",
        item_number: "RITM0000001",
        stage: "fulfillment",
        item_state: "2",
        short_description: "New laptop",
    },
    SeedRequest {
        sys_id: "d71da88ac0a801670061eabfe4b28f77",
        number: "REQ0000002",
        requested_for: ABEL_TUTER_SYS_ID,
        request_state: "closed_complete",
        state: "3",
        item_sys_id: "aeed229047801200e0ef563dbb9a71c3",
        item_number: "RITM0000002",
        stage: "complete",
        item_state: "3",
        short_description: "Wireless mouse",
    },
    SeedRequest {
        sys_id: "d7158da0c0a8016700eef46c8d1f3661",
        number: "REQ0000003",
        requested_for: DAVID_MILLER_SYS_ID,
        request_state: "requested",
        state: "-5",
        item_sys_id: "aeed229047801200e0ef563dbb9a71c4",
        item_number: "RITM0000003",
        stage: "waiting_for_approval",
        item_state: "-5",
        short_description: "Adobe Acrobat licence",
    },
    // With the three above, requests and items in every task state: Pending, Open, Work in
    // Progress, Closed Complete, Closed Incomplete, Closed Skipped.
    SeedRequest {
        sys_id: "d7195b3ac0a8016700b3b10c9a1f2a01",
        number: "REQ0000004",
        requested_for: FRED_LUDDY_SYS_ID,
        request_state: "in_process",
        state: "2",
        item_sys_id: "aeed229047801200e0ef563dbb9a71c5",
        item_number: "RITM0000004",
        stage: "fulfillment",
        item_state: "1",
        short_description: "Second monitor",
    },
    SeedRequest {
        sys_id: "d7195b3ac0a8016700b3b10c9a1f2a02",
        number: "REQ0000005",
        requested_for: DON_GOODLIFFE_SYS_ID,
        request_state: "closed_incomplete",
        state: "4",
        item_sys_id: "aeed229047801200e0ef563dbb9a71c6",
        item_number: "RITM0000005",
        stage: "Request Cancelled",
        item_state: "4",
        short_description: "Standing desk",
    },
    SeedRequest {
        sys_id: "d7195b3ac0a8016700b3b10c9a1f2a03",
        number: "REQ0000006",
        requested_for: CHARLIE_WHITHERSPOON_SYS_ID,
        request_state: "closed_skipped",
        state: "7",
        item_sys_id: "aeed229047801200e0ef563dbb9a71c7",
        item_number: "RITM0000006",
        stage: "complete",
        item_state: "7",
        short_description: "Mobile phone upgrade",
    },
    // And with these two, requests in every request state: a cancelled and a rejected request,
    // both closed incomplete.
    SeedRequest {
        sys_id: "d7195b3ac0a8016700b3b10c9a1f2a04",
        number: "REQ0000007",
        requested_for: DAVID_MILLER_SYS_ID,
        request_state: "closed_cancelled",
        state: "4",
        item_sys_id: "aeed229047801200e0ef563dbb9a71c8",
        item_number: "RITM0000007",
        stage: "Request Cancelled",
        item_state: "4",
        short_description: "Conference room camera",
    },
    SeedRequest {
        sys_id: "d7195b3ac0a8016700b3b10c9a1f2a05",
        number: "REQ0000008",
        requested_for: CHARLIE_WHITHERSPOON_SYS_ID,
        request_state: "closed_rejected",
        state: "4",
        item_sys_id: "aeed229047801200e0ef563dbb9a71c9",
        item_number: "RITM0000008",
        stage: "Request Cancelled",
        item_state: "4",
        short_description: "Personal printer",
    },
];

/// One change in every state of the change model.
const CHANGES: [(&str, &str); 8] = [
    ("-5", "Upgrade core switch firmware"),
    ("-4", "Add a second VPN concentrator"),
    ("-3", "Rotate the mail server certificate"),
    ("-2", "Patch the SAP application servers"),
    ("-1", "Migrate the shared drive to new storage"),
    ("0", "Replace third-floor printers"),
    ("3", "Decommission the old file server"),
    ("4", "Move the data centre to the cloud"),
];
