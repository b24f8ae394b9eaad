//! `storage.local`, where connections and drafts outlive the popup; `storage.session`, where
//! secrets typed into a form wait in memory while the browser runs; and `storage.managed`, where
//! an administrator's policy arrives.

use std::future::Future;

use js_sys::{Object, Reflect};
use wasm_bindgen::JsValue;

use crate::browser::extension::{call, describe, settle, start};
use crate::browser::BrowserError;

/// The storage areas the app reads and writes.
#[derive(Clone, Copy)]
pub(crate) enum Area {
    /// `storage.local`, on disk.
    Local,
    /// `storage.session`, in memory only.
    Session,
}

impl Area {
    fn name(self) -> &'static str {
        match self {
            Area::Local => "local",
            Area::Session => "session",
        }
    }
}

// Each call reaches the browser when it is made, not when its future is first polled: writes
// then arrive in the order the app asks for them, whoever awaits them when (a write asked for
// before another is never overtaken by it, and one asked for in a click handler is issued
// before anything that handler starts).

pub(crate) fn load(
    area: Area,
    key: String,
) -> impl Future<Output = Result<Option<serde_json::Value>, BrowserError>> {
    let started = start(&["storage", area.name(), "get"], &[JsValue::from_str(&key)]);
    async move {
        let items = settle(started?).await?;
        let value = Reflect::get(&items, &JsValue::from_str(&key))
            .map_err(|error| BrowserError::Api(describe(&error)))?;
        if value.is_undefined() {
            return Ok(None);
        }
        serde_wasm_bindgen::from_value(value)
            .map(Some)
            .map_err(|error| BrowserError::Api(error.to_string()))
    }
}

pub(crate) fn save(
    area: Area,
    key: String,
    value: serde_json::Value,
) -> impl Future<Output = Result<(), BrowserError>> {
    let started =
        items(&key, &value).and_then(|items| start(&["storage", area.name(), "set"], &[items]));
    async move { settle(started?).await.map(drop) }
}

pub(crate) fn remove(area: Area, key: String) -> impl Future<Output = Result<(), BrowserError>> {
    let started = start(
        &["storage", area.name(), "remove"],
        &[JsValue::from_str(&key)],
    );
    async move { settle(started?).await.map(drop) }
}

pub(crate) async fn load_managed() -> Result<serde_json::Value, BrowserError> {
    // Firefox rejects the read when no policy names the add-on; Chromium answers `{}`. Either way
    // the administrator has set nothing.
    let Ok(items) = call(&["storage", "managed", "get"], &[JsValue::NULL]).await else {
        return Ok(serde_json::Value::Object(serde_json::Map::new()));
    };
    serde_wasm_bindgen::from_value(items).map_err(|error| BrowserError::Api(error.to_string()))
}

/// `{ key: value }`, as `set` takes it.
fn items(key: &str, value: &serde_json::Value) -> Result<JsValue, BrowserError> {
    let serializer = serde_wasm_bindgen::Serializer::json_compatible();
    let value = serde::Serialize::serialize(value, &serializer)
        .map_err(|error| BrowserError::Api(error.to_string()))?;
    let items = Object::new();
    Reflect::set(&items, &JsValue::from_str(key), &value)
        .map_err(|error| BrowserError::Api(describe(&error)))?;
    Ok(items.into())
}
