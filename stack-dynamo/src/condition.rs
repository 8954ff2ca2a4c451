//! Conditions checked atomically with a write, and filters applied to query results.

use serde_dynamo::{AttributeValue, Item};

use crate::entity::version_value;
use crate::key::attr;

/// A condition on the item stored at a key, checked atomically with a write; also used as a
/// query filter, where it is checked against each item the query reads.
///
/// Both backends give a condition the same meaning. Attribute names are top-level names (no
/// nested paths yet). On the embedded backend, [`Condition::Equals`] compares numbers by their
/// text, so write numbers in canonical form (serde_dynamo does).
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Condition {
    /// An item exists at the key (`attribute_exists(pk)`).
    Exists,
    /// No item exists at the key (`attribute_not_exists(pk)`).
    NotExists,
    /// The attribute is present and equals the value (`name = :value`).
    Equals(String, AttributeValue),
    /// Both conditions hold.
    And(Box<Condition>, Box<Condition>),
    /// At least one of the conditions holds.
    Or(Box<Condition>, Box<Condition>),
}

impl Condition {
    /// The attribute `name` equals `value`.
    pub fn equals(name: impl Into<String>, value: AttributeValue) -> Self {
        Self::Equals(name.into(), value)
    }

    /// The item is of the given entity type.
    pub fn type_is(entity_type: &str) -> Self {
        Self::equals(attr::TYPE, AttributeValue::S(entity_type.to_owned()))
    }

    /// The item is at the given version.
    pub fn version_is(version: u64) -> Self {
        Self::equals(attr::VERSION, version_value(version))
    }

    /// This condition and `other`.
    pub fn and(self, other: Condition) -> Self {
        Self::And(Box::new(self), Box::new(other))
    }

    /// This condition or `other`.
    pub fn or(self, other: Condition) -> Self {
        Self::Or(Box::new(self), Box::new(other))
    }

    /// Whether the condition holds for the stored item (`None` when there is none).
    ///
    /// This is how the embedded backend evaluates conditions and filters.
    pub fn holds(&self, item: Option<&Item>) -> bool {
        match self {
            Self::Exists => item.is_some(),
            Self::NotExists => item.is_none(),
            Self::Equals(name, value) => item.and_then(|item| item.get(name)) == Some(value),
            Self::And(left, right) => left.holds(item) && right.holds(item),
            Self::Or(left, right) => left.holds(item) || right.holds(item),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Key;

    fn stored(entity_type: &str, version: u64) -> Item {
        let mut item = Key::new("P", "S").to_item();
        item.insert(attr::TYPE.into(), AttributeValue::S(entity_type.into()));
        item.insert(attr::VERSION.into(), version_value(version));
        item
    }

    #[test]
    fn existence_follows_the_stored_item() {
        assert!(Condition::NotExists.holds(None));
        assert!(!Condition::Exists.holds(None));
        assert!(Condition::Exists.holds(Some(&stored("Todo", 1))));
    }

    #[test]
    fn equality_needs_the_attribute() {
        let item = stored("Todo", 2);
        assert!(Condition::version_is(2).holds(Some(&item)));
        assert!(!Condition::version_is(1).holds(Some(&item)));
        assert!(!Condition::version_is(2).holds(None));
    }

    #[test]
    fn combinators_compose() {
        let item = stored("Todo", 2);
        let delete_guard =
            Condition::NotExists.or(Condition::type_is("Todo").and(Condition::version_is(2)));

        assert!(delete_guard.holds(None));
        assert!(delete_guard.holds(Some(&item)));
        assert!(!delete_guard.holds(Some(&stored("Note", 2))));
    }
}
