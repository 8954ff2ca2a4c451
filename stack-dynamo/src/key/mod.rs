//! The primary key of an item, the attribute names every item carries, and key templates.

pub(crate) mod template;

use std::fmt;

use serde_dynamo::{AttributeValue, Item};

use crate::Error;

pub use self::template::{IndexKeys, KeyTemplate, Keys};

/// The attribute names this crate reserves on every item.
///
/// Entities may have fields named `version`, `createdAt` and `updatedAt` (the table keeps
/// them); fields named like the other attributes are overwritten on write.
pub mod attr {
    /// The partition key attribute (a string).
    pub const PK: &str = "pk";
    /// The sort key attribute (a string).
    pub const SK: &str = "sk";
    /// The entity type attribute, [`Entity::TYPE`](crate::Entity::TYPE).
    pub const TYPE: &str = "_type";
    /// The schema version attribute, [`Entity::SCHEMA_VERSION`](crate::Entity::SCHEMA_VERSION).
    pub const SCHEMA_VERSION: &str = "_sv";
    /// The optimistic-lock attribute (a number), starting at 1.
    pub const VERSION: &str = "version";
    /// When the item was first written (RFC 3339, UTC, milliseconds), kept on overwrite.
    pub const CREATED_AT: &str = "createdAt";
    /// When the item was last written (RFC 3339, UTC, milliseconds).
    pub const UPDATED_AT: &str = "updatedAt";
    /// When DynamoDB may delete the item (epoch seconds); the table's TTL attribute.
    pub const TTL: &str = "ttl";

    /// The partition key attribute of the global secondary index `index` (`<index>pk`).
    pub fn index_pk(index: &str) -> String {
        format!("{index}pk")
    }

    /// The sort key attribute of the global secondary index `index` (`<index>sk`).
    pub fn index_sk(index: &str) -> String {
        format!("{index}sk")
    }
}

/// The longest partition key DynamoDB accepts, in UTF-8 bytes.
const MAX_PK_BYTES: usize = 2048;
/// The longest sort key DynamoDB accepts, in UTF-8 bytes.
const MAX_SK_BYTES: usize = 1024;

/// The primary key of an item: partition key and sort key, both strings.
///
/// Keys are compared and stored exactly as given: case and Unicode normalisation are preserved,
/// and sort keys order by their UTF-8 bytes, as DynamoDB orders them.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Key {
    /// The partition key, stored in [`attr::PK`].
    pub pk: String,
    /// The sort key, stored in [`attr::SK`].
    pub sk: String,
}

impl Key {
    /// A key from its partition and sort key.
    pub fn new(pk: impl Into<String>, sk: impl Into<String>) -> Self {
        Self {
            pk: pk.into(),
            sk: sk.into(),
        }
    }

    /// Checks the key against DynamoDB's limits, which the embedded backend shares.
    ///
    /// # Errors
    ///
    /// A validation error when either part is empty or the partition key is over 2048 bytes or
    /// the sort key over 1024 bytes.
    pub fn validate(&self) -> Result<(), Error> {
        check_length("partition key", &self.pk, MAX_PK_BYTES)?;
        check_length("sort key", &self.sk, MAX_SK_BYTES)
    }

    /// The key read from an item's [`attr::PK`] and [`attr::SK`] attributes.
    ///
    /// # Errors
    ///
    /// A validation error when either attribute is missing or not a string.
    pub fn from_item(item: &Item) -> Result<Self, Error> {
        let pk = string_attribute(item, attr::PK)?;
        let sk = string_attribute(item, attr::SK)?;
        Ok(Self::new(pk, sk))
    }

    /// The key as an item holding only [`attr::PK`] and [`attr::SK`].
    pub fn to_item(&self) -> Item {
        let mut item = Item::default();
        item.insert(attr::PK.to_owned(), AttributeValue::S(self.pk.clone()));
        item.insert(attr::SK.to_owned(), AttributeValue::S(self.sk.clone()));
        item
    }
}

impl fmt::Display for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "key ({:?}, {:?})", self.pk, self.sk)
    }
}

/// Checks a partition key on its own, as queries take one.
pub(crate) fn validate_pk(pk: &str) -> Result<(), Error> {
    check_length("partition key", pk, MAX_PK_BYTES)
}

/// Checks a sort-key value on its own.
pub(crate) fn validate_sk(sk: &str) -> Result<(), Error> {
    check_length("sort key", sk, MAX_SK_BYTES)
}

fn check_length(what: &str, value: &str, max_bytes: usize) -> Result<(), Error> {
    if value.is_empty() || value.len() > max_bytes {
        let message = format!(
            "the {what} must be 1 to {max_bytes} bytes, got {}",
            value.len()
        );
        return Err(Error::validation(message));
    }
    Ok(())
}

/// The string value of a top-level attribute.
pub(crate) fn string_attribute<'a>(item: &'a Item, name: &str) -> Result<&'a str, Error> {
    match item.get(name) {
        Some(AttributeValue::S(value)) => Ok(value),
        _ => Err(Error::validation(format!(
            "the item has no string attribute `{name}`"
        ))),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn empty_and_oversized_parts_are_refused() {
        assert!(Key::new("", "s").validate().unwrap_err().is_validation());
        assert!(Key::new("p", "").validate().unwrap_err().is_validation());
        assert!(Key::new("p", "s".repeat(1025)).validate().is_err());
        assert!(
            Key::new("p".repeat(2048), "s".repeat(1024))
                .validate()
                .is_ok()
        );
    }

    #[test]
    fn key_round_trips_through_an_item() {
        let key = Key::new("Tenant#A", "Todo#é");
        assert_eq!(Key::from_item(&key.to_item()).unwrap(), key);
    }
}
