//! The low-level contract: raw items in one table, with DynamoDB's semantics.
//!
//! A [`Backend`] stores [`Item`]s under their `pk`/`sk` attributes and keeps the table's global
//! secondary indexes. It knows nothing of entity types, versions or cursors;
//! [`Table`](crate::Table) builds those on top, once for every backend. Two implementations
//! ship with the crate:
//!
//! - `AwsBackend` (feature `aws`): DynamoDB through aws-sdk-dynamodb;
//! - `EmbeddedBackend` (feature `local`): a redb file on disk, or memory, for local runs and
//!   tests.

mod kind;
mod request;
mod traced;

#[cfg(feature = "aws")]
pub mod aws;
#[cfg(feature = "local")]
pub mod embedded;

use async_trait::async_trait;
use serde_dynamo::Item;

pub use self::kind::TableBackend;
pub use self::request::{
    BatchGetOutput, QueryOutput, QueryRequest, ScanRequest, Segment, TransactItem, WriteRequest,
    check_distinct_keys, check_update,
};
pub(crate) use self::traced::Traced;
use crate::{Condition, Error, Key, Update};

/// The most keys one `BatchGetItem` call takes.
pub const MAX_BATCH_GET: usize = 100;
/// The most writes one `BatchWriteItem` call takes.
pub const MAX_BATCH_WRITE: usize = 25;
/// The most items one `TransactWriteItems` call takes.
pub const MAX_TRANSACTION_ITEMS: usize = 100;
/// The global secondary indexes a table has unless told otherwise: `gsi1` and `gsi2`, each
/// keyed by `<name>pk` and `<name>sk` strings, projecting every attribute.
pub const DEFAULT_INDEXES: [&str; 2] = ["gsi1", "gsi2"];

/// Raw item storage with DynamoDB's semantics: strongly consistent reads of one key,
/// conditional writes checked atomically, atomic transactions, and queries of one partition
/// of the table or of an index in sort-key byte order.
///
/// Both implementations refuse keys outside DynamoDB's limits ([`Key::validate`]) and
/// requests over the API limits ([`MAX_BATCH_GET`], [`MAX_BATCH_WRITE`],
/// [`MAX_TRANSACTION_ITEMS`]).
#[async_trait]
pub trait Backend: Send + Sync + 'static {
    /// The table's name, for telemetry.
    fn table_name(&self) -> &str;

    /// What implements the table, for telemetry: `"aws"` or `"embedded"`.
    fn implementation(&self) -> &'static str;

    /// The names of the table's global secondary indexes.
    fn indexes(&self) -> &[String];

    /// The item at `key`, read with strong consistency.
    ///
    /// # Errors
    ///
    /// When the table cannot be read.
    async fn get_item(&self, key: &Key) -> Result<Option<Item>, Error>;

    /// The items at up to [`MAX_BATCH_GET`] distinct keys, in no particular order, and the
    /// keys the table did not get to (DynamoDB's `UnprocessedKeys`); strongly consistent.
    ///
    /// # Errors
    ///
    /// A validation error for too many or repeated keys.
    async fn batch_get_items(&self, keys: Vec<Key>) -> Result<BatchGetOutput, Error>;

    /// Stores `item` under the key in its `pk`/`sk` attributes, replacing any item there, if
    /// `condition` holds for the item currently stored.
    ///
    /// # Errors
    ///
    /// A condition-failed error when the condition does not hold; a validation error when the
    /// item has no string `pk`/`sk`.
    async fn put_item(&self, item: Item, condition: Option<Condition>) -> Result<(), Error>;

    /// Applies `update` to the item at `key` (creating it when there is none, as DynamoDB
    /// does) if `condition` holds, and returns the item as written.
    ///
    /// # Errors
    ///
    /// A condition-failed error when the condition does not hold; a validation error when the
    /// update touches `pk`/`sk` or is inconsistent.
    async fn update_item(
        &self,
        key: &Key,
        update: Update,
        condition: Option<Condition>,
    ) -> Result<Item, Error>;

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

    /// Up to [`MAX_BATCH_WRITE`] unconditional puts and deletes of distinct keys, each atomic
    /// on its own; returns the writes the table did not get to (`UnprocessedItems`).
    ///
    /// # Errors
    ///
    /// A validation error for too many writes or a key written twice.
    async fn batch_write_items(
        &self,
        writes: Vec<WriteRequest>,
    ) -> Result<Vec<WriteRequest>, Error>;

    /// Up to [`MAX_TRANSACTION_ITEMS`] writes and checks on distinct keys, all or none.
    ///
    /// # Errors
    ///
    /// [`Error::is_transaction_cancelled`] with one reason per item when a condition fails;
    /// a validation error for too many items or a key named twice.
    async fn transact_write_items(&self, items: Vec<TransactItem>) -> Result<(), Error>;

    /// One page of a partition of the table or an index, read in sort-key order.
    ///
    /// Like DynamoDB, the backend reads at most [`QueryRequest::limit`] items *before* applying
    /// the filter, and returns the key it stopped at when there may be more. DynamoDB may return
    /// that key even when nothing follows; the embedded backend only when something does.
    ///
    /// # Errors
    ///
    /// A validation error when [`QueryRequest::validate`] refuses the request.
    async fn query(&self, request: QueryRequest) -> Result<QueryOutput, Error>;

    /// One page of a scan of the whole table, or of one segment of a parallel scan.
    ///
    /// # Errors
    ///
    /// A validation error when [`ScanRequest::validate`] refuses the request.
    async fn scan(&self, request: ScanRequest) -> Result<QueryOutput, Error>;
}
