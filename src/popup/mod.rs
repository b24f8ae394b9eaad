//! The toolbar popup: connect to an instance, file an incident, follow my incidents.

mod connect;
mod my_incidents;
mod new_incident;

use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api::{self, Connection};
use crate::browser::PlatformHandle;
use crate::i18n::Messages;
use crate::popup::connect::ConnectForm;
use crate::popup::my_incidents::MyIncidents;
use crate::popup::new_incident::NewIncidentForm;
use crate::ui::errors::describe;
use crate::ui::rich_text::rich_text;

/// The popup's root. Shows the connect form until a connection is saved, then the ticket views.
#[component]
pub fn Popup(
    /// The browser services (the real extension APIs, or a fake in tests).
    platform: PlatformHandle,
    /// The words to show; by default in the language of the browser's UI.
    #[prop(default = Messages::for_ui_language())]
    messages: Messages,
) -> impl IntoView {
    provide_context(platform.clone());
    provide_context(messages.clone());
    let connection = RwSignal::new(None::<Connection>);
    let (loaded, set_loaded) = signal(false);
    let (load_error, set_load_error) = signal(None::<String>);
    let language = messages.language();
    let loading = messages.text("popup_loading");
    let brand = messages.text("extension_name");
    spawn_local(async move {
        match api::load_connection(&platform).await {
            Ok(saved) => connection.set(saved),
            Err(error) => set_load_error.set(Some(describe(&error, &messages))),
        }
        set_loaded.set(true);
    });
    view! {
        <main class="popup" lang=language>
            <header class="brand">
                <h1>{brand}</h1>
            </header>
            {move || load_error.get().map(|message| view! { <p role="alert" class="error">{message}</p> })}
            <Show when=move || loaded.get() fallback=move || view! { <p role="status">{loading.clone()}</p> }>
                {move || match connection.get() {
                    None => view! { <ConnectForm on_connected=move |saved| connection.set(Some(saved))/> }.into_any(),
                    Some(saved) => view! { <Connected connection=saved on_disconnect=move || connection.set(None)/> }.into_any(),
                }}
            </Show>
        </main>
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum View {
    NewIncident,
    MyIncidents,
}

/// The ticket views of a saved connection, with a way to disconnect.
#[component]
fn Connected(
    /// The saved connection.
    connection: Connection,
    /// Called after the saved connection was forgotten.
    #[prop(into)]
    on_disconnect: Callback<()>,
) -> impl IntoView {
    let platform = expect_context::<PlatformHandle>();
    let messages = expect_context::<Messages>();
    let (current, set_current) = signal(View::NewIncident);
    let host = connection.instance.host().to_owned();
    let user_name = connection.user.name.clone();
    let disconnect = Action::new_unsync(move |_: &()| {
        let platform = platform.clone();
        async move {
            // Forgetting can only fail if storage is broken; the user still wants to leave.
            let _ = api::forget_connection(&platform).await;
            on_disconnect.run(());
        }
    });
    // A second click before the button shows as disabled must not disconnect twice: the first
    // one disposes this view and the callback with it.
    let on_disconnect_click = move |_| {
        if !disconnect.pending().get_untracked() {
            disconnect.dispatch(());
        }
    };
    let tab = move |view: View, label: String| {
        view! {
            <button
                type="button"
                role="tab"
                aria-selected=move || if current.get() == view { "true" } else { "false" }
                on:click=move |_| set_current.set(view)
            >
                {label}
            </button>
        }
    };
    let new_incident_connection = connection.clone();
    let new_incident_label = messages.text("view_new_incident");
    let my_incidents_label = messages.text("view_my_incidents");
    let signed_in = rich_text(messages.pieces("account_signed_in"), |arg_idx| {
        let value = match arg_idx {
            0 => host.clone(),
            _ => user_name.clone(),
        };
        view! { <strong>{value}</strong> }.into_any()
    });
    // The incident form stays mounted while hidden, so a create running when the user looks at
    // their incidents still shows its result (and clears the draft) when they come back. The list
    // is built each time it is shown, so it includes what was just filed.
    view! {
        <p class="account">
            <span>{signed_in}</span>
            <button type="button" class="link" disabled=move || disconnect.pending().get() on:click=on_disconnect_click>
                {messages.text("account_disconnect")}
            </button>
        </p>
        <nav role="tablist" aria-label=messages.text("views_label")>
            {tab(View::NewIncident, new_incident_label.clone())}
            {tab(View::MyIncidents, my_incidents_label.clone())}
        </nav>
        <div role="tabpanel" aria-label=new_incident_label hidden=move || current.get() != View::NewIncident>
            <NewIncidentForm connection=new_incident_connection/>
        </div>
        <Show when=move || current.get() == View::MyIncidents>
            <div role="tabpanel" aria-label=my_incidents_label.clone()>
                <MyIncidents connection=connection.clone()/>
            </div>
        </Show>
    }
}
