//! The connect form: which service desk, its address and how to sign in, tested before saving.
//! A failure shows next to the field it concerns, and the focus moves there.

use flare_core::auth::Credentials;
use flare_core::providers::zendesk::api_token_credentials;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::api::{self, AppError, Connection, Provider, SignInMethod};
use crate::browser::document::focus_element;
use crate::browser::PlatformHandle;
use crate::i18n::Messages;
use crate::storage::CONNECT_DRAFT_KEY;
use crate::ui::draft::keep_draft;
use crate::ui::errors::{connect_error, ConnectError, ConnectField};

/// What the user typed into the connect form, so a popup closed half-way keeps it; dropped once
/// the connection is saved. Never the password, the API token or the client secret: secrets are
/// stored only inside a tested connection.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ConnectDraft {
    /// The service desk chosen.
    #[serde(default)]
    pub provider: Provider,
    /// The instance or account address as typed.
    pub instance: String,
    /// How the user signs in.
    #[serde(default)]
    pub method: SignInMethod,
    /// The ServiceNow user name as typed.
    pub username: String,
    /// The Zendesk e-mail address as typed.
    #[serde(default)]
    pub email: String,
    /// The OAuth client id as typed.
    #[serde(default)]
    pub client_id: String,
}

/// What the user asked for: only test, or test and then save.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Intent {
    Test,
    Save,
}

/// One try to connect, as the form was when the user pressed the button.
#[derive(Clone)]
struct Attempt {
    intent: Intent,
    provider: Provider,
    method: SignInMethod,
    instance: String,
    sign_in: SignIn,
}

#[derive(Clone)]
enum SignIn {
    Credentials(Credentials),
    OAuth {
        client_id: String,
        client_secret: String,
    },
}

/// A try that failed, with what it was a try of: where the failure shows depends on it.
#[derive(Clone)]
struct Failure {
    provider: Provider,
    method: SignInMethod,
    error: AppError,
}

/// The ids of the fields a failure can concern, for the focus and `aria-describedby`.
const ADDRESS_ID: &str = "connect-address";
const USERNAME_ID: &str = "connect-username";
const EMAIL_ID: &str = "connect-email";
const CLIENT_ID_ID: &str = "connect-client-id";
const ADDRESS_ERROR_ID: &str = "connect-address-error";
const CREDENTIALS_ERROR_ID: &str = "connect-credentials-error";

/// Collects the service desk, its address and how to sign in; saves them only once they work.
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
    let provider = RwSignal::new(Provider::default());
    let instance = RwSignal::new(String::new());
    // As chosen; a choice the service desk does not offer means its counterpart there.
    let chosen_method = RwSignal::new(SignInMethod::default());
    let method = Memo::new(move |_| chosen_method.get().offered_by(provider.get()));
    let username = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let email = RwSignal::new(String::new());
    let api_token = RwSignal::new(String::new());
    let client_id = RwSignal::new(String::new());
    let client_secret = RwSignal::new(String::new());
    let current_draft = move || ConnectDraft {
        provider: provider.get(),
        instance: instance.get(),
        method: method.get(),
        username: username.get(),
        email: email.get(),
        client_id: client_id.get(),
    };
    let draft_ready = keep_draft(
        platform.clone(),
        CONNECT_DRAFT_KEY,
        current_draft,
        move |saved: Option<ConnectDraft>| async move {
            if let Some(draft) = saved {
                provider.set(draft.provider);
                instance.set(draft.instance);
                chosen_method.set(draft.method);
                username.set(draft.username);
                email.set(draft.email);
                client_id.set(draft.client_id);
            }
        },
    );

    let connect = Action::new_unsync(move |attempt: &Attempt| {
        let (platform, attempt) = (platform.clone(), attempt.clone());
        async move {
            let (provider, method) = (attempt.provider, attempt.method);
            try_connect(&platform, attempt, on_connected)
                .await
                .map_err(|error| Failure {
                    provider,
                    method,
                    error,
                })
        }
    });
    let uses_oauth = move || method.get() == SignInMethod::OAuth;
    let run = move |intent: Intent| {
        let sign_in = match method.get_untracked() {
            SignInMethod::Password => SignIn::Credentials(Credentials::Basic {
                username: username.get_untracked().trim().to_owned(),
                password: password.get_untracked(),
            }),
            SignInMethod::ApiToken => SignIn::Credentials(api_token_credentials(
                email.get_untracked().trim(),
                api_token.get_untracked().trim(),
            )),
            SignInMethod::OAuth => SignIn::OAuth {
                client_id: client_id.get_untracked(),
                client_secret: client_secret.get_untracked(),
            },
        };
        connect.dispatch(Attempt {
            intent,
            provider: provider.get_untracked(),
            method: method.get_untracked(),
            instance: instance.get_untracked(),
            sign_in,
        });
    };

    // The failure of the last try, placed on the form, as long as the form still asks for what
    // was tried: after switching service desk or method it no longer concerns what is shown.
    let error_messages = messages.clone();
    let failure = Memo::new(move |_| {
        let Some(Err(failure)) = connect.value().get() else {
            return None;
        };
        let still_shown = failure.provider == provider.get() && failure.method == method.get();
        still_shown.then(|| {
            connect_error(
                &failure.error,
                failure.provider,
                failure.method,
                &error_messages,
            )
        })
    });
    let error_at = move |field: ConnectField| {
        move || {
            failure
                .get()
                .filter(|error| error.field == field)
                .map(|error| error.sentence)
        }
    };
    let invalid = move |field: ConnectField| {
        move || {
            failure
                .get()
                .is_some_and(|error| error.field == field)
                .then_some("true")
        }
    };
    let described_by = move |field: ConnectField, error_id: &'static str| {
        move || {
            failure
                .get()
                .is_some_and(|error| error.field == field)
                .then_some(error_id)
        }
    };
    // After a failed try, the focus goes to the first field in error, once per try.
    Effect::new(move |_| {
        connect.version().get();
        let Some(ConnectError { field, .. }) = failure.get_untracked() else {
            return;
        };
        let target = match (field, method.get_untracked()) {
            (ConnectField::Address, _) => ADDRESS_ID,
            (ConnectField::Credentials, SignInMethod::Password) => USERNAME_ID,
            (ConnectField::Credentials, SignInMethod::ApiToken) => EMAIL_ID,
            (ConnectField::Credentials, SignInMethod::OAuth) => CLIENT_ID_ID,
            (ConnectField::Form, _) => return,
        };
        focus_element(target);
    });

    let outcome_messages = messages.clone();
    let outcome = move || match connect.value().get() {
        Some(Ok(connection)) => Some(view! {
            <p role="status" class="success">
                {outcome_messages.format(
                    "connect_works",
                    &[connection.host(), connection.user_display_name()],
                )}
            </p>
        }),
        _ => None,
    };
    let form_error = move || {
        error_at(ConnectField::Form)()
            .map(|sentence| view! { <p role="alert" class="error">{sentence}</p> })
    };
    let pending_messages = messages.clone();
    let pending = move || {
        let attempt = connect.input().get()?;
        let words = match attempt.method {
            SignInMethod::OAuth => {
                pending_messages.format("connect_signing_in", &[attempt.provider.name()])
            }
            SignInMethod::Password | SignInMethod::ApiToken => {
                pending_messages.text("connect_checking")
            }
        };
        Some(view! { <p role="status">{words}</p> })
    };
    let busy = move || connect.pending().get();

    let heading_messages = messages.clone();
    let heading = move || match provider.get() {
        Provider::ServiceNow => heading_messages.text("connect_heading"),
        Provider::Zendesk => heading_messages.text("connect_heading_zendesk"),
    };
    let address_messages = messages.clone();
    let address_label = move || match provider.get() {
        Provider::ServiceNow => address_messages.text("connect_instance_label"),
        Provider::Zendesk => address_messages.text("connect_zendesk_address_label"),
    };
    let placeholder_messages = messages.clone();
    let address_placeholder = move || match provider.get() {
        Provider::ServiceNow => placeholder_messages.text("connect_instance_placeholder"),
        Provider::Zendesk => placeholder_messages.text("connect_zendesk_address_placeholder"),
    };
    let provider_options = Provider::ALL
        .into_iter()
        .map(|option| {
            let label = match option {
                Provider::ServiceNow => messages.text("connect_provider_servicenow"),
                Provider::Zendesk => messages.text("connect_provider_zendesk"),
            };
            view! { <option value=option.code() selected=move || provider.get() == option>{label}</option> }
        })
        .collect_view();
    let method_messages = messages.clone();
    let method_options = move || {
        let messages = &method_messages;
        let current = provider.get();
        current
            .sign_in_methods()
            .into_iter()
            .map(|option| {
                let label = match (option, current) {
                    (SignInMethod::Password, _) => messages.text("connect_method_password"),
                    (SignInMethod::ApiToken, _) => messages.text("connect_method_api_token"),
                    (SignInMethod::OAuth, Provider::ServiceNow) => {
                        messages.text("connect_method_oauth")
                    }
                    (SignInMethod::OAuth, Provider::Zendesk) => {
                        messages.text("connect_method_oauth_zendesk")
                    }
                };
                view! { <option value=option.code() selected=move || method.get() == option>{label}</option> }
            })
            .collect_view()
    };
    let credentials_error = move || {
        error_at(ConnectField::Credentials)().map(|sentence| {
            view! { <p id=CREDENTIALS_ERROR_ID role="alert" class="error field-error">{sentence}</p> }
        })
    };
    let field_messages = messages.clone();
    // Made again when the method changes; the values live in the signals.
    let credentials_fields = move || {
        let messages = &field_messages;
        let field_invalid = invalid(ConnectField::Credentials);
        let field_described_by = described_by(ConnectField::Credentials, CREDENTIALS_ERROR_ID);
        match method.get() {
            SignInMethod::Password => view! {
                <label>
                    {messages.text("connect_username_label")}
                    <input type="text" id=USERNAME_ID name="username" autocomplete="username" required
                        aria-invalid=field_invalid aria-describedby=field_described_by bind:value=username/>
                </label>
                <label>
                    {messages.text("connect_password_label")}
                    <input type="password" name="password" autocomplete="current-password" required
                        aria-invalid=field_invalid aria-describedby=field_described_by bind:value=password/>
                </label>
                {credentials_error}
            }
            .into_any(),
            SignInMethod::ApiToken => view! {
                <label>
                    {messages.text("connect_email_label")}
                    <input type="email" id=EMAIL_ID name="email" autocomplete="email" required
                        aria-invalid=field_invalid aria-describedby=field_described_by bind:value=email/>
                </label>
                <label>
                    {messages.text("connect_api_token_label")}
                    <input type="password" name="api_token" autocomplete="off" required
                        aria-invalid=field_invalid aria-describedby=field_described_by bind:value=api_token/>
                </label>
                {credentials_error}
            }
            .into_any(),
            SignInMethod::OAuth => view! {
                <label>
                    {messages.text("connect_client_id_label")}
                    <input type="text" id=CLIENT_ID_ID name="client_id" autocomplete="off" required
                        aria-invalid=field_invalid aria-describedby=field_described_by bind:value=client_id/>
                </label>
                {credentials_error}
                <label>
                    {messages.text("connect_client_secret_label")}
                    <input type="password" name="client_secret" autocomplete="off" bind:value=client_secret/>
                </label>
            }
            .into_any(),
        }
    };
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
            <h2>{heading}</h2>
            // Nothing can be typed before the draft is in, or it would be overwritten.
            <fieldset disabled=move || !draft_ready.get()>
                // Selects are labelled by `for`, not by wrapping: a wrapping label would add the
                // options' words to the select's accessible name.
                <label for="service-desk">{messages.text("connect_provider_label")}</label>
                <select
                    id="service-desk"
                    name="provider"
                    prop:value=move || provider.get().code()
                    on:change:target=move |event| provider.set(Provider::from_code(&event.target().value()))
                >
                    {provider_options}
                </select>
                <label>
                    {address_label}
                    <input type="text" id=ADDRESS_ID name="instance" placeholder=address_placeholder autocomplete="url" required
                        aria-invalid=invalid(ConnectField::Address)
                        aria-describedby=described_by(ConnectField::Address, ADDRESS_ERROR_ID)
                        bind:value=instance/>
                </label>
                {move || error_at(ConnectField::Address)().map(|sentence| view! {
                    <p id=ADDRESS_ERROR_ID role="alert" class="error field-error">{sentence}</p>
                })}
                <label for="sign-in-method">{messages.text("connect_method_label")}</label>
                <select
                    id="sign-in-method"
                    name="method"
                    prop:value=move || method.get().code()
                    on:change:target=move |event| chosen_method.set(SignInMethod::from_code(&event.target().value()))
                >
                    {method_options}
                </select>
                {credentials_fields}
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
                {pending}
                {outcome}
                {form_error}
            </div>
        </form>
    }
}

/// Tests the connection `attempt` describes, and saves it if that was asked for (an OAuth
/// sign-in always saves: the worker does it). The draft is done with once it is saved.
async fn try_connect(
    platform: &PlatformHandle,
    attempt: Attempt,
    on_connected: Callback<Connection>,
) -> Result<Connection, AppError> {
    let (provider, instance) = (attempt.provider, attempt.instance.as_str());
    let connection = match attempt.sign_in {
        SignIn::OAuth {
            client_id,
            client_secret,
        } => {
            api::sign_in_with_oauth(platform, provider, instance, &client_id, &client_secret)
                .await?
        }
        SignIn::Credentials(credentials) => {
            let connection =
                api::test_connection(platform, provider, instance, credentials).await?;
            if attempt.intent == Intent::Test {
                return Ok(connection);
            }
            api::save_connection(platform, &connection).await?;
            connection
        }
    };
    let _ = platform.remove(CONNECT_DRAFT_KEY).await;
    on_connected.run(connection.clone());
    Ok(connection)
}
