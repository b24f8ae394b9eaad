//! Mounts the popup into the page.

use flare::browser::PlatformHandle;
use flare::popup::Popup;
use leptos::prelude::*;

fn main() {
    mount_to_body(|| view! { <Popup platform=PlatformHandle::extension()/> });
}
