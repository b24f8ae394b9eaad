//! The two views of a connection, the report form (`popup.html`) and the ticket list
//! (`tickets.html`), as tabs. They are pages of their own, so the popup's wasm carries only the
//! form; each tab but the current one is a link that opens the other page in place.

use leptos::prelude::*;

use crate::api::Provider;
use crate::i18n::Messages;

/// Which view a page is.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum View {
    /// The form that files a new incident or ticket (the popup).
    Report,
    /// The tickets the user follows (the list page).
    List,
}

/// The tab bar over a view; the content follows it in an element with role `tabpanel`, labelled
/// with [`view_label`].
#[component]
pub fn ViewTabs(
    /// The view this page shows.
    current: View,
    /// Whose connection it is: ServiceNow files incidents, Zendesk has tickets.
    provider: Provider,
    /// While true the page must not be left (a report is being filed), so the other tab leads
    /// nowhere for now.
    #[prop(into, optional)]
    busy: Signal<bool>,
) -> impl IntoView {
    let messages = expect_context::<Messages>();
    let tab = |view: View, page: &'static str| {
        let label = view_label(view, provider, &messages);
        // The current tab stays focusable, as the tabs pattern has it, but leads nowhere.
        if view == current {
            view! { <a role="tab" aria-selected="true" tabindex="0">{label}</a> }.into_any()
        } else {
            view! {
                <a
                    role="tab"
                    aria-selected="false"
                    aria-disabled=move || busy.get().then_some("true")
                    tabindex="0"
                    href=move || (!busy.get()).then_some(page)
                >
                    {label}
                </a>
            }
            .into_any()
        }
    };
    view! {
        <nav role="tablist" aria-label=messages.text("views_label")>
            {tab(View::Report, "popup.html")}
            {tab(View::List, "tickets.html")}
        </nav>
    }
}

/// The words naming `view` for a connection of `provider`.
pub fn view_label(view: View, provider: Provider, messages: &Messages) -> String {
    // Each key written out in a call: tests/locales.rs finds the keys the code uses that way.
    match (view, provider) {
        (View::Report, Provider::ServiceNow) => messages.text("view_new_incident"),
        (View::List, Provider::ServiceNow) => messages.text("view_my_incidents"),
        (View::Report, Provider::Zendesk) => messages.text("view_new_ticket"),
        (View::List, Provider::Zendesk) => messages.text("view_my_tickets"),
    }
}
