//! The theme every surface shows: the user's choice from the options page, else the system's.

use leptos::task::spawn_local;

use crate::browser::{document, PlatformHandle};
use crate::storage;

/// Shows this page in the saved appearance as soon as it is read.
pub fn follow_saved_appearance(platform: &PlatformHandle) {
    let platform = platform.clone();
    spawn_local(async move {
        // Unreadable settings leave the system's theme, which is what the user had before.
        if let Ok(appearance) = storage::load_appearance(&platform).await {
            document::set_theme(appearance.theme());
        }
    });
}
