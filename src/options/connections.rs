//! The connections: each with its name, instance and user; renamed, made the default, tested or
//! removed here, and new ones added with the same form the popup uses.

use leptos::html;
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api::{self, Connection};
use crate::browser::PlatformHandle;
use crate::i18n::Messages;
use crate::options::Connections;
use crate::popup::connect::ConnectForm;
use crate::ui::errors::describe;

/// Every saved connection, and adding one.
#[component]
pub(crate) fn ConnectionsSection() -> impl IntoView {
    let platform = expect_context::<PlatformHandle>();
    let messages = expect_context::<Messages>();
    let Connections(saved) = expect_context::<Connections>();
    let adding = RwSignal::new(false);
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
    let none_yet = move || {
        saved.with(|saved| {
            saved
                .as_ref()
                .is_some_and(|saved| saved.connections.is_empty())
        })
    };
    let connected = move |_: Connection| {
        adding.set(false);
        let platform = platform.clone();
        spawn_local(async move {
            if let Ok(reloaded) = api::saved_connections(&platform).await {
                saved.set(Some(reloaded));
            }
        });
    };
    let empty = messages.text("options_no_connections");
    let add_heading = messages.text("options_add_connection_heading");
    let add_label = messages.text("account_add");
    view! {
        <section id="connections" aria-labelledby="connections-heading">
            <h2 id="connections-heading">{messages.text("options_connections_heading")}</h2>
            {move || none_yet().then(|| view! { <p class="empty">{empty.clone()}</p> })}
            <ul class="connections">
                <For each=ids key=|id| id.clone() let:id>
                    <ConnectionCard id/>
                </For>
            </ul>
            {move || match adding.get() {
                true => view! {
                    <div class="add-connection">
                        <h3>{add_heading.clone()}</h3>
                        <ConnectForm
                            on_connected=connected.clone()
                            on_cancel=Callback::new(move |_| adding.set(false))
                            cancellable=true
                        />
                    </div>
                }
                .into_any(),
                false => view! {
                    <button type="button" on:click=move |_| adding.set(true)>{add_label.clone()}</button>
                }
                .into_any(),
            }}
        </section>
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
    let Connections(saved) = expect_context::<Connections>();
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
    let editing = RwSignal::new(Editing::Nothing);
    let new_name = RwSignal::new(String::new());
    let name_input = NodeRef::<html::Input>::new();
    name_input.on_load(|input| {
        let _ = input.focus();
    });

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
            <p role="alert" class="error">{describe(&error, &check_messages)}</p>
        }
        .into_any(),
        None => ().into_any(),
    }
    };
    let checking = messages.text("options_connection_checking");
    let default_badge = messages.text("options_connection_default");
    let actions_messages = messages.clone();
    let actions = move || {
        let messages = actions_messages.clone();
        match editing.get() {
            Editing::Name => view! {
                <form class="rename" on:submit=rename.clone()>
                    <label for=name_input_id.clone()>{messages.text("options_connection_name_label")}</label>
                    <input id=name_input_id.clone() type="text" maxlength="80" node_ref=name_input bind:value=new_name/>
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
                        <button type="button" on:click=move |_| {
                            new_name.set(name.get_untracked());
                            editing.set(Editing::Name);
                        }>{messages.text("options_connection_rename")}</button>
                        {(!is_default.get()).then(|| view! {
                            <button type="button" on:click=make_default.clone()>{messages.text("options_connection_make_default")}</button>
                        })}
                        <button type="button" disabled=move || check.pending().get() on:click=move |_| {
                            if let Some(entry) = entry() {
                                check.dispatch(entry.connection);
                            }
                        }>{messages.text("options_connection_check")}</button>
                        <button type="button" on:click=move |_| editing.set(Editing::Removal)>{messages.text("options_connection_remove")}</button>
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
