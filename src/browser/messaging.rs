//! Messages between the extension's pages and its background worker cross `runtime.sendMessage`
//! as the typed [`crate::messages`] values; this converts them at the JS boundary.

use serde::de::DeserializeOwned;
use serde::Serialize;
use wasm_bindgen::JsValue;

use crate::browser::BrowserError;

/// A message as JS sees it, for `runtime.sendMessage`.
pub(crate) fn to_js(value: &impl Serialize) -> Result<JsValue, BrowserError> {
    let serializer = serde_wasm_bindgen::Serializer::json_compatible();
    value
        .serialize(&serializer)
        .map_err(|error| BrowserError::Api(error.to_string()))
}

/// A message from JS, checked against its Rust type.
pub(crate) fn from_js<T: DeserializeOwned>(value: JsValue) -> Result<T, BrowserError> {
    serde_wasm_bindgen::from_value(value).map_err(|error| BrowserError::Api(error.to_string()))
}
