//! Mounts the options page. A wasm of its own, so the popup, opened far more often, does not
//! carry the options page's code (scripts/build.sh builds it).

use flare::browser::PlatformHandle;
use flare::options::Options;
use leptos::prelude::*;

fn main() {
    mount_to_body(|| view! { <Options platform=PlatformHandle::extension()/> });
}
