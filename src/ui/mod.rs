//! Pieces every surface shares.

pub mod appearance;
pub mod draft;
pub mod errors;
pub mod priority;
pub mod rich_text;
pub mod sign_in;
pub mod ticket_status;
pub mod view_tabs;
