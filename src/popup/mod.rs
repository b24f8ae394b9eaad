//! The toolbar popup: connect to an instance, file an incident, follow my incidents.

mod connect;
mod my_incidents;
mod new_incident;

use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api::{self, Connection};
use crate::browser::PlatformHandle;
use crate::popup::connect::ConnectForm;
use crate::popup::my_incidents::MyIncidents;
use crate::popup::new_incident::NewIncidentForm;
use crate::ui::errors::describe;

/// The popup's root. Shows the connect form until a connection is saved, then the ticket views.
#[component]
pub fn Popup(
    /// The browser services (the real extension APIs, or a fake in tests).
    platform: PlatformHandle,
) -> impl IntoView {
    provide_context(platform.clone());
    let connection = RwSignal::new(None::<Connection>);
    let (loaded, set_loaded) = signal(false);
    let (load_error, set_load_error) = signal(None::<String>);
    spawn_local(async move {
        match api::load_connection(&platform).await {
            Ok(saved) => connection.set(saved),
            Err(error) => set_load_error.set(Some(describe(&error))),
        }
        set_loaded.set(true);
    });
    view! {
        <main class="popup">
            <header class="brand">
                <h1>"Flare"</h1>
            </header>
            {move || load_error.get().map(|message| view! { <p role="alert" class="error">{message}</p> })}
            <Show when=move || loaded.get() fallback=|| view! { <p role="status">"Loading…"</p> }>
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
    let tab = move |view: View, label: &'static str| {
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
    // The incident form stays mounted while hidden, so a create running when the user looks at
    // their incidents still shows its result (and clears the draft) when they come back. The list
    // is built each time it is shown, so it includes what was just filed.
    view! {
        <p class="account">
            <span>"Signed in to " <strong>{host}</strong> " as " <strong>{user_name}</strong></span>
            <button type="button" class="link" disabled=move || disconnect.pending().get() on:click=on_disconnect_click>
                "Disconnect"
            </button>
        </p>
        <nav role="tablist" aria-label="Views">
            {tab(View::NewIncident, "New incident")}
            {tab(View::MyIncidents, "My incidents")}
        </nav>
        <div role="tabpanel" aria-label="New incident" hidden=move || current.get() != View::NewIncident>
            <NewIncidentForm connection=new_incident_connection/>
        </div>
        <Show when=move || current.get() == View::MyIncidents>
            <div role="tabpanel" aria-label="My incidents">
                <MyIncidents connection=connection.clone()/>
            </div>
        </Show>
    }
}
