//! The router's settings and the router they build.
//!
//! The supergraph is [`SUPERGRAPH`](crate::SUPERGRAPH), embedded at build time. Each subgraph
//! is reached one of three ways, chosen per subgraph by the environment:
//!
//! | variable | transport |
//! |---|---|
//! | `STACK_SUBGRAPH_<NAME>_FUNCTION` | direct Lambda Invoke of that function (name or ARN) |
//! | `STACK_SUBGRAPH_<NAME>_URL` | HTTP(S) POST to that URL (`http` only to loopback hosts) |
//! | neither | locally, the URL the supergraph names; in Lambda, a configuration error |
//!
//! `<NAME>` is the subgraph's name in upper case: `TODO`, `MEDIA`. Other settings:
//!
//! | variable | meaning |
//! |---|---|
//! | `STACK_ROUTER_SUBGRAPH_TIMEOUT_MS` | how long a subgraph may take (default 10000, at most 60000) |
//! | `STACK_ROUTER_CORS_ORIGINS` | comma-separated origins allowed by CORS (`*` for any; default none) |
//! | `STACK_ROUTER_PROPAGATE_HEADERS` | comma-separated request headers copied to subgraphs |
//!
//! Invoke calls are signed with the credentials and region Lambda gives every function
//! (`AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN`, `AWS_REGION`), read
//! only when some subgraph is reached by Invoke; `AWS_ENDPOINT_URL_LAMBDA` points them
//! elsewhere (an emulator).

use std::time::Duration;

use stack_core::Mode;
use stack_core::config::{ConfigError, EnvReader};
use stack_graphql::router::{HttpTransport, LambdaTransport, Router, RouterError, RouterOptions};

/// The subgraphs of the app's supergraph, by their `@join__graph` names.
pub const SUBGRAPHS: [&str; 2] = ["todo", "media"];

/// The longest subgraph timeout that may be configured.
const MAX_TIMEOUT_MS: u64 = 60_000;

/// How the router reaches one subgraph.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Endpoint {
    /// The URL the supergraph names (local use only).
    Supergraph,
    /// HTTP(S) to this URL.
    Url(String),
    /// Lambda Invoke of this function.
    Function(String),
}

/// Everything the router binary reads at start.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct RouterSettings {
    /// Whether the process runs in Lambda or locally.
    pub mode: Mode,
    /// How each subgraph is reached, in [`SUBGRAPHS`] order.
    pub endpoints: Vec<(&'static str, Endpoint)>,
    /// `STACK_ROUTER_SUBGRAPH_TIMEOUT_MS`.
    pub subgraph_timeout: Option<Duration>,
    /// `STACK_ROUTER_CORS_ORIGINS`.
    pub cors_origins: Vec<String>,
    /// `STACK_ROUTER_PROPAGATE_HEADERS`, lower-cased.
    pub propagate_headers: Vec<String>,
}

impl RouterSettings {
    /// Reads the settings, reporting every missing or invalid variable at once.
    ///
    /// # Errors
    ///
    /// A [`ConfigError`] that lists each problem.
    pub fn read(mut env: EnvReader) -> Result<Self, ConfigError> {
        let mode = Mode::from_env(&env);
        let endpoints = SUBGRAPHS
            .iter()
            .map(|name| (*name, endpoint(&mut env, mode, name)))
            .collect();
        let subgraph_timeout = env
            .optional::<u64>("STACK_ROUTER_SUBGRAPH_TIMEOUT_MS")
            .and_then(|ms| match ms {
                1..=MAX_TIMEOUT_MS => Some(Duration::from_millis(ms)),
                _ => {
                    env.invalid(
                        "STACK_ROUTER_SUBGRAPH_TIMEOUT_MS",
                        format!("expected 1 to {MAX_TIMEOUT_MS} milliseconds"),
                    );
                    None
                }
            });
        let cors_origins = list(&env, "STACK_ROUTER_CORS_ORIGINS");
        let propagate_headers = list(&env, "STACK_ROUTER_PROPAGATE_HEADERS")
            .into_iter()
            .map(|name| name.to_ascii_lowercase())
            .collect();
        env.finish()?;
        Ok(Self {
            mode,
            endpoints,
            subgraph_timeout,
            cors_origins,
            propagate_headers,
        })
    }

    /// The router's options from these settings.
    pub fn options(&self) -> RouterOptions {
        let mut options = RouterOptions::default();
        if let Some(timeout) = self.subgraph_timeout {
            options.subgraph_timeout = timeout;
        }
        options.cors_origins.clone_from(&self.cors_origins);
        options
            .propagate_headers
            .clone_from(&self.propagate_headers);
        options
    }

    /// Builds the router over `supergraph`, with a transport for each subgraph.
    ///
    /// # Errors
    ///
    /// [`RouterError`] when the supergraph does not plan, a URL is unusable, a subgraph has
    /// no transport, or a subgraph is reached by Invoke and the AWS settings are missing.
    pub fn build(&self, supergraph: &str) -> Result<Router, RouterError> {
        let mut builder = Router::builder(supergraph).options(self.options());
        let mut lambda: Option<LambdaTransport> = None;
        for (name, endpoint) in &self.endpoints {
            builder = match endpoint {
                Endpoint::Supergraph => builder.http_to_supergraph_urls(),
                Endpoint::Url(url) => builder.subgraph(*name, HttpTransport::new(url)?),
                Endpoint::Function(function) => {
                    // Later functions share the first one's settings and connections.
                    let transport = match &lambda {
                        Some(first) => first.for_function(function)?,
                        None => lambda.insert(LambdaTransport::from_env(function)?).clone(),
                    };
                    builder.subgraph(*name, transport)
                }
            };
        }
        builder.build()
    }
}

fn endpoint(env: &mut EnvReader, mode: Mode, name: &str) -> Endpoint {
    let upper = name.to_ascii_uppercase();
    let function_var = format!("STACK_SUBGRAPH_{upper}_FUNCTION");
    let url_var = format!("STACK_SUBGRAPH_{upper}_URL");
    let function: Option<String> = env.optional(&function_var);
    let url: Option<String> = env.optional(&url_var);
    match (function, url) {
        (Some(_), Some(_)) => {
            env.invalid(&url_var, format!("set either {function_var} or {url_var}"));
            Endpoint::Supergraph
        }
        (Some(function), None) if !function.trim().is_empty() => Endpoint::Function(function),
        (None, Some(url)) if !url.trim().is_empty() => Endpoint::Url(url),
        (None, None) if mode == Mode::Local => Endpoint::Supergraph,
        _ => {
            env.invalid(
                &function_var,
                format!("name the {name} subgraph's function (or set {url_var})"),
            );
            Endpoint::Supergraph
        }
    }
}

fn list(env: &EnvReader, name: &str) -> Vec<String> {
    env.raw(name)
        .unwrap_or_default()
        .split(',')
        .map(str::trim)
        .filter(|item| !item.is_empty())
        .map(str::to_owned)
        .collect()
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    fn problems(env: EnvReader) -> Vec<String> {
        RouterSettings::read(env)
            .unwrap_err()
            .problems()
            .iter()
            .map(|p| p.name.clone())
            .collect()
    }

    #[test]
    fn locally_subgraphs_default_to_the_supergraph_urls() {
        let settings = RouterSettings::read(EnvReader::from_pairs([
            ("STACK_SUBGRAPH_MEDIA_URL", "http://127.0.0.1:4102/graphql"),
            ("STACK_ROUTER_CORS_ORIGINS", "https://app.example, *"),
            ("STACK_ROUTER_PROPAGATE_HEADERS", "X-Request-Id"),
        ]))
        .unwrap();
        assert_eq!(
            settings.endpoints,
            [
                ("todo", Endpoint::Supergraph),
                (
                    "media",
                    Endpoint::Url("http://127.0.0.1:4102/graphql".into())
                )
            ]
        );
        let options = settings.options();
        assert_eq!(options.cors_origins, ["https://app.example", "*"]);
        assert_eq!(options.propagate_headers, ["x-request-id"]);
    }

    #[test]
    fn lambda_requires_a_way_to_each_subgraph() {
        let env = EnvReader::from_pairs([
            ("AWS_LAMBDA_RUNTIME_API", "127.0.0.1:9001"),
            ("STACK_SUBGRAPH_TODO_FUNCTION", "todo-fn"),
        ]);
        assert_eq!(problems(env), ["STACK_SUBGRAPH_MEDIA_FUNCTION"]);
    }

    #[test]
    fn conflicting_and_out_of_range_settings_are_named() {
        let env = EnvReader::from_pairs([
            ("STACK_SUBGRAPH_TODO_FUNCTION", "todo-fn"),
            ("STACK_SUBGRAPH_TODO_URL", "http://127.0.0.1:1/graphql"),
            ("STACK_ROUTER_SUBGRAPH_TIMEOUT_MS", "0"),
        ]);
        assert_eq!(
            problems(env),
            [
                "STACK_SUBGRAPH_TODO_URL",
                "STACK_ROUTER_SUBGRAPH_TIMEOUT_MS"
            ]
        );
    }
}
