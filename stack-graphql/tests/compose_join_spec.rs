//! The composed supergraph follows the join v0.3 specification it links, as federation's own
//! composition prints it: the join directives are defined `repeatable`, with the
//! specification's argument types, and every scalar, union, enum and input type carries one
//! `@join__type(graph:)` per subgraph that defines it. The router still plans and runs queries
//! from it.

#![cfg(all(feature = "compose", feature = "router"))]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod router_support;

use std::collections::BTreeMap;
use std::sync::Arc;

use async_graphql::Value;
use async_graphql::parser::parse_schema;
use async_graphql::parser::types::{TypeKind, TypeSystemDefinition};
use serde_json::json;
use stack_core::http::HttpService as _;
use stack_graphql::compose::{Composer, Supergraph};
use stack_graphql::router::{InProcess, Router};

use router_support::oracle;

/// Orders, with scalars, an enum, an input type and a union that the other subgraph also
/// defines, and a scalar of its own.
const SHOP: &str = r#"
extend schema
  @link(url: "https://specs.apollo.dev/federation/v2.5", import: ["@key"])

scalar Money
scalar Instant
scalar Sku

enum Currency {
  EUR
  USD
}

input Window {
  from: Instant!
  to: Instant
}

union Activity = Order

type Query {
  orders(window: Window): [Order!]!
  activity: [Activity!]!
}

type Order @key(fields: "id") {
  id: ID!
  sku: Sku!
  total: Money!
  currency: Currency!
}
"#;

/// Payments, and what each order was paid.
const PAY: &str = r#"
extend schema
  @link(url: "https://specs.apollo.dev/federation/v2.5", import: ["@key"])

scalar Money
scalar Instant

enum Currency {
  EUR
  USD
}

input Window {
  from: Instant!
  to: Instant
}

union Activity = Payment

type Query {
  payments(window: Window, currency: Currency): [Payment!]!
}

type Payment {
  amount: Money!
  currency: Currency!
}

type Order @key(fields: "id") {
  id: ID!
  paid: Money!
}
"#;

/// The join v0.3 directive definitions, as the specification and federation's composition
/// word them.
const JOIN_V03: [&str; 6] = [
    "directive @join__enumValue(graph: join__Graph!) repeatable on ENUM_VALUE",
    "directive @join__field(graph: join__Graph, requires: join__FieldSet, provides: join__FieldSet, type: String, external: Boolean, override: String, usedOverridden: Boolean) repeatable on FIELD_DEFINITION | INPUT_FIELD_DEFINITION",
    "directive @join__graph(name: String!, url: String!) on ENUM_VALUE",
    "directive @join__implements(graph: join__Graph!, interface: String!) repeatable on OBJECT | INTERFACE",
    "directive @join__type(graph: join__Graph!, key: join__FieldSet, extension: Boolean! = false, resolvable: Boolean! = true, isInterfaceObject: Boolean! = false) repeatable on OBJECT | INTERFACE | UNION | ENUM | INPUT_OBJECT | SCALAR",
    "directive @join__unionMember(graph: join__Graph!, member: String!) repeatable on UNION",
];

fn composed() -> Supergraph {
    let supergraph = Composer::new()
        .subgraph("shop", "http://127.0.0.1:4001/graphql", SHOP)
        .subgraph("pay", "http://127.0.0.1:4002/graphql", PAY)
        .compose()
        .unwrap();
    assert!(
        supergraph.warnings().is_empty(),
        "{:?}",
        supergraph.warnings()
    );
    supergraph
}

/// Every type's `(directive, arguments)` pairs for the join directives named `name`, with the
/// arguments printed as `graph: X, member: "M"`.
fn applied(sdl: &str, name: &str) -> BTreeMap<String, Vec<String>> {
    let document = parse_schema(sdl).unwrap();
    let mut applied = BTreeMap::new();
    for definition in document.definitions {
        let TypeSystemDefinition::Type(definition) = definition else {
            continue;
        };
        let definition = definition.node;
        let arguments: Vec<String> = definition
            .directives
            .iter()
            .filter(|d| d.node.name.node.as_str() == name)
            .map(|d| {
                d.node
                    .arguments
                    .iter()
                    .map(|(key, value)| format!("{}: {}", key.node, value.node))
                    .collect::<Vec<_>>()
                    .join(", ")
            })
            .collect();
        if !arguments.is_empty() {
            applied.insert(definition.name.node.to_string(), arguments);
        }
    }
    applied
}

#[test]
fn join_directives_are_defined_as_the_specification_defines_them() {
    let supergraph = composed();
    let sdl = supergraph.sdl();
    let defined: Vec<&str> = sdl
        .lines()
        .filter(|line| line.starts_with("directive @join__"))
        .collect();
    let mut expected = JOIN_V03.to_vec();
    expected.sort_unstable();
    let mut sorted = defined.clone();
    sorted.sort_unstable();
    assert_eq!(sorted, expected, "{sdl}");
    assert!(!sdl.contains("@join__owner"), "{sdl}");
    assert!(
        sdl.contains(r#"@link(url: "https://specs.apollo.dev/join/v0.3", for: EXECUTION)"#),
        "{sdl}"
    );
}

#[test]
fn scalars_unions_enums_and_inputs_carry_a_join_type_per_defining_subgraph() {
    let supergraph = composed();
    let sdl = supergraph.sdl();
    let join_types = applied(sdl, "join__type");
    let both = vec!["graph: PAY".to_owned(), "graph: SHOP".to_owned()];
    for shared in ["Money", "Instant", "Currency", "Window", "Activity"] {
        assert_eq!(join_types.get(shared), Some(&both), "{shared} in\n{sdl}");
    }
    assert_eq!(
        join_types.get("Sku"),
        Some(&vec!["graph: SHOP".to_owned()]),
        "{sdl}"
    );
    assert_eq!(
        join_types.get("Payment"),
        Some(&vec!["graph: PAY".to_owned()]),
        "{sdl}"
    );
    assert!(!join_types.contains_key("join__FieldSet"), "{sdl}");
    assert!(!join_types.contains_key("link__Import"), "{sdl}");
    assert_eq!(
        applied(sdl, "join__unionMember").get("Activity"),
        Some(&vec![
            r#"graph: PAY, member: "Payment""#.to_owned(),
            r#"graph: SHOP, member: "Order""#.to_owned(),
        ]),
        "{sdl}"
    );
}

#[test]
fn each_join_type_is_written_once() {
    let first = composed().into_sdl();
    let document = parse_schema(&first).unwrap();
    for definition in document.definitions {
        let TypeSystemDefinition::Type(definition) = definition else {
            continue;
        };
        let definition = definition.node;
        let mut graphs: Vec<String> = definition
            .directives
            .iter()
            .filter(|d| d.node.name.node.as_str() == "join__type")
            .filter_map(|d| match d.node.get_argument("graph").map(|g| &g.node) {
                Some(Value::Enum(graph)) => Some(graph.to_string()),
                _ => None,
            })
            .collect();
        let count = graphs.len();
        graphs.dedup();
        assert_eq!(graphs.len(), count, "{}", definition.name.node);
        if let TypeKind::Scalar = definition.kind {
            let name = definition.name.node.as_str();
            assert!(
                count > 0 || name.starts_with("join__") || name.starts_with("link__"),
                "{name} has no @join__type"
            );
        }
    }
    assert_eq!(composed().into_sdl(), first);
}

#[test]
fn a_subgraph_without_url_keeps_the_graph_url_optional() {
    let supergraph = Composer::new()
        .subgraph("shop", "", SHOP)
        .subgraph("pay", "http://127.0.0.1:4002/graphql", PAY)
        .compose()
        .unwrap();
    let sdl = supergraph.sdl();
    assert!(
        sdl.contains("directive @join__graph(name: String!, url: String) on ENUM_VALUE"),
        "{sdl}"
    );
    assert!(sdl.contains(r#"SHOP @join__graph(name: "shop")"#), "{sdl}");
    parse_schema(sdl).unwrap();
}

#[tokio::test]
async fn the_router_runs_a_query_over_the_shared_types() {
    let supergraph = composed();
    let expected: router_support::Expected = Arc::default();
    let router = Router::builder(supergraph.sdl())
        .subgraph(
            "shop",
            InProcess::new(router_support::oracle_service(SHOP, expected.clone())),
        )
        .subgraph(
            "pay",
            InProcess::new(router_support::oracle_service(PAY, expected.clone())),
        )
        .build()
        .unwrap();
    let query = r#"query($window: Window) {
        orders(window: $window) { id sku total currency paid }
        payments(window: $window, currency: EUR) { amount currency }
        activity { ... on Order { id } }
    }"#;
    let data = json!({
        "orders": [{ "id": "o1", "sku": "A-1", "total": "12.50", "currency": "EUR", "paid": "12.50" }],
        "payments": [{ "amount": "12.50", "currency": "EUR" }],
        "activity": [{ "id": "o1" }],
    });
    let types = oracle::SubgraphTypes::from_sdl(supergraph.sdl());
    let mut typenames = oracle::typenames(&types, query, &data);
    typenames.insert("activity.0".to_owned(), "Order".to_owned());
    *expected.lock().unwrap() = (data.clone(), typenames);
    let request = json!({ "query": query, "variables": { "window": { "from": "2026-01-01" } } });
    let reply = router_support::body(&router.call(router_support::post(&request)).await);
    assert_eq!(reply, json!({ "data": data }));
}
