use super::*;
use crate::ticket::{PersonRef, StatusCategory, Timestamp};

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
    let request = servicenow().find_user_request("abel.tuter");
    assert!(
        request.url.contains("sysparm_query=user_name%3Dabel.tuter"),
        "{}",
        request.url
    );
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
