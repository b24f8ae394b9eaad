//! How often Flare looks for changes on the user's tickets, for the badge and the notifications.

use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::browser::PlatformHandle;
use crate::i18n::Messages;
use crate::messages::WorkerRequest;
use crate::settings::FollowEvery;
use crate::storage;

/// The period choice; the worker takes it at once.
#[component]
pub(crate) fn FollowSection() -> impl IntoView {
    let platform = expect_context::<PlatformHandle>();
    let messages = expect_context::<Messages>();
    let chosen = RwSignal::new(None::<FollowEvery>);
    let (save_failed, set_save_failed) = signal(false);
    let loader = platform.clone();
    spawn_local(async move {
        chosen.set(Some(
            storage::load_follow(&loader).await.unwrap_or_default(),
        ));
    });
    let choose = move |every: FollowEvery| {
        chosen.set(Some(every));
        let platform = platform.clone();
        spawn_local(async move {
            let saved = storage::save_follow(&platform, every).await;
            set_save_failed.set(saved.is_err());
            // The worker sets its next alarm (or none) from the new setting.
            let _ = platform.ask_worker(WorkerRequest::Sync).await;
        });
    };
    // Keys as literals at the call, where tests/locales.rs finds them.
    let label = |every: FollowEvery| match every {
        FollowEvery::Minute => messages.text("follow_every_minute"),
        FollowEvery::FiveMinutes => messages.text("follow_every_five_minutes"),
        FollowEvery::QuarterHour => messages.text("follow_every_quarter_hour"),
        FollowEvery::Hour => messages.text("follow_every_hour"),
        FollowEvery::Never => messages.text("follow_never"),
    };
    let options = FollowEvery::ALL
        .into_iter()
        .map(|every| {
            let choose = choose.clone();
            view! {
                <label class="choice">
                    <input
                        type="radio"
                        name="follow"
                        value=every.value()
                        prop:checked=move || chosen.get() == Some(every)
                        on:change=move |_| choose(every)
                    />
                    {label(every)}
                </label>
            }
        })
        .collect_view();
    let failed = messages.text("options_save_failed");
    view! {
        <section id="follow" aria-labelledby="follow-heading">
            <h2 id="follow-heading">{messages.text("options_follow_heading")}</h2>
            <p class="hint">{messages.text("follow_hint")}</p>
            <fieldset disabled=move || chosen.get().is_none()>
                <legend>{messages.text("follow_legend")}</legend>
                {options}
            </fieldset>
            {move || save_failed.get().then(|| view! { <p role="alert" class="error">{failed.clone()}</p> })}
        </section>
    }
}
