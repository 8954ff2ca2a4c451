//! Opaque pagination cursors.
//!
//! A cursor is URL-safe base64 (no padding) of:
//!
//! | bytes | content |
//! |---|---|
//! | 1 | format version, 1 |
//! | 16 | fingerprint: SHA-256 of the entity type, partition key, sort-key prefix and direction |
//! | 4 | partition key length, big-endian |
//! | n | partition key, UTF-8 |
//! | rest | sort key, UTF-8 |
//!
//! The fingerprint lets a query refuse a cursor that another query produced. It is not a
//! secret: anyone can forge a cursor, so the key inside is checked against the query too. An
//! HMAC comes later (see the crate ROADMAP).

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sha2::{Digest, Sha256};

use crate::{Error, Key};

const FORMAT_VERSION: u8 = 1;
const FINGERPRINT_LEN: usize = 16;
const HEADER_LEN: usize = 1 + FINGERPRINT_LEN + 4;
/// Longer cursors are refused before decoding; real ones stay under 4.1 KiB.
const MAX_CURSOR_LEN: usize = 8 * 1024;

/// A digest of what a query asks for, ignoring the page size.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Fingerprint([u8; FINGERPRINT_LEN]);

impl Fingerprint {
    /// The fingerprint of a query for `entity_type` items.
    pub(crate) fn of(entity_type: &str, pk: &str, sk_prefix: Option<&str>, forward: bool) -> Self {
        let mut hasher = Sha256::new();
        hash_part(&mut hasher, entity_type);
        hash_part(&mut hasher, pk);
        match sk_prefix {
            Some(prefix) => {
                hasher.update([1]);
                hash_part(&mut hasher, prefix);
            }
            None => hasher.update([0]),
        }
        hasher.update([u8::from(forward)]);

        let mut bytes = [0; FINGERPRINT_LEN];
        bytes.copy_from_slice(&hasher.finalize()[..FINGERPRINT_LEN]);
        Self(bytes)
    }
}

/// Length-prefixed, so that no two different queries hash the same bytes.
fn hash_part(hasher: &mut Sha256, part: &str) {
    hasher.update((part.len() as u64).to_be_bytes());
    hasher.update(part.as_bytes());
}

/// The cursor that resumes a query after `key`.
pub(crate) fn encode(fingerprint: Fingerprint, key: &Key) -> String {
    let pk_len = u32::try_from(key.pk.len()).unwrap_or(u32::MAX);
    let mut bytes = Vec::with_capacity(HEADER_LEN + key.pk.len() + key.sk.len());
    bytes.push(FORMAT_VERSION);
    bytes.extend_from_slice(&fingerprint.0);
    bytes.extend_from_slice(&pk_len.to_be_bytes());
    bytes.extend_from_slice(key.pk.as_bytes());
    bytes.extend_from_slice(key.sk.as_bytes());
    URL_SAFE_NO_PAD.encode(bytes)
}

/// The key a cursor resumes after, if the cursor came from a query with this fingerprint.
///
/// # Errors
///
/// A validation error when the cursor is malformed or came from another query.
pub(crate) fn decode(cursor: &str, expected: Fingerprint) -> Result<Key, Error> {
    let bytes = decode_bytes(cursor).ok_or_else(malformed)?;
    let (header, keys) = bytes.split_at(HEADER_LEN);
    if header[0] != FORMAT_VERSION {
        return Err(malformed());
    }
    if header[1..=FINGERPRINT_LEN] != expected.0 {
        return Err(Error::validation("the cursor belongs to another query"));
    }
    split_key(&header[1 + FINGERPRINT_LEN..], keys).ok_or_else(malformed)
}

fn decode_bytes(cursor: &str) -> Option<Vec<u8>> {
    if cursor.len() > MAX_CURSOR_LEN {
        return None;
    }
    let bytes = URL_SAFE_NO_PAD.decode(cursor).ok()?;
    (bytes.len() >= HEADER_LEN).then_some(bytes)
}

fn split_key(pk_len: &[u8], keys: &[u8]) -> Option<Key> {
    let pk_len = usize::try_from(u32::from_be_bytes(pk_len.try_into().ok()?)).ok()?;
    let (pk, sk) = keys.split_at_checked(pk_len)?;
    let pk = std::str::from_utf8(pk).ok()?;
    let sk = std::str::from_utf8(sk).ok()?;
    Some(Key::new(pk, sk))
}

fn malformed() -> Error {
    Error::validation("the cursor is malformed")
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn fingerprint() -> Fingerprint {
        Fingerprint::of("Todo", "LIST#1", Some("TODO#"), true)
    }

    #[test]
    fn every_query_part_changes_the_fingerprint() {
        let base = fingerprint();
        assert_ne!(base, Fingerprint::of("Note", "LIST#1", Some("TODO#"), true));
        assert_ne!(base, Fingerprint::of("Todo", "LIST#2", Some("TODO#"), true));
        assert_ne!(base, Fingerprint::of("Todo", "LIST#1", None, true));
        assert_ne!(
            base,
            Fingerprint::of("Todo", "LIST#1", Some("TODO#"), false)
        );
    }

    #[test]
    fn a_cursor_from_another_query_is_refused() {
        let other = Fingerprint::of("Todo", "LIST#2", None, true);
        let cursor = encode(other, &Key::new("LIST#2", "TODO#1"));
        let error = decode(&cursor, fingerprint()).unwrap_err();
        assert!(error.is_validation());
    }

    #[test]
    fn garbage_is_refused() {
        for garbage in ["", "!!!", "AAAA", "x".repeat(MAX_CURSOR_LEN + 1).as_str()] {
            assert!(decode(garbage, fingerprint()).unwrap_err().is_validation());
        }
    }

    proptest! {
        #[test]
        fn cursors_round_trip(pk in "\\PC{1,40}", sk in "\\PC{1,40}") {
            let key = Key::new(pk, sk);
            let cursor = encode(fingerprint(), &key);
            let url_safe = |b: u8| b.is_ascii_alphanumeric() || b == b'-' || b == b'_';
            prop_assert!(cursor.bytes().all(url_safe));
            prop_assert_eq!(decode(&cursor, fingerprint()).unwrap(), key);
        }

        #[test]
        fn decoding_anything_never_panics(
            text in "\\PC*",
            bytes in prop::collection::vec(any::<u8>(), 0..64),
        ) {
            let _ = decode(&text, fingerprint());
            let _ = decode(&URL_SAFE_NO_PAD.encode(bytes), fingerprint());
        }
    }
}
