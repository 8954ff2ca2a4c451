//! Batch reads and writes, chunked to DynamoDB's limits, with unprocessed keys retried.

use std::collections::HashMap;
use std::time::SystemTime;

use serde_dynamo::Item;

use super::Table;
use super::retry::backoff;
use crate::backend::{MAX_BATCH_GET, MAX_BATCH_WRITE, WriteRequest};
use crate::entity::{Stamp, from_item, is_live, stamped_item};
use crate::{Entity, Error, Key};

/// How many times a chunk is sent while the table leaves some of it unprocessed.
const MAX_BATCH_ATTEMPTS: u32 = 8;

type PendingWrite = Box<dyn FnOnce(SystemTime) -> Result<WriteRequest, Error> + Send>;

/// Unconditional puts and deletes, sent in chunks of 25 (`BatchWriteItem`).
///
/// Each write is atomic on its own, not the batch; for all-or-nothing, use a
/// [`Transaction`](crate::Transaction). A batch put cannot read the stored item, so it
/// stores the entity at version 1 with `createdAt` now, as a new item.
///
/// # Examples
///
/// ```
/// # use serde::{Deserialize, Serialize};
/// # use stack_dynamo::{Entity, Keys};
/// # #[derive(Serialize, Deserialize)] struct Todo { list: String, id: String }
/// # impl Entity for Todo {
/// #     const TYPE: &'static str = "Todo";
/// #     const KEYS: Keys = Keys::new("LIST#{list}", "TODO#{id}");
/// # }
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), stack_dynamo::Error> {
/// # let table = stack_dynamo::Table::new(stack_dynamo::EmbeddedBackend::in_memory()?);
/// use stack_dynamo::BatchWrite;
///
/// let mut batch = BatchWrite::new();
/// for id in 0..60 {
///     batch = batch.put(Todo { list: "home".into(), id: id.to_string() });
/// }
/// table.batch_write(batch).await?; // three calls of 25, 25 and 10
///
/// let key = |id: u32| Todo::KEYS.key_of(&[("list", "home"), ("id", &id.to_string())]);
/// let keys = (0..60).map(key).collect::<Result<Vec<_>, _>>()?;
/// let todos: Vec<Todo> = table.batch_get(&keys).await?;
/// assert_eq!(todos.len(), 60);
/// # Ok(())
/// # }
/// ```
#[derive(Default)]
pub struct BatchWrite {
    writes: Vec<PendingWrite>,
}

impl std::fmt::Debug for BatchWrite {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BatchWrite")
            .field("writes", &self.writes.len())
            .finish()
    }
}

impl BatchWrite {
    /// An empty batch.
    pub fn new() -> Self {
        Self::default()
    }

    /// Also stores `entity`, replacing whatever is at its key.
    pub fn put<E: Entity>(mut self, entity: E) -> Self {
        self.writes.push(Box::new(move |now| {
            let (_, item) = stamped_item(&entity, &Stamp::new(now))?;
            Ok(WriteRequest::Put(item))
        }));
        self
    }

    /// Also deletes whatever is at `key`.
    pub fn delete(mut self, key: Key) -> Self {
        self.writes
            .push(Box::new(move |_| Ok(WriteRequest::Delete(key))));
        self
    }

    /// How many writes the batch holds.
    pub fn len(&self) -> usize {
        self.writes.len()
    }

    /// Whether the batch holds no write.
    pub fn is_empty(&self) -> bool {
        self.writes.is_empty()
    }
}

impl Table {
    /// The `E`s at `keys`, in the order of the keys; missing and expired ones are left out.
    /// Any number of keys: they are read 100 at a time (`BatchGetItem`), and keys the table
    /// leaves unprocessed are asked for again with jittered backoff.
    ///
    /// # Errors
    ///
    /// A validation error for an invalid key; a throttling error when keys stay unprocessed
    /// after 8 attempts; an internal error for an item of another type.
    pub async fn batch_get<E: Entity>(&self, keys: &[Key]) -> Result<Vec<E>, Error> {
        let mut wanted: Vec<Key> = Vec::with_capacity(keys.len());
        for key in keys {
            key.validate()?;
            if !wanted.contains(key) {
                wanted.push(key.clone());
            }
        }
        let mut found = HashMap::with_capacity(wanted.len());
        for chunk in wanted.chunks(MAX_BATCH_GET) {
            for item in self.get_chunk(chunk.to_vec()).await? {
                found.insert(Key::from_item(&item)?, item);
            }
        }
        let now = self.now_seconds();
        let items = wanted
            .iter()
            .filter_map(|key| found.remove(key))
            .filter(|item| is_live(item, now));
        items.map(from_item).collect()
    }

    async fn get_chunk(&self, mut keys: Vec<Key>) -> Result<Vec<Item>, Error> {
        let mut items = Vec::with_capacity(keys.len());
        for attempt in 1..=MAX_BATCH_ATTEMPTS {
            let output = self.backend.batch_get_items(keys).await?;
            items.extend(output.items);
            if output.unprocessed.is_empty() {
                return Ok(items);
            }
            keys = output.unprocessed;
            tracing::debug!(
                unprocessed = keys.len(),
                attempt,
                "batch get left keys unprocessed"
            );
            backoff(attempt).await;
        }
        Err(Error::throttled(format!(
            "{} keys stayed unprocessed",
            keys.len()
        )))
    }

    /// Sends a [`BatchWrite`] in chunks of 25, retrying unprocessed writes with jittered
    /// backoff.
    ///
    /// # Errors
    ///
    /// A validation error for an invalid entity or a key written twice in one chunk; a
    /// throttling error when writes stay unprocessed after 8 attempts. Chunks sent before an
    /// error stay written.
    pub async fn batch_write(&self, batch: BatchWrite) -> Result<(), Error> {
        let now = self.now();
        let writes = batch
            .writes
            .into_iter()
            .map(|write| write(now))
            .collect::<Result<Vec<_>, _>>()?;
        for chunk in writes.chunks(MAX_BATCH_WRITE) {
            self.write_chunk(chunk.to_vec()).await?;
        }
        Ok(())
    }

    async fn write_chunk(&self, mut writes: Vec<WriteRequest>) -> Result<(), Error> {
        for attempt in 1..=MAX_BATCH_ATTEMPTS {
            writes = self.backend.batch_write_items(writes).await?;
            if writes.is_empty() {
                return Ok(());
            }
            tracing::debug!(
                unprocessed = writes.len(),
                attempt,
                "batch write left items unprocessed"
            );
            backoff(attempt).await;
        }
        Err(Error::throttled(format!(
            "{} writes stayed unprocessed",
            writes.len()
        )))
    }
}
