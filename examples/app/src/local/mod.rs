//! The whole app in one process, for local use: what `cargo run -p stack-app` starts.
//!
//! One port serves:
//!
//! | path | what |
//! |---|---|
//! | `/` | a web page: sign in with the local issuer, run GraphQL through the router |
//! | `/graphql` | the router, behind a [`TokenGate`]: every request needs a bearer token |
//! | `/health` | the router's health check (no token) |
//! | `/auth/dev-token`, `/auth/.well-known/jwks.json` | the local token issuer |
//! | `/dev/mailbox` | emails the app sent (embedded table only) |
//!
//! Behind the router the Todo and Media subgraphs run in process ([`InProcess`]) over one
//! table, as they share one DynamoDB table when deployed. On the embedded table the table's
//! change feed drives the same publisher, bus rules and workers as the deployed Lambdas
//! ([`todo_service::local`]).
//!
//! Tokens come from the local issuer unless `STACK_AUTH_ISSUER` names another one (a Cognito
//! user pool or an emulator's), read as the authorizer reads it
//! ([`AuthorizerConfig`]). Table settings are the Todo service's ([`TodoConfig`]).

mod page;

use std::sync::Arc;

use stack_core::Mode;
use stack_core::clock::{SharedClock, SystemClock};
use stack_core::config::EnvReader;
use stack_core::http::{HttpService, Request, Response};
use stack_dynamo::Table;
use stack_graphql::authorizer::{
    AuthorizerConfig, LocalIssuer, TokenGate, TokenVerifier, TrustedIssuer,
};
use stack_graphql::router::{InProcess, Router, RouterOptions};
use stack_graphql::{HEALTH_PATH, Subgraph};
use stack_notify::email::{LocalMailbox, MAILBOX_PATH, mailbox_endpoint};
use todo_service::TodoConfig;
use todo_service::local::{LocalAsync, start_local_async};

use app_router::SUPERGRAPH;

/// The local app could not start.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StartError {
    /// The one-process app was started as a Lambda.
    #[error(
        "the one-process app runs locally only: deploy the router, authorizer and subgraph binaries"
    )]
    NotLocal,
    /// The table, its settings or the local pipeline.
    #[error(transparent)]
    Services(#[from] todo_service::StartError),
    /// The token settings or the local issuer.
    #[error(transparent)]
    Auth(#[from] stack_graphql::authorizer::StartError),
    /// The local issuer's key.
    #[error(transparent)]
    Issuer(#[from] stack_graphql::authorizer::IssuerError),
    /// The supergraph does not match the subgraphs.
    #[error(transparent)]
    Router(#[from] stack_graphql::router::RouterError),
    /// The runtime failed.
    #[error(transparent)]
    Runtime(#[from] stack_core::RuntimeError),
}

/// The running app: an [`HttpService`] for the local server. Dropping it stops the
/// background pipeline.
pub struct LocalApp {
    routes: Routes,
    pipeline: Option<LocalAsync>,
}

impl std::fmt::Debug for LocalApp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LocalApp")
            .field("pipeline", &self.pipeline)
            .finish_non_exhaustive()
    }
}

impl LocalApp {
    /// Starts the app from the process environment.
    ///
    /// # Errors
    ///
    /// [`StartError`] when a setting is invalid, the table cannot be opened, or the
    /// supergraph does not match the subgraphs.
    pub async fn from_env() -> Result<Self, StartError> {
        let clock: SharedClock = Arc::new(SystemClock);
        Self::start(EnvReader::from_process(), EnvReader::from_process(), clock).await
    }

    /// Starts the app with table settings from `table_env` and token settings from
    /// `auth_env`, checking token times against `clock`.
    ///
    /// # Errors
    ///
    /// As [`from_env`](Self::from_env).
    pub async fn start(
        table_env: EnvReader,
        auth_env: EnvReader,
        clock: SharedClock,
    ) -> Result<Self, StartError> {
        if Mode::from_env(&table_env) == Mode::Lambda {
            return Err(StartError::NotLocal);
        }
        let config = TodoConfig::read(table_env).map_err(todo_service::StartError::from)?;
        let auth = AuthorizerConfig::read(auth_env)
            .map_err(stack_graphql::authorizer::StartError::from)?;
        let store = todo_service::open_store(&config).await?;
        let router = router_over(&store.table)?;
        let (issuer, verifier) = token_check(&auth, clock)?;
        let pipeline = match store.embedded {
            Some(backend) => Some(start_local_async(
                backend,
                store.table,
                &config.core.data_dir,
            )?),
            None => None,
        };
        let routes = Routes {
            gate: TokenGate::new(verifier, router).open_path(HEALTH_PATH),
            issuer,
            mailbox: pipeline.as_ref().map(|p| p.mailbox.clone()),
        };
        Ok(Self { routes, pipeline })
    }

    /// Where the local pipeline writes emails, when the table is embedded.
    pub fn mailbox(&self) -> Option<&LocalMailbox> {
        self.pipeline.as_ref().map(|pipeline| &pipeline.mailbox)
    }
}

impl HttpService for LocalApp {
    async fn call(&self, request: Request) -> Response {
        self.routes.call(request).await
    }
}

/// The router with both subgraphs in process over one table.
fn router_over(table: &Table) -> Result<Router, StartError> {
    let todo = Subgraph::new(todo_service::schema_for(table.clone()));
    let media = Subgraph::new(media_service::schema_for(table.clone()));
    Ok(Router::builder(SUPERGRAPH)
        .options(RouterOptions::default())
        .subgraph("todo", InProcess::new(todo))
        .subgraph("media", InProcess::new(media))
        .build()?)
}

/// The local issuer (when the local one is trusted) and the verifier the gate uses.
fn token_check(
    auth: &AuthorizerConfig,
    clock: SharedClock,
) -> Result<(Option<Arc<LocalIssuer>>, Arc<TokenVerifier>), StartError> {
    let issuer = match &auth.issuer {
        TrustedIssuer::Local { data_dir } => {
            Some(Arc::new(LocalIssuer::open(data_dir, clock.clone())?))
        }
        _ => None,
    };
    Ok((issuer, auth.shared_verifier(clock)?))
}

/// One port, several services.
struct Routes {
    gate: TokenGate<Router>,
    issuer: Option<Arc<LocalIssuer>>,
    mailbox: Option<LocalMailbox>,
}

impl Routes {
    async fn call(&self, request: Request) -> Response {
        let path = request.uri().path();
        if path == page::PATH {
            return page::answer(&request);
        }
        if LocalIssuer::serves(path)
            && let Some(issuer) = &self.issuer
        {
            return issuer.answer(&request);
        }
        if path == MAILBOX_PATH
            && let Some(mailbox) = &self.mailbox
        {
            return mailbox_endpoint(mailbox.clone()).call(request).await;
        }
        self.gate.call(request).await
    }
}
