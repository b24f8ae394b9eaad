//! Form drafts: what the user typed, kept in extension storage while the popup comes and goes;
//! secrets only in memory (`storage.session`).

use std::future::Future;

use leptos::prelude::*;
use leptos::task::spawn_local;
use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::browser::{BrowserError, LocalFuture, PlatformHandle, SessionStorage, Storage};

/// Keeps a form's draft in extension storage under `key`. Loads it once and hands it to `restore`
/// (`None` when nothing readable was saved), then saves `current()` whenever it changes.
///
/// The returned signal turns true once `restore` has finished: the form stays locked until then,
/// or what the user types first would be overwritten by the saved draft.
pub fn keep_draft<T, Restored>(
    platform: PlatformHandle,
    key: &'static str,
    current: impl Fn() -> T + 'static,
    restore: impl FnOnce(Option<T>) -> Restored + 'static,
) -> ReadSignal<bool>
where
    T: Serialize + DeserializeOwned + 'static,
    Restored: Future<Output = ()> + 'static,
{
    let (draft_ready, set_draft_ready) = signal(false);
    let loader = platform.clone();
    spawn_local(async move {
        let saved = loader
            .load(key)
            .await
            .ok()
            .flatten()
            .and_then(|value| serde_json::from_value::<T>(value).ok());
        restore(saved).await;
        set_draft_ready.set(true);
    });

    save_on_change(draft_ready, current, move |value| platform.save(key, value));
    draft_ready
}

/// Keeps a form's secrets (a password, a token) in `storage.session` under `key` whenever
/// `current()` changes, once `ready` is true: in memory while the browser runs, never on disk.
/// The form reads them back itself, with its draft.
pub fn keep_secrets<T>(
    platform: PlatformHandle,
    key: &'static str,
    ready: ReadSignal<bool>,
    current: impl Fn() -> T + 'static,
) where
    T: Serialize + 'static,
{
    save_on_change(ready, current, move |value| {
        platform.save_session(key, value)
    });
}

/// Writes `current()` with `save` whenever it changes, once `ready` is true.
fn save_on_change<T: Serialize>(
    ready: ReadSignal<bool>,
    current: impl Fn() -> T + 'static,
    save: impl Fn(serde_json::Value) -> LocalFuture<Result<(), BrowserError>> + 'static,
) {
    // Every keystroke goes to storage: a popup closes as soon as it loses focus. The write is asked
    // for here, not from a task spawned for it, so that it is ordered before whatever the form
    // does next (such as removing the draft once it is done) and cannot bring the draft back.
    Effect::new(move || {
        let draft = current();
        if !ready.get() {
            return;
        }
        let value = serde_json::to_value(&draft).expect("a draft always serialises");
        let saved = save(value);
        spawn_local(async move {
            let _ = saved.await;
        });
    });
}
