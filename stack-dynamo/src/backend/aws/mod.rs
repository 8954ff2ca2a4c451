//! The DynamoDB backend, through aws-sdk-dynamodb.

mod batch;
mod convert;
mod expression;
mod setup;

use async_trait::async_trait;
use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::types::{ReturnConsumedCapacity, ReturnValue};
use serde_dynamo::Item;

use self::convert::{item_from_aws, item_to_aws, key_to_aws, record_capacity, sdk_error};
use self::expression::Expressions;
use super::check_update;
use super::{
    Backend, BatchGetOutput, DEFAULT_INDEXES, QueryOutput, QueryRequest, ScanRequest, TransactItem,
    WriteRequest,
};
use crate::{Condition, Error, Key, Update};

/// A DynamoDB table, reached through an aws-sdk-dynamodb client.
///
/// The table has a string partition key `pk`, a string sort key `sk`, and global secondary
/// indexes keyed by `<name>pk`/`<name>sk` (by default [`DEFAULT_INDEXES`]). Build the client
/// once per process (per Lambda cold start) and share it; cloning the backend is cheap.
///
/// Every call asks DynamoDB for the capacity it consumed and records it on the call's span.
///
/// # Examples
///
/// ```no_run
/// # async fn demo(client: aws_sdk_dynamodb::Client) -> Result<(), stack_dynamo::Error> {
/// use stack_dynamo::{AwsBackend, Table};
///
/// let table = Table::new(AwsBackend::new(client, "app"));
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone)]
pub struct AwsBackend {
    client: Client,
    table_name: String,
    indexes: Vec<String>,
}

impl AwsBackend {
    /// A backend for the table `table_name`, reached through `client`, with the default
    /// indexes.
    pub fn new(client: Client, table_name: impl Into<String>) -> Self {
        Self {
            client,
            table_name: table_name.into(),
            indexes: DEFAULT_INDEXES
                .iter()
                .map(|&index| index.to_owned())
                .collect(),
        }
    }

    /// The same backend for a table with these global secondary indexes.
    pub fn with_indexes(mut self, indexes: &[&str]) -> Self {
        self.indexes = indexes.iter().map(|&index| index.to_owned()).collect();
        self
    }
}

#[async_trait]
impl Backend for AwsBackend {
    fn table_name(&self) -> &str {
        &self.table_name
    }

    fn implementation(&self) -> &'static str {
        "aws"
    }

    fn indexes(&self) -> &[String] {
        &self.indexes
    }

    async fn get_item(&self, key: &Key) -> Result<Option<Item>, Error> {
        key.validate()?;
        let output = self
            .client
            .get_item()
            .table_name(&self.table_name)
            .set_key(Some(key_to_aws(key)))
            .consistent_read(true)
            .return_consumed_capacity(ReturnConsumedCapacity::Total)
            .send()
            .await
            .map_err(|error| sdk_error("GetItem", error))?;
        record_capacity(output.consumed_capacity());
        output.item.map(item_from_aws).transpose()
    }

    async fn batch_get_items(&self, keys: Vec<Key>) -> Result<BatchGetOutput, Error> {
        batch::get(self, keys).await
    }

    async fn put_item(&self, item: Item, condition: Option<Condition>) -> Result<(), Error> {
        Key::from_item(&item)?.validate()?;
        let mut expressions = Expressions::default();
        let condition = condition.map(|condition| expressions.condition(&condition));
        let (names, values) = expressions.into_parts();

        let output = self
            .client
            .put_item()
            .table_name(&self.table_name)
            .set_item(Some(item_to_aws(item)))
            .set_condition_expression(condition)
            .set_expression_attribute_names(names)
            .set_expression_attribute_values(values)
            .return_consumed_capacity(ReturnConsumedCapacity::Total)
            .send()
            .await
            .map_err(|error| sdk_error("PutItem", error))?;
        record_capacity(output.consumed_capacity());
        Ok(())
    }

    async fn update_item(
        &self,
        key: &Key,
        update: Update,
        condition: Option<Condition>,
    ) -> Result<Item, Error> {
        key.validate()?;
        check_update(&update)?;
        let mut expressions = Expressions::default();
        let update = expressions.update(&update);
        let condition = condition.map(|condition| expressions.condition(&condition));
        let (names, values) = expressions.into_parts();

        let output = self
            .client
            .update_item()
            .table_name(&self.table_name)
            .set_key(Some(key_to_aws(key)))
            .update_expression(update)
            .set_condition_expression(condition)
            .set_expression_attribute_names(names)
            .set_expression_attribute_values(values)
            .return_values(ReturnValue::AllNew)
            .return_consumed_capacity(ReturnConsumedCapacity::Total)
            .send()
            .await
            .map_err(|error| sdk_error("UpdateItem", error))?;
        record_capacity(output.consumed_capacity());
        item_from_aws(output.attributes.unwrap_or_default())
    }

    async fn delete_item(
        &self,
        key: &Key,
        condition: Option<Condition>,
    ) -> Result<Option<Item>, Error> {
        key.validate()?;
        let mut expressions = Expressions::default();
        let condition = condition.map(|condition| expressions.condition(&condition));
        let (names, values) = expressions.into_parts();

        let output = self
            .client
            .delete_item()
            .table_name(&self.table_name)
            .set_key(Some(key_to_aws(key)))
            .set_condition_expression(condition)
            .set_expression_attribute_names(names)
            .set_expression_attribute_values(values)
            .return_values(ReturnValue::AllOld)
            .return_consumed_capacity(ReturnConsumedCapacity::Total)
            .send()
            .await
            .map_err(|error| sdk_error("DeleteItem", error))?;
        record_capacity(output.consumed_capacity());
        let old = output
            .attributes
            .filter(|attributes| !attributes.is_empty());
        old.map(item_from_aws).transpose()
    }

    async fn batch_write_items(
        &self,
        writes: Vec<WriteRequest>,
    ) -> Result<Vec<WriteRequest>, Error> {
        batch::write(self, writes).await
    }

    async fn transact_write_items(&self, items: Vec<TransactItem>) -> Result<(), Error> {
        batch::transact(self, items).await
    }

    async fn query(&self, request: QueryRequest) -> Result<QueryOutput, Error> {
        request.validate()?;
        let mut expressions = Expressions::default();
        let (pk_name, sk_name) = request.key_attributes();
        let key_condition =
            expressions.key_condition((&pk_name, &sk_name), &request.pk, request.sk.as_ref());
        let filter = request
            .filter
            .as_ref()
            .map(|filter| expressions.condition(filter));
        let projection = request
            .projection
            .as_deref()
            .map(|names| expressions.projection(names));
        let (names, values) = expressions.into_parts();

        let output = self
            .client
            .query()
            .table_name(&self.table_name)
            .set_index_name(request.index)
            .key_condition_expression(key_condition)
            .set_filter_expression(filter)
            .set_projection_expression(projection)
            .set_expression_attribute_names(names)
            .set_expression_attribute_values(values)
            .limit(i32::try_from(request.limit).unwrap_or(i32::MAX))
            .scan_index_forward(request.forward)
            .consistent_read(request.consistent_read)
            .set_exclusive_start_key(request.exclusive_start.map(item_to_aws))
            .return_consumed_capacity(ReturnConsumedCapacity::Total)
            .send()
            .await
            .map_err(|error| sdk_error("Query", error))?;
        record_capacity(output.consumed_capacity());
        read_output(output.items, output.last_evaluated_key)
    }

    async fn scan(&self, request: ScanRequest) -> Result<QueryOutput, Error> {
        request.validate()?;
        let mut expressions = Expressions::default();
        let filter = request
            .filter
            .as_ref()
            .map(|filter| expressions.condition(filter));
        let projection = request
            .projection
            .as_deref()
            .map(|names| expressions.projection(names));
        let (names, values) = expressions.into_parts();
        let segment = request.segment;

        let output = self
            .client
            .scan()
            .table_name(&self.table_name)
            .set_filter_expression(filter)
            .set_projection_expression(projection)
            .set_expression_attribute_names(names)
            .set_expression_attribute_values(values)
            .limit(i32::try_from(request.limit).unwrap_or(i32::MAX))
            .consistent_read(request.consistent_read)
            .set_segment(segment.map(|segment| i32::try_from(segment.index).unwrap_or(0)))
            .set_total_segments(segment.map(|segment| i32::try_from(segment.total).unwrap_or(1)))
            .set_exclusive_start_key(request.exclusive_start.as_ref().map(key_to_aws))
            .return_consumed_capacity(ReturnConsumedCapacity::Total)
            .send()
            .await
            .map_err(|error| sdk_error("Scan", error))?;
        record_capacity(output.consumed_capacity());
        read_output(output.items, output.last_evaluated_key)
    }
}

type AwsItem = std::collections::HashMap<String, aws_sdk_dynamodb::types::AttributeValue>;

/// A query or scan page in our form.
fn read_output(items: Option<Vec<AwsItem>>, last: Option<AwsItem>) -> Result<QueryOutput, Error> {
    let items = items.unwrap_or_default().into_iter().map(item_from_aws);
    let last_evaluated_key = last
        .filter(|last| !last.is_empty())
        .map(item_from_aws)
        .transpose()?;
    Ok(QueryOutput::new(
        items.collect::<Result<_, _>>()?,
        last_evaluated_key,
    ))
}
