//! Messages between the extension's pages and its background worker cross `runtime.sendMessage`
//! as the typed [`crate::messages`] values; this converts them at the JS boundary.

use serde::de::DeserializeOwned;
use serde::Serialize;
use wasm_bindgen::JsValue;

use crate::browser::extension::call;
use crate::browser::BrowserError;

/// Sends `message` to the background worker and waits for its reply.
pub(crate) async fn send_to_worker<Reply: DeserializeOwned>(
    message: &impl Serialize,
) -> Result<Reply, BrowserError> {
    let reply = call(&["runtime", "sendMessage"], &[to_js(message)?]).await?;
    from_js(reply)
}

/// A message as JS sees it, for `runtime.sendMessage`. It goes through `serde_json::Value`, whose
/// conversions to and from JS the app has anyway (storage), rather than a conversion of its own
/// per message type, which would cost wasm size.
pub(crate) fn to_js(value: &impl Serialize) -> Result<JsValue, BrowserError> {
    let json = serde_json::to_value(value).map_err(|error| BrowserError::Api(error.to_string()))?;
    let serializer = serde_wasm_bindgen::Serializer::json_compatible();
    json.serialize(&serializer)
        .map_err(|error| BrowserError::Api(error.to_string()))
}

/// A message from JS, checked against its Rust type.
pub(crate) fn from_js<T: DeserializeOwned>(value: JsValue) -> Result<T, BrowserError> {
    let json: serde_json::Value = serde_wasm_bindgen::from_value(value)
        .map_err(|error| BrowserError::Api(error.to_string()))?;
    serde_json::from_value(json).map_err(|error| BrowserError::Api(error.to_string()))
}
