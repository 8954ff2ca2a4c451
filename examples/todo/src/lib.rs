//! The Todo subgraph of The Stack's example app.
//!
//! It shows the spine of the stack working end to end: a federation v2 subgraph
//! ([`stack_graphql`]) over typed single-table storage ([`stack_dynamo`]), run by
//! [`stack_core`] as an AWS Lambda behind API Gateway or as a local server.
//!
//! Run it locally, on the embedded table under `.stack/`:
//!
//! ```text
//! cargo run -p todo-service
//! curl -s localhost:4000/graphql -H 'content-type: application/json' -H 'x-stack-user: alice' \
//!   -d '{"query":"mutation { createTodo(input: {title: \"try the stack\"}) { id version } }"}'
//! ```
//!
//! Writes also flow through the asynchronous half ([`stack_async`], [`stack_notify`]): each
//! todo change becomes an event (`TodoCreated`, `TodoUpdated`, `TodoDeleted`); the
//! [`analytics`] consumer counts them into `myStats`, and a todo created with `notify: true`
//! makes the [`notifications`] worker email its owner. Locally all of it runs in the one
//! process ([`local`]): emails are `.eml` files under `STACK_DATA_DIR/mailbox`, listed at
//! `GET /dev/mailbox`.
//!
//! Each caller sees only their own todos: locally the `x-stack-user` header names the caller,
//! in Lambda the API Gateway authorizer does. The schema:
//!
//! ```graphql
//! type Todo @key(fields: "id") { id: ID! title: String! completed: Boolean! version: Int!
//!                                createdAt: DateTime! updatedAt: DateTime! }
//! type Query { todo(id: ID!): Todo  todos(first: Int = 20, after: String): TodoConnection!
//!              myStats: Stats! }
//! type Stats { created: Int! completed: Int! }
//! input CreateTodoInput { title: String! notify: Boolean }
//! type Mutation { createTodo(input: CreateTodoInput!): Todo!
//!                 updateTodo(id: ID!, input: UpdateTodoInput!): Todo!
//!                 deleteTodo(id: ID!): Boolean! }
//! ```
//!
//! | setting | meaning |
//! |---|---|
//! | `PORT` | the local port (default 4000) |
//! | `STACK_DATA_DIR` | where the embedded table lives (default `.stack/`) |
//! | `STACK_TABLE_BACKEND` | `embedded` (default locally) or `dynamodb` (default in Lambda) |
//! | `STACK_TABLE_NAME` | the table (default `todos`; required with DynamoDB in Lambda) |
//! | `STACK_TABLE_CREATE` | create a missing DynamoDB table (emulators, development) |
//! | `STACK_CURSOR_KEY` | base64 of at least 32 secret bytes that sign page cursors |
//! | `STACK_PREVIOUS_CURSOR_KEY` | a key being rotated out, still accepted |
//! | `AWS_LAMBDA_LOG_LEVEL`, `AWS_LAMBDA_LOG_FORMAT`, `RUST_LOG` | log level and format |

pub mod analytics;
pub mod app;
pub mod config;
pub mod error;
pub mod local;
pub mod model;
pub mod notifications;
pub mod schema;
pub mod service;

pub use app::{StartError, Store, open_store, open_table, schema_for, sdl};
pub use config::TodoConfig;
pub use error::TodoError;
pub use schema::{TodoSchema, build_schema};
pub use service::TodoService;
