//! Putting the service together from its configuration.

use std::sync::Arc;

use async_graphql::{EmptySubscription, SchemaBuilder};
use stack_core::clock::SystemClock;
use stack_dynamo::Table;

use crate::config::{MediaConfig, TableBackend};
use crate::schema::{MutationRoot, QueryRoot, build_schema, unserved_schema};
use crate::service::MediaService;

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

/// Opens the table the configuration names. AWS clients are built only for DynamoDB.
///
/// # Errors
///
/// Fails when the embedded file cannot be opened (or is open in another process) or the
/// DynamoDB table cannot be created.
pub async fn open_table(config: &MediaConfig) -> Result<Table, StartError> {
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
///
/// The one-process app hands the Todo and Media services the same [`Table`]; the table must
/// have the index `gsi1` (both backends create it by default).
pub fn schema_for(table: Table) -> SchemaBuilder<QueryRoot, MutationRoot, EmptySubscription> {
    build_schema(Arc::new(MediaService::new(table, Arc::new(SystemClock))))
}

/// The subgraph's SDL for supergraph composition, as `_service { sdl }` returns it; built
/// without a table.
pub fn sdl() -> String {
    stack_graphql::federation_sdl(&unserved_schema().enable_federation().finish())
}
