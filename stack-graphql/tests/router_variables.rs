//! Variables are coerced by the router before any subgraph sees them: defaults, required
//! values, each scalar's rules, public enum values, input objects, lists; bad values are
//! request errors with `extensions.code` `BAD_USER_INPUT` that name the variable and the path.

#![cfg(feature = "router")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod router_support;

use std::sync::{Arc, Mutex};

use bytes::Bytes;
use http::StatusCode;
use serde_json::{Value, json};
use stack_core::http::{HttpService as _, Request};
use stack_graphql::router::{InProcess, Router};

use router_support::{body, json_reply, post};

/// One subgraph, `shop`, with a field that takes an argument of every kind.
const SHOP: &str = r#"
schema
  @link(url: "https://specs.apollo.dev/link/v1.0")
  @link(url: "https://specs.apollo.dev/join/v0.3", for: EXECUTION)
  @link(url: "https://specs.apollo.dev/inaccessible/v0.2", for: SECURITY)
{
  query: Query
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
  SHOP @join__graph(name: "shop", url: "http://127.0.0.1:4001/graphql")
}

scalar link__Import

enum link__Purpose {
  SECURITY
  EXECUTION
}

scalar DateTime @join__type(graph: SHOP)

enum Currency @join__type(graph: SHOP) {
  EUR
  USD
  GBP @inaccessible
}

input Range @join__type(graph: SHOP) {
  min: Int = 0
  max: Int!
}

input Filter @join__type(graph: SHOP) {
  text: String
  size: Int = 10
  currency: Currency = EUR
  range: Range
  tags: [String!]
  secret: Boolean @inaccessible
}

directive @oneOf on INPUT_OBJECT

input Pick @join__type(graph: SHOP) @oneOf {
  id: ID
  name: String
}

type Query @join__type(graph: SHOP) {
  echo(
    int: Int
    float: Float
    string: String
    boolean: Boolean
    id: ID
    ids: [ID!]
    matrix: [[Int]]
    currency: Currency
    when: DateTime
    filter: Filter
    pick: Pick
    required: Int!
  ): String
}
"#;

/// The `variables` of each request the subgraph received.
type Received = Arc<Mutex<Vec<Value>>>;

fn router() -> (Router, Received) {
    let received: Received = Arc::default();
    let log = received.clone();
    let shop = move |request: Request| {
        let body: Value = serde_json::from_slice(request.body()).unwrap();
        log.lock().unwrap().push(body["variables"].clone());
        std::future::ready(json_reply(&json!({ "data": { "echo": "ok" } })))
    };
    let router = Router::builder(SHOP)
        .subgraph("shop", InProcess::new(shop))
        .build()
        .unwrap();
    (router, received)
}

/// Sends `query` with `variables`; returns the variables the subgraph got.
async fn sent(query: &str, variables: Value) -> Value {
    let (router, received) = router();
    let request = post(&json!({ "query": query, "variables": variables }));
    let reply = body(&router.call(request).await);
    assert_eq!(reply, json!({ "data": { "echo": "ok" } }));
    let received = received.lock().unwrap();
    assert_eq!(received.len(), 1);
    received[0].clone()
}

/// Sends `query` with `variables`, expecting a refusal; returns its error messages.
async fn refused(query: &str, variables: Value) -> Vec<String> {
    let (router, received) = router();
    let request = post(&json!({ "query": query, "variables": variables }));
    let response = router.call(request).await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let reply = body(&response);
    assert!(reply.get("data").is_none(), "{reply}");
    assert!(received.lock().unwrap().is_empty(), "a subgraph was asked");
    let errors = reply["errors"].as_array().unwrap();
    errors
        .iter()
        .map(|error| {
            assert_eq!(error["extensions"]["code"], "BAD_USER_INPUT", "{error}");
            error["message"].as_str().unwrap().to_owned()
        })
        .collect()
}

async fn refused_once(query: &str, variables: Value) -> String {
    let mut messages = refused(query, variables).await;
    assert_eq!(messages.len(), 1, "{messages:?}");
    messages.remove(0)
}

const INT: &str = "query($v: Int) { echo(int: $v, required: 1) }";

#[tokio::test]
async fn missing_variables_take_their_default() {
    let query =
        "query($v: Int = 5, $c: Currency = USD) { echo(int: $v, currency: $c, required: 1) }";
    assert_eq!(sent(query, json!({})).await, json!({ "v": 5, "c": "USD" }));
}

#[tokio::test]
async fn an_explicit_null_replaces_the_default() {
    let query = "query($v: Int = 5) { echo(int: $v, required: 1) }";
    assert_eq!(
        sent(query, json!({ "v": null })).await,
        json!({ "v": null })
    );
}

#[tokio::test]
async fn missing_nullable_variables_without_default_stay_missing() {
    let query = "query($v: Int, $w: Float) { echo(int: $v, float: $w, required: 1) }";
    assert_eq!(sent(query, json!({ "w": 2 })).await, json!({ "w": 2.0 }));
}

#[tokio::test]
async fn required_variables_must_be_given_and_not_null() {
    let query = "query($r: Int!) { echo(required: $r) }";
    assert_eq!(
        refused_once(query, json!({})).await,
        r#"Variable "$r" of required type "Int!" was not provided."#
    );
    assert_eq!(
        refused_once(query, json!({ "r": null })).await,
        r#"Variable "$r" of non-null type "Int!" must not be null."#
    );
    let defaulted = "query($r: Int! = 3) { echo(required: $r) }";
    assert_eq!(sent(defaulted, json!({})).await, json!({ "r": 3 }));
}

#[tokio::test]
async fn ints_are_32_bit_integers() {
    assert_eq!(sent(INT, json!({ "v": -7 })).await, json!({ "v": -7 }));
    assert_eq!(
        sent(INT, json!({ "v": 2_147_483_647 })).await,
        json!({ "v": 2_147_483_647 })
    );
    // JSON cannot tell 3.0 from 3: a float without a fraction is an integer.
    assert_eq!(sent(INT, json!({ "v": 3.0 })).await, json!({ "v": 3 }));
    assert_eq!(
        refused_once(INT, json!({ "v": 3.5 })).await,
        r#"Variable "$v" got invalid value: Int cannot represent non-integer value: 3.5"#
    );
    assert_eq!(
        refused_once(INT, json!({ "v": 2_147_483_648_i64 })).await,
        r#"Variable "$v" got invalid value: Int cannot represent non 32-bit signed integer value: 2147483648"#
    );
    let huge = refused_once(INT, json!({ "v": u64::MAX })).await;
    assert!(
        huge.contains("non 32-bit signed integer value: 18446744073709551615"),
        "{huge}"
    );
    for wrong in [json!("3"), json!(true), json!({ "n": 3 })] {
        let message = refused_once(INT, json!({ "v": wrong })).await;
        assert!(message.contains("Int cannot represent"), "{message}");
    }
}

#[tokio::test]
async fn floats_accept_integers() {
    let query = "query($v: Float) { echo(float: $v, required: 1) }";
    assert_eq!(sent(query, json!({ "v": 2 })).await, json!({ "v": 2.0 }));
    assert_eq!(sent(query, json!({ "v": 2.5 })).await, json!({ "v": 2.5 }));
    let message = refused_once(query, json!({ "v": "2.5" })).await;
    assert!(message.contains("Float cannot represent"), "{message}");
}

#[tokio::test]
async fn strings_and_booleans_are_exact() {
    let query = "query($s: String, $b: Boolean) { echo(string: $s, boolean: $b, required: 1) }";
    assert_eq!(
        sent(query, json!({ "s": "hi", "b": false })).await,
        json!({ "s": "hi", "b": false })
    );
    let messages = refused(query, json!({ "s": 5, "b": "true" })).await;
    assert_eq!(
        messages,
        [
            r#"Variable "$s" got invalid value: String cannot represent a non string value: 5"#,
            r#"Variable "$b" got invalid value: Boolean cannot represent a non boolean value: "true""#,
        ]
    );
}

#[tokio::test]
async fn ids_take_strings_and_integers_as_strings() {
    let query = "query($id: ID, $ids: [ID!]) { echo(id: $id, ids: $ids, required: 1) }";
    assert_eq!(
        sent(query, json!({ "id": 42, "ids": ["a", 7] })).await,
        json!({ "id": "42", "ids": ["a", "7"] })
    );
    let message = refused_once(query, json!({ "id": 4.5 })).await;
    assert!(message.contains("ID cannot represent"), "{message}");
}

#[tokio::test]
async fn enums_take_public_values_only() {
    let query = "query($c: Currency) { echo(currency: $c, required: 1) }";
    assert_eq!(
        sent(query, json!({ "c": "USD" })).await,
        json!({ "c": "USD" })
    );
    assert_eq!(
        refused_once(query, json!({ "c": "GBP" })).await,
        r#"Variable "$c" got invalid value: Value "GBP" does not exist in "Currency" enum."#
    );
    let message = refused_once(query, json!({ "c": 1 })).await;
    assert!(message.contains("non-string value"), "{message}");
}

#[tokio::test]
async fn input_objects_get_defaults_and_refuse_unknown_fields() {
    let query = "query($f: Filter) { echo(filter: $f, required: 1) }";
    assert_eq!(
        sent(
            query,
            json!({ "f": { "text": "lamp", "range": { "max": 9 } } })
        )
        .await,
        json!({ "f": {
            "text": "lamp", "size": 10, "currency": "EUR", "range": { "min": 0, "max": 9 },
        } })
    );
    assert_eq!(
        refused_once(query, json!({ "f": { "colour": "red" } })).await,
        r#"Variable "$f" got invalid value: Field "colour" is not defined by type "Filter"."#
    );
    let hidden = refused_once(query, json!({ "f": { "secret": true } })).await;
    assert!(
        hidden.contains(r#"Field "secret" is not defined"#),
        "{hidden}"
    );
    let message = refused_once(query, json!({ "f": "lamp" })).await;
    assert!(
        message.contains(r#"Expected type "Filter" to be an object."#),
        "{message}"
    );
}

#[tokio::test]
async fn errors_inside_input_objects_name_their_path() {
    let query = "query($input: Filter) { echo(filter: $input, required: 1) }";
    assert_eq!(
        refused_once(query, json!({ "input": { "size": 3.5 } })).await,
        r#"Variable "$input" got invalid value at "input.size": Int cannot represent non-integer value: 3.5"#
    );
    assert_eq!(
        refused_once(query, json!({ "input": { "range": { "min": 1 } } })).await,
        r#"Variable "$input" got invalid value at "input.range": Field "max" of required type "Int!" was not provided."#
    );
    assert_eq!(
        refused_once(query, json!({ "input": { "range": { "max": null } } })).await,
        r#"Variable "$input" got invalid value at "input.range.max": Expected non-nullable type "Int!" not to be null."#
    );
    assert_eq!(
        refused_once(query, json!({ "input": { "tags": ["a", null] } })).await,
        r#"Variable "$input" got invalid value at "input.tags[1]": Expected non-nullable type "String!" not to be null."#
    );
}

#[tokio::test]
async fn one_of_inputs_take_exactly_one_non_null_field() {
    let query = "query($p: Pick) { echo(pick: $p, required: 1) }";
    assert_eq!(
        sent(query, json!({ "p": { "id": 3 } })).await,
        json!({ "p": { "id": "3" } })
    );
    for wrong in [json!({}), json!({ "id": "1", "name": "a" })] {
        let message = refused_once(query, json!({ "p": wrong })).await;
        assert!(message.ends_with(r#"Exactly one field must be given for OneOf type "Pick"."#));
    }
    assert_eq!(
        refused_once(query, json!({ "p": { "name": null } })).await,
        r#"Variable "$p" got invalid value: Field "name" of OneOf type "Pick" must be non-null."#
    );
}

#[tokio::test]
async fn a_single_value_is_a_list_of_one() {
    let query = "query($m: [[Int]], $ids: [ID!]) { echo(matrix: $m, ids: $ids, required: 1) }";
    assert_eq!(
        sent(query, json!({ "m": 1, "ids": 5 })).await,
        json!({ "m": [[1]], "ids": ["5"] })
    );
    assert_eq!(
        sent(query, json!({ "m": [[1, null], [2]] })).await,
        json!({ "m": [[1, null], [2]] })
    );
    assert_eq!(
        refused_once(query, json!({ "m": [[1], [2, "x"]] })).await,
        r#"Variable "$m" got invalid value at "m[1][1]": Int cannot represent non-integer value: "x""#
    );
}

#[tokio::test]
async fn custom_scalars_pass_as_they_are() {
    let query = "query($w: DateTime) { echo(when: $w, required: 1) }";
    let value = json!({ "anything": ["the", "subgraph", "decides"] });
    assert_eq!(
        sent(query, json!({ "w": value })).await,
        json!({ "w": value })
    );
}

#[tokio::test]
async fn variables_the_operation_does_not_define_are_dropped() {
    assert_eq!(
        sent(INT, json!({ "v": 1, "extra": "x" })).await,
        json!({ "v": 1 })
    );
}

#[tokio::test]
async fn errors_carry_the_location_of_the_variable() {
    let (router, _) = router();
    let request = post(&json!({ "query": INT, "variables": { "v": "x" } }));
    let reply = body(&router.call(request).await);
    assert_eq!(
        reply["errors"][0]["locations"],
        json!([{ "line": 1, "column": 7 }])
    );
}

#[tokio::test]
async fn plain_json_clients_get_the_errors_with_status_200() {
    let (router, _) = router();
    let mut request = post(&json!({ "query": INT, "variables": { "v": "x" } }));
    request
        .headers_mut()
        .insert("accept", http::HeaderValue::from_static("application/json"));
    let response = router.call(request).await;
    assert_eq!(response.status(), StatusCode::OK);
    let reply = body(&response);
    assert!(reply.get("data").is_none());
    assert_eq!(reply["errors"][0]["extensions"]["code"], "BAD_USER_INPUT");
}

#[tokio::test]
async fn long_values_are_cut_in_messages() {
    let long = "x".repeat(500);
    let message = refused_once(INT, json!({ "v": long })).await;
    assert!(message.len() < 200, "{message}");
    assert!(message.ends_with("..."), "{message}");
}

#[tokio::test]
async fn get_requests_are_coerced_too() {
    let (router, received) = router();
    let query = "query($v:Int){echo(int:$v,required:1)}";
    let uri = format!(
        "/graphql?query={}&variables={}",
        percent(query),
        percent(r#"{"v":4.0}"#)
    );
    let mut request = http::Request::new(Bytes::new());
    *request.uri_mut() = uri.parse().unwrap();
    request.headers_mut().insert(
        "accept",
        http::HeaderValue::from_static("application/graphql-response+json"),
    );
    let reply = body(&router.call(request).await);
    assert_eq!(reply, json!({ "data": { "echo": "ok" } }));
    assert_eq!(received.lock().unwrap()[0], json!({ "v": 4 }));
}

fn percent(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[tokio::test]
async fn an_operation_name_that_names_no_operation_is_refused() {
    let (router, received) = router();
    for (query, name) in [
        (INT, "Nope"),
        ("query A($v: Int) { echo(int: $v, required: 1) }", "B"),
    ] {
        let request =
            post(&json!({ "query": query, "operationName": name, "variables": { "v": 1 } }));
        let reply = body(&router.call(request).await);
        assert!(reply.get("data").is_none(), "{reply}");
        assert!(reply["errors"][0]["message"].is_string(), "{reply}");
    }
    assert!(received.lock().unwrap().is_empty());
}
