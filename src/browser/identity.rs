//! `identity`: the OAuth sign-in window (`launchWebAuthFlow`), run from the background worker
//! because a popup closes as soon as another window takes focus.

use js_sys::{Object, Reflect};
use wasm_bindgen::JsValue;

use crate::browser::extension::{call, describe};
use crate::browser::BrowserError;

/// Where the sign-in window sends the browser back: `https://<extension-id>.chromiumapp.org/` in
/// Chromium, an `extensions.allizom.org` address in Firefox.
pub(crate) async fn redirect_url() -> Result<String, BrowserError> {
    let url = call(&["identity", "getRedirectURL"], &[]).await?;
    url.as_string()
        .ok_or_else(|| BrowserError::Api("identity.getRedirectURL gave no address".to_owned()))
}

/// Opens `url` in the browser's sign-in window and resolves with the address it was sent back
/// to; rejects when the user closes the window.
pub(crate) async fn launch_web_auth_flow(url: String) -> Result<String, BrowserError> {
    let details = Object::new();
    let set = |name: &str, value: &JsValue| {
        Reflect::set(&details, &JsValue::from_str(name), value)
            .map(drop)
            .map_err(|error| BrowserError::Api(describe(&error)))
    };
    set("url", &JsValue::from_str(&url))?;
    set("interactive", &JsValue::TRUE)?;
    // It rejects when the user closes the window, and when the window cannot load the page.
    let landed = call(&["identity", "launchWebAuthFlow"], &[details.into()])
        .await
        .map_err(|error| match error {
            BrowserError::Api(message) => BrowserError::SignInClosed(message),
            other => other,
        })?;
    landed
        .as_string()
        .ok_or_else(|| BrowserError::Api("the sign-in window gave no address".to_owned()))
}
