//! The Todo service binary: a Lambda when `AWS_LAMBDA_RUNTIME_API` is set, a local server on
//! `127.0.0.1:$PORT` otherwise. `cargo run -p todo-service` starts it on the embedded table,
//! with the local event pipeline, mailbox (`GET /dev/mailbox`) and push log.

use std::process::ExitCode;
use std::sync::Arc;

use stack_core::Mode;
use stack_core::config::EnvReader;
use stack_core::http::{HttpService, Request};
use stack_notify::email::{MAILBOX_PATH, mailbox_endpoint};
use todo_service::local::start_local_async;
use todo_service::{StartError, TodoConfig, open_store, schema_for};

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
    let store = open_store(&config).await?;
    let subgraph = stack_graphql::Subgraph::new(schema_for(store.table.clone()));
    let local = match (Mode::detect(), store.embedded) {
        (Mode::Local, Some(backend)) => Some(start_local_async(
            backend,
            store.table,
            &config.core.data_dir,
        )?),
        _ => None,
    };
    let Some(local) = local else {
        stack_core::run_http(subgraph).await?;
        return Ok(());
    };
    let (mailbox, subgraph) = (
        Arc::new(mailbox_endpoint(local.mailbox.clone())),
        Arc::new(subgraph),
    );
    let service = move |request: Request| {
        let to_mailbox = request.uri().path() == MAILBOX_PATH;
        let (mailbox, subgraph) = (Arc::clone(&mailbox), Arc::clone(&subgraph));
        async move {
            if to_mailbox {
                mailbox.call(request).await
            } else {
                subgraph.call(request).await
            }
        }
    };
    let served = stack_core::run_http(service).await;
    drop(local);
    Ok(served?)
}
