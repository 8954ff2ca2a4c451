//! Collections: several entity types under one partition, read in one query.

use serde_dynamo::Item;

use crate::entity::from_item;
use crate::key::{attr, string_attribute};
use crate::{Entity, Error};

/// One page of a collection: items of several entity types that share a partition (a list
/// and its todos, an order and its lines), read in one query and taken apart by type.
///
/// # Examples
///
/// ```
/// # use serde::{Deserialize, Serialize};
/// # use stack_dynamo::{Entity, Keys};
/// # #[derive(Serialize, Deserialize)] struct List { id: String, name: String }
/// # impl Entity for List {
/// #     const TYPE: &'static str = "List";
/// #     const KEYS: Keys = Keys::new("LIST#{id}", "LIST");
/// # }
/// # #[derive(Serialize, Deserialize)] struct Todo { list: String, id: String, title: String }
/// # impl Entity for Todo {
/// #     const TYPE: &'static str = "Todo";
/// #     const KEYS: Keys = Keys::new("LIST#{list}", "TODO#{id}");
/// # }
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), stack_dynamo::Error> {
/// use stack_dynamo::{EmbeddedBackend, Query, Table};
///
/// let table = Table::new(EmbeddedBackend::in_memory()?);
/// table.create(List { id: "home".into(), name: "Home".into() }).await?;
/// table.create(Todo { list: "home".into(), id: "1".into(), title: "Milk".into() }).await?;
///
/// let page = table.collection(Query::new("LIST#home"), &[List::TYPE, Todo::TYPE]).await?;
/// let lists: Vec<List> = page.of()?;
/// let todos: Vec<Todo> = page.of()?;
/// assert_eq!((lists[0].name.as_str(), todos[0].title.as_str()), ("Home", "Milk"));
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Collection {
    /// The raw items of every requested type, in sort-key order.
    pub items: Vec<Item>,
    /// Pass to [`Query::after`](crate::Query::after) for the next page.
    pub next_cursor: Option<String>,
}

impl Collection {
    /// The items of entity type `E`, in sort-key order.
    ///
    /// # Errors
    ///
    /// An internal error when an item of type `E` cannot be deserialised.
    pub fn of<E: Entity>(&self) -> Result<Vec<E>, Error> {
        self.items
            .iter()
            .filter(|item| string_attribute(item, attr::TYPE).is_ok_and(|t| t == E::TYPE))
            .map(|item| from_item(item.clone()))
            .collect()
    }

    /// The entity type of each item, in order.
    pub fn types(&self) -> impl Iterator<Item = &str> {
        self.items
            .iter()
            .filter_map(|item| string_attribute(item, attr::TYPE).ok())
    }

    /// Whether there are more items after this page.
    pub fn has_next_page(&self) -> bool {
        self.next_cursor.is_some()
    }
}
