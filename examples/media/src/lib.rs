//! The Media subgraph of The Stack's example app.
//!
//! It records the files attached to todos: a federation v2 subgraph ([`stack_graphql`]) over
//! the same single table as the Todo service ([`stack_dynamo`]), run by [`stack_core`] as an
//! AWS Lambda behind API Gateway or as a local server. It extends the Todo service's `Todo`
//! with its `attachments`, and `attachMedia` records a pending media item; signed uploads and
//! transcoding (`stack-media`) are not wired in yet.
//!
//! Run it locally, on the embedded table under `.stack/media/`:
//!
//! ```text
//! cargo run -p media-service
//! curl -s localhost:4002/graphql -H 'content-type: application/json' -H 'x-stack-user: alice' \
//!   -d '{"query":"mutation { attachMedia(todoId: \"01ARZ3NDEKTSV4RRFFQ69G5FAV\", contentType: \"image/png\", size: 2048) { id kind status } }"}'
//! ```
//!
//! Each caller sees only their own media: locally the `x-stack-user` header names the caller,
//! in Lambda the API Gateway authorizer does. The schema:
//!
//! ```graphql
//! type Media @key(fields: "id") { id: ID! owner: String! todoId: ID! kind: MediaKind!
//!                                 status: MediaStatus! contentType: String! size: ByteCount!
//!                                 createdAt: DateTime! }
//! type Todo @key(fields: "id") { id: ID! attachments: [Media!]! }
//! enum MediaKind { IMAGE VIDEO AUDIO DOCUMENT }
//! enum MediaStatus { PENDING READY FAILED }
//! scalar ByteCount   # a whole number of bytes up to 2^53 - 1, as a JSON number
//! type Query { media(id: ID!): Media }
//! type Mutation { attachMedia(todoId: ID!, contentType: String!, size: ByteCount!): Media!
//!                 deleteMedia(id: ID!): Boolean! }
//! ```
//!
//! # Rules
//!
//! - `todoId` and media ids are ULIDs in canonical form (as the Todo service issues them);
//!   anything else is `BAD_USER_INPUT`.
//! - `contentType` is `type/subtype` (RFC 6838 names, no parameters, any case; stored in lower
//!   case): any `image/`, `video/` or `audio/` type except SVG (under any name) and
//!   other XML-based subtypes, which can carry scripts, or one of a few document types (PDF, plain text, CSV, Markdown, Office Open XML,
//!   OpenDocument). The family gives `kind`. Anything else is `BAD_USER_INPUT`.
//! - `size` is from 1 byte to 5 GiB ([`model::MAX_SIZE`], the most one S3 `PUT` takes). It is
//!   a `ByteCount`, since GraphQL's `Int` stops at 2 GiB; out of range is `BAD_USER_INPUT`.
//! - A todo takes at most 100 media ([`model::MAX_ATTACHMENTS`]) per owner; one more is
//!   `CONFLICT`. A count item kept in the same transaction as each attach and delete makes the
//!   cap hold under concurrent writes.
//! - `attachments` lists oldest first (ids are ULIDs). `media`, `_entities` and
//!   `attachments` give only the caller's media: other people's are null or absent, and
//!   deleting one gives `false`. A call without a caller is `UNAUTHENTICATED`.
//! - Resolving a `Todo` reference reads nothing: this subgraph knows todos by id only, and
//!   reads the caller's attachments when `attachments` is asked for.
//!
//! # Storage
//!
//! The items share the Todo service's user partitions, under sort keys of their own (see
//! [`model`]): a media item by id is one `GetItem`, a todo's attachments one `Query` of the
//! table's index `gsi1`.
//!
//! # Settings
//!
//! | setting | meaning |
//! |---|---|
//! | `PORT` | the local port (default 4002, next to the Todo service's 4000) |
//! | `STACK_DATA_DIR` | where the embedded table lives (default `.stack/media/`) |
//! | `STACK_TABLE_BACKEND` | `embedded` (default locally) or `dynamodb` (default in Lambda) |
//! | `STACK_TABLE_NAME` | the table (default `todos`, the Todo service's; required with DynamoDB in Lambda) |
//! | `STACK_TABLE_CREATE` | create a missing DynamoDB table (emulators, development) |
//! | `AWS_LAMBDA_LOG_LEVEL`, `AWS_LAMBDA_LOG_FORMAT`, `RUST_LOG` | log level and format |
//!
//! On DynamoDB the standalone Media and Todo binaries meet in one table by default. Locally
//! an embedded table file can be open in one process only, so the standalone Media binary
//! keeps its own directory: both binaries run side by side, each on its own data. The
//! one-process app shares one table between them through [`schema_for`].
//!
//! # Limitations
//!
//! - No upload happens yet: media stay `PENDING` until signed uploads and transcoding
//!   (`stack-media`) are wired in, which will also set `READY` and `FAILED`.
//! - `attachMedia` checks the todo id's form, not that the todo exists or is the caller's:
//!   the todo belongs to the Todo service, and a subgraph does not read another's data.
//!   Media attached to an id the caller has no todo for stay visible only to that caller.
//! - Deleting a todo leaves its media (and their count): removing them on the Todo service's
//!   `TodoDeleted` event needs the media worker, which comes with uploads.
//! - A todo's count item stays, at zero, once its last media item is deleted: removing it
//!   would need one more conditional write on every delete, for one small item per todo.
//! - On DynamoDB `attachments` reads an index, which is eventually consistent: a media item
//!   attached a moment ago may be missing from it briefly (`media(id)` reads consistently).
//! - The standalone binary's embedded change feed is not consumed, so it keeps every record;
//!   the media events come with the media worker.
//! - Reading the table settings ([`config`]) and opening a DynamoDB table ([`app`]) repeat
//!   the Todo service's (the backend names and the embedded opener are `stack-dynamo`'s). They belong in `stack-dynamo` as one settings reader and opener that
//!   every service shares; until it exists, a change to one service's table settings must be
//!   made in the other too.

pub mod app;
pub mod config;
pub mod error;
pub mod model;
pub mod schema;
pub mod service;

pub use app::{StartError, open_table, schema_for, sdl};
pub use config::MediaConfig;
pub use error::MediaError;
pub use schema::{MediaSchema, build_schema};
pub use service::MediaService;
