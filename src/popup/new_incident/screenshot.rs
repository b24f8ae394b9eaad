//! The screenshot that goes with a report: taken of the page the user is on, edited in the
//! screenshot editor (a tab of its own), shown here, and sent with the report.

use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api::AppError;
use crate::browser::PlatformHandle;
use crate::i18n::Messages;
use crate::storage::{self, ScreenshotDraft, SCREENSHOT_DRAFT_KEY};
use crate::ui::errors::describe;

/// The editor's page.
const EDITOR: &str = "screenshot.html";

/// A button that takes a screenshot, or the one taken with a way to edit or remove it.
#[component]
pub(crate) fn ScreenshotField(
    /// The screenshot going with the report; read from storage here.
    screenshot: RwSignal<Option<ScreenshotDraft>>,
) -> impl IntoView {
    let platform = expect_context::<PlatformHandle>();
    let messages = expect_context::<Messages>();
    let (error, set_error) = signal(None::<String>);
    let loader = platform.clone();
    spawn_local(async move {
        if let Ok(saved) = storage::load_screenshot(&loader).await {
            let _ = screenshot.try_set(saved);
        }
    });
    let take_platform = platform.clone();
    let take_messages = messages.clone();
    let take = Action::new_unsync(move |_: &()| {
        let (platform, messages) = (take_platform.clone(), take_messages.clone());
        async move {
            let taken = async {
                let original = platform.capture_visible_tab().await?;
                let draft = ScreenshotDraft {
                    result: original.clone(),
                    original,
                    edits: Default::default(),
                };
                storage::save_screenshot(&platform, &draft).await?;
                Ok::<_, AppError>(draft)
            };
            match taken.await {
                Ok(draft) => {
                    set_error.set(None);
                    screenshot.set(Some(draft));
                    // The popup closes as the editor's tab opens; the draft keeps everything.
                    let _ = platform.open_tab(EDITOR).await;
                }
                Err(failure) => set_error.set(Some(
                    messages.format("screenshot_failed", &[&describe(&failure, &messages)]),
                )),
            }
        }
    });
    let edit_platform = platform.clone();
    let edit = move |_| {
        let platform = edit_platform.clone();
        spawn_local(async move {
            let _ = platform.open_tab(EDITOR).await;
        });
    };
    let remove = move |_| {
        screenshot.set(None);
        let platform = platform.clone();
        spawn_local(async move {
            let _ = platform.remove(SCREENSHOT_DRAFT_KEY).await;
        });
    };
    let alt = messages.text("screenshot_alt");
    let shown = move || {
        match screenshot.get() {
        None => view! {
            <button type="button" disabled=move || take.pending().get() on:click=move |_| { take.dispatch(()); }>
                {messages.text("screenshot_take")}
            </button>
        }
        .into_any(),
        Some(draft) => view! {
            <img class="screenshot" src=draft.result alt=alt.clone()/>
            <div class="actions start">
                <button type="button" on:click=edit.clone()>{messages.text("screenshot_edit")}</button>
                <button type="button" on:click=remove.clone()>{messages.text("screenshot_remove")}</button>
            </div>
        }
        .into_any(),
    }
    };
    view! {
        <div class="screenshot-field">
            {shown}
            {move || error.get().map(|message| view! { <p role="alert" class="error">{message}</p> })}
        </div>
    }
}
