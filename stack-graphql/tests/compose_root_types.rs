//! Composed supergraphs carry `@join__type` on their root types, and the router plans and runs
//! queries spanning two real async-graphql subgraphs from them.

#![cfg(all(feature = "compose", feature = "router"))]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod router_support;

use async_graphql::{EmptySubscription, ID, Object, Schema, SchemaBuilder, SimpleObject};
use serde_json::json;
use stack_core::http::HttpService as _;
use stack_graphql::Subgraph;
use stack_graphql::compose::Composer;
use stack_graphql::router::{InProcess, Router};

use router_support::{body, post};

#[derive(SimpleObject)]
#[graphql(name = "User")]
struct Account {
    id: ID,
    name: String,
}

struct AccountsQuery;

#[Object(name = "Query")]
impl AccountsQuery {
    async fn users(&self) -> Vec<Account> {
        ["1", "2"].map(account).into()
    }

    #[graphql(entity)]
    async fn find_user_by_id(&self, id: ID) -> Account {
        account(&id)
    }
}

struct AccountsMutation;

#[Object(name = "Mutation")]
impl AccountsMutation {
    async fn rename(&self, id: ID, name: String) -> Account {
        Account { id, name }
    }
}

fn account(id: &str) -> Account {
    Account {
        id: ID(id.to_owned()),
        name: format!("user {id}"),
    }
}

#[derive(SimpleObject)]
struct Review {
    body: String,
}

struct ReviewedUser {
    id: ID,
}

#[Object(name = "User")]
impl ReviewedUser {
    async fn id(&self) -> &ID {
        &self.id
    }

    async fn reviews(&self) -> Vec<Review> {
        vec![Review {
            body: format!("review by {}", self.id.0),
        }]
    }
}

struct ReviewsQuery;

#[Object(name = "Query")]
impl ReviewsQuery {
    async fn top_review(&self) -> Review {
        Review {
            body: "the best".to_owned(),
        }
    }

    #[graphql(entity)]
    async fn find_user_by_id(&self, id: ID) -> ReviewedUser {
        ReviewedUser { id }
    }
}

struct ReviewsMutation;

#[Object(name = "Mutation")]
impl ReviewsMutation {
    async fn add_review(&self, body: String) -> Review {
        Review { body }
    }
}

type Accounts = SchemaBuilder<AccountsQuery, AccountsMutation, EmptySubscription>;
type Reviews = SchemaBuilder<ReviewsQuery, ReviewsMutation, EmptySubscription>;

fn schemas() -> (Accounts, Reviews) {
    let accounts = Schema::build(AccountsQuery, AccountsMutation, EmptySubscription);
    let reviews = Schema::build(ReviewsQuery, ReviewsMutation, EmptySubscription);
    (accounts, reviews)
}

fn supergraph_sdl() -> String {
    let (accounts, reviews) = schemas();
    Composer::new()
        .schema(
            "accounts",
            "http://127.0.0.1:4001/graphql",
            &accounts.finish(),
        )
        .schema(
            "reviews",
            "http://127.0.0.1:4002/graphql",
            &reviews.finish(),
        )
        .compose()
        .unwrap()
        .into_sdl()
}

/// The lines of the definition that starts with `head` up to its opening brace.
fn type_head(sdl: &str, head: &str) -> String {
    let start = sdl
        .find(&format!("{head}\n"))
        .unwrap_or_else(|| panic!("no `{head}` in\n{sdl}"));
    let end = start + sdl[start..].find('{').unwrap();
    sdl[start..end].to_owned()
}

fn router(sdl: &str) -> Router {
    let (accounts, reviews) = schemas();
    Router::builder(sdl)
        .subgraph("accounts", InProcess::new(Subgraph::new(accounts)))
        .subgraph("reviews", InProcess::new(Subgraph::new(reviews)))
        .build()
        .unwrap()
}

#[test]
fn root_types_carry_a_join_type_for_each_contributing_graph() {
    let sdl = supergraph_sdl();
    let expected = "  @join__type(graph: ACCOUNTS)\n  @join__type(graph: REVIEWS)\n";
    assert_eq!(
        type_head(&sdl, "type Query"),
        format!("type Query\n{expected}")
    );
    assert_eq!(
        type_head(&sdl, "type Mutation"),
        format!("type Mutation\n{expected}")
    );
    assert!(
        sdl.contains("topReview: Review! @join__field(graph: REVIEWS)"),
        "{sdl}"
    );
    assert!(
        sdl.contains("users: [User!]! @join__field(graph: ACCOUNTS)"),
        "{sdl}"
    );
}

/// The supergraph as graphql-composition renders it, without this crate's repairs.
fn raw_library_sdl() -> String {
    let (accounts, reviews) = schemas();
    let mut subgraphs = graphql_composition::Subgraphs::default();
    let accounts_sdl = stack_graphql::federation_sdl(&accounts.finish());
    let reviews_sdl = stack_graphql::federation_sdl(&reviews.finish());
    subgraphs
        .ingest_str(&accounts_sdl, "accounts", None)
        .unwrap();
    subgraphs.ingest_str(&reviews_sdl, "reviews", None).unwrap();
    let graph = graphql_composition::compose(&mut subgraphs)
        .into_result()
        .unwrap();
    graphql_composition::render_federated_sdl(&graph).unwrap()
}

#[tokio::test]
async fn the_library_alone_leaves_root_types_without_join_type() {
    // The gap the repair step closes; when this fails, graphql-composition fixed it upstream
    // and the repair can go.
    let raw = raw_library_sdl();
    assert_eq!(type_head(&raw, "type Query"), "type Query\n");
    let (accounts, reviews) = schemas();
    let router = Router::builder(raw.as_str())
        .subgraph("accounts", InProcess::new(Subgraph::new(accounts)))
        .subgraph("reviews", InProcess::new(Subgraph::new(reviews)))
        .build()
        .unwrap();
    let query = "{ users { name } }";
    let reply = body(&router.call(post(&json!({ "query": query }))).await);
    assert_eq!(reply["data"], json!(null), "{reply}");
    assert_eq!(
        reply["errors"][0]["extensions"]["code"],
        "QUERY_PLANNING_FAILED"
    );
}

#[tokio::test]
async fn a_query_spanning_both_subgraphs_runs_through_the_router() {
    let router = router(&supergraph_sdl());
    let query = "{ users { name reviews { body } } topReview { body } }";
    let reply = body(&router.call(post(&json!({ "query": query }))).await);
    assert_eq!(
        reply,
        json!({ "data": {
            "users": [
                { "name": "user 1", "reviews": [{ "body": "review by 1" }] },
                { "name": "user 2", "reviews": [{ "body": "review by 2" }] },
            ],
            "topReview": { "body": "the best" },
        } })
    );
}

#[tokio::test]
async fn mutations_from_both_subgraphs_run_through_the_router() {
    let router = router(&supergraph_sdl());
    let query = r#"mutation { rename(id: "7", name: "Ada") { name reviews { body } }
        addReview(body: "fine") { body } }"#;
    let reply = body(&router.call(post(&json!({ "query": query }))).await);
    assert_eq!(
        reply,
        json!({ "data": {
            "rename": { "name": "Ada", "reviews": [{ "body": "review by 7" }] },
            "addReview": { "body": "fine" },
        } })
    );
}
