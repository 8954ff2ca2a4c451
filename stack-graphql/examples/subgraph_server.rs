//! A toy subgraph served with `stack_core::run_http`: a query, a mutation and one entity.
//!
//! It is the server the GraphQL-over-HTTP audit runs against:
//!
//! ```sh
//! PORT=4100 cargo run -p stack-graphql --example subgraph_server
//! node scripts/graphql-http-audit/audit.mjs http://127.0.0.1:4100/graphql
//! ```
//!
//! Opening <http://127.0.0.1:4100/graphql> in a browser shows the query page. With
//! `AWS_LAMBDA_RUNTIME_API` set, the same binary runs as a Lambda function instead.

use std::sync::atomic::{AtomicI64, Ordering};

use async_graphql::{Context, EmptySubscription, ID, Object, Schema, SimpleObject};

/// Something for sale: an entity other subgraphs can extend by `id`.
#[derive(SimpleObject)]
struct Product {
    id: ID,
    name: String,
}

fn product(id: &str) -> Option<Product> {
    let name = match id {
        "1" => "kettle",
        "2" => "teapot",
        _ => return None,
    };
    Some(Product {
        id: ID(id.to_owned()),
        name: name.to_owned(),
    })
}

struct Query;

#[Object]
impl Query {
    /// A greeting, to the caller when one is known.
    async fn hello(&self, ctx: &Context<'_>) -> String {
        match stack_graphql::optional_caller(ctx) {
            Some(identity) => format!("hello, {}", identity.subject),
            None => "hello".to_owned(),
        }
    }

    /// A product by id.
    async fn product(&self, id: ID) -> Option<Product> {
        product(&id)
    }

    /// Resolves `Product` references for the router.
    #[graphql(entity)]
    async fn find_product_by_id(&self, id: ID) -> Option<Product> {
        product(&id)
    }
}

/// A counter shared by every request.
#[derive(Default)]
struct Counter(AtomicI64);

struct Mutation;

#[Object]
impl Mutation {
    /// Adds `by` to the counter and returns the new value.
    async fn increment(&self, ctx: &Context<'_>, #[graphql(default = 1)] by: i64) -> i64 {
        let counter = ctx.data_unchecked::<Counter>();
        counter.0.fetch_add(by, Ordering::Relaxed) + by
    }
}

#[tokio::main]
async fn main() -> Result<(), stack_core::RuntimeError> {
    stack_core::telemetry::init();
    let schema = Schema::build(Query, Mutation, EmptySubscription).data(Counter::default());
    stack_core::run_http(stack_graphql::Subgraph::new(schema)).await
}
