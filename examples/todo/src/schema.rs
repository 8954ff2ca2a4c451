//! The GraphQL face of the Todo service: a federation v2 subgraph.

use std::sync::Arc;

use async_graphql::{
    ComplexObject, Context, EmptySubscription, ID, InputObject, Object, Schema, SchemaBuilder,
    SimpleObject,
};

use crate::error::TodoError;
use crate::model::{Stats, Todo};
use crate::service::{DEFAULT_PAGE, ListOrder, TodoChanges, TodoService};

/// The Todo subgraph's schema.
pub type TodoSchema = Schema<QueryRoot, MutationRoot, EmptySubscription>;

/// The schema builder over a service; [`stack_graphql::Subgraph`] finishes it with federation,
/// limits and the extensions it serves with.
pub fn build_schema(
    service: Arc<TodoService>,
) -> SchemaBuilder<QueryRoot, MutationRoot, EmptySubscription> {
    Schema::build(QueryRoot, MutationRoot, EmptySubscription).data(service)
}

fn service<'a>(ctx: &Context<'a>) -> &'a TodoService {
    ctx.data_unchecked::<Arc<TodoService>>()
}

/// The caller's user id, or `UNAUTHENTICATED`.
fn owner<'a>(ctx: &Context<'a>) -> Result<&'a str, TodoError> {
    stack_graphql::optional_caller(ctx)
        .map(|identity| identity.subject.as_str())
        .ok_or(TodoError::Unauthenticated)
}

/// Turns a Todo result into a GraphQL result with the error's `extensions.code`.
trait IntoGraphql<T> {
    fn into_graphql(self) -> async_graphql::Result<T>;
}

impl<T> IntoGraphql<T> for Result<T, TodoError> {
    fn into_graphql(self) -> async_graphql::Result<T> {
        self.map_err(|error| stack_graphql::to_graphql_error(&error))
    }
}

#[ComplexObject]
impl Todo {
    /// The todo's id.
    async fn id(&self) -> ID {
        ID(self.id.clone())
    }
}

/// A page of todos.
#[derive(SimpleObject)]
pub struct TodoConnection {
    /// The todos of this page, oldest first.
    nodes: Vec<Todo>,
    /// Where this page ends.
    page_info: PageInfo,
}

/// Where a page ends and whether more follow.
#[derive(SimpleObject)]
pub struct PageInfo {
    /// Pass as `after` to read the next page; null when there is none.
    end_cursor: Option<String>,
    /// Whether another page follows.
    has_next_page: bool,
}

/// Reads.
#[derive(Debug, Default, Clone, Copy)]
pub struct QueryRoot;

#[Object(name = "Query")]
impl QueryRoot {
    /// One of the caller's todos, or null.
    async fn todo(&self, ctx: &Context<'_>, id: ID) -> async_graphql::Result<Option<Todo>> {
        let owner = owner(ctx).into_graphql()?;
        service(ctx).get(owner, &id).await.into_graphql()
    }

    /// The caller's todos, oldest first.
    async fn todos(
        &self,
        ctx: &Context<'_>,
        // An explicit null, or a variable left unset, reads as the default page.
        #[graphql(default_with = "Some(DEFAULT_PAGE)")] first: Option<i32>,
        after: Option<String>,
    ) -> async_graphql::Result<TodoConnection> {
        let first = first.unwrap_or(DEFAULT_PAGE);
        let owner = owner(ctx).into_graphql()?;
        let page = service(ctx)
            .list(owner, first, after, ListOrder::OldestFirst)
            .await
            .into_graphql()?;
        let page_info = PageInfo {
            has_next_page: page.next_cursor.is_some(),
            end_cursor: page.next_cursor,
        };
        Ok(TodoConnection {
            nodes: page.todos,
            page_info,
        })
    }

    /// The caller's counters: todos created and completed (kept from the todo events, so
    /// they follow writes within a moment).
    async fn my_stats(&self, ctx: &Context<'_>) -> async_graphql::Result<Stats> {
        let owner = owner(ctx).into_graphql()?;
        service(ctx).stats(owner).await.into_graphql()
    }

    /// Resolves `Todo` references for the router: only the caller's own todos resolve.
    #[graphql(entity)]
    async fn find_todo_by_id(
        &self,
        ctx: &Context<'_>,
        id: ID,
    ) -> async_graphql::Result<Option<Todo>> {
        let owner = owner(ctx).into_graphql()?;
        service(ctx).get(owner, &id).await.into_graphql()
    }
}

/// A new todo.
#[derive(InputObject)]
pub struct CreateTodoInput {
    /// What is to be done: 1 to 200 characters after trimming.
    title: String,
    /// Email (and push to) the owner once the todo is created; default false.
    notify: Option<bool>,
}

/// Changes to a todo; absent fields stay as they are.
#[derive(InputObject)]
pub struct UpdateTodoInput {
    /// A new title.
    title: Option<String>,
    /// A new completion state.
    completed: Option<bool>,
    /// The version last read; if the todo changed since, the update fails with `CONFLICT`.
    expected_version: Option<u64>,
}

/// Writes.
#[derive(Debug, Default, Clone, Copy)]
pub struct MutationRoot;

#[Object(name = "Mutation")]
impl MutationRoot {
    /// Creates a todo for the caller.
    async fn create_todo(
        &self,
        ctx: &Context<'_>,
        input: CreateTodoInput,
    ) -> async_graphql::Result<Todo> {
        let owner = owner(ctx).into_graphql()?;
        service(ctx)
            .create_with_notify(owner, &input.title, input.notify.unwrap_or(false))
            .await
            .into_graphql()
    }

    /// Updates one of the caller's todos.
    async fn update_todo(
        &self,
        ctx: &Context<'_>,
        id: ID,
        input: UpdateTodoInput,
    ) -> async_graphql::Result<Todo> {
        let owner = owner(ctx).into_graphql()?;
        let changes = TodoChanges {
            title: input.title,
            completed: input.completed,
            expected_version: input.expected_version,
        };
        service(ctx)
            .update(owner, &id, changes)
            .await
            .into_graphql()
    }

    /// Deletes one of the caller's todos; false when there was none.
    async fn delete_todo(&self, ctx: &Context<'_>, id: ID) -> async_graphql::Result<bool> {
        let owner = owner(ctx).into_graphql()?;
        service(ctx).delete(owner, &id).await.into_graphql()
    }
}
