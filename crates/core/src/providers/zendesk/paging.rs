//! Zendesk's two ways of paging a list, and their limits.
//!
//! Offset paging (`page`, `per_page`) answers with `next_page` and `count`; cursor paging
//! (`page[size]`, `page[after]`) answers with `meta.has_more`, `meta.after_cursor` and `links.next`
//! (both shapes are in `shared/recorded/zendesk/`). A caller asks for a page with [`Paging`] and gets
//! back a [`ListPage`] whose `next` is the [`Paging`] of the following page, so a lazy stream is a
//! loop that stops when `next` is `None`.
//!
//! The next page is rebuilt from the cursor or page number, never by following `links.next` or
//! `next_page`: those are absolute URLs taken from a reply body, and sending credentials to whatever
//! host a body names would leak them. (In the recordings `links.next` does name another host than
//! the one asked.)

use serde::{Deserialize, Serialize};

use crate::error::CoreError;
use crate::http::{query_string, HttpRequest, HttpResponse};
use crate::providers::zendesk::Zendesk;
use crate::ticket::Ticket;

/// The most records Zendesk returns per page, with either kind of paging.
pub const MAX_PAGE_SIZE: u32 = 100;

/// Offset paging stops here: asking for a later page answers 400 (`shared/reference/zendesk/README.md`).
pub const MAX_OFFSET_PAGES: u32 = 100;

/// Search returns at most this many results; a page past it answers 422 (Search API, "Results limit").
pub const MAX_SEARCH_RESULTS: u32 = 1000;

/// Where a list starts or continues.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Paging {
    /// Numbered pages; gives a total count, but only the first [`MAX_OFFSET_PAGES`] pages.
    Offset(OffsetPage),
    /// Cursor pages; no total, no page limit. Zendesk recommends it for lists.
    Cursor(CursorPage),
}

/// A numbered page.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct OffsetPage {
    /// The page number, from 1.
    pub page: u32,
    /// Records per page, 1 to [`MAX_PAGE_SIZE`].
    pub per_page: u32,
}

/// A page after a cursor.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CursorPage {
    /// Records per page, 1 to [`MAX_PAGE_SIZE`].
    pub size: u32,
    /// The `meta.after_cursor` of the previous page; `None` for the first page.
    pub after: Option<String>,
}

/// One page of a list, and the paging of the next one.
#[derive(Debug, Clone, PartialEq)]
pub struct ListPage<T> {
    /// The records on this page.
    pub items: Vec<T>,
    /// How many records match in all, when the reply said (offset paging and search give `count`).
    pub total: Option<u64>,
    /// What to ask for next, or `None` on the last page.
    pub next: Option<Paging>,
}

/// A lazy walk over every page of a ticket list, one request at a time, with cursor paging (which
/// has no page limit).
///
/// Poll [`TicketPages::next_request`]; send it; hand the reply to [`TicketPages::handle`]; stop when
/// `next_request` returns `None`.
#[derive(Debug, Clone)]
pub struct TicketPages {
    zendesk: Zendesk,
    requester_id: Option<u64>,
    next: Option<Paging>,
}

/// The first page of 100.
impl Default for OffsetPage {
    fn default() -> OffsetPage {
        OffsetPage {
            page: 1,
            per_page: MAX_PAGE_SIZE,
        }
    }
}

/// The first page of 100.
impl Default for CursorPage {
    fn default() -> CursorPage {
        CursorPage {
            size: MAX_PAGE_SIZE,
            after: None,
        }
    }
}

impl OffsetPage {
    /// The page after this one.
    pub fn following(self) -> OffsetPage {
        OffsetPage {
            page: self.page.saturating_add(1),
            ..self
        }
    }

    /// The index of the last record this page would hold, counting from 1.
    fn last_record(self) -> u64 {
        u64::from(self.page) * u64::from(self.per_page)
    }

    pub(crate) fn query(self) -> String {
        query_string(&[
            ("page", &self.page.to_string()),
            ("per_page", &self.per_page.to_string()),
        ])
    }

    /// Refuses what Zendesk would refuse for a list, before anything is sent.
    pub(crate) fn check_list(self) -> Result<OffsetPage, CoreError> {
        check_size("per_page", self.per_page)?;
        if self.page == 0 {
            return Err(invalid("page", "page numbers start at 1"));
        }
        if self.page > MAX_OFFSET_PAGES {
            return Err(invalid(
                "page",
                "offset paging stops at page 100, use cursor paging",
            ));
        }
        Ok(self)
    }

    /// Refuses what Zendesk would refuse for a search, before anything is sent.
    pub(crate) fn check_search(self) -> Result<OffsetPage, CoreError> {
        check_size("per_page", self.per_page)?;
        if self.page == 0 {
            return Err(invalid("page", "page numbers start at 1"));
        }
        if self.last_record() > u64::from(MAX_SEARCH_RESULTS) {
            return Err(invalid(
                "page",
                "search returns at most 1000 results, narrow the search",
            ));
        }
        Ok(self)
    }

    /// The next page of a search, unless it would pass the result limit.
    pub(crate) fn next_search_page(self, has_more: bool) -> Option<Paging> {
        let next = self.following();
        let within_limit = next.last_record() <= u64::from(MAX_SEARCH_RESULTS);
        (has_more && within_limit).then_some(Paging::Offset(next))
    }
}

impl TicketPages {
    /// Every ticket the user may see, `page_size` (clamped to 1..=100) at a time.
    pub fn all(zendesk: Zendesk, page_size: u32) -> TicketPages {
        TicketPages::start(zendesk, None, page_size)
    }

    /// The tickets `user_id` requested, `page_size` (clamped to 1..=100) at a time.
    pub fn requested_by(zendesk: Zendesk, user_id: u64, page_size: u32) -> TicketPages {
        TicketPages::start(zendesk, Some(user_id), page_size)
    }

    /// The request for the next page, or `None` once the last page was handled.
    pub fn next_request(&self) -> Option<HttpRequest> {
        let paging = self.next.as_ref()?;
        let request = match self.requester_id {
            Some(user_id) => self.zendesk.requested_tickets_request(user_id, paging),
            None => self.zendesk.list_tickets_request(paging),
        };
        Some(request.expect("cursor pages of a clamped size always build"))
    }

    /// Reads the reply to the last [`TicketPages::next_request`] and moves on; after an error the
    /// same page is asked for again.
    pub fn handle(&mut self, response: &HttpResponse) -> Result<Vec<Ticket>, CoreError> {
        let Some(paging) = &self.next else {
            return Ok(Vec::new());
        };
        let page = self.zendesk.parse_ticket_page(response, paging)?;
        self.next = page.next;
        Ok(page.items)
    }

    fn start(zendesk: Zendesk, requester_id: Option<u64>, page_size: u32) -> TicketPages {
        TicketPages {
            zendesk,
            requester_id,
            next: Some(Paging::Cursor(CursorPage {
                size: page_size.clamp(1, MAX_PAGE_SIZE),
                after: None,
            })),
        }
    }
}

impl CursorPage {
    pub(crate) fn query(&self) -> Result<String, CoreError> {
        check_size("page[size]", self.size)?;
        let size = self.size.to_string();
        let mut params = vec![("page[size]", size.as_str())];
        if let Some(after) = &self.after {
            params.push(("page[after]", after));
        }
        Ok(query_string(&params))
    }
}

impl Paging {
    /// The query string for a list endpoint, checked against Zendesk's limits.
    pub(crate) fn list_query(&self) -> Result<String, CoreError> {
        match self {
            Paging::Offset(page) => Ok(page.check_list()?.query()),
            Paging::Cursor(page) => page.query(),
        }
    }
}

fn check_size(field: &str, size: u32) -> Result<(), CoreError> {
    match size {
        1..=MAX_PAGE_SIZE => Ok(()),
        _ => Err(invalid(field, "page size must be between 1 and 100")),
    }
}

fn invalid(field: &str, message: &str) -> CoreError {
    CoreError::Validation {
        field: Some(field.to_owned()),
        message: message.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(paging: Paging, expected: Result<&str, &str>) {
        let actual = paging.list_query();
        match (&actual, expected) {
            (Ok(query), Ok(want)) => assert_eq!(query, want),
            (Err(CoreError::Validation { message, .. }), Err(want)) => assert_eq!(message, want),
            _ => panic!("{paging:?}: got {actual:?}, expected {expected:?}"),
        }
    }

    #[test]
    fn list_queries() {
        check(
            Paging::Offset(OffsetPage::default()),
            Ok("page=1&per_page=100"),
        );
        check(
            Paging::Cursor(CursorPage::default()),
            Ok("page%5Bsize%5D=100"),
        );
        check(
            Paging::Cursor(CursorPage {
                size: 1,
                after: Some("eyJvIjoibmljZV9pZCJ9==".into()),
            }),
            Ok("page%5Bsize%5D=1&page%5Bafter%5D=eyJvIjoibmljZV9pZCJ9%3D%3D"),
        );
        check(
            Paging::Offset(OffsetPage {
                page: 100,
                per_page: 100,
            }),
            Ok("page=100&per_page=100"),
        );
    }

    #[test]
    fn list_limits_are_checked_before_sending() {
        check(
            Paging::Offset(OffsetPage {
                page: 101,
                per_page: 10,
            }),
            Err("offset paging stops at page 100, use cursor paging"),
        );
        check(
            Paging::Offset(OffsetPage {
                page: 0,
                per_page: 10,
            }),
            Err("page numbers start at 1"),
        );
        check(
            Paging::Offset(OffsetPage {
                page: 1,
                per_page: 101,
            }),
            Err("page size must be between 1 and 100"),
        );
        check(
            Paging::Cursor(CursorPage {
                size: 0,
                after: None,
            }),
            Err("page size must be between 1 and 100"),
        );
    }

    #[test]
    fn ticket_pages_walk_cursors_to_the_end() {
        let instance = crate::instance::InstanceUrl::parse_zendesk("acme").expect("valid");
        let zendesk = Zendesk::new(
            instance,
            crate::providers::zendesk::api_token_credentials("jdoe@example.com", "x"),
        );
        let reply = |body: &str| {
            HttpResponse::new(
                200,
                vec![("Content-Type".into(), "application/json".into())],
                body,
            )
        };
        let mut pages = TicketPages::requested_by(zendesk, 42, 500);
        let first = pages.next_request().expect("a first page");
        assert_eq!(
            first.url,
            "https://acme.zendesk.com/api/v2/users/42/tickets/requested.json?page%5Bsize%5D=100"
        );
        let items = pages
            .handle(&reply(
                r#"{"tickets":[{"id":1},{"id":2}],"meta":{"has_more":true,"after_cursor":"aQIA"}}"#,
            ))
            .expect("parses");
        assert_eq!(items.len(), 2);
        let second = pages.next_request().expect("a second page");
        assert_eq!(
            second.url,
            "https://acme.zendesk.com/api/v2/users/42/tickets/requested.json?page%5Bsize%5D=100&page%5Bafter%5D=aQIA"
        );
        assert!(pages.handle(&reply("{broken")).is_err());
        assert_eq!(pages.next_request(), Some(second), "an error asks again");
        let items = pages
            .handle(&reply(
                r#"{"tickets":[{"id":3}],"meta":{"has_more":false,"after_cursor":"aQMA"}}"#,
            ))
            .expect("parses");
        assert_eq!(items.len(), 1);
        assert_eq!(pages.next_request(), None);
        let all = TicketPages::all(pages.zendesk.clone(), 0);
        assert_eq!(
            all.next_request().map(|request| request.url),
            Some("https://acme.zendesk.com/api/v2/tickets.json?page%5Bsize%5D=1".to_owned())
        );
    }

    #[test]
    fn search_cap_is_page_times_per_page() {
        let page = |page, per_page| OffsetPage { page, per_page };
        assert!(page(10, 100).check_search().is_ok());
        assert!(page(40, 25).check_search().is_ok());
        assert!(page(11, 100).check_search().is_err());
        assert!(page(34, 30).check_search().is_err());
        assert_eq!(
            page(9, 100).next_search_page(true),
            Some(Paging::Offset(page(10, 100)))
        );
        assert_eq!(page(10, 100).next_search_page(true), None);
        assert_eq!(page(3, 100).next_search_page(false), None);
    }
}
