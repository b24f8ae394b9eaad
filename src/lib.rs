//! Flare's browser extension app: the popup, its browser bindings and its calls to the instance.
//!
//! Components live here so `tests/` can mount them; `main.rs` only mounts the popup.

pub mod api;
pub mod browser;
pub mod context_menu;
pub mod follow;
pub mod i18n;
pub mod lock;
pub mod managed;
pub mod messages;
pub mod options;
pub mod outbox;
pub mod page_details;
pub mod popup;
pub mod report;
pub mod screenshot_editor;
pub mod settings;
pub mod storage;
pub mod ticket;
pub mod tickets;
pub mod ui;
pub mod worker;
