//! Typed reads of many items: queries of a partition of the table or an index, scans, and
//! collections, paginated with signed cursors.

mod collection;
pub(crate) mod cursor;
mod read;

use serde_dynamo::AttributeValue;

pub use self::collection::Collection;
pub use self::cursor::CursorKey;
pub(crate) use self::read::{Reader, run_query, run_scan};

use crate::{Condition, Error, SortKey};

/// The page size when `limit` is not called.
pub(crate) const DEFAULT_LIMIT: usize = 20;
/// The largest page size accepted.
pub(crate) const MAX_LIMIT: usize = 1000;

/// A query of one partition of the table or of a global secondary index.
///
/// # Examples
///
/// ```
/// use stack_dynamo::{Condition, Query, SortKey};
/// use serde_dynamo::AttributeValue;
///
/// // The ten newest todos of a list that are not done.
/// let open = Query::new("LIST#groceries")
///     .sk_prefix("TODO#")
///     .filter(Condition::equals("done", AttributeValue::Bool(false)))
///     .limit(10)
///     .descending();
///
/// // Todos due in January, across lists, through index gsi1.
/// let january = Query::on_index("gsi1", "DUE")
///     .sk(SortKey::Between("2030-01-01".into(), "2030-01-31~".into()));
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Query {
    pub(crate) index: Option<String>,
    pub(crate) pk: String,
    pub(crate) sk: Option<SortKey>,
    pub(crate) filter: Option<Condition>,
    pub(crate) projection: Option<Vec<String>>,
    pub(crate) limit: usize,
    pub(crate) after: Option<String>,
    pub(crate) forward: bool,
    pub(crate) consistent_read: bool,
}

impl Query {
    /// The page size when [`limit`](Self::limit) is not called.
    pub const DEFAULT_LIMIT: usize = DEFAULT_LIMIT;
    /// The largest page size accepted.
    pub const MAX_LIMIT: usize = MAX_LIMIT;

    /// The first page of table partition `pk`, in ascending sort-key order.
    pub fn new(pk: impl Into<String>) -> Self {
        Self {
            index: None,
            pk: pk.into(),
            sk: None,
            filter: None,
            projection: None,
            limit: DEFAULT_LIMIT,
            after: None,
            forward: true,
            consistent_read: false,
        }
    }

    /// The first page of partition `pk` of the global secondary index `index`.
    pub fn on_index(index: impl Into<String>, pk: impl Into<String>) -> Self {
        Self {
            index: Some(index.into()),
            ..Self::new(pk)
        }
    }

    /// Only sort keys that satisfy `condition`.
    pub fn sk(mut self, condition: SortKey) -> Self {
        self.sk = Some(condition);
        self
    }

    /// Only sort keys that begin with `prefix` (case-sensitive, byte for byte); an empty prefix
    /// matches every sort key.
    pub fn sk_prefix(mut self, prefix: impl Into<String>) -> Self {
        let prefix = prefix.into();
        self.sk = (!prefix.is_empty()).then_some(SortKey::BeginsWith(prefix));
        self
    }

    /// Only items for which `condition` holds (a filter: evaluated after the read, so a page
    /// may need several reads; [`Table`](crate::Table) keeps reading until the page is full).
    /// Calling it again adds to the filter.
    pub fn filter(mut self, condition: Condition) -> Self {
        self.filter = Some(match self.filter.take() {
            Some(existing) => existing.and(condition),
            None => condition,
        });
        self
    }

    /// Only read these attributes; the key attributes are always read too.
    pub fn project<I, S>(mut self, attributes: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.projection = Some(attributes.into_iter().map(Into::into).collect());
        self
    }

    /// At most `limit` items per page, from 1 to [`MAX_LIMIT`](Self::MAX_LIMIT); checked when
    /// the query runs.
    pub fn limit(mut self, limit: usize) -> Self {
        self.limit = limit;
        self
    }

    /// Continue after the page that returned `cursor` (`None` starts at the beginning), as a
    /// GraphQL `after` argument does.
    pub fn after(mut self, cursor: Option<String>) -> Self {
        self.after = cursor;
        self
    }

    /// Descending sort-key order (newest first, for time-ordered sort keys).
    pub fn descending(mut self) -> Self {
        self.forward = false;
        self
    }

    /// Read with strong consistency: sees every write acknowledged before, at twice the read
    /// cost on DynamoDB; not available on indexes. The embedded backend is always consistent.
    pub fn consistent_read(mut self) -> Self {
        self.consistent_read = true;
        self
    }
}

/// A scan of the whole table, or of one segment of a parallel scan.
///
/// # Examples
///
/// ```
/// use stack_dynamo::Scan;
///
/// // Segment 2 of 4, 100 items a page.
/// let segment = Scan::new().segment(2, 4).limit(100);
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Scan {
    pub(crate) segment: Option<(u32, u32)>,
    pub(crate) filter: Option<Condition>,
    pub(crate) limit: usize,
    pub(crate) after: Option<String>,
}

impl Default for Scan {
    fn default() -> Self {
        Self::new()
    }
}

impl Scan {
    /// The first page of a scan of the whole table.
    pub fn new() -> Self {
        Self {
            segment: None,
            filter: None,
            limit: DEFAULT_LIMIT,
            after: None,
        }
    }

    /// Only segment `index` (from 0) of `total`.
    pub fn segment(mut self, index: u32, total: u32) -> Self {
        self.segment = Some((index, total));
        self
    }

    /// Only items for which `condition` holds; calling it again adds to the filter.
    pub fn filter(mut self, condition: Condition) -> Self {
        self.filter = Some(match self.filter.take() {
            Some(existing) => existing.and(condition),
            None => condition,
        });
        self
    }

    /// At most `limit` items per page, from 1 to [`Query::MAX_LIMIT`].
    pub fn limit(mut self, limit: usize) -> Self {
        self.limit = limit;
        self
    }

    /// Continue after the page that returned `cursor`.
    pub fn after(mut self, cursor: Option<String>) -> Self {
        self.after = cursor;
        self
    }
}

/// One page of a typed read.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Page<E> {
    /// The entities, in the read's order.
    pub items: Vec<E>,
    /// Pass to `after` for the next page; present exactly when there are more items.
    pub next_cursor: Option<String>,
}

impl<E> Page<E> {
    /// Whether there are more items after this page (GraphQL's `hasNextPage`).
    pub fn has_next_page(&self) -> bool {
        self.next_cursor.is_some()
    }
}

/// Refuses a page size outside 1 to [`MAX_LIMIT`].
pub(crate) fn checked_limit(limit: usize) -> Result<usize, Error> {
    if (1..=MAX_LIMIT).contains(&limit) {
        return Ok(limit);
    }
    let message = format!("the limit must be from 1 to {MAX_LIMIT}, got {limit}");
    Err(Error::validation(message))
}

/// Items of one of these entity types that have not expired at `now` (epoch seconds).
pub(crate) fn live_of_types(types: &[&str], now: u64) -> Condition {
    let typed = types
        .iter()
        .map(|entity_type| Condition::type_is(entity_type))
        .reduce(Condition::or)
        .unwrap_or(Condition::Exists);
    typed.and(live(now))
}

/// The item has no `ttl`, or one after `now` (epoch seconds).
pub(crate) fn live(now: u64) -> Condition {
    let ttl = crate::key::attr::TTL;
    let after_now = AttributeValue::N(now.to_string());
    Condition::attribute_not_exists(ttl).or(Condition::compare(
        ttl,
        crate::Comparison::Greater,
        after_now,
    ))
}

/// The item's `ttl` is at or before `now`: it has expired but may not be deleted yet.
pub(crate) fn expired(now: u64) -> Condition {
    let ttl = crate::key::attr::TTL;
    let now = AttributeValue::N(now.to_string());
    Condition::compare(ttl, crate::Comparison::LessOrEqual, now)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn limits_outside_the_range_are_refused() {
        for limit in [0, MAX_LIMIT + 1] {
            assert!(
                checked_limit(limit).unwrap_err().is_validation(),
                "{limit} was accepted"
            );
        }
        assert!(checked_limit(MAX_LIMIT).is_ok());
    }

    #[test]
    fn an_empty_prefix_is_no_prefix() {
        assert_eq!(Query::new("P").sk_prefix(""), Query::new("P"));
    }

    #[test]
    fn filters_accumulate() {
        let query = Query::new("P")
            .filter(Condition::Exists)
            .filter(Condition::NotExists);
        assert_eq!(
            query.filter,
            Some(Condition::Exists.and(Condition::NotExists))
        );
    }
}
