//! The caller of a GraphQL request, as resolvers read it.
//!
//! The subgraph handler puts an `Option<Identity>` into the data of every request, read with
//! [`Identity::from_request`]: from the authorizer context in Lambda, from the `x-stack-user`
//! header locally. Resolvers ask for it with [`caller`] or [`optional_caller`].

use async_graphql::{Context, ErrorExtensions as _};
use stack_core::ErrorKind;
use stack_core::auth::Identity;

/// The authenticated caller, or an `UNAUTHENTICATED` error.
///
/// # Errors
///
/// Fails with `extensions.code` `UNAUTHENTICATED` when the request carries no identity.
///
/// ```
/// use async_graphql::{Context, Object, Result};
///
/// struct Query;
///
/// #[Object]
/// impl Query {
///     /// The caller's user id.
///     async fn me(&self, ctx: &Context<'_>) -> Result<String> {
///         Ok(stack_graphql::caller(ctx)?.subject.clone())
///     }
/// }
/// ```
pub fn caller<'a>(ctx: &Context<'a>) -> async_graphql::Result<&'a Identity> {
    optional_caller(ctx).ok_or_else(|| {
        let code = ErrorKind::Unauthenticated.graphql_code();
        async_graphql::Error::new("authentication required")
            .extend_with(|_, extensions| extensions.set("code", code))
    })
}

/// The authenticated caller, if there is one.
pub fn optional_caller<'a>(ctx: &Context<'a>) -> Option<&'a Identity> {
    ctx.data_opt::<Option<Identity>>()?.as_ref()
}
