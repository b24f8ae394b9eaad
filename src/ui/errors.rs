//! The one place failures become words for people.

use flare_core::error::CoreError;

use crate::api::AppError;
use crate::i18n::Messages;

/// What went wrong and what to do about it, in words a user understands, in their language.
pub fn describe(error: &AppError, messages: &Messages) -> String {
    match error {
        AppError::PermissionDenied { host } => messages.format("error_permission_denied", &[host]),
        AppError::Browser(message) => messages.format("error_browser", &[message]),
        AppError::SignInClosed => messages.text("error_sign_in_closed"),
        AppError::Core(error) => describe_core(error, messages),
    }
}

fn describe_core(error: &CoreError, messages: &Messages) -> String {
    match error {
        CoreError::InvalidInstance { reason, .. } => {
            let reason = instance_reason(reason, messages);
            messages.format("error_invalid_instance", &[&reason])
        }
        CoreError::Unauthorized { .. } => messages.text("error_unauthorized"),
        CoreError::TokenExpired => messages.text("error_token_expired"),
        CoreError::SignInAgain { .. } => messages.text("error_sign_in_again"),
        CoreError::MfaRequired => messages.text("error_mfa_required"),
        CoreError::Forbidden { message } => messages.format("error_forbidden", &[message]),
        CoreError::NotFound { .. } => messages.text("error_not_found"),
        CoreError::Validation {
            field: Some(field),
            message,
        } => messages.format("error_validation_field", &[field, message]),
        CoreError::Validation {
            field: None,
            message,
        } => messages.format("error_validation", &[message]),
        CoreError::RateLimited {
            retry_after_secs: Some(seconds),
        } => messages.format("error_rate_limited_seconds", &[&seconds.to_string()]),
        CoreError::RateLimited {
            retry_after_secs: None,
        } => messages.text("error_rate_limited"),
        CoreError::InstanceHibernating => messages.text("error_hibernating"),
        CoreError::NotAnApi => messages.text("error_not_an_api"),
        CoreError::Server { status } => messages.format("error_server", &[&status.to_string()]),
        CoreError::Network { .. } => messages.text("error_network"),
        CoreError::Malformed { .. } => messages.text("error_malformed"),
    }
}

/// Core says why an address was refused in English words (`InstanceUrl::parse_servicenow`);
/// these are those words, so the user reads them in their language. A reason core adds later
/// still shows, in English, until it gets a message here.
fn instance_reason(reason: &str, messages: &Messages) -> String {
    match reason {
        "enter your instance address" => messages.text("instance_reason_empty"),
        "only https addresses are supported" => messages.text("instance_reason_scheme"),
        "the address must not contain a user name" => messages.text("instance_reason_user_name"),
        "the port is not a number" => messages.text("instance_reason_port"),
        "the address has no host name" => messages.text("instance_reason_no_host"),
        "the host name has characters that cannot be in an address" => {
            messages.text("instance_reason_characters")
        }
        "the address has no domain" => messages.text("instance_reason_no_domain"),
        "the host name is too long" => messages.text("instance_reason_too_long"),
        "use https: plain http is only for a local sandbox" => {
            messages.text("instance_reason_plain_http")
        }
        other => other.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use flare_core::instance::InstanceUrl;

    use super::*;

    /// Every reason core gives has German words: a reason core rewords shows up here, not in
    /// front of a German user as English.
    #[test]
    fn every_refused_address_is_explained_in_german() {
        let refusals = [
            "",
            "ftp://acme",
            "http://acme.service-now.com",
            "acme corp",
            "https://user@acme.service-now.com",
            "acme.service-now.com:http",
            "https:///path",
        ]
        .map(|input| InstanceUrl::parse_servicenow(input).expect_err(input))
        .into_iter()
        .chain([
            InstanceUrl::parse_servicenow(&"x".repeat(64)).expect_err("too long"),
            InstanceUrl::try_from("acme".to_owned()).expect_err("no domain"),
        ]);
        let german = Messages::for_language("de");
        for refusal in refusals {
            let CoreError::InvalidInstance { reason, .. } = &refusal else {
                panic!("not an address refusal: {refusal:?}");
            };
            let words = describe(&AppError::Core(refusal.clone()), &german);
            assert!(
                words.starts_with("Prüfen Sie die Adresse der Instanz: "),
                "{words}"
            );
            assert!(
                !words.contains(reason),
                "{reason:?} has no German words: {words}"
            );
        }
    }

    #[test]
    fn english_words_name_what_failed() {
        let english = Messages::for_language("en");
        let check = |error: AppError, expected: &str| {
            assert_eq!(describe(&error, &english), expected, "{error:?}");
        };
        check(
            AppError::Core(CoreError::RateLimited {
                retry_after_secs: Some(30),
            }),
            "The instance is receiving too many requests. Try again in 30 seconds.",
        );
        check(
            AppError::Core(CoreError::Validation {
                field: Some("urgency".to_owned()),
                message: "not a choice".to_owned(),
            }),
            "The instance rejected the value of urgency: not a choice",
        );
        check(
            AppError::PermissionDenied {
                host: "acme.service-now.com".to_owned(),
            },
            "Flare needs your permission to reach acme.service-now.com. Try again and choose Allow.",
        );
    }
}
