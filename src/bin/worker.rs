//! The background worker's wasm. Its entry is `handle_message`, exported by the lib's `browser`
//! module under the `worker` feature; `static/background.js` starts it.

use flare as _;

fn main() {}
