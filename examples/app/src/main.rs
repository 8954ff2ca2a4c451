//! The whole app in one process: the router, both subgraphs, the local token issuer, the
//! local event pipeline and mailbox, and a web page, on `127.0.0.1:$PORT` (default 4000).
//! See [`stack_app::local`].

use std::process::ExitCode;

use stack_app::local::{LocalApp, StartError};

#[tokio::main]
async fn main() -> ExitCode {
    stack_core::telemetry::init();
    match run().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            tracing::error!(error = %stack_core::error::chain(&error), "the app stopped");
            ExitCode::FAILURE
        }
    }
}

async fn run() -> Result<(), StartError> {
    let app = LocalApp::from_env().await?;
    stack_core::run_http(app).await?;
    Ok(())
}
