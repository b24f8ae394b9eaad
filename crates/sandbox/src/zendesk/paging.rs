//! Zendesk's two ways of paging a list (`shared/reference/zendesk/*.yml`, "Pagination"), as the
//! recordings show them (`TestTicketsPagination.test_pagination.json`):
//!
//! - Offset: `page` and `per_page` (at most 100, the default); the reply carries `next_page` and
//!   `previous_page` as absolute URLs and `count`. Past page 100 the account answers 400
//!   (`shared/reference/zendesk/README.md`).
//! - Cursor: `page[size]` with `page[after]` or `page[before]`; the reply carries
//!   `meta.has_more`, `meta.after_cursor`, `meta.before_cursor` and `links.next`/`links.prev`.
//!
//! Cursors have the recorded form: base64 of `{"o":"<order>","v":"<base64 of the sort values>"}`,
//! each value an `i` and a number as 8 little-endian bytes, a `d` and a Unix time as 8
//! little-endian bytes (recorded `TestTicketAudits`, ordered by `created_at,id`), or an `s`, the
//! number of characters as 4 little-endian bytes and the UTF-8 text (recorded: "🎯on target" has
//! length 10). Tickets are ordered by `nice_id`, one number, so the
//! recorded `page[after]` values decode to the ticket numbers of the recorded pages (1 to 9), and
//! replaying them against the sandbox's tickets 1 to 9 walks the same pages. Groups are ordered by
//! `name,id` (recorded `TestGroupCreateUpdateDelete.test_pagination`: "Support", then
//! "testGroup0", then "🎯A is for Aleph", "🎯on target", "🎯Support"), names compared without case.

use std::cmp::Ordering;

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use flare_core::http::query_string;
use serde_json::{json, Value};

use crate::zendesk::error::ZendeskError;

/// The most records per page, and the default page size.
pub(crate) const MAX_PAGE_SIZE: usize = 100;

/// The last page offset paging serves.
pub(crate) const MAX_OFFSET_PAGES: usize = 100;

/// What the client asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum PageRequest {
    Offset {
        page: usize,
        per_page: usize,
        /// Whether `per_page` was sent, so that `next_page` repeats it only then, as recorded.
        explicit_per_page: bool,
    },
    Cursor {
        size: usize,
        after: Option<CursorKey>,
        before: Option<CursorKey>,
    },
}

/// Where a record sits in its list's cursor order: its sort values, compared in turn.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct CursorKey(Vec<CursorValue>);

/// One sort value of a [`CursorKey`].
#[derive(Debug, Clone, PartialEq, Eq)]
enum CursorValue {
    Id(u64),
    Time(i64),
    Text(String),
}

/// The paging fields of a reply.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum PageLinks {
    Offset {
        next_page: Option<String>,
        previous_page: Option<String>,
        count: usize,
    },
    Cursor {
        has_more: bool,
        after_cursor: Option<String>,
        before_cursor: Option<String>,
        next: Option<String>,
        prev: Option<String>,
    },
}

/// A list endpoint's address and the query parameters its page links repeat (such as `query` on
/// search), for building `next_page` and `links.next`.
#[derive(Debug, Clone)]
pub(crate) struct ListUrl<'a> {
    pub(crate) url: String,
    pub(crate) kept: Vec<(&'a str, &'a str)>,
    /// The `o` of this list's cursors: `nice_id` for tickets, `name,id` for groups, `id` for the
    /// rest (recorded).
    pub(crate) order: &'static str,
}

impl PageRequest {
    /// Reads the paging parameters; cursor paging when any `page[...]` parameter is present.
    pub(crate) fn parse(params: &[(String, String)]) -> Result<PageRequest, ZendeskError> {
        let param = |name: &str| {
            params
                .iter()
                .find(|(key, _)| key == name)
                .map(|(_, value)| value.as_str())
        };
        let size_param = param("page[size]");
        let after = param("page[after]");
        let before = param("page[before]");
        if size_param.is_some() || after.is_some() || before.is_some() {
            return Ok(PageRequest::Cursor {
                size: page_size(size_param),
                after: after
                    .map(|cursor| decode_cursor(cursor, "page[after]"))
                    .transpose()?,
                before: before
                    .map(|cursor| decode_cursor(cursor, "page[before]"))
                    .transpose()?,
            });
        }
        let page = param("page")
            .and_then(|page| page.trim().parse::<usize>().ok())
            .filter(|page| *page > 0)
            .unwrap_or(1);
        if page > MAX_OFFSET_PAGES {
            return Err(ZendeskError::PaginationDepth);
        }
        Ok(PageRequest::Offset {
            page,
            per_page: page_size(param("per_page")),
            explicit_per_page: param("per_page").is_some(),
        })
    }

    /// Cursor paging only, as the audit list takes it (`ticket-audits.yml`: `page[size]`,
    /// `page[after]` and `page[before]`); without them, the first page of 100.
    pub(crate) fn parse_cursor(params: &[(String, String)]) -> Result<PageRequest, ZendeskError> {
        match PageRequest::parse(params)? {
            PageRequest::Offset { .. } => Ok(PageRequest::Cursor {
                size: MAX_PAGE_SIZE,
                after: None,
                before: None,
            }),
            cursor => Ok(cursor),
        }
    }

    /// Offset paging only, as search and the user search take it: cursor parameters are ignored.
    pub(crate) fn parse_offset(params: &[(String, String)]) -> Result<PageRequest, ZendeskError> {
        let offset_only: Vec<(String, String)> = params
            .iter()
            .filter(|(key, _)| !key.starts_with("page["))
            .cloned()
            .collect();
        PageRequest::parse(&offset_only)
    }

    /// The number of the last record this page would hold, counting from 1 (offset paging).
    pub(crate) fn last_record(&self) -> usize {
        match self {
            PageRequest::Offset { page, per_page, .. } => page * per_page,
            PageRequest::Cursor { size, .. } => *size,
        }
    }
}

impl CursorKey {
    /// A record ordered by one number, its id.
    pub(crate) fn id(id: u64) -> CursorKey {
        CursorKey(vec![CursorValue::Id(id)])
    }

    /// A record ordered by a time, then its id.
    pub(crate) fn time_and_id(time: i64, id: u64) -> CursorKey {
        CursorKey(vec![CursorValue::Time(time), CursorValue::Id(id)])
    }

    /// A record ordered by its name, then its id.
    pub(crate) fn name_and_id(name: &str, id: u64) -> CursorKey {
        CursorKey(vec![
            CursorValue::Text(name.to_owned()),
            CursorValue::Id(id),
        ])
    }

    fn encode(&self) -> Vec<u8> {
        let mut bytes = Vec::new();
        for value in &self.0 {
            match value {
                CursorValue::Id(id) => {
                    bytes.push(b'i');
                    bytes.extend_from_slice(&id.to_le_bytes());
                }
                CursorValue::Time(time) => {
                    bytes.push(b'd');
                    bytes.extend_from_slice(&time.to_le_bytes());
                }
                CursorValue::Text(text) => {
                    bytes.push(b's');
                    let length = u32::try_from(text.chars().count()).unwrap_or(u32::MAX);
                    bytes.extend_from_slice(&length.to_le_bytes());
                    bytes.extend_from_slice(text.as_bytes());
                }
            }
        }
        bytes
    }

    fn decode(mut bytes: &[u8]) -> Option<CursorKey> {
        let mut values = Vec::new();
        while let Some((kind, rest)) = bytes.split_first() {
            match kind {
                b'i' => {
                    let (id, rest) = rest.split_first_chunk::<8>()?;
                    values.push(CursorValue::Id(u64::from_le_bytes(*id)));
                    bytes = rest;
                }
                b'd' => {
                    let (time, rest) = rest.split_first_chunk::<8>()?;
                    values.push(CursorValue::Time(i64::from_le_bytes(*time)));
                    bytes = rest;
                }
                b's' => {
                    let (length, rest) = rest.split_first_chunk::<4>()?;
                    let n_chars = u32::from_le_bytes(*length);
                    // The length counts characters, so the text's end is found by walking them.
                    let mut end = 0;
                    for _ in 0..n_chars {
                        end += utf8_width(*rest.get(end)?)?;
                    }
                    let text = std::str::from_utf8(rest.get(..end)?).ok()?;
                    values.push(CursorValue::Text(text.to_owned()));
                    bytes = &rest[end..];
                }
                _ => return None,
            }
        }
        match values.is_empty() {
            true => None,
            false => Some(CursorKey(values)),
        }
    }
}

impl Ord for CursorValue {
    /// Texts compare without case, as the recorded group order does ("🎯on target" before
    /// "🎯Support"), and then as written, so that no two names compare equal. Values of different
    /// kinds never meet at the same place of one list's keys; they compare by kind.
    fn cmp(&self, other: &CursorValue) -> Ordering {
        match (self, other) {
            (CursorValue::Id(left), CursorValue::Id(right)) => left.cmp(right),
            (CursorValue::Time(left), CursorValue::Time(right)) => left.cmp(right),
            (CursorValue::Text(left), CursorValue::Text(right)) => left
                .to_lowercase()
                .cmp(&right.to_lowercase())
                .then_with(|| left.cmp(right)),
            _ => self.rank().cmp(&other.rank()),
        }
    }
}

impl CursorValue {
    fn rank(&self) -> u8 {
        match self {
            CursorValue::Id(_) => 0,
            CursorValue::Time(_) => 1,
            CursorValue::Text(_) => 2,
        }
    }
}

impl PartialOrd for CursorValue {
    fn partial_cmp(&self, other: &CursorValue) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// One page of `items`, which are in ascending `key` order, and its links.
pub(crate) fn paginate<T>(
    items: Vec<T>,
    key: impl Fn(&T) -> CursorKey,
    request: &PageRequest,
    list: &ListUrl<'_>,
) -> (Vec<T>, PageLinks) {
    match *request {
        PageRequest::Offset {
            page,
            per_page,
            explicit_per_page,
        } => {
            let count = items.len();
            let start = (page - 1).saturating_mul(per_page);
            let link = |page: usize| {
                let page = page.to_string();
                let per_page = per_page.to_string();
                let mut params = vec![("page", page.as_str())];
                if explicit_per_page {
                    params.push(("per_page", per_page.as_str()));
                }
                params.extend(list.kept.iter().copied());
                format!("{}?{}", list.url, query_string(&params))
            };
            let links = PageLinks::Offset {
                next_page: (start + per_page < count).then(|| link(page + 1)),
                previous_page: (page > 1).then(|| link(page - 1)),
                count,
            };
            let page_items = items.into_iter().skip(start).take(per_page).collect();
            (page_items, links)
        }
        PageRequest::Cursor {
            size,
            ref after,
            ref before,
        } => {
            let keys: Vec<CursorKey> = items.iter().map(&key).collect();
            let (range, has_more) = match (after, before) {
                (_, Some(before)) => {
                    let end = keys.partition_point(|key| key < before);
                    let start = end.saturating_sub(size);
                    (start..end, start > 0)
                }
                (Some(after), None) => {
                    let start = keys.partition_point(|key| key <= after);
                    let end = (start + size).min(keys.len());
                    (start..end, end < keys.len())
                }
                (None, None) => {
                    let end = size.min(keys.len());
                    (0..end, end < keys.len())
                }
            };
            let first_key = keys.get(range.start).filter(|_| !range.is_empty());
            let last_key = range
                .end
                .checked_sub(1)
                .and_then(|last| keys.get(last))
                .filter(|_| !range.is_empty());
            let after_cursor = last_key.map(|key| encode_cursor(list.order, key));
            let before_cursor = first_key.map(|key| encode_cursor(list.order, key));
            let link = |direction: &str, cursor: &str| {
                let size = size.to_string();
                let mut params = vec![(direction, cursor), ("page[size]", size.as_str())];
                params.extend(list.kept.iter().copied());
                format!("{}?{}", list.url, query_string(&params))
            };
            let links = PageLinks::Cursor {
                has_more,
                next: after_cursor
                    .as_deref()
                    .map(|cursor| link("page[after]", cursor)),
                prev: before_cursor
                    .as_deref()
                    .map(|cursor| link("page[before]", cursor)),
                after_cursor,
                before_cursor,
            };
            let page_items = items
                .into_iter()
                .skip(range.start)
                .take(range.len())
                .collect();
            (page_items, links)
        }
    }
}

/// A cursor for the record with `key`.
pub(crate) fn encode_cursor(order: &str, key: &CursorKey) -> String {
    let inner = json!({ "o": order, "v": STANDARD.encode(key.encode()) });
    STANDARD.encode(inner.to_string())
}

fn decode_cursor(cursor: &str, parameter: &'static str) -> Result<CursorKey, ZendeskError> {
    let invalid = || ZendeskError::InvalidCursor(parameter);
    let outer = STANDARD.decode(cursor.trim()).map_err(|_| invalid())?;
    let inner: Value = serde_json::from_slice(&outer).map_err(|_| invalid())?;
    let value = inner.get("v").and_then(Value::as_str).ok_or_else(invalid)?;
    let bytes = STANDARD.decode(value).map_err(|_| invalid())?;
    CursorKey::decode(&bytes).ok_or_else(invalid)
}

/// The length of the UTF-8 character that starts with `first_byte`; `None` for a byte that
/// starts none.
fn utf8_width(first_byte: u8) -> Option<usize> {
    match first_byte {
        0x00..=0x7f => Some(1),
        0xc2..=0xdf => Some(2),
        0xe0..=0xef => Some(3),
        0xf0..=0xf4 => Some(4),
        _ => None,
    }
}

/// A page size from the parameter: 100 when absent or unreadable, at most 100 ("Returns a maximum
/// of 100 records per page").
fn page_size(param: Option<&str>) -> usize {
    param
        .and_then(|size| size.trim().parse::<usize>().ok())
        .filter(|size| *size > 0)
        .unwrap_or(MAX_PAGE_SIZE)
        .min(MAX_PAGE_SIZE)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(query: &[(&str, &str)]) -> Vec<(String, String)> {
        query
            .iter()
            .map(|(key, value)| (key.to_string(), value.to_string()))
            .collect()
    }

    fn list() -> ListUrl<'static> {
        ListUrl {
            url: "https://acme.zendesk.com/api/v2/tickets.json".into(),
            kept: Vec::new(),
            order: "nice_id",
        }
    }

    #[test]
    fn cursors_have_the_recorded_form() {
        // From TestTicketsPagination.test_pagination.json: the cursor after ticket 1, and the
        // `page[after]` that asks for the page after ticket 9.
        assert_eq!(
            encode_cursor("nice_id", &CursorKey::id(1)),
            "eyJvIjoibmljZV9pZCIsInYiOiJhUUVBQUFBQUFBQUEifQ=="
        );
        assert_eq!(
            decode_cursor(
                "eyJvIjoibmljZV9pZCIsInYiOiJhUWtBQUFBQUFBQUEifQ==",
                "page[after]"
            ),
            Ok(CursorKey::id(9))
        );
        // From TestGroupCreateUpdateDelete.test_pagination.json: after the group "Support".
        let support = CursorKey::name_and_id("Support", 6_130_852_536_346);
        assert_eq!(
            encode_cursor("name,id", &support),
            "eyJvIjoibmFtZSxpZCIsInYiOiJjd2NBQUFCVGRYQndiM0owYVJxZ1NYT1RCUUFBIn0="
        );
        assert_eq!(
            decode_cursor(
                "eyJvIjoibmFtZSxpZCIsInYiOiJjd2NBQUFCVGRYQndiM0owYVJxZ1NYT1RCUUFBIn0=",
                "page[after]"
            ),
            Ok(support)
        );
        // From TestTicketAudits.test_pagination.json: after the sample ticket's first audit.
        let first_audit = CursorKey::time_and_id(1_694_303_525, 6_130_852_545_178);
        let recorded = "eyJvIjoiY3JlYXRlZF9hdCxpZCIsInYiOiJaQ1VGL1dRQUFBQUFhWnJDU1hPVEJRQUEifQ==";
        assert_eq!(encode_cursor("created_at,id", &first_audit), recorded);
        assert_eq!(decode_cursor(recorded, "page[after]"), Ok(first_audit));
        // The length counts characters: "🎯on target" is 10 long in 13 bytes.
        let on_target = CursorKey::name_and_id("🎯on target", 6_136_063_959_962);
        let recorded =
            "eyJvIjoibmFtZSxpZCIsInYiOiJjd29BQUFEd240NnZiMjRnZEdGeVoyVjBhWnFqNmFtVUJRQUEifQ==";
        assert_eq!(encode_cursor("name,id", &on_target), recorded);
        assert_eq!(decode_cursor(recorded, "page[after]"), Ok(on_target));
        for garbage in [
            "bm9wZQ==",
            "eyJvIjoiaWQiLCJ2IjoiIn0=",
            "eyJvIjoiaWQiLCJ2IjoiY3dnPSJ9",
        ] {
            assert_eq!(
                decode_cursor(garbage, "page[after]"),
                Err(ZendeskError::InvalidCursor("page[after]")),
                "{garbage}"
            );
        }
    }

    #[test]
    fn names_sort_as_recorded() {
        let recorded = [
            "Support",
            "testGroup0",
            "testGroup4",
            "🎯A is for Aleph",
            "🎯on target",
            "🎯Support",
        ];
        let mut keys: Vec<CursorKey> = recorded
            .iter()
            .rev()
            .map(|name| CursorKey::name_and_id(name, 1))
            .collect();
        keys.sort();
        let expected: Vec<CursorKey> = recorded
            .iter()
            .map(|name| CursorKey::name_and_id(name, 1))
            .collect();
        assert_eq!(keys, expected);
        assert!(CursorKey::name_and_id("Network", 9) < CursorKey::name_and_id("network", 1));
        assert!(CursorKey::name_and_id("Hardware", 9) < CursorKey::name_and_id("Hardware", 10));
    }

    #[test]
    fn reads_paging_parameters() {
        let check = |query: &[(&str, &str)], expected: Result<PageRequest, ZendeskError>| {
            assert_eq!(PageRequest::parse(&params(query)), expected, "{query:?}");
        };
        check(
            &[],
            Ok(PageRequest::Offset {
                page: 1,
                per_page: 100,
                explicit_per_page: false,
            }),
        );
        check(
            &[("page", "3"), ("per_page", "500")],
            Ok(PageRequest::Offset {
                page: 3,
                per_page: 100,
                explicit_per_page: true,
            }),
        );
        check(&[("page", "101")], Err(ZendeskError::PaginationDepth));
        check(
            &[("page[size]", "1")],
            Ok(PageRequest::Cursor {
                size: 1,
                after: None,
                before: None,
            }),
        );
        check(
            &[("page[after]", "garbage")],
            Err(ZendeskError::InvalidCursor("page[after]")),
        );
    }

    fn page(request: PageRequest) -> (Vec<u64>, PageLinks) {
        paginate(
            (1..=5).collect(),
            |key| CursorKey::id(*key),
            &request,
            &list(),
        )
    }

    #[test]
    fn offset_pages() {
        let (items, links) = page(PageRequest::Offset {
            page: 2,
            per_page: 2,
            explicit_per_page: true,
        });
        assert_eq!(items, vec![3, 4]);
        assert_eq!(
            links,
            PageLinks::Offset {
                next_page: Some(
                    "https://acme.zendesk.com/api/v2/tickets.json?page=3&per_page=2".into()
                ),
                previous_page: Some(
                    "https://acme.zendesk.com/api/v2/tickets.json?page=1&per_page=2".into()
                ),
                count: 5,
            }
        );
        let (items, links) = page(PageRequest::Offset {
            page: 1,
            per_page: 100,
            explicit_per_page: false,
        });
        assert_eq!(items.len(), 5);
        assert!(matches!(
            links,
            PageLinks::Offset {
                next_page: None,
                previous_page: None,
                count: 5
            }
        ));
    }

    #[test]
    fn cursor_pages_walk_both_ways() {
        let (items, links) = page(PageRequest::Cursor {
            size: 2,
            after: Some(CursorKey::id(2)),
            before: None,
        });
        assert_eq!(items, vec![3, 4]);
        let PageLinks::Cursor {
            has_more,
            after_cursor,
            next,
            ..
        } = links
        else {
            panic!("cursor links");
        };
        assert!(has_more);
        assert_eq!(
            after_cursor,
            Some(encode_cursor("nice_id", &CursorKey::id(4)))
        );
        assert_eq!(
            next.as_deref(),
            Some("https://acme.zendesk.com/api/v2/tickets.json?page%5Bafter%5D=eyJvIjoibmljZV9pZCIsInYiOiJhUVFBQUFBQUFBQUEifQ%3D%3D&page%5Bsize%5D=2")
        );
        let (items, _) = page(PageRequest::Cursor {
            size: 2,
            after: Some(CursorKey::id(4)),
            before: None,
        });
        assert_eq!(items, vec![5]);
        let (items, _) = page(PageRequest::Cursor {
            size: 2,
            after: None,
            before: Some(CursorKey::id(3)),
        });
        assert_eq!(items, vec![1, 2]);
        let (items, links) = page(PageRequest::Cursor {
            size: 2,
            after: Some(CursorKey::id(5)),
            before: None,
        });
        assert!(items.is_empty());
        assert_eq!(
            links,
            PageLinks::Cursor {
                has_more: false,
                after_cursor: None,
                before_cursor: None,
                next: None,
                prev: None,
            }
        );
    }
}
