//! Partial updates of an entity that keep its index keys right.

use std::marker::PhantomData;
use std::time::SystemTime;

use serde::Serialize;
use serde_dynamo::{AttributeValue, Item};

use super::Table;
use crate::entity::{epoch_seconds, from_item, timestamp};
use crate::key::template::{Unfilled, key_text};
use crate::key::{IndexKeys, attr};
use crate::query::live;
use crate::{Condition, Entity, Error, Key, Update};

/// A partial update of one entity: set, remove and add fields without reading it first.
///
/// The table bumps the version, sets `updatedAt`, and recomputes every index key whose
/// template reads a changed field. An index key can only be recomputed from values the patch
/// sets, so a patch that changes one field of an index key must set every field that key
/// reads (unchanged ones included), or it is refused with a validation error naming the
/// missing field. Removing a field an index key reads takes the item out of that index. Fields
/// of the primary key cannot change (delete and create instead); a patch may set them to
/// their stored values to fill an index key, and is refused with a conflict if they differ.
///
/// # Examples
///
/// ```
/// # use serde::{Deserialize, Serialize};
/// # use stack_dynamo::{Entity, IndexKeys, Keys};
/// # #[derive(Serialize, Deserialize)]
/// # struct Todo {
/// #     list: String, id: String, title: String, done: bool,
/// #     #[serde(default)] version: u64,
/// # }
/// # impl Entity for Todo {
/// #     const TYPE: &'static str = "Todo";
/// #     const KEYS: Keys = Keys::new("LIST#{list}", "TODO#{id}")
/// #         .with_indexes(&[IndexKeys::new("gsi1", "LIST#{list}#{done}", "{id}")]);
/// # }
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), stack_dynamo::Error> {
/// # let table = stack_dynamo::Table::new(stack_dynamo::EmbeddedBackend::in_memory()?);
/// # let (list, id, title) = ("home".into(), "1".into(), "Milk".into());
/// # table.create(Todo { list, id, title, done: false, version: 0 }).await?;
/// use stack_dynamo::Patch;
///
/// let key = Todo::KEYS.key_of(&[("list", "home"), ("id", "1")])?;
/// // `done` feeds gsi1's key, which also reads `list` and `id`: give them too.
/// let done = Patch::<Todo>::new(key.clone())
///     .set("done", true)
///     .set("list", "home")
///     .set("id", "1")
///     .expect_version(1);
/// assert_eq!(table.patch(done).await?.version, 2);
///
/// let refused = Patch::<Todo>::new(key).set("done", false);
/// assert!(table.patch(refused).await.is_err_and(|error| error.is_validation()));
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone)]
pub struct Patch<E> {
    key: Key,
    set: Vec<(String, Result<AttributeValue, String>)>,
    remove: Vec<String>,
    add: Vec<(String, Result<AttributeValue, String>)>,
    expected_version: Option<u64>,
    condition: Option<Condition>,
    expires_at: Option<Option<SystemTime>>,
    entity: PhantomData<fn() -> E>,
}

impl<E: Entity> Patch<E> {
    /// A patch of the `E` at `key` that changes nothing yet.
    pub fn new(key: Key) -> Self {
        Self {
            key,
            set: Vec::new(),
            remove: Vec::new(),
            add: Vec::new(),
            expected_version: None,
            condition: None,
            expires_at: None,
            entity: PhantomData,
        }
    }

    /// Sets `field` to `value`, serialised as the entity's field would be.
    pub fn set(mut self, field: impl Into<String>, value: impl Serialize) -> Self {
        self.set.push((field.into(), attribute(&value)));
        self
    }

    /// Removes `field` (for optional fields).
    pub fn remove(mut self, field: impl Into<String>) -> Self {
        self.remove.push(field.into());
        self
    }

    /// Adds `amount` to the number `field` (from zero when absent), atomically.
    pub fn add(mut self, field: impl Into<String>, amount: impl Serialize) -> Self {
        self.add.push((field.into(), attribute(&amount)));
        self
    }

    /// Applies only if the entity is at `version` (optimistic locking).
    pub fn expect_version(mut self, version: u64) -> Self {
        self.expected_version = Some(version);
        self
    }

    /// Applies only if `condition` holds for the stored entity.
    pub fn only_if(mut self, condition: Condition) -> Self {
        self.condition = Some(match self.condition.take() {
            Some(existing) => existing.and(condition),
            None => condition,
        });
        self
    }

    /// Sets (`Some`) or clears (`None`) the entity's expiry.
    pub fn expires_at(mut self, expires_at: Option<SystemTime>) -> Self {
        self.expires_at = Some(expires_at);
        self
    }

    /// The backend update and its condition, with index keys, version and `updatedAt`.
    pub(super) fn plan(self, now: SystemTime) -> Result<(Key, Update, Condition), Error> {
        let (set, add) = (resolved(self.set)?, resolved(self.add)?);
        let touched = set
            .iter()
            .chain(&add)
            .map(|(name, _)| name)
            .chain(&self.remove);
        for field in touched {
            check_patchable::<E>(field)?;
        }
        let changing_key = self.remove.iter().chain(add.iter().map(|(name, _)| name));
        if let Some(field) = changing_key
            .into_iter()
            .find(|field| E::KEYS.primary_reads(field))
        {
            return Err(key_field_error::<E>(field));
        }
        // Key fields are only given to fill index keys; they are checked, not written.
        let (key_fields, set): (Vec<Field>, Vec<Field>) = set
            .into_iter()
            .partition(|(field, _)| E::KEYS.primary_reads(field));

        let mut update = Update::new();
        let known: Vec<Field> = set.iter().chain(&key_fields).cloned().collect();
        for keys in E::KEYS.indexes {
            update = reindex::<E>(update, keys, (&set, &known), &self.remove, &add)?;
        }
        update.set.extend(set);
        update.remove.extend(self.remove);
        update.add.extend(add);
        let update = bookkeeping(update, now, self.expires_at);

        let mut condition = Condition::type_is(E::TYPE).and(live(epoch_seconds(now)));
        if let Some(version) = self.expected_version {
            condition = condition.and(Condition::version_is(version));
        }
        for (field, value) in key_fields {
            condition = condition.and(Condition::equals(field, value));
        }
        if let Some(extra) = self.condition {
            condition = condition.and(extra);
        }
        Ok((self.key, update, condition))
    }
}

/// What every patch also writes: `updatedAt`, the version one up, and the expiry if asked.
fn bookkeeping(update: Update, now: SystemTime, expires_at: Option<Option<SystemTime>>) -> Update {
    let update = update
        .set(attr::UPDATED_AT, AttributeValue::S(timestamp(now)))
        .add(attr::VERSION, AttributeValue::N("1".into()));
    match expires_at {
        Some(Some(time)) => update.set(
            attr::TTL,
            AttributeValue::N(epoch_seconds(time).to_string()),
        ),
        Some(None) => update.remove(attr::TTL),
        None => update,
    }
}

fn key_field_error<E: Entity>(field: &str) -> Error {
    let entity_type = E::TYPE;
    let message = format!(
        "`{field}` is part of the primary key of a {entity_type}; delete and create instead"
    );
    Error::validation(message)
}

fn attribute(value: &impl Serialize) -> Result<AttributeValue, String> {
    serde_dynamo::to_attribute_value(value).map_err(|error| error.to_string())
}

fn resolved(
    values: Vec<(String, Result<AttributeValue, String>)>,
) -> Result<Vec<(String, AttributeValue)>, Error> {
    values
        .into_iter()
        .map(|(name, value)| {
            value.map(|value| (name.clone(), value)).map_err(|error| {
                Error::validation(format!("cannot store the value of `{name}`: {error}"))
            })
        })
        .collect()
}

/// Refuses fields the table keeps itself, and fields of the primary key.
fn check_patchable<E: Entity>(field: &str) -> Result<(), Error> {
    let reserved = [
        attr::PK,
        attr::SK,
        attr::TYPE,
        attr::SCHEMA_VERSION,
        attr::VERSION,
        attr::CREATED_AT,
        attr::UPDATED_AT,
        attr::TTL,
    ];
    let index_key = E::KEYS
        .indexes
        .iter()
        .any(|keys| field == attr::index_pk(keys.index) || field == attr::index_sk(keys.index));
    if reserved.contains(&field) || index_key {
        return Err(Error::validation(format!(
            "`{field}` is kept by the table and cannot be patched"
        )));
    }
    Ok(())
}

/// A field name and its value.
type Field = (String, AttributeValue);

/// Adds to `update` what keeps index `keys` right after the patch: `changed` are the fields
/// the patch sets, `known` those plus the key fields it names.
fn reindex<E: Entity>(
    update: Update,
    keys: &IndexKeys,
    (changed, known): (&[Field], &[Field]),
    remove: &[String],
    add: &[(String, AttributeValue)],
) -> Result<Update, Error> {
    let (pk_name, sk_name) = (attr::index_pk(keys.index), attr::index_sk(keys.index));
    if remove.iter().any(|field| keys.reads(field)) {
        return Ok(update.remove(pk_name).remove(sk_name));
    }
    if let Some((field, _)) = add.iter().find(|(field, _)| keys.reads(field)) {
        let message = format!(
            "`{field}` feeds the {} key of a {}, so it must be set, not added to",
            keys.index,
            E::TYPE
        );
        return Err(Error::validation(message));
    }
    if !changed.iter().any(|(field, _)| keys.reads(field)) {
        return Ok(update);
    }

    let values: Item = known
        .iter()
        .cloned()
        .collect::<std::collections::HashMap<_, _>>()
        .into();
    let unusable = known
        .iter()
        .any(|(field, value)| keys.reads(field) && key_text(value).is_none());
    if unusable {
        return Ok(update.remove(pk_name).remove(sk_name));
    }
    let filled = (keys.pk.fill_from(&values), keys.sk.fill_from(&values));
    match filled {
        (Ok(pk), Ok(sk)) => Ok(update
            .set(pk_name, AttributeValue::S(pk))
            .set(sk_name, AttributeValue::S(sk))),
        (Err(Unfilled::Missing(field)), _) | (_, Err(Unfilled::Missing(field))) => {
            Err(Error::validation(format!(
                "the patch changes the {} key of a {}, which also reads `{field}`: \
                 set it too (to its stored value if unchanged)",
                keys.index,
                E::TYPE
            )))
        }
        (Err(malformed), _) | (_, Err(malformed)) => Err(malformed.into_error(E::TYPE, keys.index)),
    }
}

impl Table {
    /// Applies a [`Patch`] and returns the entity as written.
    ///
    /// # Errors
    ///
    /// Not found when there is no `E` at the key; a conflict when it is at another version
    /// than expected or the patch's condition does not hold; a validation error when the
    /// patch touches a key field or cannot recompute an index key.
    pub async fn patch<E: Entity>(&self, patch: Patch<E>) -> Result<E, Error> {
        let expected_version = patch.expected_version;
        let (key, update, condition) = patch.plan(self.now())?;
        key.validate()?;
        match self
            .backend
            .update_item(&key, update, Some(condition))
            .await
        {
            Ok(item) => from_item(item),
            Err(error) if error.is_condition_failed() => {
                Err(self.why_refused::<E>(&key, expected_version).await)
            }
            Err(error) => Err(error),
        }
    }

    /// Tells a missing entity and a stale version from a failed condition.
    async fn why_refused<E: Entity>(&self, key: &Key, expected_version: Option<u64>) -> Error {
        let stored = match self.backend.get_item(key).await {
            Ok(stored) => stored,
            Err(error) => return error,
        };
        let now = self.now_seconds();
        let is_e = |item: &Item| {
            crate::key::string_attribute(item, attr::TYPE).is_ok_and(|t| t == E::TYPE)
        };
        let Some(stored) = stored.filter(|item| crate::entity::is_live(item, now) && is_e(item))
        else {
            return Error::not_found(E::TYPE);
        };
        let stored = Some(stored);
        let version = stored
            .as_ref()
            .and_then(|item| crate::entity::stored_version(item).ok());
        match (expected_version, version) {
            (Some(expected), Some(stored)) if expected != stored => {
                Error::version_mismatch(E::TYPE, expected, stored)
            }
            _ => Error::conflict(format!(
                "the {} does not meet the patch's condition",
                E::TYPE
            )),
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use serde::Deserialize;

    use super::*;
    use crate::Keys;

    #[derive(Serialize, Deserialize)]
    struct Task {
        team: String,
        id: String,
        status: String,
        due: String,
        count: u64,
    }

    impl Entity for Task {
        const TYPE: &'static str = "Task";
        const KEYS: Keys = Keys::new("TEAM#{team}", "TASK#{id}").with_indexes(&[IndexKeys::new(
            "gsi1",
            "STATUS#{status}",
            "{due}#{id}",
        )]);
    }

    fn key() -> Key {
        Key::new("TEAM#a", "TASK#1")
    }

    fn plan(patch: Patch<Task>) -> Result<Update, Error> {
        patch
            .plan(SystemTime::UNIX_EPOCH)
            .map(|(_, update, _)| update)
    }

    #[test]
    fn a_changed_index_field_recomputes_the_index_key() {
        let patch = Patch::<Task>::new(key())
            .set("status", "Done")
            .set("due", "2030")
            .set("id", "1");
        let (_, update, condition) = patch.plan(SystemTime::UNIX_EPOCH).unwrap();
        assert!(
            update
                .set
                .contains(&("gsi1sk".into(), AttributeValue::S("2030#1".into())))
        );
        assert!(
            !update.set.iter().any(|(name, _)| name == "id"),
            "key fields are not written"
        );
        assert!(
            format!("{condition:?}").contains("\"id\""),
            "but checked: {condition:?}"
        );

        let patch = Patch::<Task>::new(key())
            .set("status", "Done")
            .set("due", "2030");
        let error = plan(patch).unwrap_err();
        assert!(error.to_string().contains("`id`"), "{error}");
    }

    #[test]
    fn an_index_that_reads_only_set_fields_is_rebuilt() {
        #[derive(Serialize, Deserialize)]
        struct Flag {
            id: String,
            on: bool,
        }
        impl Entity for Flag {
            const TYPE: &'static str = "Flag";
            const KEYS: Keys =
                Keys::new("FLAG", "{id}").with_indexes(&[IndexKeys::new("gsi2", "ON#{on}", "X")]);
        }
        let update = Patch::<Flag>::new(key())
            .set("on", true)
            .plan(SystemTime::UNIX_EPOCH)
            .unwrap()
            .1;
        assert!(
            update
                .set
                .contains(&("gsi2pk".into(), AttributeValue::S("ON#true".into())))
        );
    }

    #[test]
    fn removing_an_index_field_leaves_the_index() {
        let update = plan(Patch::<Task>::new(key()).remove("due")).unwrap();
        assert!(
            update.remove.contains(&"gsi1pk".to_owned())
                && update.remove.contains(&"gsi1sk".to_owned())
        );
    }

    #[test]
    fn adding_to_an_index_field_or_a_reserved_one_is_refused() {
        assert!(
            plan(Patch::<Task>::new(key()).add("status", 1))
                .unwrap_err()
                .is_validation()
        );
        assert!(
            plan(Patch::<Task>::new(key()).set("version", 9))
                .unwrap_err()
                .is_validation()
        );
        let counted = plan(Patch::<Task>::new(key()).add("count", 1)).unwrap();
        assert!(
            counted
                .add
                .contains(&("count".into(), AttributeValue::N("1".into())))
        );
        assert!(
            counted
                .add
                .contains(&(attr::VERSION.into(), AttributeValue::N("1".into())))
        );
    }
}
