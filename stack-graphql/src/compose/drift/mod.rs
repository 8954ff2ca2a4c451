//! Keeping a committed supergraph in step with the subgraphs' code.

use std::fmt;
use std::path::{Path, PathBuf};

/// The environment variable that makes [`check_committed`] rewrite the file instead of failing.
pub const UPDATE_ENV: &str = "STACK_UPDATE_SUPERGRAPH";

/// What to do when the committed supergraph differs from the composed one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum OnDrift {
    /// Report the difference as a [`Drift`].
    Fail,
    /// Write the composed supergraph over the committed file (creating it if needed).
    Rewrite,
}

impl OnDrift {
    /// [`Rewrite`](Self::Rewrite) when [`UPDATE_ENV`] is set to `1` or `true`, else
    /// [`Fail`](Self::Fail).
    pub fn from_env() -> Self {
        match std::env::var(UPDATE_ENV).as_deref() {
            Ok("1" | "true") => Self::Rewrite,
            _ => Self::Fail,
        }
    }
}

/// The committed supergraph is not the one the subgraphs compose to.
#[derive(Debug)]
#[non_exhaustive]
pub enum Drift {
    /// No file at the path.
    Missing {
        /// The committed file's path.
        path: PathBuf,
    },
    /// The file differs from the composed supergraph.
    Differs {
        /// The committed file's path.
        path: PathBuf,
        /// The first line (one-based) that differs.
        line: usize,
        /// That line in the committed file (empty past its end).
        committed: String,
        /// That line in the composed supergraph (empty past its end).
        composed: String,
    },
    /// The file could not be read or written.
    Io {
        /// The committed file's path.
        path: PathBuf,
        /// What failed.
        source: std::io::Error,
    },
}

impl Drift {
    /// The committed file's path.
    pub fn path(&self) -> &Path {
        match self {
            Self::Missing { path } | Self::Differs { path, .. } | Self::Io { path, .. } => path,
        }
    }
}

impl fmt::Display for Drift {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let path = self.path().display();
        match self {
            Self::Missing { .. } => write!(f, "no committed supergraph at {path}")?,
            Self::Differs {
                line,
                committed,
                composed,
                ..
            } => write!(
                f,
                "the supergraph at {path} is out of date with the subgraph schemas; first \
                 difference at line {line}: committed `{committed}`, composed `{composed}`"
            )?,
            Self::Io { source, .. } => return write!(f, "cannot read or write {path}: {source}"),
        }
        write!(
            f,
            "; run the test again with {UPDATE_ENV}=1 to rewrite it, then commit it"
        )
    }
}

impl std::error::Error for Drift {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Io { source, .. } => Some(source),
            _ => None,
        }
    }
}

/// Compares the supergraph committed at `path` with `composed`; with
/// `STACK_UPDATE_SUPERGRAPH=1` in the environment, rewrites the file instead of failing.
///
/// Line endings do not count (a checkout with `\r\n` matches).
///
/// # Errors
///
/// [`Drift`] when the file is missing or differs (and the variable is not set), or when it
/// cannot be read or written.
pub fn check_committed(path: impl AsRef<Path>, composed: &str) -> Result<(), Drift> {
    check_committed_with(path, composed, OnDrift::from_env())
}

/// [`check_committed`] with the behaviour on drift given rather than read from the environment.
///
/// # Errors
///
/// As [`check_committed`].
pub fn check_committed_with(
    path: impl AsRef<Path>,
    composed: &str,
    on_drift: OnDrift,
) -> Result<(), Drift> {
    let path = path.as_ref();
    let drift = match std::fs::read_to_string(path) {
        Ok(committed) => match first_difference(&committed, composed) {
            None => return Ok(()),
            Some((line, committed, composed)) => Drift::Differs {
                path: path.to_owned(),
                line,
                committed,
                composed,
            },
        },
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => Drift::Missing {
            path: path.to_owned(),
        },
        Err(source) => {
            return Err(Drift::Io {
                path: path.to_owned(),
                source,
            });
        }
    };
    match on_drift {
        OnDrift::Fail => Err(drift),
        OnDrift::Rewrite => rewrite(path, composed),
    }
}

fn rewrite(path: &Path, composed: &str) -> Result<(), Drift> {
    let io = |source| Drift::Io {
        path: path.to_owned(),
        source,
    };
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent).map_err(io)?;
    }
    std::fs::write(path, composed).map_err(io)?;
    tracing::info!(target: "stack_graphql", path = %path.display(), "rewrote the committed supergraph");
    Ok(())
}

/// The first line where the texts differ, ignoring `\r` before line ends.
fn first_difference(committed: &str, composed: &str) -> Option<(usize, String, String)> {
    let mut left = committed.lines();
    let mut right = composed.lines();
    let mut line = 0;
    loop {
        line += 1;
        match (left.next(), right.next()) {
            (None, None) => {
                // `lines()` ignores one final newline: compare whether each text ends with one.
                let ends = |text: &str| text.ends_with('\n');
                if ends(committed) == ends(composed) {
                    return None;
                }
                return Some((line, String::new(), String::new()));
            }
            (a, b) if a == b => {}
            (a, b) => {
                let text = |side: Option<&str>| side.unwrap_or_default().to_owned();
                return Some((line, text(a), text(b)));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identical_texts_and_crlf_checkouts_match() {
        assert_eq!(first_difference("a\nb\n", "a\nb\n"), None);
        assert_eq!(first_difference("a\r\nb\r\n", "a\nb\n"), None);
    }

    #[test]
    fn the_first_differing_line_is_named() {
        let difference = first_difference("a\nb\nc\n", "a\nB\nc\n");
        assert_eq!(difference, Some((2, "b".to_owned(), "B".to_owned())));
        let shorter = first_difference("a\n", "a\nb\n");
        assert_eq!(shorter, Some((2, String::new(), "b".to_owned())));
        let newline = first_difference("a\n", "a");
        assert_eq!(newline, Some((2, String::new(), String::new())));
    }
}
