//! The GraphQL face of the Media service: a federation v2 subgraph.

use std::sync::Arc;

use async_graphql::{
    ComplexObject, Context, EmptySubscription, ID, InputValueError, InputValueResult, Number,
    Object, Scalar, ScalarType, Schema, SchemaBuilder, SimpleObject, Value,
};
use chrono::{DateTime, Utc};

use crate::error::MediaError;
use crate::model::{Media, MediaKind, MediaStatus};
use crate::service::MediaService;

/// The Media subgraph's schema.
pub type MediaSchema = Schema<QueryRoot, MutationRoot, EmptySubscription>;

/// The schema builder over a service; [`stack_graphql::Subgraph`] finishes it with federation,
/// limits and the extensions it serves with.
pub fn build_schema(
    service: Arc<MediaService>,
) -> SchemaBuilder<QueryRoot, MutationRoot, EmptySubscription> {
    unserved_schema().data(service)
}

/// The schema builder without a service: enough to print the SDL, never to execute.
pub(crate) fn unserved_schema() -> SchemaBuilder<QueryRoot, MutationRoot, EmptySubscription> {
    Schema::build(QueryRoot, MutationRoot, EmptySubscription)
}

fn service<'a>(ctx: &Context<'a>) -> Result<&'a MediaService, MediaError> {
    let missing = || stack_dynamo::Error::internal("the schema was built without its service");
    ctx.data::<Arc<MediaService>>()
        .map(AsRef::as_ref)
        .map_err(|_| MediaError::Storage(missing()))
}

/// The caller's user id, or `UNAUTHENTICATED`.
fn owner<'a>(ctx: &Context<'a>) -> Result<&'a str, MediaError> {
    stack_graphql::optional_caller(ctx)
        .map(|identity| identity.subject.as_str())
        .ok_or(MediaError::Unauthenticated)
}

/// The caller and the service, or the error that stops the resolver.
fn scope<'a>(ctx: &Context<'a>) -> async_graphql::Result<(&'a str, &'a MediaService)> {
    let owner = owner(ctx).into_graphql()?;
    Ok((owner, service(ctx).into_graphql()?))
}

/// Turns a Media result into a GraphQL result with the error's `extensions.code`.
trait IntoGraphql<T> {
    fn into_graphql(self) -> async_graphql::Result<T>;
}

impl<T> IntoGraphql<T> for Result<T, MediaError> {
    fn into_graphql(self) -> async_graphql::Result<T> {
        self.map_err(|error| stack_graphql::to_graphql_error(&error))
    }
}

/// The largest [`ByteCount`]: 2^53 - 1, the largest integer every JSON reader keeps exact.
pub const MAX_BYTE_COUNT: u64 = (1 << 53) - 1;

/// A number of bytes: a whole number from 0 to [`MAX_BYTE_COUNT`], written as a JSON number.
///
/// GraphQL's `Int` stops at 2^31 - 1 (2 GiB), short of the largest upload. A value out of
/// range, in a document or a variable, is refused when the field runs, as `BAD_USER_INPUT`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ByteCount(pub u64);

/// A number of bytes: a whole number from 0 to 2^53 - 1 (JavaScript's largest exact integer),
/// written as a JSON number. GraphQL's `Int` stops at 2^31 - 1, short of large uploads.
#[Scalar(name = "ByteCount")]
impl ScalarType for ByteCount {
    fn parse(value: Value) -> InputValueResult<Self> {
        match &value {
            Value::Number(number) => match number.as_u64() {
                Some(bytes) if bytes <= MAX_BYTE_COUNT => Ok(Self(bytes)),
                _ => Err(InputValueError::custom(format!(
                    "expected a whole number of bytes from 0 to {MAX_BYTE_COUNT}, got {number}"
                ))),
            },
            _ => Err(InputValueError::expected_type(value)),
        }
    }

    fn to_value(&self) -> Value {
        Value::Number(Number::from(self.0))
    }
}

/// A file attached to a todo.
#[Object]
impl Media {
    /// The media item's id (a ULID: ordered by creation time).
    async fn id(&self) -> ID {
        ID(self.id.clone())
    }

    /// The user it belongs to: always the caller, who sees only their own media.
    async fn owner(&self) -> &str {
        &self.owner
    }

    /// The todo it is attached to.
    async fn todo_id(&self) -> ID {
        ID(self.todo_id.clone())
    }

    /// What it holds, from its content type.
    async fn kind(&self) -> MediaKind {
        self.kind
    }

    /// Where it is in its life: `PENDING` until its upload is processed.
    async fn status(&self) -> MediaStatus {
        self.status
    }

    /// Its media type, in lower case.
    async fn content_type(&self) -> &str {
        &self.content_type
    }

    /// Its size in bytes, as announced when it was attached.
    async fn size(&self) -> ByteCount {
        ByteCount(self.size)
    }

    /// When it was attached.
    async fn created_at(&self) -> DateTime<Utc> {
        self.created_at
    }
}

/// A todo of the Todo service, as this subgraph knows it: by id, with its attachments.
#[derive(Debug, Clone, SimpleObject)]
#[graphql(name = "Todo", complex)]
pub struct TodoAttachments {
    /// The todo's id.
    pub id: ID,
}

#[ComplexObject]
impl TodoAttachments {
    /// The caller's media attached to this todo, oldest first (at most 100).
    async fn attachments(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<Media>> {
        let (owner, service) = scope(ctx)?;
        service.attachments(owner, &self.id).await.into_graphql()
    }
}

/// Reads.
#[derive(Debug, Default, Clone, Copy)]
pub struct QueryRoot;

#[Object(name = "Query")]
impl QueryRoot {
    /// One of the caller's media items, or null.
    async fn media(&self, ctx: &Context<'_>, id: ID) -> async_graphql::Result<Option<Media>> {
        let (owner, service) = scope(ctx)?;
        service.get(owner, &id).await.into_graphql()
    }

    /// Resolves `Media` references for the router: only the caller's own media resolve.
    #[graphql(entity)]
    async fn find_media_by_id(
        &self,
        ctx: &Context<'_>,
        id: ID,
    ) -> async_graphql::Result<Option<Media>> {
        let (owner, service) = scope(ctx)?;
        service.get(owner, &id).await.into_graphql()
    }

    /// Resolves `Todo` references for the router from their id alone: this subgraph reads no
    /// todo, only the caller's attachments when they are asked for.
    #[graphql(entity)]
    async fn find_todo_by_id(
        &self,
        ctx: &Context<'_>,
        id: ID,
    ) -> async_graphql::Result<TodoAttachments> {
        owner(ctx).into_graphql()?;
        let id = crate::model::valid_todo_id(&id).into_graphql()?;
        Ok(TodoAttachments { id: ID(id) })
    }
}

/// Writes.
#[derive(Debug, Default, Clone, Copy)]
pub struct MutationRoot;

#[Object(name = "Mutation")]
impl MutationRoot {
    /// Records a pending media item attached to one of the caller's todos. `contentType` is
    /// an `image/`, `video/` or `audio/` type (not SVG or other XML-based types) or a document type such as
    /// `application/pdf`; `size` is from 1 byte to 5 GiB; a todo takes at most 100 media.
    async fn attach_media(
        &self,
        ctx: &Context<'_>,
        todo_id: ID,
        content_type: String,
        size: ByteCount,
    ) -> async_graphql::Result<Media> {
        let (owner, service) = scope(ctx)?;
        service
            .attach(owner, &todo_id, &content_type, size.0)
            .await
            .into_graphql()
    }

    /// Deletes one of the caller's media items; false when there was none.
    async fn delete_media(&self, ctx: &Context<'_>, id: ID) -> async_graphql::Result<bool> {
        let (owner, service) = scope(ctx)?;
        service.delete(owner, &id).await.into_graphql()
    }
}
