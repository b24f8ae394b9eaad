//! Base64url without padding (RFC 4648 section 5, as RFC 7636 appendix A uses it).

use crate::error::CoreError;

/// Encodes `input` with the URL- and filename-safe alphabet, without `=` padding.
pub fn base64url_encode(input: &[u8]) -> String {
    let mut encoded = String::with_capacity((input.len() * 4).div_ceil(3));
    for chunk in input.chunks(3) {
        let bytes = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let triple = u32::from(bytes[0]) << 16 | u32::from(bytes[1]) << 8 | u32::from(bytes[2]);
        // n input bytes carry 8n bits, which need n + 1 sextets.
        for sextet_idx in 0..=chunk.len() {
            let sextet = (triple >> (18 - 6 * sextet_idx)) & 0x3f;
            encoded.push(ALPHABET[sextet as usize] as char);
        }
    }
    encoded
}

/// Decodes unpadded base64url; refuses padding, other alphabets and non-canonical trailing bits.
pub fn base64url_decode(input: &str) -> Result<Vec<u8>, CoreError> {
    let malformed = |message: &str| CoreError::Malformed {
        message: format!("base64url {message}"),
    };
    if input.len() % 4 == 1 {
        return Err(malformed("has an impossible length"));
    }
    let mut decoded = Vec::with_capacity(input.len() * 3 / 4);
    for chunk in input.as_bytes().chunks(4) {
        let mut triple = 0u32;
        for (sextet_idx, &symbol) in chunk.iter().enumerate() {
            let sextet =
                sextet_value(symbol).ok_or_else(|| malformed("has a foreign character"))?;
            triple |= u32::from(sextet) << (18 - 6 * sextet_idx);
        }
        let n_bytes = chunk.len() - 1;
        let unused_bits = triple & (0x00ff_ffff >> (8 * n_bytes));
        if unused_bits != 0 {
            return Err(malformed("has non-zero trailing bits"));
        }
        decoded.extend_from_slice(&triple.to_be_bytes()[1..=n_bytes]);
    }
    Ok(decoded)
}

const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

fn sextet_value(symbol: u8) -> Option<u8> {
    match symbol {
        b'A'..=b'Z' => Some(symbol - b'A'),
        b'a'..=b'z' => Some(symbol - b'a' + 26),
        b'0'..=b'9' => Some(symbol - b'0' + 52),
        b'-' => Some(62),
        b'_' => Some(63),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn check(input: &[u8], expected: &str) {
        assert_eq!(base64url_encode(input), expected, "encoding {input:?}");
        assert_eq!(
            base64url_decode(expected).as_deref(),
            Ok(input),
            "decoding {expected:?}"
        );
    }

    fn check_refused(input: &str) {
        assert!(
            matches!(base64url_decode(input), Err(CoreError::Malformed { .. })),
            "{input:?} must be refused"
        );
    }

    #[test]
    fn matches_rfc4648_vectors_without_padding() {
        check(b"", "");
        check(b"f", "Zg");
        check(b"fo", "Zm8");
        check(b"foo", "Zm9v");
        check(b"foob", "Zm9vYg");
        check(b"fooba", "Zm9vYmE");
        check(b"foobar", "Zm9vYmFy");
    }

    #[test]
    fn uses_the_url_safe_alphabet() {
        check(&[0xfb, 0xff], "-_8");
        check(&[0xff, 0xff, 0xff], "____");
        check(&[0x00, 0x00, 0x00], "AAAA");
    }

    #[test]
    fn refuses_what_is_not_canonical_base64url() {
        check_refused("Zg==");
        check_refused("Zm9v+/8");
        check_refused("Z");
        check_refused("Zh");
        check_refused("Zm9");
        check_refused("Zm 9v");
    }

    proptest! {
        #[test]
        fn round_trips(bytes in proptest::collection::vec(any::<u8>(), 0..300)) {
            let encoded = base64url_encode(&bytes);
            prop_assert_eq!(encoded.len(), (bytes.len() * 4).div_ceil(3));
            prop_assert!(encoded.bytes().all(|byte| byte.is_ascii_alphanumeric() || byte == b'-' || byte == b'_'));
            prop_assert_eq!(base64url_decode(&encoded), Ok(bytes));
        }

        #[test]
        fn decoding_never_panics(input in "\\PC{0,40}") {
            let _ = base64url_decode(&input);
        }
    }
}
