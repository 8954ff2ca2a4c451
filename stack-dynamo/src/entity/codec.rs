//! Entities to items and back, with the reserved attributes.

use std::time::{SystemTime, UNIX_EPOCH};

use chrono::{DateTime, SecondsFormat, Utc};
use serde_dynamo::{AttributeValue, Item};

use super::Entity;
use crate::key::{attr, string_attribute};
use crate::{Error, Key};

/// What a write stamps on an item besides the entity's own fields.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Stamp {
    /// The version the item will be at.
    pub(crate) version: u64,
    /// `createdAt`: now for a new item, the stored value for an overwrite.
    pub(crate) created_at: String,
    /// `updatedAt`: now.
    pub(crate) updated_at: String,
}

impl Stamp {
    /// The stamp of a new item written at `now`.
    pub(crate) fn new(now: SystemTime) -> Self {
        let now = timestamp(now);
        Self {
            version: 1,
            created_at: now.clone(),
            updated_at: now,
        }
    }

    /// The stamp that overwrites `stored` at `now`: one version up, its `createdAt` kept.
    pub(crate) fn over(stored: &Item, now: SystemTime) -> Result<Self, Error> {
        let version = stored_version(stored)?
            .checked_add(1)
            .ok_or_else(|| Error::internal("the version cannot go higher"))?;
        let now = timestamp(now);
        let created_at =
            string_attribute(stored, attr::CREATED_AT).map_or_else(|_| now.clone(), str::to_owned);
        Ok(Self {
            version,
            created_at,
            updated_at: now,
        })
    }
}

/// A time as stored in `createdAt` and `updatedAt`: RFC 3339, UTC, milliseconds, so that
/// the text sorts as the time does.
pub(crate) fn timestamp(time: SystemTime) -> String {
    DateTime::<Utc>::from(time).to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// Seconds since the epoch, as DynamoDB's TTL reads them.
pub(crate) fn epoch_seconds(time: SystemTime) -> u64 {
    time.duration_since(UNIX_EPOCH)
        .unwrap_or_default()
        .as_secs()
}

/// The entity's own fields, as serde_dynamo writes them.
pub(super) fn serialise<E: Entity>(entity: &E) -> Result<Item, Error> {
    serde_dynamo::to_item(entity)
        .map_err(|error| Error::internal_from(format!("cannot serialise a {}", E::TYPE), error))
}

/// The item that stores `entity`, with its keys and reserved attributes.
pub(crate) fn to_item<E: Entity>(entity: &E, stamp: &Stamp) -> Result<(Key, Item), Error> {
    let mut item = serialise(entity)?;
    item.insert(attr::TYPE.to_owned(), AttributeValue::S(E::TYPE.to_owned()));
    item.insert(attr::SCHEMA_VERSION.to_owned(), number(E::SCHEMA_VERSION));
    item.insert(attr::VERSION.to_owned(), number(stamp.version));
    item.insert(
        attr::CREATED_AT.to_owned(),
        AttributeValue::S(stamp.created_at.clone()),
    );
    item.insert(
        attr::UPDATED_AT.to_owned(),
        AttributeValue::S(stamp.updated_at.clone()),
    );
    match entity.expires_at() {
        Some(time) => item.insert(attr::TTL.to_owned(), number(epoch_seconds(time))),
        None => item.remove(attr::TTL),
    };
    let key = E::KEYS.apply(E::TYPE, &mut item)?;
    Ok((key, item))
}

/// The entity stored in `item`, which must be of type `E`.
pub(crate) fn from_item<E: Entity>(item: Item) -> Result<E, Error> {
    check_type::<E>(&item)?;
    let item = match stored_schema_version(&item) {
        Some(stored) if stored != E::SCHEMA_VERSION => E::upgrade(item, stored)?,
        _ => item,
    };
    serde_dynamo::from_item(item)
        .map_err(|error| Error::internal_from(format!("cannot read a stored {}", E::TYPE), error))
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

fn stored_schema_version(item: &Item) -> Option<u32> {
    match item.get(attr::SCHEMA_VERSION) {
        Some(AttributeValue::N(number)) => number.parse().ok(),
        _ => None,
    }
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

/// Whether the item has not expired at `now` (epoch seconds): no `ttl`, or one after now.
pub(crate) fn is_live(item: &Item, now: u64) -> bool {
    match item.get(attr::TTL) {
        Some(AttributeValue::N(ttl)) => ttl.parse::<f64>().map_or(true, |ttl| ttl > now as f64),
        _ => true,
    }
}

fn number(value: impl Into<u64>) -> AttributeValue {
    let value: u64 = value.into();
    AttributeValue::N(value.to_string())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use std::time::Duration;

    use proptest::prelude::*;
    use serde::{Deserialize, Serialize};

    use super::*;
    use crate::{IndexKeys, Keys};

    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct Note {
        owner: String,
        id: String,
        body: String,
        tags: Vec<String>,
        stars: Option<i64>,
        #[serde(default)]
        version: u64,
    }

    impl Entity for Note {
        const TYPE: &'static str = "Note";
        const SCHEMA_VERSION: u32 = 2;
        const KEYS: Keys = Keys::new("USER#{owner}", "NOTE#{id}").with_indexes(&[IndexKeys::new(
            "gsi1",
            "STARS#{stars}",
            "{id}",
        )]);

        fn expires_at(&self) -> Option<SystemTime> {
            self.stars
                .is_none()
                .then(|| UNIX_EPOCH + Duration::from_secs(100))
        }

        fn upgrade(mut item: Item, stored: u32) -> Result<Item, Error> {
            if stored == 1 {
                item.insert("body".into(), AttributeValue::S("(upgraded)".into()));
            }
            Ok(item)
        }
    }

    #[derive(Debug, Serialize, Deserialize)]
    struct Other {}

    impl Entity for Other {
        const TYPE: &'static str = "Other";
        const KEYS: Keys = Keys::new("P", "S");
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
            version: 0,
        }
    }

    fn stamp() -> Stamp {
        Stamp::new(UNIX_EPOCH + Duration::from_millis(1_500))
    }

    #[test]
    fn reserved_attributes_are_stamped() {
        let (key, item) = to_item(&note(), &stamp()).unwrap();
        assert_eq!(key, Key::new("USER#Ann", "NOTE#1"));
        assert_eq!(item[attr::PK], AttributeValue::S("USER#Ann".into()));
        assert_eq!(item[attr::TYPE], AttributeValue::S("Note".into()));
        assert_eq!(item[attr::SCHEMA_VERSION], AttributeValue::N("2".into()));
        assert_eq!(item[attr::VERSION], AttributeValue::N("1".into()));
        assert_eq!(
            item[attr::CREATED_AT],
            AttributeValue::S("1970-01-01T00:00:01.500Z".into())
        );
        assert_eq!(item[attr::TTL], AttributeValue::N("100".into()));
        assert!(
            !item.contains_key("gsi1pk"),
            "a note without stars is not in gsi1"
        );
    }

    #[test]
    fn an_overwrite_keeps_created_at_and_bumps_the_version() {
        let (_, stored) = to_item(&note(), &stamp()).unwrap();
        let later = Stamp::over(&stored, UNIX_EPOCH + Duration::from_secs(60)).unwrap();
        assert_eq!(later.version, 2);
        assert_eq!(later.created_at, "1970-01-01T00:00:01.500Z");
        assert_eq!(later.updated_at, "1970-01-01T00:01:00.000Z");
    }

    #[test]
    fn older_schema_versions_are_upgraded_on_read() {
        let (_, mut item) = to_item(&note(), &stamp()).unwrap();
        item.insert(attr::SCHEMA_VERSION.into(), AttributeValue::N("1".into()));
        assert_eq!(from_item::<Note>(item).unwrap().body, "(upgraded)");
    }

    #[test]
    fn an_item_of_another_type_is_refused() {
        let (_, item) = to_item(&note(), &stamp()).unwrap();
        assert!(from_item::<Other>(item).is_err());
    }

    proptest! {
        #[test]
        fn entities_round_trip(
            owner in ".{1,20}",
            id in ".{1,20}",
            body in ".*",
            tags in prop::collection::vec(".*", 0..4),
            stars in prop::option::of(any::<i64>()),
        ) {
            let note = Note { owner, id, body, tags, stars, version: 1 };
            let (key, item) = to_item(&note, &stamp()).unwrap();
            prop_assert_eq!(&key, &note.key().unwrap());
            let back: Note = from_item(item).unwrap();
            prop_assert_eq!(back, note);
        }
    }
}
