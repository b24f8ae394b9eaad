//! Random ids and visitor tokens, and the proofs that go with them.

use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

use flare_core::chat::protocol::Identity;

/// A random id for a visitor or a conversation: 128 bits, hex.
pub fn random_id() -> String {
    hex(&random_bytes::<16>())
}

/// A new visitor token: 256 bits, hex. The relay keeps only its hash.
pub fn random_token() -> String {
    hex(&random_bytes::<32>())
}

/// What the store keeps of a token: its SHA-256, hex.
pub fn token_hash(token: &str) -> String {
    hex(&Sha256::digest(token.as_bytes()))
}

/// Whether the host site's backend made `identity.hash`: hex HMAC-SHA256 of `id:email` with the
/// site's identity secret, compared in constant time.
pub fn identity_is_vouched(identity: &Identity, secret: &str) -> bool {
    let Some(claimed) = unhex(&identity.hash) else {
        return false;
    };
    let mut mac =
        Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes a key of any length");
    mac.update(format!("{}:{}", identity.id, identity.email).as_bytes());
    mac.verify_slice(&claimed).is_ok()
}

/// Whether a secret someone presented is the one expected, compared in constant time.
pub fn same_secret(given: &str, expected: &str) -> bool {
    let (given, expected) = (given.as_bytes(), expected.as_bytes());
    given.len() == expected.len()
        && given
            .iter()
            .zip(expected)
            .fold(0, |difference, (a, b)| difference | (a ^ b))
            == 0
}

fn random_bytes<const N: usize>() -> [u8; N] {
    let mut bytes = [0; N];
    // The operating system's generator; without it the relay cannot make safe tokens at all.
    getrandom::getrandom(&mut bytes).expect("the operating system's random source works");
    bytes
}

/// Lowercase hex.
pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}

/// Bytes from hex; none for anything that is not.
pub(crate) fn unhex(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) || !text.is_ascii() {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|idx| u8::from_str_radix(&text[idx..idx + 2], 16).ok())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn identity(hash: &str) -> Identity {
        Identity {
            id: "42".into(),
            email: "abel.tuter@example.com".into(),
            name: "Abel Tuter".into(),
            hash: hash.into(),
        }
    }

    #[test]
    fn a_hash_made_with_the_secret_is_vouched_and_any_other_is_not() {
        let mut mac = Hmac::<Sha256>::new_from_slice(b"site-secret-0123456789").expect("key");
        mac.update(b"42:abel.tuter@example.com");
        let good = hex(&mac.finalize().into_bytes());
        assert!(identity_is_vouched(
            &identity(&good),
            "site-secret-0123456789"
        ));
        assert!(!identity_is_vouched(
            &identity(&good),
            "another-secret-0123456"
        ));
        let mut forged = good.clone().into_bytes();
        forged[0] = if forged[0] == b'0' { b'1' } else { b'0' };
        let forged = String::from_utf8(forged).expect("ascii");
        assert!(!identity_is_vouched(
            &identity(&forged),
            "site-secret-0123456789"
        ));
        for broken in ["", "zz", "abc", "é"] {
            assert!(!identity_is_vouched(
                &identity(broken),
                "site-secret-0123456789"
            ));
        }
    }

    #[test]
    fn tokens_are_long_random_and_kept_only_as_hashes() {
        let (first, second) = (random_token(), random_token());
        assert_eq!(first.len(), 64);
        assert_ne!(first, second);
        assert_eq!(token_hash(&first), token_hash(&first));
        assert_ne!(token_hash(&first), first);
    }
}
