//! The Todo operations, independent of GraphQL: every call is scoped to its owner.

use std::sync::Mutex;

use chrono::{DateTime, Utc};
use stack_core::clock::SharedClock;
use stack_dynamo::{Query, Table};

use crate::error::TodoError;
use crate::model::{SORT_PREFIX, Todo, partition_of, valid_id, valid_title};

/// The default and the largest page of `todos`.
pub const DEFAULT_PAGE: i32 = 20;
/// The largest page of `todos`.
pub const MAX_PAGE: i32 = 100;

/// What an update changes; absent fields stay as they are.
#[derive(Debug, Clone, Default)]
pub struct TodoChanges {
    /// A new title.
    pub title: Option<String>,
    /// A new completion state.
    pub completed: Option<bool>,
    /// The version the caller last saw; a different stored version is a conflict.
    pub expected_version: Option<u64>,
}

/// One page of a caller's todos, oldest first.
#[derive(Debug, Clone)]
pub struct TodoPage {
    /// The todos of this page.
    pub todos: Vec<Todo>,
    /// The cursor that continues after this page, when there is more.
    pub next_cursor: Option<String>,
}

/// The Todo operations over one table.
pub struct TodoService {
    table: Table,
    clock: SharedClock,
    ids: Mutex<ulid::Generator>,
}

impl std::fmt::Debug for TodoService {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TodoService")
            .field("table", &self.table)
            .field("clock", &self.clock)
            .finish_non_exhaustive()
    }
}

impl TodoService {
    /// A service storing todos in `table`, stamping times from `clock`.
    pub fn new(table: Table, clock: SharedClock) -> Self {
        Self {
            table,
            clock,
            ids: Mutex::new(ulid::Generator::new()),
        }
    }

    fn now(&self) -> DateTime<Utc> {
        DateTime::<Utc>::from(self.clock.now())
    }

    /// A new id, increasing even within one millisecond so todos list in creation order.
    fn next_id(&self) -> String {
        let now = self.clock.now();
        let mut ids = self
            .ids
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        ids.generate_from_datetime(now)
            .unwrap_or_else(|_| ulid::Ulid::from_datetime(now))
            .to_string()
    }

    /// `owner`'s todo `id`, if it exists.
    pub async fn get(&self, owner: &str, id: &str) -> Result<Option<Todo>, TodoError> {
        let key = Todo::key_of(owner, &valid_id(id)?);
        Ok(self.table.get::<Todo>(&key).await?)
    }

    /// A page of `owner`'s todos in creation order.
    pub async fn list(
        &self,
        owner: &str,
        first: i32,
        after: Option<String>,
    ) -> Result<TodoPage, TodoError> {
        if !(1..=MAX_PAGE).contains(&first) {
            return Err(TodoError::InvalidPageSize {
                got: first,
                max: MAX_PAGE,
            });
        }
        let limit = usize::try_from(first).unwrap_or(1);
        let query = Query::new(partition_of(owner))
            .sk_prefix(SORT_PREFIX)
            .limit(limit)
            .after(after);
        let page = self.table.query::<Todo>(query).await?;
        Ok(TodoPage {
            todos: page.items,
            next_cursor: page.next_cursor,
        })
    }

    /// Creates an open todo for `owner`.
    pub async fn create(&self, owner: &str, title: &str) -> Result<Todo, TodoError> {
        let title = valid_title(title)?;
        let mut todo = Todo::new(owner, self.next_id(), title, self.now());
        self.table.create(&mut todo).await?;
        Ok(todo)
    }

    /// Applies `changes` to `owner`'s todo `id`.
    pub async fn update(
        &self,
        owner: &str,
        id: &str,
        changes: TodoChanges,
    ) -> Result<Todo, TodoError> {
        let key = Todo::key_of(owner, &valid_id(id)?);
        let title = changes.title.as_deref().map(valid_title).transpose()?;
        let now = self.now();
        let result = self
            .table
            .update::<Todo, _>(&key, changes.expected_version, move |todo| {
                if let Some(title) = &title {
                    todo.title.clone_from(title);
                }
                if let Some(completed) = changes.completed {
                    todo.completed = completed;
                }
                todo.updated_at = now;
                Ok(())
            })
            .await;
        result.map_err(
            |error| match (error.is_conflict(), changes.expected_version) {
                (true, Some(expected)) => TodoError::StaleVersion { expected },
                _ if error.is_not_found() => TodoError::NotFound,
                _ => TodoError::Storage(error),
            },
        )
    }

    /// Deletes `owner`'s todo `id`; `false` when there was none.
    pub async fn delete(&self, owner: &str, id: &str) -> Result<bool, TodoError> {
        let key = Todo::key_of(owner, &valid_id(id)?);
        Ok(self.table.delete::<Todo>(&key).await?)
    }
}
