//! Writes of whole entities: create, put, replace, conditional put, update, delete.

use serde_dynamo::Item;

use super::Table;
use super::retry::backoff;
use crate::entity::{Stamp, epoch_seconds, from_item, is_live, stamped_item, stored_version};
use crate::query::expired;
use crate::{Condition, Entity, Error, Key};

impl Table {
    /// Stores a new entity at version 1, unless an item (of any type) has its key. Returns
    /// the entity as stored (its `version`, `createdAt` and `updatedAt` fields, if it has
    /// them, filled in).
    ///
    /// # Examples
    ///
    /// ```
    /// # use serde::{Deserialize, Serialize};
    /// # use stack_dynamo::{Entity, Keys};
    /// # #[derive(Serialize, Deserialize)]
    /// # struct Todo { list: String, id: String, #[serde(default)] version: u64 }
    /// # impl Entity for Todo {
    /// #     const TYPE: &'static str = "Todo";
    /// #     const KEYS: Keys = Keys::new("LIST#{list}", "TODO#{id}");
    /// # }
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), stack_dynamo::Error> {
    /// # let table = stack_dynamo::Table::new(stack_dynamo::EmbeddedBackend::in_memory()?);
    /// let todo = table.create(Todo { list: "home".into(), id: "1".into(), version: 0 }).await?;
    /// assert_eq!(todo.version, 1);
    /// let again = table.create(Todo { list: "home".into(), id: "1".into(), version: 0 }).await;
    /// assert!(again.is_err_and(|error| error.is_conflict()));
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    ///
    /// A conflict when the key is taken; a validation error when the key cannot be computed.
    pub async fn create<E: Entity>(&self, entity: E) -> Result<E, Error> {
        let (_, item) = stamped_item(&entity, &Stamp::new(self.now()))?;
        let written = self
            .backend
            .put_item(
                item.clone(),
                Some(Condition::NotExists.or(expired(self.now_seconds()))),
            )
            .await;
        let taken = || format!("the {} already exists", E::TYPE);
        written.map_err(|error| refine_conflict(error, taken()))?;
        from_item(item)
    }

    /// Stores the entity whether or not it exists: a new one at version 1, or over the
    /// stored one (of the same type) one version up, keeping its `createdAt`.
    ///
    /// It reads the stored item first and writes only if nobody wrote in between, retrying
    /// like [`update`](Self::update) when someone did.
    ///
    /// # Errors
    ///
    /// A conflict when the item at the key is of another type, or kept changing.
    pub async fn put<E: Entity>(&self, entity: E) -> Result<E, Error> {
        self.retrying::<E, _>(|| self.overwrite(&entity, None, None))
            .await
    }

    /// Overwrites the stored entity, which must be at `expected_version` (optimistic locking),
    /// keeping its `createdAt`; the entity is stored one version up.
    ///
    /// # Errors
    ///
    /// Not found when there is no `E` at the key; a conflict when it is at another version.
    pub async fn replace<E: Entity>(&self, entity: E, expected_version: u64) -> Result<E, Error> {
        self.overwrite(&entity, Some(expected_version), None).await
    }

    /// Stores the entity (new or over the stored one, as [`put`](Self::put)) only if
    /// `condition` holds for the stored item (`None` when there is none).
    ///
    /// # Examples
    ///
    /// ```
    /// # use serde::{Deserialize, Serialize};
    /// # use stack_dynamo::{Entity, Keys};
    /// # #[derive(Serialize, Deserialize)] struct Todo { list: String, id: String, done: bool }
    /// # impl Entity for Todo {
    /// #     const TYPE: &'static str = "Todo";
    /// #     const KEYS: Keys = Keys::new("LIST#{list}", "TODO#{id}");
    /// # }
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), stack_dynamo::Error> {
    /// # let table = stack_dynamo::Table::new(stack_dynamo::EmbeddedBackend::in_memory()?);
    /// use serde_dynamo::AttributeValue;
    /// use stack_dynamo::Condition;
    ///
    /// // Reopen a todo, unless someone already marked it done.
    /// let open = Condition::equals("done", AttributeValue::Bool(false));
    /// let not_done = Condition::NotExists.or(open);
    /// let todo = Todo { list: "home".into(), id: "1".into(), done: false };
    /// table.put_if(todo, not_done).await?;
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    ///
    /// A conflict when the condition does not hold or the item changed under the write.
    pub async fn put_if<E: Entity>(&self, entity: E, condition: Condition) -> Result<E, Error> {
        self.overwrite(&entity, None, Some(condition)).await
    }

    /// Reads the stored item, then writes over it if it is unchanged (same version).
    async fn overwrite<E: Entity>(
        &self,
        entity: &E,
        expected_version: Option<u64>,
        condition: Option<Condition>,
    ) -> Result<E, Error> {
        let key = entity.key()?;
        let stored = self.backend.get_item(&key).await?;
        let stored = stored.filter(|item| is_live(item, self.now_seconds()));
        let (stamp, guard) = overwrite_guard::<E>(stored.as_ref(), expected_version, self.now())?;
        let guard = match condition {
            Some(condition) => guard.and(condition),
            None => guard,
        };
        let (_, item) = stamped_item(entity, &stamp)?;
        let written = self.backend.put_item(item.clone(), Some(guard)).await;
        let changed = || format!("the {} changed during the write", E::TYPE);
        written.map_err(|error| refine_conflict(error, changed()))?;
        from_item(item)
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
    /// For changes to a few fields without reading first, see [`patch`](Self::patch).
    ///
    /// # Errors
    ///
    /// Not found when no `E` is at `key`; a conflict when the version is not the expected one or
    /// the entity kept changing until attempts ran out; any error `change` returns; a
    /// validation error when `change` altered the key.
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
        if expected_version.is_some() {
            return self.update_once(key, expected_version, &mut change).await;
        }
        for round in 1..=self.update_attempts {
            match self.update_once(key, None, &mut change).await {
                Err(error) if error.is_condition_failed() => retry_after(E::TYPE, round).await,
                outcome => return outcome,
            }
        }
        Err(self.gave_up::<E>())
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
        let stored = self.backend.get_item(key).await?;
        let stored = stored
            .filter(|item| is_live(item, self.now_seconds()))
            .ok_or_else(|| Error::not_found(E::TYPE))?;
        let mut entity: E = from_item(stored.clone())?;
        let (stamp, guard) = overwrite_guard::<E>(Some(&stored), expected_version, self.now())?;

        change(&mut entity)?;
        let (new_key, item) = stamped_item(&entity, &stamp)?;
        if new_key != *key {
            return Err(Error::validation(format!(
                "an update of a {} cannot change its key",
                E::TYPE
            )));
        }
        let written = self.backend.put_item(item.clone(), Some(guard)).await;
        let changed = || format!("the {} changed during the update", E::TYPE);
        written.map_err(|error| refine_conflict(error, changed()))?;
        from_item(item)
    }

    /// Runs `attempt` until it succeeds, fails with something other than a condition, or
    /// runs out of attempts, backing off in between.
    async fn retrying<E, Fut>(&self, attempt: impl Fn() -> Fut) -> Result<E, Error>
    where
        E: Entity,
        Fut: Future<Output = Result<E, Error>>,
    {
        for round in 1..=self.update_attempts {
            match attempt().await {
                Err(error) if error.is_condition_failed() => retry_after(E::TYPE, round).await,
                outcome => return outcome,
            }
        }
        Err(self.gave_up::<E>())
    }

    fn gave_up<E: Entity>(&self) -> Error {
        let (entity_type, attempts) = (E::TYPE, self.update_attempts);
        Error::conflict(format!(
            "the {entity_type} kept changing; gave up after {attempts} attempts"
        ))
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

    /// Deletes the `E` at `key` if `condition` holds for it; `Ok(false)` when there was
    /// nothing to delete.
    ///
    /// # Examples
    ///
    /// ```
    /// # use serde::{Deserialize, Serialize};
    /// # use stack_dynamo::{Entity, Keys};
    /// # #[derive(Serialize, Deserialize)] struct Todo { list: String, id: String, done: bool }
    /// # impl Entity for Todo {
    /// #     const TYPE: &'static str = "Todo";
    /// #     const KEYS: Keys = Keys::new("LIST#{list}", "TODO#{id}");
    /// # }
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), stack_dynamo::Error> {
    /// # let table = stack_dynamo::Table::new(stack_dynamo::EmbeddedBackend::in_memory()?);
    /// use serde_dynamo::AttributeValue;
    /// use stack_dynamo::Condition;
    ///
    /// let key = Todo::KEYS.key_of(&[("list", "home"), ("id", "1")])?;
    /// let only_done = Condition::equals("done", AttributeValue::Bool(true));
    /// let deleted = table.delete_if::<Todo>(&key, only_done).await?;
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    ///
    /// A conflict when the condition does not hold or the item is of another type.
    pub async fn delete_if<E: Entity>(
        &self,
        key: &Key,
        condition: Condition,
    ) -> Result<bool, Error> {
        let guard = Condition::type_is(E::TYPE).and(condition);
        let deleted = self.delete_where(key, guard).await;
        let refused = || format!("the {} does not meet the delete's condition", E::TYPE);
        deleted.map_err(|error| refine_conflict(error, refused()))
    }

    async fn delete_where(&self, key: &Key, guard: Condition) -> Result<bool, Error> {
        key.validate()?;
        let condition = Condition::NotExists.or(guard);
        let deleted = self.backend.delete_item(key, Some(condition)).await?;
        Ok(deleted.is_some())
    }
}

/// Waits before another attempt at a write that met a concurrent one.
async fn retry_after(entity_type: &str, round: u32) {
    tracing::debug!(
        entity = entity_type,
        round,
        "the item changed during a write; retrying"
    );
    backoff(round).await;
}

/// The stamp of a write over `stored`, and the condition that it is still what was read.
fn overwrite_guard<E: Entity>(
    stored: Option<&Item>,
    expected_version: Option<u64>,
    now: std::time::SystemTime,
) -> Result<(Stamp, Condition), Error> {
    let Some(stored) = stored else {
        return match expected_version {
            Some(_) => Err(Error::not_found(E::TYPE)),
            // Absent, or expired but not deleted yet: either way, a new item.
            None => {
                let free = Condition::NotExists.or(expired(epoch_seconds(now)));
                Ok((Stamp::new(now), free))
            }
        };
    };
    let version = stored_version(stored)?;
    if let Some(expected) = expected_version
        && expected != version
    {
        return Err(Error::version_mismatch(E::TYPE, expected, version));
    }
    let guard = Condition::type_is(E::TYPE).and(Condition::version_is(version));
    Ok((Stamp::over(stored, now)?, guard))
}

/// Replaces a failed write condition with a conflict that says what it meant here.
pub(super) fn refine_conflict(error: Error, meaning: String) -> Error {
    if error.is_condition_failed() && !error.is_transaction_cancelled() {
        Error::conflict(meaning)
    } else {
        error
    }
}
