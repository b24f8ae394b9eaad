//! The clock and timers, which the core never reads itself.

use js_sys::Promise;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

use crate::browser::BrowserError;

pub(crate) fn now_ms() -> u64 {
    js_sys::Date::now() as u64
}

/// Resolves after `millis` milliseconds (`setTimeout`).
pub(crate) async fn sleep(millis: u64) -> Result<(), BrowserError> {
    let window =
        web_sys::window().ok_or_else(|| BrowserError::Api("no window for a timer".to_owned()))?;
    let delay = i32::try_from(millis).unwrap_or(i32::MAX);
    let promise = Promise::new(&mut |resolve, _reject| {
        // If scheduling fails the promise never resolves; the caller's bounded retries end anyway.
        let _ = window
            .set_timeout_with_callback_and_timeout_and_arguments_0(resolve.unchecked_ref(), delay);
    });
    JsFuture::from(promise)
        .await
        .map(drop)
        .map_err(|error| BrowserError::Api(crate::browser::extension::describe(&error)))
}
