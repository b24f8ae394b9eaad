//! Every response recorded from real ServiceNow instances (tests/fixtures/recorded/servicenow, copied
//! from shared/recorded) parses into Flare's model or into the typed error it means.

use std::path::Path;

use flare_core::auth::Credentials;
use flare_core::error::CoreError;
use flare_core::http::HttpResponse;
use flare_core::instance::InstanceUrl;
use flare_core::providers::servicenow::{ServiceNow, Table};
use serde_json::Value;

fn servicenow() -> ServiceNow {
    let instance = InstanceUrl::parse_servicenow("dev12629").expect("valid");
    ServiceNow::new(
        instance,
        Credentials::Basic {
            username: "admin".into(),
            password: "x".into(),
        },
    )
}

fn interactions() -> Vec<(String, Value, Value)> {
    let folder = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/recorded/servicenow");
    let mut all = Vec::new();
    let mut paths: Vec<_> = std::fs::read_dir(&folder)
        .expect("fixture folder")
        .map(|entry| entry.expect("entry").path())
        .collect();
    paths.sort();
    for path in paths {
        let recording: Value =
            serde_json::from_str(&std::fs::read_to_string(&path).expect("readable")).expect("json");
        let name = path
            .file_name()
            .expect("a file")
            .to_string_lossy()
            .into_owned();
        for interaction in recording["interactions"].as_array().expect("interactions") {
            all.push((
                name.clone(),
                interaction["request"].clone(),
                interaction["response"].clone(),
            ));
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

#[test]
fn every_recorded_response_parses_or_names_its_error() {
    let servicenow = servicenow();
    let interactions = interactions();
    assert!(interactions.len() > 50, "the recordings are there");
    for (name, request, recorded) in interactions {
        let response = response(&recorded);
        let method = request["method"].as_str().expect("method");
        let context = format!("{name}: {method} {} -> {}", request["uri"], response.status);
        let body: Option<Value> = serde_json::from_str(&response.text()).ok();
        match (method, response.status) {
            ("GET", 200) => {
                let page = servicenow.parse_ticket_page(Table::Incident, &response, 1, 0);
                let records = body
                    .as_ref()
                    .and_then(|body| body["result"].as_array())
                    .expect("a list");
                match page {
                    Ok(page) => {
                        assert_eq!(page.items.len(), records.len(), "{context}");
                        for (ticket, record) in page.items.iter().zip(records) {
                            assert_eq!(
                                ticket.id,
                                record["sys_id"].as_str().expect("sys_id"),
                                "{context}"
                            );
                            assert_eq!(
                                ticket.reference,
                                record["number"].as_str().unwrap_or_default(),
                                "{context}"
                            );
                            assert_eq!(
                                ticket.status.code,
                                record["state"].as_str().unwrap_or_default(),
                                "{context}"
                            );
                            assert_eq!(
                                ticket.updated.map(|time| time.to_servicenow()).as_deref(),
                                record["sys_updated_on"].as_str(),
                                "{context}"
                            );
                        }
                        let total: Option<u64> = response
                            .header("x-total-count")
                            .and_then(|total| total.parse().ok());
                        assert_eq!(page.total, total, "{context}");
                    }
                    // Some recordings asked for fields without sys_id, which Flare never does.
                    Err(error) => {
                        assert!(
                            records.iter().any(|record| record.get("sys_id").is_none()),
                            "{context}: {error}"
                        );
                        assert_eq!(
                            error,
                            CoreError::Malformed {
                                message: "the record has no sys_id".into()
                            },
                            "{context}"
                        );
                    }
                }
            }
            ("POST" | "PUT", 200 | 201) => {
                match servicenow.parse_ticket(Table::Incident, &response) {
                    Ok(ticket) => {
                        let record = &body.expect("json")["result"];
                        assert_eq!(
                            ticket.id,
                            record["sys_id"].as_str().expect("sys_id"),
                            "{context}"
                        );
                        assert_eq!(
                            ticket.title,
                            record["short_description"].as_str().expect("title"),
                            "{context}"
                        );
                        assert_eq!(
                            ticket.web_link,
                            format!(
                                "https://dev12629.service-now.com/incident.do?sys_id={}",
                                ticket.id
                            )
                        );
                    }
                    // `X-no-response-body: true` makes a 201 with nothing in it.
                    Err(error) => assert_eq!(
                        error,
                        CoreError::Malformed {
                            message: "the reply has no body".into()
                        },
                        "{context}"
                    ),
                }
            }
            ("DELETE", 204) => assert_eq!(servicenow.parse_deleted(&response), Ok(()), "{context}"),
            (_, status) => {
                let error = servicenow
                    .parse_ticket(Table::Incident, &response)
                    .expect_err(&context);
                let expected = match status {
                    401 => CoreError::Unauthorized { message: "User Not Authenticated: Required to provide Auth information".into() },
                    403 => CoreError::Forbidden { message: "Operation Failed: Error during insert of incident (2135483521432)".into() },
                    404 => CoreError::NotFound { message: "No Record found: Record doesn't exist or ACL restricts the record retrieval".into() },
                    other => panic!("{context}: no expectation for status {other}"),
                };
                assert_eq!(error, expected, "{context}");
            }
        }
    }
}
