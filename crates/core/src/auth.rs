//! Credentials and the `Authorization` header they produce.

use serde::{Deserialize, Serialize};

/// How Flare signs in to an instance.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Credentials {
    /// HTTP Basic with a user name and password (ServiceNow) or `email/token` and API token (Zendesk).
    Basic {
        /// The user name.
        username: String,
        /// The password or API token.
        password: String,
    },
    /// An OAuth 2.0 access token (RFC 6750), from [`crate::oauth::TokenManager`].
    Bearer {
        /// The access token.
        access_token: String,
    },
}

impl Credentials {
    /// The value for the `Authorization` header.
    pub fn authorization(&self) -> String {
        match self {
            Credentials::Basic { username, password } => {
                format!(
                    "Basic {}",
                    base64_encode(format!("{username}:{password}").as_bytes())
                )
            }
            Credentials::Bearer { access_token } => format!("Bearer {access_token}"),
        }
    }

    /// The user name these credentials sign in as; empty for a bearer token, which names no user
    /// (ask the instance who the token belongs to instead).
    pub fn username(&self) -> &str {
        match self {
            Credentials::Basic { username, .. } => username,
            Credentials::Bearer { .. } => "",
        }
    }
}

/// Secrets stay out of logs and panic messages.
impl std::fmt::Debug for Credentials {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Credentials::Basic { username, .. } => formatter
                .debug_struct("Basic")
                .field("username", username)
                .finish_non_exhaustive(),
            Credentials::Bearer { .. } => formatter.debug_struct("Bearer").finish_non_exhaustive(),
        }
    }
}

/// Standard base64 with padding (RFC 4648 section 4).
pub fn base64_encode(input: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut encoded = String::with_capacity(input.len().div_ceil(3) * 4);
    for chunk in input.chunks(3) {
        let bytes = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let triple = u32::from(bytes[0]) << 16 | u32::from(bytes[1]) << 8 | u32::from(bytes[2]);
        for sextet_idx in 0..4 {
            if sextet_idx <= chunk.len() {
                let sextet = (triple >> (18 - 6 * sextet_idx)) & 0x3f;
                encoded.push(ALPHABET[sextet as usize] as char);
            } else {
                encoded.push('=');
            }
        }
    }
    encoded
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_matches_rfc4648_vectors() {
        for (input, expected) in [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
        ] {
            assert_eq!(base64_encode(input.as_bytes()), expected);
        }
    }

    #[test]
    fn basic_header_and_redacted_debug() {
        let credentials = Credentials::Basic {
            username: "admin".into(),
            password: "s3cret".into(),
        };
        assert_eq!(credentials.authorization(), "Basic YWRtaW46czNjcmV0");
        assert!(
            !format!("{credentials:?}").contains("s3cret"),
            "password must not be printed"
        );
        assert!(format!("{credentials:?}").contains("username"));
    }

    #[test]
    fn bearer_header_and_redacted_debug() {
        let credentials = Credentials::Bearer {
            access_token: "t0ken".into(),
        };
        assert_eq!(credentials.authorization(), "Bearer t0ken");
        assert_eq!(credentials.username(), "");
        assert!(!format!("{credentials:?}").contains("t0ken"));
        let stored = serde_json::to_string(&credentials).expect("serialises");
        assert_eq!(stored, r#"{"kind":"bearer","access_token":"t0ken"}"#);
    }
}
