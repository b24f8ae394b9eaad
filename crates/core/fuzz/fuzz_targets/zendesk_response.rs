//! Every Zendesk reply parser turns any status, content type and body into a value or an error.
#![no_main]

use flare_core::auth::Credentials;
use flare_core::http::HttpResponse;
use flare_core::instance::InstanceUrl;
use flare_core::providers::zendesk::{CursorPage, OffsetPage, Paging, Zendesk};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&selector, rest)) = data.split_first() else { return };
    let statuses = [200, 201, 204, 400, 401, 403, 404, 409, 422, 429, 500, 503];
    let content_types = ["application/json; charset=utf-8", "text/html", "text/plain"];
    let mut headers = vec![("Content-Type".to_owned(), content_types[usize::from(selector >> 4) % 3].to_owned())];
    let text = String::from_utf8_lossy(rest);
    if selector & 1 == 1 {
        headers.push(("retry-after".to_owned(), text.chars().take(12).collect()));
        headers.push(("rate-limit-reset".to_owned(), text.chars().take(12).collect()));
    }
    let response = HttpResponse::new(statuses[usize::from(selector) % statuses.len()], headers, rest.to_vec());
    let instance = InstanceUrl::parse_zendesk("fuzz").expect("valid");
    let zendesk = Zendesk::new(instance, Credentials::Basic { username: "a@b.c/token".into(), password: "t".into() });
    let offset = OffsetPage { page: 2, per_page: 25 };
    let cursor = Paging::Cursor(CursorPage { size: 25, after: Some("abc".into()) });
    let _ = zendesk.parse_ticket(&response);
    let _ = zendesk.parse_tickets(&response);
    let _ = zendesk.parse_ticket_page(&response, &Paging::Offset(offset));
    let _ = zendesk.parse_ticket_page(&response, &cursor);
    let _ = zendesk.parse_search_page(&response, offset);
    let _ = zendesk.parse_comment_page(&response, &cursor);
    let _ = zendesk.parse_attachment_page(&response, &cursor);
    let _ = zendesk.parse_deleted(&response);
    let _ = zendesk.parse_download(&response);
    let _ = zendesk.parse_upload(&response);
    let _ = zendesk.parse_user(&response);
    let _ = zendesk.parse_users(&response);
    let _ = zendesk.parse_group_page(&response, &cursor);
    let _ = zendesk.parse_agent_page(&response, &Paging::Offset(offset));
    let _ = zendesk.parse_export_page(&response);
});
