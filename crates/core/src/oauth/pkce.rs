//! Proof Key for Code Exchange with the S256 method (RFC 7636).

use serde::{Deserialize, Serialize};

use crate::oauth::base64url::base64url_encode;
use crate::oauth::sha256::sha256;

/// A PKCE code verifier and its S256 challenge.
///
/// The challenge goes in the authorization URL; the verifier stays with the caller until the code is
/// exchanged, so the authorization server can tell that whoever redeems the code started the sign-in.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PkcePair {
    verifier: String,
    challenge: String,
}

impl PkcePair {
    /// Builds the pair from 32 random bytes, which the caller draws from a CSPRNG
    /// (`crypto.getRandomValues` in the browser).
    ///
    /// The verifier is the bytes in base64url, 43 characters, which RFC 7636 section 4.1 recommends;
    /// the challenge is `BASE64URL(SHA256(ASCII(verifier)))` (section 4.2).
    pub fn from_verifier_bytes(random: [u8; 32]) -> PkcePair {
        let verifier = base64url_encode(&random);
        let challenge = base64url_encode(&sha256(verifier.as_bytes()));
        PkcePair {
            verifier,
            challenge,
        }
    }

    /// The `code_verifier` for the token request. Secret until the code is exchanged.
    pub fn verifier(&self) -> &str {
        &self.verifier
    }

    /// The `code_challenge` for the authorization URL.
    pub fn challenge(&self) -> &str {
        &self.challenge
    }

    /// The `code_challenge_method` Flare always uses; `plain` gives no protection.
    pub fn method(&self) -> &'static str {
        "S256"
    }
}

/// The verifier stays out of logs: with an intercepted code, it is all an attacker lacks.
impl std::fmt::Debug for PkcePair {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("PkcePair")
            .field("challenge", &self.challenge)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn check(random: [u8; 32], expected_verifier: &str, expected_challenge: &str) {
        let pair = PkcePair::from_verifier_bytes(random);
        assert_eq!(pair.verifier(), expected_verifier);
        assert_eq!(pair.challenge(), expected_challenge);
        assert_eq!(pair.method(), "S256");
    }

    #[test]
    fn matches_rfc7636_appendix_b() {
        check(
            [
                116, 24, 223, 180, 151, 153, 224, 37, 79, 250, 96, 125, 216, 173, 187, 186, 22,
                212, 37, 77, 105, 214, 191, 240, 91, 88, 5, 88, 83, 132, 141, 121,
            ],
            "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk",
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
        );
    }

    #[test]
    fn debug_hides_the_verifier() {
        let pair = PkcePair::from_verifier_bytes([7; 32]);
        let printed = format!("{pair:?}");
        assert!(!printed.contains(pair.verifier()), "{printed}");
        assert!(printed.contains(pair.challenge()), "{printed}");
    }

    proptest! {
        /// RFC 7636 section 4.1: 43 to 128 characters from `[A-Z] / [a-z] / [0-9] / "-" / "." / "_" / "~"`.
        #[test]
        fn verifier_and_challenge_are_well_formed(random in any::<[u8; 32]>()) {
            let pair = PkcePair::from_verifier_bytes(random);
            let unreserved = |text: &str| text.bytes().all(|byte| byte.is_ascii_alphanumeric() || b"-._~".contains(&byte));
            prop_assert_eq!(pair.verifier().len(), 43);
            prop_assert!(unreserved(pair.verifier()));
            prop_assert_eq!(pair.challenge().len(), 43);
            prop_assert!(unreserved(pair.challenge()));
        }
    }
}
