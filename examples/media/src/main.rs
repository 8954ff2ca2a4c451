//! The Media service binary: a Lambda when `AWS_LAMBDA_RUNTIME_API` is set, a local server on
//! `127.0.0.1:$PORT` (default 4002) otherwise. `cargo run -p media-service` starts it on the
//! embedded table under `.stack/media/`.

use std::process::ExitCode;

use media_service::{MediaConfig, StartError, open_table, schema_for};
use stack_core::Mode;
use stack_core::config::EnvReader;
use stack_core::http::local::{LocalServer, shutdown_signal};

#[tokio::main]
async fn main() -> ExitCode {
    stack_core::telemetry::init();
    match run().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            tracing::error!(error = %stack_core::error::chain(&error), "the Media service stopped");
            ExitCode::FAILURE
        }
    }
}

async fn run() -> Result<(), StartError> {
    let config = MediaConfig::read(EnvReader::from_process())?;
    let table = open_table(&config).await?;
    let subgraph = stack_graphql::Subgraph::new(schema_for(table));
    if config.mode == Mode::Lambda {
        return Ok(stack_core::run_http(subgraph).await?);
    }
    // Served here rather than by `run_http`, whose local server listens on the shared default
    // port: this service's default port is its own.
    let server = LocalServer::bind(config.core.port).await?;
    let address = server.address();
    tracing::info!(%address, "serving locally on http://{address}");
    Ok(server.serve(subgraph, shutdown_signal()).await?)
}
