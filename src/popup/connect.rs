//! The connect form: which service desk, its address and how to sign in, tested before saving.
//! A failure shows next to the field it concerns, and the focus moves there.
//!
//! What is typed outlives the popup: the fields as a draft in `storage.local`, the secrets in
//! `storage.session`, and a clicked Save or Sign in as a pending attempt (`pending.rs`) that the
//! next popup continues when the browser's permission prompt closed this one.

mod pending;

use flare_core::auth::Credentials;
use flare_core::providers::zendesk::api_token_credentials;
use leptos::prelude::*;
use leptos::task::spawn_local;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::api::{self, AppError, Connection, Provider, SignInMethod};
use crate::browser::document::focus_element;
use crate::browser::{Clock, Permissions, PlatformHandle, SessionStorage, Storage};
use crate::i18n::Messages;
use crate::messages::{WorkerReply, WorkerRequest};
use crate::popup::connect::pending::{ConnectSecrets, NextStep, PendingConnect};
use crate::storage::{CONNECT_DRAFT_KEY, CONNECT_SECRETS_KEY, PENDING_CONNECT_KEY};
use crate::ui::draft::{keep_draft, keep_secrets};
use crate::ui::errors::{connect_error, ConnectError, ConnectField};

/// What the user typed into the connect form, so a popup closed half-way keeps it; dropped once
/// the connection is saved. Never the password, the API token or the client secret: those wait in
/// `storage.session` only (`ConnectSecrets`), and reach `storage.local` only inside a tested
/// connection.
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

/// Whether a try still has to ask for access to the instance.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Access {
    /// Ask the user, while the click that started the try still counts.
    Ask,
    /// Held already: a try continued in a reopened popup, where no click could ask.
    Granted,
}

/// One try to connect, as the form was when the user pressed the button.
#[derive(Clone)]
struct Attempt {
    intent: Intent,
    access: Access,
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

/// What a popup opening on the connect form finds of the one before it.
struct Resumed {
    /// The secrets typed there.
    secrets: ConnectSecrets,
    /// The fields of the attempt it started, which the form shows.
    draft: Option<ConnectDraft>,
    /// That attempt, to go on with now.
    continued: Option<Attempt>,
    /// The host the attempt has no access to yet, when it waits for the user to click again.
    not_granted: Option<String>,
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
    // The host a pending attempt could not reach yet, said until the user clicks again.
    let not_granted = RwSignal::new(None::<String>);
    let current_draft = move || ConnectDraft {
        provider: provider.get(),
        instance: instance.get(),
        method: method.get(),
        username: username.get(),
        email: email.get(),
        client_id: client_id.get(),
    };
    let current_secrets = move || ConnectSecrets {
        password: password.get(),
        api_token: api_token.get(),
        client_secret: client_secret.get(),
    };

    let attempt_platform = platform.clone();
    let connect = Action::new_unsync(move |attempt: &Attempt| {
        let (platform, attempt) = (attempt_platform.clone(), attempt.clone());
        async move {
            let (intent, provider, method) = (attempt.intent, attempt.provider, attempt.method);
            let result = try_connect(&platform, attempt, on_connected).await;
            if intent == Intent::Save && result.is_err() {
                // The user sees how it ended: nothing is left to continue.
                forget_pending(&platform);
            }
            result.map_err(|error| Failure {
                provider,
                method,
                error,
            })
        }
    });

    let restorer = platform.clone();
    let draft_ready = keep_draft(
        platform.clone(),
        CONNECT_DRAFT_KEY,
        current_draft,
        move |saved: Option<ConnectDraft>| async move {
            let resumed = resume(&restorer).await;
            if let Some(draft) = resumed.draft.or(saved) {
                provider.set(draft.provider);
                instance.set(draft.instance);
                chosen_method.set(draft.method);
                username.set(draft.username);
                email.set(draft.email);
                client_id.set(draft.client_id);
            }
            password.set(resumed.secrets.password);
            api_token.set(resumed.secrets.api_token);
            client_secret.set(resumed.secrets.client_secret);
            not_granted.set(resumed.not_granted);
            if let Some(attempt) = resumed.continued {
                connect.dispatch(attempt);
            }
        },
    );
    keep_secrets(
        platform.clone(),
        CONNECT_SECRETS_KEY,
        draft_ready,
        current_secrets,
    );

    let uses_oauth = move || method.get() == SignInMethod::OAuth;
    // Stored, so that `run` stays `Copy` for every button that calls it.
    let run_platform = StoredValue::new(platform.clone());
    let run = move |intent: Intent| {
        not_granted.set(None);
        let (draft, secrets) = (untrack(current_draft), untrack(current_secrets));
        if intent == Intent::Save {
            // Recorded before the attempt starts, with the secrets as they are now (the last
            // keystroke's write may not have run yet): the browser's permission prompt may close
            // the popup, and the next one continues from here. The writes are asked for before
            // the attempt is dispatched, so they are issued first and the permission request is
            // still the first thing the attempt awaits (the click must still count for it).
            let pending = PendingConnect {
                draft: draft.clone(),
                started_at_ms: run_platform.with_value(|platform| platform.now_ms()),
            };
            let pending = serde_json::to_value(&pending).expect("a pending attempt serialises");
            let secrets_now = serde_json::to_value(&secrets).expect("secrets serialise");
            let recorded = run_platform.with_value(|platform| {
                [
                    platform.save_session(CONNECT_SECRETS_KEY, secrets_now),
                    platform.save_session(PENDING_CONNECT_KEY, pending),
                ]
            });
            spawn_local(async move {
                for write in recorded {
                    let _ = write.await;
                }
            });
        }
        connect.dispatch(Attempt::new(intent, Access::Ask, &draft, &secrets));
    };
    let cancel_platform = platform.clone();
    let cancel = move |_| {
        // Giving up ends the attempt and forgets the secrets; the draft stays for the next time.
        forget_pending(&cancel_platform);
        let forgotten = cancel_platform.remove_session(CONNECT_SECRETS_KEY);
        spawn_local(async move {
            let _ = forgotten.await;
        });
        on_cancel.run(());
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
    let not_granted_messages = messages.clone();
    let not_granted_notice = move || {
        let host = not_granted.get()?;
        let button = match uses_oauth() {
            true => not_granted_messages.text("connect_sign_in"),
            false => not_granted_messages.text("connect_save"),
        };
        let words = not_granted_messages.format("connect_not_granted_yet", &[&host, &button]);
        Some(view! { <p role="status">{words}</p> })
    };

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
                        <button type="button" on:click=cancel.clone()>{cancel_label.clone()}</button>
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
                {not_granted_notice}
                {pending}
                {outcome}
                {form_error}
            </div>
        </form>
    }
}

/// Whether a connect attempt that a popup started is still waiting to go on (it may be dropped
/// yet, when access to its instance is not granted).
pub(crate) async fn has_pending_attempt(platform: &PlatformHandle) -> bool {
    let pending = load_session::<PendingConnect>(platform, PENDING_CONNECT_KEY).await;
    // Whether access is held does not matter here: either way the form has something to say.
    pending.is_some_and(|pending| pending.next_step(platform.now_ms(), true) != NextStep::Drop)
}

impl Attempt {
    /// The try that the form's fields and secrets describe.
    fn new(
        intent: Intent,
        access: Access,
        draft: &ConnectDraft,
        secrets: &ConnectSecrets,
    ) -> Attempt {
        let sign_in = match draft.method {
            SignInMethod::Password => SignIn::Credentials(Credentials::Basic {
                username: draft.username.trim().to_owned(),
                password: secrets.password.clone(),
            }),
            SignInMethod::ApiToken => SignIn::Credentials(api_token_credentials(
                draft.email.trim(),
                secrets.api_token.trim(),
            )),
            SignInMethod::OAuth => SignIn::OAuth {
                client_id: draft.client_id.clone(),
                client_secret: secrets.client_secret.clone(),
            },
        };
        Attempt {
            intent,
            access,
            provider: draft.provider,
            method: draft.method,
            instance: draft.instance.clone(),
            sign_in,
        }
    }
}

/// Tests the connection `attempt` describes, and saves it if that was asked for (an OAuth
/// sign-in always saves: the worker does it). The draft, the secrets and the pending attempt are
/// done with once it is saved.
async fn try_connect(
    platform: &PlatformHandle,
    attempt: Attempt,
    on_connected: Callback<Connection>,
) -> Result<Connection, AppError> {
    let provider = attempt.provider;
    // Asking is the first thing awaited after the click, as the permission request must be.
    let instance = match attempt.access {
        Access::Ask => api::allowed_instance(platform, provider, &attempt.instance).await?,
        Access::Granted => provider.parse_address(&attempt.instance)?,
    };
    let connection = match attempt.sign_in {
        SignIn::OAuth {
            client_id,
            client_secret,
        } => {
            // From here the worker signs in and saves; a popup reopened meanwhile must not start
            // the sign-in again.
            forget_pending(platform);
            api::sign_in_with_oauth(
                platform,
                provider,
                &attempt.instance,
                &client_id,
                &client_secret,
            )
            .await?
        }
        SignIn::Credentials(credentials) => {
            let save = attempt.intent != Intent::Test;
            let request = WorkerRequest::TestConnection {
                provider,
                instance,
                credentials,
                save,
            };
            let connection = match platform.ask_worker(request).await? {
                WorkerReply::Tested { connection } => *connection,
                WorkerReply::Failed { error } => return Err(error),
                _ => {
                    return Err(AppError::Browser(
                        "the background worker did not test the connection".to_owned(),
                    ))
                }
            };
            if !save {
                return Ok(connection);
            }
            // The worker saved it. A popup that closed before this point finds the attempt when
            // reopened and asks again, which saves the same connection over itself.
            forget_pending(platform);
            connection
        }
    };
    let _ = platform.remove(CONNECT_DRAFT_KEY).await;
    let _ = platform.remove_session(CONNECT_SECRETS_KEY).await;
    on_connected.run(connection.clone());
    Ok(connection)
}

/// Reads back what the popup before this one left: the secrets typed, and the attempt it started,
/// decided on by whether access to its instance is held now and how old it is.
async fn resume(platform: &PlatformHandle) -> Resumed {
    let secrets = load_session(platform, CONNECT_SECRETS_KEY)
        .await
        .unwrap_or_default();
    let mut resumed = Resumed {
        secrets,
        draft: None,
        continued: None,
        not_granted: None,
    };
    let Some(pending) = load_session::<PendingConnect>(platform, PENDING_CONNECT_KEY).await else {
        return resumed;
    };
    // The form shows the attempt as it was clicked, whatever comes of it.
    resumed.draft = Some(pending.draft.clone());
    // An address that does not parse failed at once, before any prompt: nothing to go on with.
    let Ok(instance) = pending
        .draft
        .provider
        .parse_address(&pending.draft.instance)
    else {
        forget_pending(platform);
        return resumed;
    };
    let granted = platform
        .has_host_permission(&instance.permission_pattern())
        .await
        .unwrap_or(false);
    let step = pending.next_step(platform.now_ms(), granted);
    if step != NextStep::Continue {
        // Said here or dropped, the attempt has ended; a continued one ends with the new try.
        forget_pending(platform);
    }
    match step {
        NextStep::Continue => {
            resumed.continued = Some(Attempt::new(
                Intent::Save,
                Access::Granted,
                &pending.draft,
                &resumed.secrets,
            ));
        }
        NextStep::AskAgain => resumed.not_granted = Some(instance.host().to_owned()),
        NextStep::Drop => {}
    }
    resumed
}

/// The value under `key` in `storage.session`; one that does not parse counts as none.
async fn load_session<T: DeserializeOwned>(platform: &PlatformHandle, key: &str) -> Option<T> {
    let stored = platform.load_session(key).await.ok().flatten()?;
    serde_json::from_value(stored).ok()
}

/// Ends the pending attempt. The removal is asked for now, so it is ordered before whatever the
/// form does next, and not waited for.
fn forget_pending(platform: &PlatformHandle) {
    let forgotten = platform.remove_session(PENDING_CONNECT_KEY);
    spawn_local(async move {
        let _ = forgotten.await;
    });
}
