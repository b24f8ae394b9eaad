use super::*;
use crate::actions::Viewer;
use crate::retry::{Attempt, CreateStep};
use crate::ticket::{PersonRef, StatusCategory, Timestamp};
use serde_json::{json, Value};
use std::collections::BTreeMap;

fn servicenow() -> ServiceNow {
    let instance = InstanceUrl::parse_servicenow("acme").expect("valid instance");
    ServiceNow::new(
        instance,
        Credentials::Basic {
            username: "abel.tuter".into(),
            password: "secret".into(),
        },
    )
}

fn json_response(status: u16, body: &str) -> HttpResponse {
    HttpResponse {
        status,
        headers: vec![(
            "Content-Type".into(),
            "application/json;charset=UTF-8".into(),
        )],
        body: body.as_bytes().to_vec(),
    }
}

fn check_error(response: HttpResponse, expected: CoreError) {
    assert_eq!(servicenow().parse_incident(&response), Err(expected));
}

#[test]
fn create_request_carries_fields_and_auth() {
    let request = servicenow().create_incident_request(&NewIncident {
        short_description: "Printer on fire".into(),
        description: "https://intranet/printers".into(),
        urgency: Level::High,
        impact: Level::Medium,
        caller_id: "62826bf03710200044e0bfc8bcbe5df1".into(),
        parent_incident: None,
    });
    assert_eq!(request.method, Method::Post);
    assert!(request
        .url
        .starts_with("https://acme.service-now.com/api/now/table/incident?sysparm_fields="));
    assert_eq!(
        request.header("authorization"),
        Some("Basic YWJlbC50dXRlcjpzZWNyZXQ=")
    );
    assert_eq!(request.header("content-type"), Some("application/json"));
    let body: Value =
        serde_json::from_str(request.body_text().expect("a body")).expect("json body");
    assert_eq!(
        body,
        json!({"short_description": "Printer on fire", "description": "https://intranet/printers",
               "urgency": "1", "impact": "2", "caller_id": "62826bf03710200044e0bfc8bcbe5df1"})
    );
}

#[test]
fn my_incidents_request_filters_by_caller_newest_first() {
    let request = servicenow().my_incidents_request("abc123", 20, 40);
    assert_eq!(request.method, Method::Get);
    assert!(
        request
            .url
            .contains("sysparm_query=caller_id%3Dabc123%5EORDERBYDESCsys_updated_on"),
        "{}",
        request.url
    );
    assert!(
        request.url.contains("sysparm_limit=20&sysparm_offset=40"),
        "{}",
        request.url
    );
    assert_eq!(request.body, None);
}

#[test]
fn parses_a_created_incident() {
    let response = json_response(
        201,
        r#"{"result":{"sys_id":"9925eceb4f33130058ae7e918110c7f2","number":"INC0010001","short_description":"Printer on fire",
            "description":"","state":"1","priority":"3","caller_id":"62826bf03710200044e0bfc8bcbe5df1",
            "assigned_to":"","sys_created_on":"2018-08-14 08:01:28","sys_updated_on":"2018-08-14 08:01:28"}}"#,
    );
    let ticket = servicenow().parse_incident(&response).expect("parses");
    assert_eq!(ticket.reference, "INC0010001");
    assert_eq!(ticket.title, "Printer on fire");
    assert_eq!(ticket.status.label, "New");
    assert_eq!(ticket.status.category, StatusCategory::Open);
    assert_eq!(ticket.priority.expect("priority").label, "3 - Moderate");
    assert_eq!(
        ticket.requester.expect("caller").id,
        "62826bf03710200044e0bfc8bcbe5df1"
    );
    assert_eq!(ticket.assignee, None);
    assert_eq!(
        ticket.updated.map(Timestamp::to_servicenow).as_deref(),
        Some("2018-08-14 08:01:28")
    );
    assert_eq!(
        ticket.web_link,
        "https://acme.service-now.com/incident.do?sys_id=9925eceb4f33130058ae7e918110c7f2"
    );
}

#[test]
fn parses_display_value_pairs_and_reference_links() {
    let response = json_response(
        200,
        r#"{"result":[{"sys_id":{"display_value":"a1","value":"a1"},"number":{"display_value":"INC0000002","value":"INC0000002"},
            "state":{"display_value":"In Progress","value":"2"},"priority":{"display_value":"1 - Critical","value":"1"},
            "caller_id":{"display_value":"Abel Tuter","link":"https://acme.service-now.com/api/now/table/sys_user/62","value":"62"},
            "assigned_to":{"link":"https://acme.service-now.com/api/now/table/sys_user/46","value":"46"}}]}"#,
    );
    let page = servicenow()
        .parse_incident_page(&response, 20, 0)
        .expect("parses");
    let ticket = &page.items[0];
    assert_eq!(ticket.status.label, "In Progress");
    assert_eq!(
        ticket.priority.as_ref().expect("priority").label,
        "1 - Critical"
    );
    assert_eq!(
        ticket.requester,
        Some(PersonRef {
            id: "62".into(),
            name: Some("Abel Tuter".into())
        })
    );
    assert_eq!(
        ticket.assignee,
        Some(PersonRef {
            id: "46".into(),
            name: None
        })
    );
    assert_eq!(
        page.next_offset, None,
        "fewer than the limit means the last page"
    );
}

#[test]
fn paging_follows_total_count() {
    let mut response = json_response(200, r#"{"result":[{"sys_id":"a"},{"sys_id":"b"}]}"#);
    response.headers.push(("X-Total-Count".into(), "5".into()));
    let page = servicenow()
        .parse_incident_page(&response, 2, 2)
        .expect("parses");
    assert_eq!((page.total, page.next_offset), (Some(5), Some(4)));
    let last = servicenow()
        .parse_incident_page(&response, 2, 3)
        .expect("parses");
    assert_eq!(last.next_offset, None);
}

#[test]
fn finds_the_signed_in_user() {
    let response = json_response(
        200,
        r#"{"result":[{"sys_id":"62826bf03710200044e0bfc8bcbe5df1","user_name":"abel.tuter","name":"Abel Tuter","email":"abel.tuter@example.com"}]}"#,
    );
    let user = servicenow().parse_user(&response).expect("parses");
    assert_eq!(user.name, "Abel Tuter");
    assert_eq!(user.sys_id, "62826bf03710200044e0bfc8bcbe5df1");
    assert!(matches!(
        servicenow().parse_user(&json_response(200, r#"{"result":[]}"#)),
        Err(CoreError::NotFound { .. })
    ));
    let request = servicenow().current_user_request();
    assert!(
        request
            .url
            .contains("sysparm_query=sys_id%3Djavascript%3Ags.getUserID%28%29"),
        "{}",
        request.url
    );
}

#[test]
fn the_signed_in_users_roles_say_what_they_may_do() {
    let request = servicenow().current_roles_request();
    assert!(
        request.url.contains("sysparm_fields=roles"),
        "{}",
        request.url
    );
    let viewer = |roles: &str| {
        let body = format!(r#"{{"result":[{{"roles":"{roles}"}}]}}"#);
        servicenow().parse_viewer(&json_response(200, &body))
    };
    assert_eq!(viewer("").unwrap(), Viewer::Requester);
    assert_eq!(viewer("itil,knowledge").unwrap(), Viewer::Agent);
    assert_eq!(viewer("admin").unwrap(), Viewer::Admin);
    assert!(matches!(
        servicenow().parse_viewer(&json_response(200, r#"{"result":[]}"#)),
        Err(CoreError::NotFound { .. })
    ));
}

#[test]
fn errors_are_typed() {
    check_error(
        json_response(
            401,
            r#"{"error":{"detail":"Required to provide Auth information","message":"User Not Authenticated"},"status":"failure"}"#,
        ),
        CoreError::Unauthorized {
            message: "User Not Authenticated: Required to provide Auth information".into(),
        },
    );
    check_error(
        json_response(
            403,
            r#"{"error":{"detail":"Error during insert of incident (2135483521432)","message":"Operation Failed"},"status":"failure"}"#,
        ),
        CoreError::Forbidden {
            message: "Operation Failed: Error during insert of incident (2135483521432)".into(),
        },
    );
    check_error(
        json_response(
            404,
            r#"{"error":{"detail":"Record doesn't exist or ACL restricts the record retrieval","message":"No Record found"},"status":"failure"}"#,
        ),
        CoreError::NotFound {
            message: "No Record found: Record doesn't exist or ACL restricts the record retrieval"
                .into(),
        },
    );
    let mut limited = json_response(
        429,
        r#"{"error":{"message":"Rate limit exceeded","detail":"x"},"status":"failure"}"#,
    );
    limited.headers.push(("Retry-After".into(), "42".into()));
    check_error(
        limited,
        CoreError::RateLimited {
            retry_after_secs: Some(42),
        },
    );
    check_error(
        json_response(503, "oops"),
        CoreError::Server { status: 503 },
    );
    check_error(
        json_response(200, "{not json"),
        CoreError::Malformed {
            message: "key must be a string at line 1 column 2".into(),
        },
    );
    check_error(
        json_response(201, ""),
        CoreError::Malformed {
            message: "the reply has no body".into(),
        },
    );
    check_error(
        json_response(200, r#"{"result":{"number":"INC1"}}"#),
        CoreError::Malformed {
            message: "the record has no sys_id".into(),
        },
    );
}

#[test]
fn html_pages_are_recognised() {
    let html = |body: &str| HttpResponse {
        status: 200,
        headers: vec![("Content-Type".into(), "text/html;charset=UTF-8".into())],
        body: body.as_bytes().to_vec(),
    };
    check_error(
        html("<html><title>Instance Hibernating page</title></html>"),
        CoreError::InstanceHibernating,
    );
    check_error(
        html("<html><form action=login.do></form></html>"),
        CoreError::NotAnApi,
    );
}

fn with_headers(mut response: HttpResponse, headers: &[(&str, &str)]) -> HttpResponse {
    response.headers.extend(
        headers
            .iter()
            .map(|(name, value)| (name.to_string(), value.to_string())),
    );
    response
}

#[test]
fn filters_become_encoded_queries() {
    let check = |filter: TicketFilter, table: Table, expected: &str| {
        assert_eq!(filter.to_query(table).to_string(), expected);
    };
    check(
        TicketFilter::default(),
        Table::Incident,
        "ORDERBYDESCsys_updated_on",
    );
    check(
        TicketFilter {
            states: vec!["1".into(), "2".into()],
            excluded_states: Vec::new(),
            requester: Some(crate::query::CURRENT_USER.into()),
            assigned_to: Some("46d44a".into()),
            assignment_groups: vec!["8a5055".into()],
            priorities: vec!["1".into()],
            updated_since: Timestamp::parse("2024-03-01 00:00:00"),
            text: Some(" vpn ".into()),
            active: Some(true),
            sort: TicketSort::UpdatedNewest,
        },
        Table::Incident,
        "active=true^stateIN1,2^caller_id=javascript:gs.getUserID()^assigned_to=46d44a^assignment_group=8a5055\
         ^priorityIN1^sys_updated_on>2024-03-01 00:00:00^numberLIKEvpn^ORshort_descriptionLIKEvpn\
         ^ORdescriptionLIKEvpn^ORDERBYDESCsys_updated_on",
    );
    check(
        TicketFilter {
            active: Some(false),
            excluded_states: vec!["6".into(), "7".into()],
            sort: TicketSort::Priority,
            ..TicketFilter::default()
        },
        Table::Incident,
        "active=false^stateNOT IN6,7^ORDERBYpriority^ORDERBYDESCsys_updated_on",
    );
    check(
        TicketFilter {
            sort: TicketSort::CreatedNewest,
            ..TicketFilter::default()
        },
        Table::Incident,
        "ORDERBYDESCsys_created_on",
    );
    check(
        TicketFilter {
            requester: Some("abc".into()),
            ..TicketFilter::default()
        },
        Table::Request,
        "requested_for=abc^ORDERBYDESCsys_updated_on",
    );
}

#[test]
fn list_requests_cap_the_page_size() {
    let request = servicenow().list_tickets_request(
        Table::ChangeRequest,
        &TicketFilter::default(),
        50_000,
        0,
    );
    assert!(request
        .url
        .starts_with("https://acme.service-now.com/api/now/table/change_request?"));
    assert!(
        request.url.contains("sysparm_limit=10000&"),
        "{}",
        request.url
    );
}

#[test]
fn next_page_comes_from_the_link_header() {
    let link = "<https://acme.service-now.com/api/now/table/incident?sysparm_offset=0&sysparm_limit=2>;rel=\"first\",\
                <https://acme.service-now.com/api/now/table/incident?sysparm_offset=-1&sysparm_limit=2>;rel=\"prev\",\
                <https://acme.service-now.com/api/now/table/incident?sysparm_offset=2&sysparm_limit=2>;rel=\"next\",\
                <https://acme.service-now.com/api/now/table/incident?sysparm_offset=4&sysparm_limit=2>;rel=\"last\"";
    let two = json_response(200, r#"{"result":[{"sys_id":"a"},{"sys_id":"b"}]}"#);
    let check = |response: &HttpResponse, offset: u64, expected: Option<u64>| {
        let page = servicenow()
            .parse_ticket_page(Table::Incident, response, 2, offset)
            .expect("parses");
        assert_eq!(page.next_offset, expected, "offset {offset}");
    };
    check(
        &with_headers(two.clone(), &[("Link", link), ("X-Total-Count", "5")]),
        0,
        Some(2),
    );
    // The last page: no next link, and the count agrees.
    let last_link = "<https://acme.service-now.com/api/now/table/incident?sysparm_offset=0&sysparm_limit=2>;rel=\"first\"";
    check(
        &with_headers(two.clone(), &[("Link", last_link), ("X-Total-Count", "6")]),
        4,
        None,
    );
    // Without headers: a full page may have more after it; a short one does not.
    check(&two, 0, Some(2));
    check(
        &json_response(200, r#"{"result":[{"sys_id":"a"}]}"#),
        0,
        None,
    );
    // A next link pointing at or behind the current offset is ignored.
    let stuck = "<https://acme.service-now.com/api/now/table/incident?sysparm_offset=2&sysparm_limit=2>;rel=\"next\"";
    check(&with_headers(two, &[("Link", stuck)]), 2, None);
}

#[test]
fn tickets_of_other_tables_use_their_own_states_and_requester() {
    let response = json_response(
        200,
        r#"{"result":{"sys_id":"r1","number":"REQ0010001","state":"2","requested_for":"62","short_description":"New laptop"}}"#,
    );
    let ticket = servicenow()
        .parse_ticket(Table::Request, &response)
        .expect("parses");
    assert_eq!(ticket.status.label, "Work in Progress");
    assert_eq!(ticket.requester.expect("requester").id, "62");
    assert_eq!(
        ticket.web_link,
        "https://acme.service-now.com/sc_request.do?sys_id=r1"
    );
}

#[test]
fn update_find_and_delete_requests() {
    let fields = [
        ("state".to_owned(), "6".to_owned()),
        ("close_code".to_owned(), "Solved (Permanently)".to_owned()),
    ]
    .into_iter()
    .collect();
    let update = servicenow().update_ticket_request(Table::Incident, "a1", &fields);
    assert_eq!(update.method, Method::Patch);
    assert!(update
        .url
        .starts_with("https://acme.service-now.com/api/now/table/incident/a1?"));
    let body: Value = serde_json::from_str(update.body_text().expect("body")).expect("json");
    assert_eq!(
        body,
        json!({"state": "6", "close_code": "Solved (Permanently)"})
    );

    let find = servicenow().find_by_number_request(Table::Incident, " INC0010001 ");
    assert!(
        find.url.contains("sysparm_query=number%3DINC0010001&"),
        "{}",
        find.url
    );
    let found = servicenow()
        .parse_found_ticket(Table::Incident, &json_response(200, r#"{"result":[]}"#))
        .expect("parses");
    assert_eq!(found, None);

    let delete = servicenow().delete_ticket_request(Table::Incident, "a1");
    assert_eq!(
        (delete.method, delete.body.is_none()),
        (Method::Delete, true)
    );
    let deleted = HttpResponse::new(204, vec![], Vec::new());
    assert_eq!(servicenow().parse_deleted(&deleted), Ok(()));
    let missing = json_response(
        404,
        r#"{"error":{"detail":"Record doesn't exist or ACL restricts the record retrieval","message":"No Record found"},"status":"failure"}"#,
    );
    assert!(matches!(
        servicenow().parse_deleted(&missing),
        Err(CoreError::NotFound { .. })
    ));
}

#[test]
fn journal_entries_read_and_write() {
    let request = servicenow().journal_request("a1", 100);
    assert!(
        request.url.contains("sysparm_query=element_id%3Da1%5EelementINcomments%2Cwork_notes%5EORDERBYsys_created_on"),
        "{}",
        request.url
    );
    let response = json_response(
        200,
        r#"{"result":[
            {"sys_id":"j1","element":"comments","element_id":"a1","value":"Still broken","sys_created_on":"2024-03-04 10:00:00","sys_created_by":"abel.tuter"},
            {"sys_id":"j2","element":"work_notes","element_id":"a1","value":"Checked the VPN logs","sys_created_on":"2024-03-04 11:00:00","sys_created_by":"beth.anglin"}]}"#,
    );
    let journal = servicenow().parse_journal(&response).expect("parses");
    assert_eq!(journal.len(), 2);
    assert_eq!(
        (journal[0].body.as_str(), journal[0].public),
        ("Still broken", true)
    );
    assert_eq!(
        (
            journal[1].author.as_ref().map(|author| author.id.as_str()),
            journal[1].public
        ),
        (Some("beth.anglin"), false)
    );

    let comment = servicenow().add_comment_request(Table::Incident, "a1", "Any news?", true);
    assert_eq!(comment.method, Method::Patch);
    assert_eq!(comment.body_text(), Some(r#"{"comments":"Any news?"}"#));
    let note = servicenow().add_comment_request(Table::Incident, "a1", "internal", false);
    assert_eq!(note.body_text(), Some(r#"{"work_notes":"internal"}"#));
}

#[test]
fn attachments_upload_list_and_download() {
    let upload = servicenow().upload_attachment_request(
        Table::Incident,
        "a1",
        "screen shot.png",
        "image/png",
        vec![137, 80, 78, 71],
    );
    assert_eq!(upload.method, Method::Post);
    assert_eq!(
        upload.url,
        "https://acme.service-now.com/api/now/attachment/file?table_name=incident&table_sys_id=a1&file_name=screen%20shot.png"
    );
    assert_eq!(upload.header("content-type"), Some("image/png"));
    assert_eq!(upload.body.as_deref(), Some(&[137_u8, 80, 78, 71][..]));

    let created = json_response(
        201,
        r#"{"result":{"sys_id":"f1","file_name":"screen shot.png","content_type":"image/png","size_bytes":"4",
            "download_link":"https://acme.service-now.com/api/now/attachment/f1/file","table_sys_id":"a1"}}"#,
    );
    let attachment = servicenow().parse_attachment(&created).expect("parses");
    assert_eq!(
        (attachment.id.as_str(), attachment.size_bytes),
        ("f1", Some(4))
    );
    assert_eq!(
        attachment.download_url,
        "https://acme.service-now.com/api/now/attachment/f1/file"
    );

    let list = servicenow().list_attachments_request("a1");
    assert_eq!(
        list.url,
        "https://acme.service-now.com/api/now/attachment?sysparm_query=table_sys_id%3Da1"
    );
    let download = servicenow().download_attachment_request("f1");
    assert_eq!(download.header("accept"), Some("*/*"));
    let bytes = HttpResponse::new(
        200,
        vec![("Content-Type".into(), "image/png".into())],
        vec![1, 2, 3],
    );
    assert_eq!(servicenow().parse_download(&bytes), Ok(vec![1, 2, 3]));
    let page = HttpResponse::new(
        200,
        vec![("Content-Type".into(), "text/html".into())],
        "<p>Instance Hibernating page</p>",
    );
    assert_eq!(
        servicenow().parse_download(&page),
        Err(CoreError::InstanceHibernating)
    );
}

#[test]
fn directory_refreshes_by_delta() {
    let mut cache = DirectoryCache::default();
    let first = cache.refresh_request(&servicenow(), DirectoryTable::Users);
    assert!(
        first.url.contains("sysparm_query=ORDERBYsys_updated_on&"),
        "{}",
        first.url
    );
    let response = json_response(
        200,
        r#"{"result":[
            {"sys_id":"u1","user_name":"abel.tuter","name":"Abel Tuter","email":"abel@example.com","active":"true","sys_updated_on":"2024-03-01 10:00:00"},
            {"sys_id":"u2","user_name":"old.timer","name":"Old Timer","email":"","active":"true","sys_updated_on":"2024-03-02 10:00:00"}]}"#,
    );
    assert_eq!(
        cache.handle_refresh(DirectoryTable::Users, &response),
        Ok(false)
    );
    assert_eq!(cache.users.len(), 2);
    assert_eq!(
        cache.user_watermark,
        Timestamp::parse("2024-03-02 10:00:00")
    );

    let second = cache.refresh_request(&servicenow(), DirectoryTable::Users);
    assert!(
        second
            .url
            .contains("sys_updated_on%3E%3D2024-03-02%2010%3A00%3A00"),
        "{}",
        second.url
    );
    let deactivated = json_response(
        200,
        r#"{"result":[{"sys_id":"u2","user_name":"old.timer","name":"Old Timer","active":"false","sys_updated_on":"2024-03-05 09:00:00"}]}"#,
    );
    assert_eq!(
        cache.handle_refresh(DirectoryTable::Users, &deactivated),
        Ok(false)
    );
    assert_eq!(cache.users.keys().collect::<Vec<_>>(), ["u1"]);

    let groups = json_response(
        200,
        r#"{"result":[{"sys_id":"g1","name":"Service Desk","active":"true","sys_updated_on":"2024-01-01 00:00:00"}]}"#,
    );
    assert_eq!(
        servicenow().parse_groups(&groups).expect("parses")[0].name,
        "Service Desk"
    );
    let search = servicenow().search_users_request("abel", 10);
    assert!(
        search
            .url
            .contains("nameLIKEabel%5EORuser_nameLIKEabel%5EORemailLIKEabel"),
        "{}",
        search.url
    );
}

#[test]
fn a_create_retried_after_a_dropped_connection_finds_the_first_record() {
    let fields = [("short_description".to_owned(), "Printer on fire".to_owned())]
        .into_iter()
        .collect();
    let mut create = SafeCreate::new(servicenow(), Table::Incident, fields, "flare-7f3c");
    let first = create.request();
    assert_eq!(first.method, Method::Post);
    assert!(first
        .body_text()
        .expect("body")
        .contains(r#""correlation_id":"flare-7f3c""#));

    // The connection drops: Flare must look before it sends again.
    assert_eq!(create.handle(Attempt::NetworkError), CreateStep::Again);
    let lookup = create.request();
    assert_eq!(lookup.method, Method::Get);
    assert!(
        lookup
            .url
            .contains("sysparm_query=correlation_id%3Dflare-7f3c"),
        "{}",
        lookup.url
    );
    let found = json_response(
        200,
        r#"{"result":[{"sys_id":"a1","number":"INC0010009","correlation_id":"flare-7f3c"}]}"#,
    );
    match create.handle(Attempt::Response(&found)) {
        CreateStep::Done(ticket) => assert_eq!(ticket.reference, "INC0010009"),
        other => panic!("expected the earlier record, got {other:?}"),
    }
}

#[test]
fn a_create_that_never_arrived_is_sent_again() {
    let mut create = SafeCreate::new(servicenow(), Table::Incident, BTreeMap::new(), "flare-1");
    let unavailable = json_response(503, "");
    assert_eq!(
        create.handle(Attempt::Response(&unavailable)),
        CreateStep::Again
    );
    assert_eq!(create.request().method, Method::Get);
    assert_eq!(
        create.handle(Attempt::Response(&json_response(200, r#"{"result":[]}"#))),
        CreateStep::Again
    );
    assert_eq!(
        create.request().method,
        Method::Post,
        "nothing was committed, so create again"
    );
    let created = json_response(201, r#"{"result":{"sys_id":"a2","number":"INC0010010"}}"#);
    assert!(matches!(
        create.handle(Attempt::Response(&created)),
        CreateStep::Done(_)
    ));
    let forbidden = json_response(
        403,
        r#"{"error":{"message":"Operation Failed","detail":""},"status":"failure"}"#,
    );
    let mut refused = SafeCreate::new(servicenow(), Table::Incident, BTreeMap::new(), "flare-2");
    assert!(matches!(
        refused.handle(Attempt::Response(&forbidden)),
        CreateStep::Failed(CoreError::Forbidden { .. })
    ));
}

#[test]
fn a_create_retried_from_a_queue_looks_first_and_creates_only_if_absent() {
    let mut found_first =
        SafeCreate::new(servicenow(), Table::Incident, BTreeMap::new(), "flare-q")
            .looking_up_first();
    let lookup = found_first.request();
    assert_eq!(
        lookup.method,
        Method::Get,
        "an earlier try may have committed it"
    );
    assert!(
        lookup.url.contains("correlation_id%3Dflare-q"),
        "{}",
        lookup.url
    );
    let found = json_response(
        200,
        r#"{"result":[{"sys_id":"a1","number":"INC0010011","correlation_id":"flare-q"}]}"#,
    );
    assert!(matches!(
        found_first.handle(Attempt::Response(&found)),
        CreateStep::Done(ticket) if ticket.reference == "INC0010011"
    ));

    let mut absent = SafeCreate::new(servicenow(), Table::Incident, BTreeMap::new(), "flare-r")
        .looking_up_first();
    assert_eq!(
        absent.handle(Attempt::Response(&json_response(200, r#"{"result":[]}"#))),
        CreateStep::Again
    );
    assert_eq!(absent.request().method, Method::Post);
}

#[test]
fn pages_are_walked_one_request_at_a_time() {
    let mut pages = TicketPages::new(servicenow(), Table::Incident, &TicketFilter::default(), 2);
    let mut seen = Vec::new();
    let replies = [
        (r#"{"result":[{"sys_id":"a"},{"sys_id":"b"}]}"#, 0),
        (r#"{"result":[{"sys_id":"c"},{"sys_id":"d"}]}"#, 2),
        (r#"{"result":[{"sys_id":"e"}]}"#, 4),
    ];
    for (body, offset) in replies {
        let request = pages.next_request().expect("another page");
        assert!(
            request.url.contains(&format!("sysparm_offset={offset}")),
            "{}",
            request.url
        );
        let response = with_headers(json_response(200, body), &[("X-Total-Count", "5")]);
        seen.extend(
            pages
                .handle(&response)
                .expect("parses")
                .into_iter()
                .map(|ticket| ticket.id),
        );
    }
    assert_eq!(pages.next_request(), None);
    assert_eq!(seen, ["a", "b", "c", "d", "e"]);
}

#[test]
fn data_policy_refusals_name_the_missing_fields() {
    let refused = json_response(
        403,
        r#"{"error":{"message":"Operation Failed","detail":"Data Policy Exception: The following fields are mandatory: Resolution code, Resolution notes"},"status":"failure"}"#,
    );
    assert_eq!(
        servicenow().parse_ticket(Table::Incident, &refused),
        Err(CoreError::Validation {
            field: Some("Resolution code, Resolution notes".into()),
            message: "Operation Failed: Data Policy Exception: The following fields are mandatory: Resolution code, Resolution notes".into(),
        })
    );
}

#[test]
fn request_items_and_logins() {
    let items = servicenow().request_items_request("r1", 50, 0);
    assert!(
        items
            .url
            .starts_with("https://acme.service-now.com/api/now/table/sc_req_item?"),
        "{}",
        items.url
    );
    assert!(
        items
            .url
            .contains("sysparm_query=request%3Dr1%5EORDERBYsys_created_on"),
        "{}",
        items.url
    );
    let login = servicenow().user_by_login_request(" abel.tuter ");
    assert!(
        login.url.contains("sysparm_query=user_name%3Dabel.tuter&"),
        "{}",
        login.url
    );
}

#[test]
fn a_missing_mfa_token_is_named() {
    let envelope = r#"{"error":{"detail":"Required to provide Auth information","message":"User Not Authenticated"},"status":"failure"}"#;
    let mfa = with_headers(json_response(401, envelope), &[("X-MFA_TOKEN", "invalid")]);
    assert_eq!(servicenow().parse_user(&mfa), Err(CoreError::MfaRequired));
    assert!(matches!(
        servicenow().parse_user(&json_response(401, envelope)),
        Err(CoreError::Unauthorized { .. })
    ));
}

#[test]
fn a_sync_reads_new_journal_entries_of_several_tickets_with_their_ticket() {
    let request = servicenow().journal_since_request(
        &["a1".to_owned(), "b2".to_owned()],
        Timestamp(1_704_704_400),
        100,
    );
    let query = request.url.split("sysparm_query=").nth(1).unwrap();
    assert!(
        query.starts_with("element_idINa1%2Cb2%5EelementINcomments%2Cwork_notes%5Esys_created_on%3E2024-01-08%2009%3A00%3A00"),
        "{query}"
    );
    let response = json_response(
        200,
        r#"{"result":[{"sys_id":"j1","element":"comments","element_id":"a1","value":"Which tray?","sys_created_on":"2024-01-08 09:00:05","sys_created_by":"itil"}]}"#,
    );
    let entries = servicenow().parse_journal_by_ticket(&response).unwrap();
    assert_eq!(entries.len(), 1);
    let (ticket, entry) = &entries[0];
    assert_eq!(
        (ticket.as_str(), entry.body.as_str(), entry.public),
        ("a1", "Which tray?", true)
    );
    assert_eq!(
        entry.author.as_ref().map(|author| author.id.as_str()),
        Some("itil")
    );
}

#[test]
fn a_follow_up_names_its_parent_and_the_parent_lists_its_follow_ups() {
    let incident = NewIncident {
        short_description: "Still broken".into(),
        description: String::new(),
        urgency: Level::Medium,
        impact: Level::Medium,
        caller_id: "abc".into(),
        parent_incident: Some("p1".into()),
    };
    assert_eq!(incident.fields()["parent_incident"], "p1");
    let request = servicenow().follow_ups_request("p1", 50);
    assert!(
        request
            .url
            .contains("sysparm_query=parent_incident%3Dp1%5EORDERBYsys_created_on"),
        "{}",
        request.url
    );
    let response = json_response(
        200,
        r#"{"result":{"sys_id":"c1","number":"INC0010002","state":"1","parent_incident":{"display_value":"INC0010001","value":"p1"}}}"#,
    );
    let child = servicenow().parse_incident(&response).unwrap();
    assert_eq!(
        parent_incident(&child),
        Some(("p1".to_owned(), "INC0010001".to_owned()))
    );
    let orphan = json_response(
        200,
        r#"{"result":{"sys_id":"c2","number":"INC2","state":"1","parent_incident":""}}"#,
    );
    assert_eq!(
        parent_incident(&servicenow().parse_incident(&orphan).unwrap()),
        None
    );
}
