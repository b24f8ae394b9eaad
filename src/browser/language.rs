//! The language of the browser's own user interface, which Flare's words follow, and the words
//! themselves as the extension packages them.

use flare_core::http::{HttpRequest, Method};
use js_sys::{Function, Reflect};
use wasm_bindgen::{JsCast, JsValue};

use crate::browser::{http, BrowserError};

/// The browser's UI language as a tag such as `de` or `en-US`: `i18n.getUILanguage()` in an
/// extension, else `navigator.language` (a test page, a worker); empty if neither says.
pub fn ui_language() -> String {
    let global = js_sys::global();
    // `browser` (Firefox) before `chrome`, as everywhere in this module.
    let from_extension = ["browser", "chrome"].into_iter().find_map(|namespace| {
        let i18n = property(&property(&global, namespace)?, "i18n")?;
        let get_ui_language = property(&i18n, "getUILanguage")?
            .dyn_into::<Function>()
            .ok()?;
        get_ui_language.call0(&i18n).ok()?.as_string()
    });
    from_extension
        .or_else(|| property(&property(&global, "navigator")?, "language")?.as_string())
        .unwrap_or_default()
}

/// A property that is there (not `undefined` or `null`), or `None`.
fn property(object: &JsValue, name: &str) -> Option<JsValue> {
    Reflect::get(object, &JsValue::from_str(name))
        .ok()
        .filter(|value| !value.is_undefined() && !value.is_null())
}

/// The text of the `messages.json` the extension packages for `language` (`en`, `de`), read
/// relative to the page (`_locales/<language>/messages.json`).
pub async fn packaged_catalog(language: &str) -> Result<String, BrowserError> {
    let path = format!("_locales/{language}/messages.json");
    let response = http::send(HttpRequest::new(Method::Get, path.as_str())).await?;
    if response.status != 200 {
        return Err(BrowserError::Api(format!(
            "{path} answered {}",
            response.status
        )));
    }
    String::from_utf8(response.body).map_err(|_| BrowserError::Api(format!("{path} is not text")))
}
