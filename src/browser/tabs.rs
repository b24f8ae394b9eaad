//! The page the user is on, read from the active tab (`activeTab`, or a granted host permission).

use js_sys::{Array, Object, Reflect};
use wasm_bindgen::JsValue;

use crate::browser::extension::call;
use crate::browser::{BrowserError, PageContext};

pub(crate) async fn page_context() -> Result<PageContext, BrowserError> {
    let user_agent = web_sys::window()
        .and_then(|window| window.navigator().user_agent().ok())
        .unwrap_or_default();
    let tabs = query_tabs(true).await?;
    let own_prefix = own_url_prefix();
    let is_own_page =
        |tab: &JsValue| string_field(tab, "url").is_some_and(|url| url.starts_with(&own_prefix));
    // In the toolbar popup the active tab is the page. When Flare is open in a tab of its own, the
    // page is the most recently used other tab.
    let page = match tabs.into_iter().find(|tab| !is_own_page(tab)) {
        Some(tab) => Some(tab),
        None => {
            // The latest by `lastAccessed`, the first of equals; `min_by` with the order
            // reversed keeps the first, and spares the popup a sort's code.
            query_tabs(false)
                .await?
                .into_iter()
                .filter(|tab| !is_own_page(tab))
                .min_by(|a, b| {
                    number_field(b, "lastAccessed").total_cmp(&number_field(a, "lastAccessed"))
                })
        }
    };
    let about_browser = PageContext {
        user_agent,
        language: web_sys::window()
            .and_then(|window| window.navigator().language())
            .unwrap_or_default(),
        time_zone: time_zone(),
        ..PageContext::default()
    };
    Ok(match page {
        Some(tab) => PageContext {
            title: string_field(&tab, "title").unwrap_or_default(),
            url: string_field(&tab, "url").unwrap_or_default(),
            viewport: match (number_field(&tab, "width"), number_field(&tab, "height")) {
                (width, height) if width > 0.0 && height > 0.0 => {
                    Some((width as u32, height as u32))
                }
                _ => None,
            },
            tab_id: Some(number_field(&tab, "id"))
                .filter(|id| *id > 0.0)
                .map(|id| id as u32),
            ..about_browser
        },
        None => about_browser,
    })
}

/// The time zone the browser reports dates in (`Intl.DateTimeFormat().resolvedOptions()`).
fn time_zone() -> String {
    let format = js_sys::Intl::DateTimeFormat::new(&Array::new(), &Object::new());
    string_field(&format.resolved_options(), "timeZone").unwrap_or_default()
}

pub(crate) async fn open_options_page() -> Result<(), BrowserError> {
    call(&["runtime", "openOptionsPage"], &[]).await.map(drop)
}

/// A PNG of the current window's visible tab, as a `data:` URL.
pub(crate) async fn capture_visible_tab() -> Result<String, BrowserError> {
    let options = Object::new();
    let _ = Reflect::set(
        &options,
        &JsValue::from_str("format"),
        &JsValue::from_str("png"),
    );
    // `null`: the current window, where the page the user is reporting is the active tab.
    let captured = call(
        &["tabs", "captureVisibleTab"],
        &[JsValue::NULL, options.into()],
    )
    .await?;
    captured
        .as_string()
        .ok_or_else(|| BrowserError::Api("the browser returned no screenshot".to_owned()))
}

async fn query_tabs(active_in_current_window: bool) -> Result<Vec<JsValue>, BrowserError> {
    let query = Object::new();
    if active_in_current_window {
        let _ = Reflect::set(&query, &JsValue::from_str("active"), &JsValue::TRUE);
        let _ = Reflect::set(&query, &JsValue::from_str("currentWindow"), &JsValue::TRUE);
    }
    let tabs = call(&["tabs", "query"], &[query.into()]).await?;
    Ok(Array::from(&tabs).iter().collect())
}

fn own_url_prefix() -> String {
    web_sys::window()
        .and_then(|window| window.location().origin().ok())
        .unwrap_or_default()
}

fn string_field(object: &JsValue, name: &str) -> Option<String> {
    Reflect::get(object, &JsValue::from_str(name))
        .ok()?
        .as_string()
}

fn number_field(object: &JsValue, name: &str) -> f64 {
    Reflect::get(object, &JsValue::from_str(name))
        .ok()
        .and_then(|value| value.as_f64())
        .unwrap_or(0.0)
}
