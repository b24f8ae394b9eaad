//! `alarms`, `notifications` and the toolbar badge: how the background worker wakes itself and
//! tells the user.

use js_sys::{Object, Reflect};
use wasm_bindgen::JsValue;

use crate::browser::extension::{call, describe};
use crate::browser::BrowserError;

/// Wakes the worker at `at_ms` (Unix milliseconds) with the alarm `name`, replacing one of that
/// name.
pub(crate) async fn set(name: String, at_ms: u64) -> Result<(), BrowserError> {
    let info = object(&[("when", JsValue::from_f64(at_ms as f64))])?;
    call(&["alarms", "create"], &[JsValue::from_str(&name), info])
        .await
        .map(drop)
}

/// Cancels the alarm `name`, if set.
pub(crate) async fn clear(name: String) -> Result<(), BrowserError> {
    call(&["alarms", "clear"], &[JsValue::from_str(&name)])
        .await
        .map(drop)
}

/// Shows a system notification `id` (a later one with the same id replaces it).
pub(crate) async fn notify(id: String, title: String, message: String) -> Result<(), BrowserError> {
    let options = object(&[
        ("type", JsValue::from_str("basic")),
        ("iconUrl", JsValue::from_str("icons/icon-128.png")),
        ("title", JsValue::from_str(&title)),
        ("message", JsValue::from_str(&message)),
    ])?;
    call(
        &["notifications", "create"],
        &[JsValue::from_str(&id), options],
    )
    .await
    .map(drop)
}

/// Sets the text on the toolbar button's badge; empty hides it.
pub(crate) async fn set_badge(text: String) -> Result<(), BrowserError> {
    let details = object(&[("text", JsValue::from_str(&text))])?;
    call(&["action", "setBadgeText"], &[details])
        .await
        .map(drop)
}

/// Opens the extension's page `path` (`ticket.html?…`) in a new tab.
pub(crate) async fn open_page(path: String) -> Result<(), BrowserError> {
    let url = call(&["runtime", "getURL"], &[JsValue::from_str(&path)]).await?;
    let properties = object(&[("url", url)])?;
    call(&["tabs", "create"], &[properties]).await.map(drop)
}

/// Removes the notification `id`.
pub(crate) async fn clear_notification(id: String) -> Result<(), BrowserError> {
    call(&["notifications", "clear"], &[JsValue::from_str(&id)])
        .await
        .map(drop)
}

fn object(fields: &[(&str, JsValue)]) -> Result<JsValue, BrowserError> {
    let object = Object::new();
    for (name, value) in fields {
        Reflect::set(&object, &JsValue::from_str(name), value)
            .map_err(|error| BrowserError::Api(describe(&error)))?;
    }
    Ok(object.into())
}
