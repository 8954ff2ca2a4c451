//! What a subgraph exposes and how much work one request may ask for.

use stack_core::Mode;

/// Where a feature is available, decided per request from the edge that received it.
///
/// "Local" means the request came through the local server (its
/// [`EdgeContext`](stack_core::http::EdgeContext) says [`Mode::Local`]); a request that came
/// through Lambda, or that no edge handled, is not local.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Availability {
    /// On for every request.
    Always,
    /// On for requests through the local server, off in Lambda.
    LocalOnly,
    /// Off for every request.
    Never,
}

impl Availability {
    /// Whether the feature is on for a request that arrived in `mode` (`None`: no edge).
    pub fn allows(self, mode: Option<Mode>) -> bool {
        match self {
            Self::Always => true,
            Self::LocalOnly => mode == Some(Mode::Local),
            Self::Never => false,
        }
    }
}

/// How much work one GraphQL document may ask for.
///
/// Every operation in a document must stay within the limits, not only the one that runs. A
/// violation is a GraphQL error with `extensions.code` `OPERATION_LIMIT_EXCEEDED` and
/// `extensions.limit` naming the limit; it never reaches a resolver.
///
/// | limit | default | counts |
/// |---|---|---|
/// | [`max_document_bytes`](Self::max_document_bytes) | 65 536 | bytes of the `query` text |
/// | [`max_depth`](Self::max_depth) | 15 | nested field levels, `{ a { b } }` is 2 |
/// | [`max_complexity`](Self::max_complexity) | 1 000 | fields with fragments expanded (*) |
/// | [`max_aliases`](Self::max_aliases) | 30 | aliased fields once fragments are expanded |
/// | [`max_root_fields`](Self::max_root_fields) | none | fields at the top of an operation |
/// | [`max_entities`](Self::max_entities) | 500 | representations in one `_entities` call |
///
/// (*) The same value also limits async-graphql's own complexity, which honours per-field
/// `#[graphql(complexity = ...)]` attributes.
///
/// Before the document is parsed, brackets may nest at most `max_depth + 32` levels (never more
/// than 128), and selection sets, counting fragment spreads, may nest at most as much: this is
/// what keeps hostile documents from exhausting the stack, and it is reported as the `nesting`
/// limit. async-graphql's parser also refuses selection sets nested more than 64 deep, so a
/// `max_depth` above 63 has no effect.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    pub(crate) document_bytes: usize,
    pub(crate) depth: usize,
    pub(crate) complexity: usize,
    pub(crate) aliases: usize,
    pub(crate) root_fields: Option<usize>,
    pub(crate) entities: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            document_bytes: 64 * 1024,
            depth: 15,
            complexity: 1000,
            aliases: 30,
            root_fields: None,
            entities: 500,
        }
    }
}

impl Limits {
    /// Nesting allowed beyond [`max_depth`](Self::max_depth), for arguments, input objects
    /// and fragments.
    const NESTING_HEADROOM: usize = 32;

    /// The most nesting ever allowed. async-graphql's parser recurses once per bracket before
    /// any check of its own, and 400 nested lists overflow a 2 MiB thread stack in a debug
    /// build; 128 leaves a wide margin.
    const NESTING_CEILING: usize = 128;

    /// Sets the largest `query` text accepted, in bytes.
    pub fn max_document_bytes(mut self, bytes: usize) -> Self {
        self.document_bytes = bytes;
        self
    }

    /// Sets how many field levels an operation may nest.
    pub fn max_depth(mut self, depth: usize) -> Self {
        self.depth = depth;
        self
    }

    /// Sets the largest complexity: the number of fields once fragments are expanded, and
    /// async-graphql's complexity.
    pub fn max_complexity(mut self, complexity: usize) -> Self {
        self.complexity = complexity;
        self
    }

    /// Sets how many aliased fields an operation may have once fragments are expanded.
    pub fn max_aliases(mut self, aliases: usize) -> Self {
        self.aliases = aliases;
        self
    }

    /// Sets how many fields the top of an operation may have; `None` (the default) for no
    /// limit.
    pub fn max_root_fields(mut self, fields: Option<usize>) -> Self {
        self.root_fields = fields;
        self
    }

    /// Sets how many representations one `_entities` call may carry (default 500).
    pub fn max_entities(mut self, representations: usize) -> Self {
        self.entities = representations;
        self
    }

    /// How deep brackets and selection sets may nest.
    pub(crate) fn nesting(&self) -> usize {
        self.depth
            .saturating_add(Self::NESTING_HEADROOM)
            .min(Self::NESTING_CEILING)
    }
}

/// How a [`Subgraph`](crate::Subgraph) is served.
///
/// ```
/// use stack_graphql::{Availability, Limits, SubgraphOptions};
///
/// let options = SubgraphOptions::default()
///     .path("/api/graphql")
///     .introspection(Availability::Always)
///     .limits(Limits::default().max_depth(10));
/// # let _ = options;
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubgraphOptions {
    pub(crate) path: String,
    pub(crate) introspection: Availability,
    pub(crate) explorer: Availability,
    pub(crate) limits: Limits,
}

impl Default for SubgraphOptions {
    fn default() -> Self {
        Self {
            path: "/graphql".to_owned(),
            introspection: Availability::LocalOnly,
            explorer: Availability::LocalOnly,
            limits: Limits::default(),
        }
    }
}

impl SubgraphOptions {
    /// Sets the path GraphQL is served on (default `/graphql`); a missing leading `/` is
    /// added.
    pub fn path(mut self, path: impl Into<String>) -> Self {
        let path = path.into();
        self.path = if path.starts_with('/') {
            path
        } else {
            format!("/{path}")
        };
        self
    }

    /// Sets where `__schema` and `__type` may be queried (default: locally only).
    ///
    /// `_service { sdl }` is always answered: routers read the subgraph's schema through it.
    pub fn introspection(mut self, availability: Availability) -> Self {
        self.introspection = availability;
        self
    }

    /// Sets where a browser opening the GraphQL path gets the query page (default: locally
    /// only).
    pub fn explorer(mut self, availability: Availability) -> Self {
        self.explorer = availability;
        self
    }

    /// Sets the limits on documents.
    pub fn limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }
}
