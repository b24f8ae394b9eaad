//! The Zendesk account over real HTTP, compared with `shared/recorded/zendesk/`.

mod common;

use base64::Engine;
use reqwest::StatusCode;
use serde_json::{json, Value};

struct Account {
    url: String,
    client: reqwest::Client,
}

const ADMIN: &str = "admin@example.com";
const END_USER: &str = "user@example.com";

impl Account {
    async fn start() -> Account {
        Account::start_with(flare_sandbox::zendesk::DEFAULT_REQUESTS_PER_MINUTE).await
    }

    async fn start_with(requests_per_minute: u32) -> Account {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let state =
            flare_sandbox::zendesk::ZendeskState::with_rate_limit(&url, requests_per_minute);
        let app = flare_sandbox::zendesk::app(state);
        tokio::spawn(async move { axum::serve(listener, app).await });
        Account {
            url,
            client: reqwest::Client::new(),
        }
    }

    fn auth(email: &str, token: &str) -> String {
        let login = format!("{email}/token:{token}");
        format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD.encode(login)
        )
    }

    async fn send(
        &self,
        method: reqwest::Method,
        path: &str,
        email: &str,
        body: Option<Value>,
    ) -> (StatusCode, reqwest::header::HeaderMap, String) {
        let request = self
            .client
            .request(method, format!("{}{path}", self.url))
            .header("authorization", Account::auth(email, "sandbox-token"));
        let request = match body {
            Some(body) => request.json(&body),
            None => request,
        };
        let response = request.send().await.unwrap();
        let status = response.status();
        let headers = response.headers().clone();
        (status, headers, response.text().await.unwrap())
    }

    async fn get(&self, path: &str, email: &str) -> (StatusCode, Value) {
        let (status, _, text) = self.send(reqwest::Method::GET, path, email, None).await;
        (status, serde_json::from_str(&text).unwrap_or(Value::Null))
    }
}

#[tokio::test]
async fn ticket_crud_as_recorded() {
    let account = Account::start().await;
    let (status, headers, text) = account
        .send(
            reqwest::Method::POST,
            "/api/v2/tickets.json",
            ADMIN,
            Some(json!({"ticket": {"description": "test", "subject": "test"}})),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{text}");
    assert_eq!(headers["content-type"], "application/json; charset=utf-8");
    assert!(headers.contains_key("x-rate-limit") && headers.contains_key("x-rate-limit-remaining"));
    let created: Value = serde_json::from_str(&text).unwrap();
    let ticket = &created["ticket"];
    let id = ticket["id"].as_u64().unwrap();
    assert_eq!(
        headers["location"],
        format!("{}/api/v2/tickets/{id}.json", account.url).as_str()
    );
    assert_eq!(ticket["status"], "new");
    assert_eq!(ticket["description"], "test");
    assert_eq!(ticket["raw_subject"], "test");
    assert!(created["audit"].is_object());
    // The recorded ticket's keys, in the recorded order.
    #[derive(serde::Deserialize)]
    struct Created {
        ticket: common::OrderedKeys,
    }
    let keys = serde_json::from_str::<Created>(&text).unwrap().ticket.0;
    // Without the ids of objects the sandbox does not have (status, form, brand).
    let recorded = recorded_ticket_keys();
    let expected: Vec<&String> = recorded
        .iter()
        .filter(|key| !["custom_status_id", "ticket_form_id", "brand_id"].contains(&key.as_str()))
        .collect();
    assert_eq!(keys.iter().collect::<Vec<_>>(), expected);

    let (status, body) = account
        .get(&format!("/api/v2/tickets/{id}.json"), ADMIN)
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["ticket"]["id"], id);

    let update = json!({"ticket": {"status": "open", "priority": "high", "comment": {"body": "Looking into it", "public": false}}});
    let (status, _, text) = account
        .send(
            reqwest::Method::PUT,
            &format!("/api/v2/tickets/{id}.json"),
            ADMIN,
            Some(update),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{text}");
    let updated: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(updated["ticket"]["status"], "open");
    assert_eq!(updated["ticket"]["priority"], "high");
    let (_, comments) = account
        .get(&format!("/api/v2/tickets/{id}/comments.json"), ADMIN)
        .await;
    assert_eq!(comments["count"], 2);
    assert_eq!(comments["comments"][1]["body"], "Looking into it");
    assert_eq!(comments["comments"][1]["public"], false);

    let (status, _, text) = account
        .send(
            reqwest::Method::DELETE,
            &format!("/api/v2/tickets/{id}.json"),
            ADMIN,
            None,
        )
        .await;
    assert_eq!((status, text.as_str()), (StatusCode::NO_CONTENT, ""));
    let (status, body) = account
        .get(&format!("/api/v2/tickets/{id}.json"), ADMIN)
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(
        body,
        json!({"error": "RecordNotFound", "description": "Not found"})
    );
}

#[tokio::test]
async fn errors_as_recorded() {
    let account = Account::start().await;
    let response = account
        .client
        .get(format!("{}/api/v2/users/me.json", account.url))
        .header("authorization", Account::auth(ADMIN, "wrong"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(
        response.json::<Value>().await.unwrap(),
        json!({"error": "Couldn't authenticate you"})
    );

    let (status, body) = account
        .get("/api/v2/tickets/9223372036854775807.json", ADMIN)
        .await;
    assert_eq!(
        (status, body),
        (
            StatusCode::NOT_FOUND,
            json!({"error": "RecordNotFound", "description": "Not found"})
        )
    );

    let tickets: Vec<Value> = (0..101)
        .map(|_| json!({"description": "test", "subject": "test"}))
        .collect();
    let (status, _, text) = account
        .send(
            reqwest::Method::POST,
            "/api/v2/tickets/create_many.json",
            ADMIN,
            Some(json!({"tickets": tickets})),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        text,
        r#"{"error":"TooManyValues","description":"Parameter  cannot specify more than 100 values","max_count":100}"#
    );

    let (status, _, text) = account
        .send(
            reqwest::Method::POST,
            "/api/v2/tickets.json",
            ADMIN,
            Some(json!({"ticket": {"subject": "no body"}})),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        serde_json::from_str::<Value>(&text).unwrap()["error"],
        "RecordInvalid"
    );

    // The Tickets API is for agents.
    let (status, body) = account.get("/api/v2/tickets.json", END_USER).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(body["error"], "Forbidden");
    let (status, body) = account.get("/api/v2/users/me.json", END_USER).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["user"]["role"], "end-user");
}

#[tokio::test]
async fn bulk_jobs_complete() {
    let account = Account::start().await;
    let tickets: Vec<Value> = (0..5)
        .map(|_| json!({"description": "test", "subject": "test"}))
        .collect();
    let (status, _, text) = account
        .send(
            reqwest::Method::POST,
            "/api/v2/tickets/create_many.json",
            ADMIN,
            Some(json!({"tickets": tickets})),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let job: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(job["job_status"]["status"], "queued");
    assert_eq!(job["job_status"]["total"], 5);
    let url = job["job_status"]["url"].as_str().unwrap();
    let (_, done) = account
        .get(url.strip_prefix(&account.url).unwrap(), ADMIN)
        .await;
    assert_eq!(done["job_status"]["status"], "completed");
    let ids: Vec<String> = done["job_status"]["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|result| result["id"].to_string())
        .collect();
    assert_eq!(ids.len(), 5);
    let (_, many) = account
        .get(
            &format!("/api/v2/tickets/show_many.json?ids={}", ids.join(",")),
            ADMIN,
        )
        .await;
    assert_eq!(many["tickets"].as_array().map(Vec::len), Some(5));
    let (status, _, _) = account
        .send(
            reqwest::Method::DELETE,
            &format!("/api/v2/tickets/destroy_many.json?ids={}", ids.join(",")),
            ADMIN,
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (_, many) = account
        .get(
            &format!("/api/v2/tickets/show_many.json?ids={}", ids.join(",")),
            ADMIN,
        )
        .await;
    assert_eq!(many["tickets"], json!([]));
}

#[tokio::test]
async fn cursor_and_offset_paging() {
    let account = Account::start().await;
    for _ in 0..6 {
        account
            .send(
                reqwest::Method::POST,
                "/api/v2/tickets.json",
                ADMIN,
                Some(json!({"ticket": {"comment": {"body": "x"}}})),
            )
            .await;
    }
    // Ten tickets: four seeded, six new. Cursor pages of four.
    let (_, first) = account
        .get("/api/v2/tickets.json?page%5Bsize%5D=4", ADMIN)
        .await;
    assert_eq!(first["tickets"].as_array().map(Vec::len), Some(4));
    assert_eq!(first["meta"]["has_more"], true);
    let next = first["links"]["next"].as_str().unwrap().to_owned();
    let (_, second) = account
        .get(next.strip_prefix(&account.url).unwrap(), ADMIN)
        .await;
    assert_eq!(second["tickets"][0]["id"], 5);
    let next = second["links"]["next"].as_str().unwrap().to_owned();
    let (_, third) = account
        .get(next.strip_prefix(&account.url).unwrap(), ADMIN)
        .await;
    assert_eq!(third["tickets"].as_array().map(Vec::len), Some(2));
    assert_eq!(third["meta"]["has_more"], false);
    assert_eq!(third["links"]["next"], Value::Null);

    let (_, page) = account
        .get("/api/v2/tickets.json?page=2&per_page=4", ADMIN)
        .await;
    assert_eq!(page["count"], 10);
    assert_eq!(page["tickets"][0]["id"], 5);
    assert!(page["next_page"]
        .as_str()
        .unwrap()
        .ends_with("page=3&per_page=4"));
    assert!(page["previous_page"]
        .as_str()
        .unwrap()
        .ends_with("page=1&per_page=4"));
    let (status, _) = account.get("/api/v2/tickets.json?page=101", ADMIN).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn search_tickets_and_users() {
    let account = Account::start().await;
    let cases = [
        (
            "type:ticket status<solved requester:user@example.com",
            vec![1, 2],
        ),
        ("type:ticket status:solved", vec![3]),
        ("type:ticket priority>normal", vec![2, 4]),
        ("type:ticket vpn", vec![2]),
        ("type:ticket subject:\"ssl certificate\"", vec![4]),
        (
            "type:ticket -status:new requester:user@example.com",
            vec![1, 3],
        ),
        ("type:user vpn", vec![]),
    ];
    for (query, expected) in cases {
        let path = format!("/api/v2/search.json?query={}", urlencode(query));
        let (status, body) = account.get(&path, ADMIN).await;
        assert_eq!(status, StatusCode::OK, "{query}");
        let ids: Vec<u64> = body["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|ticket| ticket["id"].as_u64().unwrap())
            .collect();
        assert_eq!(ids, expected, "{query}");
        assert_eq!(body["count"], expected.len(), "{query}");
        if let Some(first) = body["results"].get(0) {
            assert_eq!(first["result_type"], "ticket");
        }
    }
    let (status, _) = account
        .get(
            "/api/v2/search.json?query=type%3Aticket&page=11&per_page=100",
            ADMIN,
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);

    let (_, users) = account
        .get(
            "/api/v2/users/search.json?query=email%3A%22user%40example.com%22",
            ADMIN,
        )
        .await;
    assert_eq!(users["users"][0]["email"], END_USER);
    assert_eq!(users["count"], 1);
}

#[tokio::test]
async fn rate_limit_answers_plain_text() {
    let account = Account::start_with(2).await;
    for remaining in ["1", "0"] {
        let (status, headers, _) = account
            .send(reqwest::Method::GET, "/api/v2/users/me.json", ADMIN, None)
            .await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(headers["x-rate-limit"], "2");
        assert_eq!(headers["x-rate-limit-remaining"], remaining);
    }
    let (status, headers, text) = account
        .send(reqwest::Method::GET, "/api/v2/users/me.json", ADMIN, None)
        .await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    assert!(headers["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/plain"));
    assert!(headers.contains_key("retry-after"));
    assert_eq!(text, "Number of allowed API requests per minute exceeded");
}

/// The keys of the ticket in the recorded single-ticket create, in order.
fn recorded_ticket_keys() -> Vec<String> {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../core/tests/fixtures/recorded/zendesk/TestTicketCreateUpdateDelete.test_single_object_creation-create-single.json"
    );
    let recording: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let body = recording["interactions"][0]["response"]["body"]
        .as_str()
        .unwrap();
    #[derive(serde::Deserialize)]
    struct Created {
        ticket: common::OrderedKeys,
    }
    serde_json::from_str::<Created>(body).unwrap().ticket.0
}

fn urlencode(text: &str) -> String {
    text.bytes()
        .map(|byte| match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' => {
                char::from(byte).to_string()
            }
            _ => format!("%{byte:02X}"),
        })
        .collect()
}
