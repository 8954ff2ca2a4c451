//! The redb key of an item, chosen so that redb's order is DynamoDB's order.
//!
//! The key is the partition key's length (4 bytes, big-endian), the partition key, then the
//! sort key, all as UTF-8 bytes. Every key of a partition starts with the same bytes and no
//! other partition's key does, so within a partition redb's byte order is sort-key byte order,
//! which is how DynamoDB orders string sort keys.

use std::ops::Bound;

use crate::backend::QueryRequest;

/// The redb key for `pk` and `sk`.
pub(super) fn encode(pk: &str, sk: &str) -> Vec<u8> {
    let pk_len = u32::try_from(pk.len()).unwrap_or(u32::MAX);
    let mut bytes = Vec::with_capacity(4 + pk.len() + sk.len());
    bytes.extend_from_slice(&pk_len.to_be_bytes());
    bytes.extend_from_slice(pk.as_bytes());
    bytes.extend_from_slice(sk.as_bytes());
    bytes
}

/// The redb keys a query reads, given its partition, prefix and start key.
///
/// The start key must be inside the partition and prefix ([`QueryRequest::validate`]).
pub(super) fn query_range(request: &QueryRequest) -> (Bound<Vec<u8>>, Bound<Vec<u8>>) {
    let prefix = encode(
        &request.pk,
        request.sk_prefix.as_deref().unwrap_or_default(),
    );
    let end = successor(&prefix).map_or(Bound::Unbounded, Bound::Excluded);
    let start = request
        .exclusive_start
        .as_ref()
        .map(|key| encode(&key.pk, &key.sk));

    match (start, request.forward) {
        (None, _) => (Bound::Included(prefix), end),
        (Some(start), true) => (Bound::Excluded(start), end),
        (Some(start), false) => (Bound::Included(prefix), Bound::Excluded(start)),
    }
}

/// The smallest byte string above every string that starts with `prefix`, if there is one.
fn successor(prefix: &[u8]) -> Option<Vec<u8>> {
    let last = prefix.iter().rposition(|&byte| byte != u8::MAX)?;
    let mut next = prefix[..=last].to_vec();
    next[last] += 1;
    Some(next)
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn successor_skips_trailing_max_bytes() {
        assert_eq!(successor(b"ab"), Some(b"ac".to_vec()));
        assert_eq!(successor(&[1, 0xFF, 0xFF]), Some(vec![2]));
        assert_eq!(successor(&[0xFF]), None);
    }

    #[test]
    fn a_partition_never_contains_a_longer_partition_key() {
        let short = encode("a", "zzz");
        let long = encode("ab", "");
        let end = successor(&encode("a", "")).unwrap_or_default();
        assert!(short < end && long >= end);
    }

    proptest! {
        #[test]
        fn keys_order_like_sort_key_bytes(
            pk in "\\PC{1,8}",
            a in "\\PC{0,8}",
            b in "\\PC{0,8}",
        ) {
            let encoded = encode(&pk, &a).cmp(&encode(&pk, &b));
            prop_assert_eq!(encoded, a.as_bytes().cmp(b.as_bytes()));
        }
    }
}
