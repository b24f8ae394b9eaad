//! The opt-in console capture: the permission it needs (`scripting` and every site, asked for at
//! runtime), its content script registered and unregistered at runtime, and reading what it
//! kept in one tab. Without the opt-in `chrome.scripting` does not even exist in the store build.

use crate::browser::extension::call;
use crate::browser::messaging::{from_js, to_js};
use crate::browser::{BrowserError, ConsoleEntry};
use serde::Deserialize;
use serde_json::json;

/// The registered script's id.
const SCRIPT_ID: &str = "flare-console";

/// What the capture needs: injecting a script (`scripting`) into the pages the user visits.
fn access() -> serde_json::Value {
    json!({ "permissions": ["scripting"], "origins": ["https://*/*", "http://*/*"] })
}

/// Asks for the capture's permissions; must run inside the user's click.
pub(crate) async fn request_access() -> Result<bool, BrowserError> {
    let granted = call(&["permissions", "request"], &[to_js(&access())?]).await?;
    Ok(granted.as_bool().unwrap_or(false))
}

/// Gives `scripting` back. The sites stay granted: a connection's own instance origin may be one
/// of them, and without `scripting` nothing can be injected anyway.
pub(crate) async fn give_back_access() -> Result<(), BrowserError> {
    let scripting = json!({ "permissions": ["scripting"] });
    call(&["permissions", "remove"], &[to_js(&scripting)?])
        .await
        .map(drop)
}

/// Registers the capture script in every page from now on, unless it is already.
pub(crate) async fn register_capture() -> Result<(), BrowserError> {
    if is_registered().await? {
        return Ok(());
    }
    // MAIN world: the page's own `console`, `fetch` and `XMLHttpRequest` are what must be
    // wrapped (static/console-capture.js); Chromium has had `world` here since version 102.
    // `document_start`, so errors thrown while the page loads are kept too.
    let script = json!([{
        "id": SCRIPT_ID,
        "matches": ["https://*/*", "http://*/*"],
        "js": ["console-capture.js"],
        "runAt": "document_start",
        "world": "MAIN",
        "allFrames": false,
        "persistAcrossSessions": true,
    }]);
    call(&["scripting", "registerContentScripts"], &[to_js(&script)?])
        .await
        .map(drop)
}

/// Unregisters the capture script; pages opened from now on get nothing. Without `scripting`
/// there is nothing registered that could run.
pub(crate) async fn unregister_capture() -> Result<(), BrowserError> {
    // Without `scripting` (given back, or never granted) the API is gone, and nothing
    // registered could run.
    let Ok(true) = is_registered().await else {
        return Ok(());
    };
    let filter = json!({ "ids": [SCRIPT_ID] });
    call(
        &["scripting", "unregisterContentScripts"],
        &[to_js(&filter)?],
    )
    .await
    .map(drop)
}

/// Takes what the capture kept in tab `tab_id` (its buffer is emptied); nothing when it never
/// ran there.
pub(crate) async fn read_capture(tab_id: u32) -> Result<Vec<ConsoleEntry>, BrowserError> {
    let injection = json!({
        "target": { "tabId": tab_id },
        "world": "MAIN",
        "files": ["console-read.js"],
    });
    let results = call(&["scripting", "executeScript"], &[to_js(&injection)?]).await?;
    #[derive(Deserialize)]
    struct InjectionResult {
        #[serde(default)]
        result: Option<Vec<ConsoleEntry>>,
    }
    let results: Vec<InjectionResult> = from_js(results)?;
    Ok(results
        .into_iter()
        .next()
        .and_then(|first| first.result)
        .unwrap_or_default())
}

async fn is_registered() -> Result<bool, BrowserError> {
    let filter = json!({ "ids": [SCRIPT_ID] });
    let registered = call(
        &["scripting", "getRegisteredContentScripts"],
        &[to_js(&filter)?],
    )
    .await?;
    Ok(js_sys::Array::from(&registered).length() > 0)
}
