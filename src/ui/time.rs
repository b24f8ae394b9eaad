//! Times shown in the user's own time zone and format.

use flare_core::ticket::Timestamp;
use wasm_bindgen::JsValue;

/// A timestamp as the browser's locale writes a date and time.
pub fn local_date_time(timestamp: Timestamp) -> String {
    let millis = timestamp.0 as f64 * 1000.0;
    let date = js_sys::Date::new(&JsValue::from_f64(millis));
    String::from(date.to_locale_string("default", &JsValue::UNDEFINED))
}
