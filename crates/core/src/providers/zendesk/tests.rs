use super::*;
use crate::ticket::{StatusCategory, Timestamp};

/// A connection as the shared recordings' user; the other test modules of this provider use it too.
pub(crate) fn zendesk() -> Zendesk {
    let instance = InstanceUrl::parse_zendesk("acme").expect("valid instance");
    Zendesk::new(
        instance,
        api_token_credentials(
            "jdoe@example.com",
            "6wiIBWbGkBMo1mRDMuVwkw1EPsNkeUj95PIz2akv",
        ),
    )
}

/// A JSON reply as Zendesk sends it.
pub(crate) fn json_response(status: u16, body: &str) -> HttpResponse {
    HttpResponse::new(
        status,
        vec![(
            "Content-Type".into(),
            "application/json; charset=utf-8".into(),
        )],
        body,
    )
}

/// Checks a built request: method, URL, and JSON body (or none).
fn check_request(request: HttpRequest, method: Method, url: &str, body: Option<Value>) {
    assert_eq!(request.method, method, "{}", request.url);
    assert_eq!(request.url, url);
    assert_eq!(
        request.header("authorization"),
        Some("Basic amRvZUBleGFtcGxlLmNvbS90b2tlbjo2d2lJQldiR2tCTW8xbVJETXVWd2t3MUVQc05rZVVqOTVQSXoyYWt2")
    );
    assert_eq!(request.header("accept"), Some("application/json"));
    let actual_body = request
        .body_text()
        .map(|text| serde_json::from_str::<Value>(text).expect("the body is JSON"));
    assert_eq!(actual_body, body, "{url}");
    let content_type = body.as_ref().map(|_| "application/json");
    assert_eq!(request.header("content-type"), content_type, "{url}");
}

/// Checks that a reply, read as one ticket, gives exactly this error.
fn check_error(response: HttpResponse, expected: CoreError) {
    assert_eq!(zendesk().parse_ticket(&response), Err(expected));
}

fn validation(field: Option<&str>, message: &str) -> CoreError {
    CoreError::Validation {
        field: field.map(str::to_owned),
        message: message.to_owned(),
    }
}

const TICKET_4017: &str = r#"{"url":"https://acme.zendesk.com/api/v2/tickets/4017.json","id":4017,
    "external_id":"flare-7f3a","created_at":"2023-09-18T23:34:35Z","updated_at":"2023-09-18T23:34:36Z",
    "type":null,"subject":"Printer on fire","description":"It smokes","priority":"high","status":"hold",
    "requester_id":6130907993114,"assignee_id":null,"tags":["printer"]}"#;

#[test]
fn api_token_sign_in_is_basic_with_email_slash_token() {
    let credentials = api_token_credentials("jdoe@example.com", "abc123");
    assert_eq!(credentials.username(), "jdoe@example.com/token");
    // base64("jdoe@example.com/token:abc123")
    assert_eq!(
        credentials.authorization(),
        "Basic amRvZUBleGFtcGxlLmNvbS90b2tlbjphYmMxMjM="
    );
}

#[test]
fn ticket_requests() {
    let zendesk = zendesk();
    check_request(
        zendesk.show_ticket_request(35436),
        Method::Get,
        "https://acme.zendesk.com/api/v2/tickets/35436.json",
        None,
    );
    check_request(
        zendesk.delete_ticket_request(35436),
        Method::Delete,
        "https://acme.zendesk.com/api/v2/tickets/35436.json",
        None,
    );
    check_request(
        zendesk.find_by_external_id_request("flare 7f3a/1"),
        Method::Get,
        "https://acme.zendesk.com/api/v2/tickets.json?external_id=flare%207f3a%2F1",
        None,
    );
    check_request(
        zendesk.show_many_request(&[1, 2]).expect("two ids"),
        Method::Get,
        "https://acme.zendesk.com/api/v2/tickets/show_many.json?ids=1,2",
        None,
    );
}

#[test]
fn create_request_carries_every_field() {
    let request = zendesk().create_ticket_request(&NewTicket {
        subject: "Printer on fire".into(),
        body: "It smokes\nhttps://intranet/printers".into(),
        priority: Some(TicketPriority::Urgent),
        ticket_type: Some(TicketType::Incident),
        requester: Some(Requester::Person {
            name: "Jane Doe".into(),
            email: "jane@example.com".into(),
        }),
        tags: vec!["flare".into(), "printer".into()],
        external_id: Some("flare-7f3a".into()),
        uploads: vec!["vz7ll9ud8oofowy".into()],
    });
    check_request(
        request,
        Method::Post,
        "https://acme.zendesk.com/api/v2/tickets.json",
        Some(json!({"ticket": {
            "subject": "Printer on fire",
            "comment": {"body": "It smokes\nhttps://intranet/printers", "uploads": ["vz7ll9ud8oofowy"]},
            "priority": "urgent",
            "type": "incident",
            "requester": {"name": "Jane Doe", "email": "jane@example.com"},
            "tags": ["flare", "printer"],
            "external_id": "flare-7f3a",
        }})),
    );
}

#[test]
fn create_request_leaves_out_what_is_unset() {
    let request = zendesk().create_ticket_request(&NewTicket {
        subject: "test".into(),
        body: "test".into(),
        requester: Some(Requester::Id(6130907993114)),
        ..NewTicket::default()
    });
    check_request(
        request,
        Method::Post,
        "https://acme.zendesk.com/api/v2/tickets.json",
        Some(json!({"ticket": {
            "subject": "test", "comment": {"body": "test"}, "requester_id": 6130907993114u64,
        }})),
    );
}

#[test]
fn update_and_comment_requests() {
    let zendesk = zendesk();
    check_request(
        zendesk.update_ticket_request(
            4016,
            &TicketUpdate {
                status: Some(TicketStatus::Solved),
                priority: Some(TicketPriority::Low),
                subject: Some("Printer fixed".into()),
                assignee_id: Some(10_002),
                comment: Some(NewComment {
                    body: "Replaced the fuser".into(),
                    public: false,
                    uploads: vec![],
                }),
            },
        ),
        Method::Put,
        "https://acme.zendesk.com/api/v2/tickets/4016.json",
        Some(json!({"ticket": {
            "status": "solved", "priority": "low", "subject": "Printer fixed",
            "assignee_id": 10_002, "comment": {"body": "Replaced the fuser", "public": false},
        }})),
    );
    check_request(
        zendesk.add_comment_request(
            4016,
            &NewComment {
                body: "See screenshot.".into(),
                public: true,
                uploads: vec!["vz7ll9ud8oofowy".into()],
            },
        ),
        Method::Put,
        "https://acme.zendesk.com/api/v2/tickets/4016.json",
        Some(json!({"ticket": {"comment": {
            "body": "See screenshot.", "public": true, "uploads": ["vz7ll9ud8oofowy"],
        }}})),
    );
}

#[test]
fn list_requests_page_both_ways() {
    let zendesk = zendesk();
    let cursor = Paging::Cursor(CursorPage {
        size: 1,
        after: Some("eyJvIjoibmljZV9pZCJ9==".into()),
    });
    check_request(
        zendesk.list_tickets_request(&cursor).expect("valid"),
        Method::Get,
        "https://acme.zendesk.com/api/v2/tickets.json?page%5Bsize%5D=1&page%5Bafter%5D=eyJvIjoibmljZV9pZCJ9%3D%3D",
        None,
    );
    check_request(
        zendesk
            .list_tickets_request(&Paging::Offset(OffsetPage::default()))
            .expect("valid"),
        Method::Get,
        "https://acme.zendesk.com/api/v2/tickets.json?page=1&per_page=100",
        None,
    );
    check_request(
        zendesk
            .requested_tickets_request(6130907993114, &Paging::Cursor(CursorPage::default()))
            .expect("valid"),
        Method::Get,
        "https://acme.zendesk.com/api/v2/users/6130907993114/tickets/requested.json?page%5Bsize%5D=100",
        None,
    );
    check_request(
        zendesk
            .list_comments_request(4017, &Paging::Cursor(CursorPage::default()))
            .expect("valid"),
        Method::Get,
        "https://acme.zendesk.com/api/v2/tickets/4017/comments.json?page%5Bsize%5D=100",
        None,
    );
}

#[test]
fn limits_are_refused_before_sending() {
    let zendesk = zendesk();
    let too_far = Paging::Offset(OffsetPage {
        page: 101,
        per_page: 100,
    });
    assert_eq!(
        zendesk.list_tickets_request(&too_far),
        Err(validation(
            Some("page"),
            "offset paging stops at page 100, use cursor paging"
        ))
    );
    assert_eq!(
        zendesk.requested_tickets_request(1, &too_far),
        Err(validation(
            Some("page"),
            "offset paging stops at page 100, use cursor paging"
        ))
    );
    let many: Vec<u64> = (1..=101).collect();
    assert_eq!(
        zendesk.show_many_request(&many),
        Err(validation(Some("ids"), "give 1 to 100 ticket ids, not 101"))
    );
    assert_eq!(
        zendesk.show_many_request(&[]),
        Err(validation(Some("ids"), "give 1 to 100 ticket ids, not 0"))
    );
    assert!(zendesk.show_many_request(&many[..100]).is_ok());
    let search = TicketSearch::default();
    assert_eq!(
        zendesk.search_tickets_request(
            &search,
            OffsetPage {
                page: 11,
                per_page: 100
            }
        ),
        Err(validation(
            Some("page"),
            "search returns at most 1000 results, narrow the search"
        ))
    );
}

#[test]
fn search_request_encodes_the_query() {
    let search = TicketSearch {
        status: Some(StatusCondition::Below(TicketStatus::Solved)),
        requester: Some("user@domain.com".into()),
        text: "printer fire".into(),
        ..TicketSearch::default()
    };
    check_request(
        zendesk()
            .search_tickets_request(
                &search,
                OffsetPage {
                    page: 10,
                    per_page: 100,
                },
            )
            .expect("within the limit"),
        Method::Get,
        "https://acme.zendesk.com/api/v2/search.json?query=type%3Aticket%20status%3Csolved%20requester%3Auser%40domain.com%20printer%20fire&page=10&per_page=100",
        None,
    );
}

#[test]
fn user_requests() {
    let zendesk = zendesk();
    check_request(
        zendesk.me_request(),
        Method::Get,
        "https://acme.zendesk.com/api/v2/users/me.json",
        None,
    );
    check_request(
        zendesk.search_users_request("jane+it@example.com"),
        Method::Get,
        "https://acme.zendesk.com/api/v2/users/search.json?query=email%3Ajane%2Bit%40example.com",
        None,
    );
}

#[test]
fn upload_request_carries_the_file() {
    let request = zendesk().upload_request(
        "screen shot 1.png",
        "image/png",
        vec![0x89, b'P', b'N', b'G'],
    );
    assert_eq!(request.method, Method::Post);
    assert_eq!(
        request.url,
        "https://acme.zendesk.com/api/v2/uploads.json?filename=screen%20shot%201.png"
    );
    assert_eq!(request.header("content-type"), Some("image/png"));
    assert_eq!(request.body, Some(vec![0x89, b'P', b'N', b'G']));
    assert!(request.header("authorization").is_some());
}

/// Checks a download request: its URL, and whether it carries the credentials.
fn check_download(download_url: &str, expected: Result<bool, &str>) {
    let attachment = Attachment {
        id: "498483".into(),
        file_name: "crash.log".into(),
        content_type: "text/plain".into(),
        size_bytes: Some(2532),
        download_url: download_url.into(),
    };
    match (zendesk().download_attachment_request(&attachment), expected) {
        (Ok(request), Ok(with_credentials)) => {
            assert_eq!(request.method, Method::Get);
            assert_eq!(request.url, download_url);
            assert_eq!(request.header("accept"), Some("*/*"));
            assert_eq!(
                request.header("authorization").is_some(),
                with_credentials,
                "{download_url}"
            );
        }
        (Err(CoreError::Malformed { message }), Err(want)) => assert_eq!(message, want),
        (actual, expected) => panic!("{download_url}: got {actual:?}, expected {expected:?}"),
    }
}

#[test]
fn downloads_send_credentials_only_to_the_instance() {
    check_download(
        "https://acme.zendesk.com/attachments/token/vz7ll9ud8oofowy/?name=crash.log",
        Ok(true),
    );
    check_download(
        "https://acme.zendesk.com.evil.example/attachments/token/x/?name=crash.log",
        Ok(false),
    );
    check_download(
        "https://zdusercontent.example/attachments/token/x/?name=crash.log",
        Ok(false),
    );
    check_download(
        "http://acme.zendesk.com/attachments/x",
        Err("attachment 498483 has no https download address"),
    );
    check_download("", Err("attachment 498483 has no https download address"));
}

#[test]
fn parses_a_download() {
    let zendesk = zendesk();
    let file = HttpResponse::new(
        200,
        vec![("Content-Type".into(), "text/html".into())],
        "<html>a saved page is a file too</html>",
    );
    assert_eq!(
        zendesk.parse_download(&file),
        Ok(b"<html>a saved page is a file too</html>".to_vec())
    );
    assert_eq!(
        zendesk.parse_download(&json_response(
            404,
            r#"{"error":"RecordNotFound","description":"Not found"}"#
        )),
        Err(CoreError::NotFound {
            message: "Not found".into()
        })
    );
}

#[test]
fn parses_a_ticket_into_the_model() {
    let zendesk = zendesk();
    let ticket = zendesk
        .parse_ticket(&json_response(
            201,
            &format!(r#"{{"ticket":{TICKET_4017},"audit":{{"id":1}}}}"#),
        ))
        .expect("parses");
    assert_eq!(ticket.id, "4017");
    assert_eq!(ticket.reference, "#4017");
    assert_eq!(ticket.title, "Printer on fire");
    assert_eq!(ticket.description, "It smokes");
    assert_eq!(
        (ticket.status.label.as_str(), ticket.status.category),
        ("On-hold", StatusCategory::Open)
    );
    assert_eq!(
        ticket.priority.map(|priority| priority.label).as_deref(),
        Some("High")
    );
    assert_eq!(
        ticket.requester,
        Some(PersonRef {
            id: "6130907993114".into(),
            name: None
        })
    );
    assert_eq!(ticket.assignee, None);
    assert_eq!(ticket.created, Timestamp::parse("2023-09-18 23:34:35"));
    assert_eq!(ticket.updated, Timestamp::parse("2023-09-18 23:34:36"));
    assert_eq!(
        ticket.web_link,
        "https://acme.zendesk.com/agent/tickets/4017"
    );
    assert_eq!(ticket.web_link, zendesk.agent_link(4017));
    assert_eq!(
        zendesk.requester_link(4017),
        "https://acme.zendesk.com/hc/requests/4017"
    );
    assert_eq!(ticket.native.get("external_id"), Some(&json!("flare-7f3a")));
    assert_eq!(ticket.native.get("tags"), Some(&json!(["printer"])));
    assert_eq!(ticket.native.get("id"), Some(&json!(4017)));
}

#[test]
fn missing_and_null_fields_are_tolerated() {
    let ticket = zendesk()
        .parse_ticket(&json_response(
            200,
            r#"{"ticket":{"id":7,"subject":null,"status":"solved","priority":null,"created_at":"yesterday"}}"#,
        ))
        .expect("parses");
    assert_eq!(ticket.title, "");
    assert_eq!(ticket.status.category, StatusCategory::Completed);
    assert_eq!(ticket.priority, None);
    assert_eq!(ticket.created, None);
}

#[test]
fn parses_ticket_lists() {
    let zendesk = zendesk();
    let body = format!(
        r#"{{"tickets":[{TICKET_4017},{{"id":1,"status":"open"}}],"next_page":null,"previous_page":null,"count":2}}"#
    );
    let tickets = zendesk
        .parse_tickets(&json_response(200, &body))
        .expect("parses");
    let references: Vec<&str> = tickets
        .iter()
        .map(|ticket| ticket.reference.as_str())
        .collect();
    assert_eq!(references, ["#4017", "#1"]);
    let none = zendesk
        .parse_tickets(&json_response(
            200,
            r#"{"tickets":[],"next_page":null,"count":0}"#,
        ))
        .expect("parses");
    assert!(none.is_empty(), "no ticket with this external id");
}

/// Checks what a list reply says about the next page.
fn check_next(body: &str, paging: Paging, total: Option<u64>, next: Result<Option<Paging>, &str>) {
    let actual = zendesk().parse_ticket_page(&json_response(200, body), &paging);
    match (actual, next) {
        (Ok(page), Ok(next)) => {
            assert_eq!((page.total, page.next), (total, next), "{body}")
        }
        (Err(CoreError::Malformed { message }), Err(want)) => assert_eq!(message, want),
        (actual, next) => panic!("{body}: got {actual:?}, expected {next:?}"),
    }
}

#[test]
fn paging_follows_cursor_and_offset_replies() {
    let cursor = |after: Option<&str>| {
        Paging::Cursor(CursorPage {
            size: 1,
            after: after.map(str::to_owned),
        })
    };
    check_next(
        r#"{"tickets":[{"id":1}],"meta":{"has_more":true,"after_cursor":"aQEA","before_cursor":"aQEA"},
            "links":{"prev":"https://elsewhere.zendesk.com/x","next":"https://elsewhere.zendesk.com/y"}}"#,
        cursor(None),
        None,
        Ok(Some(cursor(Some("aQEA")))),
    );
    check_next(
        r#"{"tickets":[{"id":1}],"meta":{"has_more":false,"after_cursor":"aQEA","before_cursor":"aQEA"},"links":{}}"#,
        cursor(Some("aQAA")),
        None,
        Ok(None),
    );
    check_next(
        r#"{"tickets":[{"id":1}],"meta":{"has_more":true,"after_cursor":null}}"#,
        cursor(None),
        None,
        Err("meta.has_more without meta.after_cursor"),
    );
    check_next(
        r#"{"tickets":[{"id":1}],"next_page":null,"count":1}"#,
        cursor(None),
        None,
        Err("a cursor page without meta"),
    );
    let offset = |page| {
        Paging::Offset(OffsetPage {
            page,
            per_page: 100,
        })
    };
    check_next(
        r#"{"tickets":[],"next_page":"https://acme.zendesk.com/api/v2/tickets.json?page=2","previous_page":null,"count":1186}"#,
        offset(1),
        Some(1186),
        Ok(Some(offset(2))),
    );
    check_next(
        r#"{"tickets":[],"next_page":null,"previous_page":"x","count":1186}"#,
        offset(12),
        Some(1186),
        Ok(None),
    );
    // Past page 100 the list goes on, so that the next request says why it cannot be sent.
    check_next(
        r#"{"tickets":[],"next_page":"x","count":20000}"#,
        offset(100),
        Some(20000),
        Ok(Some(offset(101))),
    );
}

#[test]
fn parses_search_results() {
    let body = format!(
        r#"{{"results":[{{"id":211,"name":"Hello DJs","result_type":"group"}},
            {},{{"id":5,"result_type":"ticket","status":"closed"}}],
            "facets":null,"next_page":"https://acme.zendesk.com/api/v2/search.json?page=2","previous_page":null,"count":1234}}"#,
        TICKET_4017.replacen('{', r#"{"result_type":"ticket","#, 1)
    );
    let response = json_response(200, &body);
    let first = OffsetPage {
        page: 1,
        per_page: 100,
    };
    let page = zendesk()
        .parse_search_page(&response, first)
        .expect("parses");
    let ids: Vec<&str> = page.items.iter().map(|ticket| ticket.id.as_str()).collect();
    assert_eq!(ids, ["4017", "5"]);
    assert_eq!(page.total, Some(1234));
    assert_eq!(page.next, Some(Paging::Offset(first.following())));
    let last_allowed = OffsetPage {
        page: 10,
        per_page: 100,
    };
    let page = zendesk()
        .parse_search_page(&response, last_allowed)
        .expect("parses");
    assert_eq!(page.next, None, "page 11 would pass the 1000-result limit");
}

#[test]
fn parses_comments_and_their_attachments() {
    let body = r#"{"comments":[
        {"id":1274,"type":"Comment","author_id":123123,"body":"Thanks for your help!","html_body":"<p>Thanks for your help!</p>",
         "public":true,"created_at":"2009-07-20T22:55:29Z","attachments":[
            {"id":498483,"file_name":"crash.log","content_url":"https://acme.zendesk.com/attachments/crash.log",
             "content_type":"text/plain","size":2532,"inline":false}]},
        {"id":1275,"author_id":42,"body":"Internal: fuser is broken","public":false,"attachments":[]},
        {"id":1276,"body":"no public flag"}],
        "next_page":null,"previous_page":null,"count":3}"#;
    let paging = Paging::Offset(OffsetPage::default());
    let page = zendesk()
        .parse_comment_page(&json_response(200, body), &paging)
        .expect("parses");
    assert_eq!(
        page.items[0],
        Comment {
            id: "1274".into(),
            author: Some(PersonRef {
                id: "123123".into(),
                name: None
            }),
            body: "Thanks for your help!".into(),
            created: Timestamp::parse("2009-07-20T22:55:29Z"),
            public: true,
        }
    );
    let publics: Vec<(&str, bool)> = page
        .items
        .iter()
        .map(|comment| (comment.id.as_str(), comment.public))
        .collect();
    assert_eq!(publics, [("1274", true), ("1275", false), ("1276", false)]);
    assert_eq!(page.items[2].author, None);
    assert_eq!((page.total, page.next), (Some(3), None));
    let attachments = zendesk()
        .parse_attachment_page(&json_response(200, body), &paging)
        .expect("parses");
    assert_eq!(
        attachments.items,
        [Attachment {
            id: "498483".into(),
            file_name: "crash.log".into(),
            content_type: "text/plain".into(),
            size_bytes: Some(2532),
            download_url: "https://acme.zendesk.com/attachments/crash.log".into(),
        }]
    );
    assert_eq!((attachments.total, attachments.next), (None, None));
}

#[test]
fn parses_an_upload() {
    let body = r#"{"upload":{"token":"6bk3gql82em5nmf","expires_at":"2023-09-21T23:34:35Z",
        "attachment":{"id":498483,"file_name":"screen.png","content_url":"https://acme.zendesk.com/attachments/token/x/?name=screen.png",
        "content_type":"image/png","size":2532,"inline":false},
        "attachments":[{"id":498483,"file_name":"screen.png","content_url":"https://acme.zendesk.com/attachments/token/x/?name=screen.png",
        "content_type":"image/png","size":2532,"inline":false}]}}"#;
    let upload = zendesk()
        .parse_upload(&json_response(201, body))
        .expect("parses");
    assert_eq!(upload.token, "6bk3gql82em5nmf");
    assert_eq!(upload.attachments.len(), 1);
    assert_eq!(upload.attachments[0].file_name, "screen.png");
    let only_attachment = zendesk()
        .parse_upload(&json_response(
            201,
            r#"{"upload":{"token":"t","attachment":{"id":1,"file_name":"a.txt"}}}"#,
        ))
        .expect("parses");
    assert_eq!(only_attachment.attachments[0].id, "1");
    assert_eq!(only_attachment.attachments[0].size_bytes, None);
}

#[test]
fn parses_users() {
    let zendesk = zendesk();
    let user = zendesk
        .parse_user(&json_response(
            200,
            r#"{"user":{"id":6130907993114,"url":"x","name":"Jane Doe","email":"jane@example.com","role":"admin","active":true}}"#,
        ))
        .expect("parses");
    assert_eq!(
        user,
        User {
            id: 6130907993114,
            name: "Jane Doe".into(),
            email: Some("jane@example.com".into()),
            role: "admin".into(),
        }
    );
    assert_eq!(user.person().id, "6130907993114");
    let anonymous = zendesk.parse_user(&json_response(
        200,
        r#"{"user":{"id":null,"url":null,"name":"Anonymous user","email":"invalid@example.com","role":"end-user"}}"#,
    ));
    assert_eq!(
        anonymous,
        Err(CoreError::Unauthorized {
            message: "the instance answered as for an anonymous user".into()
        })
    );
    let users = zendesk
        .parse_users(&json_response(
            200,
            r#"{"users":[{"id":1,"name":"A","email":null,"role":"end-user"},{"id":2,"name":"B","email":""}],
                "next_page":null,"previous_page":null,"count":2}"#,
        ))
        .expect("parses");
    let emails: Vec<Option<&str>> = users.iter().map(|user| user.email.as_deref()).collect();
    assert_eq!(emails, [None, None]);
}

#[test]
fn deletes_answer_no_content() {
    let zendesk = zendesk();
    let no_content = HttpResponse::new(204, vec![], "");
    assert_eq!(zendesk.parse_deleted(&no_content), Ok(()));
    assert_eq!(
        zendesk.parse_deleted(&json_response(
            404,
            r#"{"error":"RecordNotFound","description":"Not found"}"#
        )),
        Err(CoreError::NotFound {
            message: "Not found".into()
        })
    );
}

#[test]
fn errors_are_typed() {
    check_error(
        json_response(401, r#"{"error":"Couldn't authenticate you"}"#),
        CoreError::Unauthorized {
            message: "Couldn't authenticate you".into(),
        },
    );
    check_error(
        json_response(
            401,
            r#"{"error":"invalid_token","error_description":"The access token provided is expired, revoked, malformed or invalid for other reasons."}"#,
        ),
        CoreError::TokenExpired,
    );
    check_error(
        json_response(
            403,
            r#"{"error":"Forbidden","description":"You do not have access to this page. Please contact the account owner of this help desk for further help."}"#,
        ),
        CoreError::Forbidden {
            message: "You do not have access to this page. Please contact the account owner of this help desk for further help.".into(),
        },
    );
    check_error(
        json_response(
            404,
            r#"{"error":"RecordNotFound","description":"Not found"}"#,
        ),
        CoreError::NotFound {
            message: "Not found".into(),
        },
    );
    check_error(
        json_response(
            422,
            r#"{"error":"RecordInvalid","description":"Record validation errors","details":{"status":[{"description":"Status closed prevents ticket update"}]}}"#,
        ),
        validation(Some("status"), "Status closed prevents ticket update"),
    );
    check_error(
        json_response(
            422,
            r#"{"error":"invalid","description":"Invalid search: Requested response size was greater than Search Response Limits"}"#,
        ),
        validation(
            Some("page"),
            "Invalid search: Requested response size was greater than Search Response Limits",
        ),
    );
    check_error(
        json_response(
            400,
            r#"{"error":"TooManyValues","description":"Parameter  cannot specify more than 100 values","max_count":100}"#,
        ),
        validation(None, "Parameter  cannot specify more than 100 values"),
    );
    check_error(json_response(500, ""), CoreError::Server { status: 500 });
    check_error(
        json_response(302, ""),
        CoreError::Malformed {
            message: "unexpected HTTP status 302".into(),
        },
    );
}

#[test]
fn rate_limits_say_when_to_retry() {
    let limited = |headers: &[(&str, &str)]| {
        HttpResponse::new(
            429,
            headers
                .iter()
                .map(|(name, value)| (name.to_string(), value.to_string()))
                .collect(),
            "Number of allowed API requests per minute exceeded",
        )
    };
    check_error(
        limited(&[("Content-Type", "text/plain"), ("retry-after", "93")]),
        CoreError::RateLimited {
            retry_after_secs: Some(93),
        },
    );
    check_error(
        limited(&[("rate-limit-reset", "25")]),
        CoreError::RateLimited {
            retry_after_secs: Some(25),
        },
    );
    check_error(
        limited(&[("Retry-After", "Wed, 21 Oct 2015 07:28:00 GMT")]),
        CoreError::RateLimited {
            retry_after_secs: None,
        },
    );
}

#[test]
fn bad_bodies_are_malformed_or_not_an_api() {
    check_error(
        HttpResponse::new(
            200,
            vec![("Content-Type".into(), "text/html; charset=utf-8".into())],
            "<html><title>Sign in</title></html>",
        ),
        CoreError::NotAnApi,
    );
    check_error(
        HttpResponse::new(200, vec![], "  <!DOCTYPE html><html></html>"),
        CoreError::NotAnApi,
    );
    check_error(
        json_response(200, "{not json"),
        CoreError::Malformed {
            message: "expected a ticket: key must be a string at line 1 column 2".into(),
        },
    );
    check_error(
        json_response(201, ""),
        CoreError::Malformed {
            message: "the reply has no body, expected a ticket".into(),
        },
    );
    check_error(
        json_response(200, r#"{"ticket":{"subject":"no id"}}"#),
        CoreError::Malformed {
            message: "ticket: missing field `id`".into(),
        },
    );
    check_error(
        json_response(200, r#"{"ticket":{"id":"4017"}}"#),
        CoreError::Malformed {
            message: "ticket: invalid type: string \"4017\", expected u64".into(),
        },
    );
}
