//! Two subgraphs with entities extended across them, an interface taken up as an interface
//! object, a union, an enum merged from both, an `@inaccessible` field and a key that is not
//! resolvable: the composed supergraph carries the join directives for each, and the router
//! plans and runs a query over all of them.

#![cfg(all(feature = "compose", feature = "router"))]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod router_support;

use std::sync::Arc;

use serde_json::json;
use stack_core::http::HttpService as _;
use stack_graphql::compose::{Composer, Supergraph};
use stack_graphql::router::{InProcess, Router};

use router_support::oracle;

const CATALOG: &str = r#"
extend schema
  @link(url: "https://specs.apollo.dev/federation/v2.5",
        import: ["@key", "@inaccessible"])

type Query {
  products: [Product!]!
  search(term: String!): [SearchResult!]!
}

interface Product @key(fields: "upc") {
  upc: ID!
  name: String!
}

type Book implements Product @key(fields: "upc") {
  upc: ID!
  name: String!
  pages: Int!
}

type Film implements Product @key(fields: "upc") {
  upc: ID!
  name: String!
  minutes: Int!
  cost: Int @inaccessible
}

union SearchResult = Book | Film

enum Format {
  PAPER
  DIGITAL
}

type Shelf {
  format: Format!
  warehouse: Warehouse
}

type Warehouse @key(fields: "id", resolvable: false) {
  id: ID!
}
"#;

const STOCK: &str = r#"
extend schema
  @link(url: "https://specs.apollo.dev/federation/v2.5",
        import: ["@key", "@interfaceObject"])

type Query {
  formats: [Format!]!
}

type Product @key(fields: "upc") @interfaceObject {
  upc: ID!
  inStock: Boolean!
}

enum Format {
  PAPER
  DIGITAL
}

type Warehouse @key(fields: "id") {
  id: ID!
  city: String!
}
"#;

fn composed() -> Supergraph {
    Composer::new()
        .subgraph("catalog", "http://127.0.0.1:4001/graphql", CATALOG)
        .subgraph("stock", "http://127.0.0.1:4002/graphql", STOCK)
        .compose()
        .unwrap()
}

#[test]
fn the_supergraph_carries_the_join_directives_of_every_kind_of_type() {
    let supergraph = composed();
    let sdl = supergraph.sdl();
    for expected in [
        r#"CATALOG @join__graph(name: "catalog", url: "http://127.0.0.1:4001/graphql")"#,
        r#"STOCK @join__graph(name: "stock", url: "http://127.0.0.1:4002/graphql")"#,
        r#"@join__implements(graph: CATALOG, interface: "Product")"#,
        r#"@join__type(graph: STOCK, key: "upc", isInterfaceObject: true)"#,
        r#"@join__unionMember(graph: CATALOG, member: "Film")"#,
        "PAPER @join__enumValue(graph: CATALOG) @join__enumValue(graph: STOCK)",
        r#"@join__type(graph: CATALOG, key: "id", resolvable: false)"#,
        "inStock: Boolean! @join__field(graph: STOCK)",
        "cost: Int @inaccessible",
        r#"@link(url: "https://specs.apollo.dev/join/v0.3", for: EXECUTION)"#,
        "directive @inaccessible on",
    ] {
        assert!(sdl.contains(expected), "no `{expected}` in\n{sdl}");
    }
    assert!(
        supergraph.warnings().is_empty(),
        "{:?}",
        supergraph.warnings()
    );
}

#[tokio::test]
async fn the_router_runs_a_query_over_interfaces_unions_and_enums() {
    let supergraph = composed();
    let expected: router_support::Expected = Arc::default();
    let router = Router::builder(supergraph.sdl())
        .subgraph(
            "catalog",
            InProcess::new(router_support::oracle_service(CATALOG, expected.clone())),
        )
        .subgraph(
            "stock",
            InProcess::new(router_support::oracle_service(STOCK, expected.clone())),
        )
        .build()
        .unwrap();
    let query = r#"{
        products { upc name inStock ... on Book { pages } }
        search(term: "f") { ... on Film { name minutes } }
        formats
    }"#;
    let data = json!({
        "products": [
            { "upc": "b1", "name": "Dune", "inStock": true, "pages": 412 },
            { "upc": "f1", "name": "Alien", "inStock": false },
        ],
        "search": [{ "name": "Alien", "minutes": 117 }],
        "formats": ["PAPER", "DIGITAL"],
    });
    let types = oracle::SubgraphTypes::from_sdl(supergraph.sdl());
    let mut typenames = oracle::typenames(&types, query, &data);
    // Which object each abstract position holds: the oracle cannot tell from data alone.
    typenames.insert("products.0".to_owned(), "Book".to_owned());
    typenames.insert("products.1".to_owned(), "Film".to_owned());
    typenames.insert("search.0".to_owned(), "Film".to_owned());
    *expected.lock().unwrap() = (data.clone(), typenames);
    let reply = router_support::body(
        &router
            .call(router_support::post(&json!({ "query": query })))
            .await,
    );
    assert_eq!(reply, json!({ "data": data }));
}

#[tokio::test]
async fn inaccessible_fields_are_not_queryable_through_the_router() {
    let supergraph = composed();
    let expected: router_support::Expected = Arc::default();
    let router = Router::builder(supergraph.sdl())
        .subgraph(
            "catalog",
            InProcess::new(router_support::oracle_service(CATALOG, expected.clone())),
        )
        .subgraph(
            "stock",
            InProcess::new(router_support::oracle_service(STOCK, expected.clone())),
        )
        .build()
        .unwrap();
    let query = "{ search(term: \"f\") { ... on Film { cost } } }";
    let reply = router_support::body(
        &router
            .call(router_support::post(&json!({ "query": query })))
            .await,
    );
    assert!(
        reply["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("cost"),
        "{reply}"
    );
}
