//! The clock, timers and the user's own way of writing dates, which the core never reads itself.

use flare_core::ticket::Timestamp;
use js_sys::Promise;
use wasm_bindgen::JsValue;
use wasm_bindgen_futures::JsFuture;

use crate::browser::{global, BrowserError};

/// A timestamp as the browser's locale writes a date and time.
pub fn local_date_time(timestamp: Timestamp) -> String {
    let millis = timestamp.0 as f64 * 1000.0;
    let date = js_sys::Date::new(&JsValue::from_f64(millis));
    String::from(date.to_locale_string("default", &JsValue::UNDEFINED))
}

pub(crate) fn now_ms() -> u64 {
    js_sys::Date::now() as u64
}

/// Resolves after `millis` milliseconds (`setTimeout`).
pub(crate) async fn sleep(millis: u64) -> Result<(), BrowserError> {
    let scope = global::scope();
    let delay = i32::try_from(millis).unwrap_or(i32::MAX);
    let promise = Promise::new(&mut |resolve, _reject| {
        // If scheduling fails the promise never resolves; the caller's bounded retries end anyway.
        let _ = scope.set_timeout(&resolve, delay);
    });
    JsFuture::from(promise)
        .await
        .map(drop)
        .map_err(|error| BrowserError::Api(crate::browser::extension::describe(&error)))
}
