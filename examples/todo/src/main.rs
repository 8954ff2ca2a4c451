//! The Todo service binary: a Lambda when `AWS_LAMBDA_RUNTIME_API` is set, a local server on
//! `127.0.0.1:$PORT` otherwise. `cargo run -p todo-service` starts it on the embedded table.

use std::process::ExitCode;

use stack_core::config::EnvReader;
use todo_service::{StartError, TodoConfig, open_table, schema_for};

#[tokio::main]
async fn main() -> ExitCode {
    stack_core::telemetry::init();
    match run().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            tracing::error!(error = %stack_core::error::chain(&error), "the Todo service stopped");
            ExitCode::FAILURE
        }
    }
}

async fn run() -> Result<(), StartError> {
    let config = TodoConfig::read(EnvReader::from_process())?;
    let table = open_table(&config).await?;
    let subgraph = stack_graphql::Subgraph::new(schema_for(table));
    stack_core::run_http(subgraph).await?;
    Ok(())
}
