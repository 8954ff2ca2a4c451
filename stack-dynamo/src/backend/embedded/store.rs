//! The redb tables behind [`EmbeddedBackend`](super::EmbeddedBackend), and the one place
//! that writes an item: it keeps the indexes and the change feed in the same transaction.

use redb::{
    Database, ReadTransaction, ReadableTable, TableDefinition, TableHandle, WriteTransaction,
};
use serde_dynamo::{AttributeValue, Item};

use super::changes::StoredChange;
use super::keys;
use crate::key::attr;
use crate::{Condition, Error, Key};

/// Every item, under its [`keys::position`], as DynamoDB JSON.
const ITEMS: TableDefinition<&[u8], &[u8]> = TableDefinition::new("items.v2");
/// The change feed: sequence number to [`StoredChange`] JSON, in commit order.
pub(super) const CHANGES: TableDefinition<u64, &[u8]> = TableDefinition::new("changes");

/// Counters that must outlive what they count: the last change sequence number ever given,
/// so trimming the feed never lets a number, and so an event id, be used twice.
const COUNTERS: TableDefinition<&str, u64> = TableDefinition::new("counters");
const LAST_SEQUENCE: &str = "last_change_sequence";

pub(super) type Items<'txn> = redb::Table<'txn, &'static [u8], &'static [u8]>;
type Changes<'txn> = redb::Table<'txn, u64, &'static [u8]>;

/// The redb table of index `index`: [`keys::index_entry`] to the item's position.
pub(super) fn index_table(index: &str) -> TableDefinition<'_, &'static [u8], &'static [u8]> {
    TableDefinition::new(index)
}

/// The redb table name of a global secondary index.
pub(super) fn index_table_name(index: &str) -> String {
    format!("index.{index}")
}

/// Wraps a redb failure; the message stays generic and the cause is kept as the source.
pub(super) fn storage_error(error: impl Into<redb::Error>) -> Error {
    Error::internal_from("the embedded table failed", error.into())
}

/// Creates every table if it is missing, so that reads never find one absent, and builds
/// the indexes that are new to this file from the items already stored.
pub(super) fn create_tables(db: &Database, indexes: &[String]) -> Result<(), Error> {
    let missing = missing_indexes(db, indexes)?;
    let txn = db.begin_write().map_err(storage_error)?;
    {
        let mut writer = Writer::open(&txn, indexes, 0, false)?;
        for index in &missing {
            writer.backfill(index)?;
        }
    }
    txn.commit().map_err(storage_error)
}

/// The indexes whose redb table does not exist yet.
fn missing_indexes(db: &Database, indexes: &[String]) -> Result<Vec<String>, Error> {
    let txn = db.begin_read().map_err(storage_error)?;
    let tables = txn.list_tables().map_err(storage_error)?;
    let existing: Vec<String> = tables.map(|table| table.name().to_owned()).collect();
    let missing = indexes
        .iter()
        .filter(|index| !existing.contains(&index_table_name(index)));
    Ok(missing.cloned().collect())
}

/// The tables of one write transaction.
pub(super) struct Writer<'txn> {
    items: Items<'txn>,
    indexes: Vec<(String, Items<'txn>)>,
    changes: Changes<'txn>,
    counters: redb::Table<'txn, &'static str, u64>,
    now_millis: u64,
    feed: bool,
    /// How many change records this transaction appended.
    pub(super) appended: usize,
}

impl<'txn> Writer<'txn> {
    /// Opens the tables of `txn`; writes record changes at `now_millis` when `feed` is on.
    pub(super) fn open(
        txn: &'txn WriteTransaction,
        indexes: &[String],
        now_millis: u64,
        feed: bool,
    ) -> Result<Self, Error> {
        let items = txn.open_table(ITEMS).map_err(storage_error)?;
        let changes = txn.open_table(CHANGES).map_err(storage_error)?;
        let counters = txn.open_table(COUNTERS).map_err(storage_error)?;
        let indexes = indexes
            .iter()
            .map(|index| {
                let table = txn.open_table(index_table(&index_table_name(index)));
                table
                    .map(|table| (index.clone(), table))
                    .map_err(storage_error)
            })
            .collect::<Result<_, _>>()?;
        Ok(Self {
            items,
            indexes,
            changes,
            counters,
            now_millis,
            feed,
            appended: 0,
        })
    }

    /// The item at `key`.
    pub(super) fn read(&self, key: &Key) -> Result<Option<Item>, Error> {
        read_at(&self.items, &keys::position(&key.pk, &key.sk))
    }

    /// Checks `condition` against the item at `key` and returns that item.
    pub(super) fn read_checked(
        &self,
        key: &Key,
        condition: Option<&Condition>,
    ) -> Result<Option<Item>, Error> {
        let stored = self.read(key)?;
        if condition.is_some_and(|condition| !condition.holds(stored.as_ref())) {
            return Err(Error::condition_failed());
        }
        Ok(stored)
    }

    /// Replaces `old` (what is stored at `key`) by `new`, keeping every index and the change
    /// feed in step; `by_ttl` marks a deletion by expiry.
    pub(super) fn write(
        &mut self,
        key: &Key,
        old: Option<Item>,
        new: Option<Item>,
        by_ttl: bool,
    ) -> Result<(), Error> {
        let position = keys::position(&key.pk, &key.sk);
        self.store(&position, new.as_ref())?;
        for index in 0..self.indexes.len() {
            self.reindex(index, &position, key, old.as_ref(), new.as_ref())?;
        }
        if self.feed && old != new {
            self.append(&StoredChange::new(key, old, new, self.now_millis, by_ttl))?;
        }
        Ok(())
    }

    fn store(&mut self, position: &[u8], new: Option<&Item>) -> Result<(), Error> {
        match new {
            Some(item) => {
                let value = encode(item)?;
                self.items
                    .insert(position, value.as_slice())
                    .map_err(storage_error)?;
            }
            None => {
                self.items.remove(position).map_err(storage_error)?;
            }
        }
        Ok(())
    }

    fn reindex(
        &mut self,
        index: usize,
        position: &[u8],
        key: &Key,
        old: Option<&Item>,
        new: Option<&Item>,
    ) -> Result<(), Error> {
        let (name, table) = &mut self.indexes[index];
        let old_entry = old.and_then(|item| index_entry(name, item, key));
        let new_entry = new.and_then(|item| index_entry(name, item, key));
        if let Some(entry) = old_entry.filter(|entry| Some(entry) != new_entry.as_ref()) {
            table.remove(entry.as_slice()).map_err(storage_error)?;
        }
        if let Some(entry) = new_entry {
            table
                .insert(entry.as_slice(), position)
                .map_err(storage_error)?;
        }
        Ok(())
    }

    fn append(&mut self, change: &StoredChange) -> Result<(), Error> {
        let sequence = self.next_sequence()?;
        let value = serde_json::to_vec(change)
            .map_err(|error| Error::internal_from("cannot encode a change", error))?;
        self.changes
            .insert(sequence, value.as_slice())
            .map_err(storage_error)?;
        self.appended += 1;
        Ok(())
    }

    /// The next change sequence number: one past the highest ever given (files written before
    /// the counter existed continue from their newest record).
    fn next_sequence(&mut self) -> Result<u64, Error> {
        let counted = self
            .counters
            .get(LAST_SEQUENCE)
            .map_err(storage_error)?
            .map(|v| v.value());
        let newest = self
            .changes
            .last()
            .map_err(storage_error)?
            .map(|(sequence, _)| sequence.value());
        let next = counted.max(newest).unwrap_or(0) + 1;
        self.counters
            .insert(LAST_SEQUENCE, next)
            .map_err(storage_error)?;
        Ok(next)
    }

    /// Adds an entry to index `index` for every stored item that has its key attributes.
    fn backfill(&mut self, index: &str) -> Result<(), Error> {
        let mut entries = Vec::new();
        for row in self.items.iter().map_err(storage_error)? {
            let (position, value) = row.map_err(storage_error)?;
            let item = decode(value.value())?;
            if let Some(entry) = index_entry(index, &item, &Key::from_item(&item)?) {
                entries.push((entry, position.value().to_vec()));
            }
        }
        let Some((_, table)) = self.indexes.iter_mut().find(|(name, _)| name == index) else {
            return Ok(());
        };
        for (entry, position) in entries {
            table
                .insert(entry.as_slice(), position.as_slice())
                .map_err(storage_error)?;
        }
        Ok(())
    }

    /// The items table, for sweeps.
    pub(super) fn items(&self) -> &Items<'txn> {
        &self.items
    }

    /// The change feed, for trimming.
    pub(super) fn changes_mut(&mut self) -> &mut Changes<'txn> {
        &mut self.changes
    }
}

/// The index entry of `item` in index `index`, when it has both index key attributes.
fn index_entry(index: &str, item: &Item, key: &Key) -> Option<Vec<u8>> {
    let text = |name: String| match item.get(&name) {
        Some(AttributeValue::S(text)) => Some(text.as_str()),
        _ => None,
    };
    let index_pk = text(attr::index_pk(index))?;
    let index_sk = text(attr::index_sk(index))?;
    Some(keys::index_entry(index_pk, index_sk, &key.pk, &key.sk))
}

/// Runs `work` in one write transaction: committed if it succeeds, aborted if not. Returns
/// what `work` returned and how many change records it appended.
pub(super) fn write<T>(
    db: &Database,
    indexes: &[String],
    now_millis: u64,
    work: impl FnOnce(&mut Writer<'_>) -> Result<T, Error>,
) -> Result<(T, usize), Error> {
    let txn = db.begin_write().map_err(storage_error)?;
    let result = {
        let mut writer = Writer::open(&txn, indexes, now_millis, true)?;
        work(&mut writer).map(|value| (value, writer.appended))
    };
    match result {
        Ok(value) => txn.commit().map(|()| value).map_err(storage_error),
        Err(error) => txn
            .abort()
            .map_or_else(|abort| Err(storage_error(abort)), |()| Err(error)),
    }
}

/// A read transaction with the items table open.
pub(super) struct Reader {
    txn: ReadTransaction,
    items: redb::ReadOnlyTable<&'static [u8], &'static [u8]>,
}

impl Reader {
    pub(super) fn open(db: &Database) -> Result<Self, Error> {
        let txn = db.begin_read().map_err(storage_error)?;
        let items = txn.open_table(ITEMS).map_err(storage_error)?;
        Ok(Self { txn, items })
    }

    pub(super) fn get(&self, key: &Key) -> Result<Option<Item>, Error> {
        read_at(&self.items, &keys::position(&key.pk, &key.sk))
    }

    pub(super) fn item_at(&self, position: &[u8]) -> Result<Option<Item>, Error> {
        read_at(&self.items, position)
    }

    pub(super) fn items(&self) -> &redb::ReadOnlyTable<&'static [u8], &'static [u8]> {
        &self.items
    }

    pub(super) fn index(
        &self,
        index: &str,
    ) -> Result<redb::ReadOnlyTable<&'static [u8], &'static [u8]>, Error> {
        let name = index_table_name(index);
        self.txn
            .open_table(index_table(&name))
            .map_err(storage_error)
    }

    #[cfg(feature = "streams")]
    pub(super) fn changes(&self) -> Result<redb::ReadOnlyTable<u64, &'static [u8]>, Error> {
        self.txn.open_table(CHANGES).map_err(storage_error)
    }
}

fn read_at(
    table: &impl ReadableTable<&'static [u8], &'static [u8]>,
    position: &[u8],
) -> Result<Option<Item>, Error> {
    match table.get(position).map_err(storage_error)? {
        Some(value) => decode(value.value()).map(Some),
        None => Ok(None),
    }
}

pub(super) fn encode(item: &Item) -> Result<Vec<u8>, Error> {
    serde_json::to_vec(item).map_err(|error| Error::internal_from("cannot encode the item", error))
}

pub(super) fn decode(bytes: &[u8]) -> Result<Item, Error> {
    serde_json::from_slice(bytes)
        .map_err(|error| Error::internal_from("a stored item is corrupt", error))
}
