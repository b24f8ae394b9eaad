//! The chat between the widget's panel and the relay, with no I/O.
//!
//! - `protocol.rs`: every frame either side sends over the WebSocket, and the bounds on them.
//! - `assistant.rs`: the scripted assistant: what it says, and which ticket action a visitor's
//!   answers come to; `phrases.rs` holds its words in each language.
//! - `hours.rs`: when a site's people answer; `transcript.rs`: a conversation as plain text.
//!
//! The relay and the panel both compile this module, so a frame one writes is a frame the other
//! reads.

pub mod assistant;
pub mod hours;
pub mod phrases;
pub mod protocol;
pub mod transcript;
