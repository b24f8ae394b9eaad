//! flare-sandbox: local ServiceNow- and Zendesk-compatible servers for Flare's demo and tests.
//!
//! - `servicenow/`: the ServiceNow instance ([`app`], [`AppState`]), with the Virtual Agent
//!   (`va/`) mounted on it.
//! - `zendesk/`: the Zendesk account, a second server with its own state.
//! - `common/`: what the servers share: the OAuth server and its sign-in page, the layers around
//!   every router, HTTPS (`--tls`), the admin API and its faults, persistence helpers, dates, HTML
//!   escaping and content negotiation.
//! - `cli.rs`: the command line and the config file; `main.rs` only parses them, binds and serves.
//!
//! Each behaviour copies a vendor document (`shared/reference/`) or a recording
//! (`shared/recorded/`); the module docs name which.

pub mod cli;
pub mod common;
mod servicenow;
pub mod va;
pub mod zendesk;

use std::sync::{Mutex, MutexGuard};

// The ServiceNow instance is the server every test and `main.rs` start, so its entry points stay
// at the crate root.
pub use crate::servicenow::seed::{DemoCredential, DEMO_CREDENTIALS};
pub use crate::servicenow::{app, AppState, InstanceOptions};

/// A panic while holding a lock leaves the data as consistent as any single request leaves it, so
/// keep serving.
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}
