//! The low-level contract: raw items in one table, with DynamoDB's semantics.
//!
//! A [`Backend`] stores [`Item`]s under their `pk`/`sk` attributes. It knows nothing of entity
//! types, versions or cursors; [`Table`](crate::Table) builds those on top, once for every
//! backend. Two implementations ship with the crate:
//!
//! - `AwsBackend` (feature `aws`): DynamoDB through aws-sdk-dynamodb;
//! - `EmbeddedBackend` (feature `local`): a redb file on disk, or memory, for local runs and
//!   tests.

use async_trait::async_trait;
use serde_dynamo::Item;

use crate::key::validate_pk;
use crate::{Condition, Error, Key};

#[cfg(feature = "aws")]
pub mod aws;
#[cfg(feature = "local")]
pub mod embedded;
mod traced;

pub(crate) use traced::Traced;

/// Raw item storage with DynamoDB's semantics: strongly consistent reads of one key,
/// conditional writes checked atomically, and queries of one partition in sort-key byte order.
///
/// Both implementations refuse keys outside DynamoDB's limits ([`Key::validate`]).
#[async_trait]
pub trait Backend: Send + Sync + 'static {
    /// The table's name, for telemetry.
    fn table_name(&self) -> &str;

    /// What implements the table, for telemetry: `"aws"` or `"embedded"`.
    fn implementation(&self) -> &'static str;

    /// The item at `key`, read with strong consistency.
    ///
    /// # Errors
    ///
    /// When the table cannot be read.
    async fn get_item(&self, key: &Key) -> Result<Option<Item>, Error>;

    /// Stores `item` under the key in its `pk`/`sk` attributes, replacing any item there, if
    /// `condition` holds for the item currently stored.
    ///
    /// # Errors
    ///
    /// A condition-failed error when the condition does not hold; a validation error when the
    /// item has no string `pk`/`sk`.
    async fn put_item(&self, item: Item, condition: Option<Condition>) -> Result<(), Error>;

    /// Removes the item at `key`, if `condition` holds, and returns it (`None` if there was
    /// none).
    ///
    /// # Errors
    ///
    /// A condition-failed error when the condition does not hold.
    async fn delete_item(
        &self,
        key: &Key,
        condition: Option<Condition>,
    ) -> Result<Option<Item>, Error>;

    /// One page of a partition, read in sort-key order.
    ///
    /// Like DynamoDB, the backend reads at most [`QueryRequest::limit`] items *before* applying
    /// the filter, and returns the key it stopped at when there may be more. DynamoDB may return
    /// that key even when nothing follows; the embedded backend only when something does.
    ///
    /// # Errors
    ///
    /// A validation error when [`QueryRequest::validate`] refuses the request.
    async fn query(&self, request: QueryRequest) -> Result<QueryOutput, Error>;
}

/// What a [`Backend::query`] reads.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct QueryRequest {
    /// The partition to read.
    pub pk: String,
    /// Only sort keys that begin with this (`begins_with(sk, :prefix)`); must not be empty.
    pub sk_prefix: Option<String>,
    /// Start after this key (DynamoDB's `ExclusiveStartKey`).
    pub exclusive_start: Option<Key>,
    /// Ascending sort-key order when true (`ScanIndexForward`).
    pub forward: bool,
    /// The most items to read, before the filter (DynamoDB's `Limit`); at least 1.
    pub limit: usize,
    /// Only return items for which this holds (DynamoDB's `FilterExpression`).
    pub filter: Option<Condition>,
    /// Read with strong consistency (always the case on the embedded backend).
    pub consistent_read: bool,
}

impl QueryRequest {
    /// A forward, unfiltered read of up to `limit` items of partition `pk`.
    pub fn new(pk: impl Into<String>, limit: usize) -> Self {
        Self {
            pk: pk.into(),
            sk_prefix: None,
            exclusive_start: None,
            forward: true,
            limit,
            filter: None,
            consistent_read: false,
        }
    }

    /// Refuses requests that DynamoDB would refuse, so every backend agrees: an invalid
    /// partition key, a zero limit, an empty prefix, or a start key outside the range.
    ///
    /// # Errors
    ///
    /// A validation error saying what is wrong.
    pub fn validate(&self) -> Result<(), Error> {
        validate_pk(&self.pk)?;
        if self.limit == 0 {
            return Err(Error::validation("the query limit must be at least 1"));
        }
        if self.sk_prefix.as_deref() == Some("") {
            return Err(Error::validation("the sort-key prefix must not be empty"));
        }
        match &self.exclusive_start {
            Some(start) if !self.contains(start) => Err(Error::validation(
                "the start key is outside the queried range",
            )),
            _ => Ok(()),
        }
    }

    /// Whether `key` is in the partition and matches the sort-key prefix.
    pub fn contains(&self, key: &Key) -> bool {
        let prefix = self.sk_prefix.as_deref().unwrap_or_default();
        key.pk == self.pk && key.sk.starts_with(prefix)
    }
}

/// One page read by [`Backend::query`].
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct QueryOutput {
    /// The items that passed the filter, in the requested order.
    pub items: Vec<Item>,
    /// Where the read stopped, when there may be more (DynamoDB's `LastEvaluatedKey`).
    pub last_evaluated_key: Option<Key>,
}

impl QueryOutput {
    /// A page of `items` that stopped at `last_evaluated_key`.
    pub fn new(items: Vec<Item>, last_evaluated_key: Option<Key>) -> Self {
        Self {
            items,
            last_evaluated_key,
        }
    }
}
