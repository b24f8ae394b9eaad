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
