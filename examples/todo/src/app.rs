//! Putting the service together from its configuration.

use std::sync::Arc;

use stack_core::clock::SystemClock;
use stack_dynamo::Table;

use crate::config::{TableBackend, TodoConfig};
use crate::schema::{MutationRoot, QueryRoot, build_schema};
use crate::service::TodoService;

/// The service could not start.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StartError {
    /// The configuration is invalid.
    #[error(transparent)]
    Config(#[from] stack_core::config::ConfigError),
    /// The table could not be opened or created.
    #[error("could not open the {backend} table")]
    Table {
        /// Which backend.
        backend: TableBackend,
        /// Why.
        #[source]
        source: stack_dynamo::Error,
    },
    /// The runtime failed.
    #[error(transparent)]
    Runtime(#[from] stack_core::RuntimeError),
}

/// Opens the table the configuration names, with its cursor keys. AWS clients are built only
/// for DynamoDB.
///
/// # Errors
///
/// Fails when the embedded file cannot be opened or the DynamoDB table cannot be created.
pub async fn open_table(config: &TodoConfig) -> Result<Table, StartError> {
    let table = open_backend(config).await?;
    Ok(with_cursor_keys(table, config))
}

fn with_cursor_keys(mut table: Table, config: &TodoConfig) -> Table {
    match &config.cursor_key {
        Some(key) => table = table.with_cursor_key(key.clone()),
        None if stack_core::Mode::detect() == stack_core::Mode::Lambda => {
            tracing::warn!(
                "STACK_CURSOR_KEY is not set: page cursors are signed with a well-known key"
            );
        }
        None => {}
    }
    if let Some(previous) = &config.previous_cursor_key {
        table = table.with_previous_cursor_key(previous.clone());
    }
    table
}

async fn open_backend(config: &TodoConfig) -> Result<Table, StartError> {
    let failed = |source| StartError::Table {
        backend: config.backend,
        source,
    };
    match config.backend {
        TableBackend::Embedded => {
            let backend =
                stack_dynamo::EmbeddedBackend::open(&config.core.data_dir, &config.table_name)
                    .map_err(failed)?;
            Ok(Table::new(backend))
        }
        TableBackend::DynamoDb => {
            let client = aws_sdk_dynamodb::Client::new(stack_core::aws::load_config().await);
            let backend = stack_dynamo::AwsBackend::new(client, &config.table_name);
            if config.create_table {
                backend.create_table_if_missing().await.map_err(failed)?;
            }
            Ok(Table::new(backend))
        }
    }
}

/// The schema over a table, with the system clock, ready for [`stack_graphql::Subgraph`].
pub fn schema_for(
    table: Table,
) -> async_graphql::SchemaBuilder<QueryRoot, MutationRoot, async_graphql::EmptySubscription> {
    build_schema(Arc::new(TodoService::new(table, Arc::new(SystemClock))))
}
