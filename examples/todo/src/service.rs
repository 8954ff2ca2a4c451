//! The Todo operations, independent of GraphQL: every call is scoped to its owner.

use std::sync::Mutex;

use chrono::{DateTime, Utc};
use stack_core::clock::SharedClock;
use stack_dynamo::{Patch, Query, Table};

use crate::error::TodoError;
use crate::model::{SORT_PREFIX, Stats, Todo, partition_of, valid_id, valid_title};

/// The default page of `todos`.
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

/// The order of a list of todos.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ListOrder {
    /// In creation order (the GraphQL `todos` field's order).
    #[default]
    OldestFirst,
    /// Latest first.
    NewestFirst,
}

/// One page of a caller's todos.
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
    /// A service storing todos in `table`, stamping times from `clock` (the table keeps
    /// `createdAt` and `updatedAt` with it).
    pub fn new(table: Table, clock: SharedClock) -> Self {
        Self {
            table: table.with_clock(clock.clone()),
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

    /// A page of `owner`'s todos in `order` of creation (their ULID sort keys), continuing
    /// after the signed cursor `after` of the previous page of the same order.
    pub async fn list(
        &self,
        owner: &str,
        first: i32,
        after: Option<String>,
        order: ListOrder,
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
        let query = match order {
            ListOrder::OldestFirst => query,
            ListOrder::NewestFirst => query.descending(),
        };
        let page = self.table.query::<Todo>(query).await?;
        Ok(TodoPage {
            todos: page.items,
            next_cursor: page.next_cursor,
        })
    }

    /// Creates an open todo for `owner`.
    pub async fn create(&self, owner: &str, title: &str) -> Result<Todo, TodoError> {
        self.create_with_notify(owner, title, false).await
    }

    /// Creates an open todo for `owner`; with `notify`, the notification worker emails the
    /// owner once the creation event reaches it.
    pub async fn create_with_notify(
        &self,
        owner: &str,
        title: &str,
        notify: bool,
    ) -> Result<Todo, TodoError> {
        let title = valid_title(title)?;
        let todo = Todo::new(owner, self.next_id(), title, self.now()).with_notify(notify);
        Ok(self.table.create(todo).await?)
    }

    /// `owner`'s counters (zero before the analytics consumer counted anything).
    pub async fn stats(&self, owner: &str) -> Result<Stats, TodoError> {
        Ok(crate::analytics::stats_of(&self.table, owner).await?)
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
        let result = self.table.patch(patch(key, title, &changes)).await;
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

/// The partial update for `changes`: only the given fields are written, in one call, with the
/// version checked atomically when the caller sent one.
fn patch(key: stack_dynamo::Key, title: Option<String>, changes: &TodoChanges) -> Patch<Todo> {
    let mut patch = Patch::new(key);
    if let Some(title) = title {
        patch = patch.set("title", title);
    }
    if let Some(completed) = changes.completed {
        patch = patch.set("completed", completed);
    }
    match changes.expected_version {
        Some(version) => patch.expect_version(version),
        None => patch,
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use std::sync::Arc;
    use std::time::{Duration, UNIX_EPOCH};

    use stack_core::clock::FixedClock;
    use stack_dynamo::EmbeddedBackend;

    use super::*;

    fn service() -> (TodoService, FixedClock) {
        let clock = FixedClock::at(UNIX_EPOCH + Duration::from_secs(1_800_000_000));
        let table = Table::new(EmbeddedBackend::in_memory().unwrap());
        (TodoService::new(table, Arc::new(clock.clone())), clock)
    }

    async fn titles(service: &TodoService, order: ListOrder) -> Vec<Vec<String>> {
        let mut pages = Vec::new();
        let mut after = None;
        loop {
            let page = service.list("ann", 2, after, order).await.unwrap();
            pages.push(page.todos.into_iter().map(|todo| todo.title).collect());
            match page.next_cursor {
                Some(cursor) => after = Some(cursor),
                None => return pages,
            }
        }
    }

    #[tokio::test]
    async fn lists_page_in_both_orders() {
        let (service, clock) = service();
        for title in ["one", "two", "three"] {
            service.create("ann", title).await.unwrap();
            clock.advance(Duration::from_secs(1));
        }
        service.create("bob", "not ann's").await.unwrap();

        let oldest = titles(&service, ListOrder::OldestFirst).await;
        assert_eq!(oldest, [vec!["one", "two"], vec!["three"]]);
        let newest = titles(&service, ListOrder::NewestFirst).await;
        assert_eq!(newest, [vec!["three", "two"], vec!["one"]]);
    }

    #[tokio::test]
    async fn a_cursor_of_one_order_is_refused_by_the_other() {
        let (service, _) = service();
        for title in ["one", "two", "three"] {
            service.create("ann", title).await.unwrap();
        }
        let page = service
            .list("ann", 1, None, ListOrder::OldestFirst)
            .await
            .unwrap();
        let error = service
            .list("ann", 1, page.next_cursor, ListOrder::NewestFirst)
            .await
            .unwrap_err();
        assert!(matches!(error, TodoError::Storage(error) if error.is_validation()));
    }

    #[tokio::test]
    async fn versions_guard_updates_and_times_are_kept_by_the_table() {
        let (service, clock) = service();
        let todo = service.create("ann", "milk").await.unwrap();
        clock.advance(Duration::from_secs(5));

        let changes = |version| TodoChanges {
            completed: Some(true),
            expected_version: Some(version),
            ..TodoChanges::default()
        };
        let done = service.update("ann", &todo.id, changes(1)).await.unwrap();
        assert_eq!((done.version, done.completed), (2, true));
        assert_eq!(done.created_at, todo.created_at);
        assert_eq!((done.updated_at - todo.updated_at).num_seconds(), 5);
        let stale = service
            .update("ann", &todo.id, changes(1))
            .await
            .unwrap_err();
        assert!(matches!(stale, TodoError::StaleVersion { expected: 1 }));
    }
}
