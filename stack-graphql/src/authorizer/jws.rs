//! Compact JWS: strict parsing and signature checks with the key's own algorithm.
//!
//! The header only names the key (`kid`); the algorithm comes from the key. A header whose
//! `alg` differs from the key's is refused before any cryptography runs, which closes
//! `alg: none`, HS256-with-a-public-key and cross-algorithm confusion. Base64url must be
//! unpadded and canonical, and a header with `crit` is refused (no extension is understood).

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::Deserialize;
use serde_json::Value;

use super::error::TokenError;
use super::jwks::KeySet;

/// The longest token accepted, in bytes (Cognito tokens with many groups stay well under).
pub const MAX_TOKEN_BYTES: usize = 16 * 1024;

/// A compact JWS split into its parts, the header decoded.
#[derive(Debug)]
pub(crate) struct Compact<'a> {
    signing_input: &'a str,
    payload: &'a str,
    signature: &'a str,
    header: Header,
}

#[derive(Debug, Deserialize)]
struct Header {
    alg: Option<Value>,
    kid: Option<Value>,
    crit: Option<Value>,
}

impl<'a> Compact<'a> {
    /// Splits `token` into three parts and decodes the header.
    pub(crate) fn parse(token: &'a str) -> Result<Self, TokenError> {
        if token.is_empty() {
            return Err(TokenError::Missing);
        }
        if token.len() > MAX_TOKEN_BYTES {
            return Err(TokenError::Malformed("longer than the limit"));
        }
        let mut parts = token.split('.');
        let (Some(header), Some(payload), Some(signature), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(TokenError::Malformed("not three dot-separated parts"));
        };
        let signing_input = &token[..header.len() + 1 + payload.len()];
        let header = decode(header).ok_or(TokenError::Malformed("header is not base64url"))?;
        let header: Header =
            json_object(&header).ok_or(TokenError::Malformed("header is not a JSON object"))?;
        if header.crit.is_some() {
            return Err(TokenError::Malformed("header has critical extensions"));
        }
        Ok(Self {
            signing_input,
            payload,
            signature,
            header,
        })
    }

    /// The key id the header names, if it names one as a string.
    pub(crate) fn kid(&self) -> Option<&str> {
        self.header.kid.as_ref().and_then(Value::as_str)
    }

    /// Checks the signature with the named key and returns the decoded payload.
    pub(crate) fn verify(&self, keys: &KeySet) -> Result<Vec<u8>, TokenError> {
        let kid = self.kid().ok_or(TokenError::UnknownKey)?;
        let expected = keys.algorithm_of(kid).ok_or(TokenError::UnknownKey)?;
        let found = self.header.alg.as_ref().and_then(Value::as_str);
        if found != Some(expected.name()) {
            return Err(TokenError::AlgorithmMismatch {
                expected: expected.name(),
                found: found.unwrap_or_default().chars().take(16).collect(),
            });
        }
        let signature = decode(self.signature).ok_or(TokenError::BadSignature)?;
        match keys.check(kid, self.signing_input.as_bytes(), &signature) {
            Some(Ok(())) => {}
            Some(Err(())) | None => return Err(TokenError::BadSignature),
        }
        if self.payload.is_empty() {
            return Ok(Vec::new());
        }
        decode(self.payload).ok_or(TokenError::Malformed("payload is not base64url"))
    }
}

impl KeySet {
    /// Verifies a compact JWS with these keys and returns its payload.
    ///
    /// The key is the one the header's `kid` names; its pinned algorithm must be the header's
    /// `alg`. Claims are not looked at: see [`TokenVerifier`](super::TokenVerifier) for JWTs.
    ///
    /// # Errors
    ///
    /// A [`TokenError`] saying what is wrong: malformed, unknown key, algorithm mismatch or bad
    /// signature.
    pub fn verify(&self, token: &str) -> Result<Vec<u8>, TokenError> {
        Compact::parse(token)?.verify(self)
    }
}

/// A JSON object (never an array, which serde would read field by field) without duplicate
/// members.
pub(crate) fn json_object<T: serde::de::DeserializeOwned>(text: &[u8]) -> Option<T> {
    let first = text.iter().find(|b| !b.is_ascii_whitespace())?;
    if *first != b'{' {
        return None;
    }
    serde_json::from_slice(text).ok()
}

/// Strict base64url: no padding, no whitespace, canonical trailing bits; empty is refused.
fn decode(part: &str) -> Option<Vec<u8>> {
    if part.is_empty() {
        return None;
    }
    URL_SAFE_NO_PAD.decode(part).ok()
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    #[test]
    fn shapes_other_than_three_parts_are_malformed() {
        for token in ["a", "a.b", "a.b.c.d", "....."] {
            let error = Compact::parse(token).unwrap_err();
            assert!(
                matches!(error, TokenError::Malformed(_)),
                "{token}: {error}"
            );
        }
        assert_eq!(Compact::parse("").unwrap_err(), TokenError::Missing);
    }

    #[test]
    fn padded_or_non_canonical_base64_is_refused() {
        assert_eq!(decode("eyJ9"), Some(b"{\"}".to_vec()));
        assert_eq!(decode("eyJ9=="), None);
        assert_eq!(decode("eyJ9 "), None);
        assert_eq!(decode("QR"), None, "non-zero trailing bits");
        assert_eq!(decode("QQ"), Some(b"A".to_vec()));
    }

    #[test]
    fn headers_must_be_objects() {
        let header = URL_SAFE_NO_PAD.encode(br#"["RS256","k",null]"#);
        let token = format!("{header}.e30.c2ln");
        assert!(matches!(
            Compact::parse(&token),
            Err(TokenError::Malformed(_))
        ));
    }

    #[test]
    fn critical_headers_are_refused() {
        let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"RS256","kid":"k","crit":["b64"]}"#);
        let token = format!("{header}.e30.c2ln");
        assert!(matches!(
            Compact::parse(&token),
            Err(TokenError::Malformed(_))
        ));
    }
}
