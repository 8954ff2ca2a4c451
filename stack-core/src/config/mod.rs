//! Typed configuration from the environment.
//!
//! Settings of The Stack are environment variables with the `STACK_` prefix (plus a few
//! conventional names such as `PORT`). [`EnvReader`] reads them all and collects every problem,
//! so one [`ConfigError`] lists each missing or invalid variable instead of failing on the first.
//!
//! ```
//! use stack_core::config::EnvReader;
//!
//! let mut env = EnvReader::from_pairs([("STACK_TABLE_NAME", "todos"), ("PORT", "8080")]);
//! let table: String = env.required("STACK_TABLE_NAME");
//! let port: u16 = env.optional("PORT").unwrap_or(4000);
//! env.finish().expect("valid configuration");
//! assert_eq!((table.as_str(), port), ("todos", 8080));
//! ```

use std::collections::BTreeMap;
use std::fmt;
use std::path::PathBuf;
use std::str::FromStr;

/// The prefix of every variable The Stack reads for itself.
pub const PREFIX: &str = "STACK_";

/// Reads typed values from a snapshot of the environment, collecting every problem.
#[derive(Debug, Clone)]
pub struct EnvReader {
    vars: BTreeMap<String, String>,
    problems: Vec<ConfigProblem>,
}

impl EnvReader {
    /// Takes a snapshot of the process environment (variables that are not UTF-8 are skipped).
    pub fn from_process() -> Self {
        Self::from_pairs(
            std::env::vars_os()
                .filter_map(|(k, v)| Some((k.into_string().ok()?, v.into_string().ok()?))),
        )
    }

    /// Uses the given pairs as the environment (for tests and embedding).
    pub fn from_pairs<K: Into<String>, V: Into<String>>(
        pairs: impl IntoIterator<Item = (K, V)>,
    ) -> Self {
        let vars = pairs
            .into_iter()
            .map(|(k, v)| (k.into(), v.into()))
            .collect();
        Self {
            vars,
            problems: Vec::new(),
        }
    }

    /// The raw value of a variable; empty values count as absent.
    pub fn raw(&self, name: &str) -> Option<&str> {
        self.vars
            .get(name)
            .map(String::as_str)
            .filter(|value| !value.is_empty())
    }

    /// Whether a variable is set to a non-empty value.
    pub fn is_set(&self, name: &str) -> bool {
        self.raw(name).is_some()
    }

    /// Parses an optional variable. An invalid value is recorded as a problem and read as absent.
    pub fn optional<T>(&mut self, name: &str) -> Option<T>
    where
        T: FromStr,
        T::Err: fmt::Display,
    {
        let raw = self.raw(name)?.to_owned();
        match raw.parse::<T>() {
            Ok(value) => Some(value),
            Err(error) => {
                self.problems
                    .push(ConfigProblem::invalid(name, &raw, &error.to_string()));
                None
            }
        }
    }

    /// Parses a required variable. A missing or invalid value is recorded as a problem and
    /// `T::default()` is returned, so reading can go on and report everything at once.
    pub fn required<T>(&mut self, name: &str) -> T
    where
        T: FromStr + Default,
        T::Err: fmt::Display,
    {
        if !self.is_set(name) {
            self.problems.push(ConfigProblem::missing(name));
            return T::default();
        }
        self.optional(name).unwrap_or_default()
    }

    /// Reads an optional secret with `parse`. A problem is recorded without the value, so a
    /// mistyped secret never reaches a log; `parse` must not put the value in its reason.
    pub fn secret<T>(
        &mut self,
        name: &str,
        parse: impl FnOnce(&str) -> Result<T, String>,
    ) -> Option<T> {
        let raw = self.raw(name)?;
        match parse(raw) {
            Ok(value) => Some(value),
            Err(reason) => {
                let reason = format!("has an invalid value (not shown): {reason}");
                self.problems.push(ConfigProblem {
                    name: name.to_owned(),
                    reason,
                });
                None
            }
        }
    }

    /// Records a problem found by the caller's own validation.
    pub fn invalid(&mut self, name: &str, reason: impl Into<String>) {
        let raw = self.raw(name).unwrap_or_default().to_owned();
        self.problems
            .push(ConfigProblem::invalid(name, &raw, &reason.into()));
    }

    /// Ends reading: every problem recorded so far, as one error.
    ///
    /// # Errors
    ///
    /// Returns a [`ConfigError`] listing each missing or invalid variable.
    pub fn finish(self) -> Result<(), ConfigError> {
        if self.problems.is_empty() {
            Ok(())
        } else {
            Err(ConfigError {
                problems: self.problems,
            })
        }
    }
}

/// One missing or invalid variable.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigProblem {
    /// The variable's name.
    pub name: String,
    /// What is wrong with it.
    pub reason: String,
}

impl ConfigProblem {
    fn missing(name: &str) -> Self {
        Self {
            name: name.to_owned(),
            reason: "is required but not set".to_owned(),
        }
    }

    fn invalid(name: &str, raw: &str, reason: &str) -> Self {
        let shown: String = raw.chars().take(64).collect();
        Self {
            name: name.to_owned(),
            reason: format!("has invalid value {shown:?}: {reason}"),
        }
    }
}

/// The configuration could not be read; lists every problem found.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct ConfigError {
    problems: Vec<ConfigProblem>,
}

impl ConfigError {
    /// Each missing or invalid variable.
    pub fn problems(&self) -> &[ConfigProblem] {
        &self.problems
    }
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "invalid configuration ({} problem(s))",
            self.problems.len()
        )?;
        for problem in &self.problems {
            write!(f, "; {} {}", problem.name, problem.reason)?;
        }
        Ok(())
    }
}

/// Settings every Stack process shares.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct CoreConfig {
    /// The local server's port on 127.0.0.1 (`PORT`, default 4000; 0 picks a free port).
    pub port: u16,
    /// Where embedded backends keep their data (`STACK_DATA_DIR`, default `.stack/`).
    pub data_dir: PathBuf,
}

impl CoreConfig {
    /// The default local port.
    pub const DEFAULT_PORT: u16 = 4000;

    /// Reads the shared settings, recording problems in `env`.
    pub fn read(env: &mut EnvReader) -> Self {
        let port = env.optional("PORT").unwrap_or(Self::DEFAULT_PORT);
        let data_dir = env
            .optional("STACK_DATA_DIR")
            .unwrap_or_else(|| PathBuf::from(".stack"));
        Self { port, data_dir }
    }

    /// Reads the shared settings from the process environment.
    ///
    /// # Errors
    ///
    /// Returns every invalid variable at once.
    pub fn from_env() -> Result<Self, ConfigError> {
        let mut env = EnvReader::from_process();
        let config = Self::read(&mut env);
        env.finish().map(|()| config)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_problem_is_listed_at_once() {
        let mut env = EnvReader::from_pairs([("PORT", "eighty"), ("STACK_LIMIT", "-1")]);
        let _: String = env.required("STACK_TABLE_NAME");
        let _: Option<u16> = env.optional("PORT");
        let _: Option<u32> = env.optional("STACK_LIMIT");
        let error = env
            .finish()
            .err()
            .map(|e| e.problems().to_vec())
            .unwrap_or_default();
        let names: Vec<_> = error.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(names, ["STACK_TABLE_NAME", "PORT", "STACK_LIMIT"]);
        assert!(error[1].reason.contains("\"eighty\""));
    }

    #[test]
    fn message_names_each_variable() {
        let mut env = EnvReader::from_pairs([("PORT", "x")]);
        let _: String = env.required("STACK_A");
        let _: Option<u16> = env.optional("PORT");
        let message = env
            .finish()
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(message.contains("STACK_A is required"), "{message}");
        assert!(message.contains("PORT has invalid value"), "{message}");
    }

    #[test]
    fn invalid_secrets_are_reported_without_their_value() {
        let mut env = EnvReader::from_pairs([("STACK_SECRET", "hunter2")]);
        let parsed: Option<u8> = env.secret("STACK_SECRET", |_| Err("too short".to_owned()));
        assert_eq!(parsed, None);
        let message = env
            .finish()
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(
            message.contains("STACK_SECRET has an invalid value (not shown): too short"),
            "{message}"
        );
        assert!(!message.contains("hunter2"), "{message}");
    }

    #[test]
    fn core_defaults_apply_when_unset() {
        let mut env = EnvReader::from_pairs([("PORT", "")]);
        let config = CoreConfig::read(&mut env);
        assert!(env.finish().is_ok());
        assert_eq!(
            config,
            CoreConfig {
                port: 4000,
                data_dir: PathBuf::from(".stack")
            }
        );
    }
}
