//! What backend calls take and return.

use serde_dynamo::{AttributeValue, Item};

use crate::key::{attr, validate_pk, validate_sk};
use crate::{Condition, Error, Key, SortKey, Update};

/// What a [`Backend::query`](super::Backend::query) reads.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct QueryRequest {
    /// The global secondary index to read, or the table when `None`.
    pub index: Option<String>,
    /// The partition to read (of the index when there is one).
    pub pk: String,
    /// Which sort keys to read.
    pub sk: Option<SortKey>,
    /// Start after this position: the key attributes of the table, and of the index when
    /// there is one (DynamoDB's `ExclusiveStartKey`).
    pub exclusive_start: Option<Item>,
    /// Ascending sort-key order when true (`ScanIndexForward`).
    pub forward: bool,
    /// The most items to read, before the filter (DynamoDB's `Limit`); at least 1.
    pub limit: usize,
    /// Only return items for which this holds (DynamoDB's `FilterExpression`).
    pub filter: Option<Condition>,
    /// Only return these attributes (`ProjectionExpression`); every one when `None`.
    pub projection: Option<Vec<String>>,
    /// Read with strong consistency (not on indexes; always the case on the embedded table).
    pub consistent_read: bool,
}

impl QueryRequest {
    /// A forward, unfiltered read of up to `limit` items of partition `pk` of the table.
    pub fn new(pk: impl Into<String>, limit: usize) -> Self {
        Self {
            index: None,
            pk: pk.into(),
            sk: None,
            exclusive_start: None,
            forward: true,
            limit,
            filter: None,
            projection: None,
            consistent_read: false,
        }
    }

    /// The attributes holding the partition and sort key of what this request reads.
    pub fn key_attributes(&self) -> (String, String) {
        match &self.index {
            Some(index) => (attr::index_pk(index), attr::index_sk(index)),
            None => (attr::PK.to_owned(), attr::SK.to_owned()),
        }
    }

    /// Refuses requests that DynamoDB would refuse, so every backend agrees: an invalid
    /// partition key or sort-key value, a zero limit, a consistent read of an index, or a
    /// start position outside the range.
    ///
    /// # Errors
    ///
    /// A validation error saying what is wrong.
    pub fn validate(&self) -> Result<(), Error> {
        validate_pk(&self.pk)?;
        check_limit(self.limit)?;
        for value in self.sk.iter().flat_map(SortKey::values) {
            validate_sk(value)?;
        }
        if let Some(SortKey::Between(low, high)) = &self.sk
            && low.as_bytes() > high.as_bytes()
        {
            return Err(Error::validation(
                "BETWEEN needs its low bound at or below its high one",
            ));
        }
        if self.index.is_some() && self.consistent_read {
            return Err(Error::validation(
                "indexes cannot be read with strong consistency",
            ));
        }
        match &self.exclusive_start {
            Some(start) if !self.contains(start) => Err(Error::validation(
                "the start key is outside the queried range",
            )),
            _ => Ok(()),
        }
    }

    /// Whether the key attributes in `position` are in the partition and sort-key range.
    pub fn contains(&self, position: &Item) -> bool {
        let (pk_name, sk_name) = self.key_attributes();
        let text = |name: &str| match position.get(name) {
            Some(AttributeValue::S(text)) => Some(text.clone()),
            _ => None,
        };
        let table_key = Key::from_item(position).is_ok();
        match (text(&pk_name), text(&sk_name)) {
            (Some(pk), Some(sk)) => {
                table_key
                    && pk == self.pk
                    && self.sk.as_ref().is_none_or(|range| range.matches(&sk))
            }
            _ => false,
        }
    }
}

/// One segment of a parallel scan: `index` of `total`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Segment {
    /// This segment, from 0.
    pub index: u32,
    /// How many segments the scan has, from 1 to 1,000,000.
    pub total: u32,
}

/// What a [`Backend::scan`](super::Backend::scan) reads.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct ScanRequest {
    /// One segment of a parallel scan, or the whole table.
    pub segment: Option<Segment>,
    /// Start after this key (`ExclusiveStartKey`).
    pub exclusive_start: Option<Key>,
    /// The most items to read, before the filter; at least 1.
    pub limit: usize,
    /// Only return items for which this holds.
    pub filter: Option<Condition>,
    /// Only return these attributes; every one when `None`.
    pub projection: Option<Vec<String>>,
    /// Read with strong consistency.
    pub consistent_read: bool,
}

impl ScanRequest {
    /// An unfiltered scan of up to `limit` items of the whole table.
    pub fn new(limit: usize) -> Self {
        Self {
            segment: None,
            exclusive_start: None,
            limit,
            filter: None,
            projection: None,
            consistent_read: false,
        }
    }

    /// Refuses a zero limit or a segment outside its total.
    ///
    /// # Errors
    ///
    /// A validation error saying what is wrong.
    pub fn validate(&self) -> Result<(), Error> {
        check_limit(self.limit)?;
        match self.segment {
            Some(Segment { index, total }) if total == 0 || total > 1_000_000 || index >= total => {
                Err(Error::validation(format!(
                    "segment {index} of {total} is not a scan segment"
                )))
            }
            _ => Ok(()),
        }
    }
}

fn check_limit(limit: usize) -> Result<(), Error> {
    if limit == 0 {
        return Err(Error::validation("the read limit must be at least 1"));
    }
    Ok(())
}

/// One page read by [`Backend::query`](super::Backend::query) or
/// [`Backend::scan`](super::Backend::scan).
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct QueryOutput {
    /// The items that passed the filter, in the requested order.
    pub items: Vec<Item>,
    /// Where the read stopped, when there may be more (DynamoDB's `LastEvaluatedKey`): the
    /// key attributes of the table, and of the index for an index query.
    pub last_evaluated_key: Option<Item>,
}

impl QueryOutput {
    /// A page of `items` that stopped at `last_evaluated_key`.
    pub fn new(items: Vec<Item>, last_evaluated_key: Option<Item>) -> Self {
        Self {
            items,
            last_evaluated_key,
        }
    }
}

/// The result of one [`Backend::batch_get_items`](super::Backend::batch_get_items) call.
#[derive(Debug, Clone, Default, PartialEq)]
#[non_exhaustive]
pub struct BatchGetOutput {
    /// The items found, in no particular order.
    pub items: Vec<Item>,
    /// The keys not read this time; ask again.
    pub unprocessed: Vec<Key>,
}

impl BatchGetOutput {
    /// An output with these items and unprocessed keys.
    pub fn new(items: Vec<Item>, unprocessed: Vec<Key>) -> Self {
        Self { items, unprocessed }
    }
}

/// One write of a batch.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum WriteRequest {
    /// Store the item, replacing any item at its key.
    Put(Item),
    /// Remove the item at the key, if any.
    Delete(Key),
}

impl WriteRequest {
    /// The key the write touches.
    ///
    /// # Errors
    ///
    /// A validation error when a put item has no string `pk`/`sk`.
    pub fn key(&self) -> Result<Key, Error> {
        match self {
            Self::Put(item) => Key::from_item(item),
            Self::Delete(key) => Ok(key.clone()),
        }
    }
}

/// One item of a transaction.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum TransactItem {
    /// Store the item if the condition holds.
    Put {
        /// The item, with its `pk`/`sk`.
        item: Item,
        /// Checked against the stored item.
        condition: Option<Condition>,
    },
    /// Apply a partial update if the condition holds.
    Update {
        /// The item to update.
        key: Key,
        /// The change.
        update: Update,
        /// Checked against the stored item.
        condition: Option<Condition>,
    },
    /// Remove the item if the condition holds.
    Delete {
        /// The item to remove.
        key: Key,
        /// Checked against the stored item.
        condition: Option<Condition>,
    },
    /// Write nothing; only check that the condition holds.
    Check {
        /// The item to check.
        key: Key,
        /// Checked against the stored item.
        condition: Condition,
    },
}

impl TransactItem {
    /// The key the item touches.
    ///
    /// # Errors
    ///
    /// A validation error when a put item has no string `pk`/`sk`.
    pub fn key(&self) -> Result<Key, Error> {
        match self {
            Self::Put { item, .. } => Key::from_item(item),
            Self::Update { key, .. } | Self::Delete { key, .. } | Self::Check { key, .. } => {
                Ok(key.clone())
            }
        }
    }

    /// The condition checked for the item.
    pub fn condition(&self) -> Option<&Condition> {
        match self {
            Self::Put { condition, .. }
            | Self::Update { condition, .. }
            | Self::Delete { condition, .. } => condition.as_ref(),
            Self::Check { condition, .. } => Some(condition),
        }
    }
}

/// Refuses what DynamoDB refuses in a batch or transaction: no keys, more than `max`, a key
/// named twice, or an invalid key. For [`Backend`](super::Backend) implementations.
///
/// # Errors
///
/// A validation error saying what is wrong.
pub fn check_distinct_keys(
    keys: impl IntoIterator<Item = Result<Key, Error>>,
    max: usize,
    what: &str,
) -> Result<Vec<Key>, Error> {
    let keys = keys.into_iter().collect::<Result<Vec<_>, _>>()?;
    if keys.is_empty() || keys.len() > max {
        let message = format!("a {what} takes 1 to {max} items, got {}", keys.len());
        return Err(Error::validation(message));
    }
    let mut seen = std::collections::HashSet::new();
    for key in &keys {
        key.validate()?;
        if !seen.insert(key) {
            return Err(Error::validation(format!("a {what} names one item twice")));
        }
    }
    Ok(keys)
}

/// Refuses what DynamoDB refuses in an update: one that changes nothing, touches `pk`/`sk`,
/// or names an attribute twice. For [`Backend`](super::Backend) implementations.
///
/// # Errors
///
/// A validation error saying what is wrong.
pub fn check_update(update: &Update) -> Result<(), Error> {
    update.check_overlaps()?;
    if update
        .attributes()
        .any(|name| name == attr::PK || name == attr::SK)
    {
        return Err(Error::validation("an update cannot change pk or sk"));
    }
    if update.is_empty() {
        return Err(Error::validation("the update changes nothing"));
    }
    Ok(())
}
