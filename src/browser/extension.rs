//! Calling `chrome.*` / `browser.*` by path, the one place that chooses between them.

use js_sys::{Array, Function, Promise, Reflect};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

use crate::browser::BrowserError;

/// Calls an extension API function such as `["storage", "local", "get"]` and awaits its promise.
pub(crate) async fn call(path: &[&str], args: &[JsValue]) -> Result<JsValue, BrowserError> {
    settle(start(path, args)?).await
}

/// Calls an extension API function now, before anything is awaited, and hands back what it
/// returned (a promise, usually) for [`settle`].
pub(crate) fn start(path: &[&str], args: &[JsValue]) -> Result<JsValue, BrowserError> {
    let (function_name, object_path) = path.split_last().expect("an API path has a function name");
    let mut object = namespace()?;
    for name in object_path {
        object = get(&object, name)?;
    }
    let function: Function = get(&object, function_name)?
        .dyn_into()
        .map_err(|_| BrowserError::Api(format!("{} is not a function", path.join("."))))?;
    function
        .apply(&object, &args.iter().collect::<Array>())
        .map_err(|error| BrowserError::Api(describe(&error)))
}

/// What a call [`start`]ed resolves to: the promise's value, or the value itself.
pub(crate) async fn settle(result: JsValue) -> Result<JsValue, BrowserError> {
    match result.dyn_into::<Promise>() {
        Ok(promise) => JsFuture::from(promise)
            .await
            .map_err(|error| BrowserError::Api(describe(&error))),
        Err(value) => Ok(value),
    }
}

/// Firefox's promise-based `browser` when present, else Chromium's `chrome`.
fn namespace() -> Result<JsValue, BrowserError> {
    let global = js_sys::global();
    for name in ["browser", "chrome"] {
        let candidate =
            Reflect::get(&global, &JsValue::from_str(name)).unwrap_or(JsValue::UNDEFINED);
        if candidate.is_object()
            && Reflect::has(&candidate, &JsValue::from_str("runtime")).unwrap_or(false)
        {
            return Ok(candidate);
        }
    }
    Err(BrowserError::Api(
        "not running as a browser extension".to_owned(),
    ))
}

fn get(object: &JsValue, name: &str) -> Result<JsValue, BrowserError> {
    let value = Reflect::get(object, &JsValue::from_str(name))
        .map_err(|error| BrowserError::Api(describe(&error)))?;
    match value.is_undefined() {
        true => Err(BrowserError::Api(format!(
            "the extension API {name} is not available"
        ))),
        false => Ok(value),
    }
}

/// A readable message from a thrown JS value.
pub(crate) fn describe(error: &JsValue) -> String {
    error
        .dyn_ref::<js_sys::Error>()
        .map(|error| String::from(error.message()))
        .or_else(|| error.as_string())
        .unwrap_or_else(|| format!("{error:?}"))
}
