//! What composition reports: errors and warnings, each pointing into the subgraphs it is about.

use std::fmt;

/// How serious a [`Diagnostic`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Severity {
    /// Composition failed because of it.
    Error,
    /// Composition succeeded, but the subgraphs deserve a look.
    Warning,
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Error => "error",
            Self::Warning => "warning",
        })
    }
}

/// Where in a subgraph's SDL a diagnostic points.
///
/// The position is known when the element could be found in that subgraph's SDL (or the SDL
/// does not parse); the path is known when the message names an element.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Location {
    path: Option<String>,
    line: Option<usize>,
    column: Option<usize>,
}

impl Location {
    pub(super) fn new(path: Option<String>, position: Option<(usize, usize)>) -> Self {
        Self {
            path,
            line: position.map(|(line, _)| line),
            column: position.map(|(_, column)| column),
        }
    }

    /// The element named, as `Type`, `Type.field`, `Type.field(argument:)`, `Enum.VALUE` or
    /// `@directive`.
    pub fn path(&self) -> Option<&str> {
        self.path.as_deref()
    }

    /// The one-based line in the subgraph's SDL.
    pub fn line(&self) -> Option<usize> {
        self.line
    }

    /// The one-based column (in characters) in the subgraph's SDL.
    pub fn column(&self) -> Option<usize> {
        self.column
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let (Some(line), Some(column)) = (self.line, self.column) {
            write!(f, "{line}:{column}")?;
            if let Some(path) = &self.path {
                write!(f, " ({path})")?;
            }
            return Ok(());
        }
        match &self.path {
            Some(path) => f.write_str(path),
            None => Ok(()),
        }
    }
}

/// One subgraph a diagnostic is about, and where in it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Site {
    subgraph: String,
    location: Option<Location>,
}

impl Site {
    pub(super) fn new(subgraph: impl Into<String>, location: Option<Location>) -> Self {
        Self {
            subgraph: subgraph.into(),
            location,
        }
    }

    /// The subgraph's name, as given to the [`Composer`](super::Composer).
    pub fn subgraph(&self) -> &str {
        &self.subgraph
    }

    /// Where in the subgraph's SDL, when known.
    pub fn location(&self) -> Option<&Location> {
        self.location.as_ref()
    }
}

impl fmt::Display for Site {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.subgraph)?;
        match &self.location {
            Some(location) if location.line.is_some() => write!(f, ":{location}"),
            Some(location) if location.path.is_some() => write!(f, " at {location}"),
            _ => Ok(()),
        }
    }
}

/// An error or warning from composition.
///
/// Composition reports messages in prose; the sites are recovered from the subgraph names and
/// elements a message mentions, looked up in the subgraphs' SDL. A message that names no
/// subgraph but an element gets a site for every subgraph defining that element.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Diagnostic {
    severity: Severity,
    message: String,
    sites: Vec<Site>,
}

impl Diagnostic {
    pub(super) fn new(severity: Severity, message: impl Into<String>, sites: Vec<Site>) -> Self {
        Self {
            severity,
            message: message.into(),
            sites,
        }
    }

    /// Whether composition failed because of it.
    pub fn severity(&self) -> Severity {
        self.severity
    }

    /// The message, as composition worded it.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The first subgraph it is about, if any.
    pub fn subgraph(&self) -> Option<&str> {
        self.sites.first().map(Site::subgraph)
    }

    /// Where in [`subgraph`](Self::subgraph) it points, if known.
    pub fn location(&self) -> Option<&Location> {
        self.sites.first().and_then(Site::location)
    }

    /// Every subgraph it is about, in the order the message names them.
    pub fn sites(&self) -> &[Site] {
        &self.sites
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.severity)?;
        for (index, site) in self.sites.iter().enumerate() {
            let separator = if index == 0 { " in " } else { ", " };
            write!(f, "{separator}{site}")?;
        }
        write!(f, ": {}", self.message)
    }
}

/// Composition failed: the subgraphs do not form a supergraph.
///
/// `Display` lists every error, then every warning, one per line.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ComposeError {
    errors: Vec<Diagnostic>,
    warnings: Vec<Diagnostic>,
}

impl ComposeError {
    pub(super) fn new(diagnostics: Vec<Diagnostic>) -> Self {
        let (errors, warnings) = diagnostics
            .into_iter()
            .partition(|diagnostic| diagnostic.severity == Severity::Error);
        Self { errors, warnings }
    }

    /// Why composition failed; never empty.
    pub fn diagnostics(&self) -> &[Diagnostic] {
        &self.errors
    }

    /// Warnings reported alongside the errors.
    pub fn warnings(&self) -> &[Diagnostic] {
        &self.warnings
    }

    /// Whether any error is about `subgraph`.
    pub fn concerns(&self, subgraph: &str) -> bool {
        self.errors
            .iter()
            .any(|error| error.sites.iter().any(|site| site.subgraph == subgraph))
    }
}

impl fmt::Display for ComposeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let count = self.errors.len();
        let noun = if count == 1 { "error" } else { "errors" };
        write!(f, "supergraph composition failed with {count} {noun}")?;
        for diagnostic in self.errors.iter().chain(&self.warnings) {
            write!(f, "\n  {diagnostic}")?;
        }
        Ok(())
    }
}

impl std::error::Error for ComposeError {}
