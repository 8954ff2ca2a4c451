//! Typed queries of one partition, paginated with opaque cursors.

use serde_dynamo::Item;

use crate::backend::{Backend, QueryRequest};
use crate::cursor::{self, Fingerprint};
use crate::{Condition, Entity, Error, Key, entity};

/// A query for the entities of one type in one partition, optionally under a sort-key prefix.
///
/// # Examples
///
/// ```
/// use stack_dynamo::Query;
///
/// let newest_first = Query::new("LIST#groceries").sk_prefix("TODO#").limit(10).descending();
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Query {
    pk: String,
    sk_prefix: Option<String>,
    limit: usize,
    after: Option<String>,
    forward: bool,
    consistent_read: bool,
}

impl Query {
    /// The page size when [`limit`](Self::limit) is not called.
    pub const DEFAULT_LIMIT: usize = 20;
    /// The largest page size accepted.
    pub const MAX_LIMIT: usize = 1000;

    /// The first page of partition `pk`, in ascending sort-key order.
    pub fn new(pk: impl Into<String>) -> Self {
        Self {
            pk: pk.into(),
            sk_prefix: None,
            limit: Self::DEFAULT_LIMIT,
            after: None,
            forward: true,
            consistent_read: false,
        }
    }

    /// Only sort keys that begin with `prefix` (case-sensitive, byte for byte); an empty prefix
    /// matches every sort key.
    pub fn sk_prefix(mut self, prefix: impl Into<String>) -> Self {
        let prefix = prefix.into();
        self.sk_prefix = (!prefix.is_empty()).then_some(prefix);
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
    /// cost on DynamoDB. The embedded backend is always consistent.
    pub fn consistent_read(mut self) -> Self {
        self.consistent_read = true;
        self
    }

    fn fingerprint(&self, entity_type: &str) -> Fingerprint {
        Fingerprint::of(
            entity_type,
            &self.pk,
            self.sk_prefix.as_deref(),
            self.forward,
        )
    }

    fn checked_limit(&self) -> Result<usize, Error> {
        if (1..=Self::MAX_LIMIT).contains(&self.limit) {
            return Ok(self.limit);
        }
        let message = format!(
            "the limit must be from 1 to {}, got {}",
            Self::MAX_LIMIT,
            self.limit
        );
        Err(Error::validation(message))
    }

    /// The backend request for the first round of this query, resuming after the cursor.
    fn request(self, entity_type: &str, fingerprint: Fingerprint) -> Result<QueryRequest, Error> {
        let mut request = QueryRequest::new(self.pk, 1);
        request.sk_prefix = self.sk_prefix;
        request.forward = self.forward;
        request.consistent_read = self.consistent_read;
        request.filter = Some(Condition::type_is(entity_type));

        if let Some(cursor) = self.after {
            let start = cursor::decode(&cursor, fingerprint)?;
            if !request.contains(&start) {
                return Err(Error::validation(
                    "the cursor points outside the queried range",
                ));
            }
            request.exclusive_start = Some(start);
        }
        Ok(request)
    }
}

/// One page of a typed query.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Page<E> {
    /// The entities, in the query's order.
    pub items: Vec<E>,
    /// Pass to [`Query::after`] for the next page; present exactly when there are more items.
    pub next_cursor: Option<String>,
}

impl<E> Page<E> {
    /// Whether there are more items after this page (GraphQL's `hasNextPage`).
    pub fn has_next_page(&self) -> bool {
        self.next_cursor.is_some()
    }
}

/// Runs a typed query: asks for one item more than the page size, so that the next cursor is
/// present exactly when there is a next page.
pub(crate) async fn run<E: Entity>(backend: &dyn Backend, query: Query) -> Result<Page<E>, Error> {
    let limit = query.checked_limit()?;
    let fingerprint = query.fingerprint(E::TYPE);
    let request = query.request(E::TYPE, fingerprint)?;

    let items = collect(backend, request, limit + 1).await?;
    page(items, limit, fingerprint)
}

/// Reads until `wanted` items passed the filter or the range is exhausted.
///
/// The backend applies its limit before the filter (as DynamoDB does), so a round may return
/// fewer items than asked even though more remain; the loop asks again from where it stopped.
async fn collect(
    backend: &dyn Backend,
    mut request: QueryRequest,
    wanted: usize,
) -> Result<Vec<Item>, Error> {
    let mut items = Vec::with_capacity(wanted);
    loop {
        request.limit = wanted - items.len();
        let output = backend.query(request.clone()).await?;
        items.extend(output.items);

        match output.last_evaluated_key {
            Some(key) if items.len() < wanted => request.exclusive_start = Some(key),
            _ => break,
        }
    }
    items.truncate(wanted);
    Ok(items)
}

/// The first `limit` items as entities, and a cursor after the last of them if more remain.
fn page<E: Entity>(
    mut items: Vec<Item>,
    limit: usize,
    fingerprint: Fingerprint,
) -> Result<Page<E>, Error> {
    let more = items.len() > limit;
    items.truncate(limit);

    let next_cursor = match items.last() {
        Some(last) if more => Some(cursor::encode(fingerprint, &Key::from_item(last)?)),
        _ => None,
    };
    let items = items
        .into_iter()
        .map(entity::from_item)
        .collect::<Result<_, _>>()?;
    Ok(Page { items, next_cursor })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn limits_outside_the_range_are_refused() {
        for limit in [0, Query::MAX_LIMIT + 1] {
            let error = Query::new("P").limit(limit).checked_limit().unwrap_err();
            assert!(error.is_validation(), "{limit} was accepted");
        }
        assert!(
            Query::new("P")
                .limit(Query::MAX_LIMIT)
                .checked_limit()
                .is_ok()
        );
    }

    #[test]
    fn an_empty_prefix_is_no_prefix() {
        assert_eq!(Query::new("P").sk_prefix(""), Query::new("P"));
    }

    #[test]
    fn a_forged_cursor_outside_the_prefix_is_refused() {
        let query = Query::new("P").sk_prefix("TODO#");
        let fingerprint = query.fingerprint("Todo");
        let forged = cursor::encode(fingerprint, &Key::new("P", "SECRET#1"));

        let error = query
            .after(Some(forged))
            .request("Todo", fingerprint)
            .unwrap_err();
        assert!(error.is_validation());
    }
}
