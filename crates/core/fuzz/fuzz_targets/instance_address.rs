//! Instance addresses: any input is accepted or refused, and what is accepted is stable.
#![no_main]

use flare_core::instance::InstanceUrl;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    for parse in [InstanceUrl::parse_servicenow, InstanceUrl::parse_zendesk] {
        if let Ok(instance) = parse(&text) {
            let again = parse(&instance.base()).expect("a normalised address parses again");
            assert_eq!(again, instance);
            let _ = instance.permission_pattern();
        }
    }
});
