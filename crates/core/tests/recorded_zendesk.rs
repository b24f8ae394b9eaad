//! Every response recorded from a real Zendesk account (tests/fixtures/recorded/zendesk, copied
//! unchanged from shared/recorded/zendesk) parses into Flare's model or into the typed error it
//! means. Each endpoint is named below, either with the parser Flare reads it with or with the
//! reason Flare does not call it, so a new recording cannot slip through unchecked.

use std::collections::BTreeMap;
use std::path::Path;

use flare_core::error::CoreError;
use flare_core::http::HttpResponse;
use flare_core::instance::InstanceUrl;
use flare_core::paging::query_param;
use flare_core::providers::zendesk::{
    api_token_credentials, CursorPage, OffsetPage, Paging, Zendesk,
};
use flare_core::ticket::{StatusCategory, Ticket, Timestamp};
use serde_json::Value;

/// How Flare reads a recorded endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Route {
    /// One ticket: create, show, update.
    Ticket,
    /// A list of tickets without paging: show_many; incremental exports hold the same objects.
    Tickets,
    /// A page of the ticket list, offset or cursor.
    TicketPage,
    /// One user.
    User,
    /// A list of users.
    Users,
    /// A page of the cursor-based incremental ticket export (sync).
    Export,
    /// A list of groups.
    Groups,
    /// A delete: no content.
    Deleted,
    /// An endpoint Flare does not call; only its errors are checked.
    NotCalled,
}

struct Interaction {
    file: String,
    method: String,
    uri: String,
    request_body: Option<Value>,
    response: HttpResponse,
}

fn zendesk() -> Zendesk {
    let instance = InstanceUrl::parse_zendesk("d3v-zenpydev").expect("valid");
    Zendesk::new(instance, api_token_credentials("dev@example.com", "x"))
}

fn interactions() -> Vec<Interaction> {
    let folder = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/recorded/zendesk");
    let mut paths: Vec<_> = std::fs::read_dir(&folder)
        .expect("fixture folder")
        .map(|entry| entry.expect("entry").path())
        .filter(|path| {
            path.extension()
                .is_some_and(|extension| extension == "json")
        })
        .collect();
    paths.sort();
    let mut all = Vec::new();
    for path in paths {
        let recording: Value =
            serde_json::from_str(&std::fs::read_to_string(&path).expect("readable")).expect("json");
        let file = path
            .file_name()
            .expect("a file")
            .to_string_lossy()
            .into_owned();
        for interaction in recording["interactions"].as_array().expect("interactions") {
            let request = &interaction["request"];
            all.push(Interaction {
                file: file.clone(),
                method: request["method"].as_str().expect("method").to_owned(),
                uri: request["uri"].as_str().expect("uri").to_owned(),
                request_body: request["body"]
                    .as_str()
                    .and_then(|body| serde_json::from_str(body).ok()),
                response: response(&interaction["response"]),
            });
        }
    }
    all
}

fn response(recorded: &Value) -> HttpResponse {
    let headers = recorded["headers"]
        .as_object()
        .expect("headers")
        .iter()
        .map(|(name, value)| (name.clone(), value.as_str().unwrap_or_default().to_owned()))
        .collect();
    let status = recorded["status"].as_u64().expect("status") as u16;
    HttpResponse::new(
        status,
        headers,
        recorded["body"].as_str().unwrap_or_default(),
    )
}

/// The path with every number replaced by `{id}`, e.g. `/api/v2/tickets/{id}.json`.
fn path_pattern(uri: &str) -> String {
    // Hosts vary (`d3v-zenpydev.zendesk.com`, a `zendesk-staging.com` account): keep the path.
    let path = uri
        .find("/api/")
        .map_or(uri, |start| &uri[start..])
        .split('?')
        .next()
        .unwrap_or_default();
    path.split('/')
        .map(|segment| {
            let (stem, extension) = segment.split_once('.').unwrap_or((segment, ""));
            let is_id = !stem.is_empty() && stem.bytes().all(|byte| byte.is_ascii_digit());
            let is_job = stem.starts_with("V3-");
            match (is_id || is_job, extension) {
                (true, "") => "{id}".to_owned(),
                (true, extension) => format!("{{id}}.{extension}"),
                (false, _) => segment.to_owned(),
            }
        })
        .collect::<Vec<_>>()
        .join("/")
}

fn route(method: &str, pattern: &str) -> Route {
    match (method, pattern) {
        ("POST", "/api/v2/tickets.json") => Route::Ticket,
        ("GET" | "PUT", "/api/v2/tickets/{id}.json") => Route::Ticket,
        ("DELETE", "/api/v2/tickets/{id}.json") => Route::Deleted,
        ("GET", "/api/v2/tickets.json") => Route::TicketPage,
        ("GET", "/api/v2/tickets/show_many.json") => Route::Tickets,
        ("GET", "/api/v2/incremental/tickets/cursor.json") => Route::Export,
        // Flare syncs with the cursor export; the time-based one holds the same ticket objects,
        // so they must convert too (they include real `deleted` tickets).
        ("GET", "/api/v2/incremental/tickets.json") => Route::Tickets,
        ("GET", "/api/v2/groups.json") => Route::Groups,
        ("DELETE", "/api/v2/groups/{id}.json") => Route::Deleted,
        // Flare reads users through /users/me and user search; these replies carry the same objects.
        ("GET", "/api/v2/users/{id}.json") | ("POST", "/api/v2/users.json") => Route::User,
        ("GET", "/api/v2/users.json") => Route::Users,
        ("DELETE", "/api/v2/users/{id}.json") => Route::Deleted,
        // zenpy follows these links or bulk endpoints on its own; Flare has no use for them.
        ("GET", "/api/v2/brands/{id}.json")
        | ("GET", "/api/v2/organizations/{id}.json")
        | ("GET", "/api/v2/custom_roles/{id}.json")
        | ("GET", "/api/v2/job_statuses/{id}.json")
        | ("POST", "/api/v2/tickets/create_many.json")
        | ("PUT", "/api/v2/tickets/update_many.json")
        | ("DELETE", "/api/v2/tickets/destroy_many.json")
        | ("DELETE", "/api/v2/users/destroy_many.json")
        | ("DELETE", "/api/v2/deleted_tickets/{id}.json")
        | ("POST", "/api/v2/groups.json")
        // Audits repeat what the comments endpoint gives Flare, with every field change besides.
        | ("GET", "/api/v2/ticket_audits.json")
        | ("GET", "/api/v2/tickets/{id}/audits.json")
        // Flare finds users through /users/search and keeps them with the incremental user export.
        | ("GET", "/api/v2/search/export.json")
        | ("PUT", "/api/v2/deleted_tickets/{id}/restore.json") => Route::NotCalled,
        (method, pattern) => panic!("no expectation for {method} {pattern}: add one"),
    }
}

/// The paging a recorded list request asked for.
fn requested_paging(uri: &str) -> Paging {
    match query_param(uri, "page[size]") {
        Some(size) => Paging::Cursor(CursorPage {
            size: size.parse().expect("a page size"),
            after: query_param(uri, "page[after]"),
        }),
        None => Paging::Offset(OffsetPage {
            page: query_param(uri, "page").map_or(1, |page| page.parse().expect("a page")),
            per_page: query_param(uri, "per_page")
                .map_or(100, |per_page| per_page.parse().expect("a page size")),
        }),
    }
}

/// The typed error each recorded error body means.
fn expected_error(body: &Value, context: &str) -> CoreError {
    match body["error"].as_str() {
        Some("RecordNotFound") => CoreError::NotFound {
            message: "Not found".into(),
        },
        Some("TooManyValues") => CoreError::Validation {
            field: None,
            message: "Parameter  cannot specify more than 100 values".into(),
        },
        other => panic!("{context}: no expectation for error {other:?}"),
    }
}

/// Checks one converted ticket against the object it came from.
fn check_ticket(ticket: &Ticket, record: &Value, context: &str) {
    let id = record["id"].as_u64().expect("an id");
    assert_eq!(ticket.id, id.to_string(), "{context}");
    assert_eq!(ticket.reference, format!("#{id}"), "{context}");
    assert_eq!(
        ticket.title,
        record["subject"].as_str().unwrap_or_default(),
        "{context}"
    );
    assert_eq!(
        ticket.description,
        record["description"].as_str().unwrap_or_default(),
        "{context}"
    );
    let status = record["status"].as_str().expect("a status");
    assert_eq!(ticket.status.code, status, "{context}");
    let completed = matches!(status, "solved" | "closed" | "deleted");
    assert_eq!(
        ticket.status.category == StatusCategory::Completed,
        completed,
        "{context}: {status}"
    );
    assert_eq!(
        ticket
            .priority
            .as_ref()
            .map(|priority| priority.code.as_str()),
        record["priority"].as_str(),
        "{context}"
    );
    assert_eq!(
        ticket.requester.as_ref().map(|person| person.id.clone()),
        record["requester_id"].as_u64().map(|id| id.to_string()),
        "{context}"
    );
    assert_eq!(
        ticket.assignee.as_ref().map(|person| person.id.clone()),
        record["assignee_id"].as_u64().map(|id| id.to_string()),
        "{context}"
    );
    let updated_at = record["updated_at"].as_str().expect("updated_at");
    assert!(ticket.updated.is_some(), "{context}: {updated_at}");
    assert_eq!(ticket.updated, Timestamp::parse(updated_at), "{context}");
    assert!(ticket.created.is_some(), "{context}");
    assert_eq!(
        ticket.web_link,
        format!("https://d3v-zenpydev.zendesk.com/agent/tickets/{id}"),
        "{context}"
    );
    let native = record.as_object().expect("an object");
    assert_eq!(
        ticket.native.len(),
        native.len(),
        "{context}: every field kept"
    );
}

fn check_tickets(tickets: &[Ticket], records: &Value, context: &str) {
    let records = records.as_array().expect("tickets");
    assert_eq!(tickets.len(), records.len(), "{context}");
    for (ticket, record) in tickets.iter().zip(records) {
        check_ticket(ticket, record, context);
    }
}

#[test]
fn every_recorded_response_parses_or_names_its_error() {
    let zendesk = zendesk();
    let interactions = interactions();
    assert_eq!(interactions.len(), 625, "the 43 recordings are all there");
    let mut seen: BTreeMap<Route, usize> = BTreeMap::new();
    for interaction in interactions {
        let Interaction {
            file,
            method,
            uri,
            request_body,
            response,
        } = interaction;
        let pattern = path_pattern(&uri);
        let context = format!("{file}: {method} {uri} -> {}", response.status);
        let route = route(&method, &pattern);
        *seen.entry(route).or_default() += 1;
        let body: Value = serde_json::from_str(&response.text()).unwrap_or(Value::Null);

        if response.status >= 400 {
            // The error mapping is shared by every parser, whatever the endpoint.
            let error = zendesk.parse_ticket(&response).expect_err(&context);
            assert_eq!(error, expected_error(&body, &context), "{context}");
            assert_eq!(zendesk.parse_deleted(&response), Err(error), "{context}");
            continue;
        }

        match route {
            Route::Ticket => {
                let ticket = zendesk.parse_ticket(&response).expect(&context);
                check_ticket(&ticket, &body["ticket"], &context);
                if method == "POST" {
                    let location = response.header("location").expect("a Location");
                    assert!(
                        location.ends_with(&format!("/tickets/{}.json", ticket.id)),
                        "{context}"
                    );
                    let subject = request_body
                        .as_ref()
                        .and_then(|request| request["ticket"]["subject"].as_str());
                    assert_eq!(Some(ticket.title.as_str()), subject, "{context}");
                }
            }
            Route::Tickets => {
                let tickets = zendesk.parse_tickets(&response).expect(&context);
                check_tickets(&tickets, &body["tickets"], &context);
                if let Some(ids) = query_param(&uri, "ids") {
                    let asked: Vec<&str> = ids.split(',').collect();
                    for ticket in &tickets {
                        assert!(asked.contains(&ticket.id.as_str()), "{context}");
                    }
                }
            }
            Route::Export => {
                let page = zendesk.parse_export_page(&response).expect(&context);
                check_tickets(&page.tickets, &body["tickets"], &context);
                let cursor = body["after_cursor"].as_str().map(|cursor| {
                    flare_core::providers::zendesk::SyncPoint::Cursor(cursor.to_owned())
                });
                assert_eq!(page.next, cursor, "{context}");
                assert_eq!(
                    Some(page.end_of_stream),
                    body["end_of_stream"].as_bool(),
                    "{context}"
                );
            }
            Route::Groups => {
                let groups = zendesk
                    .parse_group_page(&response, &requested_paging(&uri))
                    .expect(&context)
                    .items;
                let recorded = body["groups"].as_array().expect("groups");
                let live: Vec<u64> = recorded
                    .iter()
                    .filter(|group| group["deleted"].as_bool() != Some(true))
                    .filter_map(|group| group["id"].as_u64())
                    .collect();
                assert_eq!(
                    groups.iter().map(|group| group.id).collect::<Vec<_>>(),
                    live,
                    "{context}"
                );
            }
            Route::TicketPage => {
                let paging = requested_paging(&uri);
                let page = zendesk
                    .parse_ticket_page(&response, &paging)
                    .expect(&context);
                check_tickets(&page.items, &body["tickets"], &context);
                match &paging {
                    Paging::Cursor(cursor) => {
                        let has_more = body["meta"]["has_more"].as_bool().expect("has_more");
                        let expected = has_more.then(|| {
                            Paging::Cursor(CursorPage {
                                size: cursor.size,
                                after: body["meta"]["after_cursor"].as_str().map(str::to_owned),
                            })
                        });
                        assert_eq!(page.next, expected, "{context}");
                        assert_eq!(page.total, None, "{context}");
                    }
                    Paging::Offset(offset) => {
                        let expected = body["next_page"]
                            .as_str()
                            .map(|_| Paging::Offset(offset.following()));
                        assert_eq!(page.next, expected, "{context}");
                        assert_eq!(page.total, body["count"].as_u64(), "{context}");
                    }
                }
            }
            Route::User => {
                let user = zendesk.parse_user(&response).expect(&context);
                assert_eq!(Some(user.id), body["user"]["id"].as_u64(), "{context}");
                assert_eq!(
                    Some(user.name.as_str()),
                    body["user"]["name"].as_str(),
                    "{context}"
                );
                assert_eq!(
                    user.email.as_deref(),
                    body["user"]["email"].as_str(),
                    "{context}"
                );
            }
            Route::Users => {
                let users = zendesk.parse_users(&response).expect(&context);
                let records = body["users"].as_array().expect("users");
                let ids: Vec<Option<u64>> = users.iter().map(|user| Some(user.id)).collect();
                let expected: Vec<Option<u64>> =
                    records.iter().map(|record| record["id"].as_u64()).collect();
                assert_eq!(ids, expected, "{context}");
            }
            Route::Deleted => {
                assert_eq!(response.status, 204, "{context}");
                assert_eq!(zendesk.parse_deleted(&response), Ok(()), "{context}");
            }
            Route::NotCalled => {
                let is_object_or_empty = body.is_object() || response.body.is_empty();
                assert!(is_object_or_empty, "{context}: a JSON object or nothing");
            }
        }
    }
    // Every kind of reply Flare reads is in the recordings, not only the ones that happen to be.
    let routes: Vec<Route> = seen.keys().copied().collect();
    assert_eq!(
        routes,
        [
            Route::Ticket,
            Route::Tickets,
            Route::TicketPage,
            Route::User,
            Route::Users,
            Route::Export,
            Route::Groups,
            Route::Deleted,
            Route::NotCalled
        ],
        "{seen:?}"
    );
}

#[test]
fn path_patterns_name_ids() {
    for (uri, pattern) in [
        (
            "https://d3v-zenpydev.zendesk.com/api/v2/tickets/4017.json",
            "/api/v2/tickets/{id}.json",
        ),
        (
            "https://d3v-zenpydev.zendesk.com/api/v2/tickets.json?page%5Bsize%5D=1",
            "/api/v2/tickets.json",
        ),
        (
            "https://d3v-zenpydev.zendesk.com/api/v2/job_statuses/V3-b0b9a66a0cf48b92650ab84aad4e1a17.json",
            "/api/v2/job_statuses/{id}.json",
        ),
        (
            "https://d3v-zenpydev.zendesk.com/api/v2/deleted_tickets/4017/restore.json",
            "/api/v2/deleted_tickets/{id}/restore.json",
        ),
    ] {
        assert_eq!(path_pattern(uri), pattern, "{uri}");
    }
}
