//! The tickets the connected user follows, a page of their own (`tickets.html`), loaded with the
//! full pages' wasm so the popup does not carry the list: the popup's tab opens it in place, its
//! own tab leads back to the report form, and a ticket's detail page links back to it.

mod list_filters;
mod my_incidents;

use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api::{self, Connection};
use crate::browser::{document, PlatformHandle};
use crate::i18n::Messages;
use crate::tickets::my_incidents::MyIncidents;
use crate::ui::appearance::follow_saved_appearance;
use crate::ui::errors::describe;
use crate::ui::view_tabs::{view_label, View, ViewTabs};

/// The list page's root: the current connection's tickets, under the popup's tabs.
#[component]
pub fn TicketsPage(
    /// The browser services (the real extension APIs, or a fake in tests).
    platform: PlatformHandle,
    /// The words to show; by default in the language of the browser's UI.
    #[prop(default = Messages::for_ui_language())]
    messages: Messages,
) -> impl IntoView {
    provide_context(platform.clone());
    provide_context(messages.clone());
    follow_saved_appearance(&platform);
    let connection = RwSignal::new(None::<Connection>);
    let (problem, set_problem) = signal(None::<String>);
    let start_messages = messages.clone();
    spawn_local(async move {
        match api::load_connection(&platform).await {
            Ok(Some(saved)) => connection.set(Some(saved)),
            // Nothing to list: the popup's connect form is the way on.
            Ok(None) => document::go_to("popup.html"),
            Err(error) => set_problem.set(Some(describe(&error, &start_messages))),
        }
    });
    let language = messages.language();
    let brand = messages.text("extension_name");
    let list = move || {
        let connection = connection.get()?;
        let provider = connection.provider();
        let label = view_label(View::List, provider, &messages);
        Some(view! {
            <ViewTabs current=View::List provider/>
            <div role="tabpanel" aria-label=label>
                <MyIncidents connection/>
            </div>
        })
    };
    view! {
        <main class="popup" lang=language>
            <header class="brand">
                <h1>{brand}</h1>
            </header>
            {move || problem.get().map(|message| view! { <p role="alert" class="error">{message}</p> })}
            {list}
        </main>
    }
}
