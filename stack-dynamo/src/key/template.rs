//! Key templates: keys computed from an entity's fields, declared once per entity.

use std::borrow::Cow;

use serde_dynamo::{AttributeValue, Item};

use super::{Key, attr};
use crate::Error;

/// A key template such as `"LIST#{list}"`: literal text with `{field}` placeholders, filled
/// from the item's attributes of the same name.
///
/// A string or number attribute is inserted exactly as stored (case preserved, never
/// lowercased); a boolean as `true` or `false`. Any other type, or a missing attribute, leaves
/// the template unfilled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KeyTemplate(&'static str);

impl KeyTemplate {
    /// A template from its text.
    pub const fn new(template: &'static str) -> Self {
        Self(template)
    }

    /// The template's text.
    pub const fn as_str(&self) -> &'static str {
        self.0
    }

    /// The fields the template reads, in order.
    pub fn fields(&self) -> impl Iterator<Item = &'static str> {
        self.0
            .split('{')
            .skip(1)
            .filter_map(|rest| rest.split_once('}').map(|(field, _)| field))
    }

    /// Whether the template reads `field`.
    pub fn reads(&self, field: &str) -> bool {
        self.fields().any(|name| name == field)
    }

    /// The filled template, or the first field it could not fill.
    pub(crate) fn fill<'a>(
        &self,
        lookup: impl Fn(&str) -> Option<Cow<'a, str>>,
    ) -> Result<String, Unfilled> {
        let mut out = String::with_capacity(self.0.len() + 16);
        let mut rest = self.0;
        while let Some(open) = rest.find('{') {
            out.push_str(&rest[..open]);
            let (field, after) = rest[open + 1..]
                .split_once('}')
                .ok_or(Unfilled::Malformed(self.0))?;
            out.push_str(&lookup(field).ok_or(Unfilled::Missing(field))?);
            rest = after;
        }
        out.push_str(rest);
        Ok(out)
    }

    /// The template filled from an item's attributes.
    pub(crate) fn fill_from(&self, item: &Item) -> Result<String, Unfilled> {
        self.fill(|field| item.get(field).and_then(key_text))
    }
}

/// Why a template could not be filled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Unfilled {
    /// The field is missing or not a string, number or boolean.
    Missing(&'static str),
    /// A `{` without its `}`.
    Malformed(&'static str),
}

impl Unfilled {
    /// The error for a key that must be complete.
    pub(crate) fn into_error(self, entity_type: &str, what: &str) -> Error {
        match self {
            Self::Missing(field) => Error::validation(format!(
                "the {what} of a {entity_type} needs the field `{field}` \
                 (a string, number or boolean)"
            )),
            Self::Malformed(template) => Error::internal(format!(
                "the key template {template:?} has an unclosed `{{`"
            )),
        }
    }
}

/// The text an attribute contributes to a key.
pub(crate) fn key_text(value: &AttributeValue) -> Option<Cow<'_, str>> {
    match value {
        AttributeValue::S(text) | AttributeValue::N(text) => Some(Cow::Borrowed(text)),
        AttributeValue::Bool(flag) => Some(Cow::Borrowed(if *flag { "true" } else { "false" })),
        _ => None,
    }
}

/// The key templates of a global secondary index.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IndexKeys {
    /// The index name, one of the table's indexes (for example `gsi1`).
    pub index: &'static str,
    /// The index partition key, stored in `<index>pk`.
    pub pk: KeyTemplate,
    /// The index sort key, stored in `<index>sk`.
    pub sk: KeyTemplate,
}

impl IndexKeys {
    /// Templates for index `index`.
    pub const fn new(index: &'static str, pk: &'static str, sk: &'static str) -> Self {
        Self {
            index,
            pk: KeyTemplate::new(pk),
            sk: KeyTemplate::new(sk),
        }
    }

    /// Whether either template reads `field`.
    pub fn reads(&self, field: &str) -> bool {
        self.pk.reads(field) || self.sk.reads(field)
    }
}

/// Every key template of an entity: the primary key and one pair per index.
///
/// # Examples
///
/// ```
/// use serde_dynamo::AttributeValue;
/// use stack_dynamo::{IndexKeys, Keys};
///
/// const KEYS: Keys = Keys::new("LIST#{list}", "TODO#{id}")
///     .with_indexes(&[IndexKeys::new("gsi1", "OWNER#{owner}", "DUE#{due}#{id}")]);
///
/// let key = KEYS.key_of(&[("list", "Home"), ("id", "01J")])?;
/// assert_eq!((key.pk.as_str(), key.sk.as_str()), ("LIST#Home", "TODO#01J"));
/// assert_eq!(KEYS.index_pk_of("gsi1", &[("owner", "Ann")])?, "OWNER#Ann");
/// # Ok::<(), stack_dynamo::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Keys {
    /// The partition key, stored in `pk`.
    pub pk: KeyTemplate,
    /// The sort key, stored in `sk`.
    pub sk: KeyTemplate,
    /// The index keys; an item whose fields cannot fill an index's templates is left out of
    /// that index (a sparse index).
    pub indexes: &'static [IndexKeys],
}

impl Keys {
    /// Templates for the primary key, and no index.
    pub const fn new(pk: &'static str, sk: &'static str) -> Self {
        Self {
            pk: KeyTemplate::new(pk),
            sk: KeyTemplate::new(sk),
            indexes: &[],
        }
    }

    /// The same templates, with index keys.
    pub const fn with_indexes(mut self, indexes: &'static [IndexKeys]) -> Self {
        self.indexes = indexes;
        self
    }

    /// The templates of index `index`.
    pub fn index(&self, index: &str) -> Option<&IndexKeys> {
        self.indexes.iter().find(|keys| keys.index == index)
    }

    /// Whether the primary key reads `field`.
    pub fn primary_reads(&self, field: &str) -> bool {
        self.pk.reads(field) || self.sk.reads(field)
    }

    /// The primary key filled from an item's attributes.
    ///
    /// # Errors
    ///
    /// A validation error when a field is missing or the key is outside DynamoDB's limits.
    pub fn key(&self, item: &Item) -> Result<Key, Error> {
        let pk = self.pk.fill_from(item);
        let sk = self.sk.fill_from(item);
        complete(pk, sk)
    }

    /// The primary key filled from `(field, value)` pairs, to read or delete by key.
    ///
    /// # Errors
    ///
    /// A validation error when a field is missing or the key is outside DynamoDB's limits.
    pub fn key_of(&self, parts: &[(&str, &str)]) -> Result<Key, Error> {
        let lookup = |field: &str| lookup_part(parts, field);
        complete(self.pk.fill(lookup), self.sk.fill(lookup))
    }

    /// The partition key of index `index` filled from `(field, value)` pairs, to query it.
    ///
    /// # Errors
    ///
    /// A validation error when the entity has no such index or a field is missing.
    pub fn index_pk_of(&self, index: &str, parts: &[(&str, &str)]) -> Result<String, Error> {
        let keys = self
            .index(index)
            .ok_or_else(|| Error::validation(format!("no key templates for index {index}")))?;
        keys.pk
            .fill(|field| lookup_part(parts, field))
            .map_err(|unfilled| unfilled.into_error("entity", "index partition key"))
    }

    /// The partition key filled from `(field, value)` pairs, to query the table.
    ///
    /// # Errors
    ///
    /// A validation error when a field is missing.
    pub fn pk_of(&self, parts: &[(&str, &str)]) -> Result<String, Error> {
        self.pk
            .fill(|field| lookup_part(parts, field))
            .map_err(|unfilled| unfilled.into_error("entity", "partition key"))
    }

    /// Writes `pk`, `sk` and every index key the item's attributes can fill into the item,
    /// removing index keys they cannot.
    pub(crate) fn apply(&self, entity_type: &str, item: &mut Item) -> Result<Key, Error> {
        let pk = self
            .pk
            .fill_from(item)
            .map_err(|u| u.into_error(entity_type, "partition key"))?;
        let sk = self
            .sk
            .fill_from(item)
            .map_err(|u| u.into_error(entity_type, "sort key"))?;
        let key = Key::new(pk, sk);
        key.validate()?;

        for index in self.indexes {
            let filled = (index.pk.fill_from(item), index.sk.fill_from(item));
            let (pk_name, sk_name) = (attr::index_pk(index.index), attr::index_sk(index.index));
            if let (Ok(pk), Ok(sk)) = filled {
                item.insert(pk_name, AttributeValue::S(pk));
                item.insert(sk_name, AttributeValue::S(sk));
            } else {
                item.remove(&pk_name);
                item.remove(&sk_name);
            }
        }
        item.insert(attr::PK.to_owned(), AttributeValue::S(key.pk.clone()));
        item.insert(attr::SK.to_owned(), AttributeValue::S(key.sk.clone()));
        Ok(key)
    }
}

fn lookup_part<'a>(parts: &[(&str, &'a str)], field: &str) -> Option<Cow<'a, str>> {
    let found = parts.iter().find(|(name, _)| *name == field);
    found.map(|(_, value)| Cow::Borrowed(*value))
}

fn complete(pk: Result<String, Unfilled>, sk: Result<String, Unfilled>) -> Result<Key, Error> {
    let pk = pk.map_err(|unfilled| unfilled.into_error("entity", "partition key"))?;
    let sk = sk.map_err(|unfilled| unfilled.into_error("entity", "sort key"))?;
    let key = Key::new(pk, sk);
    key.validate()?;
    Ok(key)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    const KEYS: Keys = Keys::new("Tenant#{tenant}", "Todo#{id}#{done}")
        .with_indexes(&[IndexKeys::new("gsi1", "Due#{due}", "{id}")]);

    fn item(pairs: &[(&str, AttributeValue)]) -> Item {
        let map = pairs
            .iter()
            .map(|(name, value)| ((*name).to_owned(), value.clone()));
        Item::from(map.collect::<std::collections::HashMap<_, _>>())
    }

    #[test]
    fn templates_keep_case_and_insert_numbers_and_booleans() {
        let item = item(&[
            ("tenant", AttributeValue::S("AcMe".into())),
            ("id", AttributeValue::N("42".into())),
            ("done", AttributeValue::Bool(false)),
        ]);
        let key = KEYS.key(&item).unwrap();
        assert_eq!(key, Key::new("Tenant#AcMe", "Todo#42#false"));
    }

    #[test]
    fn an_index_whose_fields_are_missing_is_left_out() {
        let mut item = item(&[
            ("tenant", AttributeValue::S("a".into())),
            ("id", AttributeValue::S("1".into())),
            ("done", AttributeValue::Bool(true)),
            ("gsi1pk", AttributeValue::S("stale".into())),
        ]);
        KEYS.apply("Todo", &mut item).unwrap();
        assert!(!item.contains_key("gsi1pk") && !item.contains_key("gsi1sk"));

        item.insert("due".into(), AttributeValue::S("2030-01-01".into()));
        KEYS.apply("Todo", &mut item).unwrap();
        assert_eq!(item["gsi1pk"], AttributeValue::S("Due#2030-01-01".into()));
    }

    #[test]
    fn a_missing_primary_field_is_a_validation_error() {
        let error = KEYS.key_of(&[("tenant", "a")]).unwrap_err();
        assert!(error.is_validation(), "{error:?}");
        assert!(error.to_string().contains("`id`"), "{error}");
    }

    #[test]
    fn fields_are_listed_in_order() {
        let fields: Vec<_> = KEYS.sk.fields().collect();
        assert_eq!(fields, ["id", "done"]);
        assert!(KEYS.indexes[0].reads("due") && !KEYS.indexes[0].reads("tenant"));
    }

    #[test]
    fn an_unclosed_placeholder_is_reported() {
        let broken = KeyTemplate::new("A#{id");
        assert_eq!(broken.fill(|_| None), Err(Unfilled::Malformed("A#{id")));
    }
}
