//! The Media service's settings, from the environment.
//!
//! The table settings are the Todo service's, with the same defaults, so that both services
//! meet in one DynamoDB table. Locally the standalone binary differs in two defaults, so it
//! can run next to the Todo binary: port [`DEFAULT_PORT`], and the data directory
//! [`DEFAULT_DATA_DIR`] (an embedded table file can be open in one process only).

use std::path::PathBuf;

use stack_core::Mode;
use stack_core::config::{ConfigError, CoreConfig, EnvReader};

/// The local port when `PORT` is not set (the Todo service listens on 4000).
pub const DEFAULT_PORT: u16 = 4002;

/// The embedded table's directory when `STACK_DATA_DIR` is not set.
pub const DEFAULT_DATA_DIR: &str = ".stack/media";

/// The table's name when `STACK_TABLE_NAME` is not set: the Todo service's table.
pub const DEFAULT_TABLE_NAME: &str = "todos";

pub use stack_dynamo::TableBackend;

/// Everything the Media service reads at start.
#[derive(Debug, Clone)]
pub struct MediaConfig {
    /// Whether the process runs in Lambda or locally.
    pub mode: Mode,
    /// The port (`PORT`, default [`DEFAULT_PORT`]) and data directory (`STACK_DATA_DIR`,
    /// default [`DEFAULT_DATA_DIR`]).
    pub core: CoreConfig,
    /// `STACK_TABLE_BACKEND`: `embedded` (the default locally) or `dynamodb` (the default in
    /// Lambda).
    pub backend: TableBackend,
    /// `STACK_TABLE_NAME`: the table's name (default [`DEFAULT_TABLE_NAME`]; required with
    /// DynamoDB in Lambda).
    pub table_name: String,
    /// `STACK_TABLE_CREATE`: create the DynamoDB table when it is missing (for emulators and
    /// development accounts; default false).
    pub create_table: bool,
}

impl MediaConfig {
    /// Reads the settings, reporting every missing or invalid variable at once.
    ///
    /// # Errors
    ///
    /// Returns a [`ConfigError`] that lists each problem.
    pub fn read(mut env: EnvReader) -> Result<Self, ConfigError> {
        let mode = Mode::from_env(&env);
        let mut core = CoreConfig::read(&mut env);
        if !env.is_set("PORT") {
            core.port = DEFAULT_PORT;
        }
        if !env.is_set("STACK_DATA_DIR") {
            core.data_dir = PathBuf::from(DEFAULT_DATA_DIR);
        }
        let default_backend = match mode {
            Mode::Lambda => TableBackend::DynamoDb,
            Mode::Local => TableBackend::Embedded,
        };
        let backend = env
            .optional("STACK_TABLE_BACKEND")
            .unwrap_or(default_backend);
        let table_name = if backend == TableBackend::DynamoDb && mode == Mode::Lambda {
            env.required("STACK_TABLE_NAME")
        } else {
            env.optional("STACK_TABLE_NAME")
                .unwrap_or_else(|| DEFAULT_TABLE_NAME.to_owned())
        };
        let create_table = env.optional("STACK_TABLE_CREATE").unwrap_or(false);
        if mode == Mode::Local && backend == TableBackend::DynamoDb && !has_endpoint(&env) {
            // Locally the SDK's default chain would look for credentials on the instance
            // metadata address and send requests to AWS itself.
            env.invalid(
                "STACK_TABLE_BACKEND",
                "`dynamodb` locally needs AWS_ENDPOINT_URL (an emulator such as moto)",
            );
        }
        if !table_name.is_empty() && !valid_table_name(&table_name) {
            env.invalid("STACK_TABLE_NAME", "use 3 to 255 of A-Z a-z 0-9 _ - .");
        }
        env.finish().map(|()| Self {
            mode,
            core,
            backend,
            table_name,
            create_table,
        })
    }
}

/// Whether the AWS SDK is pointed at an endpoint of our choosing.
fn has_endpoint(env: &EnvReader) -> bool {
    env.is_set("AWS_ENDPOINT_URL") || env.is_set("AWS_ENDPOINT_URL_DYNAMODB")
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

    fn problems(pairs: &[(&str, &str)]) -> Vec<String> {
        let error = MediaConfig::read(EnvReader::from_pairs(pairs.iter().copied())).err();
        error
            .iter()
            .flat_map(ConfigError::problems)
            .map(|problem| problem.name.clone())
            .collect()
    }

    #[test]
    fn local_defaults_need_no_variables_and_keep_clear_of_the_todo_service() {
        let config = MediaConfig::read(EnvReader::from_pairs(Vec::<(String, String)>::new()));
        let config = config
            .ok()
            .map(|c| (c.backend, c.table_name, c.core.port, c.core.data_dir));
        let expected = (
            TableBackend::Embedded,
            "todos".to_owned(),
            4002,
            PathBuf::from(".stack/media"),
        );
        assert_eq!(config, Some(expected));
    }

    #[test]
    fn port_and_data_dir_can_be_set() {
        let env = EnvReader::from_pairs([("PORT", "4100"), ("STACK_DATA_DIR", "/tmp/m")]);
        let config = MediaConfig::read(env).ok().map(|c| c.core);
        assert_eq!(config.as_ref().map(|core| core.port), Some(4100));
        assert_eq!(
            config.map(|core| core.data_dir),
            Some(PathBuf::from("/tmp/m"))
        );
    }

    #[test]
    fn lambda_requires_a_table_name_and_reports_all_problems() {
        let names = problems(&[
            ("AWS_LAMBDA_RUNTIME_API", "127.0.0.1:9001"),
            ("STACK_TABLE_CREATE", "maybe"),
            ("PORT", "http"),
        ]);
        assert_eq!(names, ["PORT", "STACK_TABLE_NAME", "STACK_TABLE_CREATE"]);
    }

    #[test]
    fn dynamodb_locally_needs_an_endpoint() {
        assert_eq!(
            problems(&[("STACK_TABLE_BACKEND", "dynamodb")]),
            ["STACK_TABLE_BACKEND"]
        );
        let with_endpoint = [
            ("STACK_TABLE_BACKEND", "dynamodb"),
            ("AWS_ENDPOINT_URL", "http://127.0.0.1:5000"),
        ];
        assert!(problems(&with_endpoint).is_empty());
    }

    #[test]
    fn bad_backends_and_table_names_are_refused() {
        assert_eq!(
            problems(&[("STACK_TABLE_BACKEND", "postgres")]),
            ["STACK_TABLE_BACKEND"]
        );
        assert_eq!(
            problems(&[("STACK_TABLE_NAME", "no/slashes")]),
            ["STACK_TABLE_NAME"]
        );
    }
}
