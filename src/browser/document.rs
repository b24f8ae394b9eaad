//! The page a surface runs in: its title and theme.

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
