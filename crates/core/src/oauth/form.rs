//! Reading `application/x-www-form-urlencoded` pairs, the encoding of OAuth redirect parameters
//! (RFC 6749 section 4.1.2, appendix B).

use crate::error::CoreError;

/// The query of `url` (between `?` and `#`) as decoded name/value pairs, in order.
pub(crate) fn query_pairs(url: &str) -> Result<Vec<(String, String)>, CoreError> {
    let without_fragment = url.split('#').next().unwrap_or_default();
    let query = match without_fragment.split_once('?') {
        Some((_, query)) => query,
        None => return Ok(Vec::new()),
    };
    query
        .split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
            Ok((form_decode(name)?, form_decode(value)?))
        })
        .collect()
}

/// The value of a parameter that may appear at most once (RFC 6749 section 3.1: "parameters MUST
/// NOT be included more than once"); a repeated one could smuggle a second `state` or `code`.
pub(crate) fn single<'a>(
    pairs: &'a [(String, String)],
    name: &str,
) -> Result<Option<&'a str>, CoreError> {
    let mut values = pairs
        .iter()
        .filter(|(key, _)| key == name)
        .map(|(_, value)| value.as_str());
    let first = values.next();
    match values.next() {
        Some(_) => Err(CoreError::Malformed {
            message: format!("the sign-in reply repeats the parameter {name:?}"),
        }),
        None => Ok(first),
    }
}

/// Decodes one component: `+` is a space, `%XX` a byte, and the bytes must be UTF-8.
fn form_decode(component: &str) -> Result<String, CoreError> {
    let malformed = || CoreError::Malformed {
        message: format!("the sign-in reply has a badly encoded parameter {component:?}"),
    };
    let mut bytes = Vec::with_capacity(component.len());
    let mut input = component.bytes();
    while let Some(byte) = input.next() {
        match byte {
            b'+' => bytes.push(b' '),
            b'%' => {
                let high = input.next().and_then(hex_value).ok_or_else(malformed)?;
                let low = input.next().and_then(hex_value).ok_or_else(malformed)?;
                bytes.push(high << 4 | low);
            }
            _ => bytes.push(byte),
        }
    }
    String::from_utf8(bytes).map_err(|_| malformed())
}

fn hex_value(digit: u8) -> Option<u8> {
    match digit {
        b'0'..=b'9' => Some(digit - b'0'),
        b'a'..=b'f' => Some(digit - b'a' + 10),
        b'A'..=b'F' => Some(digit - b'A' + 10),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::http::encode_component;

    fn check(url: &str, expected: Result<&[(&str, &str)], ()>) {
        let actual = query_pairs(url);
        match (actual, expected) {
            (Ok(pairs), Ok(want)) => {
                let pairs: Vec<(&str, &str)> = pairs
                    .iter()
                    .map(|(name, value)| (name.as_str(), value.as_str()))
                    .collect();
                assert_eq!(pairs, want, "url {url:?}");
            }
            (Err(CoreError::Malformed { .. }), Err(())) => {}
            (actual, expected) => panic!("url {url:?}: got {actual:?}, expected {expected:?}"),
        }
    }

    #[test]
    fn reads_query_pairs() {
        check("https://ext.chromiumapp.org/", Ok(&[]));
        check(
            "https://ext.chromiumapp.org/?code=abc&state=x-y_z",
            Ok(&[("code", "abc"), ("state", "x-y_z")]),
        );
        check(
            "https://ext.chromiumapp.org/?error=access_denied&error_description=The+end-user+denied%20it.",
            Ok(&[("error", "access_denied"), ("error_description", "The end-user denied it.")]),
        );
        check(
            "https://ext.chromiumapp.org/?code=a%2Bb%3D&empty=&flag#code=fragment",
            Ok(&[("code", "a+b="), ("empty", ""), ("flag", "")]),
        );
        check("https://x/?a=%C3%BC&&b=1", Ok(&[("a", "ü"), ("b", "1")]));
        check("https://x/?a=%G1", Err(()));
        check("https://x/?a=%4", Err(()));
        check("https://x/?a=%FF", Err(()));
    }

    #[test]
    fn refuses_repeated_parameters() {
        let pairs = query_pairs("https://x/?state=a&code=1&state=b").expect("decodes");
        assert_eq!(single(&pairs, "code"), Ok(Some("1")));
        assert_eq!(single(&pairs, "error"), Ok(None));
        assert!(matches!(
            single(&pairs, "state"),
            Err(CoreError::Malformed { .. })
        ));
    }

    proptest! {
        #[test]
        fn decodes_what_http_encodes(value in "\\PC{0,40}") {
            let url = format!("https://x/?v={}", encode_component(&value));
            let pairs = query_pairs(&url).expect("decodes");
            prop_assert_eq!(pairs, vec![("v".to_owned(), value)]);
        }

        #[test]
        fn never_panics(url in "\\PC{0,60}") {
            let _ = query_pairs(&url);
        }
    }
}
