//! OAuth: any redirect URL is a code or a typed error, and any token reply a token set or an error.
#![no_main]

use flare_core::http::HttpResponse;
use flare_core::oauth::{parse_token_response, PendingAuthorization, TokenGrant, UnixMillis};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&selector, rest)) = data.split_first() else { return };
    let text = String::from_utf8_lossy(rest);
    let pending = PendingAuthorization::new([7; 32], [9; 32]);
    let _ = pending.parse_callback(&text);
    let statuses = [200, 400, 401, 403, 429, 500];
    let content_type = if selector & 1 == 1 { "application/json" } else { "text/html" };
    let response = HttpResponse::new(
        statuses[usize::from(selector >> 1) % statuses.len()],
        vec![("Content-Type".to_owned(), content_type.to_owned())],
        rest.to_vec(),
    );
    for grant in [TokenGrant::AuthorizationCode, TokenGrant::RefreshToken, TokenGrant::Password] {
        let _ = parse_token_response(&response, grant, UnixMillis(1_700_000_000_000));
    }
});
