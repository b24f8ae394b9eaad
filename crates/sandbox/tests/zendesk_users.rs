//! The Zendesk account's user writes, its brand, organization and custom roles, and the search
//! export, over real HTTP: every case is a request and what the reply must hold, read by JSON
//! pointer.

mod common;

use reqwest::Method;
use serde_json::{json, Value};

use crate::common::zendesk::{
    check, delete, get, ids, post, put, send, User, ADMIN, AGENT, END_USER, NOT_FOUND,
};
use crate::common::{OrderedKeys, Sandbox, ZENDESK_ADMIN_ID, ZENDESK_AGENT_ID, ZENDESK_USER_ID};

const ADMIN_ROLE_ID: u64 = 360_000_000_003;
const STAFF_ROLE_ID: u64 = 360_000_000_004;
const LIGHT_AGENT_ROLE_ID: u64 = 360_000_000_007;
const BRAND_ID: u64 = 360_000_000_001;
const ORGANIZATION_ID: u64 = 30_001;
const SUPPORT_GROUP_ID: u64 = 40_001;

async fn create_user(sandbox: &Sandbox, user: Value) -> u64 {
    let created = check(
        sandbox,
        post(ADMIN, "/api/v2/users.json"),
        Some(json!({ "user": user })),
        201,
        &[],
    )
    .await;
    created["user"]["id"].as_u64().expect("an id")
}

#[tokio::test]
async fn admins_create_users_as_recorded() {
    let sandbox = Sandbox::start_zendesk().await;
    // Recorded `TestUsersPagination`: a name alone makes an unverified end user.
    let reply = send(
        &sandbox,
        Method::POST,
        ADMIN,
        "/api/v2/users.json",
        Some(json!({"user": {"name": "testUser100"}})),
    )
    .await;
    assert_eq!(reply.status.as_u16(), 201, "{}", reply.text);
    let user = &reply.json()["user"];
    let user_id = user["id"].as_u64().expect("an id");
    assert_eq!(
        reply.header("location"),
        Some(format!("{}/api/v2/users/{user_id}.json", sandbox.url).as_str())
    );
    assert_eq!(
        reply.header("content-type"),
        Some("application/json; charset=utf-8")
    );
    for (pointer, value) in [
        ("/name", json!("testUser100")),
        ("/email", Value::Null),
        ("/role", json!("end-user")),
        ("/verified", json!(false)),
        ("/active", json!(true)),
        ("/custom_role_id", Value::Null),
        ("/role_type", Value::Null),
        ("/ticket_restriction", json!("requested")),
    ] {
        assert_eq!(user.pointer(pointer), Some(&value), "{pointer} in {user}");
    }
    check(
        &sandbox,
        get(AGENT, &format!("/api/v2/users/{user_id}.json")),
        None,
        200,
        &[("/user/name", json!("testUser100"))],
    )
    .await;
    // Agents get a custom role of their own kind and the default group; admins the admin role.
    check(
        &sandbox,
        post(ADMIN, "/api/v2/users"),
        Some(
            json!({"user": {"name": "Nia Agent", "email": "nia@example.com", "role": "agent",
                             "organization_id": ORGANIZATION_ID, "verified": true}}),
        ),
        201,
        &[
            ("/user/role", json!("agent")),
            ("/user/custom_role_id", json!(STAFF_ROLE_ID)),
            ("/user/role_type", json!(0)),
            ("/user/default_group_id", json!(SUPPORT_GROUP_ID)),
            ("/user/organization_id", json!(ORGANIZATION_ID)),
            ("/user/verified", json!(true)),
        ],
    )
    .await;
    check(
        &sandbox,
        post(ADMIN, "/api/v2/users"),
        Some(json!({"user": {"name": "Lu Light", "role": "agent",
                             "custom_role_id": LIGHT_AGENT_ROLE_ID}})),
        201,
        &[
            ("/user/custom_role_id", json!(LIGHT_AGENT_ROLE_ID)),
            ("/user/role_type", json!(1)),
        ],
    )
    .await;
    check(
        &sandbox,
        post(ADMIN, "/api/v2/users"),
        Some(json!({"user": {"name": "Abe Admin", "role": "admin"}})),
        201,
        &[
            ("/user/custom_role_id", json!(ADMIN_ROLE_ID)),
            ("/user/role_type", json!(4)),
            ("/user/moderator", json!(true)),
        ],
    )
    .await;
}

#[tokio::test]
async fn creating_users_is_refused_as_zendesk_refuses_it() {
    let sandbox = Sandbox::start_zendesk().await;
    let cases: [(User, Value, u16, &str); 7] = [
        // node-zendesk issue 3.
        (
            ADMIN,
            json!({"user": {"email": "no-name@example.com"}}),
            422,
            r#"{"error":"RecordInvalid","description":"Record validation errors","details":{"name":[{"description":"Name: is too short (minimum is 1 characters)"}]}}"#,
        ),
        // zendesk/zendesk_api_client_rb PR 477; addresses compare without case.
        (
            ADMIN,
            json!({"user": {"name": "Twin", "email": "USER@example.com"}}),
            422,
            r#"{"error":"RecordInvalid","description":"Record validation errors","details":{"email":[{"description":"Email: USER@example.com is already being used by another user","error":"DuplicateValue"}]}}"#,
        ),
        (
            ADMIN,
            json!({"user": {"name": "Lost", "organization_id": 1}}),
            422,
            r#"{"error":"RecordInvalid","description":"Record validation errors","details":{"organization_id":[{"description":"Organization: is invalid"}]}}"#,
        ),
        (
            ADMIN,
            json!({"user": {"name": "Boss", "role": "agent", "custom_role_id": ADMIN_ROLE_ID}}),
            422,
            r#"{"error":"RecordInvalid","description":"Record validation errors","details":{"custom_role_id":[{"description":"Custom role: is invalid"}]}}"#,
        ),
        (
            ADMIN,
            json!({"name": "no envelope"}),
            400,
            r#"{"error":"InvalidValue","description":"the body needs a user object"}"#,
        ),
        // CreateUser is for admins and agents in custom roles allowed to manage users.
        (
            AGENT,
            json!({"user": {"name": "Not allowed"}}),
            403,
            r#"{"error":"Forbidden","description":"You do not have access to this page. Please contact the account owner of this help desk for further help."}"#,
        ),
        (
            END_USER,
            json!({"user": {"name": "Not allowed"}}),
            403,
            r#"{"error":"Forbidden","description":"You do not have access to this page. Please contact the account owner of this help desk for further help."}"#,
        ),
    ];
    for (user, body, status, expected) in cases {
        let reply = send(
            &sandbox,
            Method::POST,
            user,
            "/api/v2/users.json",
            Some(body),
        )
        .await;
        assert_eq!(reply.status.as_u16(), status, "{}", reply.text);
        assert_eq!(reply.text, expected);
    }
}

#[tokio::test]
async fn admins_update_users() {
    let sandbox = Sandbox::start_zendesk().await;
    let user_id = create_user(&sandbox, json!({"name": "Pat", "email": "pat@example.com"})).await;
    let path = format!("/api/v2/users/{user_id}.json");
    check(
        &sandbox,
        put(ADMIN, &path),
        Some(json!({"user": {"name": "Pat Agent", "role": "agent", "external_id": "P-1"}})),
        200,
        &[
            ("/user/name", json!("Pat Agent")),
            ("/user/email", json!("pat@example.com")),
            ("/user/role", json!("agent")),
            ("/user/custom_role_id", json!(STAFF_ROLE_ID)),
            ("/user/external_id", json!("P-1")),
        ],
    )
    .await;
    // Back to end user: no custom role and no default group.
    check(
        &sandbox,
        put(ADMIN, &path),
        Some(json!({"user": {"role": "end-user", "email": null}})),
        200,
        &[
            ("/user/role", json!("end-user")),
            ("/user/custom_role_id", Value::Null),
            ("/user/default_group_id", Value::Null),
            ("/user/email", Value::Null),
        ],
    )
    .await;
    check(
        &sandbox,
        put(ADMIN, &path),
        Some(json!({"user": {"email": "agent@example.com"}})),
        422,
        &[("/details/email/0/error", json!("DuplicateValue"))],
    )
    .await;
    check(
        &sandbox,
        put(ADMIN, "/api/v2/users/99999.json"),
        Some(json!({"user": {"name": "Nobody"}})),
        404,
        &[("/error", json!("RecordNotFound"))],
    )
    .await;
    check(
        &sandbox,
        put(AGENT, &path),
        Some(json!({"user": {"name": "Not allowed"}})),
        403,
        &[("/error", json!("Forbidden"))],
    )
    .await;
}

#[tokio::test]
async fn deleting_a_user_keeps_it_inactive() {
    let sandbox = Sandbox::start_zendesk().await;
    let user_id = create_user(&sandbox, json!({"name": "Dee", "email": "dee@example.com"})).await;
    let path = format!("/api/v2/users/{user_id}.json");
    let reply = send(
        &sandbox,
        Method::DELETE,
        ADMIN,
        &path,
        Some(json!({"user": {"id": user_id}})),
    )
    .await;
    assert_eq!(reply.status.as_u16(), 200, "{}", reply.text);
    assert_eq!(reply.json()["user"]["active"], false);
    assert_eq!(
        reply.header("x-zendesk-api-warn"),
        Some(
            r#"{:allowed_parameters=>{:controller=>"users", :action=>"destroy", :unpermitted_keys=>["user.id", "user"], :invalid_values=>[]}}"#
        )
    );
    check(
        &sandbox,
        get(ADMIN, &path),
        None,
        200,
        &[("/user/active", json!(false))],
    )
    .await;
    let listed = check(&sandbox, get(ADMIN, "/api/v2/users.json"), None, 200, &[]).await;
    assert!(!ids(&listed, "users").contains(&user_id), "{listed}");
    let found = check(
        &sandbox,
        get(ADMIN, "/api/v2/users/search.json?query=dee"),
        None,
        200,
        &[],
    )
    .await;
    assert_eq!(found["count"], 0);
    // Deleting again, or a user that never was, is the recorded 404 (recorded
    // `TestUserCreateUpdateDelete.test_single_delete_raises_recordnotfoundexception`).
    for missing in [
        path.clone(),
        "/api/v2/users/9223372036854775807.json".to_owned(),
    ] {
        let reply = send(
            &sandbox,
            Method::DELETE,
            ADMIN,
            &missing,
            Some(json!({"user": {"id": 9_223_372_036_854_775_807_u64}})),
        )
        .await;
        assert_eq!(reply.status.as_u16(), 404);
        assert_eq!(reply.text, NOT_FOUND);
        assert_eq!(
            reply.header("x-zendesk-api-warn"),
            Some(
                r#"{:allowed_parameters=>{:controller=>"users", :action=>"destroy", :unpermitted_keys=>["user.id", "user"], :invalid_values=>[]}}"#
            )
        );
    }
    check(
        &sandbox,
        delete(AGENT, &format!("/api/v2/users/{ZENDESK_USER_ID}.json")),
        None,
        403,
        &[("/error", json!("Forbidden"))],
    )
    .await;
    // A deleted user no longer signs in, and its address is free again.
    check(
        &sandbox,
        delete(ADMIN, &format!("/api/v2/users/{ZENDESK_USER_ID}.json")),
        None,
        200,
        &[("/user/active", json!(false))],
    )
    .await;
    check(
        &sandbox,
        get(END_USER, "/api/v2/users/me.json"),
        None,
        401,
        &[("/error", json!("Couldn't authenticate you"))],
    )
    .await;
    create_user(
        &sandbox,
        json!({"name": "Uma Again", "email": "user@example.com"}),
    )
    .await;
    // Assigning a ticket to a deleted agent fails like assigning it to nobody.
    check(
        &sandbox,
        delete(ADMIN, &format!("/api/v2/users/{ZENDESK_AGENT_ID}.json")),
        None,
        200,
        &[],
    )
    .await;
    check(
        &sandbox,
        put(ADMIN, "/api/v2/tickets/1.json"),
        Some(json!({"ticket": {"assignee_id": ZENDESK_AGENT_ID}})),
        422,
        &[(
            "/details/assignee/0/description",
            json!("Assignee: is invalid"),
        )],
    )
    .await;
}

#[tokio::test]
async fn destroy_many_deletes_users_in_a_job() {
    let sandbox = Sandbox::start_zendesk().await;
    let mut user_ids = Vec::new();
    for name in ["testUser100", "testUser101"] {
        user_ids.push(create_user(&sandbox, json!({ "name": name })).await);
    }
    let ids_param: Vec<String> = user_ids.iter().map(u64::to_string).collect();
    // Recorded `TestUsersPagination` tear-down: zenpy sends the users too, named in the warning.
    let reply = send(
        &sandbox,
        Method::DELETE,
        ADMIN,
        &format!(
            "/api/v2/users/destroy_many.json?ids={},99999",
            ids_param.join(",")
        ),
        Some(json!({"users": [{"id": user_ids[0], "name": "testUser100"}]})),
    )
    .await;
    assert_eq!(reply.status.as_u16(), 200, "{}", reply.text);
    assert_eq!(
        reply.header("x-zendesk-api-warn"),
        Some(
            r#"{:allowed_parameters=>{:controller=>"users", :action=>"destroy_many", :unpermitted_keys=>["users"], :invalid_values=>[]}}"#
        )
    );
    let job = &reply.json()["job_status"];
    assert_eq!(job["job_type"], "Bulk Update User");
    assert_eq!(job["status"], "queued");
    assert_eq!(job["total"], 3);
    let job_id = job["id"].as_str().expect("a job id");
    check(
        &sandbox,
        get(ADMIN, &format!("/api/v2/job_statuses/{job_id}.json")),
        None,
        200,
        &[
            ("/job_status/status", json!("completed")),
            ("/job_status/results", json!({"success": true})),
        ],
    )
    .await;
    for user_id in &user_ids {
        check(
            &sandbox,
            get(ADMIN, &format!("/api/v2/users/{user_id}.json")),
            None,
            200,
            &[("/user/active", json!(false))],
        )
        .await;
    }
    let too_many: Vec<String> = (1..=101).map(|id| id.to_string()).collect();
    check(
        &sandbox,
        delete(
            ADMIN,
            &format!("/api/v2/users/destroy_many.json?ids={}", too_many.join(",")),
        ),
        None,
        400,
        &[("/error", json!("TooManyValues"))],
    )
    .await;
    check(
        &sandbox,
        delete(AGENT, "/api/v2/users/destroy_many.json?ids=10003"),
        None,
        403,
        &[("/error", json!("Forbidden"))],
    )
    .await;
}

#[tokio::test]
async fn create_or_update_finds_users_by_address_or_external_id() {
    let sandbox = Sandbox::start_zendesk().await;
    let created = send(
        &sandbox,
        Method::POST,
        ADMIN,
        "/api/v2/users/create_or_update.json",
        Some(json!({"user": {"name": "Kim", "email": "kim@example.com", "external_id": "K-7"}})),
    )
    .await;
    assert_eq!(created.status.as_u16(), 201, "{}", created.text);
    let user_id = created.json()["user"]["id"].as_u64().expect("an id");
    let location = format!("{}/api/v2/users/{user_id}.json", sandbox.url);
    assert_eq!(created.header("location"), Some(location.as_str()));
    for body in [
        json!({"user": {"name": "Kim Lee", "email": "KIM@example.com"}}),
        json!({"user": {"name": "Kim Lee", "external_id": "k-7"}}),
    ] {
        let updated = send(
            &sandbox,
            Method::POST,
            ADMIN,
            "/api/v2/users/create_or_update",
            Some(body),
        )
        .await;
        assert_eq!(updated.status.as_u16(), 200, "{}", updated.text);
        assert_eq!(updated.header("location"), Some(location.as_str()));
        assert_eq!(updated.json()["user"]["id"], user_id);
        assert_eq!(updated.json()["user"]["name"], "Kim Lee");
    }
}

#[tokio::test]
async fn users_and_tickets_point_at_the_seeded_settings() {
    let sandbox = Sandbox::start_zendesk().await;
    let admin = check(
        &sandbox,
        get(ADMIN, &format!("/api/v2/users/{ZENDESK_ADMIN_ID}.json")),
        None,
        200,
        &[
            ("/user/custom_role_id", json!(ADMIN_ROLE_ID)),
            ("/user/role_type", json!(4)),
            ("/user/organization_id", json!(ORGANIZATION_ID)),
        ],
    )
    .await;
    check(
        &sandbox,
        get(ADMIN, &format!("/api/v2/users/{ZENDESK_AGENT_ID}.json")),
        None,
        200,
        &[
            ("/user/custom_role_id", json!(STAFF_ROLE_ID)),
            ("/user/role_type", json!(0)),
        ],
    )
    .await;
    // A ticket the admin files carries the admin's organization and the brand, as recorded.
    let created = check(
        &sandbox,
        post(ADMIN, "/api/v2/tickets.json"),
        Some(json!({"ticket": {"subject": "test", "description": "test"}})),
        201,
        &[("/ticket/requester_id", json!(ZENDESK_ADMIN_ID))],
    )
    .await;
    let organization_id = created["ticket"]["organization_id"].as_u64();
    let brand_id = created["ticket"]["brand_id"].as_u64();
    assert_eq!(organization_id, admin["user"]["organization_id"].as_u64());
    check(
        &sandbox,
        get(
            ADMIN,
            &format!("/api/v2/brands/{}.json", brand_id.expect("a brand")),
        ),
        None,
        200,
        &[
            ("/brand/id", json!(BRAND_ID)),
            ("/brand/default", json!(true)),
            ("/brand/brand_url", json!(sandbox.url)),
        ],
    )
    .await;
    check(
        &sandbox,
        get(
            AGENT,
            &format!(
                "/api/v2/organizations/{}.json",
                organization_id.expect("an organization")
            ),
        ),
        None,
        200,
        &[
            ("/organization/id", json!(ORGANIZATION_ID)),
            ("/organization/domain_names", json!(["example.com"])),
        ],
    )
    .await;
}

#[tokio::test]
async fn brands_organizations_and_custom_roles_are_listed_and_shown() {
    let sandbox = Sandbox::start_zendesk().await;
    check(
        &sandbox,
        get(AGENT, "/api/v2/brands.json"),
        None,
        200,
        &[
            ("/brands/0/id", json!(BRAND_ID)),
            ("/count", json!(1)),
            ("/next_page", Value::Null),
        ],
    )
    .await;
    check(
        &sandbox,
        get(AGENT, "/api/v2/organizations.json?page[size]=1"),
        None,
        200,
        &[
            ("/organizations/0/id", json!(ORGANIZATION_ID)),
            ("/meta/has_more", json!(false)),
        ],
    )
    .await;
    let roles = check(
        &sandbox,
        get(AGENT, "/api/v2/custom_roles.json"),
        None,
        200,
        &[
            ("/custom_roles/0/name", json!("Admin")),
            ("/custom_roles/0/team_member_count", json!(1)),
            ("/custom_roles/1/name", json!("Staff")),
            ("/custom_roles/1/team_member_count", json!(1)),
        ],
    )
    .await;
    assert_eq!(
        roles.as_object().map(|object| object.len()),
        Some(1),
        "custom roles come without paging: {roles}"
    );
    let names: Vec<&str> = roles["custom_roles"]
        .as_array()
        .expect("roles")
        .iter()
        .filter_map(|role| role["name"].as_str())
        .collect();
    assert_eq!(
        names,
        ["Admin", "Staff", "Team Leader", "Advisor", "Light Agent"]
    );
    // The admin role as recorded, with the recorded key order.
    let reply = send(
        &sandbox,
        Method::GET,
        ADMIN,
        &format!("/api/v2/custom_roles/{ADMIN_ROLE_ID}.json"),
        None,
    )
    .await;
    assert_eq!(reply.status.as_u16(), 200, "{}", reply.text);
    let configuration = r#""configuration":{"chat_access":true,"end_user_list_access":"full","forum_access_restricted_content":false,"light_agent":false,"manage_business_rules":true,"manage_dynamic_content":true,"manage_extensions_and_channels":true,"manage_facebook":true,"moderate_forums":false,"side_conversation_create":true,"ticket_access":"all","ticket_comment_access":"public","ticket_deletion":true,"ticket_tag_editing":true,"twitter_search_access":false,"view_deleted_tickets":true,"voice_access":true,"group_access":true,"organization_editing":true,"organization_notes_editing":true,"assign_tickets_to_any_group":true,"end_user_profile_access":"full","explore_access":"full","forum_access":"full","macro_access":"full","report_access":"full","ticket_editing":true,"ticket_merge":true,"user_view_access":"full","view_access":"full","voice_dashboard_access":true,"manage_automations":true,"manage_contextual_workspaces":true,"manage_organization_fields":true,"manage_skills":true,"manage_slas":true,"manage_ticket_fields":true,"manage_ticket_forms":true,"manage_user_fields":true,"ticket_redaction":true,"manage_roles":"all","manage_groups":true,"manage_group_memberships":true,"manage_organizations":true,"manage_suspended_tickets":true,"manage_triggers":true},"team_member_count":1}}"#;
    assert!(
        reply.text.starts_with(&format!(
            r#"{{"custom_role":{{"id":{ADMIN_ROLE_ID},"name":"Admin","description":"Can manage all settings, except billing","role_type":4,"#
        )),
        "{}",
        reply.text
    );
    assert!(reply.text.ends_with(configuration), "{}", reply.text);
    // Showing a role is for admins and agents allowed to manage roles.
    check(
        &sandbox,
        get(AGENT, &format!("/api/v2/custom_roles/{ADMIN_ROLE_ID}.json")),
        None,
        403,
        &[("/error", json!("Forbidden"))],
    )
    .await;
    for missing in [
        "/api/v2/custom_roles/1.json",
        "/api/v2/brands/1.json",
        "/api/v2/organizations/1.json",
    ] {
        let reply = send(&sandbox, Method::GET, ADMIN, missing, None).await;
        assert_eq!(reply.status.as_u16(), 404, "{missing}");
        assert_eq!(reply.text, NOT_FOUND);
    }
    for agents_only in [
        "/api/v2/brands.json",
        "/api/v2/organizations.json",
        "/api/v2/custom_roles.json",
    ] {
        check(
            &sandbox,
            get(END_USER, agents_only),
            None,
            403,
            &[("/error", json!("Forbidden"))],
        )
        .await;
    }
}

#[tokio::test]
async fn the_search_export_walks_users_newest_first() {
    let sandbox = Sandbox::start_zendesk().await;
    let newest = create_user(&sandbox, json!({"name": "Newest"})).await;
    // Recorded `TestUserSearchExportApi.test_cbp_small_iterations`.
    let query = "created_at%3E%3D2023-09-14T00%3A39%3A54Z%20type%3Auser";
    let first_path =
        format!("/api/v2/search/export.json?page%5Bsize%5D=1&query={query}&filter%5Btype%5D=user");
    let first = check(
        &sandbox,
        get(AGENT, &first_path),
        None,
        200,
        &[
            ("/results/0/id", json!(newest)),
            ("/results/0/result_type", json!("user")),
            ("/facets", Value::Null),
            ("/meta/has_more", json!(true)),
            ("/meta/before_cursor", Value::Null),
            ("/links/prev", Value::Null),
        ],
    )
    .await;
    let reply = send(&sandbox, Method::GET, AGENT, &first_path, None).await;
    let keys: OrderedKeys = serde_json::from_str(&reply.text).expect("an export page");
    assert_eq!(keys.0, ["results", "facets", "meta", "links"]);
    // Following `links.next` walks every user once; the seeded ones share a creation time and
    // come by id.
    let mut walked = ids(&first, "results");
    let mut next = first["links"]["next"].as_str().map(str::to_owned);
    while let Some(url) = next {
        assert!(
            url.contains("filter%5Btype%5D=user&page%5Bafter%5D="),
            "{url}"
        );
        let path = url.replacen(&sandbox.url, "", 1);
        let page = check(&sandbox, get(AGENT, &path), None, 200, &[]).await;
        walked.extend(ids(&page, "results"));
        next = page["links"]["next"].as_str().map(str::to_owned);
    }
    assert_eq!(walked, [newest, 10_001, 10_002, 10_003, 10_004]);
    // Times, dates and other terms narrow the results.
    for (query, expected) in [
        ("created_at>2024-01-01T00:00:00Z type:user", vec![newest]),
        ("created<2024-01-01 role:agent", vec![ZENDESK_AGENT_ID]),
        ("email:user@example.com", vec![ZENDESK_USER_ID]),
        ("type:ticket", vec![]),
    ] {
        let encoded = flare_core::http::encode_component(query);
        let page = check(
            &sandbox,
            get(
                AGENT,
                &format!("/api/v2/search/export.json?filter[type]=user&query={encoded}"),
            ),
            None,
            200,
            &[],
        )
        .await;
        assert_eq!(ids(&page, "results"), expected, "{query}");
    }
}

#[tokio::test]
async fn the_search_export_reads_recorded_cursors_and_tickets() {
    let sandbox = Sandbox::start_zendesk().await;
    // The recorded cursor is after a user made on 2023-09-18: the seeded users are newer.
    let recorded = "eyJmaWVsZCI6ImNyZWF0ZWRfYXQiLCJkZXNjIjp0cnVlLCJ0aWVCcmVha0ZpZWxkIjoiaWQiLCJ0aWVCcmVha0Rlc2MiOmZhbHNlLCJzb3J0VmFsdWVzIjpbMTY5NTA2OTM2NDAwMCw3NTg5NTA0MzU0ODEzXSwiZXhwb3J0ZWRUaHVzRmFyIjoxLCJzZXNzaW9uU3RhcnQiOjE3MTU2MTM4MjA4NTksImNyZWF0ZWRBdCI6MTcxNTYxMzgyMDg3NSwic2FsdGVkUmVxdWVzdEhhc2giOjIxMzkxMTc5NjgsInNhbHRlZEN1cnNvckhhc2giOi0xNjg2NjI5NDR9";
    check(
        &sandbox,
        get(
            AGENT,
            &format!("/api/v2/search/export.json?filter%5Btype%5D=user&page%5Bafter%5D={recorded}&page%5Bsize%5D=1&query=type%3Auser"),
        ),
        None,
        200,
        &[
            ("/results", json!([])),
            ("/meta/has_more", json!(false)),
            ("/links/next", Value::Null),
        ],
    )
    .await;
    let tickets = check(
        &sandbox,
        get(
            AGENT,
            "/api/v2/search/export.json?filter[type]=ticket&query=status:new&page[size]=1000",
        ),
        None,
        200,
        &[("/results/0/result_type", json!("ticket"))],
    )
    .await;
    assert_eq!(ids(&tickets, "results"), [2, 1]);
    for (user, path, status, error) in [
        (
            AGENT,
            "/api/v2/search/export.json?query=type:user",
            400,
            "InvalidValue",
        ),
        (
            AGENT,
            "/api/v2/search/export.json?filter[type]=organization&query=acme",
            400,
            "InvalidValue",
        ),
        (
            AGENT,
            "/api/v2/search/export.json?filter[type]=user",
            400,
            "InvalidValue",
        ),
        (
            END_USER,
            "/api/v2/search/export.json?filter[type]=user&query=type:user",
            403,
            "Forbidden",
        ),
    ] {
        check(
            &sandbox,
            get(user, path),
            None,
            status,
            &[("/error", json!(error))],
        )
        .await;
    }
    check(
        &sandbox,
        get(
            AGENT,
            "/api/v2/search/export.json?filter[type]=user&query=x&page[after]=bm9wZQ==",
        ),
        None,
        400,
        &[("/errors/0/code", json!("InvalidPaginationParameter"))],
    )
    .await;
}

#[tokio::test]
async fn the_incremental_export_hands_deleted_users_out_inactive() {
    let sandbox = Sandbox::start_zendesk().await;
    let user_id = create_user(&sandbox, json!({"name": "Short stay"})).await;
    check(
        &sandbox,
        delete(ADMIN, &format!("/api/v2/users/{user_id}.json")),
        None,
        200,
        &[],
    )
    .await;
    let export = check(
        &sandbox,
        get(ADMIN, "/api/v2/incremental/users/cursor.json?start_time=0"),
        None,
        200,
        &[],
    )
    .await;
    let deleted: Vec<&Value> = export["users"]
        .as_array()
        .expect("users")
        .iter()
        .filter(|user| user["id"] == user_id)
        .collect();
    assert_eq!(deleted.len(), 1, "{export}");
    assert_eq!(deleted[0]["active"], false);
}

#[tokio::test]
async fn agents_are_members_of_their_default_group() {
    let sandbox = Sandbox::start_zendesk().await;
    let agent_id = create_user(&sandbox, json!({"name": "New Agent", "role": "agent"})).await;
    let memberships_path = format!("/api/v2/users/{agent_id}/group_memberships.json");
    check(
        &sandbox,
        get(ADMIN, &memberships_path),
        None,
        200,
        &[
            ("/count", json!(1)),
            ("/group_memberships/0/group_id", json!(SUPPORT_GROUP_ID)),
            ("/group_memberships/0/default", json!(true)),
        ],
    )
    .await;

    // No longer an agent: no longer in any group.
    let user_path = format!("/api/v2/users/{agent_id}.json");
    check(
        &sandbox,
        put(ADMIN, &user_path),
        Some(json!({"user": {"role": "end-user"}})),
        200,
        &[("/user/default_group_id", Value::Null)],
    )
    .await;
    check(
        &sandbox,
        get(ADMIN, &memberships_path),
        None,
        200,
        &[("/count", json!(0))],
    )
    .await;
}
