//! Keeping a copy of a Zendesk account's tickets in sync: the cursor-based incremental ticket
//! export (`/api/v2/incremental/tickets/cursor`, incremental.yml). Admins only.

use serde::{Deserialize, Serialize};

use crate::error::CoreError;
use crate::http::{query_string, HttpRequest, HttpResponse};
use crate::providers::zendesk::check;
use crate::providers::zendesk::wire::{parse_json, WireTicket};
use crate::providers::zendesk::Zendesk;
use crate::ticket::Ticket;

/// Where an export continues: from a time on the first run, then from the cursor the last page gave.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum SyncPoint {
    /// Tickets changed at or after this Unix time (seconds).
    Since(u64),
    /// The `after_cursor` of the previous page; keep it between runs to fetch only later changes.
    Cursor(String),
}

/// One page of an incremental export.
#[derive(Debug, Clone, PartialEq)]
pub struct ExportPage {
    /// Tickets changed since the sync point, deleted ones included (status `deleted`).
    pub tickets: Vec<Ticket>,
    /// Where to continue: now, while `end_of_stream` is false, or on the next sync run.
    pub next: Option<SyncPoint>,
    /// Whether this page reached the present; then wait before asking again.
    pub end_of_stream: bool,
}

#[derive(Deserialize)]
struct CursorExport {
    tickets: Vec<WireTicket>,
    after_cursor: Option<String>,
    end_of_stream: bool,
}

impl Zendesk {
    /// The next page of changed tickets from `from`. Read the reply with
    /// [`Zendesk::parse_export_page`].
    pub fn export_tickets_request(&self, from: &SyncPoint) -> HttpRequest {
        let query = match from {
            SyncPoint::Since(start_time) => {
                query_string(&[("start_time", &start_time.to_string())])
            }
            SyncPoint::Cursor(cursor) => query_string(&[("cursor", cursor)]),
        };
        self.get(&format!("/api/v2/incremental/tickets/cursor.json?{query}"))
    }

    /// Reads a page of the cursor-based export. The next sync point is the reply's `after_cursor`,
    /// never its `after_url`, which in real replies names another host (the recordings do).
    pub fn parse_export_page(&self, response: &HttpResponse) -> Result<ExportPage, CoreError> {
        let export: CursorExport = parse_json(&check(response)?.text(), "an incremental export")?;
        Ok(ExportPage {
            tickets: self.tickets(export.tickets)?,
            next: export.after_cursor.map(SyncPoint::Cursor),
            end_of_stream: export.end_of_stream,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::providers::zendesk::tests::zendesk;

    #[test]
    fn exports_start_from_a_time_then_follow_the_cursor() {
        let first = zendesk().export_tickets_request(&SyncPoint::Since(1_700_000_000));
        assert_eq!(
            first.url,
            "https://acme.zendesk.com/api/v2/incremental/tickets/cursor.json?start_time=1700000000"
        );
        let next = zendesk()
            .export_tickets_request(&SyncPoint::Cursor("MTY5NTA2MjcyNC4wfHwxNTcxfA==".into()));
        assert_eq!(next.url, "https://acme.zendesk.com/api/v2/incremental/tickets/cursor.json?cursor=MTY5NTA2MjcyNC4wfHwxNTcxfA%3D%3D");
        let reply = HttpResponse::new(
            200,
            vec![("Content-Type".into(), "application/json".into())],
            r#"{"tickets":[],"after_url":"https://elsewhere.zendesk.com/x","before_url":null,"after_cursor":"abc","before_cursor":null,"end_of_stream":true}"#,
        );
        let page = zendesk().parse_export_page(&reply).expect("parses");
        assert_eq!(
            (page.next, page.end_of_stream),
            (Some(SyncPoint::Cursor("abc".into())), true)
        );
    }
}
