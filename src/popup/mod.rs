//! The toolbar popup: connect to a ServiceNow instance or a Zendesk account, file an incident or
//! ticket; a tab opens the list of my incidents or tickets (`tickets.html`, in the full pages'
//! wasm).

pub(crate) mod connect;
mod new_incident;
mod queued;

use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api::{self, Connection};
use crate::browser::PlatformHandle;
use crate::i18n::Messages;
use crate::messages::WorkerRequest;
use crate::popup::connect::ConnectForm;
use crate::popup::new_incident::NewIncidentForm;
use crate::popup::queued::{OutboxChanged, QueuedReports};
use crate::ui::appearance::follow_saved_appearance;
use crate::ui::errors::describe;
use crate::ui::rich_text::rich_text;
use crate::ui::sign_in::prepare_first_sign_in;
use crate::ui::view_tabs::{view_label, View, ViewTabs};

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
    follow_saved_appearance(&platform);
    let connection = RwSignal::new(None::<Connection>);
    // Adding a further connection shows the connect form over the current one.
    let adding = RwSignal::new(false);
    let (loaded, set_loaded) = signal(false);
    let (load_error, set_load_error) = signal(None::<String>);
    let language = messages.language();
    let loading = messages.text("popup_loading");
    let brand = messages.text("extension_name");
    let settings_label = messages.text("popup_settings");
    let settings_platform = platform.clone();
    let open_settings = move |_| {
        let platform = settings_platform.clone();
        // The popup closes when the options tab opens; nothing here to wait for.
        spawn_local(async move {
            let _ = platform.open_options_page().await;
        });
    };
    // Says which connection the organisation set up, while nothing is signed in yet.
    let (deployed_intro, set_deployed_intro) = signal(None::<String>);
    spawn_local(async move {
        match api::load_connection(&platform).await {
            Ok(Some(saved)) => {
                // The badge and the list should say what changed up to now: the worker looks
                // (its answer is not waited for; it sets the badge itself).
                let sync = platform.ask_worker(WorkerRequest::Sync);
                spawn_local(async move {
                    let _ = sync.await;
                });
                // A further connection whose attempt the browser's permission prompt cut short
                // goes on where it was, over the saved ones.
                adding.set(connect::has_pending_attempt(&platform).await);
                connection.set(Some(saved));
            }
            Ok(None) => {
                let deployed = prepare_first_sign_in(&platform).await.ok().flatten();
                set_deployed_intro
                    .set(deployed.map(|name| messages.format("popup_managed_intro", &[&name])));
            }
            Err(error) => set_load_error.set(Some(describe(&error, &messages))),
        }
        set_loaded.set(true);
    });
    let deployed_intro = move || {
        let intro = deployed_intro.get()?;
        connection
            .with(Option::is_none)
            .then(|| view! { <p class="intro">{intro}</p> })
    };
    view! {
        <main class="popup" lang=language>
            <header class="brand">
                <h1>{brand}</h1>
                <button type="button" class="link" on:click=open_settings>
                    {settings_label}
                </button>
            </header>
            {move || load_error.get().map(|message| view! { <p role="alert" class="error">{message}</p> })}
            <Show when=move || loaded.get() fallback=move || view! { <p role="status">{loading.clone()}</p> }>
                {move || match (connection.get(), adding.get()) {
                    (None, _) | (Some(_), true) => view! {
                        {deployed_intro}
                        <ConnectForm
                            on_connected=move |saved| {
                                connection.set(Some(saved));
                                adding.set(false);
                            }
                            on_cancel=Callback::new(move |_| adding.set(false))
                            cancellable=adding.get()
                        />
                    }
                    .into_any(),
                    (Some(saved), false) => view! {
                        <Connected
                            connection=saved
                            on_switch=move |next| connection.set(next)
                            on_add=move || adding.set(true)
                        />
                    }
                    .into_any(),
                }}
            </Show>
        </main>
    }
}

/// The report form of a saved connection (the list is a page of its own, behind a tab), with a
/// way to switch to another connection, add one or disconnect.
#[component]
fn Connected(
    /// The saved connection.
    connection: Connection,
    /// Called with the connection to show next: another one chosen, or after a disconnect the
    /// next one left (`None` when none is).
    #[prop(into)]
    on_switch: Callback<Option<Connection>>,
    /// Called when the user wants to add a connection.
    #[prop(into)]
    on_add: Callback<()>,
) -> impl IntoView {
    let platform = expect_context::<PlatformHandle>();
    let messages = expect_context::<Messages>();
    let host = connection.host().to_owned();
    let user_name = connection.user_display_name().to_owned();
    let disconnect = Action::new_unsync(move |_: &()| {
        let platform = platform.clone();
        async move {
            // Forgetting can only fail if storage is broken; the user still wants to leave.
            let next = api::forget_connection(&platform).await.ok().flatten();
            on_switch.run(next);
        }
    });
    let switcher_platform = expect_context::<PlatformHandle>();
    let saved = LocalResource::new(move || {
        let platform = switcher_platform.clone();
        async move { api::saved_connections(&platform).await.unwrap_or_default() }
    });
    let choose_platform = expect_context::<PlatformHandle>();
    let choose = Action::new_unsync(move |id: &String| {
        let (platform, id) = (choose_platform.clone(), id.clone());
        async move {
            if let Ok(Some(chosen)) = api::use_connection(&platform, &id).await {
                on_switch.run(Some(chosen));
            }
        }
    });
    let connection_label = messages.text("account_connection_label");
    // Only with a choice to make: one connection needs no switcher.
    let switcher = move || {
        let saved = saved.get()?;
        (saved.connections.len() > 1).then(|| {
            let current_id = saved.default_connection().map(|current| current.id.clone());
            let options = saved
                .connections
                .iter()
                .map(|option| {
                    let selected = Some(&option.id) == current_id.as_ref();
                    view! { <option value=option.id.clone() selected=selected>{option.name.clone()}</option> }
                })
                .collect_view();
            view! {
                <p class="switcher">
                    <label for="connection-switcher">{connection_label.clone()}</label>
                    <select
                        id="connection-switcher"
                        name="connection"
                        on:change:target=move |event| {
                            choose.dispatch(event.target().value());
                        }
                    >
                        {options}
                    </select>
                </p>
            }
        })
    };
    // A second click before the button shows as disabled must not disconnect twice: the first
    // one disposes this view and the callback with it.
    let on_disconnect_click = move |_| {
        if !disconnect.pending().get_untracked() {
            disconnect.dispatch(());
        }
    };
    provide_context(OutboxChanged(RwSignal::new(0)));
    let filing = RwSignal::new(false);
    let new_incident_connection = connection.clone();
    let queued_connection = connection.clone();
    let provider = connection.provider();
    let new_incident_label = view_label(View::Report, provider, &messages);
    let signed_in = rich_text(messages.pieces("account_signed_in"), |arg_idx| {
        let value = match arg_idx {
            0 => host.clone(),
            _ => user_name.clone(),
        };
        view! { <strong>{value}</strong> }.into_any()
    });
    view! {
        {switcher}
        <p class="account">
            <span>{signed_in}</span>
            <button type="button" class="link" on:click=move |_| on_add.run(())>
                {messages.text("account_add")}
            </button>
            <button type="button" class="link" disabled=move || disconnect.pending().get() on:click=on_disconnect_click>
                {messages.text("account_disconnect")}
            </button>
        </p>
        <QueuedReports connection=queued_connection/>
        // Leaving for the list while a report is filed would leave its draft behind, to be
        // filed again; the tab waits for the outcome.
        <ViewTabs current=View::Report provider busy=filing/>
        <div role="tabpanel" aria-label=new_incident_label>
            <NewIncidentForm connection=new_incident_connection filing/>
        </div>
    }
}
