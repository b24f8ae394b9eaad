//! Mounts the extension's full pages: the options page, the ticket list, a ticket's detail page
//! and the screenshot editor, picked by the page's `<body data-surface>`. One wasm of their own,
//! so the popup, opened far more often, does not carry their code (scripts/build.sh builds it).

use flare::browser::{document, PlatformHandle};
use flare::options::Options;
use flare::screenshot_editor::ScreenshotEditor;
use flare::ticket::TicketPage;
use flare::tickets::TicketsPage;
use leptos::prelude::*;

fn main() {
    let platform = PlatformHandle::extension();
    match document::surface().as_deref() {
        Some("screenshot") => mount_to_body(move || view! { <ScreenshotEditor platform/> }),
        Some("tickets") => mount_to_body(move || view! { <TicketsPage platform/> }),
        Some("ticket") => mount_to_body(move || {
            let ticket_id = document::query_param("ticket");
            let connection_id = document::query_param("connection");
            let table = document::query_param("table");
            view! { <TicketPage platform ticket_id connection_id table/> }
        }),
        _ => mount_to_body(move || view! { <Options platform/> }),
    }
}
