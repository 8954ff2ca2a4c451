//! Opaque, signed pagination cursors.
//!
//! A cursor is URL-safe base64 (no padding) of:
//!
//! | bytes | content |
//! |---|---|
//! | 1 | format version, 2 |
//! | 16 | fingerprint: SHA-256 of what the query asks for (entity types, index, partition, sort-key condition, direction, scan segment) |
//! | n | the position to resume after: the key attributes of the last item, as DynamoDB JSON |
//! | 32 | HMAC-SHA256 of everything before, under the table's [`CursorKey`] |
//!
//! The fingerprint binds a cursor to its query; the MAC makes any change to it detectable.
//! Nothing in it is encrypted: the key attributes of the last item are readable by whoever
//! holds the cursor, as they are in DynamoDB's own `LastEvaluatedKey`.

use std::fmt;
use std::sync::Arc;

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use serde_dynamo::Item;
use sha2::{Digest, Sha256};

use crate::{Error, SortKey};

const FORMAT_VERSION: u8 = 2;
const FINGERPRINT_LEN: usize = 16;
const MAC_LEN: usize = 32;
/// Longer cursors are refused before decoding; real ones stay under 8 KiB.
const MAX_CURSOR_LEN: usize = 12 * 1024;
/// The shortest secret accepted: as long as the MAC.
const MIN_SECRET_LEN: usize = 32;

/// The secret that signs cursors, shared by every instance that serves the same queries.
///
/// Every Lambda instance of a service must sign with the same key, or a cursor from one
/// instance is refused by the next. Keep it in a secret store (Secrets Manager, SSM
/// SecureString), hand it to the function as an environment variable such as
/// `STACK_CURSOR_KEY` (base64 of at least 32 random bytes), and pass it to
/// [`Table::with_cursor_key`](crate::Table::with_cursor_key). To rotate, deploy the new key
/// with the old one as [`Table::with_previous_cursor_key`](crate::Table::with_previous_cursor_key)
/// until old cursors have aged out.
///
/// Without a configured key a table signs with a key derived from the crate's name: cursors
/// are still bound to their query and any accidental change is caught, but anyone who reads
/// this source can forge one.
#[derive(Clone)]
pub struct CursorKey(Arc<[u8]>);

impl CursorKey {
    /// A key from secret bytes.
    ///
    /// # Errors
    ///
    /// A validation error when the secret is shorter than 32 bytes.
    pub fn new(secret: impl AsRef<[u8]>) -> Result<Self, Error> {
        let secret = secret.as_ref();
        if secret.len() < MIN_SECRET_LEN {
            let message = format!("a cursor key needs at least {MIN_SECRET_LEN} bytes");
            return Err(Error::validation(message));
        }
        Ok(Self(secret.into()))
    }

    /// A key from standard base64 text, as kept in an environment variable.
    ///
    /// # Errors
    ///
    /// A validation error when the text is not base64 or the secret is too short.
    pub fn from_base64(text: &str) -> Result<Self, Error> {
        let secret = STANDARD
            .decode(text.trim())
            .map_err(|_| Error::validation("the cursor key is not base64"))?;
        Self::new(secret)
    }

    /// The key used when none is configured (see the type's documentation).
    pub(crate) fn unconfigured() -> Self {
        Self(
            Sha256::digest(b"stack-dynamo cursor key (unconfigured)")
                .to_vec()
                .into(),
        )
    }

    fn sign(&self, message: &[u8]) -> [u8; MAC_LEN] {
        hmac_sha256(&self.0, message)
    }
}

impl fmt::Debug for CursorKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("CursorKey(<redacted>)")
    }
}

/// The keys a table signs with and accepts.
#[derive(Debug, Clone)]
pub(crate) struct CursorKeys {
    pub(crate) current: CursorKey,
    pub(crate) previous: Vec<CursorKey>,
}

impl Default for CursorKeys {
    fn default() -> Self {
        Self {
            current: CursorKey::unconfigured(),
            previous: Vec::new(),
        }
    }
}

/// A digest of what a read asks for, ignoring the page size and filter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Fingerprint([u8; FINGERPRINT_LEN]);

/// What a read asks for, for its fingerprint.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Scope<'a> {
    pub(crate) types: &'a [&'a str],
    pub(crate) index: Option<&'a str>,
    pub(crate) pk: Option<&'a str>,
    pub(crate) sk: Option<&'a SortKey>,
    pub(crate) forward: bool,
    pub(crate) segment: Option<(u32, u32)>,
}

impl Fingerprint {
    pub(crate) fn of(scope: &Scope<'_>) -> Self {
        let mut hasher = Sha256::new();
        hasher.update((scope.types.len() as u64).to_be_bytes());
        for entity_type in scope.types {
            hash_part(&mut hasher, Some(entity_type));
        }
        hash_part(&mut hasher, scope.index);
        hash_part(&mut hasher, scope.pk);
        hash_part(&mut hasher, scope.sk.map(SortKey::operator));
        for value in scope.sk.iter().flat_map(|sk| sk.values()) {
            hash_part(&mut hasher, Some(value));
        }
        hasher.update([u8::from(scope.forward)]);
        let (segment, total) = scope.segment.unwrap_or((u32::MAX, 0));
        hasher.update(segment.to_be_bytes());
        hasher.update(total.to_be_bytes());

        let mut bytes = [0; FINGERPRINT_LEN];
        bytes.copy_from_slice(&hasher.finalize()[..FINGERPRINT_LEN]);
        Self(bytes)
    }
}

/// Tagged and length-prefixed, so that no two different reads hash the same bytes.
fn hash_part(hasher: &mut Sha256, part: Option<&str>) {
    match part {
        Some(part) => {
            hasher.update([1]);
            hasher.update((part.len() as u64).to_be_bytes());
            hasher.update(part.as_bytes());
        }
        None => hasher.update([0]),
    }
}

/// The cursor that resumes a read after `position`.
pub(crate) fn encode(
    keys: &CursorKeys,
    fingerprint: Fingerprint,
    position: &Item,
) -> Result<String, Error> {
    let mut bytes = vec![FORMAT_VERSION];
    bytes.extend_from_slice(&fingerprint.0);
    serde_json::to_writer(&mut bytes, position)
        .map_err(|error| Error::internal_from("cannot encode a cursor", error))?;
    let mac = keys.current.sign(&bytes);
    bytes.extend_from_slice(&mac);
    Ok(URL_SAFE_NO_PAD.encode(bytes))
}

/// The position a cursor resumes after, if it is intact and came from a read with this
/// fingerprint.
///
/// # Errors
///
/// A validation error when the cursor is malformed, altered, signed with another key, or
/// came from another read.
pub(crate) fn decode(
    keys: &CursorKeys,
    cursor: &str,
    expected: Fingerprint,
) -> Result<Item, Error> {
    let bytes = decode_bytes(cursor).ok_or_else(malformed)?;
    let (signed, mac) = bytes.split_at(bytes.len() - MAC_LEN);
    let known = std::iter::once(&keys.current).chain(&keys.previous);
    if !known
        .into_iter()
        .any(|key| equal_in_constant_time(&key.sign(signed), mac))
    {
        return Err(Error::validation(
            "the cursor was altered or is not from this table",
        ));
    }
    if signed[0] != FORMAT_VERSION {
        return Err(malformed());
    }
    if signed[1..=FINGERPRINT_LEN] != expected.0 {
        return Err(Error::validation("the cursor belongs to another query"));
    }
    serde_json::from_slice(&signed[1 + FINGERPRINT_LEN..]).map_err(|_| malformed())
}

fn decode_bytes(cursor: &str) -> Option<Vec<u8>> {
    if cursor.len() > MAX_CURSOR_LEN {
        return None;
    }
    let bytes = URL_SAFE_NO_PAD.decode(cursor).ok()?;
    (bytes.len() > 1 + FINGERPRINT_LEN + MAC_LEN).then_some(bytes)
}

fn malformed() -> Error {
    Error::validation("the cursor is malformed")
}

/// HMAC-SHA256 (RFC 2104) over the sha2 crate the workspace already builds.
fn hmac_sha256(secret: &[u8], message: &[u8]) -> [u8; MAC_LEN] {
    const BLOCK: usize = 64;
    let mut block = [0_u8; BLOCK];
    if secret.len() > BLOCK {
        block[..MAC_LEN].copy_from_slice(&Sha256::digest(secret));
    } else {
        block[..secret.len()].copy_from_slice(secret);
    }
    let inner = Sha256::new()
        .chain_update(block.map(|byte| byte ^ 0x36))
        .chain_update(message)
        .finalize();
    Sha256::new()
        .chain_update(block.map(|byte| byte ^ 0x5c))
        .chain_update(inner)
        .finalize()
        .into()
}

fn equal_in_constant_time(left: &[u8], right: &[u8]) -> bool {
    left.len() == right.len()
        && left
            .iter()
            .zip(right)
            .fold(0, |diff, (a, b)| diff | (a ^ b))
            == 0
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::Key;

    fn keys() -> CursorKeys {
        CursorKeys {
            current: CursorKey::new([7_u8; 32]).unwrap(),
            previous: Vec::new(),
        }
    }

    fn fingerprint() -> Fingerprint {
        let prefix = SortKey::BeginsWith("TODO#".into());
        Fingerprint::of(&Scope {
            types: &["Todo"],
            index: None,
            pk: Some("LIST#1"),
            sk: Some(&prefix),
            forward: true,
            segment: None,
        })
    }

    #[test]
    fn hmac_matches_rfc_4231_case_2() {
        let mac = hmac_sha256(b"Jefe", b"what do ya want for nothing?");
        let hex: String = mac.iter().map(|byte| format!("{byte:02x}")).collect();
        assert_eq!(
            hex,
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }

    #[test]
    fn every_query_part_changes_the_fingerprint() {
        let prefix = SortKey::BeginsWith("TODO#".into());
        let other_prefix = SortKey::BeginsWith("TODO#1".into());
        let base = Scope {
            types: &["Todo"],
            index: None,
            pk: Some("LIST#1"),
            sk: Some(&prefix),
            forward: true,
            segment: None,
        };
        let variants = [
            Scope {
                types: &["Note"],
                ..base
            },
            Scope {
                index: Some("gsi1"),
                ..base
            },
            Scope {
                pk: Some("LIST#2"),
                ..base
            },
            Scope { sk: None, ..base },
            Scope {
                sk: Some(&other_prefix),
                ..base
            },
            Scope {
                forward: false,
                ..base
            },
            Scope {
                segment: Some((0, 2)),
                ..base
            },
        ];
        for variant in variants {
            assert_ne!(
                Fingerprint::of(&base),
                Fingerprint::of(&variant),
                "{variant:?}"
            );
        }
    }

    #[test]
    fn a_cursor_signed_with_another_key_is_refused_and_rotation_works() {
        let position = Key::new("LIST#1", "TODO#1").to_item();
        let old = keys();
        let cursor = encode(&old, fingerprint(), &position).unwrap();
        let rotated = CursorKeys {
            current: CursorKey::new([9_u8; 32]).unwrap(),
            previous: Vec::new(),
        };
        assert!(
            decode(&rotated, &cursor, fingerprint())
                .unwrap_err()
                .is_validation()
        );

        let with_previous = CursorKeys {
            previous: vec![old.current.clone()],
            ..rotated
        };
        assert_eq!(
            decode(&with_previous, &cursor, fingerprint()).unwrap(),
            position
        );
    }

    #[test]
    fn short_and_non_base64_keys_are_refused() {
        assert!(CursorKey::new([1_u8; 31]).is_err());
        assert!(CursorKey::from_base64("not base64!").is_err());
        assert!(CursorKey::from_base64(&STANDARD.encode([1_u8; 32])).is_ok());
        assert_eq!(
            format!("{:?}", CursorKey::unconfigured()),
            "CursorKey(<redacted>)"
        );
    }

    #[test]
    fn garbage_is_refused() {
        for garbage in ["", "!!!", "AAAA", "x".repeat(MAX_CURSOR_LEN + 1).as_str()] {
            assert!(
                decode(&keys(), garbage, fingerprint())
                    .unwrap_err()
                    .is_validation()
            );
        }
    }

    proptest! {
        #[test]
        fn cursors_round_trip(pk in "\\PC{1,40}", sk in "\\PC{1,40}") {
            let position = Key::new(pk, sk).to_item();
            let cursor = encode(&keys(), fingerprint(), &position).unwrap();
            let url_safe = |b: u8| b.is_ascii_alphanumeric() || b == b'-' || b == b'_';
            prop_assert!(cursor.bytes().all(url_safe));
            prop_assert_eq!(decode(&keys(), &cursor, fingerprint()).unwrap(), position);
        }

        #[test]
        fn any_changed_byte_is_refused(index in any::<prop::sample::Index>(), flip in 1_u8..=255) {
            let position = Key::new("LIST#1", "TODO#1").to_item();
            let cursor = encode(&keys(), fingerprint(), &position).unwrap();
            let mut bytes = URL_SAFE_NO_PAD.decode(&cursor).unwrap();
            let at = index.index(bytes.len());
            bytes[at] ^= flip;
            let changed = URL_SAFE_NO_PAD.encode(bytes);
            prop_assert!(decode(&keys(), &changed, fingerprint()).unwrap_err().is_validation());
        }

        #[test]
        fn decoding_anything_never_panics(
            text in "\\PC*",
            bytes in prop::collection::vec(any::<u8>(), 0..128),
        ) {
            let _ = decode(&keys(), &text, fingerprint());
            let _ = decode(&keys(), &URL_SAFE_NO_PAD.encode(bytes), fingerprint());
        }
    }
}
