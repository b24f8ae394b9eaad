//! The Link-header and query-parameter readers accept any text.
#![no_main]

use flare_core::paging::{parse_link_header, percent_decode, query_param};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let links = parse_link_header(&text);
    for url in [links.first, links.prev, links.next, links.last].into_iter().flatten() {
        let _ = query_param(&url, "sysparm_offset");
    }
    let _ = percent_decode(&text);
});
