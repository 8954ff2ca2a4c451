//! The Stack's example app: the crate that puts the services together.
//!
//! Each service is a library first (`examples/todo`, `examples/media`, `examples/router`);
//! this crate composes them. Its binaries:
//!
//! | binary | what it is |
//! |---|---|
//! | `stack-app` (default) | the whole app in one process on one port, for local use ([`local`]) |
//! | `authorizer` | the API Gateway Lambda authorizer for Cognito JWTs ([`stack_graphql::authorizer`]) |
//!
//! The other deployable binaries come from their own crates: `router` (`app-router`),
//! `todo-service` and `media-service`. Each binary is a Lambda when `AWS_LAMBDA_RUNTIME_API`
//! is set and a local server otherwise.

pub mod local;
