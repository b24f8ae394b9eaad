//! What the ServiceNow instance, the Virtual Agent and the Zendesk account share: plumbing with
//! no vendor's rules in it.
//!
//! - `oauth.rs`: an OAuth 2.0 authorization server (clients, codes, tokens, PKCE);
//!   `oauth_api.rs`: its sign-in and consent page.
//! - `server.rs`: the layers around every server's routes (rate limit and faults, fallback,
//!   tracing, timeout).
//! - `faults.rs`: the fault queue the admin APIs fill, and how a fault is applied;
//!   `admin_api.rs`: the sandbox's admin API on every server.
//! - `persist.rs`: the error and the opening of a `--data DIR` database file.
//! - `datetime.rs`: the clock and ServiceNow's date-time text.
//! - `tls.rs`: HTTPS (`--tls`): the certificate, its SPKI hash, the listener.
//! - `http.rs`: text of HTTP messages (content negotiation, percent-encoding); `html.rs`:
//!   escaping for HTML.

pub(crate) mod admin_api;
pub(crate) mod datetime;
pub(crate) mod faults;
pub(crate) mod html;
pub(crate) mod http;
pub mod oauth;
pub(crate) mod oauth_api;
pub mod persist;
pub(crate) mod server;
pub mod tls;
