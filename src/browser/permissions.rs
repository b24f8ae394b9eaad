//! Host permissions, asked for one instance at a time (`optional_host_permissions`).

use js_sys::{Array, Object, Reflect};
use wasm_bindgen::JsValue;

use crate::browser::extension::{call, describe};
use crate::browser::BrowserError;

/// Asks for `pattern` unless it is already granted; the browser prompts the user.
pub(crate) async fn request_origin(pattern: String) -> Result<bool, BrowserError> {
    // `request` must be the first await after the click: browsers only allow it during a user gesture,
    // and it resolves at once when the permission is already held.
    let granted = call(&["permissions", "request"], &[origins(&pattern)?]).await?;
    Ok(granted.as_bool().unwrap_or(false))
}

/// Whether `pattern` is granted (`permissions.contains`), which prompts nobody and so needs no
/// user gesture.
pub(crate) async fn holds_origin(pattern: String) -> Result<bool, BrowserError> {
    let held = call(&["permissions", "contains"], &[origins(&pattern)?]).await?;
    Ok(held.as_bool().unwrap_or(false))
}

/// Gives up access to `pattern`, once no saved connection needs it.
pub(crate) async fn remove_origin(pattern: String) -> Result<(), BrowserError> {
    call(&["permissions", "remove"], &[origins(&pattern)?])
        .await
        .map(drop)
}

/// `{ origins: [pattern] }`, as both calls take it.
fn origins(pattern: &str) -> Result<JsValue, BrowserError> {
    let query = Object::new();
    Reflect::set(
        &query,
        &JsValue::from_str("origins"),
        &Array::of1(&JsValue::from_str(pattern)),
    )
    .map_err(|error| BrowserError::Api(describe(&error)))?;
    Ok(query.into())
}
