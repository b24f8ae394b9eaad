//! The page a surface runs in: its title, its theme and where the focus is.

use wasm_bindgen::JsCast;
use web_sys::HtmlElement;

/// Shows the page in `theme` (`light`, `dark`) through `<html data-theme>`, or in the system's
/// when `None`; the stylesheet does the rest.
pub fn set_theme(theme: Option<&str>) {
    let Some(root) = web_sys::window()
        .and_then(|window| window.document())
        .and_then(|document| document.document_element())
    else {
        return;
    };
    let _ = match theme {
        Some(theme) => root.set_attribute("data-theme", theme),
        None => root.remove_attribute("data-theme"),
    };
}

/// Sets the page's title, which the browser shows on its tab.
pub fn set_title(title: &str) {
    if let Some(document) = web_sys::window().and_then(|window| window.document()) {
        document.set_title(title);
    }
}

/// Moves the focus to the element with `id`, on purpose (after a failed submit, to the first
/// field in error); does nothing when the page has no such element or no document at all.
pub fn focus_element(id: &str) {
    let element = web_sys::window()
        .and_then(|window| window.document())
        .and_then(|document| document.get_element_by_id(id))
        .and_then(|element| element.dyn_into::<HtmlElement>().ok());
    if let Some(element) = element {
        // Focusing fails only for an element that cannot take the focus; it then stays where it is.
        let _ = element.focus();
    }
}

/// The value of `name` in the page's query (`ticket.html?ticket=…`), decoded; `None` when the
/// page has none.
pub fn query_param(name: &str) -> Option<String> {
    let search = web_sys::window()?.location().search().ok()?;
    web_sys::UrlSearchParams::new_with_str(&search)
        .ok()?
        .get(name)
}

/// The page address's fragment without its `#` (`popup.html#follow-up=…` gives `follow-up=…`).
pub fn fragment() -> String {
    let hash = web_sys::window()
        .and_then(|window| window.location().hash().ok())
        .unwrap_or_default();
    hash.trim_start_matches('#').to_owned()
}

/// Which surface this page is (`<body data-surface>`: `popup`, `options`, `ticket`, `tickets`).
pub fn surface() -> Option<String> {
    web_sys::window()?
        .document()?
        .body()?
        .get_attribute("data-surface")
}

/// Opens `page` (an address relative to this one) in place of this page.
pub fn go_to(page: &str) {
    if let Some(window) = web_sys::window() {
        // Only an address the browser cannot parse fails; ours are constants.
        let _ = window.location().replace(page);
    }
}
