//! The background worker's door from JS: `static/background.js` registers the listeners and hands
//! each message here. Built only into the worker's wasm (the `worker` feature), not the pages'.

use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::JsValue;

use crate::browser::{messaging, ExtensionPlatform};
use crate::messages::{WorkerReply, WorkerRequest};

/// Handles one message from an extension page and resolves with the reply.
#[wasm_bindgen]
pub async fn handle_message(message: JsValue) -> JsValue {
    let reply = match messaging::from_js::<WorkerRequest>(message) {
        Ok(request) => crate::worker::handle(&ExtensionPlatform, request).await,
        Err(error) => WorkerReply::Failed {
            error: error.into(),
        },
    };
    // A reply is plain data and always converts; `null` tells the page something broke.
    messaging::to_js(&reply).unwrap_or(JsValue::NULL)
}

/// Handles an alarm: the outbox's sends the reports that fell due; the sync's looks for changes.
#[wasm_bindgen]
pub async fn handle_alarm(name: String) {
    // A failure is kept in the outbox entry itself, for the popup to show; a sync that fails is
    // tried again at its next alarm.
    if name == crate::outbox::ALARM {
        let _ = crate::outbox::send_due(&ExtensionPlatform, false).await;
    } else if name == crate::follow::ALARM {
        let _ = crate::follow::sync_all(&ExtensionPlatform).await;
    }
}

/// The browser started, or the network came back: every waiting report is worth a try now, and
/// the tickets may have changed meanwhile.
#[wasm_bindgen]
pub async fn handle_online() {
    let _ = crate::outbox::send_due(&ExtensionPlatform, true).await;
    let _ = crate::follow::sync_all(&ExtensionPlatform).await;
}

/// A notification was clicked: one about a ticket opens its page.
#[wasm_bindgen]
pub async fn handle_notification_click(id: String) {
    let _ = crate::follow::open_notification(&ExtensionPlatform, &id).await;
}

/// Flare was installed or updated: its context menu items are (re)created, and the console
/// capture registered again if the user opted in.
#[wasm_bindgen]
pub async fn handle_installed() {
    let _ = crate::context_menu::install(&ExtensionPlatform).await;
    let _ = crate::worker::restore_console_capture(&ExtensionPlatform).await;
}

/// One of Flare's context menu items was chosen on `page_url`, with `selection` selected.
#[wasm_bindgen]
pub async fn handle_menu_click(item: String, page_url: String, selection: String) {
    let _ = crate::context_menu::chosen(&ExtensionPlatform, &item, page_url, selection).await;
}
