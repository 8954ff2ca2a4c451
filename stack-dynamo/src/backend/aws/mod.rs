//! The DynamoDB backend, through aws-sdk-dynamodb.

mod convert;
mod expression;

use std::time::Duration;

use async_trait::async_trait;
use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::client::Waiters;
use aws_sdk_dynamodb::error::ProvideErrorMetadata;
use aws_sdk_dynamodb::types::{
    AttributeDefinition, BillingMode, KeySchemaElement, KeyType, ReturnValue, ScalarAttributeType,
};
use serde_dynamo::Item;

use self::convert::{item_from_aws, item_to_aws, key_from_aws, sdk_error};
use self::expression::Expressions;
use super::{Backend, QueryOutput, QueryRequest};
use crate::key::attr;
use crate::{Condition, Error, Key};

/// How long [`AwsBackend::create_table_if_missing`] waits for the table to become active.
const TABLE_ACTIVE_TIMEOUT: Duration = Duration::from_secs(120);

/// A DynamoDB table, reached through an aws-sdk-dynamodb client.
///
/// The table has a string partition key `pk` and a string sort key `sk`. Build the client once
/// per process (per Lambda cold start) and share it; cloning the backend is cheap.
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
}

impl AwsBackend {
    /// A backend for the table `table_name`, reached through `client`.
    pub fn new(client: Client, table_name: impl Into<String>) -> Self {
        Self {
            client,
            table_name: table_name.into(),
        }
    }

    /// Creates the table (`pk`/`sk` string keys, on-demand billing) unless it exists, then
    /// waits until it is active. For local development and tests; deployed tables come from
    /// the infrastructure code.
    ///
    /// # Errors
    ///
    /// When DynamoDB refuses to create the table or it does not become active in two minutes.
    pub async fn create_table_if_missing(&self) -> Result<(), Error> {
        let created = self
            .client
            .create_table()
            .table_name(&self.table_name)
            .set_attribute_definitions(Some(vec![string_key(attr::PK)?, string_key(attr::SK)?]))
            .set_key_schema(Some(vec![
                key_part(attr::PK, KeyType::Hash)?,
                key_part(attr::SK, KeyType::Range)?,
            ]))
            .billing_mode(BillingMode::PayPerRequest)
            .send()
            .await;
        match created {
            Ok(_) => tracing::info!(table = %self.table_name, "created the DynamoDB table"),
            Err(error) if error.code() == Some("ResourceInUseException") => {}
            Err(error) => return Err(sdk_error("CreateTable", error)),
        }
        self.wait_until_active().await
    }

    async fn wait_until_active(&self) -> Result<(), Error> {
        self.client
            .wait_until_table_exists()
            .table_name(&self.table_name)
            .wait(TABLE_ACTIVE_TIMEOUT)
            .await
            .map(drop)
            .map_err(|error| Error::internal_from("the table did not become active", error))
    }
}

fn string_key(name: &str) -> Result<AttributeDefinition, Error> {
    AttributeDefinition::builder()
        .attribute_name(name)
        .attribute_type(ScalarAttributeType::S)
        .build()
        .map_err(|error| Error::internal_from("invalid attribute definition", error))
}

fn key_part(name: &str, key_type: KeyType) -> Result<KeySchemaElement, Error> {
    KeySchemaElement::builder()
        .attribute_name(name)
        .key_type(key_type)
        .build()
        .map_err(|error| Error::internal_from("invalid key schema", error))
}

#[async_trait]
impl Backend for AwsBackend {
    fn table_name(&self) -> &str {
        &self.table_name
    }

    fn implementation(&self) -> &'static str {
        "aws"
    }

    async fn get_item(&self, key: &Key) -> Result<Option<Item>, Error> {
        key.validate()?;
        let output = self
            .client
            .get_item()
            .table_name(&self.table_name)
            .set_key(Some(item_to_aws(key.to_item())))
            .consistent_read(true)
            .send()
            .await
            .map_err(|error| sdk_error("GetItem", error))?;
        output.item.map(item_from_aws).transpose()
    }

    async fn put_item(&self, item: Item, condition: Option<Condition>) -> Result<(), Error> {
        Key::from_item(&item)?.validate()?;
        let mut expressions = Expressions::default();
        let condition = condition.map(|condition| expressions.condition(&condition));
        let (names, values) = expressions.into_parts();

        self.client
            .put_item()
            .table_name(&self.table_name)
            .set_item(Some(item_to_aws(item)))
            .set_condition_expression(condition)
            .set_expression_attribute_names(names)
            .set_expression_attribute_values(values)
            .send()
            .await
            .map_err(|error| sdk_error("PutItem", error))?;
        Ok(())
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
            .set_key(Some(item_to_aws(key.to_item())))
            .set_condition_expression(condition)
            .set_expression_attribute_names(names)
            .set_expression_attribute_values(values)
            .return_values(ReturnValue::AllOld)
            .send()
            .await
            .map_err(|error| sdk_error("DeleteItem", error))?;
        let old = output
            .attributes
            .filter(|attributes| !attributes.is_empty());
        old.map(item_from_aws).transpose()
    }

    async fn query(&self, request: QueryRequest) -> Result<QueryOutput, Error> {
        request.validate()?;
        let mut expressions = Expressions::default();
        let key_condition = expressions.key_condition(&request.pk, request.sk_prefix.as_deref());
        let filter = request
            .filter
            .as_ref()
            .map(|filter| expressions.condition(filter));
        let (names, values) = expressions.into_parts();

        let output = self
            .client
            .query()
            .table_name(&self.table_name)
            .key_condition_expression(key_condition)
            .set_filter_expression(filter)
            .set_expression_attribute_names(names)
            .set_expression_attribute_values(values)
            .limit(i32::try_from(request.limit).unwrap_or(i32::MAX))
            .scan_index_forward(request.forward)
            .consistent_read(request.consistent_read)
            .set_exclusive_start_key(
                request
                    .exclusive_start
                    .map(|key| item_to_aws(key.to_item())),
            )
            .send()
            .await
            .map_err(|error| sdk_error("Query", error))?;

        let items = output
            .items
            .unwrap_or_default()
            .into_iter()
            .map(item_from_aws);
        let last_evaluated_key = output.last_evaluated_key.map(key_from_aws).transpose()?;
        Ok(QueryOutput::new(
            items.collect::<Result<_, _>>()?,
            last_evaluated_key,
        ))
    }
}
