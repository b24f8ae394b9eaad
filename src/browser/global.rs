//! The global scope, whichever it is: a page's `window` or the background service worker's
//! `ServiceWorkerGlobalScope` (MV3 workers have no `window`). Both have `fetch`, `setTimeout`,
//! `atob` and `crypto`, which is all Flare takes from them.

use js_sys::{Function, Promise};
use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{Crypto, Request};

#[wasm_bindgen]
extern "C" {
    /// `globalThis`, typed by what window and worker scopes have in common.
    pub(crate) type GlobalScope;

    #[wasm_bindgen(method, js_name = fetch)]
    pub(crate) fn fetch_with_request(this: &GlobalScope, request: &Request) -> Promise;

    #[wasm_bindgen(method, catch, js_name = setTimeout)]
    pub(crate) fn set_timeout(
        this: &GlobalScope,
        handler: &Function,
        millis: i32,
    ) -> Result<JsValue, JsValue>;

    #[wasm_bindgen(method, catch)]
    pub(crate) fn atob(this: &GlobalScope, encoded: &str) -> Result<String, JsValue>;

    #[wasm_bindgen(method, catch, getter)]
    pub(crate) fn crypto(this: &GlobalScope) -> Result<Crypto, JsValue>;
}

/// The global scope of the running surface.
pub(crate) fn scope() -> GlobalScope {
    js_sys::global().unchecked_into()
}
