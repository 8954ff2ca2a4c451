//! The blocking redb operations behind [`EmbeddedBackend`](super::EmbeddedBackend).

use redb::{AccessGuard, Database, ReadableTable, StorageError, TableDefinition};
use serde_dynamo::Item;

use super::keys;
use crate::backend::{QueryOutput, QueryRequest};
use crate::{Condition, Error, Key};

/// Every item, under its [`keys::encode`]d key, as DynamoDB JSON.
const ITEMS: TableDefinition<&[u8], &[u8]> = TableDefinition::new("items");

type Items<'txn> = redb::Table<'txn, &'static [u8], &'static [u8]>;
type Guard<'a> = AccessGuard<'a, &'static [u8]>;
type Row<'a> = Result<(Guard<'a>, Guard<'a>), StorageError>;

/// Wraps a redb failure; the message stays generic and the cause is kept as the source.
pub(super) fn storage_error(error: impl Into<redb::Error>) -> Error {
    Error::internal_from("the embedded table failed", error.into())
}

/// Creates the items table if it is missing, so that reads never find it absent.
pub(super) fn create_items_table(db: &Database) -> Result<(), Error> {
    write(db, |_| Ok(()))
}

pub(super) fn get(db: &Database, key: &Key) -> Result<Option<Item>, Error> {
    let txn = db.begin_read().map_err(storage_error)?;
    let table = txn.open_table(ITEMS).map_err(storage_error)?;
    read(&table, &keys::encode(&key.pk, &key.sk))
}

pub(super) fn put(db: &Database, item: &Item, condition: Option<&Condition>) -> Result<(), Error> {
    let key = Key::from_item(item)?;
    key.validate()?;
    let encoded = keys::encode(&key.pk, &key.sk);
    let value = serde_json::to_vec(item)
        .map_err(|error| Error::internal_from("cannot encode the item", error))?;

    write(db, |table| {
        check(condition, read(table, &encoded)?.as_ref())?;
        table
            .insert(encoded.as_slice(), value.as_slice())
            .map_err(storage_error)?;
        Ok(())
    })
}

pub(super) fn delete(
    db: &Database,
    key: &Key,
    condition: Option<&Condition>,
) -> Result<Option<Item>, Error> {
    let encoded = keys::encode(&key.pk, &key.sk);
    write(db, |table| {
        let existing = read(table, &encoded)?;
        check(condition, existing.as_ref())?;
        if existing.is_some() {
            table.remove(encoded.as_slice()).map_err(storage_error)?;
        }
        Ok(existing)
    })
}

pub(super) fn query(db: &Database, request: &QueryRequest) -> Result<QueryOutput, Error> {
    let txn = db.begin_read().map_err(storage_error)?;
    let table = txn.open_table(ITEMS).map_err(storage_error)?;
    let (start, end) = keys::query_range(request);
    let bounds = (
        start.as_ref().map(Vec::as_slice),
        end.as_ref().map(Vec::as_slice),
    );

    let rows = table.range::<&[u8]>(bounds).map_err(storage_error)?;
    if request.forward {
        scan(rows, request)
    } else {
        scan(rows.rev(), request)
    }
}

/// Reads up to `limit` rows, keeps those that pass the filter, and notes where it stopped if
/// rows remain: DynamoDB's `Limit`, `FilterExpression` and `LastEvaluatedKey`.
fn scan<'a>(
    mut rows: impl Iterator<Item = Row<'a>>,
    request: &QueryRequest,
) -> Result<QueryOutput, Error> {
    let mut items = Vec::new();
    let mut last_key = None;
    for row in rows.by_ref().take(request.limit) {
        let (_, value) = row.map_err(storage_error)?;
        let item = decode(value.value())?;
        last_key = Some(Key::from_item(&item)?);
        let filter = request.filter.as_ref();
        if filter.is_none_or(|filter| filter.holds(Some(&item))) {
            items.push(item);
        }
    }

    let more = rows.next().transpose().map_err(storage_error)?.is_some();
    Ok(QueryOutput::new(items, last_key.filter(|_| more)))
}

/// Runs `work` in one write transaction: committed if it succeeds, aborted if not.
fn write<T>(
    db: &Database,
    work: impl FnOnce(&mut Items<'_>) -> Result<T, Error>,
) -> Result<T, Error> {
    let txn = db.begin_write().map_err(storage_error)?;
    let result = {
        let mut table = txn.open_table(ITEMS).map_err(storage_error)?;
        work(&mut table)
    };
    match result {
        Ok(value) => txn.commit().map(|()| value).map_err(storage_error),
        Err(error) => txn
            .abort()
            .map_or_else(|abort| Err(storage_error(abort)), |()| Err(error)),
    }
}

fn read(
    table: &impl ReadableTable<&'static [u8], &'static [u8]>,
    key: &[u8],
) -> Result<Option<Item>, Error> {
    match table.get(key).map_err(storage_error)? {
        Some(value) => decode(value.value()).map(Some),
        None => Ok(None),
    }
}

fn check(condition: Option<&Condition>, stored: Option<&Item>) -> Result<(), Error> {
    match condition {
        Some(condition) if !condition.holds(stored) => Err(Error::condition_failed()),
        _ => Ok(()),
    }
}

fn decode(bytes: &[u8]) -> Result<Item, Error> {
    serde_json::from_slice(bytes)
        .map_err(|error| Error::internal_from("a stored item is corrupt", error))
}
