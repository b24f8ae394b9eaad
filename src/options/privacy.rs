//! What a new report may say about the page it is filed from.

use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::browser::PlatformHandle;
use crate::i18n::Messages;
use crate::settings::PrivacySettings;
use crate::storage;

/// One checkbox per page detail, saved as soon as it changes.
#[component]
pub(crate) fn PrivacySection() -> impl IntoView {
    let platform = expect_context::<PlatformHandle>();
    let messages = expect_context::<Messages>();
    let settings = RwSignal::new(None::<PrivacySettings>);
    let (save_failed, set_save_failed) = signal(false);
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
            let toggle = move |checked: bool| {
                let Some(mut changed) = settings.get_untracked() else {
                    return;
                };
                *field(&mut changed) = checked;
                settings.set(Some(changed));
                let platform = platform.clone();
                spawn_local(async move {
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
            {move || save_failed.get().then(|| view! { <p role="alert" class="error">{failed.clone()}</p> })}
        </section>
    }
}
