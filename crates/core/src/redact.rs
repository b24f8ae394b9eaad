//! Taking secrets out of text a page produced (console errors, failed requests' addresses) before
//! anyone sees it or it leaves the device: tokens, passwords, `Authorization` values, e-mail
//! addresses and the values of query parameters or fields named like keys.
//!
//! A scanner by hand rather than regular expressions: the `regex` crate would cost the popup's
//! wasm about 500 KB (leptos-notes.md, "Binary size"). It errs on the side of hiding: a long
//! identifier that looks like a key is hidden too.

/// What a secret is replaced with.
pub const REDACTED: &str = "[redacted]";

/// `text` with every secret-looking value replaced by [`REDACTED`]; the rest, including
/// non-ASCII text, is kept as it was.
pub fn redact(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut spans = Vec::new();
    named_values(bytes, &mut spans);
    schemes(bytes, &mut spans);
    long_tokens(bytes, &mut spans);
    emails(bytes, &mut spans);
    spans.sort_unstable();
    // Overlapping finds (`Authorization: Bearer x` is found twice) become one.
    let mut merged: Vec<(usize, usize)> = Vec::with_capacity(spans.len());
    for (start, end) in spans {
        match merged.last_mut() {
            Some(last) if start <= last.1 => last.1 = last.1.max(end),
            _ => merged.push((start, end)),
        }
    }
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for (start, end) in merged {
        // Every span starts and ends next to an ASCII byte, so these are character boundaries.
        out.push_str(&text[at..start]);
        out.push_str(REDACTED);
        at = end;
    }
    out.push_str(&text[at..]);
    out
}

/// Names that are secrets only as the whole name (`code=` is OAuth's authorization code, but
/// `statusCode` is not a secret).
const WHOLE_NAMES: [&str; 1] = ["code"];

/// Parts of a name (split at `_`, `-`, `.` and camelCase humps) that make its value a secret.
const SECRET_PARTS: [&str; 27] = [
    "token",
    "secret",
    "password",
    "passwd",
    "passphrase",
    "pass",
    "pwd",
    "key",
    "apikey",
    "auth",
    "authorization",
    "session",
    "sessionid",
    "jsessionid",
    "phpsessid",
    "sid",
    "sig",
    "signature",
    "credential",
    "credentials",
    "cookie",
    "jwt",
    "csrf",
    "xsrf",
    "otp",
    "bearer",
    "private",
];

/// The values of `name=value`, `name: value` and `"name": "value"` whose name looks like a key.
fn named_values(text: &[u8], spans: &mut Vec<(usize, usize)>) {
    let mut i = 0;
    while i < text.len() {
        let starts_name = text[i].is_ascii_alphabetic()
            && (i == 0 || !(is_word(text[i - 1]) || text[i - 1] == b'.'));
        if !starts_name {
            i += 1;
            continue;
        }
        let mut end = i;
        while end < text.len() && (is_word(text[end]) || text[end] == b'.') {
            end += 1;
        }
        let name = &text[i..end];
        i = end;
        // A quoted key's closing quote, then the separator.
        let mut k = end;
        if k < text.len() && matches!(text[k], b'"' | b'\'') {
            k += 1;
        }
        k = skip_spaces(text, k);
        let Some(&separator) = text.get(k) else {
            break;
        };
        // `https://`: a scheme, not a name.
        if !matches!(separator, b'=' | b':') || text[k + 1..].starts_with(b"//") {
            continue;
        }
        if !is_secret_name(name) {
            continue;
        }
        k = skip_spaces(text, k + 1);
        // Header values (`Authorization: Bearer x`, cookies) run to the end of the line.
        let whole_line = [
            "authorization",
            "proxy-authorization",
            "cookie",
            "set-cookie",
        ]
        .iter()
        .any(|header| name.eq_ignore_ascii_case(header.as_bytes()));
        let (start, stop) = match text.get(k) {
            Some(&quote) if quote == b'"' || quote == b'\'' => {
                let start = k + 1;
                (start, find(text, start, |byte| byte == quote))
            }
            _ if whole_line => (
                k,
                find(text, k, |byte| matches!(byte, b'\n' | b'\r' | b'"' | b'\'')),
            ),
            _ => (k, find(text, k, ends_value)),
        };
        // Already redacted (text redacted once and edited is redacted again before sending).
        if stop > start && !text[start..].starts_with(REDACTED.as_bytes()) {
            spans.push((start, stop));
        }
        i = stop.max(end);
    }
}

/// The credentials after `Bearer` and `Basic`, wherever they stand.
fn schemes(text: &[u8], spans: &mut Vec<(usize, usize)>) {
    for scheme in [&b"bearer"[..], b"basic"] {
        let mut i = 0;
        while i + scheme.len() < text.len() {
            let at_word = (i == 0 || !is_word(text[i - 1]))
                && text[i..i + scheme.len()].eq_ignore_ascii_case(scheme)
                && text[i + scheme.len()] == b' ';
            if !at_word {
                i += 1;
                continue;
            }
            let start = skip_spaces(text, i + scheme.len());
            let stop = find(text, start, |byte| {
                byte.is_ascii_whitespace() || matches!(byte, b'"' | b'\'' | b',' | b';')
            });
            if stop > start && !text[start..].starts_with(REDACTED.as_bytes()) {
                spans.push((start, stop));
            }
            i = stop.max(i + 1);
        }
    }
}

/// JWTs (`eyJ…` in three dotted parts) and long runs that look random: 32 or more hex digits, or
/// base64 with digits and letters of both cases.
fn long_tokens(text: &[u8], spans: &mut Vec<(usize, usize)>) {
    let mut i = 0;
    while i < text.len() {
        let in_jwt = |byte: u8| is_word(byte) || byte == b'.';
        if !in_jwt(text[i]) {
            i += 1;
            continue;
        }
        let stop = find(text, i, |byte| !in_jwt(byte));
        let run = &text[i..stop];
        let dots = run.iter().filter(|byte| **byte == b'.').count();
        if run.starts_with(b"eyJ") && dots >= 2 && run.len() >= 20 {
            let trimmed = run.len() - run.iter().rev().take_while(|b| **b == b'.').count();
            spans.push((i, i + trimmed));
        }
        i = stop;
    }
    let mut i = 0;
    while i < text.len() {
        let in_key =
            |byte: u8| byte.is_ascii_alphanumeric() || matches!(byte, b'+' | b'_' | b'=' | b'-');
        if !in_key(text[i]) {
            i += 1;
            continue;
        }
        let stop = find(text, i, |byte| !in_key(byte));
        if looks_random(&text[i..stop]) {
            spans.push((i, stop));
        }
        i = stop;
    }
}

/// E-mail addresses, local part and domain.
fn emails(text: &[u8], spans: &mut Vec<(usize, usize)>) {
    for (at, _) in text.iter().enumerate().filter(|(_, byte)| **byte == b'@') {
        let in_local = |byte: u8| byte.is_ascii_alphanumeric() || b"._%+-".contains(&byte);
        let in_domain = |byte: u8| byte.is_ascii_alphanumeric() || matches!(byte, b'.' | b'-');
        let mut start = at;
        while start > 0 && in_local(text[start - 1]) {
            start -= 1;
        }
        let mut stop = find(text, at + 1, |byte| !in_domain(byte));
        while stop > at + 1 && matches!(text[stop - 1], b'.' | b'-') {
            stop -= 1;
        }
        let domain = &text[at + 1..stop];
        let top = domain
            .rsplit(|byte| *byte == b'.')
            .next()
            .unwrap_or_default();
        let is_address = start < at
            && domain.contains(&b'.')
            && top.len() >= 2
            && top.iter().all(u8::is_ascii_alphabetic);
        if is_address {
            spans.push((start, stop));
        }
    }
}

fn is_secret_name(name: &[u8]) -> bool {
    let lower = name.to_ascii_lowercase();
    if WHOLE_NAMES.iter().any(|whole| lower == whole.as_bytes()) {
        return true;
    }
    let mut parts = Vec::new();
    let mut part = Vec::new();
    for (index, byte) in name.iter().enumerate() {
        let hump = byte.is_ascii_uppercase()
            && index > 0
            && (name[index - 1].is_ascii_lowercase() || name[index - 1].is_ascii_digit());
        if matches!(byte, b'_' | b'-' | b'.') || hump {
            parts.push(std::mem::take(&mut part));
        }
        if !matches!(byte, b'_' | b'-' | b'.') {
            part.push(byte.to_ascii_lowercase());
        }
    }
    parts.push(part);
    parts
        .iter()
        .any(|part| SECRET_PARTS.iter().any(|secret| part == secret.as_bytes()))
}

fn looks_random(run: &[u8]) -> bool {
    if run.len() < 32 {
        return false;
    }
    let has = |test: fn(&u8) -> bool| run.iter().any(test);
    let hex = run.iter().all(u8::is_ascii_hexdigit) && has(u8::is_ascii_digit);
    hex || (has(u8::is_ascii_digit) && has(u8::is_ascii_lowercase) && has(u8::is_ascii_uppercase))
}

fn is_word(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || byte == b'_' || byte == b'-'
}

/// Where a bare value ends: at a space, or the punctuation that separates values in query
/// strings, JSON and prose.
fn ends_value(byte: u8) -> bool {
    byte.is_ascii_whitespace()
        || matches!(
            byte,
            b'&' | b',' | b';' | b'"' | b'\'' | b')' | b']' | b'}' | b'>' | b'#'
        )
}

fn skip_spaces(text: &[u8], from: usize) -> usize {
    find(text, from, |byte| byte != b' ' && byte != b'\t')
}

/// The first index from `from` whose byte matches, or the end.
fn find(text: &[u8], from: usize, matches: impl Fn(u8) -> bool) -> usize {
    text[from.min(text.len())..]
        .iter()
        .position(|byte| matches(*byte))
        .map_or(text.len(), |offset| from + offset)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(input: &str, expected: &str) {
        assert_eq!(redact(input), expected, "redacting {input:?}");
        // The form redacts again what the user may have edited: redacted text stays as it is.
        assert_eq!(redact(expected), expected, "redacting {expected:?} again");
    }

    #[test]
    fn query_parameters_named_like_keys_lose_their_values() {
        check(
            "GET https://api.example.com/v1/items?token=abc123&page=2 → 401",
            "GET https://api.example.com/v1/items?token=[redacted]&page=2 → 401",
        );
        check(
            "https://x.test/cb?code=4/0Adeu5B&state=xyz&sig=f00d",
            "https://x.test/cb?code=[redacted]&state=xyz&sig=[redacted]",
        );
        check(
            "/s?access_token=a.b.c&X-Amz-Signature=9e3&apiKey=k1&session_id=s9#top",
            "/s?access_token=[redacted]&X-Amz-Signature=[redacted]&apiKey=[redacted]&session_id=[redacted]#top",
        );
        // Names that only contain a secret word's letters keep their values.
        check(
            "/s?keyboard=us&statusCode=500&monkey=1&passenger=2",
            "/s?keyboard=us&statusCode=500&monkey=1&passenger=2",
        );
    }

    #[test]
    fn passwords_and_keys_in_json_and_prose_lose_their_values() {
        check(
            r#"Error: login failed {"user":"abel","password":"hunter2","count":3}"#,
            r#"Error: login failed {"user":"abel","password":"[redacted]","count":3}"#,
        );
        check(
            "client_secret: s3cr3t, retry: 2",
            "client_secret: [redacted], retry: 2",
        );
        check("PWD='p a s s'", "PWD='[redacted]'");
        check("JSESSIONID=0A1B2C; Path=/", "JSESSIONID=[redacted]; Path=/");
    }

    #[test]
    fn authorization_values_and_bearer_tokens_are_hidden() {
        check(
            "Authorization: Bearer abc.def\nnext line",
            "Authorization: [redacted]\nnext line",
        );
        check(
            r#"headers: {"Authorization": "Basic YWRtaW46YWRtaW4="}"#,
            r#"headers: {"Authorization": "[redacted]"}"#,
        );
        check(
            "fetch failed with bearer sk_live_42 after 3 tries",
            "fetch failed with bearer [redacted] after 3 tries",
        );
    }

    #[test]
    fn jwts_and_long_random_strings_are_hidden() {
        let jwt =
            "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
        check(
            &format!("Invalid token {jwt}."),
            "Invalid token [redacted].",
        );
        check(
            "key 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08 rejected",
            "key [redacted] rejected",
        );
        check(
            "secret sk_live_51HcxQ2eZvKYlo2C0aBcDeFgHiJkLmNoP in use",
            "secret [redacted] in use",
        );
        // Ordinary long words, paths and UUIDs stay readable.
        check(
            "TypeError: Cannot read properties of undefined (reading 'toUpperCase') at /static/js/main-chunk.bundle.js:1:2",
            "TypeError: Cannot read properties of undefined (reading 'toUpperCase') at /static/js/main-chunk.bundle.js:1:2",
        );
        check(
            "order 550e8400-e29b-41d4-a716-446655440000 not found",
            "order 550e8400-e29b-41d4-a716-446655440000 not found",
        );
    }

    #[test]
    fn email_addresses_are_hidden() {
        check(
            "No account for abel.tuter+test@example.co.uk.",
            "No account for [redacted].",
        );
        check(
            "mailto:help@acme.io?subject=hi",
            "mailto:[redacted]?subject=hi",
        );
        // An @ that is no address stays.
        check(
            "@media (max-width: 10px) at user@localhost",
            "@media (max-width: 10px) at user@localhost",
        );
    }

    #[test]
    fn other_text_is_kept_as_it_was() {
        check("", "");
        check("Grüße: ошибка 500 — ok", "Grüße: ошибка 500 — ok");
        check("password=", "password=");
        check("token:", "token:");
        check("ends with a name token", "ends with a name token");
    }
}
