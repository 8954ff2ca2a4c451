//! The authorizer Lambda: API Gateway's Lambda authorizer for Cognito JWTs.
//!
//! In Lambda (`AWS_LAMBDA_RUNTIME_API` set) it answers authorizer events; locally it serves
//! the same handler at `POST 127.0.0.1:$PORT/2015-03-31/functions/function/invocations`.
//! Settings (see `stack_graphql::authorizer::AuthorizerConfig`): `STACK_AUTH_ISSUER`,
//! `STACK_AUTH_JWKS_URL`, `STACK_AUTH_CLIENT_IDS`, `STACK_AUTH_TOKEN_USE`,
//! `STACK_AUTH_LEEWAY_SECONDS`, `STACK_AUTH_JWKS_MIN_REFETCH_SECONDS`; locally, without
//! `STACK_AUTH_ISSUER`, it trusts the local issuer's key under `STACK_DATA_DIR`.
//!
//! `cargo run -p stack-app --bin authorizer` starts it locally.

use std::process::ExitCode;
use std::sync::Arc;

use stack_core::clock::SystemClock;
use stack_core::config::EnvReader;
use stack_graphql::authorizer::{AuthorizerConfig, AuthorizerHandler, StartError};

#[tokio::main]
async fn main() -> ExitCode {
    stack_core::telemetry::init();
    match run().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            tracing::error!(error = %stack_core::error::chain(&error), "the authorizer stopped");
            ExitCode::FAILURE
        }
    }
}

async fn run() -> Result<(), StartError> {
    let config = AuthorizerConfig::read(EnvReader::from_process())?;
    let handler = AuthorizerHandler::new(config.verifier(Arc::new(SystemClock))?);
    stack_core::run_events(handler).await?;
    Ok(())
}
