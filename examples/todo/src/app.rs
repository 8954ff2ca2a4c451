//! Putting the service together from its configuration.

use std::sync::Arc;

use stack_core::clock::SystemClock;
use stack_dynamo::Table;

use crate::config::{TableBackend, TodoConfig};
use crate::schema::{MutationRoot, QueryRoot, build_schema};

/// The subgraph's SDL for supergraph composition, as `_service { sdl }` returns it; built
/// without a table.
pub fn sdl() -> String {
    let schema =
        async_graphql::Schema::build(QueryRoot, MutationRoot, async_graphql::EmptySubscription)
            .enable_federation()
            .finish();
    stack_graphql::federation_sdl(&schema)
}
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
    /// The local mailbox, push log or templates could not be set up.
    #[error("could not set up notifications")]
    Notify(#[from] stack_notify::Error),
    /// The local bus could not be set up.
    #[error("could not set up the local bus")]
    Async(#[from] stack_async::Error),
}

/// The opened table, and the embedded backend under it when there is one (its change feed
/// drives the local publisher).
#[derive(Debug, Clone)]
pub struct Store {
    /// The table, with its cursor keys.
    pub table: Table,
    /// The embedded backend, when the table is embedded.
    pub embedded: Option<stack_dynamo::EmbeddedBackend>,
}

/// Opens the table the configuration names, keeping the embedded backend at hand.
///
/// # Errors
///
/// As [`open_table`].
pub async fn open_store(config: &TodoConfig) -> Result<Store, StartError> {
    let (table, embedded) = open_backend(config).await?;
    Ok(Store {
        table: with_cursor_keys(table, config),
        embedded,
    })
}

/// Opens the table the configuration names, with its cursor keys. AWS clients are built only
/// for DynamoDB.
///
/// # Errors
///
/// Fails when the embedded file cannot be opened or the DynamoDB table cannot be created.
pub async fn open_table(config: &TodoConfig) -> Result<Table, StartError> {
    Ok(open_store(config).await?.table)
}

fn with_cursor_keys(mut table: Table, config: &TodoConfig) -> Table {
    match &config.cursor_key {
        Some(key) => table = table.with_cursor_key(key.clone()),
        // Only locally: the configuration requires a key in Lambda.
        None => tracing::info!("STACK_CURSOR_KEY is not set: page cursors use a well-known key"),
    }
    if let Some(previous) = &config.previous_cursor_key {
        table = table.with_previous_cursor_key(previous.clone());
    }
    table
}

async fn open_backend(
    config: &TodoConfig,
) -> Result<(Table, Option<stack_dynamo::EmbeddedBackend>), StartError> {
    let failed = |source| StartError::Table {
        backend: config.backend,
        source,
    };
    match config.backend {
        TableBackend::Embedded => {
            let backend = stack_dynamo::EmbeddedBackend::open_in_background(
                config.core.data_dir.clone(),
                config.table_name.clone(),
            )
            .await
            .map_err(failed)?;
            Ok((Table::new(backend.clone()), Some(backend)))
        }
        TableBackend::DynamoDb => {
            let client = aws_sdk_dynamodb::Client::new(stack_core::aws::load_config().await);
            let backend = stack_dynamo::AwsBackend::new(client, &config.table_name);
            if config.create_table {
                backend.create_table_if_missing().await.map_err(failed)?;
            }
            Ok((Table::new(backend), None))
        }
    }
}

/// The schema over a table, with the system clock, ready for [`stack_graphql::Subgraph`].
pub fn schema_for(
    table: Table,
) -> async_graphql::SchemaBuilder<QueryRoot, MutationRoot, async_graphql::EmptySubscription> {
    build_schema(Arc::new(TodoService::new(table, Arc::new(SystemClock))))
}
