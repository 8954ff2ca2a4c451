//! The Todo service's settings, from the environment.

use stack_core::Mode;
use stack_core::config::{ConfigError, CoreConfig, EnvReader};
use stack_dynamo::CursorKey;

pub use stack_dynamo::TableBackend;

/// Everything the Todo service reads at start.
#[derive(Debug, Clone)]
pub struct TodoConfig {
    /// Whether the process runs in Lambda or locally.
    pub mode: Mode,
    /// Settings shared by every Stack process (port, data directory).
    pub core: CoreConfig,
    /// `STACK_TABLE_BACKEND`: `embedded` (the default locally) or `dynamodb` (the default in
    /// Lambda).
    pub backend: TableBackend,
    /// `STACK_TABLE_NAME`: the table's name (default `todos`; required with DynamoDB in Lambda).
    pub table_name: String,
    /// `STACK_TABLE_CREATE`: create the DynamoDB table when it is missing (for emulators and
    /// development accounts; default false).
    pub create_table: bool,
    /// `STACK_CURSOR_KEY`: base64 of at least 32 secret bytes that sign page cursors, the
    /// same for every instance of the service; required in Lambda. Locally, without it,
    /// cursors are signed with a well-known key: still bound to their query, but forgeable.
    /// Never logged.
    pub cursor_key: Option<CursorKey>,
    /// `STACK_PREVIOUS_CURSOR_KEY`: the key being rotated out; its cursors are still accepted.
    pub previous_cursor_key: Option<CursorKey>,
}

impl TodoConfig {
    /// Reads the settings, reporting every missing or invalid variable at once.
    ///
    /// # Errors
    ///
    /// Returns a [`ConfigError`] that lists each problem.
    pub fn read(mut env: EnvReader) -> Result<Self, ConfigError> {
        let mode = Mode::from_env(&env);
        let core = CoreConfig::read(&mut env);
        let default_backend = if mode == Mode::Lambda {
            TableBackend::DynamoDb
        } else {
            TableBackend::Embedded
        };
        let backend = env
            .optional("STACK_TABLE_BACKEND")
            .unwrap_or(default_backend);
        let table_name = if backend == TableBackend::DynamoDb && mode == Mode::Lambda {
            env.required("STACK_TABLE_NAME")
        } else {
            env.optional("STACK_TABLE_NAME")
                .unwrap_or_else(|| "todos".to_owned())
        };
        let create_table = env.optional("STACK_TABLE_CREATE").unwrap_or(false);
        let cursor_key = env.secret("STACK_CURSOR_KEY", parse_cursor_key);
        if mode == Mode::Lambda && !env.is_set("STACK_CURSOR_KEY") {
            env.invalid(
                "STACK_CURSOR_KEY",
                "is required in Lambda, where every instance must share it",
            );
        }
        if mode == Mode::Local && backend == TableBackend::DynamoDb && !has_endpoint(&env) {
            // Locally the SDK's default chain would look for credentials on the instance
            // metadata address and send requests to AWS itself.
            env.invalid(
                "STACK_TABLE_BACKEND",
                "`dynamodb` locally needs AWS_ENDPOINT_URL (an emulator such as moto)",
            );
        }
        let previous_cursor_key = env.secret("STACK_PREVIOUS_CURSOR_KEY", parse_cursor_key);
        if !valid_table_name(&table_name) && !table_name.is_empty() {
            env.invalid("STACK_TABLE_NAME", "use 3 to 255 of A-Z a-z 0-9 _ - .");
        }
        env.finish().map(|()| Self {
            mode,
            core,
            backend,
            table_name,
            create_table,
            cursor_key,
            previous_cursor_key,
        })
    }
}

/// Whether the AWS SDK is pointed at an endpoint of our choosing.
fn has_endpoint(env: &EnvReader) -> bool {
    env.is_set("AWS_ENDPOINT_URL") || env.is_set("AWS_ENDPOINT_URL_DYNAMODB")
}

/// Parses a cursor key; the reason never contains the value.
fn parse_cursor_key(text: &str) -> Result<CursorKey, String> {
    CursorKey::from_base64(text).map_err(|_| "expected base64 of at least 32 bytes".to_owned())
}

fn valid_table_name(name: &str) -> bool {
    (3..=255).contains(&name.len())
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "_-.".contains(c))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_defaults_need_no_variables() {
        let config = TodoConfig::read(EnvReader::from_pairs(Vec::<(String, String)>::new()));
        let config = config.ok().map(|c| (c.backend, c.table_name, c.core.port));
        assert_eq!(
            config,
            Some((TableBackend::Embedded, "todos".to_owned(), 4000))
        );
    }

    #[test]
    fn dynamodb_locally_needs_an_endpoint() {
        let env = EnvReader::from_pairs([("STACK_TABLE_BACKEND", "dynamodb")]);
        let message = TodoConfig::read(env)
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(message.contains("AWS_ENDPOINT_URL"), "{message}");
        let env = EnvReader::from_pairs([
            ("STACK_TABLE_BACKEND", "dynamodb"),
            ("AWS_ENDPOINT_URL", "http://127.0.0.1:5000"),
        ]);
        assert!(TodoConfig::read(env).is_ok());
    }

    #[test]
    fn lambda_requires_a_table_name_and_cursor_key_and_reports_all_problems() {
        let env = EnvReader::from_pairs([
            ("AWS_LAMBDA_RUNTIME_API", "127.0.0.1:9001"),
            ("STACK_TABLE_CREATE", "maybe"),
        ]);
        let error = TodoConfig::read(env).err();
        let names: Vec<String> = error
            .iter()
            .flat_map(ConfigError::problems)
            .map(|p| p.name.clone())
            .collect();
        assert_eq!(
            names,
            ["STACK_TABLE_NAME", "STACK_TABLE_CREATE", "STACK_CURSOR_KEY"]
        );
    }

    #[test]
    fn cursor_keys_are_read_and_bad_ones_reported_without_their_value() {
        let key = "c3RhY2stdG9kby1jdXJzb3Ita2V5LWZvci10ZXN0cy0wMTIzNDU2Nzg5"; // 42 bytes
        let config = TodoConfig::read(EnvReader::from_pairs([("STACK_CURSOR_KEY", key)]));
        assert!(config.is_ok_and(|c| c.cursor_key.is_some() && c.previous_cursor_key.is_none()));

        let env = EnvReader::from_pairs([("STACK_CURSOR_KEY", "c2hvcnQ=")]);
        let message = TodoConfig::read(env)
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(
            message.contains("STACK_CURSOR_KEY has an invalid value"),
            "{message}"
        );
        assert!(!message.contains("c2hvcnQ"), "{message}");
    }

    #[test]
    fn unknown_backends_are_refused() {
        let env = EnvReader::from_pairs([("STACK_TABLE_BACKEND", "postgres")]);
        let message = TodoConfig::read(env)
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(message.contains("STACK_TABLE_BACKEND"), "{message}");
    }
}
