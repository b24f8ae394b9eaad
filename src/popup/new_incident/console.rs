//! The console block of the report form: what the opt-in console capture kept on the page,
//! already redacted, shown to edit or leave out before it is sent.

use leptos::prelude::*;

use crate::i18n::Messages;

/// The block, while there is one; leaving it out (or emptying it) hides it.
#[component]
pub(crate) fn ConsoleField(
    /// The block's text; empty when nothing was captured or the user left it out.
    console_log: RwSignal<String>,
) -> impl IntoView {
    let messages = expect_context::<Messages>();
    // Only a change between empty and not re-renders, so typing keeps the focus.
    let shown = Memo::new(move |_| !console_log.with(String::is_empty));
    move || {
        shown.get().then(|| {
            view! {
                <label for="console-log">{messages.text("incident_console_label")}</label>
                <textarea id="console-log" name="console_log" rows="5" class="page-details" bind:value=console_log></textarea>
                <button type="button" class="link" on:click=move |_| console_log.set(String::new())>
                    {messages.text("incident_console_remove")}
                </button>
            }
        })
    }
}
