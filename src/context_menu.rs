//! "Report this page" and "Report the selected text" in the page's context menu: the worker
//! remembers what was asked on which page and opens the popup, whose report form takes it.

use crate::api::AppError;
use crate::browser::{Menus, SessionStorage};
use crate::i18n::Messages;
use crate::storage::{ReportRequest, REPORT_REQUEST_KEY};

/// The menu item that reports the page.
pub const REPORT_PAGE: &str = "report-page";
/// The menu item that reports the selected text.
pub const REPORT_SELECTION: &str = "report-selection";

/// Puts Flare's items into the page's context menu, in the user's language.
pub async fn install(platform: &(impl Menus + ?Sized)) -> Result<(), AppError> {
    let messages = Messages::for_ui_language();
    let items = vec![
        (
            REPORT_PAGE.to_owned(),
            messages.text("menu_report_page"),
            "page",
        ),
        (
            REPORT_SELECTION.to_owned(),
            messages.text("menu_report_selection"),
            "selection",
        ),
    ];
    Ok(platform.set_menu(items).await?)
}

/// One of Flare's items was chosen on `page_url`, with `selection` selected: the popup opens
/// with a report of that page, quoting the selection for "Report the selected text".
pub async fn chosen(
    platform: &(impl Menus + SessionStorage + ?Sized),
    item: &str,
    page_url: String,
    selection: String,
) -> Result<(), AppError> {
    let selection = match item {
        REPORT_SELECTION => selection,
        REPORT_PAGE => String::new(),
        _ => return Ok(()),
    };
    let request = ReportRequest {
        page_url,
        selection,
    };
    let value = serde_json::to_value(&request).expect("a report request always serialises");
    platform.save_session(REPORT_REQUEST_KEY, value).await?;
    Ok(platform.open_popup().await?)
}
