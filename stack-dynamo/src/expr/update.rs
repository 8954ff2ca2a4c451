//! Partial updates: set, remove and add attributes of a stored item.

use serde_dynamo::{AttributeValue, Item};

use super::add_numbers;
use crate::Error;

/// A partial update of one item (DynamoDB's `UpdateExpression`), on top-level attributes.
///
/// [`Table::patch`](crate::Table::patch) builds one for an entity, keeping its index keys,
/// version and `updatedAt` right; this raw form is for [`Backend`](crate::Backend) calls.
#[derive(Debug, Clone, Default, PartialEq)]
#[non_exhaustive]
pub struct Update {
    /// Attributes to set (`SET name = :value`).
    pub set: Vec<(String, AttributeValue)>,
    /// Attributes to remove (`REMOVE name`).
    pub remove: Vec<String>,
    /// Numbers to add, or set elements to add (`ADD name :value`); a missing attribute starts
    /// from zero or the empty set.
    pub add: Vec<(String, AttributeValue)>,
}

impl Update {
    /// An update that changes nothing yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Also sets `name` to `value`.
    pub fn set(mut self, name: impl Into<String>, value: AttributeValue) -> Self {
        self.set.push((name.into(), value));
        self
    }

    /// Also removes `name`.
    pub fn remove(mut self, name: impl Into<String>) -> Self {
        self.remove.push(name.into());
        self
    }

    /// Also adds `value` (a number, or a set) to `name`.
    pub fn add(mut self, name: impl Into<String>, value: AttributeValue) -> Self {
        self.add.push((name.into(), value));
        self
    }

    /// Whether the update changes nothing.
    pub fn is_empty(&self) -> bool {
        self.set.is_empty() && self.remove.is_empty() && self.add.is_empty()
    }

    /// Every attribute the update touches.
    pub fn attributes(&self) -> impl Iterator<Item = &str> {
        let set = self.set.iter().map(|(name, _)| name.as_str());
        let add = self.add.iter().map(|(name, _)| name.as_str());
        set.chain(self.remove.iter().map(String::as_str)).chain(add)
    }

    /// Applies the update to an item, as the embedded backend does.
    ///
    /// # Errors
    ///
    /// A validation error when an `add` meets a value of another type, or an attribute
    /// appears twice (DynamoDB refuses both).
    pub fn apply(&self, item: &mut Item) -> Result<(), Error> {
        self.check_overlaps()?;
        for (name, value) in &self.set {
            item.insert(name.clone(), value.clone());
        }
        for name in &self.remove {
            item.remove(name);
        }
        for (name, value) in &self.add {
            let sum = added(item.get(name), value)?;
            item.insert(name.clone(), sum);
        }
        Ok(())
    }

    /// Refuses an update that names an attribute twice.
    pub(crate) fn check_overlaps(&self) -> Result<(), Error> {
        let mut seen = std::collections::HashSet::new();
        match self.attributes().find(|name| !seen.insert(*name)) {
            Some(name) => Err(Error::validation(format!(
                "the update names the attribute `{name}` twice"
            ))),
            None => Ok(()),
        }
    }
}

/// `stored + value` for `ADD`.
fn added(stored: Option<&AttributeValue>, value: &AttributeValue) -> Result<AttributeValue, Error> {
    let mismatch = || Error::validation("ADD needs a number or a set of the stored type");
    let union = |stored: &[String], more: &[String]| {
        let mut all = stored.to_vec();
        all.extend(more.iter().filter(|value| !stored.contains(value)).cloned());
        all
    };
    match (stored, value) {
        (None, AttributeValue::N(_) | AttributeValue::Ss(_) | AttributeValue::Ns(_)) => {
            Ok(value.clone())
        }
        (Some(AttributeValue::N(left)), AttributeValue::N(right)) => add_numbers(left, right)
            .map(AttributeValue::N)
            .ok_or_else(mismatch),
        (Some(AttributeValue::Ss(left)), AttributeValue::Ss(right)) => {
            Ok(AttributeValue::Ss(union(left, right)))
        }
        (Some(AttributeValue::Ns(left)), AttributeValue::Ns(right)) => {
            Ok(AttributeValue::Ns(union(left, right)))
        }
        _ => Err(mismatch()),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn set_remove_and_add_apply_in_one_go() {
        let mut item = Item::default();
        item.insert("gone".into(), AttributeValue::Bool(true));
        item.insert("count".into(), AttributeValue::N("41".into()));
        let update = Update::new()
            .set("title", AttributeValue::S("Milk".into()))
            .remove("gone")
            .add("count", AttributeValue::N("1".into()))
            .add("tags", AttributeValue::Ss(vec!["a".into()]));

        update.apply(&mut item).unwrap();
        assert_eq!(item["title"], AttributeValue::S("Milk".into()));
        assert_eq!(item["count"], AttributeValue::N("42".into()));
        assert_eq!(item["tags"], AttributeValue::Ss(vec!["a".into()]));
        assert!(!item.contains_key("gone"));
    }

    #[test]
    fn an_attribute_named_twice_is_refused() {
        let update = Update::new()
            .set("a", AttributeValue::Null(true))
            .remove("a");
        assert!(
            update
                .apply(&mut Item::default())
                .unwrap_err()
                .is_validation()
        );
    }

    #[test]
    fn adding_to_a_string_is_refused() {
        let mut item = Item::default();
        item.insert("a".into(), AttributeValue::S("x".into()));
        let update = Update::new().add("a", AttributeValue::N("1".into()));
        assert!(update.apply(&mut item).is_err());
    }
}
