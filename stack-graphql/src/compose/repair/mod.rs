//! Completing the composed supergraph where the composition library leaves out what query
//! planners need.
//!
//! graphql-composition 0.12 (checked by `tests/compose_root_types.rs` and
//! `tests/compose_federation_audit.rs`):
//!
//! - writes no `@join__type` on the root operation types; planners read root fields' owners
//!   from it (a root field without `@join__field` belongs to every graph that has a
//!   `@join__type` on its type), so without it no root field can be planned. Each root type
//!   gets one `@join__type(graph:)` per subgraph that defines fields on it, and per graph its
//!   fields' `@join__field` name.
//! - drops `@external` from key fields: a subgraph that only references an entity's key
//!   (`id: ID! @external` in a type that is not an extension) is then taken to resolve it,
//!   and the planner may ask it for the key. Such fields get one `@join__field` per defining
//!   graph, with `external: true` where the subgraph marks it so, as federation composes it.
//! - links the `link` and `inaccessible` specifications on the schema but leaves out the
//!   definitions of `@link`, its `link__Import` and `link__Purpose` types and
//!   `@inaccessible`, so the SDL is not valid GraphQL on its own. They are appended.
//! - prints the join directive definitions without `repeatable` and otherwise unlike the join
//!   v0.3 specification it links ([`join_spec`]); they are replaced with the specification's.
//! - writes no `@join__type` on scalars and unions, which federation's composition gives one
//!   per subgraph that defines them (as the library does for enums and input types). Each
//!   scalar, union, enum and input type gets a `@join__type(graph:)` for every subgraph
//!   defining it that has none.

use std::collections::BTreeSet;
use std::ops::Range;

use async_graphql::Pos;
use async_graphql::Value;
use async_graphql::parser::Positioned;
use async_graphql::parser::parse_schema;
use async_graphql::parser::types::{
    ConstDirective, FieldDefinition, ServiceDocument, TypeDefinition, TypeKind,
    TypeSystemDefinition,
};

use super::locate::{Outline, ROOT_KINDS};

mod join_spec;

/// The join directive the library leaves off root types.
const JOIN_TYPE: &str = "join__type";
/// The join directive for fields.
const JOIN_FIELD: &str = "join__field";

/// The composed subgraphs: their names with their outlines.
type Named<'a> = [(&'a str, &'a Outline)];

/// Text to insert at a byte offset.
type Insertion = (usize, String);

/// Text to put in place of a byte range (an insertion when the range is empty).
type Edit = (Range<usize>, String);

/// Completes `supergraph`, composed from `subgraphs`, with what the library leaves out.
///
/// # Errors
///
/// When the supergraph does not parse or lacks the `join__Graph` value of a subgraph that
/// defines root fields: the library's output changed shape, and the text says how.
pub(super) fn complete(supergraph: &str, subgraphs: &Named<'_>) -> Result<String, String> {
    let document =
        parse_schema(supergraph).map_err(|e| format!("the composed SDL does not parse: {e}"))?;
    let graphs = join_graphs(&document);
    let mut insertions = root_join_types(supergraph, &document, &graphs, subgraphs)?;
    insertions.extend(external_fields(supergraph, &document, &graphs, subgraphs));
    insertions.extend(defining_join_types(
        supergraph, &document, &graphs, subgraphs,
    )?);
    let definitions = missing_definitions(&document);
    if !definitions.is_empty() {
        let end = supergraph.trim_end().len();
        insertions.push((end, definitions));
    }
    let mut edits: Vec<Edit> = insertions
        .into_iter()
        .map(|(at, text)| (at..at, text))
        .collect();
    edits.extend(join_spec::definitions(supergraph, &document)?);
    // From the end, so that each range is still where it was found; at one offset, in
    // reverse order of finding, so that texts inserted there keep the order they were found in.
    edits.reverse();
    edits.sort_by_key(|(range, _)| std::cmp::Reverse(range.start));
    let mut completed = supergraph.to_owned();
    for (range, text) in edits {
        completed.replace_range(range, &text);
    }
    Ok(completed)
}

/// The `@join__type(graph:)` directives missing from scalars, unions, enums and input types:
/// one for each subgraph that defines the type, in the graph enum's order, after the type's
/// name.
fn defining_join_types(
    supergraph: &str,
    document: &ServiceDocument,
    graphs: &[(String, String)],
    subgraphs: &Named<'_>,
) -> Result<Vec<Insertion>, String> {
    let mut insertions = Vec::new();
    for definition in &document.definitions {
        let TypeSystemDefinition::Type(definition) = definition else {
            continue;
        };
        let definition = &definition.node;
        let name = definition.name.node.as_str();
        let owned = matches!(
            definition.kind,
            TypeKind::Scalar | TypeKind::Union(_) | TypeKind::Enum(_) | TypeKind::InputObject(_)
        );
        if !owned || definition.extend || name.starts_with("join__") || name.starts_with("link__") {
            continue;
        }
        let present = directive_graphs(&definition.directives, JOIN_TYPE);
        let missing: Vec<&str> = graphs
            .iter()
            .filter(|(subgraph, _)| {
                subgraphs.iter().any(|(defining, outline)| {
                    defining == subgraph && outline.position(name).is_some()
                })
            })
            .map(|(_, value)| value.as_str())
            .filter(|value| !present.iter().any(|p| p == value))
            .collect();
        if missing.is_empty() {
            continue;
        }
        let at = offset(supergraph, definition.name.pos)
            .filter(|at| supergraph[*at..].starts_with(name))
            .ok_or_else(|| {
                format!("the `{name}` type of the composed SDL is not where it parsed")
            })?;
        let text = missing
            .iter()
            .map(|graph| format!("\n  @{JOIN_TYPE}(graph: {graph})"))
            .collect();
        insertions.push((at + name.len(), text));
    }
    Ok(insertions)
}

/// The `@join__type` directives missing from root types.
fn root_join_types(
    supergraph: &str,
    document: &ServiceDocument,
    graphs: &[(String, String)],
    subgraphs: &Named<'_>,
) -> Result<Vec<Insertion>, String> {
    let mut insertions = Vec::new();
    for (kind, root_name) in ROOT_KINDS.iter().zip(root_names(document)) {
        let Some(root) = object_named(document, &root_name) else {
            continue;
        };
        let mut wanted = BTreeSet::new();
        for (name, outline) in subgraphs {
            if outline.has_root_fields(*kind) {
                let Some(index) = graphs.iter().position(|(graph, _)| graph == name) else {
                    return Err(format!(
                        "`join__Graph` has no value for the subgraph `{name}`"
                    ));
                };
                wanted.insert(index);
            }
        }
        for graph in field_graphs(root) {
            if let Some(index) = graphs.iter().position(|(_, value)| *value == graph) {
                wanted.insert(index);
            }
        }
        let present = directive_graphs(&root.directives, JOIN_TYPE);
        let missing: Vec<&str> = wanted
            .into_iter()
            .map(|index| graphs[index].1.as_str())
            .filter(|value| !present.iter().any(|p| p == value))
            .collect();
        if missing.is_empty() {
            continue;
        }
        let at = body_start(supergraph, root.name.pos).ok_or_else(|| {
            format!("the `{root_name}` type of the composed SDL has no field list")
        })?;
        insertions.push((at, directives_text(supergraph, at, &missing)));
    }
    Ok(insertions)
}

/// The `@join__field` directives for fields some subgraph marks `@external`, where the
/// library wrote none.
fn external_fields(
    supergraph: &str,
    document: &ServiceDocument,
    graphs: &[(String, String)],
    subgraphs: &Named<'_>,
) -> Vec<Insertion> {
    let mut insertions = Vec::new();
    for definition in &document.definitions {
        let TypeSystemDefinition::Type(definition) = definition else {
            continue;
        };
        let TypeKind::Object(object) = &definition.node.kind else {
            continue;
        };
        let type_graphs = directive_graphs(&definition.node.directives, JOIN_TYPE);
        // (join__Graph value, subgraph outline), in the enum's order.
        let owners: Vec<(&str, &Outline)> = graphs
            .iter()
            .filter(|(_, value)| type_graphs.contains(value))
            .filter_map(|(name, value)| {
                let (_, outline) = subgraphs.iter().find(|(subgraph, _)| subgraph == name)?;
                Some((value.as_str(), *outline))
            })
            .collect();
        let type_name = definition.node.name.node.as_str();
        for field in &object.fields {
            if let Some(insertion) = external_field(supergraph, type_name, field, &owners) {
                insertions.push(insertion);
            }
        }
    }
    insertions
}

fn external_field(
    supergraph: &str,
    type_name: &str,
    field: &Positioned<FieldDefinition>,
    owners: &[(&str, &Outline)],
) -> Option<Insertion> {
    if field
        .node
        .directives
        .iter()
        .any(|d| d.node.name.node.as_str() == JOIN_FIELD)
    {
        return None;
    }
    let path = format!("{type_name}.{}", field.node.name.node);
    let defining: Vec<(&str, bool)> = owners
        .iter()
        .filter(|(_, outline)| outline.position(&path).is_some())
        .map(|(graph, outline)| (*graph, outline.is_external(&path)))
        .collect();
    if !defining.iter().any(|(_, external)| *external) {
        return None;
    }
    let at = line_end(supergraph, field.node.name.pos)?;
    let text = defining
        .iter()
        .map(|(graph, external)| match external {
            true => format!(" @{JOIN_FIELD}(graph: {graph}, external: true)"),
            false => format!(" @{JOIN_FIELD}(graph: {graph})"),
        })
        .collect();
    Some((at, text))
}

/// Definitions of the `link` and `inaccessible` specifications the supergraph uses but does
/// not define, as those specifications word them.
const SPEC_DEFINITIONS: [(&str, &str); 4] = [
    (
        "@link",
        "directive @link(url: String, as: String, for: link__Purpose, import: [link__Import]) \
         repeatable on SCHEMA",
    ),
    ("link__Import", "scalar link__Import"),
    (
        "link__Purpose",
        "enum link__Purpose {\n  SECURITY\n  EXECUTION\n}",
    ),
    (
        "@inaccessible",
        "directive @inaccessible on FIELD_DEFINITION | OBJECT | INTERFACE | UNION | \
         ARGUMENT_DEFINITION | SCALAR | ENUM | ENUM_VALUE | INPUT_OBJECT | INPUT_FIELD_DEFINITION",
    ),
];

/// The specification definitions missing from `document`, each after a blank line.
fn missing_definitions(document: &ServiceDocument) -> String {
    let defined: BTreeSet<String> = document
        .definitions
        .iter()
        .map(|definition| match definition {
            TypeSystemDefinition::Schema(_) => String::new(),
            TypeSystemDefinition::Type(t) => t.node.name.node.to_string(),
            TypeSystemDefinition::Directive(d) => format!("@{}", d.node.name.node),
        })
        .collect();
    SPEC_DEFINITIONS
        .iter()
        .filter(|(name, _)| !defined.contains(*name))
        .map(|(_, definition)| format!("\n\n{definition}"))
        .collect()
}

/// The byte offset of `pos`.
fn offset(sdl: &str, pos: Pos) -> Option<usize> {
    let line_start = sdl
        .split_inclusive('\n')
        .take(pos.line.checked_sub(1)?)
        .map(str::len)
        .sum::<usize>();
    let column = sdl
        .get(line_start..)?
        .char_indices()
        .nth(pos.column.checked_sub(1)?)?
        .0;
    Some(line_start + column)
}

/// The end of the line a field starts at, when the whole field (and nothing else) is on it.
fn line_end(sdl: &str, name: Pos) -> Option<usize> {
    let from = offset(sdl, name)?;
    let rest = &sdl[from..];
    let line = &rest[..rest.find('\n').unwrap_or(rest.len())];
    let balanced = line.matches('(').count() == line.matches(')').count();
    (balanced && !line.contains('"') && !line.contains('{') && !line.contains('}'))
        .then_some(from + line.len())
}

/// The root type names from the `schema` definition, or the default names.
fn root_names(document: &ServiceDocument) -> [String; 3] {
    let mut names = ROOT_KINDS.map(|kind| kind.default_name().to_owned());
    for definition in &document.definitions {
        if let TypeSystemDefinition::Schema(schema) = definition {
            let given = [
                &schema.node.query,
                &schema.node.mutation,
                &schema.node.subscription,
            ];
            for (name, given) in names.iter_mut().zip(given) {
                if let Some(given) = given {
                    *name = given.node.to_string();
                }
            }
        }
    }
    names
}

/// The `join__Graph` values in order, with the subgraph name each stands for.
fn join_graphs(document: &ServiceDocument) -> Vec<(String, String)> {
    let mut graphs = Vec::new();
    for definition in &document.definitions {
        let TypeSystemDefinition::Type(definition) = definition else {
            continue;
        };
        let TypeKind::Enum(enumeration) = &definition.node.kind else {
            continue;
        };
        if definition.node.name.node.as_str() != "join__Graph" {
            continue;
        }
        for value in &enumeration.values {
            let name = value
                .node
                .directives
                .iter()
                .find(|d| d.node.name.node.as_str() == "join__graph")
                .and_then(|d| d.node.get_argument("name"))
                .and_then(|name| match &name.node {
                    Value::String(name) => Some(name.clone()),
                    _ => None,
                });
            if let Some(name) = name {
                graphs.push((name, value.node.value.node.to_string()));
            }
        }
    }
    graphs
}

/// The object type definition (not an extension) named `name`.
fn object_named<'d>(document: &'d ServiceDocument, name: &str) -> Option<&'d TypeDefinition> {
    document
        .definitions
        .iter()
        .find_map(|definition| match definition {
            TypeSystemDefinition::Type(definition)
                if !definition.node.extend
                    && definition.node.name.node.as_str() == name
                    && matches!(definition.node.kind, TypeKind::Object(_)) =>
            {
                Some(&definition.node)
            }
            _ => None,
        })
}

/// The graphs the fields of `object` name in `@join__field(graph:)`.
fn field_graphs(object: &TypeDefinition) -> Vec<String> {
    let TypeKind::Object(fields) = &object.kind else {
        return Vec::new();
    };
    fields
        .fields
        .iter()
        .flat_map(|field| directive_graphs(&field.node.directives, JOIN_FIELD))
        .collect()
}

/// The `graph:` arguments of every `@name` in `directives`.
fn directive_graphs(directives: &[Positioned<ConstDirective>], name: &str) -> Vec<String> {
    directives
        .iter()
        .filter(|d| d.node.name.node.as_str() == name)
        .filter_map(|d| match d.node.get_argument("graph").map(|v| &v.node) {
            Some(Value::Enum(graph)) => Some(graph.to_string()),
            _ => None,
        })
        .collect()
}

/// The byte offset of the `{` opening the field list of the type named at `name`.
fn body_start(sdl: &str, name: Pos) -> Option<usize> {
    let from = offset(sdl, name)?;
    let mut rest = sdl[from..].char_indices();
    while let Some((offset, c)) = rest.next() {
        match c {
            '{' => return Some(from + offset),
            // Directive arguments may hold braces inside strings: skip strings whole.
            '"' => {
                let mut escaped = false;
                for (_, c) in rest.by_ref() {
                    match (escaped, c) {
                        (false, '\\') => escaped = true,
                        (false, '"') => break,
                        _ => escaped = false,
                    }
                }
            }
            _ => {}
        }
    }
    None
}

/// The directives to insert before the `{` at `at`, laid out as the library lays out its own.
fn directives_text(sdl: &str, at: usize, graphs: &[&str]) -> String {
    let brace_opens_line = sdl[..at].ends_with('\n');
    graphs
        .iter()
        .map(|graph| {
            if brace_opens_line {
                format!("  @{JOIN_TYPE}(graph: {graph})\n")
            } else {
                format!("@{JOIN_TYPE}(graph: {graph}) ")
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    const COMPOSED: &str = "type Query\n{\n  a: Int @join__field(graph: A)\n  b: Int @join__field(graph: B)\n}\n\nenum join__Graph\n{\n  A @join__graph(name: \"a\", url: \"http://a\")\n  B @join__graph(name: \"b\", url: \"http://b\")\n}\n";

    #[test]
    fn root_types_get_a_join_type_per_contributing_graph() {
        let a = Outline::read("type Query { a: Int }").0;
        let b = Outline::read("type Query { b: Int }").0;
        let repaired = complete(COMPOSED, &[("a", &a), ("b", &b)]).unwrap();
        assert!(
            repaired
                .starts_with("type Query\n  @join__type(graph: A)\n  @join__type(graph: B)\n{\n")
        );
    }

    #[test]
    fn existing_join_types_are_kept_once() {
        let sdl = COMPOSED.replace(
            "type Query\n",
            "type Query @join__type(graph: A, key: \"x { y }\") ",
        );
        let a = Outline::read("type Query { a: Int }").0;
        let repaired = complete(&sdl, &[("a", &a)]).unwrap();
        assert!(repaired.starts_with(
            "type Query @join__type(graph: A, key: \"x { y }\") @join__type(graph: B) {\n"
        ));
    }

    #[test]
    fn external_key_fields_outside_extensions_get_their_join_fields() {
        let composed = "type Chat\n  @join__type(graph: A, key: \"id\")\n  @join__type(graph: B, key: \"id\")\n{\n  id: ID!\n  text: String! @join__field(graph: B)\n}\n\nenum join__Graph\n{\n  A @join__graph(name: \"a\", url: \"http://a\")\n  B @join__graph(name: \"b\", url: \"http://b\")\n}\n";
        let a = Outline::read("type Chat @key(fields: \"id\") { id: ID! @external }").0;
        let b = Outline::read("type Chat @key(fields: \"id\") { id: ID! text: String! }").0;
        let completed = complete(composed, &[("a", &a), ("b", &b)]).unwrap();
        let expected = "  id: ID! @join__field(graph: A, external: true) @join__field(graph: B)\n";
        assert!(completed.contains(expected), "{completed}");

        let extension =
            Outline::read("extend type Chat @key(fields: \"id\") { id: ID! @external }").0;
        let completed = complete(composed, &[("a", &extension), ("b", &b)]).unwrap();
        assert!(completed.contains("  id: ID!\n"), "{completed}");
    }

    #[test]
    fn missing_specification_definitions_are_appended_once() {
        let a = Outline::read("type Query { a: Int }").0;
        let b = Outline::read("type Query { b: Int }").0;
        let completed = complete(COMPOSED, &[("a", &a), ("b", &b)]).unwrap();
        assert!(
            completed.contains("\n\nscalar link__Import\n"),
            "{completed}"
        );
        assert!(
            completed.ends_with("INPUT_FIELD_DEFINITION\n"),
            "{completed}"
        );
        let again = complete(&completed, &[("a", &a), ("b", &b)]).unwrap();
        assert_eq!(again, completed);
    }

    #[test]
    fn scalars_and_unions_get_a_join_type_per_defining_graph() {
        let composed = format!(
            "scalar Money\n\nunion Found\n  @join__unionMember(graph: B, member: \"Query\")\n = \
             Query\n\nenum Level\n  @join__type(graph: A)\n{{\n  HIGH @join__enumValue(graph: \
             A)\n}}\n\n{COMPOSED}"
        );
        let a = Outline::read("scalar Money enum Level { HIGH } type Query { a: Int }").0;
        let b = Outline::read("scalar Money union Found = Query type Query { b: Int }").0;
        let completed = complete(&composed, &[("a", &a), ("b", &b)]).unwrap();
        let expected = "scalar Money\n  @join__type(graph: A)\n  @join__type(graph: B)\n\n\
                        union Found\n  @join__type(graph: B)\n  @join__unionMember(graph: B, \
                        member: \"Query\")\n = Query\n\nenum Level\n  @join__type(graph: A)\n{\n";
        assert!(completed.starts_with(expected), "{completed}");
        assert_eq!(
            complete(&completed, &[("a", &a), ("b", &b)]).unwrap(),
            completed
        );
    }

    #[test]
    fn a_subgraph_missing_from_the_graph_enum_is_reported() {
        let c = Outline::read("type Query { c: Int }").0;
        let error = complete(COMPOSED, &[("c", &c)]).unwrap_err();
        assert!(error.contains("`c`"), "{error}");
    }
}
