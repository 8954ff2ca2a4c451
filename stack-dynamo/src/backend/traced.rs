//! One span per backend call, whatever the backend.

use std::future::Future;

use async_trait::async_trait;
use serde_dynamo::Item;
use tracing::{Instrument, Span, field};

use super::{
    Backend, BatchGetOutput, QueryOutput, QueryRequest, ScanRequest, TransactItem, WriteRequest,
};
use crate::{Condition, Error, Key, Update};

/// Wraps a backend so every call runs in a span with OpenTelemetry-style `db.*` fields.
///
/// Backends record `aws.dynamodb.consumed_capacity` on the current span when they know it
/// (DynamoDB does; the embedded backend does not).
pub(crate) struct Traced<B>(pub(crate) B);

impl<B: Backend> Traced<B> {
    fn span(&self, operation: &'static str, index: Option<&str>) -> Span {
        tracing::info_span!(
            "dynamodb",
            otel.name = operation,
            db.system = "dynamodb",
            db.operation = operation,
            aws.dynamodb.table_names = self.0.table_name(),
            aws.dynamodb.index_name = index,
            stack.dynamo.backend = self.0.implementation(),
            aws.dynamodb.limit = field::Empty,
            aws.dynamodb.count = field::Empty,
            aws.dynamodb.segment = field::Empty,
            aws.dynamodb.consumed_capacity = field::Empty,
            error.type = field::Empty,
            otel.status_code = field::Empty,
        )
    }

    /// Runs `call` in `span`, recording its outcome.
    async fn traced<T>(
        span: Span,
        call: impl Future<Output = Result<T, Error>>,
    ) -> Result<T, Error> {
        let result = call.instrument(span.clone()).await;
        if let Err(error) = &result {
            let kind = stack_core::error::EdgeError::kind(error);
            span.record("error.type", field::debug(kind));
            span.record("otel.status_code", "ERROR");
        }
        result
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

    fn indexes(&self) -> &[String] {
        self.0.indexes()
    }

    async fn get_item(&self, key: &Key) -> Result<Option<Item>, Error> {
        Self::traced(self.span("GetItem", None), self.0.get_item(key)).await
    }

    async fn batch_get_items(&self, keys: Vec<Key>) -> Result<BatchGetOutput, Error> {
        let span = self.span("BatchGetItem", None);
        span.record("aws.dynamodb.limit", keys.len());
        let result = Self::traced(span.clone(), self.0.batch_get_items(keys)).await;
        if let Ok(output) = &result {
            span.record("aws.dynamodb.count", output.items.len());
        }
        result
    }

    async fn put_item(&self, item: Item, condition: Option<Condition>) -> Result<(), Error> {
        Self::traced(self.span("PutItem", None), self.0.put_item(item, condition)).await
    }

    async fn update_item(
        &self,
        key: &Key,
        update: Update,
        condition: Option<Condition>,
    ) -> Result<Item, Error> {
        let call = self.0.update_item(key, update, condition);
        Self::traced(self.span("UpdateItem", None), call).await
    }

    async fn delete_item(
        &self,
        key: &Key,
        condition: Option<Condition>,
    ) -> Result<Option<Item>, Error> {
        Self::traced(
            self.span("DeleteItem", None),
            self.0.delete_item(key, condition),
        )
        .await
    }

    async fn batch_write_items(
        &self,
        writes: Vec<WriteRequest>,
    ) -> Result<Vec<WriteRequest>, Error> {
        let span = self.span("BatchWriteItem", None);
        span.record("aws.dynamodb.count", writes.len());
        Self::traced(span, self.0.batch_write_items(writes)).await
    }

    async fn transact_write_items(&self, items: Vec<TransactItem>) -> Result<(), Error> {
        let span = self.span("TransactWriteItems", None);
        span.record("aws.dynamodb.count", items.len());
        Self::traced(span, self.0.transact_write_items(items)).await
    }

    async fn query(&self, request: QueryRequest) -> Result<QueryOutput, Error> {
        let span = self.span("Query", request.index.as_deref());
        span.record("aws.dynamodb.limit", request.limit);
        let result = Self::traced(span.clone(), self.0.query(request)).await;
        if let Ok(output) = &result {
            span.record("aws.dynamodb.count", output.items.len());
        }
        result
    }

    async fn scan(&self, request: ScanRequest) -> Result<QueryOutput, Error> {
        let span = self.span("Scan", None);
        span.record("aws.dynamodb.limit", request.limit);
        if let Some(segment) = request.segment {
            span.record("aws.dynamodb.segment", segment.index);
        }
        let result = Self::traced(span.clone(), self.0.scan(request)).await;
        if let Ok(output) = &result {
            span.record("aws.dynamodb.count", output.items.len());
        }
        result
    }
}
