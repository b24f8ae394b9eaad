//! flare-relay: the chat server behind Flare's widget.
//!
//! - `config.rs`: `relay.toml`, its sites and secrets.
//! - `store.rs` and `store/`: what is kept (SQLite by default), behind a trait.
//! - `ids.rs`: random ids, visitor tokens, the host site's identity proof.
#![warn(missing_docs)]

pub mod config;
pub mod ids;
pub mod store;
