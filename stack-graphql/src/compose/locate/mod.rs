//! Finding what a composition message is about: the subgraphs it names and where the element
//! it names sits in each subgraph's SDL.

use std::collections::{HashMap, HashSet};

use async_graphql::parser::types::{
    ConstDirective, FieldDefinition, InputValueDefinition, ServiceDocument, TypeDefinition,
    TypeKind, TypeSystemDefinition,
};
use async_graphql::parser::{Positioned, parse_schema};

use super::diagnostic::{Location, Severity, Site};

/// The root operation kinds, in schema order.
pub(super) const ROOT_KINDS: [RootKind; 3] =
    [RootKind::Query, RootKind::Mutation, RootKind::Subscription];

/// One of the three root operation types.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum RootKind {
    Query,
    Mutation,
    Subscription,
}

impl RootKind {
    /// The root type's name when the `schema` definition does not rename it.
    pub(super) fn default_name(self) -> &'static str {
        match self {
            Self::Query => "Query",
            Self::Mutation => "Mutation",
            Self::Subscription => "Subscription",
        }
    }
}

/// What one subgraph's SDL defines, and where.
#[derive(Debug, Default)]
pub(super) struct Outline {
    /// Element paths (`Type`, `Type.field`, `Type.field(arg:)`, `@directive`) to their
    /// one-based line and column.
    elements: HashMap<String, (usize, usize)>,
    /// The root types this subgraph defines at least one field on.
    roots_with_fields: Vec<RootKind>,
    /// `Type.field` paths of fields this subgraph only references (`@external` on a type that
    /// is not an extension): it cannot resolve them.
    externals: HashSet<String>,
}

impl Outline {
    /// Reads `sdl`; an SDL the parser refuses yields an empty outline and the parser's error.
    pub(super) fn read(sdl: &str) -> (Self, Option<ParseProblem>) {
        match parse_schema(sdl) {
            Ok(document) => (Self::from_document(&document), None),
            Err(error) => {
                let position = error.positions().next().map(|pos| (pos.line, pos.column));
                let message = one_line(&error.to_string());
                (Self::default(), Some(ParseProblem { message, position }))
            }
        }
    }

    fn from_document(document: &ServiceDocument) -> Self {
        let mut outline = Self::default();
        let mut root_names = ROOT_KINDS.map(|kind| (kind, kind.default_name().to_owned()));
        for definition in &document.definitions {
            match definition {
                TypeSystemDefinition::Schema(schema) => {
                    let named = [
                        &schema.node.query,
                        &schema.node.mutation,
                        &schema.node.subscription,
                    ];
                    for ((_, name), given) in root_names.iter_mut().zip(named) {
                        if let Some(given) = given {
                            *name = given.node.to_string();
                        }
                    }
                }
                TypeSystemDefinition::Type(definition) => outline.add_type(&definition.node),
                TypeSystemDefinition::Directive(directive) => {
                    let pos = directive.node.name.pos;
                    let path = format!("@{}", directive.node.name.node);
                    outline
                        .elements
                        .entry(path)
                        .or_insert((pos.line, pos.column));
                }
            }
        }
        for definition in &document.definitions {
            let TypeSystemDefinition::Type(definition) = definition else {
                continue;
            };
            let definition = &definition.node;
            let TypeKind::Object(object) = &definition.kind else {
                continue;
            };
            let root = root_names
                .iter()
                .find(|(_, name)| definition.name.node.as_str() == name.as_str());
            if let Some((kind, _)) = root
                && !object.fields.is_empty()
                && !outline.roots_with_fields.contains(kind)
            {
                outline.roots_with_fields.push(*kind);
            }
        }
        outline
    }

    fn add_type(&mut self, definition: &TypeDefinition) {
        let name = definition.name.node.as_str();
        self.insert(name.to_owned(), definition.name.pos);
        match &definition.kind {
            TypeKind::Object(object) => {
                self.add_fields(name, &object.fields);
                self.add_externals(definition, &object.fields);
            }
            TypeKind::Interface(interface) => self.add_fields(name, &interface.fields),
            TypeKind::InputObject(input) => self.add_inputs(name, &input.fields),
            TypeKind::Enum(enumeration) => {
                for value in &enumeration.values {
                    let path = format!("{name}.{}", value.node.value.node);
                    self.insert(path, value.node.value.pos);
                }
            }
            TypeKind::Scalar | TypeKind::Union(_) => {}
        }
    }

    fn add_fields(&mut self, parent: &str, fields: &[Positioned<FieldDefinition>]) {
        for field in fields {
            let field_path = format!("{parent}.{}", field.node.name.node);
            for argument in &field.node.arguments {
                let argument_name = &argument.node.name.node;
                let pos = argument.node.name.pos;
                self.insert(format!("{field_path}({argument_name}:)"), pos);
                self.insert(format!("{field_path}.{argument_name}"), pos);
            }
            self.insert(field_path, field.node.name.pos);
        }
    }

    /// Records the fields marked `@external` (or all of them, when the type is), unless the
    /// type is an extension (`extend type` or `@extends`): federation reads an extension's
    /// external key fields as its own.
    fn add_externals(
        &mut self,
        definition: &TypeDefinition,
        fields: &[Positioned<FieldDefinition>],
    ) {
        let is_external = |directives: &[Positioned<ConstDirective>]| {
            directives
                .iter()
                .any(|d| d.node.name.node.as_str() == "external")
        };
        let extension = definition.extend
            || definition
                .directives
                .iter()
                .any(|d| d.node.name.node.as_str() == "extends");
        if extension {
            return;
        }
        let whole_type = is_external(&definition.directives);
        for field in fields {
            if whole_type || is_external(&field.node.directives) {
                let path = format!("{}.{}", definition.name.node, field.node.name.node);
                self.externals.insert(path);
            }
        }
    }

    fn add_inputs(&mut self, parent: &str, fields: &[Positioned<InputValueDefinition>]) {
        for field in fields {
            let path = format!("{parent}.{}", field.node.name.node);
            self.insert(path, field.node.name.pos);
        }
    }

    fn insert(&mut self, path: String, pos: async_graphql::Pos) {
        // The first definition wins: with type extensions, that is where the type starts.
        self.elements.entry(path).or_insert((pos.line, pos.column));
    }

    /// Where `path` is defined, if this subgraph defines it.
    pub(super) fn position(&self, path: &str) -> Option<(usize, usize)> {
        self.elements.get(path).copied()
    }

    /// Whether this subgraph marks `Type.field` as `@external` outside a type extension.
    pub(super) fn is_external(&self, path: &str) -> bool {
        self.externals.contains(path)
    }

    /// Whether this subgraph defines fields on the root type of `kind`.
    pub(super) fn has_root_fields(&self, kind: RootKind) -> bool {
        self.roots_with_fields.contains(&kind)
    }
}

/// A parser message on one line: the parser draws the source with a caret and puts the
/// reason on `= ...` lines; the position is kept apart, so the reason is enough.
fn one_line(message: &str) -> String {
    let reasons: Vec<&str> = message
        .lines()
        .filter_map(|line| line.trim().strip_prefix("= "))
        .collect();
    if reasons.is_empty() {
        return message.split_whitespace().collect::<Vec<_>>().join(" ");
    }
    reasons.join("; ")
}

/// Why and where the GraphQL parser refused a subgraph's SDL.
#[derive(Debug, Clone)]
pub(super) struct ParseProblem {
    pub(super) message: String,
    pub(super) position: Option<(usize, usize)>,
}

/// The subgraphs known to composition, by name, with their outlines.
pub(super) struct Atlas<'a> {
    subgraphs: Vec<(&'a str, &'a Outline)>,
}

impl<'a> Atlas<'a> {
    pub(super) fn new(subgraphs: Vec<(&'a str, &'a Outline)>) -> Self {
        Self { subgraphs }
    }

    /// The sites a composition message is about.
    pub(super) fn sites(&self, message: &str) -> Vec<Site> {
        let named = self.named_subgraphs(message);
        let candidates = element_candidates(message);
        let searched: Vec<&(&str, &Outline)> = if named.is_empty() {
            self.subgraphs.iter().collect()
        } else {
            named.iter().collect()
        };
        // The most specific element that one of the subgraphs defines; else the first path
        // with a dot, which still tells the reader where to look.
        let found = candidates.iter().find(|candidate| {
            searched
                .iter()
                .any(|(_, outline)| outline.position(candidate).is_some())
        });
        let path = found.or_else(|| candidates.iter().find(|c| c.contains('.')));
        let Some(path) = path else {
            return named
                .iter()
                .map(|(name, _)| Site::new(*name, None))
                .collect();
        };
        if named.is_empty() {
            return self
                .subgraphs
                .iter()
                .filter_map(|(name, outline)| {
                    let position = outline.position(path)?;
                    Some(Site::new(
                        *name,
                        Some(Location::new(Some(path.clone()), Some(position))),
                    ))
                })
                .collect();
        }
        named
            .iter()
            .map(|(name, outline)| {
                let location = Location::new(Some(path.clone()), outline.position(path));
                Site::new(*name, Some(location))
            })
            .collect()
    }

    /// The subgraphs a message names, in the order it names them. Names in brackets, quotes or
    /// backticks count first; bare words only when no name is marked that way.
    fn named_subgraphs(&self, message: &str) -> Vec<(&'a str, &'a Outline)> {
        let words = words(message);
        let marked: Vec<&str> = words.iter().filter(|w| w.marked).map(|w| w.text).collect();
        let bare: Vec<&str> = words.iter().filter(|w| !w.marked).map(|w| w.text).collect();
        let mut named = Vec::new();
        for list in [marked, bare] {
            for word in list {
                let known = self.subgraphs.iter().find(|(name, _)| *name == word);
                if let Some(entry) = known
                    && !named.iter().any(|(name, _)| *name == entry.0)
                {
                    named.push(*entry);
                }
            }
            if !named.is_empty() {
                break;
            }
        }
        named
    }
}

/// A word of a message that could be a subgraph name.
struct Word<'m> {
    text: &'m str,
    /// Set in `[...]`, quotes or backticks.
    marked: bool,
}

fn is_name_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_' || c == '-'
}

/// The words of a message that are not part of an element path (`Type.field`, `field(arg:)`).
fn words(message: &str) -> Vec<Word<'_>> {
    let mut found = Vec::new();
    let mut start = None;
    for (index, c) in message.char_indices().chain([(message.len(), ' ')]) {
        match (start, is_name_char(c)) {
            (None, true) => start = Some(index),
            (Some(from), false) => {
                start = None;
                let before = message[..from].chars().next_back();
                let after = Some(c).filter(|_| index < message.len());
                if before == Some('.')
                    || matches!(after, Some('.' | '(' | ':')) && !ends(message, index)
                {
                    continue;
                }
                let marked = matches!(
                    (before, after),
                    (Some('['), Some(']')) | (Some('"'), Some('"')) | (Some('`'), Some('`'))
                );
                found.push(Word {
                    text: &message[from..index],
                    marked,
                });
            }
            _ => {}
        }
    }
    found
}

/// Whether the character at `index` is a full stop or colon ending the sentence or clause.
fn ends(message: &str, index: usize) -> bool {
    let rest = &message[index..];
    let mut chars = rest.chars();
    let punctuation = chars.next();
    let next = chars.next();
    matches!(punctuation, Some('.' | ':')) && next.is_none_or(char::is_whitespace)
}

/// Element paths a message mentions, most specific first: `Type.field(arg:)`, `Type.field.arg`,
/// `Type.field`, then `@directive` and single names.
fn element_candidates(message: &str) -> Vec<String> {
    let mut paths: Vec<String> = Vec::new();
    let chars: Vec<(usize, char)> = message.char_indices().collect();
    let mut i = 0;
    while i < chars.len() {
        let (start, c) = chars[i];
        let at_word_start = i == 0 || !is_path_char(chars[i - 1].1);
        if !(at_word_start && (c.is_alphabetic() || c == '_' || c == '@')) {
            i += 1;
            continue;
        }
        let mut j = i + 1;
        while j < chars.len() {
            let (_, c) = chars[j];
            let next = chars.get(j + 1).map(|(_, c)| *c);
            let continues = c.is_alphanumeric()
                || c == '_'
                || (c == '.' && next.is_some_and(|n| n.is_alphabetic() || n == '_'));
            if !continues {
                break;
            }
            j += 1;
        }
        let end = chars.get(j).map_or(message.len(), |(index, _)| *index);
        let mut path = message[start..end].to_owned();
        // `field(argument:)`
        if let Some(rest) = message.get(end..)
            && let Some(inner) = rest.strip_prefix('(')
            && let Some(close) = inner.find(":)")
            && inner[..close]
                .chars()
                .all(|c| c.is_alphanumeric() || c == '_')
        {
            path.push_str(&rest[..close + 3]);
        }
        if !paths.contains(&path) {
            paths.push(path);
        }
        i = j;
    }
    paths.sort_by_key(|path| std::cmp::Reverse(specificity(path)));
    paths
}

fn is_path_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_' || c == '@'
}

fn specificity(path: &str) -> usize {
    path.matches('.').count() * 2 + usize::from(path.ends_with(":)")) * 3
}

/// The site of a parse error in `subgraph`.
pub(super) fn parse_site(subgraph: &str, problem: &ParseProblem) -> Site {
    Site::new(subgraph, Some(Location::new(None, problem.position)))
}

/// The severity of a library diagnostic.
pub(super) fn severity(diagnostic: &graphql_composition::diagnostics::Diagnostic) -> Severity {
    if diagnostic.severity().is_error() {
        Severity::Error
    } else {
        Severity::Warning
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    const ACCOUNTS: &str = "type Query {\n  users(first: Int): [User]\n}\n\ntype User {\n  id: ID!\n  name: String\n}\n";
    const REVIEWS: &str = "type User {\n  id: ID!\n  name: Int\n}\n";

    fn atlas<'a>(outlines: &'a [(&'a str, Outline)]) -> Atlas<'a> {
        Atlas::new(
            outlines
                .iter()
                .map(|(name, outline)| (*name, outline))
                .collect(),
        )
    }

    #[test]
    fn candidates_put_the_most_specific_path_first() {
        let message = "The Query.users(first:) argument of `User` conflicts with User.name.";
        let candidates = element_candidates(message);
        assert_eq!(candidates[0], "Query.users(first:)");
        assert_eq!(candidates[1], "User.name");
    }

    #[test]
    fn a_bracketed_subgraph_and_a_field_get_line_and_column() {
        let outlines = [
            ("accounts", Outline::read(ACCOUNTS).0),
            ("reviews", Outline::read(REVIEWS).0),
        ];
        let sites = atlas(&outlines).sites("[reviews] The field `User.name` is odd.");
        assert_eq!(sites.len(), 1);
        assert_eq!(sites[0].subgraph(), "reviews");
        let location = sites[0].location().unwrap();
        assert_eq!((location.line(), location.column()), (Some(3), Some(3)));
        assert_eq!(location.path(), Some("User.name"));
    }

    #[test]
    fn an_element_without_a_subgraph_points_at_every_definition() {
        let outlines = [
            ("accounts", Outline::read(ACCOUNTS).0),
            ("reviews", Outline::read(REVIEWS).0),
        ];
        let sites = atlas(&outlines).sites("The User.name field has conflicting types.");
        let names: Vec<&str> = sites.iter().map(Site::subgraph).collect();
        assert_eq!(names, ["accounts", "reviews"]);
        assert_eq!(sites[0].location().unwrap().line(), Some(7));
    }

    #[test]
    fn field_names_equal_to_a_subgraph_name_are_not_subgraphs() {
        let outlines = [("users", Outline::read(ACCOUNTS).0)];
        let words: Vec<&str> = words("Query.users and users(first:)")
            .iter()
            .map(|w| w.text)
            .collect();
        assert_eq!(words, ["and"]);
        let sites = atlas(&outlines).sites("in users: Query.users is wrong");
        assert_eq!(sites[0].location().unwrap().line(), Some(2));
    }

    #[test]
    fn root_types_with_fields_are_recorded() {
        let sdl = "schema { query: Root }\ntype Root { a: Int }\ntype Mutation { b: Int }\n";
        let (outline, problem) = Outline::read(sdl);
        assert!(problem.is_none());
        assert!(outline.has_root_fields(RootKind::Query));
        assert!(outline.has_root_fields(RootKind::Mutation));
        assert!(!outline.has_root_fields(RootKind::Subscription));
    }

    #[test]
    fn a_syntax_error_has_a_position() {
        let (_, problem) = Outline::read("type Query {\n  a: \n}\n");
        let problem = problem.unwrap();
        assert_eq!(problem.position.map(|(line, _)| line), Some(3));
        assert!(!problem.message.contains('\n'), "{}", problem.message);
    }
}
