//! Every ServiceNow reply parser turns any status, content type and body into a value or an error,
//! never a panic.
#![no_main]

use flare_core::auth::Credentials;
use flare_core::http::HttpResponse;
use flare_core::instance::InstanceUrl;
use flare_core::providers::servicenow::{DirectoryCache, DirectoryTable, ServiceNow, Table};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&selector, rest)) = data.split_first() else { return };
    let statuses = [200, 201, 204, 400, 401, 403, 404, 429, 500, 503];
    let content_types = ["application/json;charset=UTF-8", "text/html", "text/plain"];
    let mut headers = vec![("Content-Type".to_owned(), content_types[usize::from(selector >> 4) % 3].to_owned())];
    // Let the body double as header values so paging and rate-limit headers are explored too.
    let text = String::from_utf8_lossy(rest);
    if selector & 1 == 1 {
        headers.push(("Link".to_owned(), text.chars().take(200).collect()));
        headers.push(("X-Total-Count".to_owned(), text.chars().take(8).collect()));
        headers.push(("Retry-After".to_owned(), text.chars().take(30).collect()));
    }
    let response = HttpResponse::new(statuses[usize::from(selector) % statuses.len()], headers, rest.to_vec());
    let instance = InstanceUrl::parse_servicenow("fuzz").expect("valid");
    let servicenow = ServiceNow::new(instance, Credentials::Basic { username: "u".into(), password: "p".into() });
    for table in [Table::Incident, Table::Request, Table::RequestItem, Table::ChangeRequest] {
        let _ = servicenow.parse_ticket(table, &response);
        let _ = servicenow.parse_ticket_page(table, &response, 10, 5);
        let _ = servicenow.parse_found_ticket(table, &response);
    }
    let _ = servicenow.parse_user(&response);
    let _ = servicenow.parse_groups(&response);
    let _ = servicenow.parse_journal(&response);
    let _ = servicenow.parse_attachment(&response);
    let _ = servicenow.parse_attachments(&response);
    let _ = servicenow.parse_download(&response);
    let _ = servicenow.parse_deleted(&response);
    let _ = DirectoryCache::default().handle_refresh(DirectoryTable::Users, &response);
});
