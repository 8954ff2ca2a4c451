//! Transactions: up to 100 writes and checks, all or none.

use std::time::SystemTime;

use super::{Patch, Table};
use crate::backend::TransactItem;
use crate::entity::{Stamp, stamped_item};
use crate::{Condition, Entity, Error, Key};

type PendingItem = Box<dyn FnOnce(SystemTime) -> Result<TransactItem, Error> + Send>;

/// Writes and checks on up to 100 distinct items that succeed or fail together
/// (`TransactWriteItems`).
///
/// When a condition fails, nothing is written and the error
/// ([`Error::is_transaction_cancelled`]) carries one reason per item, in the order they were
/// added, saying which failed and why.
///
/// # Examples
///
/// ```
/// # use serde::{Deserialize, Serialize};
/// # use stack_dynamo::{Entity, Keys};
/// # #[derive(Serialize, Deserialize)] struct List { id: String, count: u64 }
/// # impl Entity for List {
/// #     const TYPE: &'static str = "List";
/// #     const KEYS: Keys = Keys::new("LIST#{id}", "LIST");
/// # }
/// # #[derive(Serialize, Deserialize)] struct Todo { list: String, id: String }
/// # impl Entity for Todo {
/// #     const TYPE: &'static str = "Todo";
/// #     const KEYS: Keys = Keys::new("LIST#{list}", "TODO#{id}");
/// # }
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), stack_dynamo::Error> {
/// # let table = stack_dynamo::Table::new(stack_dynamo::EmbeddedBackend::in_memory()?);
/// # table.create(List { id: "home".into(), count: 0 }).await?;
/// use stack_dynamo::{Patch, Transaction};
///
/// // Add a todo and count it on its list, or do neither.
/// let list = List::KEYS.key_of(&[("id", "home")])?;
/// let add = Transaction::new()
///     .create(Todo { list: "home".into(), id: "1".into() })
///     .patch(Patch::<List>::new(list).add("count", 1));
/// table.transact(add).await?;
///
/// let again = Transaction::new().create(Todo { list: "home".into(), id: "1".into() });
/// let error = table.transact(again).await.unwrap_err();
/// assert!(error.cancellation_reasons()[0].is_condition_failed());
/// # Ok(())
/// # }
/// ```
#[derive(Default)]
pub struct Transaction {
    items: Vec<PendingItem>,
}

impl std::fmt::Debug for Transaction {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Transaction")
            .field("items", &self.items.len())
            .finish()
    }
}

impl Transaction {
    /// An empty transaction.
    pub fn new() -> Self {
        Self::default()
    }

    /// Also creates `entity` at version 1, if its key is free.
    pub fn create<E: Entity>(self, entity: E) -> Self {
        self.with(move |now| {
            let (_, item) = stamped_item(&entity, &Stamp::new(now))?;
            Ok(TransactItem::Put {
                item,
                condition: Some(Condition::NotExists),
            })
        })
    }

    /// Also applies a [`Patch`] (which must find its entity).
    pub fn patch<E: Entity>(self, patch: Patch<E>) -> Self {
        self.with(move |now| {
            let (key, update, condition) = patch.plan(now)?;
            Ok(TransactItem::Update {
                key,
                update,
                condition: Some(condition),
            })
        })
    }

    /// Also deletes the `E` at `key`, if there is one (anything else there cancels).
    pub fn delete<E: Entity>(self, key: Key) -> Self {
        let condition = Condition::NotExists.or(Condition::type_is(E::TYPE));
        self.with(move |_| {
            Ok(TransactItem::Delete {
                key,
                condition: Some(condition),
            })
        })
    }

    /// Also deletes the `E` at `key`, which must be at `version`.
    pub fn delete_if_version<E: Entity>(self, key: Key, version: u64) -> Self {
        let condition = Condition::type_is(E::TYPE).and(Condition::version_is(version));
        self.with(move |_| {
            Ok(TransactItem::Delete {
                key,
                condition: Some(condition),
            })
        })
    }

    /// Also checks, without writing, that `condition` holds for the item at `key`.
    pub fn check(self, key: Key, condition: Condition) -> Self {
        self.with(move |_| Ok(TransactItem::Check { key, condition }))
    }

    /// How many items the transaction holds.
    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// Whether the transaction holds no item.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    fn with(
        mut self,
        item: impl FnOnce(SystemTime) -> Result<TransactItem, Error> + Send + 'static,
    ) -> Self {
        self.items.push(Box::new(item));
        self
    }
}

impl Table {
    /// Runs a [`Transaction`]: every item or none.
    ///
    /// # Errors
    ///
    /// [`Error::is_transaction_cancelled`] with a reason per item when a condition fails or
    /// another transaction conflicts; a validation error for more than 100 items or a key
    /// named twice.
    pub async fn transact(&self, transaction: Transaction) -> Result<(), Error> {
        let now = self.now();
        let items = transaction
            .items
            .into_iter()
            .map(|item| item(now))
            .collect::<Result<Vec<_>, _>>()?;
        self.backend.transact_write_items(items).await
    }
}
