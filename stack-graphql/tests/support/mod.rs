//! What every behaviour test shares: a small subgraph, a request builder that plays the edge,
//! and a capture of the `tracing` output.

#![allow(dead_code)]

use std::sync::{Arc, Mutex};

use async_graphql::{Context, EmptySubscription, Enum, ID, Object, Result, Schema, SimpleObject};
use bytes::Bytes;
use http::{HeaderMap, StatusCode};
use serde_json::Value;
use stack_core::auth::Authorizer;
use stack_core::http::{EdgeContext, EventSource, HttpService};
use stack_core::{EdgeError, ErrorKind, Mode};
use stack_graphql::{Subgraph, SubgraphOptions};

// --- The test schema ---------------------------------------------------------------------------

/// A product: an entity that resolves to null when the id is unknown.
#[derive(SimpleObject)]
pub(crate) struct Product {
    pub(crate) id: ID,
    pub(crate) name: String,
}

/// A user: an entity whose resolver fails for the id `broken`.
pub(crate) struct User {
    pub(crate) id: ID,
}

#[Object]
impl User {
    async fn id(&self) -> &ID {
        &self.id
    }

    /// Always fails, and is non-null.
    async fn secret(&self) -> Result<String> {
        Err(async_graphql::Error::new("secrets stay secret"))
    }
}

/// A type that nests as deep as asked.
pub(crate) struct Nested(u32);

#[Object]
impl Nested {
    async fn level(&self) -> u32 {
        self.0
    }

    async fn child(&self) -> Nested {
        Nested(self.0 + 1)
    }

    async fn maybe_child(&self) -> Option<Nested> {
        Some(Nested(self.0 + 1))
    }

    /// Fails at the given level; non-null.
    async fn fail_at(&self, level: u32) -> Result<u32> {
        if self.0 == level {
            return Err(async_graphql::Error::new(format!(
                "failed at level {level}"
            )));
        }
        Ok(self.0)
    }
}

/// The ways `broken` fails.
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Failure {
    /// An internal edge error: masked.
    Internal,
    /// A public edge error: shown, with its code.
    Forbidden,
    /// A foreign error turned into a GraphQL error by `?`: masked.
    Converted,
    /// A message written on purpose: shown, without a code.
    Written,
}

/// An error of a storage layer, with a cause that must never reach the client.
#[derive(Debug)]
pub(crate) struct StorageError {
    kind: ErrorKind,
    cause: std::io::Error,
}

impl std::fmt::Display for StorageError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("the table `secret-table` failed")
    }
}

impl std::error::Error for StorageError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.cause)
    }
}

impl EdgeError for StorageError {
    fn kind(&self) -> ErrorKind {
        self.kind
    }
}

fn storage_error(kind: ErrorKind) -> StorageError {
    StorageError {
        kind,
        cause: std::io::Error::other("connection reset by 10.0.0.7"),
    }
}

pub(crate) struct Query;

#[Object]
impl Query {
    async fn hello(&self) -> &str {
        "hello"
    }

    /// The caller's subject.
    async fn me(&self, ctx: &Context<'_>) -> Result<String> {
        Ok(stack_graphql::caller(ctx)?.subject.clone())
    }

    /// The caller's subject, or null.
    async fn maybe_me(&self, ctx: &Context<'_>) -> Option<String> {
        stack_graphql::optional_caller(ctx).map(|identity| identity.subject.clone())
    }

    async fn nested(&self) -> Nested {
        Nested(1)
    }

    /// Fails as asked; nullable, so the rest of the data survives.
    async fn broken(&self, failure: Failure) -> Result<Option<i32>> {
        match failure {
            Failure::Internal => Err(stack_graphql::to_graphql_error(&storage_error(
                ErrorKind::Internal,
            ))),
            Failure::Forbidden => Err(stack_graphql::to_graphql_error(&storage_error(
                ErrorKind::Forbidden,
            ))),
            Failure::Converted => Ok(Some("not a number".parse::<i32>()?)),
            Failure::Written => Err(async_graphql::Error::new("written on purpose")),
        }
    }

    /// Costs 500 in async-graphql's complexity, though it is one field.
    #[graphql(complexity = 500)]
    async fn expensive(&self) -> i32 {
        1
    }

    async fn product(&self, id: ID) -> Option<Product> {
        product(&id)
    }

    #[graphql(entity)]
    async fn find_product_by_id(&self, id: ID) -> Option<Product> {
        product(&id)
    }

    #[graphql(entity)]
    async fn find_user_by_id(&self, id: ID) -> Result<User> {
        if id.as_str() == "broken" {
            return Err(stack_graphql::to_graphql_error(&storage_error(
                ErrorKind::Internal,
            )));
        }
        Ok(User { id })
    }
}

fn product(id: &str) -> Option<Product> {
    let name = match id {
        "1" => "kettle",
        "2" => "teapot",
        "3" => "toaster",
        _ => return None,
    };
    Some(Product {
        id: ID(id.to_owned()),
        name: name.to_owned(),
    })
}

pub(crate) struct Mutation;

#[Object]
impl Mutation {
    async fn add(&self, a: i32, b: i32) -> i32 {
        a + b
    }
}

pub(crate) type TestSubgraph = Subgraph<Query, Mutation, EmptySubscription>;

pub(crate) fn subgraph() -> TestSubgraph {
    Subgraph::new(Schema::build(Query, Mutation, EmptySubscription))
}

pub(crate) fn subgraph_with(options: SubgraphOptions) -> TestSubgraph {
    Subgraph::with_options(Schema::build(Query, Mutation, EmptySubscription), options)
}

// --- Requests, as an edge would hand them over ------------------------------------------------

pub(crate) const GRAPHQL_RESPONSE: &str = "application/graphql-response+json";

/// A request to a subgraph, with the edge context of the local server by default.
pub(crate) struct TestRequest {
    builder: http::request::Builder,
    body: Bytes,
    edge: Option<EdgeContext>,
}

impl TestRequest {
    pub(crate) fn new(method: http::Method, uri: &str) -> Self {
        let builder = http::Request::builder().method(method).uri(uri);
        Self {
            builder,
            body: Bytes::new(),
            edge: Some(edge(Mode::Local)),
        }
    }

    pub(crate) fn get(uri: &str) -> Self {
        Self::new(http::Method::GET, uri)
    }

    pub(crate) fn post(uri: &str) -> Self {
        Self::new(http::Method::POST, uri)
    }

    /// A POST of `{"query": query}` to `/graphql`.
    pub(crate) fn query(query: &str) -> Self {
        Self::post("/graphql").json(&serde_json::json!({ "query": query }))
    }

    /// A GET of `/graphql` with the query in the URL.
    pub(crate) fn get_query(query: &str) -> Self {
        Self::get(&Self::get_query_uri(query))
    }

    /// `/graphql?query=...`, percent-encoded.
    pub(crate) fn get_query_uri(query: &str) -> String {
        let encoded: String = query
            .bytes()
            .map(|byte| match byte {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' => (byte as char).to_string(),
                _ => format!("%{byte:02X}"),
            })
            .collect();
        format!("/graphql?query={encoded}")
    }

    /// A JSON body, with its content type.
    pub(crate) fn json(self, body: &Value) -> Self {
        self.header("content-type", "application/json")
            .body(body.to_string())
    }

    pub(crate) fn body(mut self, body: impl Into<Bytes>) -> Self {
        self.body = body.into();
        self
    }

    pub(crate) fn header(mut self, name: &str, value: &str) -> Self {
        self.builder = self.builder.header(name, value);
        self
    }

    pub(crate) fn accept(self, value: &str) -> Self {
        self.header("accept", value)
    }

    /// As if the request came through API Gateway into Lambda.
    pub(crate) fn lambda(mut self) -> Self {
        self.edge = Some(edge(Mode::Lambda));
        self
    }

    /// As if API Gateway's authorizer had attached `fields`.
    pub(crate) fn authorizer(mut self, fields: Value) -> Self {
        let Value::Object(fields) = fields else {
            panic!("authorizer fields must be an object")
        };
        let mut context = edge(Mode::Lambda);
        context.authorizer = Some(Authorizer::new(fields));
        self.edge = Some(context);
        self
    }

    /// As if no edge had handled the request.
    pub(crate) fn without_edge(mut self) -> Self {
        self.edge = None;
        self
    }

    pub(crate) async fn send(self, service: &impl HttpService) -> Reply {
        let mut request = self.builder.body(self.body).expect("a valid request");
        if let Some(edge) = self.edge {
            request.extensions_mut().insert(edge);
        }
        let response = service.call(request).await;
        let status = response.status();
        let headers = response.headers().clone();
        let text = String::from_utf8(response.into_body().to_vec()).expect("a UTF-8 body");
        Reply {
            status,
            headers,
            text,
        }
    }
}

fn edge(mode: Mode) -> EdgeContext {
    let source = match mode {
        Mode::Local => EventSource::Local,
        Mode::Lambda => EventSource::ApiGatewayHttp,
    };
    EdgeContext {
        mode,
        source,
        request_id: "test-request".to_owned(),
        trace_id: None,
        raw_path: "/graphql".to_owned(),
        stage: None,
        authorizer: None,
    }
}

/// A response, read.
#[derive(Debug)]
pub(crate) struct Reply {
    pub(crate) status: StatusCode,
    pub(crate) headers: HeaderMap,
    pub(crate) text: String,
}

impl Reply {
    pub(crate) fn json(&self) -> Value {
        serde_json::from_str(&self.text).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.text))
    }

    pub(crate) fn content_type(&self) -> &str {
        self.header("content-type").unwrap_or_default()
    }

    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .get(name)
            .map(|value| value.to_str().expect("a text header"))
    }

    /// The `extensions.code` of every error, in order.
    pub(crate) fn codes(&self) -> Vec<String> {
        self.errors()
            .iter()
            .map(|error| {
                error["extensions"]["code"]
                    .as_str()
                    .unwrap_or("")
                    .to_owned()
            })
            .collect()
    }

    pub(crate) fn errors(&self) -> Vec<Value> {
        self.json()["errors"]
            .as_array()
            .cloned()
            .unwrap_or_default()
    }

    /// Whether the body has a `data` entry at all (null counts).
    pub(crate) fn has_data(&self) -> bool {
        self.json().get("data").is_some()
    }
}

// --- Captured tracing output ------------------------------------------------------------------

/// Spans and events recorded while a capture is installed.
#[derive(Debug, Default, Clone)]
pub(crate) struct Captured(Arc<Mutex<Recorded>>);

#[derive(Debug, Default)]
pub(crate) struct Recorded {
    pub(crate) spans: Vec<RecordedSpan>,
    pub(crate) events: Vec<RecordedEvent>,
}

#[derive(Debug, Clone)]
pub(crate) struct RecordedSpan {
    pub(crate) name: String,
    pub(crate) target: String,
    pub(crate) fields: Vec<(String, String)>,
}

#[derive(Debug, Clone)]
pub(crate) struct RecordedEvent {
    pub(crate) level: tracing::Level,
    pub(crate) target: String,
    pub(crate) fields: Vec<(String, String)>,
}

impl RecordedEvent {
    pub(crate) fn field(&self, name: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

impl RecordedSpan {
    pub(crate) fn field(&self, name: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

impl Captured {
    /// Installs a capture for the current thread until the guard is dropped.
    pub(crate) fn install() -> (Self, tracing::subscriber::DefaultGuard) {
        use tracing_subscriber::layer::SubscriberExt as _;
        let captured = Self::default();
        let subscriber = tracing_subscriber::registry().with(captured.clone());
        (captured, tracing::subscriber::set_default(subscriber))
    }

    pub(crate) fn spans(&self) -> Vec<RecordedSpan> {
        self.0.lock().expect("the capture").spans.clone()
    }

    pub(crate) fn events(&self) -> Vec<RecordedEvent> {
        self.0.lock().expect("the capture").events.clone()
    }
}

#[derive(Default)]
struct Fields(Vec<(String, String)>);

impl tracing::field::Visit for Fields {
    fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn std::fmt::Debug) {
        self.0.push((field.name().to_owned(), format!("{value:?}")));
    }

    fn record_str(&mut self, field: &tracing::field::Field, value: &str) {
        self.0.push((field.name().to_owned(), value.to_owned()));
    }
}

impl<S> tracing_subscriber::Layer<S> for Captured
where
    S: tracing::Subscriber + for<'a> tracing_subscriber::registry::LookupSpan<'a>,
{
    fn on_new_span(
        &self,
        attrs: &tracing::span::Attributes<'_>,
        id: &tracing::span::Id,
        _ctx: tracing_subscriber::layer::Context<'_, S>,
    ) {
        let mut fields = Fields::default();
        attrs.record(&mut fields);
        let span = RecordedSpan {
            name: attrs.metadata().name().to_owned(),
            target: attrs.metadata().target().to_owned(),
            fields: fields.0,
        };
        let mut recorded = self.0.lock().expect("the capture");
        recorded.spans.push(span);
        // Span ids are reused; remember the position by id for later records.
        let index = recorded.spans.len() - 1;
        drop(recorded);
        SPAN_INDEX.with(|map| map.borrow_mut().insert(id.into_u64(), index));
    }

    fn on_record(
        &self,
        id: &tracing::span::Id,
        values: &tracing::span::Record<'_>,
        _ctx: tracing_subscriber::layer::Context<'_, S>,
    ) {
        let mut fields = Fields::default();
        values.record(&mut fields);
        let Some(index) = SPAN_INDEX.with(|map| map.borrow().get(&id.into_u64()).copied()) else {
            return;
        };
        self.0.lock().expect("the capture").spans[index]
            .fields
            .extend(fields.0);
    }

    fn on_event(
        &self,
        event: &tracing::Event<'_>,
        _ctx: tracing_subscriber::layer::Context<'_, S>,
    ) {
        let mut fields = Fields::default();
        event.record(&mut fields);
        let recorded = RecordedEvent {
            level: *event.metadata().level(),
            target: event.metadata().target().to_owned(),
            fields: fields.0,
        };
        self.0.lock().expect("the capture").events.push(recorded);
    }
}

thread_local! {
    static SPAN_INDEX: std::cell::RefCell<std::collections::HashMap<u64, usize>> =
        std::cell::RefCell::default();
}
