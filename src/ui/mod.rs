//! Pieces every surface shares.

pub mod errors;
pub mod time;
