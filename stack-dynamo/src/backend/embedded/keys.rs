//! The redb keys of items and index entries, chosen so that redb's order is DynamoDB's order.
//!
//! A position is the partition key's length (4 bytes, big-endian), the partition key, then the
//! sort key *escaped*: every 0x00 byte becomes 0x00 0xFF, and 0x00 0x00 ends it. The escaping
//! keeps byte order and makes the sort key self-delimiting, so something can follow it: an
//! index entry is the position of its index key followed by the item's primary key, which
//! orders items with equal index keys by their primary key.
//!
//! Every position of a partition starts with the same bytes and no other partition's does, so
//! within a partition redb's byte order is sort-key byte order, as in DynamoDB.

use std::ops::Bound;

use crate::SortKey;

/// The bytes every position of partition `pk` starts with.
fn partition(pk: &str) -> Vec<u8> {
    let pk_len = u32::try_from(pk.len()).unwrap_or(u32::MAX);
    let mut bytes = Vec::with_capacity(4 + pk.len() + 16);
    bytes.extend_from_slice(&pk_len.to_be_bytes());
    bytes.extend_from_slice(pk.as_bytes());
    bytes
}

/// Appends `sk` escaped, without the terminator.
fn escape_into(bytes: &mut Vec<u8>, sk: &str) {
    for &byte in sk.as_bytes() {
        bytes.push(byte);
        if byte == 0 {
            bytes.push(0xFF);
        }
    }
}

/// `pk` and `sk` followed by `tail`: `[0, 0]` ends the sort key, `[0, 1]` is just above
/// every position whose sort key is `sk`, `[]` is the prefix of the sort keys starting so.
fn at(pk: &str, sk: &str, tail: &[u8]) -> Vec<u8> {
    let mut bytes = partition(pk);
    escape_into(&mut bytes, sk);
    bytes.extend_from_slice(tail);
    bytes
}

/// A range of redb keys, as redb's `range` takes it.
pub(super) type Range = (Bound<Vec<u8>>, Bound<Vec<u8>>);

const END: [u8; 2] = [0, 0];
const AFTER: [u8; 2] = [0, 1];

/// The position of the item with primary key (`pk`, `sk`) in the items table.
pub(super) fn position(pk: &str, sk: &str) -> Vec<u8> {
    at(pk, sk, &END)
}

/// The redb key of an index entry: the index key's position, then the item's primary key.
pub(super) fn index_entry(index_pk: &str, index_sk: &str, pk: &str, sk: &str) -> Vec<u8> {
    let mut bytes = position(index_pk, index_sk);
    bytes.extend_from_slice(&position(pk, sk));
    bytes
}

/// The positions a key condition covers, in partition `pk`.
pub(super) fn range(pk: &str, sk: Option<&SortKey>) -> Range {
    let whole = partition(pk);
    let end = || successor(&whole).map_or(Bound::Unbounded, Bound::Excluded);
    let Some(sk) = sk else {
        return (Bound::Included(whole.clone()), end());
    };
    match sk {
        SortKey::Equals(value) => (
            Bound::Included(at(pk, value, &END)),
            Bound::Excluded(at(pk, value, &AFTER)),
        ),
        SortKey::BeginsWith(prefix) => {
            let start = at(pk, prefix, &[]);
            let stop = successor(&start).map_or_else(end, Bound::Excluded);
            (Bound::Included(start), stop)
        }
        SortKey::Between(low, high) => (
            Bound::Included(at(pk, low, &END)),
            Bound::Excluded(at(pk, high, &AFTER)),
        ),
        SortKey::LessThan(value) => (Bound::Included(whole), Bound::Excluded(at(pk, value, &END))),
        SortKey::AtMost(value) => (
            Bound::Included(whole),
            Bound::Excluded(at(pk, value, &AFTER)),
        ),
        SortKey::GreaterThan(value) => (Bound::Included(at(pk, value, &AFTER)), end()),
        SortKey::AtLeast(value) => (Bound::Included(at(pk, value, &END)), end()),
    }
}

/// Whether a range holds nothing (redb wants its start at or below its end).
pub(super) fn is_empty(range: &Range) -> bool {
    match range {
        (Bound::Included(low), Bound::Included(high)) => low > high,
        (Bound::Included(low) | Bound::Excluded(low), Bound::Excluded(high))
        | (Bound::Excluded(low), Bound::Included(high)) => low >= high,
        _ => false,
    }
}

/// The smallest byte string above every string that starts with `prefix`, if there is one.
fn successor(prefix: &[u8]) -> Option<Vec<u8>> {
    let last = prefix.iter().rposition(|&byte| byte != u8::MAX)?;
    let mut next = prefix[..=last].to_vec();
    next[last] += 1;
    Some(next)
}

/// The scan segment a partition belongs to: FNV-1a of the partition key, modulo `total`.
pub(super) fn segment_of(pk: &str, total: u32) -> u32 {
    let hash = pk
        .as_bytes()
        .iter()
        .fold(0xcbf2_9ce4_8422_2325_u64, |hash, &byte| {
            (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3)
        });
    u32::try_from(hash % u64::from(total.max(1))).unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn contains(range: &Range, key: &[u8]) -> bool {
        use std::ops::RangeBounds;
        let (low, high) = (
            range.0.as_ref().map(Vec::as_slice),
            range.1.as_ref().map(Vec::as_slice),
        );
        RangeBounds::<[u8]>::contains(&(low, high), key)
    }

    #[test]
    fn successor_skips_trailing_max_bytes() {
        assert_eq!(successor(b"ab"), Some(b"ac".to_vec()));
        assert_eq!(successor(&[1, 0xFF, 0xFF]), Some(vec![2]));
        assert_eq!(successor(&[0xFF]), None);
    }

    #[test]
    fn a_partition_never_contains_a_longer_partition_key() {
        let range = range("a", None);
        assert!(contains(&range, &position("a", "zzz")));
        assert!(!contains(&range, &position("ab", "")));
    }

    #[test]
    fn equal_index_keys_order_by_primary_key() {
        assert!(index_entry("G", "x", "P", "1") < index_entry("G", "x", "P", "2"));
        assert!(index_entry("G", "x", "Q", "0") < index_entry("G", "x\u{0}", "P", "0"));
    }

    proptest! {
        #[test]
        fn positions_order_like_sort_key_bytes(
            pk in "\\PC{1,8}",
            a in "[\\x00-\\x02a\\PC]{0,8}",
            b in "[\\x00-\\x02a\\PC]{0,8}",
        ) {
            let encoded = position(&pk, &a).cmp(&position(&pk, &b));
            prop_assert_eq!(encoded, a.as_bytes().cmp(b.as_bytes()));
        }

        #[test]
        fn ranges_hold_exactly_the_matching_sort_keys(
            sk in "[\\x00ab]{0,4}",
            value in "[\\x00ab]{1,3}",
            other in "[\\x00ab]{1,3}",
        ) {
            let conditions = [
                SortKey::Equals(value.clone()),
                SortKey::BeginsWith(value.clone()),
                SortKey::Between(value.clone(), other.clone()),
                SortKey::LessThan(value.clone()),
                SortKey::AtMost(value.clone()),
                SortKey::GreaterThan(value.clone()),
                SortKey::AtLeast(value.clone()),
            ];
            for condition in conditions {
                let range = range("P", Some(&condition));
                let inside = !is_empty(&range) && contains(&range, &position("P", &sk));
                prop_assert_eq!(inside, condition.matches(&sk), "{:?} {:?}", condition, sk);
            }
        }
    }
}
