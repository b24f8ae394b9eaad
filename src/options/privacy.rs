//! What a new report may say about the page it is filed from. Console errors are off until the
//! user opts in here: only then does Flare ask for access to pages and have the worker register
//! its capture script; opting out unregisters it and gives the access back.

use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api::AppError;
use crate::browser::{Messaging, Permissions, PlatformHandle};
use crate::i18n::Messages;
use crate::messages::{WorkerReply, WorkerRequest};
use crate::settings::PrivacySettings;
use crate::storage;
use crate::ui::errors::describe;

/// One checkbox per page detail, saved as soon as it changes.
#[component]
pub(crate) fn PrivacySection() -> impl IntoView {
    let platform = expect_context::<PlatformHandle>();
    let messages = expect_context::<Messages>();
    let settings = RwSignal::new(None::<PrivacySettings>);
    let (save_failed, set_save_failed) = signal(false);
    // Why the console capture could not be turned on or off, in words.
    let (capture_problem, set_capture_problem) = signal(None::<String>);
    let loader = platform.clone();
    spawn_local(async move {
        settings.set(Some(
            storage::load_privacy(&loader).await.unwrap_or_default(),
        ));
    });
    type Field = fn(&mut PrivacySettings) -> &mut bool;
    // Keys as literals at the call, where tests/locales.rs finds them.
    let details: [(&str, String, Field); 6] = [
        ("page_url", messages.text("privacy_page_url"), |s| {
            &mut s.page_url
        }),
        ("page_title", messages.text("privacy_page_title"), |s| {
            &mut s.page_title
        }),
        ("browser", messages.text("privacy_browser"), |s| {
            &mut s.browser
        }),
        ("viewport", messages.text("privacy_viewport"), |s| {
            &mut s.viewport
        }),
        ("locale", messages.text("privacy_locale"), |s| &mut s.locale),
        (
            "console_errors",
            messages.text("privacy_console_errors"),
            |s| &mut s.console_errors,
        ),
    ];
    let checkboxes = details
        .into_iter()
        .map(|(name, label, field)| {
            let platform = platform.clone();
            let messages = messages.clone();
            let toggle = move |checked: bool| {
                let Some(mut changed) = settings.get_untracked() else {
                    return;
                };
                let before = changed;
                *field(&mut changed) = checked;
                settings.set(Some(changed));
                let (platform, messages) = (platform.clone(), messages.clone());
                spawn_local(async move {
                    if changed.console_errors != before.console_errors {
                        set_capture_problem.set(None);
                        let problem = match capture_console(&platform, checked).await {
                            Ok(true) => None,
                            Ok(false) => Some(messages.text("privacy_console_denied")),
                            Err(error) => Some(messages.format(
                                "privacy_console_failed",
                                &[&describe(&error, &messages)],
                            )),
                        };
                        if let Some(problem) = problem {
                            settings.set(Some(before));
                            set_capture_problem.set(Some(problem));
                            return;
                        }
                    }
                    let saved = storage::save_privacy(&platform, changed).await;
                    set_save_failed.set(saved.is_err());
                });
            };
            view! {
                <label class="choice">
                    <input
                        type="checkbox"
                        name=name
                        prop:checked=move || settings.get().is_some_and(|mut current| *field(&mut current))
                        on:change:target=move |event| toggle(event.target().checked())
                    />
                    {label}
                </label>
            }
        })
        .collect_view();
    let failed = messages.text("options_save_failed");
    view! {
        <section id="privacy" aria-labelledby="privacy-heading">
            <h2 id="privacy-heading">{messages.text("options_privacy_heading")}</h2>
            <fieldset disabled=move || settings.get().is_none()>
                <legend>{messages.text("privacy_legend")}</legend>
                {checkboxes}
            </fieldset>
            <p class="hint">{messages.text("privacy_hint")}</p>
            <p class="hint">{messages.text("privacy_console_hint")}</p>
            {move || save_failed.get().then(|| view! { <p role="alert" class="error">{failed.clone()}</p> })}
            {move || capture_problem.get().map(|problem| view! { <p role="alert" class="error">{problem}</p> })}
        </section>
    }
}

/// Turns the console capture on (asking for access to pages first; `Ok(false)` when the user
/// refused) or off (giving `scripting` back once the script is unregistered).
async fn capture_console(
    platform: &(impl Permissions + Messaging + ?Sized),
    on: bool,
) -> Result<bool, AppError> {
    // The first await after the click: browsers only prompt during a user gesture.
    if on && !platform.request_console_access().await? {
        return Ok(false);
    }
    if let WorkerReply::Failed { error } = platform
        .ask_worker(WorkerRequest::CaptureConsole { on })
        .await?
    {
        return Err(error);
    }
    if !on {
        // Best effort: the script is already gone, and a build that requires `scripting` (the
        // end-to-end tests') cannot give it back.
        let _ = platform.give_back_console_access().await;
    }
    Ok(true)
}
