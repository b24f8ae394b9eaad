//! The options page: connections, their ticket templates, privacy and appearance. It opens in a
//! tab of its own (`options_ui.open_in_tab`), from the popup's "Settings" or the browser's
//! extension menu.

mod appearance;
mod connections;
mod follow;
mod managed_notice;
mod privacy;
mod template_form;
mod templates;

use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api;
use crate::browser::{document, PlatformHandle};
use crate::i18n::Messages;
use crate::managed::ManagedSettings;
use crate::options::appearance::AppearanceSection;
use crate::options::connections::ConnectionsSection;
use crate::options::follow::FollowSection;
use crate::options::managed_notice::ManagedNotice;
use crate::options::privacy::PrivacySection;
use crate::options::templates::TemplatesSection;
use crate::storage::{self, SavedConnections};
use crate::ui::appearance::follow_saved_appearance;
use crate::ui::errors::describe;

/// The connections as the options page shows them; every section that lists connections reads
/// them, and whatever changes them writes the new list back.
#[derive(Clone, Copy)]
pub(crate) struct Connections {
    /// The user's connections; `None` until read.
    pub saved: RwSignal<Option<SavedConnections>>,
    /// What the administrator deployed.
    pub managed: RwSignal<ManagedSettings>,
}

/// The options page's root.
#[component]
pub fn Options(
    /// The browser services (the real extension APIs, or a fake in tests).
    platform: PlatformHandle,
    /// The words to show; by default in the language of the browser's UI.
    #[prop(default = Messages::for_ui_language())]
    messages: Messages,
) -> impl IntoView {
    provide_context(platform.clone());
    provide_context(messages.clone());
    follow_saved_appearance(&platform);
    document::set_title(&messages.text("options_title"));
    let connections = Connections {
        saved: RwSignal::new(None),
        managed: RwSignal::new(ManagedSettings::default()),
    };
    provide_context(connections);
    let (load_error, set_load_error) = signal(None::<String>);
    let load_messages = messages.clone();
    spawn_local(async move {
        // Deployed connections first, so none shows as the user's own for a moment.
        if let Ok(managed) = storage::load_managed(&platform).await {
            connections.managed.set(managed);
        }
        match api::saved_connections(&platform).await {
            Ok(saved) => connections.saved.set(Some(saved)),
            Err(error) => set_load_error.set(Some(describe(&error, &load_messages))),
        }
    });
    let section_link = |id: &'static str, key: &str| {
        view! { <li><a href=format!("#{id}")>{messages.text(key)}</a></li> }
    };
    view! {
        <div class="options" lang=messages.language()>
            <header class="brand">
                <h1>{messages.text("options_title")}</h1>
                <nav aria-label=messages.text("options_sections_label")>
                    <ul>
                        {section_link("connections", "options_connections_heading")}
                        {section_link("templates", "options_templates_heading")}
                        {section_link("privacy", "options_privacy_heading")}
                        {section_link("follow", "options_follow_heading")}
                        {section_link("appearance", "options_appearance_heading")}
                    </ul>
                </nav>
            </header>
            <main>
                {move || load_error.get().map(|message| view! { <p role="alert" class="error">{message}</p> })}
                <ManagedNotice/>
                <ConnectionsSection/>
                <TemplatesSection/>
                <PrivacySection/>
                <FollowSection/>
                <AppearanceSection/>
            </main>
        </div>
    }
}
