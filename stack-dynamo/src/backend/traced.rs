//! One span per backend call, whatever the backend.

use async_trait::async_trait;
use serde_dynamo::Item;
use tracing::{Instrument, Span, field};

use super::{Backend, QueryOutput, QueryRequest};
use crate::{Condition, Error, Key};

/// Wraps a backend so every call runs in a span with OpenTelemetry-style `db.*` fields.
pub(crate) struct Traced<B>(pub(crate) B);

impl<B: Backend> Traced<B> {
    fn span(&self, operation: &'static str) -> Span {
        tracing::info_span!(
            "dynamodb",
            otel.name = operation,
            db.system = "dynamodb",
            db.operation = operation,
            aws.dynamodb.table_names = self.0.table_name(),
            stack.dynamo.backend = self.0.implementation(),
            aws.dynamodb.limit = field::Empty,
            aws.dynamodb.count = field::Empty,
            error.type = field::Empty,
            otel.status_code = field::Empty,
        )
    }
}

/// Records the outcome on the span; the error itself is logged once, by whoever handles it.
fn record<T>(span: &Span, result: &Result<T, Error>) {
    if let Err(error) = result {
        let kind = stack_core::error::EdgeError::kind(error);
        span.record("error.type", field::debug(kind));
        span.record("otel.status_code", "ERROR");
    }
}

#[async_trait]
impl<B: Backend> Backend for Traced<B> {
    fn table_name(&self) -> &str {
        self.0.table_name()
    }

    fn implementation(&self) -> &'static str {
        self.0.implementation()
    }

    async fn get_item(&self, key: &Key) -> Result<Option<Item>, Error> {
        let span = self.span("GetItem");
        let result = self.0.get_item(key).instrument(span.clone()).await;
        record(&span, &result);
        result
    }

    async fn put_item(&self, item: Item, condition: Option<Condition>) -> Result<(), Error> {
        let span = self.span("PutItem");
        let result = self
            .0
            .put_item(item, condition)
            .instrument(span.clone())
            .await;
        record(&span, &result);
        result
    }

    async fn delete_item(
        &self,
        key: &Key,
        condition: Option<Condition>,
    ) -> Result<Option<Item>, Error> {
        let span = self.span("DeleteItem");
        let result = self
            .0
            .delete_item(key, condition)
            .instrument(span.clone())
            .await;
        record(&span, &result);
        result
    }

    async fn query(&self, request: QueryRequest) -> Result<QueryOutput, Error> {
        let span = self.span("Query");
        span.record("aws.dynamodb.limit", request.limit);
        let result = self.0.query(request).instrument(span.clone()).await;
        if let Ok(output) = &result {
            span.record("aws.dynamodb.count", output.items.len());
        }
        record(&span, &result);
        result
    }
}
