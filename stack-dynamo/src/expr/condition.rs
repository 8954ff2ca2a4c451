//! Conditions checked atomically with a write, and filters applied to read results.

use std::cmp::Ordering;

use serde_dynamo::{AttributeValue, Item};

use super::compare_numbers;
use crate::key::attr;

/// A condition on the item stored at a key, checked atomically with a write; also a filter
/// on the items a query or scan reads.
///
/// Attribute names are top-level names (no nested paths). Both backends give a condition the
/// same meaning: comparisons between values of different types, or with a missing attribute,
/// are false; numbers compare by value, strings and binaries by bytes.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Condition {
    /// An item exists at the key (`attribute_exists(pk)`).
    Exists,
    /// No item exists at the key (`attribute_not_exists(pk)`).
    NotExists,
    /// The attribute is present (`attribute_exists(name)`).
    AttributeExists(String),
    /// The attribute is absent (`attribute_not_exists(name)`).
    AttributeNotExists(String),
    /// The attribute compares to the value as asked (`name < :value`, ...).
    Compare(String, Comparison, AttributeValue),
    /// The string attribute begins with the text (`begins_with(name, :text)`).
    BeginsWith(String, String),
    /// The attribute lies between the values, both included (`name BETWEEN :low AND :high`).
    Between(String, AttributeValue, AttributeValue),
    /// Both conditions hold.
    And(Box<Condition>, Box<Condition>),
    /// At least one of the conditions holds.
    Or(Box<Condition>, Box<Condition>),
    /// The condition does not hold.
    Not(Box<Condition>),
}

/// How [`Condition::Compare`] compares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Comparison {
    /// `=`
    Equal,
    /// `<`
    Less,
    /// `<=`
    LessOrEqual,
    /// `>`
    Greater,
    /// `>=`
    GreaterOrEqual,
}

impl Comparison {
    /// The operator in DynamoDB's expression syntax.
    pub fn operator(self) -> &'static str {
        match self {
            Self::Equal => "=",
            Self::Less => "<",
            Self::LessOrEqual => "<=",
            Self::Greater => ">",
            Self::GreaterOrEqual => ">=",
        }
    }

    fn accepts(self, ordering: Ordering) -> bool {
        match self {
            Self::Equal => ordering.is_eq(),
            Self::Less => ordering.is_lt(),
            Self::LessOrEqual => ordering.is_le(),
            Self::Greater => ordering.is_gt(),
            Self::GreaterOrEqual => ordering.is_ge(),
        }
    }
}

impl Condition {
    /// The attribute `name` equals `value`.
    pub fn equals(name: impl Into<String>, value: AttributeValue) -> Self {
        Self::Compare(name.into(), Comparison::Equal, value)
    }

    /// The attribute `name` compares to `value` with `comparison`.
    pub fn compare(name: impl Into<String>, comparison: Comparison, value: AttributeValue) -> Self {
        Self::Compare(name.into(), comparison, value)
    }

    /// The attribute `name` is present.
    pub fn attribute_exists(name: impl Into<String>) -> Self {
        Self::AttributeExists(name.into())
    }

    /// The attribute `name` is absent.
    pub fn attribute_not_exists(name: impl Into<String>) -> Self {
        Self::AttributeNotExists(name.into())
    }

    /// The string attribute `name` begins with `prefix`.
    pub fn begins_with(name: impl Into<String>, prefix: impl Into<String>) -> Self {
        Self::BeginsWith(name.into(), prefix.into())
    }

    /// The attribute `name` lies between `low` and `high`, both included.
    pub fn between(name: impl Into<String>, low: AttributeValue, high: AttributeValue) -> Self {
        Self::Between(name.into(), low, high)
    }

    /// The item is of the given entity type.
    pub fn type_is(entity_type: &str) -> Self {
        Self::equals(attr::TYPE, AttributeValue::S(entity_type.to_owned()))
    }

    /// The item is at the given version.
    pub fn version_is(version: u64) -> Self {
        Self::equals(attr::VERSION, AttributeValue::N(version.to_string()))
    }

    /// This condition and `other`.
    pub fn and(self, other: Condition) -> Self {
        Self::And(Box::new(self), Box::new(other))
    }

    /// This condition or `other`.
    pub fn or(self, other: Condition) -> Self {
        Self::Or(Box::new(self), Box::new(other))
    }

    /// The negation of this condition.
    #[allow(clippy::should_implement_trait)]
    pub fn not(self) -> Self {
        Self::Not(Box::new(self))
    }

    /// Whether the condition holds for the stored item (`None` when there is none).
    ///
    /// This is how the embedded backend evaluates conditions and filters.
    pub fn holds(&self, item: Option<&Item>) -> bool {
        let get = |name: &str| item.and_then(|item| item.get(name));
        match self {
            Self::Exists => item.is_some(),
            Self::NotExists => item.is_none(),
            Self::AttributeExists(name) => get(name).is_some(),
            Self::AttributeNotExists(name) => get(name).is_none(),
            Self::Compare(name, comparison, value) => get(name)
                .and_then(|stored| compare(stored, value))
                .is_some_and(|ordering| comparison.accepts(ordering)),
            Self::BeginsWith(name, prefix) => {
                let Some(AttributeValue::S(text)) = get(name) else {
                    return false;
                };
                text.starts_with(prefix.as_str())
            }
            Self::Between(name, low, high) => get(name).is_some_and(|stored| {
                compare(stored, low).is_some_and(Ordering::is_ge)
                    && compare(stored, high).is_some_and(Ordering::is_le)
            }),
            Self::And(left, right) => left.holds(item) && right.holds(item),
            Self::Or(left, right) => left.holds(item) || right.holds(item),
            Self::Not(inner) => !inner.holds(item),
        }
    }
}

/// How two values order, `None` when they are of different types or not ordered (sets, maps
/// and lists are only equal or not).
fn compare(left: &AttributeValue, right: &AttributeValue) -> Option<Ordering> {
    match (left, right) {
        (AttributeValue::S(left), AttributeValue::S(right)) => {
            Some(left.as_bytes().cmp(right.as_bytes()))
        }
        (AttributeValue::N(left), AttributeValue::N(right)) => compare_numbers(left, right),
        (AttributeValue::B(left), AttributeValue::B(right)) => Some(left.cmp(right)),
        (left, right) if left == right => Some(Ordering::Equal),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Key;

    fn stored(entity_type: &str, version: u64) -> Item {
        let mut item = Key::new("P", "S").to_item();
        item.insert(attr::TYPE.into(), AttributeValue::S(entity_type.into()));
        item.insert(attr::VERSION.into(), AttributeValue::N(version.to_string()));
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
    fn numbers_compare_by_value() {
        let item = stored("Todo", 10);
        let over_nine = Condition::compare(
            attr::VERSION,
            Comparison::Greater,
            AttributeValue::N("9".into()),
        );
        assert!(over_nine.holds(Some(&item)));
        let between = Condition::between(
            attr::VERSION,
            AttributeValue::N("2".into()),
            AttributeValue::N("10".into()),
        );
        assert!(between.holds(Some(&item)));
        let as_text = Condition::compare(
            attr::VERSION,
            Comparison::Less,
            AttributeValue::S("9".into()),
        );
        assert!(!as_text.holds(Some(&item)));
        assert!(as_text.not().holds(Some(&item)));
    }

    #[test]
    fn combinators_compose() {
        let item = stored("Todo", 2);
        let delete_guard =
            Condition::NotExists.or(Condition::type_is("Todo").and(Condition::version_is(2)));

        assert!(delete_guard.holds(None));
        assert!(delete_guard.holds(Some(&item)));
        assert!(!delete_guard.holds(Some(&stored("Note", 2))));
        assert!(Condition::begins_with(attr::TYPE, "To").holds(Some(&item)));
        assert!(Condition::attribute_not_exists("title").holds(Some(&item)));
    }
}
