//! Typed entities and their conversion to and from items.

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_dynamo::{AttributeValue, Item};

use crate::key::{attr, string_attribute};
use crate::{Error, Key};

/// A type stored as items of one table, next to other entity types.
///
/// Every item carries its key in `pk`/`sk`, the entity type in `_type` and the optimistic-lock
/// version in `version` (see [`attr`](crate::attr)); the rest comes from the type's `Serialize`
/// implementation through serde_dynamo.
///
/// # Examples
///
/// ```
/// use serde::{Deserialize, Serialize};
/// use stack_dynamo::{Entity, Key};
///
/// #[derive(Serialize, Deserialize)]
/// struct Todo {
///     list: String,
///     id: String,
///     title: String,
///     version: u64,
/// }
///
/// impl Entity for Todo {
///     const TYPE: &'static str = "Todo";
///
///     fn key(&self) -> Key {
///         Key::new(format!("LIST#{}", self.list), format!("TODO#{}", self.id))
///     }
///
///     fn version(&self) -> u64 {
///         self.version
///     }
///
///     fn set_version(&mut self, version: u64) {
///         self.version = version;
///     }
/// }
/// ```
pub trait Entity: Serialize + DeserializeOwned + Send + Sync + 'static {
    /// The entity type, stored in `_type`; typed reads ignore or refuse items of other types.
    const TYPE: &'static str;

    /// The primary key, computed from the entity's fields.
    fn key(&self) -> Key;

    /// The optimistic-lock version: 1 after create, one more after each update.
    fn version(&self) -> u64;

    /// Sets the version; the table calls it on create, update and read.
    fn set_version(&mut self, version: u64);
}

/// The item that stores `entity`, with the reserved attributes set from the trait.
pub(crate) fn to_item<E: Entity>(entity: &E) -> Result<Item, Error> {
    let mut item: Item = serde_dynamo::to_item(entity)
        .map_err(|error| Error::internal_from(format!("cannot serialise a {}", E::TYPE), error))?;
    let key = entity.key();

    item.insert(attr::PK.to_owned(), AttributeValue::S(key.pk));
    item.insert(attr::SK.to_owned(), AttributeValue::S(key.sk));
    item.insert(attr::TYPE.to_owned(), AttributeValue::S(E::TYPE.to_owned()));
    item.insert(attr::VERSION.to_owned(), version_value(entity.version()));
    Ok(item)
}

/// The entity stored in `item`, which must be of type `E`.
pub(crate) fn from_item<E: Entity>(item: Item) -> Result<E, Error> {
    check_type::<E>(&item)?;
    let version = stored_version(&item)?;
    let mut entity: E = serde_dynamo::from_item(item).map_err(|error| {
        Error::internal_from(format!("cannot read a stored {}", E::TYPE), error)
    })?;

    entity.set_version(version);
    Ok(entity)
}

/// Refuses an item of another entity type: the key layout mixes types up, which is a bug.
fn check_type<E: Entity>(item: &Item) -> Result<(), Error> {
    let stored = string_attribute(item, attr::TYPE).unwrap_or("(none)");
    if stored != E::TYPE {
        let message = format!("expected a {} item, found a {stored} item", E::TYPE);
        return Err(Error::internal(message));
    }
    Ok(())
}

/// The version stored in an item.
pub(crate) fn stored_version(item: &Item) -> Result<u64, Error> {
    match item.get(attr::VERSION) {
        Some(AttributeValue::N(number)) => number.parse().map_err(|error| {
            Error::internal_from(format!("the stored version {number:?} is not a u64"), error)
        }),
        _ => Err(Error::internal("the item has no numeric version")),
    }
}

/// A version as a DynamoDB number.
pub(crate) fn version_value(version: u64) -> AttributeValue {
    AttributeValue::N(version.to_string())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use proptest::prelude::*;
    use serde::Deserialize;

    use super::*;

    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    struct Note {
        owner: String,
        id: String,
        body: String,
        tags: Vec<String>,
        stars: Option<i64>,
        version: u64,
    }

    impl Entity for Note {
        const TYPE: &'static str = "Note";

        fn key(&self) -> Key {
            Key::new(format!("USER#{}", self.owner), format!("NOTE#{}", self.id))
        }

        fn version(&self) -> u64 {
            self.version
        }

        fn set_version(&mut self, version: u64) {
            self.version = version;
        }
    }

    #[derive(Debug, Serialize, Deserialize)]
    struct Other {
        version: u64,
    }

    impl Entity for Other {
        const TYPE: &'static str = "Other";

        fn key(&self) -> Key {
            Key::new("P", "S")
        }

        fn version(&self) -> u64 {
            self.version
        }

        fn set_version(&mut self, version: u64) {
            self.version = version;
        }
    }

    fn note() -> Note {
        let tags = vec!["a".into()];
        let (owner, id, body) = ("Ann".into(), "1".into(), "hi".into());
        Note {
            owner,
            id,
            body,
            tags,
            stars: None,
            version: 3,
        }
    }

    #[test]
    fn reserved_attributes_come_from_the_trait() {
        let item = to_item(&note()).unwrap();
        assert_eq!(item[attr::PK], AttributeValue::S("USER#Ann".into()));
        assert_eq!(item[attr::SK], AttributeValue::S("NOTE#1".into()));
        assert_eq!(item[attr::TYPE], AttributeValue::S("Note".into()));
        assert_eq!(item[attr::VERSION], AttributeValue::N("3".into()));
    }

    #[test]
    fn an_item_of_another_type_is_refused() {
        let item = to_item(&note()).unwrap();
        assert!(from_item::<Other>(item).is_err());
    }

    proptest! {
        #[test]
        fn entities_round_trip(
            owner in ".{1,20}",
            id in ".{1,20}",
            body in ".*",
            tags in prop::collection::vec(".*", 0..4),
            stars in prop::option::of(any::<i64>()), version in 1..u64::MAX,
        ) {
            let note = Note { owner, id, body, tags, stars, version };
            let back: Note = from_item(to_item(&note).unwrap()).unwrap();
            prop_assert_eq!(back, note);
        }
    }
}
