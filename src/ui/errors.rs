//! The one place failures become words for people, and where on a form they show.

use flare_core::error::CoreError;

use crate::api::{AppError, Provider, SignInMethod};
use crate::i18n::Messages;

/// Core's reason for an empty address, which names an instance; a Zendesk user has an account.
const EMPTY_ADDRESS: &str = "enter your instance address";

/// The part of the connect form a failure concerns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConnectField {
    /// The instance or account address: wrong, not a service desk, asleep, a sign-in page, or
    /// not allowed to be reached.
    Address,
    /// What the user signs in with: user name and password, e-mail address and API token, or
    /// the OAuth client and its sign-in window.
    Credentials,
    /// Nothing the user typed (offline, rate limited, the browser): the form as a whole.
    Form,
}

/// A failure on the connect form: where it shows, and what it says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConnectError {
    /// The part of the form it concerns.
    pub field: ConnectField,
    /// What went wrong and what to do, in the user's language.
    pub sentence: String,
}

/// What went wrong and what to do about it, in words a user understands, in their language,
/// when no service desk is known (ServiceNow's words).
pub fn describe(error: &AppError, messages: &Messages) -> String {
    describe_for(error, Provider::ServiceNow, messages)
}

/// What went wrong with a call to `provider`, in that service desk's words.
pub fn describe_for(error: &AppError, provider: Provider, messages: &Messages) -> String {
    match error {
        AppError::PermissionDenied { host } => messages.format("error_permission_denied", &[host]),
        AppError::Browser(message) => messages.format("error_browser", &[message]),
        AppError::SignInClosed => messages.text("error_sign_in_closed"),
        AppError::Core(error) => describe_core(error, provider, messages),
    }
}

/// Where a failure to connect to `provider` with `method` shows on the connect form, and what
/// it says there.
pub fn connect_error(
    error: &AppError,
    provider: Provider,
    method: SignInMethod,
    messages: &Messages,
) -> ConnectError {
    let sentence = match (error, provider, method) {
        // Only OAuth clients are refused by the token endpoint; a password is not involved.
        (AppError::Core(CoreError::Unauthorized { .. }), _, SignInMethod::OAuth) => {
            messages.format("error_client_refused", &[provider.name()])
        }
        // Connecting only reads the signed-in user, which every service desk has: a 404 means
        // there is none at this address.
        (AppError::Core(CoreError::NotFound { .. }), Provider::ServiceNow, _) => {
            messages.text("error_not_an_instance")
        }
        (AppError::Core(CoreError::NotFound { .. }), Provider::Zendesk, _) => {
            messages.text("error_not_a_zendesk_account")
        }
        _ => describe_for(error, provider, messages),
    };
    ConnectError {
        field: connect_field(error),
        sentence,
    }
}

fn connect_field(error: &AppError) -> ConnectField {
    let core = match error {
        AppError::PermissionDenied { .. } => return ConnectField::Address,
        AppError::SignInClosed => return ConnectField::Credentials,
        AppError::Browser(_) => return ConnectField::Form,
        AppError::Core(core) => core,
    };
    match core {
        CoreError::InvalidInstance { .. }
        | CoreError::NotAnApi
        | CoreError::InstanceHibernating
        | CoreError::NotFound { .. } => ConnectField::Address,
        CoreError::Unauthorized { .. }
        | CoreError::TokenExpired
        | CoreError::SignInAgain { .. }
        | CoreError::MfaRequired
        | CoreError::Forbidden { .. } => ConnectField::Credentials,
        CoreError::Validation { .. }
        | CoreError::RateLimited { .. }
        | CoreError::Server { .. }
        | CoreError::Network { .. }
        | CoreError::Malformed { .. } => ConnectField::Form,
    }
}

fn describe_core(error: &CoreError, provider: Provider, messages: &Messages) -> String {
    match (error, provider) {
        (CoreError::InvalidInstance { reason, .. }, Provider::ServiceNow) => {
            let reason = instance_reason(reason, messages);
            messages.format("error_invalid_instance", &[&reason])
        }
        (CoreError::InvalidInstance { reason, .. }, Provider::Zendesk) => {
            let reason = match reason.as_str() {
                EMPTY_ADDRESS => messages.text("instance_reason_empty_zendesk"),
                other => instance_reason(other, messages),
            };
            messages.format("error_invalid_zendesk_address", &[&reason])
        }
        (CoreError::Unauthorized { .. }, Provider::ServiceNow) => {
            messages.text("error_unauthorized")
        }
        (CoreError::Unauthorized { .. }, Provider::Zendesk) => {
            messages.text("error_unauthorized_api_token")
        }
        (CoreError::Forbidden { message }, Provider::ServiceNow) => {
            messages.format("error_forbidden", &[message])
        }
        (CoreError::Forbidden { message }, Provider::Zendesk) => {
            messages.format("error_forbidden_zendesk", &[message])
        }
        (CoreError::NotAnApi, Provider::ServiceNow) => messages.text("error_not_an_api"),
        (CoreError::NotAnApi, Provider::Zendesk) => messages.text("error_not_an_api_zendesk"),
        (CoreError::TokenExpired, _) => messages.text("error_token_expired"),
        (CoreError::SignInAgain { .. }, _) => messages.text("error_sign_in_again"),
        (CoreError::MfaRequired, _) => messages.text("error_mfa_required"),
        (CoreError::NotFound { .. }, _) => messages.text("error_not_found"),
        (
            CoreError::Validation {
                field: Some(field),
                message,
            },
            _,
        ) => messages.format("error_validation_field", &[field, message]),
        (
            CoreError::Validation {
                field: None,
                message,
            },
            _,
        ) => messages.format("error_validation", &[message]),
        (
            CoreError::RateLimited {
                retry_after_secs: Some(seconds),
            },
            _,
        ) => messages.format("error_rate_limited_seconds", &[&seconds.to_string()]),
        (
            CoreError::RateLimited {
                retry_after_secs: None,
            },
            _,
        ) => messages.text("error_rate_limited"),
        (CoreError::InstanceHibernating, _) => messages.text("error_hibernating"),
        (CoreError::Server { status }, _) => {
            messages.format("error_server", &[&status.to_string()])
        }
        (CoreError::Network { .. }, _) => messages.text("error_network"),
        (CoreError::Malformed { .. }, _) => messages.text("error_malformed"),
    }
}

/// Core says why an address was refused in English words (`InstanceUrl::parse_servicenow`);
/// these are those words, so the user reads them in their language. A reason core adds later
/// still shows, in English, until it gets a message here.
fn instance_reason(reason: &str, messages: &Messages) -> String {
    match reason {
        EMPTY_ADDRESS => messages.text("instance_reason_empty"),
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

    /// Each failure the core can name shows under the field it concerns, in words that say what
    /// to do there.
    #[test]
    fn connect_failures_show_next_to_the_field_they_concern() {
        use ConnectField::{Address, Credentials, Form};
        use Provider::{ServiceNow, Zendesk};
        use SignInMethod::{ApiToken, OAuth, Password};

        let english = Messages::for_language("en");
        let check = |error: AppError,
                     provider: Provider,
                     method: SignInMethod,
                     field: ConnectField,
                     sentence: &str| {
            let expected = ConnectError {
                field,
                sentence: sentence.to_owned(),
            };
            assert_eq!(
                connect_error(&error, provider, method, &english),
                expected,
                "{error:?} on {provider:?} with {method:?}"
            );
        };
        let core = AppError::Core;

        check(
            core(InstanceUrl::parse_zendesk("ftp://acme").expect_err("refused")),
            Zendesk,
            ApiToken,
            Address,
            "Check the Zendesk address: only https addresses are supported.",
        );
        check(
            core(InstanceUrl::parse_zendesk(" ").expect_err("refused")),
            Zendesk,
            OAuth,
            Address,
            "Check the Zendesk address: enter your Zendesk address.",
        );
        check(
            core(InstanceUrl::parse_servicenow(" ").expect_err("refused")),
            ServiceNow,
            Password,
            Address,
            "Check the instance address: enter your instance address.",
        );
        check(
            core(CoreError::NotFound {
                message: "InvalidEndpoint".into(),
            }),
            Zendesk,
            ApiToken,
            Address,
            "No Zendesk account answered at this address. Check the Zendesk address.",
        );
        check(
            core(CoreError::NotFound {
                message: "no such table".into(),
            }),
            ServiceNow,
            Password,
            Address,
            "No ServiceNow instance answered at this address. Check the instance address.",
        );
        check(
            core(CoreError::InstanceHibernating),
            ServiceNow,
            Password,
            Address,
            "The instance is hibernating. Wake it up from the ServiceNow developer portal, then try again.",
        );
        check(
            core(CoreError::NotAnApi),
            Zendesk,
            ApiToken,
            Address,
            "This address answered with a web page instead of the Zendesk API. Check the Zendesk address.",
        );
        check(
            AppError::PermissionDenied {
                host: "acme.zendesk.com".into(),
            },
            Zendesk,
            OAuth,
            Address,
            "Flare needs your permission to reach acme.zendesk.com. Try again and choose Allow.",
        );
        check(
            core(CoreError::Unauthorized {
                message: "Couldn't authenticate you".into(),
            }),
            Zendesk,
            ApiToken,
            Credentials,
            "Zendesk did not accept this email address and API token. Check them and try again.",
        );
        check(
            core(CoreError::Unauthorized {
                message: "User Not Authenticated".into(),
            }),
            ServiceNow,
            Password,
            Credentials,
            "The instance did not accept this user name and password. Check them and try again.",
        );
        check(
            core(CoreError::Unauthorized {
                message: "invalid_client".into(),
            }),
            Zendesk,
            OAuth,
            Credentials,
            "Zendesk did not accept this OAuth client ID or client secret. Check them with your administrator.",
        );
        check(
            core(CoreError::MfaRequired),
            ServiceNow,
            Password,
            Credentials,
            "This account needs multi-factor authentication, which a password alone cannot give. \
             Choose “ServiceNow sign-in (OAuth)” instead.",
        );
        check(
            core(CoreError::Forbidden {
                message: "no role".into(),
            }),
            Zendesk,
            ApiToken,
            Credentials,
            "Your account is not allowed to do this (no role). Ask your Zendesk administrator for access.",
        );
        check(
            AppError::SignInClosed,
            ServiceNow,
            OAuth,
            Credentials,
            "The sign-in window closed before you signed in. Try again; if it stays empty, \
             check the instance address and the OAuth client ID.",
        );
        check(
            core(CoreError::Network {
                message: "Failed to fetch".into(),
            }),
            Zendesk,
            ApiToken,
            Form,
            "Could not reach the instance. Check the address and your network connection.",
        );
        check(
            core(CoreError::RateLimited {
                retry_after_secs: None,
            }),
            ServiceNow,
            Password,
            Form,
            "The instance is receiving too many requests. Try again in a minute.",
        );
        check(
            AppError::Browser("storage is full".into()),
            Zendesk,
            OAuth,
            Form,
            "The browser could not complete this (storage is full).",
        );
    }

    #[test]
    fn every_zendesk_refusal_is_explained_in_german() {
        let german = Messages::for_language("de");
        let refusal = InstanceUrl::parse_zendesk("").expect_err("empty");
        let error = connect_error(
            &AppError::Core(refusal),
            Provider::Zendesk,
            SignInMethod::ApiToken,
            &german,
        );
        assert_eq!(
            error.sentence,
            "Prüfen Sie die Zendesk-Adresse: geben Sie Ihre Zendesk-Adresse ein."
        );
    }
}
