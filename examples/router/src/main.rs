//! The router Lambda: the federation router over the app's embedded supergraph.
//!
//! In Lambda it reaches each subgraph by direct Invoke (`STACK_SUBGRAPH_<NAME>_FUNCTION`);
//! locally it serves `127.0.0.1:$PORT` and reaches subgraphs over HTTP. See
//! [`app_router::settings`] for every setting.

use std::process::ExitCode;

use app_router::SUPERGRAPH;
use app_router::settings::RouterSettings;
use stack_core::config::EnvReader;

#[derive(Debug, thiserror::Error)]
enum StartError {
    #[error(transparent)]
    Config(#[from] stack_core::config::ConfigError),
    #[error(transparent)]
    Router(#[from] stack_graphql::router::RouterError),
    #[error(transparent)]
    Runtime(#[from] stack_core::RuntimeError),
}

#[tokio::main]
async fn main() -> ExitCode {
    stack_core::telemetry::init();
    match run().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            tracing::error!(error = %stack_core::error::chain(&error), "the router stopped");
            ExitCode::FAILURE
        }
    }
}

async fn run() -> Result<(), StartError> {
    let settings = RouterSettings::read(EnvReader::from_process())?;
    let router = settings.build(SUPERGRAPH)?;
    stack_core::run_http(router).await?;
    Ok(())
}
