//! Text of HTTP messages that every server reads or writes the same way: content negotiation and
//! percent-encoding.

/// Percent-encodes everything but RFC 3986's unreserved characters.
pub(crate) fn percent_encode(text: &str) -> String {
    let mut encoded = String::with_capacity(text.len());
    for byte in text.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                encoded.push(char::from(byte))
            }
            _ => encoded.push_str(&format!("%{byte:02X}")),
        }
    }
    encoded
}

/// Whether a request with this `Accept` header can be answered in one of `media_types` (lowercase,
/// such as `application/json`): an absent or blank header accepts anything, else a media range
/// not refused with `q=0` must cover one of them (`*`, `*/*`, `application/*` or the type itself).
/// A real client's catch-all list such as `text/html, image/gif, image/jpeg, *; q=.2, */*; q=.2`
/// accepts JSON (recorded: every request of `shared/recorded/servicenow/` sends it).
pub(crate) fn accepts(accept: Option<&str>, media_types: &[&str]) -> bool {
    let Some(accept) = accept.filter(|accept| !accept.trim().is_empty()) else {
        return true;
    };
    accept.split(',').any(|range| {
        let mut parts = range.split(';');
        let media_range = media_type(parts.next().unwrap_or_default());
        let refused = parts.any(|parameter| match parameter.split_once('=') {
            Some((name, value)) => {
                name.trim().eq_ignore_ascii_case("q")
                    && value
                        .trim()
                        .parse::<f32>()
                        .is_ok_and(|quality| quality == 0.0)
            }
            None => false,
        });
        let covers = media_types
            .iter()
            .any(|media_type| range_covers(&media_range, media_type));
        covers && !refused
    })
}

/// Whether a body's `Content-Type` names one of `media_types`, with or without parameters such as
/// `charset`. An empty one counts as a match: the servers default the body format.
pub(crate) fn content_type_is(content_type: &str, media_types: &[&str]) -> bool {
    let media_type = media_type(content_type);
    media_type.is_empty() || media_types.contains(&media_type.as_str())
}

/// The media type of a header value, lowercase, without parameters.
fn media_type(value: &str) -> String {
    value
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase()
}

/// Whether a media range of an `Accept` header covers `media_type`.
fn range_covers(media_range: &str, media_type: &str) -> bool {
    if media_range == "*" || media_range == "*/*" {
        return true;
    }
    match media_range.strip_suffix("/*") {
        Some(range_type) => media_type.split('/').next() == Some(range_type),
        None => media_range == media_type,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const JSON_OR_XML: &[&str] = &["application/json", "application/xml"];

    #[test]
    fn accept_headers() {
        let cases = [
            ("application/json", true),
            ("Application/JSON; charset=utf-8", true),
            ("application/xml", true),
            ("*/*", true),
            ("application/*", true),
            ("text/html, image/gif, image/jpeg, *; q=.2, */*; q=.2", true),
            ("text/html", false),
            ("text/*", false),
            ("text/plain, image/png", false),
            ("application/json;q=0", false),
            ("application/json;q=0, text/html", false),
            ("text/html, application/json;q=0.5", true),
            ("", true),
        ];
        for (accept, expected) in cases {
            assert_eq!(accepts(Some(accept), JSON_OR_XML), expected, "{accept}");
        }
        assert!(accepts(None, JSON_OR_XML));
        assert!(!accepts(Some("application/xml"), &["application/json"]));
    }

    #[test]
    fn body_content_types() {
        let cases = [
            ("application/json", true),
            ("application/json;charset=UTF-8", true),
            ("application/xml", true),
            ("", true),
            ("text/plain", false),
            ("application/x-www-form-urlencoded", false),
            ("multipart/form-data; boundary=x", false),
        ];
        for (content_type, expected) in cases {
            assert_eq!(
                content_type_is(content_type, JSON_OR_XML),
                expected,
                "{content_type}"
            );
        }
    }
}
