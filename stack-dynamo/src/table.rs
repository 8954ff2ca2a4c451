//! The typed table: entities over any backend.

use std::hash::BuildHasher;
use std::sync::Arc;
use std::time::Duration;

use crate::backend::{Backend, Traced};
use crate::entity::{from_item, to_item};
use crate::query::{self, Page, Query};
use crate::{Condition, Entity, Error, Key};

/// The shortest backoff ceiling between update attempts; it doubles with each attempt.
const BACKOFF_BASE: Duration = Duration::from_millis(10);
/// The backoff ceiling stops doubling after this many attempts (10 ms × 2⁶ = 640 ms).
const BACKOFF_MAX_DOUBLINGS: u32 = 6;

/// Typed entities in one table, on any [`Backend`]. Cheap to clone; clones share the backend.
///
/// Every backend call runs in a tracing span named `dynamodb` with `db.system`,
/// `db.operation` and `aws.dynamodb.table_names` fields.
///
/// # Examples
///
/// ```
/// # use serde::{Deserialize, Serialize};
/// # use stack_dynamo::{Entity, Key};
/// # #[derive(Serialize, Deserialize)]
/// # struct Todo { list: String, id: String, title: String, version: u64 }
/// # impl Entity for Todo {
/// #     const TYPE: &'static str = "Todo";
/// #     fn key(&self) -> Key { Key::new(format!("LIST#{}", self.list), format!("TODO#{}", self.id)) }
/// #     fn version(&self) -> u64 { self.version }
/// #     fn set_version(&mut self, version: u64) { self.version = version }
/// # }
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), stack_dynamo::Error> {
/// use stack_dynamo::{EmbeddedBackend, Table};
///
/// let table = Table::new(EmbeddedBackend::in_memory()?);
/// let mut todo = Todo { list: "home".into(), id: "1".into(), title: "Milk".into(), version: 0 };
/// table.create(&mut todo).await?;
///
/// let renamed: Todo = table
///     .update(&todo.key(), Some(1), |todo: &mut Todo| {
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
    update_attempts: u32,
}

impl Table {
    /// How many times [`update`](Self::update) tries when no version is expected.
    pub const DEFAULT_UPDATE_ATTEMPTS: u32 = 10;

    /// A table on `backend`, with a tracing span around each backend call.
    pub fn new(backend: impl Backend) -> Self {
        Self {
            backend: Arc::new(Traced(backend)),
            update_attempts: Self::DEFAULT_UPDATE_ATTEMPTS,
        }
    }

    /// Sets how many times [`update`](Self::update) tries when items change under it (at least
    /// once).
    pub fn with_update_attempts(mut self, attempts: u32) -> Self {
        self.update_attempts = attempts.max(1);
        self
    }

    /// The backend, for raw item access.
    pub fn backend(&self) -> &dyn Backend {
        self.backend.as_ref()
    }

    /// The entity at `key`, read with strong consistency.
    ///
    /// # Errors
    ///
    /// A validation error for an invalid key; an internal error when the item at `key` is of
    /// another entity type or cannot be deserialised as `E`.
    pub async fn get<E: Entity>(&self, key: &Key) -> Result<Option<E>, Error> {
        key.validate()?;
        self.backend.get_item(key).await?.map(from_item).transpose()
    }

    /// Stores a new entity at version 1 (its version is set to 1 first), unless the key is
    /// taken.
    ///
    /// # Errors
    ///
    /// A conflict when an item, of any type, already exists at the entity's key.
    pub async fn create<E: Entity>(&self, entity: &mut E) -> Result<(), Error> {
        let key = entity.key();
        key.validate()?;
        entity.set_version(1);

        let (item, absent) = (to_item(entity)?, Some(Condition::NotExists));
        let written = self.backend.put_item(item, absent).await;
        let taken = || format!("the {} already exists", E::TYPE);
        written.map_err(|error| refine_conflict(error, taken()))
    }

    /// Reads the entity at `key`, applies `change` and writes it back one version up, only if
    /// nobody wrote it in between. Returns the entity as written.
    ///
    /// With `expected_version`, the stored entity must be at that version (the version the
    /// caller last saw), or the update fails with a conflict. Without it, the update retries
    /// up to [`DEFAULT_UPDATE_ATTEMPTS`](Self::DEFAULT_UPDATE_ATTEMPTS) times (see
    /// [`with_update_attempts`](Self::with_update_attempts)) with jittered exponential backoff,
    /// calling `change` again on the fresh entity each time, so no concurrent change is lost.
    ///
    /// # Errors
    ///
    /// Not found when no `E` is at `key`; a conflict when the version is not the expected one or
    /// the entity kept changing until attempts ran out; any error `change` returns; an internal
    /// error when `change` altered the key.
    pub async fn update<E, F>(
        &self,
        key: &Key,
        expected_version: Option<u64>,
        mut change: F,
    ) -> Result<E, Error>
    where
        E: Entity,
        F: FnMut(&mut E) -> Result<(), Error> + Send,
    {
        key.validate()?;
        for attempt in 1..=self.update_attempts {
            match self.update_once(key, expected_version, &mut change).await {
                Err(error) if error.is_condition_failed() && expected_version.is_none() => {
                    tracing::debug!(%key, attempt, "the item changed during an update; retrying");
                    backoff(attempt).await;
                }
                outcome => return outcome,
            }
        }
        let (entity_type, attempts) = (E::TYPE, self.update_attempts);
        let message = format!("the {entity_type} kept changing; gave up after {attempts} attempts");
        Err(Error::conflict(message))
    }

    async fn update_once<E, F>(
        &self,
        key: &Key,
        expected_version: Option<u64>,
        change: &mut F,
    ) -> Result<E, Error>
    where
        E: Entity,
        F: FnMut(&mut E) -> Result<(), Error> + Send,
    {
        let found = self.get::<E>(key).await?;
        let mut entity = found.ok_or_else(|| Error::not_found(E::TYPE))?;
        let stored = entity.version();
        if let Some(expected) = expected_version
            && expected != stored
        {
            return Err(Error::version_mismatch(E::TYPE, expected, stored));
        }

        change(&mut entity)?;
        if entity.key() != *key {
            let message = format!("an update of {key} changed the key");
            return Err(Error::internal(message));
        }
        entity.set_version(next_version(stored)?);

        let guard = Condition::type_is(E::TYPE).and(Condition::version_is(stored));
        let written = self.backend.put_item(to_item(&entity)?, Some(guard)).await;
        let changed = || format!("the {} changed during the update", E::TYPE);
        written.map_err(|error| refine_conflict(error, changed()))?;
        Ok(entity)
    }

    /// Deletes the `E` at `key`; `Ok(false)` when there was nothing to delete.
    ///
    /// # Errors
    ///
    /// A conflict when the item at `key` is of another entity type.
    pub async fn delete<E: Entity>(&self, key: &Key) -> Result<bool, Error> {
        let deleted = self.delete_where(key, Condition::type_is(E::TYPE)).await;
        deleted.map_err(|error| refine_conflict(error, format!("the item is not a {}", E::TYPE)))
    }

    /// Deletes the `E` at `key` if it is at `version`; `Ok(false)` when there was nothing to
    /// delete.
    ///
    /// # Errors
    ///
    /// A conflict when the stored item is at another version or of another entity type.
    pub async fn delete_if_version<E: Entity>(
        &self,
        key: &Key,
        version: u64,
    ) -> Result<bool, Error> {
        let guard = Condition::type_is(E::TYPE).and(Condition::version_is(version));
        let deleted = self.delete_where(key, guard).await;
        let stale = || format!("the item is not a {} at version {version}", E::TYPE);
        deleted.map_err(|error| refine_conflict(error, stale()))
    }

    async fn delete_where(&self, key: &Key, guard: Condition) -> Result<bool, Error> {
        key.validate()?;
        let condition = Condition::NotExists.or(guard);
        let deleted = self.backend.delete_item(key, Some(condition)).await?;
        Ok(deleted.is_some())
    }

    /// One page of the `E`s in a partition, in sort-key byte order; items of other entity types
    /// in the same range are skipped.
    ///
    /// # Errors
    ///
    /// A validation error when the limit is out of range, or the cursor is malformed or came
    /// from a different query (another partition, prefix, direction or entity type).
    pub async fn query<E: Entity>(&self, query: Query) -> Result<Page<E>, Error> {
        query::run(self.backend.as_ref(), query).await
    }
}

impl std::fmt::Debug for Table {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Table")
            .field("backend", &self.backend.implementation())
            .field("table_name", &self.backend.table_name())
            .field("update_attempts", &self.update_attempts)
            .finish()
    }
}

/// Replaces a failed write condition with a conflict that says what it meant here.
fn refine_conflict(error: Error, meaning: String) -> Error {
    if error.is_condition_failed() {
        Error::conflict(meaning)
    } else {
        error
    }
}

fn next_version(version: u64) -> Result<u64, Error> {
    version
        .checked_add(1)
        .ok_or_else(|| Error::internal("the version cannot go higher"))
}

/// Waits a random time up to a ceiling that doubles with each attempt ("full jitter"), so that
/// writers racing for the same item spread out.
async fn backoff(attempt: u32) {
    let ceiling = BACKOFF_BASE * 2_u32.pow(attempt.min(BACKOFF_MAX_DOUBLINGS));
    tokio::time::sleep(ceiling.mul_f64(random_fraction())).await;
}

/// A number in [0, 1) from std's randomly seeded hasher; good enough for jitter.
fn random_fraction() -> f64 {
    let random = std::collections::hash_map::RandomState::new().hash_one(0_u8);
    (random >> 11) as f64 / (1_u64 << 53) as f64
}
