//! The typed table: entities over any backend.

mod batch;
mod patch;
mod retry;
mod transaction;
mod write;

use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use stack_core::clock::{SharedClock, SystemClock};

pub use self::batch::BatchWrite;
pub use self::patch::Patch;
pub use self::transaction::Transaction;
use crate::backend::{Backend, Traced};
use crate::entity::{from_item, is_live};
use crate::query::cursor::CursorKeys;
use crate::query::{Reader, run_query, run_scan};
use crate::{Collection, CursorKey, Entity, Error, Key, Page, Query, Scan};

/// Typed entities in one table, on any [`Backend`]. Cheap to clone; clones share the backend.
///
/// Every backend call runs in a tracing span named `dynamodb` with `db.system`,
/// `db.operation`, `aws.dynamodb.table_names`, `aws.dynamodb.index_name` and, on DynamoDB,
/// `aws.dynamodb.consumed_capacity`.
///
/// # Examples
///
/// ```
/// # use serde::{Deserialize, Serialize};
/// # use stack_dynamo::{Entity, Keys};
/// # #[derive(Serialize, Deserialize)]
/// # struct Todo { list: String, id: String, title: String, #[serde(default)] version: u64 }
/// # impl Entity for Todo {
/// #     const TYPE: &'static str = "Todo";
/// #     const KEYS: Keys = Keys::new("LIST#{list}", "TODO#{id}");
/// # }
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), stack_dynamo::Error> {
/// use stack_dynamo::{EmbeddedBackend, Table};
///
/// let table = Table::new(EmbeddedBackend::in_memory()?);
/// let todo = Todo { list: "home".into(), id: "1".into(), title: "Milk".into(), version: 0 };
/// let todo = table.create(todo).await?;
///
/// let renamed: Todo = table
///     .update(&todo.key()?, Some(1), |todo: &mut Todo| {
///         todo.title = "Oat milk".into();
///         Ok(())
///     })
///     .await?;
/// assert_eq!(renamed.version, 2);
/// # Ok(())
/// # }
/// ```
#[derive(Clone)]
pub struct Table {
    backend: Arc<dyn Backend>,
    clock: SharedClock,
    cursor_keys: Arc<CursorKeys>,
    update_attempts: u32,
}

impl Table {
    /// How many times [`update`](Self::update) and [`put`](Self::put) try when the item
    /// changes under them.
    pub const DEFAULT_UPDATE_ATTEMPTS: u32 = 10;

    /// A table on `backend`, with a tracing span around each backend call, the system clock
    /// and no configured cursor key (see [`CursorKey`]).
    pub fn new(backend: impl Backend) -> Self {
        Self {
            backend: Arc::new(Traced(backend)),
            clock: Arc::new(SystemClock),
            cursor_keys: Arc::new(CursorKeys::default()),
            update_attempts: Self::DEFAULT_UPDATE_ATTEMPTS,
        }
    }

    /// Sets how many times [`update`](Self::update) tries when items change under it (at least
    /// once).
    pub fn with_update_attempts(mut self, attempts: u32) -> Self {
        self.update_attempts = attempts.max(1);
        self
    }

    /// Sets the clock that stamps `createdAt`/`updatedAt` and decides TTL expiry on reads.
    pub fn with_clock(mut self, clock: SharedClock) -> Self {
        self.clock = clock;
        self
    }

    /// Signs cursors with `key`, shared by every instance of the service (see [`CursorKey`]).
    pub fn with_cursor_key(mut self, key: CursorKey) -> Self {
        Arc::make_mut(&mut self.cursor_keys).current = key;
        self
    }

    /// Also accepts cursors signed with `key`, during a key rotation.
    pub fn with_previous_cursor_key(mut self, key: CursorKey) -> Self {
        Arc::make_mut(&mut self.cursor_keys).previous.push(key);
        self
    }

    /// The backend, for raw item access.
    pub fn backend(&self) -> &dyn Backend {
        self.backend.as_ref()
    }

    fn now(&self) -> SystemTime {
        self.clock.now()
    }

    pub(crate) fn now_seconds(&self) -> u64 {
        self.now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default()
            .as_secs()
    }

    fn reader(&self) -> Reader<'_> {
        Reader {
            backend: self.backend.as_ref(),
            keys: &self.cursor_keys,
            now: self.now_seconds(),
        }
    }

    /// The entity at `key`, read with strong consistency; `None` when there is none or it has
    /// expired.
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
    /// let key = Todo::KEYS.key_of(&[("list", "home"), ("id", "1")])?;
    /// let todo: Option<Todo> = table.get(&key).await?;
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    ///
    /// A validation error for an invalid key; an internal error when the item at `key` is of
    /// another entity type or cannot be deserialised as `E`.
    pub async fn get<E: Entity>(&self, key: &Key) -> Result<Option<E>, Error> {
        key.validate()?;
        let item = self.backend.get_item(key).await?;
        let now = self.now_seconds();
        item.filter(|item| is_live(item, now))
            .map(from_item)
            .transpose()
    }

    /// One page of the `E`s a query finds, in sort-key byte order; items of other entity
    /// types in the same range are skipped.
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
    /// use stack_dynamo::Query;
    ///
    /// let query = Query::new("LIST#home").sk_prefix("TODO#").limit(20);
    /// let first = table.query::<Todo>(query.clone()).await?;
    /// if first.has_next_page() {
    ///     let second = table.query::<Todo>(query.after(first.next_cursor)).await?;
    /// }
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    ///
    /// A validation error when the limit is out of range, the index unknown, or the cursor
    /// malformed, altered, or from a different query (another partition, index, sort-key
    /// condition, direction or entity type).
    pub async fn query<E: Entity>(&self, query: Query) -> Result<Page<E>, Error> {
        self.query_as::<E, E>(query).await
    }

    /// Like [`query`](Self::query), but deserialises each item as `P`: for projections
    /// ([`Query::project`]) that read only some of `E`'s fields.
    ///
    /// # Errors
    ///
    /// As [`query`](Self::query); an internal error when an item is not a `P`.
    pub async fn query_as<E: Entity, P: serde::de::DeserializeOwned>(
        &self,
        query: Query,
    ) -> Result<Page<P>, Error> {
        let (items, next_cursor) = run_query(self.reader(), query, &[E::TYPE]).await?;
        let items = items
            .into_iter()
            .map(deserialise::<P>)
            .collect::<Result<_, _>>()?;
        Ok(Page { items, next_cursor })
    }

    /// One page of the items of several entity types that a query finds, to take apart with
    /// [`Collection::of`].
    ///
    /// # Errors
    ///
    /// As [`query`](Self::query).
    pub async fn collection(&self, query: Query, types: &[&str]) -> Result<Collection, Error> {
        let (items, next_cursor) = run_query(self.reader(), query, types).await?;
        Ok(Collection { items, next_cursor })
    }

    /// One page of a scan for `E`s: of the whole table, or of one segment.
    ///
    /// # Errors
    ///
    /// A validation error for a bad segment, limit or cursor.
    pub async fn scan<E: Entity>(&self, scan: Scan) -> Result<Page<E>, Error> {
        let (items, next_cursor) = run_scan(self.reader(), scan, &[E::TYPE]).await?;
        let items = items.into_iter().map(from_item).collect::<Result<_, _>>()?;
        Ok(Page { items, next_cursor })
    }

    /// Every `E` in the table, read by `segments` concurrent scans of one segment each.
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
    /// let everything: Vec<Todo> = table.parallel_scan(4).await?;
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    ///
    /// The first error of any segment.
    pub async fn parallel_scan<E: Entity>(&self, segments: u32) -> Result<Vec<E>, Error> {
        let tasks: Vec<_> = (0..segments)
            .map(|segment| tokio::spawn(self.clone().scan_segment::<E>(segment, segments)))
            .collect();
        let mut all = Vec::new();
        for task in tasks {
            let items = task
                .await
                .map_err(|error| Error::internal_from("a scan task failed", error))?;
            all.extend(items?);
        }
        Ok(all)
    }

    async fn scan_segment<E: Entity>(self, segment: u32, total: u32) -> Result<Vec<E>, Error> {
        let mut items = Vec::new();
        let mut cursor = None;
        loop {
            let scan = Scan::new()
                .segment(segment, total)
                .limit(crate::query::MAX_LIMIT);
            let page = self.scan::<E>(scan.after(cursor)).await?;
            items.extend(page.items);
            match page.next_cursor {
                Some(next) => cursor = Some(next),
                None => return Ok(items),
            }
        }
    }
}

fn deserialise<P: serde::de::DeserializeOwned>(item: serde_dynamo::Item) -> Result<P, Error> {
    serde_dynamo::from_item(item)
        .map_err(|error| Error::internal_from("cannot read a projected item", error))
}

impl std::fmt::Debug for Table {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Table")
            .field("backend", &self.backend.implementation())
            .field("table_name", &self.backend.table_name())
            .field("update_attempts", &self.update_attempts)
            .finish_non_exhaustive()
    }
}
