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
/// the connection is saved. Never the password or the client secret: secrets are stored only
/// inside a tested connection.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ConnectDraft {
    /// The instance address as typed.
    pub instance: String,
    /// How the user signs in.
    #[serde(default)]
    pub method: SignInMethod,
    /// The user name as typed.
    pub username: String,
    /// The OAuth client id as typed.
    #[serde(default)]
    pub client_id: String,
}

/// How Flare signs in to an instance.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SignInMethod {
    /// User name and password (HTTP Basic).
    #[default]
    Password,
    /// The instance's own sign-in page (OAuth authorization code with PKCE), which also covers
    /// multi-factor authentication and single sign-on.
    OAuth,
}

impl SignInMethod {
    fn value(self) -> &'static str {
        match self {
            SignInMethod::Password => "password",
            SignInMethod::OAuth => "oauth",
        }
    }

    fn from_value(value: &str) -> SignInMethod {
        match value {
            "oauth" => SignInMethod::OAuth,
            _ => SignInMethod::Password,
        }
    }
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
    /// Called when the user gives up adding a further connection.
    on_cancel: Callback<()>,
    /// Whether the form offers to cancel: only when another connection is there to go back to.
    #[prop(optional)]
    cancellable: bool,
) -> impl IntoView {
    let platform = expect_context::<PlatformHandle>();
    let messages = expect_context::<Messages>();
    let instance = RwSignal::new(String::new());
    let method = RwSignal::new(SignInMethod::Password);
    let username = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let client_id = RwSignal::new(String::new());
    let client_secret = RwSignal::new(String::new());
    let uses_oauth = move || method.get() == SignInMethod::OAuth;
    let current_draft = move || ConnectDraft {
        instance: instance.get(),
        method: method.get(),
        username: username.get(),
        client_id: client_id.get(),
    };
    let draft_ready = keep_draft(
        platform.clone(),
        CONNECT_DRAFT_KEY,
        current_draft,
        move |saved: Option<ConnectDraft>| async move {
            if let Some(draft) = saved {
                instance.set(draft.instance);
                method.set(draft.method);
                username.set(draft.username);
                client_id.set(draft.client_id);
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
    let oauth_platform = expect_context::<PlatformHandle>();
    let sign_in = Action::new_unsync(
        move |(instance, client_id, secret): &(String, String, String)| {
            let (platform, instance, client_id, secret) = (
                oauth_platform.clone(),
                instance.clone(),
                client_id.clone(),
                secret.clone(),
            );
            async move {
                let connection =
                    api::sign_in_with_oauth(&platform, &instance, &client_id, &secret).await?;
                let _ = platform.remove(CONNECT_DRAFT_KEY).await;
                on_connected.run(connection);
                Ok::<_, AppError>(())
            }
        },
    );
    let busy = move || connect.pending().get() || sign_in.pending().get();
    let run = move |intent: Intent| {
        if uses_oauth() {
            sign_in.dispatch((
                instance.get_untracked(),
                client_id.get_untracked(),
                client_secret.get_untracked(),
            ));
            return;
        }
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
                        &[connection.host(), connection.user_display_name()],
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
    let sign_in_messages = messages.clone();
    let sign_in_failure = move || {
        sign_in.value().get().and_then(Result::err).map(|error| {
            view! { <p role="alert" class="error">{describe(&error, &sign_in_messages)}</p> }
        })
    };
    let checking = messages.text("connect_checking");
    let signing_in = messages.text("connect_signing_in");
    let (password_text, oauth_text) = (
        messages.text("connect_method_password"),
        messages.text("connect_method_oauth"),
    );
    // Shown and hidden with the sign-in method, so each is made again when it shows.
    let username_label = messages.text("connect_username_label");
    let password_label = messages.text("connect_password_label");
    let client_id_label = messages.text("connect_client_id_label");
    let client_secret_label = messages.text("connect_client_secret_label");
    let test_label = messages.text("connect_test");
    let cancel_label = messages.text("connect_cancel");
    let (sign_in_label, save_label) = (
        messages.text("connect_sign_in"),
        messages.text("connect_save"),
    );
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
                // Labelled by `for`, not by wrapping: a wrapping label would add the options' words
                // to the select's accessible name.
                <label for="sign-in-method">{messages.text("connect_method_label")}</label>
                <select
                    id="sign-in-method"
                    name="method"
                    prop:value=move || method.get().value()
                    on:change:target=move |event| method.set(SignInMethod::from_value(&event.target().value()))
                >
                    <option value="password" selected=move || !uses_oauth()>{password_text}</option>
                    <option value="oauth" selected=uses_oauth>{oauth_text}</option>
                </select>
                <Show when=move || !uses_oauth()>
                    <label>
                        {username_label.clone()}
                        <input type="text" name="username" autocomplete="username" required bind:value=username/>
                    </label>
                    <label>
                        {password_label.clone()}
                        <input type="password" name="password" autocomplete="current-password" required bind:value=password/>
                    </label>
                </Show>
                <Show when=uses_oauth>
                    <label>
                        {client_id_label.clone()}
                        <input type="text" name="client_id" autocomplete="off" required bind:value=client_id/>
                    </label>
                    <label>
                        {client_secret_label.clone()}
                        <input type="password" name="client_secret" autocomplete="off" bind:value=client_secret/>
                    </label>
                </Show>
                <div class="actions">
                    <Show when=move || !uses_oauth()>
                        <button type="button" disabled=busy on:click=move |_| run(Intent::Test)>
                            {test_label.clone()}
                        </button>
                    </Show>
                    {cancellable.then(|| view! {
                        <button type="button" on:click=move |_| on_cancel.run(())>{cancel_label.clone()}</button>
                    })}
                    <button type="submit" class="primary" disabled=busy>
                        {move || match uses_oauth() {
                            true => sign_in_label.clone(),
                            false => save_label.clone(),
                        }}
                    </button>
                </div>
            </fieldset>
            <div aria-live="polite">
                {move || connect.pending().get().then(|| view! { <p role="status">{checking.clone()}</p> })}
                {move || sign_in.pending().get().then(|| view! { <p role="status">{signing_in.clone()}</p> })}
                {outcome}
                {sign_in_failure}
            </div>
        </form>
    }
}
