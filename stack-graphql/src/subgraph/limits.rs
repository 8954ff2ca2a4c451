//! Checks that bound the work of a document, before any of it reaches async-graphql.
//!
//! The order matters for safety: the size is checked on the raw text, then bracket nesting
//! with a flat scan (so the recursive parser never sees a deep document), then the parsed
//! document is measured once per fragment (so fragments spread many times cost no more than
//! fragments spread once). Every walk here is bounded by the nesting limit, whatever the input.

use std::collections::HashMap;

use async_graphql::ServerError;
use async_graphql::parser::types::{
    ExecutableDocument, Field, FragmentDefinition, Selection, SelectionSet,
};
use async_graphql::{Name, Positioned};

use crate::error::{self, codes};
use crate::subgraph::options::Limits;

/// The size of the `query` text.
pub(crate) fn check_size(query: &str, limits: &Limits) -> Result<(), ServerError> {
    if query.len() <= limits.document_bytes {
        return Ok(());
    }
    let message = format!(
        "the document is {} bytes; the limit is {}",
        query.len(),
        limits.document_bytes
    );
    Err(violation(message, "documentBytes", limits.document_bytes))
}

/// How deep brackets nest in the text, ignoring strings and comments.
pub(crate) fn check_nesting(query: &str, limits: &Limits) -> Result<(), ServerError> {
    let limit = limits.nesting();
    if bracket_depth(query, limit) <= limit {
        return Ok(());
    }
    Err(nesting_violation(limit))
}

/// The deepest bracket nesting of `text`, scanning no further once it exceeds `stop_above`.
fn bracket_depth(text: &str, stop_above: usize) -> usize {
    let mut scanner = Scanner {
        bytes: text.as_bytes(),
        at: 0,
    };
    let (mut depth, mut deepest) = (0usize, 0usize);
    while let Some(byte) = scanner.next_significant() {
        match byte {
            b'{' | b'[' | b'(' => depth += 1,
            b'}' | b']' | b')' => depth = depth.saturating_sub(1),
            _ => {}
        }
        deepest = deepest.max(depth);
        if deepest > stop_above {
            break;
        }
    }
    deepest
}

/// Walks GraphQL source text byte by byte, skipping strings and comments.
struct Scanner<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl Scanner<'_> {
    /// The next byte outside strings and comments.
    fn next_significant(&mut self) -> Option<u8> {
        loop {
            let byte = *self.bytes.get(self.at)?;
            self.at += 1;
            match byte {
                b'#' => self.skip_comment(),
                b'"' if self.bytes[self.at..].starts_with(b"\"\"") => self.skip_block_string(),
                b'"' => self.skip_string(),
                _ => return Some(byte),
            }
        }
    }

    fn skip_comment(&mut self) {
        while let Some(&byte) = self.bytes.get(self.at) {
            self.at += 1;
            if byte == b'\n' || byte == b'\r' {
                return;
            }
        }
    }

    fn skip_string(&mut self) {
        while let Some(&byte) = self.bytes.get(self.at) {
            self.at += 1;
            match byte {
                b'\\' => self.at += 1,
                b'"' | b'\n' | b'\r' => return,
                _ => {}
            }
        }
    }

    fn skip_block_string(&mut self) {
        self.at += 2;
        while self.at < self.bytes.len() {
            let rest = &self.bytes[self.at..];
            if rest.starts_with(b"\\\"\"\"") {
                self.at += 4;
            } else if rest.starts_with(b"\"\"\"") {
                self.at += 3;
                return;
            } else {
                self.at += 1;
            }
        }
    }
}

/// What one selection set asks for once its fragments are expanded.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Metrics {
    /// The deepest level of fields: `{ a { b } }` is 2.
    pub(crate) depth: usize,
    /// Fields once fragments are expanded (saturating).
    pub(crate) fields: usize,
    /// Aliased fields once fragments are expanded (saturating).
    pub(crate) aliases: usize,
    /// Fields at the top level, through top-level fragments.
    pub(crate) root_fields: usize,
    /// Whether the top level selects `__schema` or `__type`.
    pub(crate) introspection: bool,
    /// How deep selection sets nest below this one, counting fragment spreads.
    nesting: usize,
}

impl Metrics {
    fn field(field: &Field, children: Metrics) -> Self {
        let name = field.name.node.as_str();
        let has_children = !field.selection_set.node.items.is_empty();
        Self {
            depth: children.depth + 1,
            fields: children.fields.saturating_add(1),
            aliases: children
                .aliases
                .saturating_add(usize::from(field.alias.is_some())),
            root_fields: 1,
            introspection: matches!(name, "__schema" | "__type"),
            nesting: if has_children {
                children.nesting + 1
            } else {
                0
            },
        }
    }

    /// A fragment's selections, merged into the set that spreads it.
    fn spread(inner: Metrics) -> Self {
        Self {
            nesting: inner.nesting + 1,
            ..inner
        }
    }

    /// Two sibling selections.
    fn merge(self, other: Metrics) -> Self {
        Self {
            depth: self.depth.max(other.depth),
            fields: self.fields.saturating_add(other.fields),
            aliases: self.aliases.saturating_add(other.aliases),
            root_fields: self.root_fields.saturating_add(other.root_fields),
            introspection: self.introspection || other.introspection,
            nesting: self.nesting.max(other.nesting),
        }
    }
}

/// Measures every operation and fragment of a parsed document and checks the limits.
///
/// Returns the metrics of each operation, by name (`None` for an anonymous one).
pub(crate) fn check_document(
    document: &ExecutableDocument,
    limits: &Limits,
) -> Result<HashMap<Option<Name>, Metrics>, ServerError> {
    let mut walk = Walk::new(document, limits.nesting());
    let mut measured = HashMap::new();
    for (name, operation) in document.operations.iter() {
        let metrics = walk.selection_set(&operation.node.selection_set.node, 0)?;
        check_metrics(&metrics, limits)?;
        measured.insert(name.cloned(), metrics);
    }
    // Unused fragments are measured too: a fragment cycle or a long chain of them must be
    // refused here, before async-graphql's own recursive validation sees it.
    for (name, fragment) in &document.fragments {
        walk.fragment(name, fragment, 0)?;
    }
    Ok(measured)
}

fn check_metrics(metrics: &Metrics, limits: &Limits) -> Result<(), ServerError> {
    let within = |actual: usize, limit: usize, what: &str, name: &'static str| {
        if actual <= limit {
            return Ok(());
        }
        let message = format!("the operation has {actual} {what}; the limit is {limit}");
        Err(violation(message, name, limit))
    };
    within(metrics.depth, limits.depth, "levels of fields", "depth")?;
    within(metrics.aliases, limits.aliases, "aliases", "aliases")?;
    within(
        metrics.fields,
        limits.complexity,
        "fields with fragments expanded",
        "complexity",
    )?;
    match limits.root_fields {
        Some(limit) => within(metrics.root_fields, limit, "root fields", "rootFields"),
        None => Ok(()),
    }
}

/// A depth-first walk that measures each fragment once.
struct Walk<'d> {
    fragments: &'d HashMap<Name, Positioned<FragmentDefinition>>,
    measured: HashMap<&'d str, Metrics>,
    /// The fragments being measured, to catch cycles.
    open: Vec<&'d str>,
    nesting_limit: usize,
}

impl<'d> Walk<'d> {
    fn new(document: &'d ExecutableDocument, nesting_limit: usize) -> Self {
        let fragments = &document.fragments;
        Self {
            fragments,
            measured: HashMap::new(),
            open: Vec::new(),
            nesting_limit,
        }
    }

    fn selection_set(
        &mut self,
        set: &'d SelectionSet,
        level: usize,
    ) -> Result<Metrics, ServerError> {
        if level > self.nesting_limit {
            return Err(nesting_violation(self.nesting_limit));
        }
        let mut total = Metrics::default();
        for selection in &set.items {
            let metrics = match &selection.node {
                Selection::Field(field) => self.field(&field.node, level)?,
                Selection::FragmentSpread(spread) => {
                    self.spread(&spread.node.fragment_name.node, level)?
                }
                Selection::InlineFragment(inline) => {
                    let inner = self.selection_set(&inline.node.selection_set.node, level + 1)?;
                    Metrics::spread(inner)
                }
            };
            total = total.merge(metrics);
        }
        Ok(total)
    }

    fn field(&mut self, field: &'d Field, level: usize) -> Result<Metrics, ServerError> {
        let children = if field.selection_set.node.items.is_empty() {
            Metrics::default()
        } else {
            self.selection_set(&field.selection_set.node, level + 1)?
        };
        Ok(Metrics::field(field, children))
    }

    /// A fragment spread; unknown fragments are left for validation to report.
    fn spread(&mut self, name: &'d Name, level: usize) -> Result<Metrics, ServerError> {
        let Some(fragment) = self.fragments.get(name) else {
            return Ok(Metrics::default());
        };
        let inner = self.fragment(name.as_str(), fragment, level + 1)?;
        Ok(Metrics::spread(inner))
    }

    /// A fragment's metrics, measured the first time and remembered after.
    fn fragment(
        &mut self,
        name: &'d str,
        fragment: &'d Positioned<FragmentDefinition>,
        level: usize,
    ) -> Result<Metrics, ServerError> {
        if let Some(metrics) = self.measured.get(name) {
            if level + metrics.nesting > self.nesting_limit {
                return Err(nesting_violation(self.nesting_limit));
            }
            return Ok(*metrics);
        }
        if self.open.contains(&name) {
            let message = format!("fragment `{name}` spreads itself");
            return Err(error::coded(message, codes::GRAPHQL_VALIDATION_FAILED));
        }
        self.open.push(name);
        let metrics = self.selection_set(&fragment.node.selection_set.node, level)?;
        self.open.pop();
        self.measured.insert(name, metrics);
        Ok(metrics)
    }
}

fn nesting_violation(limit: usize) -> ServerError {
    let message = format!("the document nests deeper than {limit} levels");
    violation(message, "nesting", limit)
}

/// A limit violation: the message, the limit's name and its value, under one code.
pub(crate) fn violation(message: String, limit: &'static str, maximum: usize) -> ServerError {
    let mut error = error::coded(message, codes::OPERATION_LIMIT_EXCEEDED);
    let extensions = error.extensions.get_or_insert_with(Default::default);
    extensions.set("limit", limit);
    extensions.set("maximum", maximum as u64);
    error
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use async_graphql::parser::parse_query;

    use super::*;

    fn measure(query: &str) -> Result<Metrics, ServerError> {
        let document = parse_query(query).map_err(ServerError::from)?;
        let measured = check_document(&document, &Limits::default().max_complexity(usize::MAX))?;
        Ok(measured.into_values().next().unwrap_or_default())
    }

    fn limit_of(result: Result<impl std::fmt::Debug, ServerError>) -> Option<String> {
        let error = result.err()?;
        let limit = error.extensions.as_ref()?.get("limit")?;
        Some(limit.to_string().trim_matches('"').to_owned())
    }

    #[test]
    fn strings_and_comments_do_not_count_as_nesting() {
        assert_eq!(bracket_depth(r#"{ a(x: "{{{{[[[") }"#, 100), 2);
        assert_eq!(bracket_depth("{ a # {{{{\n }", 100), 1);
        assert_eq!(bracket_depth(r#"{ a(x: """ {{ \""" {{ """) }"#, 100), 2);
        assert_eq!(bracket_depth(r#"{ a(x: "\"{{") }"#, 100), 2);
    }

    #[test]
    fn the_scan_stops_once_too_deep() {
        let deep = "{".repeat(1_000_000);
        assert_eq!(bracket_depth(&deep, 10), 11);
    }

    #[test]
    fn fields_aliases_and_depth_are_counted_through_fragments() {
        let metrics = measure(
            "query { a { b: c { ...F } } x: d }
             fragment F on T { e f: g { h } ... on T { i } }",
        );
        let metrics = metrics.unwrap_or_default();
        assert_eq!(metrics.depth, 4);
        assert_eq!(metrics.fields, 7);
        assert_eq!(metrics.aliases, 3);
        assert_eq!(metrics.root_fields, 2);
        assert!(!metrics.introspection);
    }

    #[test]
    fn introspection_is_seen_through_top_level_fragments() {
        let metrics = measure("{ ...F } fragment F on Query { __schema { queryType { name } } }");
        assert!(metrics.unwrap_or_default().introspection);
        assert!(
            !measure("{ a { __type } }")
                .unwrap_or_default()
                .introspection
        );
    }

    #[test]
    fn fragments_spread_many_times_are_measured_once() {
        // Each fragment spreads the next one twice: 2^40 fields if expanded naively.
        let mut query = String::from("{ ...F0 }\n");
        for i in 0..40 {
            query.push_str(&format!(
                "fragment F{i} on Q {{ a {{ ...F{} }} b {{ ...F{} }} }}\n",
                i + 1,
                i + 1
            ));
        }
        query.push_str("fragment F40 on Q { leaf }\n");
        assert_eq!(limit_of(measure(&query)), Some("nesting".to_owned()));
        let shallow = Limits::default().max_depth(100);
        let document = parse_query(&query).map_err(ServerError::from);
        let result = document.and_then(|document| check_document(&document, &shallow));
        assert_eq!(limit_of(result), Some("complexity".to_owned()));
    }

    #[test]
    fn fragment_cycles_are_refused() {
        let result = measure("{ ...A } fragment A on Q { ...B } fragment B on Q { a { ...A } }");
        let code = result
            .err()
            .and_then(|e| e.extensions?.get("code").map(ToString::to_string));
        assert_eq!(code.as_deref(), Some("\"GRAPHQL_VALIDATION_FAILED\""));
    }

    #[test]
    fn long_fragment_chains_are_refused_even_when_unused() {
        let mut query = String::from("{ a }\n");
        for i in 0..5000 {
            query.push_str(&format!("fragment F{i} on Q {{ ...F{} }}\n", i + 1));
        }
        query.push_str("fragment F5000 on Q { a }\n");
        assert_eq!(limit_of(measure(&query)), Some("nesting".to_owned()));
    }

    #[test]
    fn each_limit_is_named() {
        let limits = Limits::default()
            .max_depth(2)
            .max_aliases(1)
            .max_root_fields(Some(2));
        let check = |query: &str| {
            let document = parse_query(query).map_err(ServerError::from);
            limit_of(document.and_then(|document| check_document(&document, &limits)))
        };
        assert_eq!(check("{ a { b { c } } }"), Some("depth".to_owned()));
        assert_eq!(check("{ x: a y: b }"), Some("aliases".to_owned()));
        assert_eq!(check("{ a b c }"), Some("rootFields".to_owned()));
        assert_eq!(check("{ a { b } }"), None);
        assert_eq!(
            limit_of(check_size(
                "{ a }",
                &Limits::default().max_document_bytes(3)
            )),
            Some("documentBytes".to_owned())
        );
    }
}
