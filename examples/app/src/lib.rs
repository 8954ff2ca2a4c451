//! The Stack's example app: the crate whose binaries are the deployable Lambdas.
//!
//! Each service is a library first (see `examples/todo`); this crate puts them together. Its
//! binaries so far:
//!
//! | binary | what it is |
//! |---|---|
//! | `authorizer` | the API Gateway Lambda authorizer for Cognito JWTs ([`stack_graphql::authorizer`]) |
//!
//! The router, the subgraph binaries and the one-process local app join later.
