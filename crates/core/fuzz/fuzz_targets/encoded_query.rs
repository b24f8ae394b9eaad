//! The encoded-query parser never panics, and what it prints parses back to the same query.
#![no_main]

use flare_core::query::EncodedQuery;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let (query, _errors) = EncodedQuery::parse_lenient(text);
    if let Ok(strict) = EncodedQuery::parse(text) {
        let printed = strict.to_string();
        let reparsed = EncodedQuery::parse(&printed).expect("printed queries parse");
        assert_eq!(reparsed, strict, "round trip of {printed:?}");
    }
    let _ = query.to_string();
});
