//! The one place failures become words for people.

use flare_core::error::CoreError;

use crate::api::AppError;

/// What went wrong and what to do about it, in words a user understands.
pub fn describe(error: &AppError) -> String {
    match error {
        AppError::PermissionDenied { host } => {
            format!("Flare needs your permission to reach {host}. Try again and choose Allow.")
        }
        AppError::Browser(message) => format!("The browser could not complete this ({message})."),
        AppError::Core(error) => describe_core(error),
    }
}

fn describe_core(error: &CoreError) -> String {
    match error {
        CoreError::InvalidInstance { reason, .. } => format!("Check the instance address: {reason}."),
        CoreError::Unauthorized { .. } => {
            "The instance did not accept this user name and password. Check them and try again.".to_owned()
        }
        CoreError::TokenExpired => "Your sign-in has expired. Flare will renew it; try again.".to_owned(),
        CoreError::SignInAgain { .. } => "Your sign-in can no longer be renewed. Sign in again.".to_owned(),
        CoreError::MfaRequired => {
            "This account needs multi-factor authentication. Connect with OAuth (sign in through ServiceNow) instead."
                .to_owned()
        }
        CoreError::Forbidden { message } => format!(
            "Your account is not allowed to do this ({message}). Ask your ServiceNow administrator for access."
        ),
        CoreError::NotFound { .. } => "The instance could not find this record, or your account cannot see it.".to_owned(),
        CoreError::Validation { field: Some(field), message } => {
            format!("The instance rejected the value of {field}: {message}")
        }
        CoreError::Validation { field: None, message } => format!("The instance rejected the request: {message}"),
        CoreError::RateLimited { retry_after_secs: Some(seconds) } => {
            format!("The instance is receiving too many requests. Try again in {seconds} seconds.")
        }
        CoreError::RateLimited { retry_after_secs: None } => {
            "The instance is receiving too many requests. Try again in a minute.".to_owned()
        }
        CoreError::InstanceHibernating => {
            "The instance is hibernating. Wake it up from the ServiceNow developer portal, then try again.".to_owned()
        }
        CoreError::NotAnApi => {
            "This address answered with a web page instead of the ServiceNow API. Check the instance address."
                .to_owned()
        }
        CoreError::Server { status } => {
            format!("The instance had a problem of its own (HTTP {status}). Try again in a minute.")
        }
        CoreError::Network { .. } => {
            "Could not reach the instance. Check the address and your network connection.".to_owned()
        }
        CoreError::Malformed { .. } => "The instance sent a reply Flare could not read.".to_owned(),
    }
}
