//! The connections: each with its name, instance and user; renamed, made the default, tested,
//! signed out of or removed here, and new ones added with the same form the popup uses. Those the
//! organisation deployed are marked, and cannot be removed.

use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api::{self, Connection, Provider, SignInPreset};
use crate::browser::document::focus_element;
use crate::browser::PlatformHandle;
use crate::i18n::Messages;
use crate::options::Connections;
use crate::popup::connect::ConnectForm;
use crate::ui::errors::describe_for;
use crate::ui::sign_in::prefill_connect_form;

/// What the connect form below the list is for.
#[derive(Clone, PartialEq, Eq)]
enum Adding {
    Nothing,
    /// A connection of the user's own.
    New,
    /// Signing in (again) to the named connection; the form starts from where and how.
    SignIn(String),
}

/// A connection that is there but not signed in: signed out of, or deployed and not yet used.
#[derive(Clone, PartialEq)]
struct Waiting {
    /// The signed-out connection's id; `None` for a deployed one, which cannot be removed.
    signed_out_id: Option<String>,
    name: String,
    sign_in: SignInPreset,
}

/// Every saved connection, and adding one.
#[component]
pub(crate) fn ConnectionsSection() -> impl IntoView {
    let platform = expect_context::<PlatformHandle>();
    let messages = expect_context::<Messages>();
    let Connections { saved, managed } = expect_context::<Connections>();
    let adding = RwSignal::new(Adding::Nothing);
    let ids = move || {
        saved.with(|saved| {
            saved.as_ref().map_or_else(Vec::new, |saved| {
                saved
                    .connections
                    .iter()
                    .map(|connection| connection.id.clone())
                    .collect()
            })
        })
    };
    let waiting = move || {
        saved.with(|saved| {
            let Some(saved) = saved else {
                return Vec::new();
            };
            let signed_out = saved.signed_out.iter().map(|signed_out| Waiting {
                signed_out_id: Some(signed_out.id.clone()),
                name: signed_out.name.clone(),
                sign_in: signed_out.sign_in.clone(),
            });
            let deployed = managed.with(|managed| {
                managed
                    .waiting_for_sign_in(saved)
                    .into_iter()
                    .map(|deployed| Waiting {
                        signed_out_id: None,
                        name: deployed.name.clone(),
                        sign_in: deployed.sign_in_preset(),
                    })
                    .collect::<Vec<_>>()
            });
            deployed.into_iter().chain(signed_out).collect::<Vec<_>>()
        })
    };
    let none_yet = move || {
        saved.with(|saved| {
            saved
                .as_ref()
                .is_some_and(|saved| saved.connections.is_empty())
        }) && waiting().is_empty()
    };
    let connected = move |_: Connection| {
        adding.set(Adding::Nothing);
        let platform = platform.clone();
        spawn_local(async move {
            if let Ok(reloaded) = api::saved_connections(&platform).await {
                saved.set(Some(reloaded));
            }
        });
    };
    let empty = messages.text("options_no_connections");
    let add_messages = messages.clone();
    let add_label = messages.text("account_add");
    view! {
        <section id="connections" aria-labelledby="connections-heading">
            <h2 id="connections-heading">{messages.text("options_connections_heading")}</h2>
            {move || none_yet().then(|| view! { <p class="empty">{empty.clone()}</p> })}
            <ul class="connections">
                <For each=ids key=|id| id.clone() let:id>
                    <ConnectionCard id/>
                </For>
                <For each=waiting key=|waiting| waiting.name.clone() let:waiting>
                    <WaitingCard waiting adding/>
                </For>
            </ul>
            {move || {
                let heading = match adding.get() {
                    Adding::Nothing => {
                        return view! {
                            <button type="button" on:click=move |_| adding.set(Adding::New)>{add_label.clone()}</button>
                        }
                        .into_any();
                    }
                    Adding::New => add_messages.text("options_add_connection_heading"),
                    Adding::SignIn(name) => add_messages.format("options_sign_in_heading", &[&name]),
                };
                view! {
                    <div class="add-connection">
                        <h3>{heading}</h3>
                        <ConnectForm
                            on_connected=connected.clone()
                            on_cancel=Callback::new(move |_| adding.set(Adding::Nothing))
                            cancellable=true
                        />
                    </div>
                }
                .into_any()
            }}
        </section>
    }
}

/// A connection to sign in to: deployed by the organisation, or signed out of.
#[component]
fn WaitingCard(waiting: Waiting, adding: RwSignal<Adding>) -> impl IntoView {
    let platform = expect_context::<PlatformHandle>();
    let messages = expect_context::<Messages>();
    let Connections { saved, .. } = expect_context::<Connections>();
    let Waiting {
        signed_out_id,
        name,
        sign_in,
    } = waiting;
    let host = sign_in.instance.host().to_owned();
    let heading_id = format!("waiting-{host}");
    let (state, badge) = match signed_out_id {
        Some(_) => (
            messages.format("options_connection_signed_out", &[&host]),
            None,
        ),
        None => (
            messages.format("options_connection_deployed_waiting", &[&host]),
            Some(messages.text("options_connection_managed")),
        ),
    };
    let sign_in_platform = platform.clone();
    let sign_in_name = name.clone();
    let start_sign_in = move |_| {
        let (platform, name, preset) = (
            sign_in_platform.clone(),
            sign_in_name.clone(),
            sign_in.clone(),
        );
        spawn_local(async move {
            let _ = prefill_connect_form(&platform, &preset).await;
            adding.set(Adding::SignIn(name));
        });
    };
    let remove = signed_out_id.map(|id| {
        let platform = platform.clone();
        let label = messages.text("options_connection_remove");
        let remove = move |_| {
            let (platform, id) = (platform.clone(), id.clone());
            spawn_local(async move {
                if let Ok(left) = api::remove_connection(&platform, &id).await {
                    saved.set(Some(left));
                }
            });
        };
        view! { <button type="button" on:click=remove>{label}</button> }
    });
    view! {
        <li>
            <article class="connection waiting" aria-labelledby=heading_id.clone()>
                <div class="connection-head">
                    <h3 id=heading_id.clone()>{name}</h3>
                    {badge.map(|badge| view! { <span class="badge">{badge}</span> })}
                </div>
                <p class="meta">{state}</p>
                <div class="actions start">
                    <button type="button" class="primary" on:click=start_sign_in>{messages.text("options_connection_sign_in")}</button>
                    {remove}
                </div>
            </article>
        </li>
    }
}

/// What a connection card is doing besides showing the connection.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Editing {
    Nothing,
    Name,
    Removal,
}

/// One connection, with what can be done to it.
#[component]
fn ConnectionCard(
    /// The saved connection's id.
    id: String,
) -> impl IntoView {
    let platform = expect_context::<PlatformHandle>();
    let messages = expect_context::<Messages>();
    let Connections { saved, managed } = expect_context::<Connections>();
    let entry = {
        let id = id.clone();
        move || saved.with(|saved| saved.as_ref().and_then(|saved| saved.find(&id).cloned()))
    };
    let is_default = {
        let id = id.clone();
        Memo::new(move |_| {
            saved.with(|saved| {
                saved
                    .as_ref()
                    .and_then(|saved| saved.default_connection())
                    .is_some_and(|default| default.id == id)
            })
        })
    };
    let name = {
        let entry = entry.clone();
        Memo::new(move |_| entry().map(|entry| entry.name).unwrap_or_default())
    };
    // Deployed by the organisation: named by it, and kept; signing out is all the user may do.
    let is_managed = {
        let entry = entry.clone();
        Memo::new(move |_| {
            entry().is_some_and(|entry| {
                managed.with(|managed| managed.deployed_as(&entry.connection).is_some())
            })
        })
    };
    let provider = {
        let entry = entry.clone();
        move || entry().map_or_else(Provider::default, |entry| entry.connection.provider())
    };
    let editing = RwSignal::new(Editing::Nothing);
    let new_name = RwSignal::new(String::new());

    let check_platform = platform.clone();
    let check = Action::new_unsync(move |connection: &Connection| {
        let (platform, connection) = (check_platform.clone(), connection.clone());
        async move { api::check_connection(&platform, &connection).await }
    });
    let rename_platform = platform.clone();
    let rename_id = id.clone();
    let rename = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        let (platform, id, name) = (
            rename_platform.clone(),
            rename_id.clone(),
            new_name.get_untracked(),
        );
        editing.set(Editing::Nothing);
        spawn_local(async move {
            if let Ok(renamed) = api::rename_connection(&platform, &id, &name).await {
                saved.set(Some(renamed));
            }
        });
    };
    let default_platform = platform.clone();
    let default_id = id.clone();
    let make_default = move |_| {
        let (platform, id) = (default_platform.clone(), default_id.clone());
        spawn_local(async move {
            if let Ok(Some(_)) = api::use_connection(&platform, &id).await {
                saved.update(|saved| {
                    if let Some(saved) = saved {
                        saved.default_id = Some(id);
                    }
                });
            }
        });
    };
    let sign_out_platform = platform.clone();
    let sign_out_id = id.clone();
    let sign_out = move |_| {
        let (platform, id) = (sign_out_platform.clone(), sign_out_id.clone());
        let deployed = is_managed.get_untracked();
        spawn_local(async move {
            // A deployed connection stays listed by the policy; nothing of it need be kept.
            let left = match deployed {
                true => api::remove_connection(&platform, &id).await,
                false => api::sign_out_connection(&platform, &id).await,
            };
            if let Ok(left) = left {
                saved.set(Some(left));
            }
        });
    };
    let remove_platform = platform.clone();
    let remove_id = id.clone();
    let remove = move |_| {
        let (platform, id) = (remove_platform.clone(), remove_id.clone());
        spawn_local(async move {
            if let Ok(left) = api::remove_connection(&platform, &id).await {
                saved.set(Some(left));
            }
        });
    };

    let heading_id = format!("connection-{id}");
    let name_input_id = format!("connection-name-{id}");
    let name_input_id_focus = name_input_id.clone();
    let details_messages = messages.clone();
    let details = {
        let entry = entry.clone();
        move || {
            entry().map(|entry| {
                details_messages.format(
                    "options_connection_details",
                    &[
                        entry.connection.host(),
                        entry.connection.user_display_name(),
                    ],
                )
            })
        }
    };
    let check_messages = messages.clone();
    let check_outcome = move || {
        match check.value().get() {
        Some(Ok(user)) => view! {
            <p role="status" class="success">{check_messages.format("options_connection_works", &[&user])}</p>
        }
        .into_any(),
        Some(Err(error)) => view! {
            <p role="alert" class="error">{describe_for(&error, provider(), &check_messages)}</p>
        }
        .into_any(),
        None => ().into_any(),
    }
    };
    let checking = messages.text("options_connection_checking");
    let default_badge = messages.text("options_connection_default");
    let managed_badge = messages.text("options_connection_managed");
    let actions_messages = messages.clone();
    let actions = move || {
        let messages = actions_messages.clone();
        let focus_id = name_input_id_focus.clone();
        match editing.get() {
            Editing::Name => view! {
                <form class="rename" on:submit=rename.clone()>
                    <label for=name_input_id.clone()>{messages.text("options_connection_name_label")}</label>
                    <input id=name_input_id.clone() type="text" maxlength="80" bind:value=new_name/>
                    <div class="actions">
                        <button type="button" on:click=move |_| editing.set(Editing::Nothing)>{messages.text("options_cancel")}</button>
                        <button type="submit" class="primary">{messages.text("options_connection_save_name")}</button>
                    </div>
                </form>
            }
            .into_any(),
            Editing::Removal => view! {
                <div class="confirm" role="group" aria-label=messages.text("options_connection_remove")>
                    <p>{messages.format("options_connection_remove_confirm", &[&name.get()])}</p>
                    <div class="actions">
                        <button type="button" on:click=move |_| editing.set(Editing::Nothing)>{messages.text("options_connection_keep")}</button>
                        <button type="button" class="danger" on:click=remove.clone()>{messages.text("options_connection_remove")}</button>
                    </div>
                </div>
            }
            .into_any(),
            Editing::Nothing => {
                let entry = entry.clone();
                view! {
                    <div class="actions start">
                        {(!is_managed.get()).then(|| view! {
                            <button type="button" on:click=move |_| {
                                new_name.set(name.get_untracked());
                                editing.set(Editing::Name);
                                // The field is there once this handler returns and the view runs.
                                let field = focus_id.clone();
                                request_animation_frame(move || focus_element(&field));
                            }>{messages.text("options_connection_rename")}</button>
                        })}
                        {(!is_default.get()).then(|| view! {
                            <button type="button" on:click=make_default.clone()>{messages.text("options_connection_make_default")}</button>
                        })}
                        <button type="button" disabled=move || check.pending().get() on:click=move |_| {
                            if let Some(entry) = entry() {
                                check.dispatch(entry.connection);
                            }
                        }>{messages.text("options_connection_check")}</button>
                        <button type="button" on:click=sign_out.clone()>{messages.text("options_connection_sign_out")}</button>
                        {(!is_managed.get()).then(|| view! {
                            <button type="button" on:click=move |_| editing.set(Editing::Removal)>{messages.text("options_connection_remove")}</button>
                        })}
                    </div>
                }
                .into_any()
            }
        }
    };
    view! {
        <li>
            <article class="connection" aria-labelledby=heading_id.clone()>
                <div class="connection-head">
                    <h3 id=heading_id.clone()>{name}</h3>
                    {move || is_default.get().then(|| view! { <span class="badge">{default_badge.clone()}</span> })}
                    {move || is_managed.get().then(|| view! { <span class="badge">{managed_badge.clone()}</span> })}
                </div>
                <p class="meta">{details}</p>
                {actions}
                <div aria-live="polite">
                    {move || check.pending().get().then(|| view! { <p role="status">{checking.clone()}</p> })}
                    {check_outcome}
                </div>
            </article>
        </li>
    }
}
