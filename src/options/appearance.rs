//! Light, dark, or the system's: applied at once and kept for every surface.

use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::browser::{document, PlatformHandle};
use crate::i18n::Messages;
use crate::settings::Appearance;
use crate::storage;

/// The theme choice.
#[component]
pub(crate) fn AppearanceSection() -> impl IntoView {
    let platform = expect_context::<PlatformHandle>();
    let messages = expect_context::<Messages>();
    let chosen = RwSignal::new(None::<Appearance>);
    let (save_failed, set_save_failed) = signal(false);
    let loader = platform.clone();
    spawn_local(async move {
        chosen.set(Some(
            storage::load_appearance(&loader).await.unwrap_or_default(),
        ));
    });
    let choose = move |appearance: Appearance| {
        chosen.set(Some(appearance));
        document::set_theme(appearance.theme());
        let platform = platform.clone();
        spawn_local(async move {
            let saved = storage::save_appearance(&platform, appearance).await;
            set_save_failed.set(saved.is_err());
        });
    };
    // Keys as literals at the call, where tests/locales.rs finds them.
    let label = |appearance: Appearance| match appearance {
        Appearance::System => messages.text("appearance_system"),
        Appearance::Light => messages.text("appearance_light"),
        Appearance::Dark => messages.text("appearance_dark"),
    };
    let options = Appearance::ALL
        .into_iter()
        .map(|appearance| {
            let choose = choose.clone();
            view! {
                <label class="choice">
                    <input
                        type="radio"
                        name="appearance"
                        value=appearance.value()
                        prop:checked=move || chosen.get() == Some(appearance)
                        on:change=move |_| choose(appearance)
                    />
                    {label(appearance)}
                </label>
            }
        })
        .collect_view();
    let failed = messages.text("options_save_failed");
    view! {
        <section id="appearance" aria-labelledby="appearance-heading">
            <h2 id="appearance-heading">{messages.text("options_appearance_heading")}</h2>
            <fieldset disabled=move || chosen.get().is_none()>
                <legend>{messages.text("appearance_legend")}</legend>
                {options}
            </fieldset>
            {move || save_failed.get().then(|| view! { <p role="alert" class="error">{failed.clone()}</p> })}
        </section>
    }
}
