//! The embedded backend: one redb database per table, on disk or in memory.
//!
//! Every write is one redb write transaction; its condition is checked, its indexes updated
//! and its change recorded inside it, so conditional writes and transactions are atomic as on
//! DynamoDB, and the change feed is in commit order. redb is blocking, so each call runs on
//! tokio's blocking pool.

mod changes;
mod keys;
mod ops;
mod store;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use async_trait::async_trait;
use redb::backends::InMemoryBackend;
use redb::{Builder, Database};
use serde_dynamo::Item;
use stack_core::clock::{SharedClock, SystemClock};
use tokio::sync::Notify;

use super::{
    Backend, BatchGetOutput, DEFAULT_INDEXES, QueryOutput, QueryRequest, ScanRequest, TransactItem,
    WriteRequest,
};
use crate::{Condition, Error, Key, Update};

/// The table name reported by [`EmbeddedBackend::in_memory`].
const IN_MEMORY_NAME: &str = "in-memory";

/// How an embedded table is set up.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct EmbeddedOptions {
    /// The global secondary indexes to keep (default [`DEFAULT_INDEXES`]). An index new to an
    /// existing file is built from the stored items when the file is opened.
    pub indexes: Vec<String>,
    /// The clock that stamps change records and decides TTL expiry (default: the system's).
    pub clock: SharedClock,
}

impl Default for EmbeddedOptions {
    fn default() -> Self {
        Self {
            indexes: DEFAULT_INDEXES
                .iter()
                .map(|&index| index.to_owned())
                .collect(),
            clock: Arc::new(SystemClock),
        }
    }
}

impl EmbeddedOptions {
    /// The default options with this clock.
    pub fn with_clock(mut self, clock: SharedClock) -> Self {
        self.clock = clock;
        self
    }

    /// The default options with these indexes.
    pub fn with_indexes(mut self, indexes: &[&str]) -> Self {
        self.indexes = indexes.iter().map(|&index| index.to_owned()).collect();
        self
    }
}

/// A table embedded in the process: durable in a redb file, or in memory for tests.
///
/// It has the same semantics as DynamoDB for everything [`Backend`] offers, keeps the
/// table's global secondary indexes, deletes expired items when asked
/// ([`purge_expired`](Self::purge_expired)), and records every change in a durable feed
/// (read it with `changes`, feature `streams`). Clones share the same database.
///
/// # Examples
///
/// ```no_run
/// # fn main() -> Result<(), stack_dynamo::Error> {
/// use stack_dynamo::{EmbeddedBackend, Table};
///
/// let data_dir = std::env::var("STACK_DATA_DIR").unwrap_or_else(|_| ".stack".into());
/// let table = Table::new(EmbeddedBackend::open(data_dir, "app")?);
/// # Ok(())
/// # }
/// ```
#[derive(Clone)]
pub struct EmbeddedBackend {
    inner: Arc<Inner>,
}

/// What clones share.
struct Inner {
    db: Database,
    table_name: String,
    indexes: Vec<String>,
    clock: SharedClock,
    /// Woken after every commit that appended to the change feed.
    changed: Notify,
}

impl EmbeddedBackend {
    /// Opens the table stored in `<dir>/<table_name>.redb` with the default options, creating
    /// the directory and the file if they do not exist.
    ///
    /// A restart that opens the same file finds every committed write. A file can be open only
    /// once at a time: drop every clone (and every [`Table`](crate::Table) using it) before
    /// opening it again.
    ///
    /// # Errors
    ///
    /// A validation error when the name is not a valid DynamoDB table name (3 to 255 of
    /// `a-z A-Z 0-9 _ - .`); an internal error when the file cannot be created or opened, or is
    /// already open.
    pub fn open(dir: impl AsRef<Path>, table_name: &str) -> Result<Self, Error> {
        Self::open_with(dir, table_name, EmbeddedOptions::default())
    }

    /// [`open`](Self::open) on Tokio's blocking pool, for services opening their table at
    /// start inside a runtime: opening may repair the file and rebuild indexes.
    ///
    /// # Errors
    ///
    /// As [`open`](Self::open); an internal error when the opening task panicked.
    pub async fn open_in_background(dir: PathBuf, table_name: String) -> Result<Self, Error> {
        tokio::task::spawn_blocking(move || Self::open(&dir, &table_name))
            .await
            .map_err(|_| Error::internal("opening the table panicked"))?
    }

    /// Opens the table stored in `<dir>/<table_name>.redb` with `options`.
    ///
    /// # Errors
    ///
    /// As [`open`](Self::open).
    pub fn open_with(
        dir: impl AsRef<Path>,
        table_name: &str,
        options: EmbeddedOptions,
    ) -> Result<Self, Error> {
        validate_table_name(table_name)?;
        let dir = dir.as_ref();
        std::fs::create_dir_all(dir).map_err(|error| {
            Error::internal_from(format!("cannot create the data directory {dir:?}"), error)
        })?;

        let path = dir.join(format!("{table_name}.redb"));
        let db = Database::create(&path).map_err(|error| {
            Error::internal_from(format!("cannot open the embedded table {path:?}"), error)
        })?;
        Self::with_database(db, table_name, options)
    }

    /// A table that lives in memory only, for tests, with the default options.
    ///
    /// # Errors
    ///
    /// An internal error if redb cannot set up the in-memory database.
    pub fn in_memory() -> Result<Self, Error> {
        Self::in_memory_with(EmbeddedOptions::default())
    }

    /// A table that lives in memory only, with `options`.
    ///
    /// # Errors
    ///
    /// An internal error if redb cannot set up the in-memory database.
    pub fn in_memory_with(options: EmbeddedOptions) -> Result<Self, Error> {
        let db = Builder::new()
            .create_with_backend(InMemoryBackend::new())
            .map_err(store::storage_error)?;
        Self::with_database(db, IN_MEMORY_NAME, options)
    }

    fn with_database(
        db: Database,
        table_name: &str,
        options: EmbeddedOptions,
    ) -> Result<Self, Error> {
        for index in &options.indexes {
            validate_table_name(index)?;
        }
        store::create_tables(&db, &options.indexes)?;
        let inner = Inner {
            db,
            table_name: table_name.to_owned(),
            indexes: options.indexes,
            clock: options.clock,
            changed: Notify::new(),
        };
        Ok(Self {
            inner: Arc::new(inner),
        })
    }

    /// Deletes every item whose `ttl` attribute (epoch seconds) is at or before the clock's
    /// now, recording each removal in the change feed as DynamoDB's TTL process does (user
    /// identity `dynamodb.amazonaws.com`). Returns how many it deleted.
    ///
    /// DynamoDB deletes expired items in the background, usually within days; call this on
    /// a timer to do the same locally. Reads through [`Table`](crate::Table) never return
    /// expired items either way.
    ///
    /// # Errors
    ///
    /// An internal error when the table cannot be written.
    pub async fn purge_expired(&self) -> Result<usize, Error> {
        self.run(ops::purge_expired).await
    }

    /// Drops the change records up to and including sequence number `through`, once every
    /// reader has seen them. DynamoDB keeps stream records for 24 hours; the embedded feed
    /// keeps them until trimmed.
    ///
    /// # Errors
    ///
    /// An internal error when the table cannot be written.
    pub async fn trim_changes(&self, through: u64) -> Result<(), Error> {
        self.run(move |inner| ops::trim_changes(inner, through))
            .await
    }

    /// Runs blocking redb work on tokio's blocking pool.
    async fn run<T, F>(&self, work: F) -> Result<T, Error>
    where
        T: Send + 'static,
        F: FnOnce(&Inner) -> Result<T, Error> + Send + 'static,
    {
        let inner = Arc::clone(&self.inner);
        tokio::task::spawn_blocking(move || work(&inner))
            .await
            .map_err(|error| Error::internal_from("the embedded table task failed", error))?
    }

    fn check_index(&self, index: Option<&str>) -> Result<(), Error> {
        match index {
            Some(index) if !self.inner.indexes.iter().any(|known| known == index) => Err(
                Error::validation(format!("the table has no index named {index}")),
            ),
            _ => Ok(()),
        }
    }
}

#[cfg(feature = "streams")]
mod feed {
    use aws_lambda_events::dynamodb::{Event, EventRecord};

    use super::{EmbeddedBackend, ops};
    use crate::Error;

    /// Records read from the embedded change feed.
    #[derive(Debug, Clone, Default, PartialEq)]
    #[non_exhaustive]
    pub struct ChangeBatch {
        /// The records, in commit order, shaped as DynamoDB Streams delivers them to Lambda.
        pub records: Vec<EventRecord>,
        /// The sequence number of the last record, to pass as `after` next time; `after`
        /// itself when there were none.
        pub last_sequence: u64,
    }

    impl ChangeBatch {
        /// The batch as the event a Lambda stream handler receives.
        pub fn into_event(self) -> Event {
            let mut event = Event::default();
            event.records = self.records;
            event
        }
    }

    impl EmbeddedBackend {
        /// Up to `limit` change records after sequence number `after` (0 for the first), in
        /// commit order: `INSERT`, `MODIFY` or `REMOVE` with keys and both images.
        ///
        /// # Errors
        ///
        /// An internal error when the feed cannot be read.
        pub async fn changes(&self, after: u64, limit: usize) -> Result<ChangeBatch, Error> {
            let changes = self
                .run(move |inner| ops::changes(inner, after, limit))
                .await?;
            let table_name = &self.inner.table_name;
            let last_sequence = changes.last().map_or(after, |(sequence, _)| *sequence);
            let records = changes
                .iter()
                .map(|(sequence, change)| change.to_record(*sequence, table_name))
                .collect();
            Ok(ChangeBatch {
                records,
                last_sequence,
            })
        }

        /// Like [`changes`](Self::changes), but waits until there is at least one record.
        ///
        /// # Errors
        ///
        /// An internal error when the feed cannot be read.
        pub async fn next_changes(&self, after: u64, limit: usize) -> Result<ChangeBatch, Error> {
            loop {
                let notified = self.inner.changed.notified();
                tokio::pin!(notified);
                notified.as_mut().enable();
                let batch = self.changes(after, limit).await?;
                if !batch.records.is_empty() {
                    return Ok(batch);
                }
                notified.await;
            }
        }
    }
}

#[cfg(feature = "streams")]
pub use self::feed::ChangeBatch;

impl std::fmt::Debug for EmbeddedBackend {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EmbeddedBackend")
            .field("table_name", &self.inner.table_name)
            .field("indexes", &self.inner.indexes)
            .finish_non_exhaustive()
    }
}

#[async_trait]
impl Backend for EmbeddedBackend {
    fn table_name(&self) -> &str {
        &self.inner.table_name
    }

    fn implementation(&self) -> &'static str {
        "embedded"
    }

    fn indexes(&self) -> &[String] {
        &self.inner.indexes
    }

    async fn get_item(&self, key: &Key) -> Result<Option<Item>, Error> {
        key.validate()?;
        let key = key.clone();
        self.run(move |inner| ops::get(inner, &key)).await
    }

    async fn batch_get_items(&self, keys: Vec<Key>) -> Result<BatchGetOutput, Error> {
        self.run(move |inner| ops::batch_get(inner, keys)).await
    }

    async fn put_item(&self, item: Item, condition: Option<Condition>) -> Result<(), Error> {
        self.run(move |inner| ops::put(inner, item, condition.as_ref()))
            .await
    }

    async fn update_item(
        &self,
        key: &Key,
        update: Update,
        condition: Option<Condition>,
    ) -> Result<Item, Error> {
        key.validate()?;
        let key = key.clone();
        self.run(move |inner| ops::update(inner, &key, &update, condition.as_ref()))
            .await
    }

    async fn delete_item(
        &self,
        key: &Key,
        condition: Option<Condition>,
    ) -> Result<Option<Item>, Error> {
        key.validate()?;
        let key = key.clone();
        self.run(move |inner| ops::delete(inner, &key, condition.as_ref()))
            .await
    }

    async fn batch_write_items(
        &self,
        writes: Vec<WriteRequest>,
    ) -> Result<Vec<WriteRequest>, Error> {
        self.run(move |inner| ops::batch_write(inner, writes))
            .await?;
        Ok(Vec::new())
    }

    async fn transact_write_items(&self, items: Vec<TransactItem>) -> Result<(), Error> {
        self.run(move |inner| ops::transact(inner, items)).await
    }

    async fn query(&self, request: QueryRequest) -> Result<QueryOutput, Error> {
        request.validate()?;
        self.check_index(request.index.as_deref())?;
        self.run(move |inner| ops::query(inner, &request)).await
    }

    async fn scan(&self, request: ScanRequest) -> Result<QueryOutput, Error> {
        request.validate()?;
        self.run(move |inner| ops::scan(inner, &request)).await
    }
}

/// Applies DynamoDB's table-name rules; the name is also the file name.
fn validate_table_name(name: &str) -> Result<(), Error> {
    let allowed = |c: char| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.');
    if (3..=255).contains(&name.len()) && name.chars().all(allowed) {
        return Ok(());
    }
    let message = format!("{name:?} is not a table name: use 3 to 255 of a-z A-Z 0-9 _ - .");
    Err(Error::validation(message))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_names_follow_dynamodb_rules() {
        assert!(validate_table_name("app-data_1.v2").is_ok());
        for bad in ["ab", "../etc", "a b c", "tâble", &"x".repeat(256)] {
            assert!(validate_table_name(bad).is_err(), "{bad} was accepted");
        }
    }
}
