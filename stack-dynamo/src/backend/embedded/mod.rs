//! The embedded backend: one redb database per table, on disk or in memory.
//!
//! Every write is one redb write transaction, and its condition is checked inside it, so
//! conditional writes are atomic as on DynamoDB. redb is blocking, so each call runs on
//! tokio's blocking pool.

mod keys;
mod store;

use std::path::Path;
use std::sync::Arc;

use async_trait::async_trait;
use redb::backends::InMemoryBackend;
use redb::{Builder, Database};
use serde_dynamo::Item;

use super::{Backend, QueryOutput, QueryRequest};
use crate::{Condition, Error, Key};

/// The table name reported by [`EmbeddedBackend::in_memory`].
const IN_MEMORY_NAME: &str = "in-memory";

/// A table embedded in the process: durable in a redb file, or in memory for tests.
///
/// It has the same semantics as DynamoDB for everything [`Backend`] offers. Clones share the
/// same database.
///
/// # Examples
///
/// ```no_run
/// # fn main() -> Result<(), stack_dynamo::Error> {
/// use stack_dynamo::{EmbeddedBackend, Table};
///
/// let data_dir = std::env::var("STACK_DATA_DIR").unwrap_or_else(|_| ".stack".into());
/// let table = Table::new(EmbeddedBackend::open(data_dir, "app")?);
/// # Ok(())
/// # }
/// ```
#[derive(Clone)]
pub struct EmbeddedBackend {
    db: Arc<Database>,
    table_name: Arc<str>,
}

impl EmbeddedBackend {
    /// Opens the table stored in `<dir>/<table_name>.redb`, creating the directory and the file
    /// if they do not exist.
    ///
    /// A restart that opens the same file finds every committed write. A file can be open only
    /// once at a time: drop every clone (and every [`Table`](crate::Table) using it) before
    /// opening it again.
    ///
    /// # Errors
    ///
    /// A validation error when the name is not a valid DynamoDB table name (3 to 255 of
    /// `a-z A-Z 0-9 _ - .`); an internal error when the file cannot be created or opened, or is
    /// already open.
    pub fn open(dir: impl AsRef<Path>, table_name: &str) -> Result<Self, Error> {
        validate_table_name(table_name)?;
        let dir = dir.as_ref();
        std::fs::create_dir_all(dir).map_err(|error| {
            Error::internal_from(format!("cannot create the data directory {dir:?}"), error)
        })?;

        let path = dir.join(format!("{table_name}.redb"));
        let db = Database::create(&path).map_err(|error| {
            Error::internal_from(format!("cannot open the embedded table {path:?}"), error)
        })?;
        Self::with_database(db, table_name)
    }

    /// A table that lives in memory only, for tests.
    ///
    /// # Errors
    ///
    /// An internal error if redb cannot set up the in-memory database.
    pub fn in_memory() -> Result<Self, Error> {
        let db = Builder::new()
            .create_with_backend(InMemoryBackend::new())
            .map_err(store::storage_error)?;
        Self::with_database(db, IN_MEMORY_NAME)
    }

    fn with_database(db: Database, table_name: &str) -> Result<Self, Error> {
        store::create_items_table(&db)?;
        Ok(Self {
            db: Arc::new(db),
            table_name: table_name.into(),
        })
    }

    /// Runs blocking redb work on tokio's blocking pool.
    async fn run<T, F>(&self, work: F) -> Result<T, Error>
    where
        T: Send + 'static,
        F: FnOnce(&Database) -> Result<T, Error> + Send + 'static,
    {
        let db = Arc::clone(&self.db);
        tokio::task::spawn_blocking(move || work(&db))
            .await
            .map_err(|error| Error::internal_from("the embedded table task failed", error))?
    }
}

impl std::fmt::Debug for EmbeddedBackend {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EmbeddedBackend")
            .field("table_name", &self.table_name)
            .finish()
    }
}

#[async_trait]
impl Backend for EmbeddedBackend {
    fn table_name(&self) -> &str {
        &self.table_name
    }

    fn implementation(&self) -> &'static str {
        "embedded"
    }

    async fn get_item(&self, key: &Key) -> Result<Option<Item>, Error> {
        key.validate()?;
        let key = key.clone();
        self.run(move |db| store::get(db, &key)).await
    }

    async fn put_item(&self, item: Item, condition: Option<Condition>) -> Result<(), Error> {
        self.run(move |db| store::put(db, &item, condition.as_ref()))
            .await
    }

    async fn delete_item(
        &self,
        key: &Key,
        condition: Option<Condition>,
    ) -> Result<Option<Item>, Error> {
        key.validate()?;
        let key = key.clone();
        self.run(move |db| store::delete(db, &key, condition.as_ref()))
            .await
    }

    async fn query(&self, request: QueryRequest) -> Result<QueryOutput, Error> {
        request.validate()?;
        self.run(move |db| store::query(db, &request)).await
    }
}

/// Applies DynamoDB's table-name rules; the name is also the file name.
fn validate_table_name(name: &str) -> Result<(), Error> {
    let allowed = |c: char| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.');
    if (3..=255).contains(&name.len()) && name.chars().all(allowed) {
        return Ok(());
    }
    let message = format!("{name:?} is not a table name: use 3 to 255 of a-z A-Z 0-9 _ - .");
    Err(Error::validation(message))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_names_follow_dynamodb_rules() {
        assert!(validate_table_name("app-data_1.v2").is_ok());
        for bad in ["ab", "../etc", "a b c", "tâble", &"x".repeat(256)] {
            assert!(validate_table_name(bad).is_err(), "{bad} was accepted");
        }
    }
}
