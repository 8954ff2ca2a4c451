//! Creating a table like the deployed one: for emulators, development and tests.

use std::time::Duration;

use aws_sdk_dynamodb::client::Waiters;
use aws_sdk_dynamodb::error::ProvideErrorMetadata;
use aws_sdk_dynamodb::types::{
    AttributeDefinition, BillingMode, GlobalSecondaryIndex, KeySchemaElement, KeyType, Projection,
    ProjectionType, ScalarAttributeType, StreamSpecification, StreamViewType,
    TimeToLiveSpecification,
};

use super::AwsBackend;
use super::convert::sdk_error;
use crate::Error;
use crate::key::attr;

/// How long [`AwsBackend::create_table_if_missing`] waits for the table to become active.
const TABLE_ACTIVE_TIMEOUT: Duration = Duration::from_secs(120);

impl AwsBackend {
    /// Creates the table unless it exists, then waits until it is active: `pk`/`sk` string
    /// keys, one global secondary index per configured index (`<name>pk`/`<name>sk`,
    /// projecting everything), on-demand billing, a stream of new and old images, and TTL on
    /// the `ttl` attribute. For local development and tests; deployed tables come from the
    /// infrastructure code, with the same shape.
    ///
    /// # Errors
    ///
    /// When DynamoDB refuses to create the table or it does not become active in two minutes.
    pub async fn create_table_if_missing(&self) -> Result<(), Error> {
        let created = self
            .client
            .create_table()
            .table_name(&self.table_name)
            .set_attribute_definitions(Some(self.attribute_definitions()?))
            .set_key_schema(Some(key_schema(attr::PK, attr::SK)?))
            .set_global_secondary_indexes(self.global_indexes()?)
            .billing_mode(BillingMode::PayPerRequest)
            .stream_specification(streams()?)
            .send()
            .await;
        match created {
            Ok(_) => tracing::info!(table = %self.table_name, "created the DynamoDB table"),
            Err(error) if error.code() == Some("ResourceInUseException") => return Ok(()),
            Err(error) => return Err(sdk_error("CreateTable", error)),
        }
        self.wait_until_active().await?;
        self.enable_ttl().await
    }

    fn attribute_definitions(&self) -> Result<Vec<AttributeDefinition>, Error> {
        let index_keys = self
            .indexes
            .iter()
            .flat_map(|index| [attr::index_pk(index), attr::index_sk(index)]);
        [attr::PK.to_owned(), attr::SK.to_owned()]
            .into_iter()
            .chain(index_keys)
            .map(|name| string_key(&name))
            .collect()
    }

    fn global_indexes(&self) -> Result<Option<Vec<GlobalSecondaryIndex>>, Error> {
        let indexes = self
            .indexes
            .iter()
            .map(|index| {
                let schema = key_schema(&attr::index_pk(index), &attr::index_sk(index))?;
                let all = Projection::builder()
                    .projection_type(ProjectionType::All)
                    .build();
                GlobalSecondaryIndex::builder()
                    .index_name(index)
                    .set_key_schema(Some(schema))
                    .projection(all)
                    .build()
                    .map_err(invalid)
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok((!indexes.is_empty()).then_some(indexes))
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

    async fn enable_ttl(&self) -> Result<(), Error> {
        let ttl = TimeToLiveSpecification::builder()
            .attribute_name(attr::TTL)
            .enabled(true)
            .build()
            .map_err(invalid)?;
        self.client
            .update_time_to_live()
            .table_name(&self.table_name)
            .time_to_live_specification(ttl)
            .send()
            .await
            .map(drop)
            .map_err(|error| sdk_error("UpdateTimeToLive", error))
    }
}

fn streams() -> Result<StreamSpecification, Error> {
    StreamSpecification::builder()
        .stream_enabled(true)
        .stream_view_type(StreamViewType::NewAndOldImages)
        .build()
        .map_err(invalid)
}

fn string_key(name: &str) -> Result<AttributeDefinition, Error> {
    AttributeDefinition::builder()
        .attribute_name(name)
        .attribute_type(ScalarAttributeType::S)
        .build()
        .map_err(invalid)
}

fn key_schema(pk: &str, sk: &str) -> Result<Vec<KeySchemaElement>, Error> {
    let part = |name: &str, key_type| {
        KeySchemaElement::builder()
            .attribute_name(name)
            .key_type(key_type)
            .build()
            .map_err(invalid)
    };
    Ok(vec![part(pk, KeyType::Hash)?, part(sk, KeyType::Range)?])
}

fn invalid(error: aws_sdk_dynamodb::error::BuildError) -> Error {
    Error::internal_from("invalid table definition", error)
}
