//! Random bytes from `crypto.getRandomValues`, for correlation ids, OAuth `state` and PKCE.

use crate::browser::extension::describe;
use crate::browser::{global, BrowserError};

pub(crate) fn random_bytes() -> Result<[u8; 16], BrowserError> {
    let crypto = global::scope()
        .crypto()
        .map_err(|error| BrowserError::Api(describe(&error)))?;
    let mut bytes = [0_u8; 16];
    crypto
        .get_random_values_with_u8_array(&mut bytes)
        .map_err(|error| BrowserError::Api(describe(&error)))?;
    Ok(bytes)
}
