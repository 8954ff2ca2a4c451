//! Logs through `tracing`: JSON lines in Lambda, readable lines locally.
//!
//! Binaries call [`init`] once at start. Libraries only emit `tracing` events and spans.
//!
//! - In Lambda the default is one JSON object per line with `timestamp`, `level`, `target`,
//!   `message`, the event's fields and the fields of the spans around it; the invocation span
//!   adds `requestId`, `traceId` (from the invocation, never from the process environment) and
//!   `coldStart`.
//! - Locally the default is a readable line per event.
//! - `AWS_LAMBDA_LOG_FORMAT` (`JSON` or `Text`) overrides the format in both modes.
//! - `AWS_LAMBDA_LOG_LEVEL` (`TRACE`, `DEBUG`, `INFO`, `WARN`, `ERROR`, `FATAL`) sets the level;
//!   without it `RUST_LOG` is read as a filter (a default level and levels per target, such
//!   as `todo_service=debug,warn`; span and field filters are not supported, they would cost
//!   a regular-expression engine in every binary), and the default is `info`.

mod json;

use tracing_subscriber::filter::Targets;
use tracing_subscriber::layer::SubscriberExt as _;
use tracing_subscriber::util::SubscriberInitExt as _;

use crate::Mode;
use crate::config::EnvReader;

pub use json::{JsonLines, SpanFields};

/// How log lines are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    /// One JSON object per line.
    Json,
    /// Readable text.
    Text,
}

/// What [`init_with`] sets up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogSettings {
    /// The line format.
    pub format: LogFormat,
    /// A `tracing` filter directive, such as `info` or `todo_service=debug,info`.
    pub filter: String,
}

impl LogSettings {
    /// Settings from the environment, with defaults for the mode.
    pub fn from_env(env: &EnvReader) -> Self {
        let mode = Mode::from_env(env);
        let format = match env
            .raw("AWS_LAMBDA_LOG_FORMAT")
            .map(str::to_ascii_lowercase)
            .as_deref()
        {
            Some("json") => LogFormat::Json,
            Some("text") => LogFormat::Text,
            _ if mode == Mode::Lambda => LogFormat::Json,
            _ => LogFormat::Text,
        };
        let filter = match env.raw("AWS_LAMBDA_LOG_LEVEL") {
            Some(level) => lambda_level(level).to_owned(),
            None => env.raw("RUST_LOG").unwrap_or("info").to_owned(),
        };
        Self { format, filter }
    }
}

/// Maps Lambda's log levels to `tracing` levels (`FATAL` has no equal and becomes `error`).
fn lambda_level(level: &str) -> &'static str {
    match level.to_ascii_uppercase().as_str() {
        "TRACE" => "trace",
        "DEBUG" => "debug",
        "WARN" => "warn",
        "ERROR" | "FATAL" => "error",
        _ => "info",
    }
}

/// The filter for a directive such as `info` or `todo_service=debug,warn`: a default level and
/// levels per target prefix. Span and field filters (`[span{field=value}]`) are not supported;
/// a directive that does not parse logs at `info`.
fn filter_of(directive: &str) -> Targets {
    directive
        .parse::<Targets>()
        .unwrap_or_else(|_| Targets::new().with_default(tracing::Level::INFO))
}

/// Sets up logging from the environment. Calling it again does nothing.
pub fn init() {
    init_with(&LogSettings::from_env(&EnvReader::from_process()));
}

/// Sets up logging with explicit settings. Calling it again does nothing.
pub fn init_with(settings: &LogSettings) {
    let filter = filter_of(&settings.filter);
    let result = match settings.format {
        LogFormat::Json => {
            let fmt = tracing_subscriber::fmt::layer()
                .event_format(JsonLines)
                .with_writer(std::io::stdout);
            tracing_subscriber::registry()
                .with(filter)
                .with(SpanFields::layer())
                .with(fmt)
                .try_init()
        }
        LogFormat::Text => {
            let colours = std::io::IsTerminal::is_terminal(&std::io::stderr());
            let fmt = tracing_subscriber::fmt::layer()
                .with_target(false)
                .with_ansi(colours)
                .with_writer(std::io::stderr);
            tracing_subscriber::registry()
                .with(filter)
                .with(fmt)
                .try_init()
        }
    };
    // A subscriber set earlier (a test harness, an embedding program) stays in charge.
    drop(result);
}

/// The span that wraps one Lambda invocation; its fields appear on every line logged inside it.
pub fn invocation_span(
    request_id: &str,
    trace_id: Option<&str>,
    cold_start: bool,
) -> tracing::Span {
    tracing::info_span!(
        "invocation",
        requestId = request_id,
        traceId = trace_id,
        coldStart = cold_start
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn filters_set_levels_per_target_and_fall_back_to_info() {
        use tracing::Level;

        let filter = filter_of("todo_service=debug,warn");
        assert!(filter.would_enable("todo_service::schema", &Level::DEBUG));
        assert!(!filter.would_enable("stack_dynamo", &Level::INFO));
        assert!(filter.would_enable("stack_dynamo", &Level::WARN));
        for unusable in ["[span{field=1}]=debug", "todo=loud"] {
            let filter = filter_of(unusable);
            assert!(filter.would_enable("anything", &Level::INFO), "{unusable}");
            assert!(
                !filter.would_enable("anything", &Level::DEBUG),
                "{unusable}"
            );
        }
    }

    #[test]
    fn lambda_defaults_to_json_and_local_to_text() {
        let lambda = LogSettings::from_env(&EnvReader::from_pairs([(
            "AWS_LAMBDA_RUNTIME_API",
            "127.0.0.1:9001",
        )]));
        let local = LogSettings::from_env(&EnvReader::from_pairs([("PORT", "1")]));
        assert_eq!(lambda.format, LogFormat::Json);
        assert_eq!(local.format, LogFormat::Text);
    }

    #[test]
    fn lambda_variables_override_the_defaults() {
        let env = EnvReader::from_pairs([
            ("AWS_LAMBDA_LOG_FORMAT", "Text"),
            ("AWS_LAMBDA_LOG_LEVEL", "FATAL"),
            ("RUST_LOG", "trace"),
        ]);
        let settings = LogSettings::from_env(&env);
        assert_eq!(
            settings,
            LogSettings {
                format: LogFormat::Text,
                filter: "error".into()
            }
        );
    }
}
