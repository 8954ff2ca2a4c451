//! Introspection through the router: answered from the public schema (no `@inaccessible`
//! parts, no federation machinery), mixed with planned fields, and under the same policy as
//! a subgraph's.

#![cfg(feature = "router")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod router_support;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use http::StatusCode;
use serde_json::{Value, json};
use stack_core::Mode;
use stack_core::http::{EdgeContext, EventSource, HttpService as _, Request};
use stack_graphql::router::{InProcess, Router, RouterOptions};
use stack_graphql::{Availability, Limits};

use router_support::{body, json_reply, post};

/// One subgraph, `products`, with every kind of type, descriptions, deprecations, defaults,
/// a custom scalar with a specification URL, and elements hidden with `@inaccessible`.
const CATALOG: &str = r#"
schema
  @link(url: "https://specs.apollo.dev/link/v1.0")
  @link(url: "https://specs.apollo.dev/join/v0.3", for: EXECUTION)
  @link(url: "https://specs.apollo.dev/inaccessible/v0.2", for: SECURITY)
{
  query: Query
  mutation: Mutation
}

directive @inaccessible on FIELD_DEFINITION | OBJECT | INTERFACE | UNION | ARGUMENT_DEFINITION | SCALAR | ENUM | ENUM_VALUE | INPUT_OBJECT | INPUT_FIELD_DEFINITION

directive @join__enumValue(graph: join__Graph!) repeatable on ENUM_VALUE

directive @join__field(graph: join__Graph, requires: join__FieldSet, provides: join__FieldSet, type: String, external: Boolean, override: String, usedOverridden: Boolean) repeatable on FIELD_DEFINITION | INPUT_FIELD_DEFINITION

directive @join__graph(name: String!, url: String!) on ENUM_VALUE

directive @join__implements(graph: join__Graph!, interface: String!) repeatable on OBJECT | INTERFACE

directive @join__type(graph: join__Graph!, key: join__FieldSet, extension: Boolean! = false, resolvable: Boolean! = true, isInterfaceObject: Boolean! = false) repeatable on OBJECT | INTERFACE | UNION | ENUM | INPUT_OBJECT | SCALAR

directive @join__unionMember(graph: join__Graph!, member: String!) repeatable on UNION

directive @link(url: String, as: String, for: link__Purpose, import: [link__Import]) repeatable on SCHEMA

scalar join__FieldSet

enum join__Graph {
  PRODUCTS @join__graph(name: "products", url: "http://127.0.0.1:4001/graphql")
}

scalar link__Import

enum link__Purpose {
  SECURITY
  EXECUTION
}

"An instant, as RFC 3339 text."
scalar DateTime
  @join__type(graph: PRODUCTS)
  @specifiedBy(url: "https://scalars.graphql.org/andimarek/date-time")

"Something with an id."
interface Node @join__type(graph: PRODUCTS) {
  id: ID!
}

"A thing for sale."
type Product implements Node
  @join__type(graph: PRODUCTS, key: "id")
  @join__implements(graph: PRODUCTS, interface: "Node")
{
  id: ID!
  "The name shown to buyers."
  name: String!
  price(
    currency: Currency = EUR
    "Rounds to whole units."
    rounded: Boolean = false @deprecated(reason: "prices are always rounded")
  ): Float
  legacyCode: String @deprecated(reason: "use `id`")
  oldName: String @deprecated
  internalCost: Float @inaccessible
  createdAt: DateTime
  tags(first: Int = 10): [String!]!
}

type Review implements Node
  @join__type(graph: PRODUCTS, key: "id")
  @join__implements(graph: PRODUCTS, interface: "Node")
{
  id: ID!
  body: String!
}

type Secret @join__type(graph: PRODUCTS) @inaccessible {
  id: ID!
}

union SearchResult
  @join__type(graph: PRODUCTS)
  @join__unionMember(graph: PRODUCTS, member: "Product")
  @join__unionMember(graph: PRODUCTS, member: "Review")
 = Product | Review

"Money we take."
enum Currency @join__type(graph: PRODUCTS) {
  "Euro."
  EUR
  USD @deprecated(reason: "no longer sold in dollars")
  GBP @inaccessible
}

input PriceRange @join__type(graph: PRODUCTS) {
  min: Int = 0
  max: Int!
}

"What to look for."
input ProductFilter @join__type(graph: PRODUCTS) {
  "Words in the name."
  text: String = "a \"quoted\" word"
  currency: Currency = EUR
  range: PriceRange = {max: 100, min: 1}
  tags: [String!] = ["new", "sale"]
  secretFlag: Boolean @inaccessible
}

directive @oneOf on INPUT_OBJECT

input Lookup @join__type(graph: PRODUCTS) @oneOf {
  id: ID
  name: String
}

type Query @join__type(graph: PRODUCTS) {
  product(id: ID!): Product
  find(by: Lookup!): Product
  products(filter: ProductFilter, first: Int = 20): [Product!]!
  search(text: String!): [SearchResult!]!
  node(id: ID!): Node
  secret: Secret @inaccessible
}

type Mutation @join__type(graph: PRODUCTS) {
  rename(id: ID!, name: String!): Product
}
"#;

/// The query graphql-js `getIntrospectionQuery` writes with every option on (descriptions,
/// `specifiedByURL`, `isRepeatable`, schema description, deprecated input values), as
/// GraphiQL sends it.
const STANDARD_QUERY: &str = r"
query IntrospectionQuery {
  __schema {
    description
    queryType { name }
    mutationType { name }
    subscriptionType { name }
    types { ...FullType }
    directives {
      name
      description
      isRepeatable
      locations
      args(includeDeprecated: true) { ...InputValue }
    }
  }
}

fragment FullType on __Type {
  kind
  name
  description
  specifiedByURL
  fields(includeDeprecated: true) {
    name
    description
    args(includeDeprecated: true) { ...InputValue }
    type { ...TypeRef }
    isDeprecated
    deprecationReason
  }
  inputFields(includeDeprecated: true) { ...InputValue }
  interfaces { ...TypeRef }
  enumValues(includeDeprecated: true) {
    name
    description
    isDeprecated
    deprecationReason
  }
  possibleTypes { ...TypeRef }
}

fragment InputValue on __InputValue {
  name
  description
  type { ...TypeRef }
  defaultValue
  isDeprecated
  deprecationReason
}

fragment TypeRef on __Type {
  kind
  name
  ofType {
    kind
    name
    ofType {
      kind
      name
      ofType {
        kind
        name
        ofType {
          kind
          name
          ofType {
            kind
            name
            ofType {
              kind
              name
              ofType {
                kind
                name
              }
            }
          }
        }
      }
    }
  }
}
";

/// Bodies of the requests the `products` subgraph received.
type Received = Arc<Mutex<Vec<Value>>>;

fn router_with(options: RouterOptions) -> (Router, Received) {
    let received: Received = Arc::default();
    let log = received.clone();
    let products = move |request: Request| {
        let body: Value = serde_json::from_slice(request.body()).unwrap();
        log.lock().unwrap().push(body);
        std::future::ready(json_reply(&json!({ "data": {
            "product": { "id": "p1", "name": "Lamp" },
        } })))
    };
    let router = Router::builder(CATALOG)
        .options(options)
        .subgraph("products", InProcess::new(products))
        .build()
        .unwrap();
    (router, received)
}

fn router() -> (Router, Received) {
    router_with(RouterOptions::default())
}

fn through(mode: Mode, mut request: Request) -> Request {
    request.extensions_mut().insert(EdgeContext {
        mode,
        source: EventSource::Local,
        request_id: "r-1".to_owned(),
        trace_id: None,
        raw_path: "/graphql".to_owned(),
        stage: None,
        authorizer: None,
    });
    request
}

async fn ask(router: &Router, body: &Value) -> Value {
    let reply = router.call(through(Mode::Local, post(body))).await;
    assert_eq!(reply.status(), StatusCode::OK, "{body}");
    router_support::body(&reply)
}

async fn query(router: &Router, query: &str) -> Value {
    ask(router, &json!({ "query": query })).await
}

/// The types of an introspection result, by name.
fn types_by_name(schema: &Value) -> HashMap<String, Value> {
    schema["types"]
        .as_array()
        .unwrap()
        .iter()
        .map(|ty| (ty["name"].as_str().unwrap().to_owned(), ty.clone()))
        .collect()
}

/// `{kind, name, ofType}` as SDL: `[String!]!`.
fn type_text(ty: &Value) -> String {
    match ty["kind"].as_str().unwrap() {
        "NON_NULL" => format!("{}!", type_text(&ty["ofType"])),
        "LIST" => format!("[{}]", type_text(&ty["ofType"])),
        _ => ty["name"].as_str().unwrap().to_owned(),
    }
}

fn names(list: &Value) -> Vec<&str> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|item| item["name"].as_str().unwrap())
        .collect()
}

fn find<'v>(list: &'v Value, name: &str) -> &'v Value {
    list.as_array()
        .unwrap()
        .iter()
        .find(|item| item["name"] == name)
        .unwrap_or_else(|| panic!("no `{name}` in {list}"))
}

#[tokio::test]
async fn the_standard_query_describes_the_public_schema() {
    let (router, received) = router();
    let reply = query(&router, STANDARD_QUERY).await;
    assert!(reply.get("errors").is_none(), "{reply}");
    let schema = &reply["data"]["__schema"];
    assert_eq!(schema["queryType"], json!({ "name": "Query" }));
    assert_eq!(schema["mutationType"], json!({ "name": "Mutation" }));
    assert_eq!(schema["subscriptionType"], Value::Null);
    assert_eq!(schema["description"], Value::Null);

    let types = types_by_name(schema);
    for present in [
        "Query",
        "Mutation",
        "Product",
        "Review",
        "Node",
        "SearchResult",
        "Currency",
        "ProductFilter",
        "PriceRange",
        "DateTime",
        "String",
        "Boolean",
        "Int",
        "Float",
        "ID",
        "__Schema",
        "__Type",
        "__TypeKind",
        "__Field",
        "__InputValue",
        "__EnumValue",
        "__Directive",
        "__DirectiveLocation",
    ] {
        assert!(types.contains_key(present), "{present} is missing");
    }
    assert!(
        !types.contains_key("Secret"),
        "an @inaccessible type is shown"
    );
    let machinery: Vec<&String> = types
        .keys()
        .filter(|name| name.starts_with("join__") || name.starts_with("link__"))
        .collect();
    assert!(machinery.is_empty(), "{machinery:?}");
    assert!(received.lock().unwrap().is_empty(), "a subgraph was asked");
}

#[tokio::test]
async fn objects_list_their_public_fields_arguments_and_interfaces() {
    let (router, _) = router();
    let reply = query(&router, STANDARD_QUERY).await;
    let types = types_by_name(&reply["data"]["__schema"]);

    let query_type = &types["Query"];
    assert_eq!(query_type["kind"], "OBJECT");
    assert_eq!(
        names(&query_type["fields"]),
        ["product", "find", "products", "search", "node"]
    );
    let products = find(&query_type["fields"], "products");
    assert_eq!(type_text(&products["type"]), "[Product!]!");
    let first = find(&products["args"], "first");
    assert_eq!(type_text(&first["type"]), "Int");
    assert_eq!(first["defaultValue"], "20");

    let product = &types["Product"];
    assert_eq!(product["description"], "A thing for sale.");
    assert_eq!(names(&product["interfaces"]), ["Node"]);
    assert_eq!(product["possibleTypes"], Value::Null);
    assert_eq!(product["inputFields"], Value::Null);
    assert_eq!(product["enumValues"], Value::Null);
    assert_eq!(
        names(&product["fields"]),
        [
            "id",
            "name",
            "price",
            "legacyCode",
            "oldName",
            "createdAt",
            "tags"
        ]
    );
    let name = find(&product["fields"], "name");
    assert_eq!(name["description"], "The name shown to buyers.");
    assert_eq!(type_text(&name["type"]), "String!");
    assert_eq!(name["isDeprecated"], false);
    assert_eq!(name["deprecationReason"], Value::Null);
    let legacy = find(&product["fields"], "legacyCode");
    assert_eq!(legacy["isDeprecated"], true);
    assert_eq!(legacy["deprecationReason"], "use `id`");
    let old = find(&product["fields"], "oldName");
    assert_eq!(old["deprecationReason"], "No longer supported");

    let price = find(&product["fields"], "price");
    assert_eq!(names(&price["args"]), ["currency", "rounded"]);
    assert_eq!(find(&price["args"], "currency")["defaultValue"], "EUR");
    let rounded = find(&price["args"], "rounded");
    assert_eq!(rounded["defaultValue"], "false");
    assert_eq!(rounded["description"], "Rounds to whole units.");
    assert_eq!(rounded["isDeprecated"], true);
    assert_eq!(rounded["deprecationReason"], "prices are always rounded");
    let tags = find(&product["fields"], "tags");
    assert_eq!(type_text(&tags["type"]), "[String!]!");
}

#[tokio::test]
async fn abstract_types_list_their_possible_types() {
    let (router, _) = router();
    let reply = query(&router, STANDARD_QUERY).await;
    let types = types_by_name(&reply["data"]["__schema"]);

    let node = &types["Node"];
    assert_eq!(node["kind"], "INTERFACE");
    assert_eq!(names(&node["possibleTypes"]), ["Product", "Review"]);
    assert_eq!(names(&node["interfaces"]), Vec::<&str>::new());
    assert_eq!(names(&node["fields"]), ["id"]);

    let union = &types["SearchResult"];
    assert_eq!(union["kind"], "UNION");
    assert_eq!(names(&union["possibleTypes"]), ["Product", "Review"]);
    assert_eq!(union["fields"], Value::Null);
    assert_eq!(union["interfaces"], Value::Null);
}

#[tokio::test]
async fn enums_inputs_and_scalars_are_described() {
    let (router, _) = router();
    let reply = query(&router, STANDARD_QUERY).await;
    let types = types_by_name(&reply["data"]["__schema"]);

    let currency = &types["Currency"];
    assert_eq!(currency["kind"], "ENUM");
    assert_eq!(currency["description"], "Money we take.");
    assert_eq!(names(&currency["enumValues"]), ["EUR", "USD"]);
    assert_eq!(find(&currency["enumValues"], "EUR")["description"], "Euro.");
    let usd = find(&currency["enumValues"], "USD");
    assert_eq!(usd["isDeprecated"], true);
    assert_eq!(usd["deprecationReason"], "no longer sold in dollars");

    let filter = &types["ProductFilter"];
    assert_eq!(filter["kind"], "INPUT_OBJECT");
    assert_eq!(filter["fields"], Value::Null);
    assert_eq!(
        names(&filter["inputFields"]),
        ["text", "currency", "range", "tags"]
    );
    let fields = &filter["inputFields"];
    assert_eq!(find(fields, "text")["description"], "Words in the name.");
    assert_eq!(
        find(fields, "text")["defaultValue"],
        r#""a \"quoted\" word""#
    );
    assert_eq!(find(fields, "range")["defaultValue"], "{max: 100, min: 1}");
    assert_eq!(find(fields, "tags")["defaultValue"], r#"["new", "sale"]"#);
    assert_eq!(type_text(&find(fields, "tags")["type"]), "[String!]");

    let date = &types["DateTime"];
    assert_eq!(date["kind"], "SCALAR");
    assert_eq!(date["description"], "An instant, as RFC 3339 text.");
    assert_eq!(
        date["specifiedByURL"],
        "https://scalars.graphql.org/andimarek/date-time"
    );
    assert_eq!(types["String"]["specifiedByURL"], Value::Null);
}

#[tokio::test]
async fn the_directives_are_the_built_in_ones() {
    let (router, _) = router();
    let reply = query(&router, STANDARD_QUERY).await;
    let directives = &reply["data"]["__schema"]["directives"];
    assert_eq!(
        names(directives),
        ["skip", "include", "deprecated", "specifiedBy"]
    );
    let skip = find(directives, "skip");
    assert_eq!(
        skip["locations"],
        json!(["FIELD", "FRAGMENT_SPREAD", "INLINE_FRAGMENT"])
    );
    assert_eq!(skip["isRepeatable"], false);
    assert_eq!(type_text(&find(&skip["args"], "if")["type"]), "Boolean!");
    assert!(skip["description"].is_string());
    let deprecated = find(directives, "deprecated");
    assert_eq!(
        find(&deprecated["args"], "reason")["defaultValue"],
        r#""No longer supported""#
    );
    assert!(
        deprecated["locations"]
            .as_array()
            .unwrap()
            .contains(&json!("ARGUMENT_DEFINITION"))
    );
}

#[tokio::test]
async fn the_standard_query_fits_the_default_limits() {
    let options = RouterOptions::default();
    assert_eq!(options.limits, Limits::default());
    let (router, _) = router_with(options);
    let reply = query(&router, STANDARD_QUERY).await;
    assert!(reply.get("errors").is_none(), "{reply}");
    // The query is 13 fields deep: a lower limit refuses it, so the limits do apply.
    let mut strict = RouterOptions::default();
    strict.limits = Limits::default().max_depth(12);
    let (strict, _) = router_with(strict);
    let reply = refused(&strict, STANDARD_QUERY).await;
    assert_eq!(
        reply["errors"][0]["extensions"]["code"],
        "OPERATION_LIMIT_EXCEEDED"
    );
}

#[tokio::test]
async fn type_by_name_answers_each_kind_and_null_for_unknown_or_hidden_types() {
    let (router, _) = router();
    let reply = query(
        &router,
        r#"{
          object: __type(name: "Review") { kind name fields { name } interfaces { name } }
          enumeration: __type(name: "Currency") { kind enumValues { name } }
          input: __type(name: "PriceRange") {
            kind inputFields { name defaultValue type { kind ofType { name } } }
          }
          missing: __type(name: "Nope") { name }
          hidden: __type(name: "Secret") { name }
          machinery: __type(name: "join__Graph") { name }
        }"#,
    )
    .await;
    assert_eq!(
        reply,
        json!({ "data": {
            "object": {
                "kind": "OBJECT", "name": "Review",
                "fields": [{ "name": "id" }, { "name": "body" }],
                "interfaces": [{ "name": "Node" }],
            },
            "enumeration": { "kind": "ENUM", "enumValues": [{ "name": "EUR" }] },
            "input": { "kind": "INPUT_OBJECT", "inputFields": [
                { "name": "min", "defaultValue": "0", "type": { "kind": "SCALAR", "ofType": null } },
                { "name": "max", "defaultValue": null,
                  "type": { "kind": "NON_NULL", "ofType": { "name": "Int" } } },
            ] },
            "missing": null,
            "hidden": null,
            "machinery": null,
        } })
    );
}

#[tokio::test]
async fn one_of_inputs_are_told_apart() {
    let (router, _) = router();
    let reply = query(
        &router,
        r#"{
          lookup: __type(name: "Lookup") { isOneOf }
          filter: __type(name: "ProductFilter") { isOneOf }
          product: __type(name: "Product") { isOneOf }
        }"#,
    )
    .await;
    assert_eq!(
        reply,
        json!({ "data": {
            "lookup": { "isOneOf": true },
            "filter": { "isOneOf": false },
            "product": { "isOneOf": null },
        } })
    );
}

#[tokio::test]
async fn deprecated_elements_are_left_out_unless_asked_for() {
    let (router, _) = router();
    let reply = query(
        &router,
        r#"{ __type(name: "Product") {
            fields { name }
            all: fields(includeDeprecated: true) { name }
            price: fields { name args { name } }
        } }"#,
    )
    .await;
    let ty = &reply["data"]["__type"];
    assert_eq!(
        names(&ty["fields"]),
        ["id", "name", "price", "createdAt", "tags"]
    );
    assert_eq!(names(&ty["all"]).len(), 7);
    assert_eq!(names(&find(&ty["price"], "price")["args"]), ["currency"]);
}

#[tokio::test]
async fn arguments_and_conditions_take_variables() {
    let (router, _) = router();
    let body = json!({
        "query": r#"query($name: String!, $all: Boolean = false, $brief: Boolean!) {
            __type(name: $name) {
                name
                enumValues(includeDeprecated: $all) { name }
                description @skip(if: $brief)
                kind @include(if: $brief)
            }
        }"#,
        "variables": { "name": "Currency", "all": true, "brief": true },
    });
    let reply = ask(&router, &body).await;
    assert_eq!(
        reply,
        json!({ "data": { "__type": {
            "name": "Currency",
            "enumValues": [{ "name": "EUR" }, { "name": "USD" }],
            "kind": "ENUM",
        } } })
    );
}

#[tokio::test]
async fn aliases_fragments_and_typename_work_inside_introspection() {
    let (router, _) = router();
    let reply = query(
        &router,
        r#"
        query {
          ...Root
          __schema { q: queryType { ... on __Type { kind } __typename } __typename }
        }
        fragment Root on Query {
          t: __type(name: "Node") { ...Named possible: possibleTypes { ...Named } }
        }
        fragment Named on __Type { name __typename }
        "#,
    )
    .await;
    assert_eq!(
        reply,
        json!({ "data": {
            "t": {
                "name": "Node", "__typename": "__Type",
                "possible": [
                    { "name": "Product", "__typename": "__Type" },
                    { "name": "Review", "__typename": "__Type" },
                ],
            },
            "__schema": { "q": { "kind": "OBJECT", "__typename": "__Type" }, "__typename": "__Schema" },
        } })
    );
}

#[tokio::test]
async fn fields_under_one_response_key_are_merged() {
    let (router, _) = router();
    let reply = query(
        &router,
        r#"{
          t: __type(name: "Review") { name }
          t: __type(name: "Review") { kind fields { name } }
          t: __type(name: "Review") { fields { type { name } } }
        }"#,
    )
    .await;
    assert_eq!(
        reply,
        json!({ "data": { "t": {
            "name": "Review", "kind": "OBJECT",
            "fields": [
                { "name": "id", "type": { "name": null } },
                { "name": "body", "type": { "name": null } },
            ],
        } } })
    );
}

#[tokio::test]
async fn introspection_mixes_with_fields_from_subgraphs() {
    let (router, received) = router();
    let reply = query(
        &router,
        r#"{
          __typename
          product(id: "p1") { id name }
          kind: __type(name: "Product") { kind }
          __schema { queryType { name } }
        }"#,
    )
    .await;
    assert_eq!(
        reply,
        json!({ "data": {
            "__typename": "Query",
            "product": { "id": "p1", "name": "Lamp" },
            "kind": { "kind": "OBJECT" },
            "__schema": { "queryType": { "name": "Query" } },
        } })
    );
    let received = received.lock().unwrap();
    assert_eq!(received.len(), 1);
    let sent = received[0]["query"].as_str().unwrap();
    assert!(
        !sent.contains("__schema") && !sent.contains("__type("),
        "{sent}"
    );
}

#[tokio::test]
async fn skipped_introspection_is_left_out() {
    let (router, _) = router();
    let body = json!({
        "query": "query($hide: Boolean!) { __schema @skip(if: $hide) { queryType { name } } __typename }",
        "variables": { "hide": true },
    });
    assert_eq!(
        ask(&router, &body).await,
        json!({ "data": { "__typename": "Query" } })
    );
}

#[tokio::test]
async fn introspection_is_refused_through_lambda_by_default() {
    let (router, received) = router();
    for request in [
        through(
            Mode::Lambda,
            post(&json!({ "query": "{ __schema { queryType { name } } }" })),
        ),
        post(&json!({ "query": r#"{ __type(name: "Product") { name } }"# })),
        through(
            Mode::Lambda,
            post(
                &json!({ "query": "{ ...F } fragment F on Query { __schema { types { name } } }" }),
            ),
        ),
    ] {
        let reply = router.call(request).await;
        assert_eq!(reply.status(), StatusCode::BAD_REQUEST);
        let reply = body(&reply);
        assert!(reply.get("data").is_none(), "{reply}");
        assert_eq!(
            reply["errors"][0]["extensions"]["code"],
            "GRAPHQL_VALIDATION_FAILED"
        );
        let message = reply["errors"][0]["message"].as_str().unwrap();
        assert!(message.contains("introspection is disabled"), "{message}");
    }
    assert!(received.lock().unwrap().is_empty());
    let typename = through(Mode::Lambda, post(&json!({ "query": "{ __typename }" })));
    assert_eq!(
        body(&router.call(typename).await),
        json!({ "data": { "__typename": "Query" } })
    );
}

#[tokio::test]
async fn the_policy_can_be_set() {
    let (open, _) = router_with(RouterOptions::default().introspection(Availability::Always));
    let request = through(
        Mode::Lambda,
        post(&json!({ "query": "{ __schema { queryType { name } } }" })),
    );
    assert_eq!(
        body(&open.call(request).await),
        json!({ "data": { "__schema": { "queryType": { "name": "Query" } } } })
    );
    let (closed, _) = router_with(RouterOptions::default().introspection(Availability::Never));
    let reply = refused(&closed, "{ __schema { queryType { name } } }").await;
    assert_eq!(
        reply["errors"][0]["extensions"]["code"],
        "GRAPHQL_VALIDATION_FAILED"
    );
}

async fn refused(router: &Router, query: &str) -> Value {
    let reply = router
        .call(through(Mode::Local, post(&json!({ "query": query }))))
        .await;
    assert_eq!(reply.status(), StatusCode::BAD_REQUEST, "{query}");
    body(&reply)
}

#[tokio::test]
async fn invalid_introspection_is_a_validation_error() {
    let (router, _) = router();
    for bad in [
        "{ __schema { nope } }",
        "{ __type { name } }",
        "mutation { __schema { queryType { name } } }",
        r#"{ __type(name: "Product") { fields { type } } }"#,
        r#"{ product(id: "p1") { __schema { queryType { name } } } }"#,
        "{ __nope }",
        "{ __schema { queryType { __nope } } }",
    ] {
        let reply = refused(&router, bad).await;
        assert_eq!(
            reply["errors"][0]["extensions"]["code"], "GRAPHQL_VALIDATION_FAILED",
            "{bad}: {reply}"
        );
    }
}
