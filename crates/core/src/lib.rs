//! flare-core: Flare's domain logic, with no I/O.
//!
//! Providers turn intents into [`http::HttpRequest`] values and turn [`http::HttpResponse`] values
//! into typed results or a [`error::CoreError`]. Whoever owns the network (the popup, the relay,
//! tests) sends the request and hands the response back; every rule lives here once.
#![warn(missing_docs)]

pub mod actions;
pub mod annotate;
pub mod auth;
pub mod chat;
pub mod driver;
pub mod error;
pub mod http;
pub mod instance;
pub mod listing;
pub mod oauth;
pub mod outbox;
pub mod paging;
pub mod providers;
pub mod query;
pub mod redact;
pub mod retry;
pub mod sync;
pub mod templates;
pub mod ticket;
