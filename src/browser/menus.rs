//! The page's context menu and the toolbar popup, from the background worker.

use js_sys::{Array, Object, Reflect};
use wasm_bindgen::JsValue;

use crate::browser::extension::{call, describe};
use crate::browser::BrowserError;

/// Replaces Flare's context menu items with `items`: each an id, a title and the contexts it
/// shows in (`page`, `selection`).
pub(crate) async fn set_menu(
    items: Vec<(String, String, &'static str)>,
) -> Result<(), BrowserError> {
    call(&["contextMenus", "removeAll"], &[]).await?;
    for (id, title, context) in items {
        let properties = Object::new();
        let contexts: Array = [JsValue::from_str(context)].into_iter().collect();
        for (name, value) in [
            ("id", JsValue::from_str(&id)),
            ("title", JsValue::from_str(&title)),
            ("contexts", contexts.into()),
        ] {
            Reflect::set(&properties, &JsValue::from_str(name), &value)
                .map_err(|error| BrowserError::Api(describe(&error)))?;
        }
        call(&["contextMenus", "create"], &[properties.into()]).await?;
    }
    Ok(())
}

/// Opens the toolbar popup; where the browser will not (no window to open it in), the popup's
/// page in a tab, which reports the page the user was on just the same.
pub(crate) async fn open_popup() -> Result<(), BrowserError> {
    if call(&["action", "openPopup"], &[]).await.is_ok() {
        return Ok(());
    }
    let url = call(&["runtime", "getURL"], &[JsValue::from_str("popup.html")]).await?;
    let properties = Object::new();
    Reflect::set(&properties, &JsValue::from_str("url"), &url)
        .map_err(|error| BrowserError::Api(describe(&error)))?;
    call(&["tabs", "create"], &[properties.into()])
        .await
        .map(drop)
}
