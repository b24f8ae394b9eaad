//! Pages of a list, where the next one is, and the `Link` header that says so.

/// One page of a list, and where the next one starts.
#[derive(Debug, Clone, PartialEq)]
pub struct Page<T> {
    /// The records on this page.
    pub items: Vec<T>,
    /// How many records match in all, when the service said (`X-Total-Count`, `count`).
    pub total: Option<u64>,
    /// The offset of the next page, or `None` on the last page.
    pub next_offset: Option<u64>,
}

/// The page links of an RFC 8288 `Link` header, by relation.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Links {
    /// `rel="first"`
    pub first: Option<String>,
    /// `rel="prev"`
    pub prev: Option<String>,
    /// `rel="next"`
    pub next: Option<String>,
    /// `rel="last"`
    pub last: Option<String>,
}

/// Reads a `Link` header such as ServiceNow's
/// `<https://x/api/now/table/incident?sysparm_offset=0&sysparm_limit=2>;rel="first",<...>;rel="next"`.
///
/// URLs are taken between `<` and `>` rather than split on commas, because ServiceNow echoes query
/// parameters such as `sysparm_fields=a,b` into them unencoded.
pub fn parse_link_header(value: &str) -> Links {
    let mut links = Links::default();
    let mut rest = value;
    while let Some(start) = rest.find('<') {
        let Some(length) = rest[start + 1..].find('>') else {
            break;
        };
        let url = &rest[start + 1..start + 1 + length];
        let after = &rest[start + 2 + length..];
        let params_end = after.find('<').unwrap_or(after.len());
        for relation in relations(&after[..params_end]) {
            let slot = match relation.as_str() {
                "first" => &mut links.first,
                "prev" | "previous" => &mut links.prev,
                "next" => &mut links.next,
                "last" => &mut links.last,
                _ => continue,
            };
            slot.get_or_insert_with(|| url.to_owned());
        }
        rest = &after[params_end..];
    }
    links
}

fn relations(params: &str) -> Vec<String> {
    params
        .split(';')
        .filter_map(|param| {
            let (name, value) = param.split_once('=')?;
            (name.trim().eq_ignore_ascii_case("rel"))
                .then(|| value.trim().trim_matches(|c| c == '"' || c == ','))
        })
        .flat_map(|value| {
            value
                .split_whitespace()
                .map(str::to_ascii_lowercase)
                .collect::<Vec<_>>()
        })
        .collect()
}

/// The value of a query parameter in a URL, percent-decoded.
pub fn query_param(url: &str, name: &str) -> Option<String> {
    let query = url.split_once('?')?.1.split('#').next().unwrap_or_default();
    query.split('&').find_map(|pair| {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        (percent_decode(key) == name).then(|| percent_decode(value))
    })
}

/// Decodes `%XX` escapes and `+` as a space, as form and query encoding write them.
pub fn percent_decode(input: &str) -> String {
    let bytes = input.as_bytes();
    let mut decoded = Vec::with_capacity(bytes.len());
    let mut idx = 0;
    while idx < bytes.len() {
        let hex = |offset: usize| {
            bytes
                .get(idx + offset)
                .and_then(|byte| (*byte as char).to_digit(16))
        };
        match (bytes[idx], hex(1), hex(2)) {
            (b'%', Some(high), Some(low)) => {
                decoded.push((high * 16 + low) as u8);
                idx += 3;
            }
            (b'+', _, _) => {
                decoded.push(b' ');
                idx += 1;
            }
            (byte, _, _) => {
                decoded.push(byte);
                idx += 1;
            }
        }
    }
    String::from_utf8_lossy(&decoded).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(header: &str, expected: [Option<&str>; 4]) {
        let links = parse_link_header(header);
        let actual =
            [&links.first, &links.prev, &links.next, &links.last].map(|link| link.as_deref());
        assert_eq!(actual, expected, "header {header:?}");
    }

    #[test]
    fn reads_servicenow_link_headers() {
        // The documented form (c_TableAPI.md), all four relations.
        check(
            "<https://i.service-now.com/api/now/table/incident?sysparm_offset=0&sysparm_limit=2>;rel=\"first\",\
             <https://i.service-now.com/api/now/table/incident?sysparm_offset=0&sysparm_limit=2>;rel=\"prev\",\
             <https://i.service-now.com/api/now/table/incident?sysparm_offset=4&sysparm_limit=2>;rel=\"next\",\
             <https://i.service-now.com/api/now/table/incident?sysparm_offset=8&sysparm_limit=2>;rel=\"last\"",
            [
                Some("https://i.service-now.com/api/now/table/incident?sysparm_offset=0&sysparm_limit=2"),
                Some("https://i.service-now.com/api/now/table/incident?sysparm_offset=0&sysparm_limit=2"),
                Some("https://i.service-now.com/api/now/table/incident?sysparm_offset=4&sysparm_limit=2"),
                Some("https://i.service-now.com/api/now/table/incident?sysparm_offset=8&sysparm_limit=2"),
            ],
        );
        // Older instances leave out prev and next where they do not apply; fields echo raw commas.
        check(
            "<https://i/api?sysparm_fields=a,b&sysparm_offset=0>;rel=\"first\", <https://i/api?sysparm_offset=0>; rel=\"last\"",
            [Some("https://i/api?sysparm_fields=a,b&sysparm_offset=0"), None, None, Some("https://i/api?sysparm_offset=0")],
        );
        check("", [None, None, None, None]);
        check("<broken", [None, None, None, None]);
        check(
            "<https://x>; rel=\"next last\"",
            [None, None, Some("https://x"), Some("https://x")],
        );
        check(
            "<https://x>; title=\"a\"; REL=next",
            [None, None, Some("https://x"), None],
        );
    }

    #[test]
    fn reads_query_parameters() {
        let url = "https://i/api/now/table/incident?sysparm_query=state%3D1%5Eactive%3Dtrue&sysparm_offset=-1";
        assert_eq!(
            query_param(url, "sysparm_query").as_deref(),
            Some("state=1^active=true")
        );
        assert_eq!(query_param(url, "sysparm_offset").as_deref(), Some("-1"));
        assert_eq!(query_param(url, "missing"), None);
        assert_eq!(query_param("https://i/api", "x"), None);
        assert_eq!(percent_decode("a+b%20c%zz%4"), "a b c%zz%4");
    }
}
