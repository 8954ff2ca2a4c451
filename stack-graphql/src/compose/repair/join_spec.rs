//! The `join` v0.3 directive definitions, in place of the library's.
//!
//! graphql-composition 0.12 links `https://specs.apollo.dev/join/v0.3` but prints its join
//! directives without `repeatable` (every type, field and union applies them once per graph),
//! with nullable arguments where the specification has non-null ones, without the
//! `usedOverridden` argument of `@join__field` and with the v0.1 `@join__owner`. Tools that
//! check the SDL against the specification (Apollo's gateway and query planner) refuse it. Each
//! definition is replaced with the specification's, worded as federation's composition prints
//! it, and the unused `@join__owner` is removed.

use async_graphql::parser::types::{ServiceDocument, TypeKind, TypeSystemDefinition};

use super::{Edit, offset};

/// The join v0.3 directives, each with its definition as the specification gives it.
const DEFINITIONS: [(&str, &str); 6] = [
    (
        "join__enumValue",
        "directive @join__enumValue(graph: join__Graph!) repeatable on ENUM_VALUE",
    ),
    (
        "join__field",
        "directive @join__field(graph: join__Graph, requires: join__FieldSet, \
         provides: join__FieldSet, type: String, external: Boolean, override: String, \
         usedOverridden: Boolean) repeatable on FIELD_DEFINITION | INPUT_FIELD_DEFINITION",
    ),
    (
        "join__graph",
        "directive @join__graph(name: String!, url: String!) on ENUM_VALUE",
    ),
    (
        "join__implements",
        "directive @join__implements(graph: join__Graph!, interface: String!) \
         repeatable on OBJECT | INTERFACE",
    ),
    (
        "join__type",
        "directive @join__type(graph: join__Graph!, key: join__FieldSet, \
         extension: Boolean! = false, resolvable: Boolean! = true, \
         isInterfaceObject: Boolean! = false) \
         repeatable on OBJECT | INTERFACE | UNION | ENUM | INPUT_OBJECT | SCALAR",
    ),
    (
        "join__unionMember",
        "directive @join__unionMember(graph: join__Graph!, member: String!) \
         repeatable on UNION",
    ),
];

/// The join v0.1 directive that v0.3 no longer defines.
const OWNER: &str = "join__owner";

/// The edits putting the specification's join definitions in place of the library's.
///
/// # Errors
///
/// When a join directive definition does not sit alone on its line, as the library prints it.
pub(super) fn definitions(
    supergraph: &str,
    document: &ServiceDocument,
) -> Result<Vec<Edit>, String> {
    let mut edits = Vec::new();
    for definition in &document.definitions {
        let TypeSystemDefinition::Directive(directive) = definition else {
            continue;
        };
        let name = directive.node.name.node.as_str();
        let line = definition_line(supergraph, name, directive.node.name.pos).ok_or_else(|| {
            format!("the `@{name}` definition of the composed SDL is not on a line of its own")
        });
        if name == OWNER {
            if !applied(supergraph, OWNER) {
                let line = line?;
                // The line, its line break and the blank line after it.
                let mut end = line.end;
                for _ in 0..2 {
                    if supergraph[end..].starts_with('\n') {
                        end += 1;
                    }
                }
                edits.push((line.start..end, String::new()));
            }
            continue;
        }
        let Some((_, wanted)) = DEFINITIONS.iter().find(|(known, _)| *known == name) else {
            continue;
        };
        let line = line?;
        let wanted = adapted(document, name, wanted);
        if supergraph[line.clone()] != wanted {
            edits.push((line, wanted));
        }
    }
    Ok(edits)
}

/// The specification's definition, widened where the library's output needs it to stay valid:
/// `@join__graph` values without a URL keep `url` nullable, and `@join__field` keeps the
/// `overrideLabel` argument (join v0.4) when progressive override uses it.
fn adapted(document: &ServiceDocument, name: &str, wanted: &str) -> String {
    match name {
        "join__graph" if graph_without_url(document) => {
            wanted.replace("url: String!", "url: String")
        }
        "join__field" if labels_overrides(document) => wanted.replace(
            "usedOverridden: Boolean)",
            "usedOverridden: Boolean, overrideLabel: String)",
        ),
        _ => wanted.to_owned(),
    }
}

/// Whether some field's `@join__field` has an `overrideLabel`.
fn labels_overrides(document: &ServiceDocument) -> bool {
    document
        .definitions
        .iter()
        .filter_map(|definition| match definition {
            TypeSystemDefinition::Type(definition) => match &definition.node.kind {
                TypeKind::Object(object) => Some(&object.fields),
                TypeKind::Interface(interface) => Some(&interface.fields),
                _ => None,
            },
            _ => None,
        })
        .flatten()
        .flat_map(|field| &field.node.directives)
        .any(|directive| {
            directive.node.name.node.as_str() == "join__field"
                && directive.node.get_argument("overrideLabel").is_some()
        })
}

/// Whether some `@join__graph` of the graph enum names no URL.
fn graph_without_url(document: &ServiceDocument) -> bool {
    document
        .definitions
        .iter()
        .filter_map(|definition| match definition {
            TypeSystemDefinition::Type(definition) => match &definition.node.kind {
                TypeKind::Enum(enumeration) => Some(&enumeration.values),
                _ => None,
            },
            _ => None,
        })
        .flatten()
        .flat_map(|value| &value.node.directives)
        .any(|directive| {
            directive.node.name.node.as_str() == "join__graph"
                && directive.node.get_argument("url").is_none()
        })
}

/// Whether `@name` is applied anywhere, besides its definition.
fn applied(supergraph: &str, name: &str) -> bool {
    let applied = format!("@{name}");
    supergraph
        .match_indices(&applied)
        .any(|(at, _)| !supergraph[..at].ends_with("directive "))
}

/// The byte range of the line holding the whole definition of `@name`, without its line
/// break.
fn definition_line(
    supergraph: &str,
    name: &str,
    pos: async_graphql::Pos,
) -> Option<std::ops::Range<usize>> {
    let at = offset(supergraph, pos)?;
    let start = supergraph[..at]
        .rfind('\n')
        .map_or(0, |newline| newline + 1);
    let end = supergraph[at..]
        .find('\n')
        .map_or(supergraph.len(), |newline| at + newline);
    let line = &supergraph[start..end];
    let opens = format!("directive @{name}");
    let balanced = line.matches('(').count() == line.matches(')').count();
    let after_arguments = &line[line.rfind(')').unwrap_or(0)..];
    (line.starts_with(&opens)
        && balanced
        && !line.contains('"')
        && after_arguments.contains(" on "))
    .then_some(start..end)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use async_graphql::parser::parse_schema;

    use super::*;

    fn edited(sdl: &str) -> String {
        let document = parse_schema(sdl).unwrap();
        let mut edits = definitions(sdl, &document).unwrap();
        edits.sort_by_key(|(range, _)| std::cmp::Reverse(range.start));
        let mut edited = sdl.to_owned();
        for (range, text) in edits {
            edited.replace_range(range, &text);
        }
        edited
    }

    const LIBRARY: &str = "directive @join__type(graph: join__Graph, key: join__FieldSet) on OBJECT\n\ndirective @join__graph(name: String!, url: String) on ENUM_VALUE\n\ndirective @join__owner(graph: join__Graph!) on OBJECT\n\ndirective @join__enumValue(graph: join__Graph!) on ENUM_VALUE\n\nenum join__Graph\n{\n  A @join__graph(name: \"a\", url: \"http://a\")\n}\n";

    #[test]
    fn definitions_become_the_specifications() {
        let edited = edited(LIBRARY);
        assert!(edited.starts_with(
            "directive @join__type(graph: join__Graph!, key: join__FieldSet, extension: \
             Boolean! = false, resolvable: Boolean! = true, isInterfaceObject: Boolean! = \
             false) repeatable on OBJECT | INTERFACE | UNION | ENUM | INPUT_OBJECT | SCALAR\n\n\
             directive @join__graph(name: String!, url: String!) on ENUM_VALUE\n\n\
             directive @join__enumValue(graph: join__Graph!) repeatable on ENUM_VALUE\n\nenum"
        ));
        assert_eq!(self::edited(&edited), edited);
    }

    #[test]
    fn a_graph_without_url_keeps_the_url_nullable() {
        let sdl = LIBRARY.replace(", url: \"http://a\"", "");
        assert!(edited(&sdl).contains("directive @join__graph(name: String!, url: String) on"));
    }

    #[test]
    fn an_applied_owner_and_override_labels_are_kept() {
        let sdl = format!(
            "{LIBRARY}\ntype T @join__owner(graph: A) {{ f: Int @join__field(graph: A, \
             override: \"b\", overrideLabel: \"percent(5)\") }}\n\ndirective @join__field(graph: \
             join__Graph, override: String, overrideLabel: String) on FIELD_DEFINITION\n"
        );
        let edited = edited(&sdl);
        assert!(edited.contains("directive @join__owner(graph: join__Graph!) on OBJECT\n"));
        assert!(edited.contains("usedOverridden: Boolean, overrideLabel: String) repeatable on"));
    }

    #[test]
    fn a_definition_spread_over_lines_is_reported() {
        let sdl = "directive @join__type(\n  graph: join__Graph\n) on OBJECT\n";
        let error = definitions(sdl, &parse_schema(sdl).unwrap()).unwrap_err();
        assert!(error.contains("`@join__type`"), "{error}");
    }
}
