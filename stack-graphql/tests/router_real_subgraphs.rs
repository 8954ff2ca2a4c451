//! The router in front of real subgraphs: two async-graphql schemas served by this crate's
//! `Subgraph` handler, reached in process, with the caller's identity reaching the resolvers.

#![cfg(feature = "router")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod router_support;

use async_graphql::{Context, EmptyMutation, EmptySubscription, ID, Object, Schema, SimpleObject};
use serde_json::json;
use stack_core::Mode;
use stack_core::http::{EdgeContext, EventSource, HttpService as _, Request};
use stack_graphql::router::{InProcess, Router};
use stack_graphql::{Subgraph, optional_caller};

use router_support::{TINY, body, post};

#[derive(SimpleObject)]
#[graphql(name = "User")]
struct Account {
    id: ID,
    name: String,
}

struct AccountsQuery;

#[Object(name = "Query")]
impl AccountsQuery {
    async fn me(&self, ctx: &Context<'_>) -> Option<Account> {
        let caller = optional_caller(ctx)?;
        Some(Account {
            id: ID(caller.subject.clone()),
            name: format!("{} (signed in)", caller.subject),
        })
    }

    async fn users(&self) -> Vec<Account> {
        ["1", "2"].map(account).into()
    }

    #[graphql(entity)]
    async fn find_user_by_id(&self, id: ID) -> Account {
        account(&id)
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
    stars: Option<i32>,
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
            stars: Some(4),
        }]
    }
}

struct ReviewsQuery;

#[Object(name = "Query")]
impl ReviewsQuery {
    #[graphql(entity)]
    async fn find_user_by_id(&self, id: ID) -> ReviewedUser {
        ReviewedUser { id }
    }
}

fn router() -> Router {
    let accounts = Schema::build(AccountsQuery, EmptyMutation, EmptySubscription);
    let reviews = Schema::build(ReviewsQuery, EmptyMutation, EmptySubscription);
    Router::builder(TINY)
        .subgraph("accounts", InProcess::new(Subgraph::new(accounts)))
        .subgraph("reviews", InProcess::new(Subgraph::new(reviews)))
        .build()
        .unwrap()
}

fn local(mut request: Request) -> Request {
    request.extensions_mut().insert(EdgeContext {
        mode: Mode::Local,
        source: EventSource::Local,
        request_id: "r-1".to_owned(),
        trace_id: None,
        raw_path: "/graphql".to_owned(),
        stage: None,
        authorizer: None,
    });
    request
}

#[tokio::test]
async fn entities_are_joined_across_real_subgraphs() {
    let request = post(&json!({ "query": "{ users { name reviews { body stars } } }" }));
    let reply = body(&router().call(request).await);
    assert_eq!(
        reply,
        json!({ "data": { "users": [
            { "name": "user 1", "reviews": [{ "body": "review by 1", "stars": 4 }] },
            { "name": "user 2", "reviews": [{ "body": "review by 2", "stars": 4 }] },
        ] } })
    );
}

#[tokio::test]
async fn the_caller_reaches_the_subgraph_resolvers() {
    let mut request = post(&json!({ "query": "{ me { name reviews { body } } }" }));
    request
        .headers_mut()
        .insert("x-stack-user", "alice".parse().unwrap());
    let reply = body(&router().call(local(request)).await);
    assert_eq!(
        reply,
        json!({ "data": { "me": {
            "name": "alice (signed in)",
            "reviews": [{ "body": "review by alice" }],
        } } })
    );
}

#[tokio::test]
async fn without_a_caller_the_field_is_null() {
    let request = post(&json!({ "query": "{ me { name } }" }));
    let reply = body(&router().call(local(request)).await);
    assert_eq!(reply, json!({ "data": { "me": null } }));
}
