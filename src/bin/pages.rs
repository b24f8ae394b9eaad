//! Mounts the extension's full pages: the options page and a ticket's detail page, picked by the
//! page's `<body data-surface>`. One wasm of their own, so the popup, opened far more often, does
//! not carry their code (scripts/build.sh builds it).

use flare::browser::{document, PlatformHandle};
use flare::options::Options;
use flare::ticket::TicketPage;
use leptos::prelude::*;

fn main() {
    let platform = PlatformHandle::extension();
    match document::surface().as_deref() {
        Some("ticket") => mount_to_body(move || {
            let ticket_id = document::query_param("ticket");
            let connection_id = document::query_param("connection");
            view! { <TicketPage platform ticket_id connection_id/> }
        }),
        _ => mount_to_body(move || view! { <Options platform/> }),
    }
}
