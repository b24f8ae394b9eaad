//! OAuth 2.0 against the customer's own instance, sans-IO.
//!
//! Randomness and time are always arguments; nothing here reads a clock or a random source.

mod base64url;
mod pkce;
mod sha256;
mod state;

pub use crate::oauth::base64url::{base64url_decode, base64url_encode};
pub use crate::oauth::pkce::PkcePair;
pub use crate::oauth::sha256::sha256;
pub use crate::oauth::state::OAuthState;
