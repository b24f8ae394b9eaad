//! The connect form: instance address and credentials, tested against the instance before saving.

use flare_core::auth::Credentials;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::api::{self, AppError, Connection};
use crate::browser::PlatformHandle;
use crate::i18n::Messages;
use crate::storage::CONNECT_DRAFT_KEY;
use crate::ui::draft::keep_draft;
use crate::ui::errors::describe;

/// What the user typed into the connect form, so a popup closed half-way keeps it; dropped once
/// the connection is saved. Never the password: it is stored only inside a tested connection.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ConnectDraft {
    /// The instance address as typed.
    pub instance: String,
    /// The user name as typed.
    pub username: String,
}

/// What the user asked for: only test, or test and then save.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Intent {
    Test,
    Save,
}

/// Collects the instance address, user name and password; saves them only once they work.
#[component]
pub fn ConnectForm(
    /// Called with the connection once it is tested and saved.
    #[prop(into)]
    on_connected: Callback<Connection>,
) -> impl IntoView {
    let platform = expect_context::<PlatformHandle>();
    let messages = expect_context::<Messages>();
    let instance = RwSignal::new(String::new());
    let username = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let current_draft = move || ConnectDraft {
        instance: instance.get(),
        username: username.get(),
    };
    let draft_ready = keep_draft(
        platform.clone(),
        CONNECT_DRAFT_KEY,
        current_draft,
        move |saved: Option<ConnectDraft>| async move {
            if let Some(draft) = saved {
                instance.set(draft.instance);
                username.set(draft.username);
            }
        },
    );

    let connect = Action::new_unsync(
        move |(intent, instance, credentials): &(Intent, String, Credentials)| {
            let (platform, intent, instance, credentials) = (
                platform.clone(),
                *intent,
                instance.clone(),
                credentials.clone(),
            );
            async move {
                let connection = api::test_connection(&platform, &instance, credentials).await?;
                if intent == Intent::Save {
                    api::save_connection(&platform, &connection).await?;
                    let _ = platform.remove(CONNECT_DRAFT_KEY).await;
                    on_connected.run(connection.clone());
                }
                Ok::<_, AppError>((intent, connection))
            }
        },
    );
    let run = move |intent: Intent| {
        let credentials = Credentials::Basic {
            username: username.get_untracked().trim().to_owned(),
            password: password.get_untracked(),
        };
        connect.dispatch((intent, instance.get_untracked(), credentials));
    };
    let outcome_messages = messages.clone();
    let outcome = move || match connect.value().get() {
        Some(Ok((_, connection))) => Some(
            view! {
                <p role="status" class="success">
                    {outcome_messages.format(
                        "connect_works",
                        &[connection.instance.host(), &connection.user.name],
                    )}
                </p>
            }
            .into_any(),
        ),
        Some(Err(error)) => Some(
            view! { <p role="alert" class="error">{describe(&error, &outcome_messages)}</p> }
                .into_any(),
        ),
        None => None,
    };
    let checking = messages.text("connect_checking");
    view! {
        <form
            class="connect"
            on:submit=move |event| {
                event.prevent_default();
                run(Intent::Save);
            }
        >
            <h2>{messages.text("connect_heading")}</h2>
            // Nothing can be typed before the draft is in, or it would be overwritten.
            <fieldset disabled=move || !draft_ready.get()>
                <label>
                    {messages.text("connect_instance_label")}
                    <input type="text" name="instance" placeholder=messages.text("connect_instance_placeholder") autocomplete="url" required bind:value=instance/>
                </label>
                <label>
                    {messages.text("connect_username_label")}
                    <input type="text" name="username" autocomplete="username" required bind:value=username/>
                </label>
                <label>
                    {messages.text("connect_password_label")}
                    <input type="password" name="password" autocomplete="current-password" required bind:value=password/>
                </label>
                <div class="actions">
                    <button type="button" disabled=move || connect.pending().get() on:click=move |_| run(Intent::Test)>
                        {messages.text("connect_test")}
                    </button>
                    <button type="submit" class="primary" disabled=move || connect.pending().get()>
                        {messages.text("connect_save")}
                    </button>
                </div>
            </fieldset>
            <div aria-live="polite">
                {move || connect.pending().get().then(|| view! { <p role="status">{checking.clone()}</p> })}
                {outcome}
            </div>
        </form>
    }
}
