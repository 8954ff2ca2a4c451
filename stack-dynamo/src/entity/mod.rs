//! Typed entities: how a type declares its keys, and how it becomes an item and back.

mod codec;

use std::time::SystemTime;

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_dynamo::Item;

pub(crate) use self::codec::{
    Stamp, epoch_seconds, is_live, stored_version, timestamp, to_item as stamped_item,
};
use crate::{Error, Key, Keys};

/// The item that stores a new `entity` written at `now`: its fields, keys and reserved
/// attributes (version 1, `createdAt` and `updatedAt` at `now`), as [`Table::create`] writes
/// it. For raw [`Backend`](crate::Backend) calls, tests and migrations.
///
/// [`Table::create`]: crate::Table::create
///
/// # Errors
///
/// A validation error when a key field is missing; an internal error when the entity does
/// not serialise to a map.
pub fn to_item<E: Entity>(entity: &E, now: SystemTime) -> Result<Item, Error> {
    codec::to_item(entity, &Stamp::new(now)).map(|(_, item)| item)
}

/// The entity stored in `item`, upgraded from an older schema version if need be; for raw
/// items from [`Backend`](crate::Backend) calls or stream images.
///
/// # Errors
///
/// An internal error when the item is of another entity type or does not deserialise.
pub fn from_item<E: Entity>(item: Item) -> Result<E, Error> {
    codec::from_item(item)
}

/// A type stored as items of one table, next to other entity types.
///
/// The type declares its name, a schema version and its key templates; the table computes
/// `pk`, `sk` and every index key from the entity's fields, and stores next to them the
/// entity type (`_type`), the schema version (`_sv`), the optimistic-lock `version`,
/// `createdAt` (kept when the item is overwritten), `updatedAt`, and `ttl` when
/// [`expires_at`](Self::expires_at) gives a time. Fields named `version`, `createdAt` or
/// `updatedAt` read those values back; everything else comes from the type's serde
/// implementation through serde_dynamo.
///
/// # Examples
///
/// ```
/// use serde::{Deserialize, Serialize};
/// use stack_dynamo::{Entity, IndexKeys, Keys};
///
/// #[derive(Serialize, Deserialize)]
/// #[serde(rename_all = "camelCase")]
/// struct Todo {
///     list: String,
///     id: String,
///     title: String,
///     due: Option<String>,
///     #[serde(default)]
///     version: u64,
/// }
///
/// impl Entity for Todo {
///     const TYPE: &'static str = "Todo";
///     // Todos by list, and (when they have a due date) by due date across lists.
///     const KEYS: Keys = Keys::new("LIST#{list}", "TODO#{id}")
///         .with_indexes(&[IndexKeys::new("gsi1", "DUE", "{due}#{id}")]);
/// }
/// ```
pub trait Entity: Serialize + DeserializeOwned + Send + Sync + 'static {
    /// The entity type, stored in `_type`; typed reads skip or refuse items of other types.
    const TYPE: &'static str;

    /// The schema version stored in `_sv`; raise it when the stored shape changes, and
    /// convert older items in [`upgrade`](Self::upgrade).
    const SCHEMA_VERSION: u32 = 1;

    /// The key templates: primary key and global secondary indexes.
    const KEYS: Keys;

    /// When DynamoDB may delete the item (stored in `ttl` as epoch seconds); `None` keeps
    /// it. Expired items are never returned by [`Table`](crate::Table) reads, even before
    /// they are deleted.
    fn expires_at(&self) -> Option<SystemTime> {
        None
    }

    /// Converts an item stored at an older schema version to the current shape, before it
    /// is deserialised. The default keeps it as it is.
    ///
    /// # Errors
    ///
    /// When the item cannot be converted.
    fn upgrade(item: Item, stored_version: u32) -> Result<Item, Error> {
        let _ = stored_version;
        Ok(item)
    }

    /// The entity's primary key, computed from its fields.
    ///
    /// # Errors
    ///
    /// A validation error when a field the key reads is missing or the key is too long.
    fn key(&self) -> Result<Key, Error> {
        let item = codec::serialise(self)?;
        Self::KEYS.key(&item)
    }
}
