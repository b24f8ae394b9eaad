//! One module per service desk. Each turns intents into requests and replies into Flare's model.

pub mod servicenow;
pub mod zendesk;
