//! The OAuth `state` parameter (RFC 6749 section 10.12): binds the redirect to the sign-in Flare started.

use serde::{Deserialize, Serialize};

use crate::oauth::base64url::base64url_encode;

/// An unguessable `state` value, sent in the authorization URL and checked on the way back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct OAuthState(String);

impl OAuthState {
    /// Builds the value from 32 random bytes, which the caller draws from a CSPRNG
    /// (`crypto.getRandomValues` in the browser): 256 bits, as 43 base64url characters.
    pub fn from_random(random: [u8; 32]) -> OAuthState {
        OAuthState(base64url_encode(&random))
    }

    /// The value to send as `state`.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether `returned` is this state, compared in constant time.
    pub fn verify(&self, returned: &str) -> bool {
        constant_time_eq(self.0.as_bytes(), returned.as_bytes())
    }
}

/// Compares without an early exit, so the time taken does not tell an attacker how many leading bytes
/// of a guess were right. The length is not secret (every state has 43 characters).
pub(crate) fn constant_time_eq(expected: &[u8], actual: &[u8]) -> bool {
    if expected.len() != actual.len() {
        return false;
    }
    let difference = expected
        .iter()
        .zip(actual)
        .fold(0u8, |difference, (left, right)| difference | (left ^ right));
    // Keeps the optimiser from turning the fold back into a short-circuiting comparison.
    std::hint::black_box(difference) == 0
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn check(expected: &str, returned: &str, want: bool) {
        assert_eq!(
            constant_time_eq(expected.as_bytes(), returned.as_bytes()),
            want,
            "{expected:?} vs {returned:?}"
        );
    }

    #[test]
    fn compares_whole_values() {
        check("", "", true);
        check("abc", "abc", true);
        check("abc", "abd", false);
        check("abc", "ab", false);
        check("abc", "abcd", false);
        check("abc", "", false);
        check("abc", "ABC", false);
    }

    #[test]
    fn state_is_43_url_safe_characters() {
        let state = OAuthState::from_random([0xff; 32]);
        assert_eq!(state.as_str().len(), 43);
        assert!(state.as_str().starts_with("____"));
        assert!(state.verify(state.as_str()));
        assert!(!state.verify(""));
    }

    #[test]
    fn serialises_as_a_plain_string() {
        let state = OAuthState::from_random([0; 32]);
        let json = serde_json::to_string(&state).expect("serialises");
        assert_eq!(json, format!("\"{}\"", state.as_str()));
        let back: OAuthState = serde_json::from_str(&json).expect("deserialises");
        assert_eq!(back, state);
    }

    proptest! {
        #[test]
        fn accepts_only_its_own_value(random in any::<[u8; 32]>(), other in any::<[u8; 32]>()) {
            let state = OAuthState::from_random(random);
            prop_assert!(state.verify(state.as_str()));
            let other_state = OAuthState::from_random(other);
            prop_assert_eq!(state.verify(other_state.as_str()), random == other);
        }

        #[test]
        fn refuses_any_altered_value(random in any::<[u8; 32]>(), position in 0usize..43, replacement in "[A-Za-z0-9_-]") {
            let state = OAuthState::from_random(random);
            let mut altered = state.as_str().to_owned();
            altered.replace_range(position..position + 1, &replacement);
            prop_assert_eq!(state.verify(&altered), altered == state.as_str());
        }
    }
}
