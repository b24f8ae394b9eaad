//! The `x-b2b-signature` header: "the HmacSHA1 encoded value of the request payload, which uses
//! the token created in the ServiceNow instance", as lowercase hex; the documented Postman script
//! signs `JSON.stringify(JSON.parse(request.data))` (`set-up-message-auth-va-api.md`, step 4).

use hmac::{Hmac, Mac};
use sha1::Sha1;

/// The header name, lowercase as documented.
pub(crate) const HEADER: &str = "x-b2b-signature";

type HmacSha1 = Hmac<Sha1>;

/// The signature of `payload` with `secret`, as lowercase hex.
pub(crate) fn sign(secret: &str, payload: &[u8]) -> String {
    let mut mac = mac(secret);
    mac.update(payload);
    hex(&mac.finalize().into_bytes())
}

/// Whether `signature` signs `payload`. Senders that follow the documented script sign the
/// payload without insignificant whitespace, so a pretty-printed body is checked in its compact
/// form too.
pub(crate) fn verify(secret: &str, payload: &[u8], signature: &str) -> bool {
    let Some(expected) = unhex(signature.trim()) else {
        return false;
    };
    let matches = |bytes: &[u8]| {
        let mut mac = mac(secret);
        mac.update(bytes);
        mac.verify_slice(&expected).is_ok()
    };
    matches(payload) || matches(&compact_json(payload))
}

fn mac(secret: &str) -> HmacSha1 {
    HmacSha1::new_from_slice(secret.as_bytes()).expect("HMAC takes keys of any length")
}

/// `payload` without whitespace outside JSON strings, which is what `JSON.stringify` of the
/// parsed payload gives for the bodies chat clients send (key order and escapes are kept).
fn compact_json(payload: &[u8]) -> Vec<u8> {
    let mut compact = Vec::with_capacity(payload.len());
    let mut in_string = false;
    let mut escaped = false;
    for &byte in payload {
        if in_string {
            compact.push(byte);
            match (escaped, byte) {
                (true, _) => escaped = false,
                (false, b'\\') => escaped = true,
                (false, b'"') => in_string = false,
                (false, _) => {}
            }
            continue;
        }
        match byte {
            b' ' | b'\t' | b'\n' | b'\r' => {}
            b'"' => {
                in_string = true;
                compact.push(byte);
            }
            _ => compact.push(byte),
        }
    }
    compact
}

fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut text = String::with_capacity(bytes.len() * 2);
    for &byte in bytes {
        text.push(char::from(DIGITS[usize::from(byte >> 4)]));
        text.push(char::from(DIGITS[usize::from(byte & 0x0f)]));
    }
    text
}

fn unhex(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) {
        return None;
    }
    let digit = |byte: u8| char::from(byte).to_digit(16);
    text.as_bytes()
        .chunks(2)
        .map(|pair| {
            let high = digit(pair[0])?;
            let low = digit(pair[1])?;
            u8::try_from(high * 16 + low).ok()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signs_like_hmac_sha1() {
        // RFC 2202, test case 2.
        assert_eq!(
            sign("Jefe", b"what do ya want for nothing?"),
            "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79"
        );
    }

    #[test]
    fn verifies_compact_and_pretty_payloads() {
        let compact = br#"{"requestId":"r 1","message":{"text":"a \"b\"  c"}}"#;
        let pretty =
            b"{\n  \"requestId\": \"r 1\",\n  \"message\": { \"text\": \"a \\\"b\\\"  c\" }\n}";
        assert_eq!(compact_json(pretty), compact.to_vec());
        let signature = sign("token", compact);
        assert!(verify("token", compact, &signature));
        assert!(verify("token", pretty, &signature));
        assert!(verify("token", compact, &signature.to_uppercase()));
        assert!(!verify("other", compact, &signature));
        assert!(!verify("token", compact, "zz"));
        assert!(!verify("token", compact, ""));
    }
}
