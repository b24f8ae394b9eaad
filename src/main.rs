//! Mounts the popup into the page, in the words of the browser's language. The popup reads them
//! from the extension's `_locales` rather than carrying both languages in its wasm.

use flare::browser::language::{packaged_catalog, ui_language};
use flare::browser::PlatformHandle;
use flare::i18n::{spoken_language, Messages};
use flare::popup::Popup;
use leptos::prelude::*;

fn main() {
    wasm_bindgen_futures::spawn_local(async {
        let language = spoken_language(&ui_language());
        let catalog = packaged_catalog(language).await.ok();
        // The extension packages every language it speaks; without its file the popup still
        // works, showing each message's key.
        let messages = catalog
            .and_then(|json| Messages::from_catalog(language, &json))
            .or_else(|| Messages::from_catalog(language, "{}"))
            .expect("an empty catalog is valid");
        mount_to_body(move || view! { <Popup platform=PlatformHandle::extension() messages/> });
    });
}
