//! The blocking operations of the embedded backend, each one redb transaction.

use std::ops::Bound;
use std::time::UNIX_EPOCH;

use redb::ReadableTable;
use serde_dynamo::{AttributeValue, Item};

use super::Inner;
use super::keys;
use super::store::{self, Reader, Writer, decode, storage_error};
use crate::backend::{
    BatchGetOutput, MAX_BATCH_GET, MAX_BATCH_WRITE, MAX_TRANSACTION_ITEMS, QueryOutput,
    QueryRequest, ScanRequest, TransactItem, WriteRequest,
};
use crate::backend::{check_distinct_keys, check_update};
use crate::entity::is_live;
use crate::key::attr;
use crate::{CancellationReason, Condition, Error, Key, Update};

/// Runs `work` in a write transaction stamped with the clock, and wakes change-feed readers
/// when it appended to the feed.
fn write<T>(
    inner: &Inner,
    work: impl FnOnce(&mut Writer<'_>) -> Result<T, Error>,
) -> Result<T, Error> {
    let now = inner
        .clock
        .now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    let now_millis = u64::try_from(now.as_millis()).unwrap_or(u64::MAX);
    let (value, appended) = store::write(&inner.db, &inner.indexes, now_millis, work)?;
    if appended > 0 {
        inner.changed.notify_waiters();
    }
    Ok(value)
}

pub(super) fn get(inner: &Inner, key: &Key) -> Result<Option<Item>, Error> {
    Reader::open(&inner.db)?.get(key)
}

pub(super) fn batch_get(inner: &Inner, keys: Vec<Key>) -> Result<BatchGetOutput, Error> {
    let keys = check_distinct_keys(keys.into_iter().map(Ok), MAX_BATCH_GET, "batch get")?;
    let reader = Reader::open(&inner.db)?;
    let mut items = Vec::with_capacity(keys.len());
    for key in &keys {
        items.extend(reader.get(key)?);
    }
    Ok(BatchGetOutput::new(items, Vec::new()))
}

pub(super) fn put(inner: &Inner, item: Item, condition: Option<&Condition>) -> Result<(), Error> {
    let key = Key::from_item(&item)?;
    key.validate()?;
    write(inner, |writer| {
        let old = writer.read_checked(&key, condition)?;
        writer.write(&key, old, Some(item), false)
    })
}

pub(super) fn update(
    inner: &Inner,
    key: &Key,
    update: &Update,
    condition: Option<&Condition>,
) -> Result<Item, Error> {
    check_update(update)?;
    write(inner, |writer| {
        let old = writer.read_checked(key, condition)?;
        let new = updated(key, old.as_ref(), update)?;
        writer.write(key, old, Some(new.clone()), false)?;
        Ok(new)
    })
}

/// The item after `update`, starting from the stored one or from the bare key.
fn updated(key: &Key, old: Option<&Item>, update: &Update) -> Result<Item, Error> {
    let mut new = old.cloned().unwrap_or_else(|| key.to_item());
    update.apply(&mut new)?;
    Ok(new)
}

pub(super) fn delete(
    inner: &Inner,
    key: &Key,
    condition: Option<&Condition>,
) -> Result<Option<Item>, Error> {
    write(inner, |writer| {
        let old = writer.read_checked(key, condition)?;
        if old.is_some() {
            writer.write(key, old.clone(), None, false)?;
        }
        Ok(old)
    })
}

pub(super) fn batch_write(inner: &Inner, writes: Vec<WriteRequest>) -> Result<(), Error> {
    let keys = check_distinct_keys(
        writes.iter().map(WriteRequest::key),
        MAX_BATCH_WRITE,
        "batch write",
    )?;
    write(inner, |writer| {
        for (key, request) in keys.iter().zip(writes) {
            let old = writer.read(key)?;
            let new = match request {
                WriteRequest::Put(item) => Some(item),
                _ => None,
            };
            writer.write(key, old, new, false)?;
        }
        Ok(())
    })
}

pub(super) fn transact(inner: &Inner, items: Vec<TransactItem>) -> Result<(), Error> {
    let keys = check_distinct_keys(
        items.iter().map(TransactItem::key),
        MAX_TRANSACTION_ITEMS,
        "transaction",
    )?;
    for item in &items {
        if let TransactItem::Update { update, .. } = item {
            check_update(update)?;
        }
    }
    write(inner, |writer| {
        let reasons = keys
            .iter()
            .zip(&items)
            .map(|(key, item)| reason(writer, key, item))
            .collect::<Result<Vec<_>, _>>()?;
        if reasons.iter().any(CancellationReason::is_failure) {
            return Err(Error::transaction_cancelled(reasons));
        }
        for (key, item) in keys.iter().zip(items) {
            apply(writer, key, item)?;
        }
        Ok(())
    })
}

/// Why `item` would cancel the transaction, or [`CancellationReason::none`].
fn reason(
    writer: &Writer<'_>,
    key: &Key,
    item: &TransactItem,
) -> Result<CancellationReason, Error> {
    let stored = writer.read(key)?;
    let holds = item
        .condition()
        .is_none_or(|condition| condition.holds(stored.as_ref()));
    Ok(if holds {
        CancellationReason::none()
    } else {
        CancellationReason::condition_failed()
    })
}

fn apply(writer: &mut Writer<'_>, key: &Key, item: TransactItem) -> Result<(), Error> {
    let old = writer.read(key)?;
    let new = match item {
        TransactItem::Put { item, .. } => Some(item),
        TransactItem::Update { update, .. } => Some(updated(key, old.as_ref(), &update)?),
        TransactItem::Delete { .. } => None,
        TransactItem::Check { .. } => return Ok(()),
    };
    writer.write(key, old, new, false)
}

pub(super) fn query(inner: &Inner, request: &QueryRequest) -> Result<QueryOutput, Error> {
    let range = query_range(request)?;
    if keys::is_empty(&range) {
        return Ok(QueryOutput::new(Vec::new(), None));
    }
    let bounds = (
        range.0.as_ref().map(Vec::as_slice),
        range.1.as_ref().map(Vec::as_slice),
    );
    let reader = Reader::open(&inner.db)?;
    let page = Page::of(
        request.limit,
        request.filter.as_ref(),
        request.index.as_deref(),
    );

    let output = match &request.index {
        None => {
            let rows = reader
                .items()
                .range::<&[u8]>(bounds)
                .map_err(storage_error)?;
            let items = rows.map(|row| {
                let (_, value) = row.map_err(storage_error)?;
                decode(value.value())
            });
            page.read_in_order(items, request.forward)
        }
        Some(index) => {
            let table = reader.index(index)?;
            let rows = table.range::<&[u8]>(bounds).map_err(storage_error)?;
            let items = rows.map(|row| {
                let (_, position) = row.map_err(storage_error)?;
                let item = reader.item_at(position.value())?;
                item.ok_or_else(|| Error::internal("an index entry has no item"))
            });
            page.read_in_order(items, request.forward)
        }
    };
    output.map(|output| project(output, request.projection.as_deref()))
}

/// The redb keys a query covers: its key condition, after its start position.
fn query_range(request: &QueryRequest) -> Result<keys::Range, Error> {
    let mut range = keys::range(&request.pk, request.sk.as_ref());
    if let Some(start) = &request.exclusive_start {
        let start = Bound::Excluded(start_position(request, start)?);
        if request.forward {
            range.0 = start;
        } else {
            range.1 = start;
        }
    }
    Ok(range)
}

/// The redb key a query resumes after.
fn start_position(request: &QueryRequest, start: &Item) -> Result<Vec<u8>, Error> {
    let key = Key::from_item(start)?;
    let Some(index) = &request.index else {
        return Ok(keys::position(&key.pk, &key.sk));
    };
    let text = |name: String| match start.get(&name) {
        Some(AttributeValue::S(text)) => Ok(text.clone()),
        _ => Err(Error::validation("the start key lacks the index key")),
    };
    let (index_pk, index_sk) = (text(attr::index_pk(index))?, text(attr::index_sk(index))?);
    Ok(keys::index_entry(&index_pk, &index_sk, &key.pk, &key.sk))
}

pub(super) fn scan(inner: &Inner, request: &ScanRequest) -> Result<QueryOutput, Error> {
    let start = request
        .exclusive_start
        .as_ref()
        .map(|key| keys::position(&key.pk, &key.sk));
    let lower = start.as_deref().map_or(Bound::Unbounded, Bound::Excluded);
    let reader = Reader::open(&inner.db)?;
    let rows = reader
        .items()
        .range::<&[u8]>((lower, Bound::Unbounded))
        .map_err(storage_error)?;

    let items = rows.map(|row| {
        row.map_err(storage_error)
            .and_then(|(_, value)| decode(value.value()))
    });
    let in_segment = |item: &Result<Item, Error>| match (item, request.segment) {
        (Ok(item), Some(segment)) => Key::from_item(item)
            .is_ok_and(|key| keys::segment_of(&key.pk, segment.total) == segment.index),
        _ => true,
    };
    let page = Page::of(request.limit, request.filter.as_ref(), None);
    page.read(items.filter(in_segment))
        .map(|output| project(output, request.projection.as_deref()))
}

/// DynamoDB's `Limit`, `FilterExpression` and `LastEvaluatedKey` over rows in order.
struct Page<'a> {
    limit: usize,
    filter: Option<&'a Condition>,
    index: Option<&'a str>,
}

impl<'a> Page<'a> {
    fn of(limit: usize, filter: Option<&'a Condition>, index: Option<&'a str>) -> Self {
        Self {
            limit,
            filter,
            index,
        }
    }

    /// Reads rows front to back, or back to front.
    fn read_in_order<I>(self, rows: I, forward: bool) -> Result<QueryOutput, Error>
    where
        I: DoubleEndedIterator<Item = Result<Item, Error>>,
    {
        if forward {
            self.read(rows)
        } else {
            self.read(rows.rev())
        }
    }

    /// Reads up to `limit` rows, keeps those that pass the filter, and notes where it
    /// stopped if rows remain.
    fn read(
        self,
        mut rows: impl Iterator<Item = Result<Item, Error>>,
    ) -> Result<QueryOutput, Error> {
        let mut items = Vec::new();
        let mut last = None;
        for row in rows.by_ref().take(self.limit) {
            let item = row?;
            last = Some(self.position_of(&item)?);
            if self.filter.is_none_or(|filter| filter.holds(Some(&item))) {
                items.push(item);
            }
        }
        let more = rows.next().transpose()?.is_some();
        Ok(QueryOutput::new(items, last.filter(|_| more)))
    }

    /// The key attributes that say where `item` is: the table's, and the index's.
    fn position_of(&self, item: &Item) -> Result<Item, Error> {
        let mut position = Key::from_item(item)?.to_item();
        for name in self
            .index
            .into_iter()
            .flat_map(|index| [attr::index_pk(index), attr::index_sk(index)])
        {
            if let Some(value) = item.get(&name) {
                position.insert(name, value.clone());
            }
        }
        Ok(position)
    }
}

/// Keeps only the projected attributes of each item.
fn project(mut output: QueryOutput, projection: Option<&[String]>) -> QueryOutput {
    if let Some(names) = projection {
        for item in &mut output.items {
            let kept = names
                .iter()
                .filter_map(|name| item.get(name).map(|value| (name.clone(), value.clone())));
            *item = Item::from(kept.collect::<std::collections::HashMap<_, _>>());
        }
    }
    output
}

/// Deletes every item whose `ttl` is at or before now, as DynamoDB's TTL process does, and
/// records the removals as the TTL service's.
pub(super) fn purge_expired(inner: &Inner) -> Result<usize, Error> {
    let now = inner
        .clock
        .now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default()
        .as_secs();
    write(inner, |writer| {
        let expired = expired_items(writer, now)?;
        let count = expired.len();
        for (key, item) in expired {
            writer.write(&key, Some(item), None, true)?;
        }
        Ok(count)
    })
}

fn expired_items(writer: &Writer<'_>, now: u64) -> Result<Vec<(Key, Item)>, Error> {
    let mut expired = Vec::new();
    for row in writer.items().iter().map_err(storage_error)? {
        let (_, value) = row.map_err(storage_error)?;
        let item = decode(value.value())?;
        if !is_live(&item, now) {
            expired.push((Key::from_item(&item)?, item));
        }
    }
    Ok(expired)
}

/// Up to `limit` change records after sequence number `after`, in commit order.
#[cfg(feature = "streams")]
pub(super) fn changes(
    inner: &Inner,
    after: u64,
    limit: usize,
) -> Result<Vec<(u64, super::changes::StoredChange)>, Error> {
    let reader = Reader::open(&inner.db)?;
    let table = reader.changes()?;
    let rows = table
        .range(after.saturating_add(1)..)
        .map_err(storage_error)?;
    rows.take(limit)
        .map(|row| {
            let (sequence, value) = row.map_err(storage_error)?;
            let change = serde_json::from_slice(value.value())
                .map_err(|error| Error::internal_from("a stored change is corrupt", error))?;
            Ok((sequence.value(), change))
        })
        .collect()
}

/// Drops change records up to and including sequence number `through`.
pub(super) fn trim_changes(inner: &Inner, through: u64) -> Result<(), Error> {
    write(inner, |writer| {
        writer
            .changes_mut()
            .retain(|sequence, _| sequence > through)
            .map_err(storage_error)
    })
}
