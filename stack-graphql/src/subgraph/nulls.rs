//! Field errors as the GraphQL specification handles them: null in place, propagated upward.
//!
//! A field that raised an error is null, and a null in a non-null position makes its parent
//! null, up to the nearest nullable position or to `data` itself. async-graphql 7.2 does
//! neither: it leaves the failed field out of its parent object, turns an object whose fields
//! all failed into null, and never propagates (async-graphql/async-graphql#1449 is one report
//! of the effect). Routers merge subgraph responses by these rules, so this module restores
//! them after execution, guided by each error's path, the operation's selections and the
//! schema's declared types. Positions whose type it cannot tell (introspection fields) are
//! left as they are, and when one response key is selected under several type conditions
//! with different types, the first selection found decides.

use std::collections::HashSet;

use async_graphql::parser::types::{
    BaseType, ExecutableDocument, Field, Selection, SelectionSet, Type,
};
use async_graphql::{Name, PathSegment, Response, Value};

use crate::subgraph::document;
use crate::subgraph::types::SchemaTypes;

/// The executed operation, and the schema it ran against.
pub(crate) struct Executed<'a> {
    pub(crate) document: &'a ExecutableDocument,
    pub(crate) operation_name: Option<&'a str>,
    pub(crate) root_type: &'a str,
    pub(crate) types: &'a SchemaTypes,
}

impl Executed<'_> {
    /// Puts the nulls of every field error where the specification wants them.
    pub(crate) fn propagate_nulls(&self, response: &mut Response) {
        let paths: Vec<Vec<PathSegment>> = response
            .errors
            .iter()
            .filter(|error| !error.path.is_empty())
            .map(|error| error.path.clone())
            .collect();
        if paths.is_empty() {
            return;
        }
        if response.data == Value::Null {
            // Every root field failed; they are put back one by one below.
            response.data = Value::Object(Default::default());
        }
        // Restore every failed field first, so no restoring undoes a propagation.
        for path in &paths {
            restore(&mut response.data, path);
        }
        for path in &paths {
            propagate(&mut response.data, path, &self.nullability(path));
        }
    }

    /// Whether each position along `path` may be null, as far as the types tell.
    fn nullability(&self, path: &[PathSegment]) -> Vec<bool> {
        let Some((_, operation)) = document::select(self.document, self.operation_name) else {
            return Vec::new();
        };
        let mut nullable = Vec::with_capacity(path.len());
        let mut sets = vec![&operation.selection_set.node];
        let mut parent = self.root_type;
        let mut current: Option<&Type> = None;
        for segment in path {
            let ty = match segment {
                PathSegment::Field(key) => {
                    let Some((ty, children)) = self.field(&sets, parent, key) else {
                        break;
                    };
                    sets = children;
                    ty
                }
                PathSegment::Index(_) => match current {
                    Some(Type {
                        base: BaseType::List(item),
                        ..
                    }) => item,
                    _ => break,
                },
            };
            nullable.push(ty.nullable);
            if let BaseType::Named(name) = &ty.base {
                parent = name.as_str();
            }
            current = Some(ty);
        }
        nullable
    }

    /// The type of the field answered under `key`, and the selection sets below it.
    fn field<'d>(
        &'d self,
        sets: &[&'d SelectionSet],
        parent: &'d str,
        key: &str,
    ) -> Option<(&'d Type, Vec<&'d SelectionSet>)> {
        let found = self.fields_under(sets, parent, key);
        let (first, owner) = found.first()?;
        let name = first.name.node.as_str();
        let ty = self
            .types
            .field_type(owner, name)
            .or_else(|| self.types.field_type(parent, name))?;
        let children = found
            .iter()
            .map(|(field, _)| &field.selection_set.node)
            .collect();
        Some((ty, children))
    }

    /// Every field selected under `key`, through fragments, with the type that selects it.
    fn fields_under<'d>(
        &'d self,
        sets: &[&'d SelectionSet],
        parent: &'d str,
        key: &str,
    ) -> Vec<(&'d Field, &'d str)> {
        let mut pending: Vec<(&SelectionSet, &str)> =
            sets.iter().map(|set| (*set, parent)).collect();
        let mut seen_fragments: HashSet<&Name> = HashSet::new();
        let mut found = Vec::new();
        while let Some((set, owner)) = pending.pop() {
            for selection in &set.items {
                match &selection.node {
                    Selection::Field(field) if field.node.response_key().node == key => {
                        found.push((&field.node, owner));
                    }
                    Selection::Field(_) => {}
                    Selection::InlineFragment(inline) => {
                        let condition = inline.node.type_condition.as_ref();
                        let owner = condition.map_or(owner, |c| c.node.on.node.as_str());
                        pending.push((&inline.node.selection_set.node, owner));
                    }
                    Selection::FragmentSpread(spread) => {
                        let name = &spread.node.fragment_name.node;
                        if let Some(fragment) = self.document.fragments.get(name)
                            && seen_fragments.insert(name)
                        {
                            let owner = fragment.node.type_condition.node.on.node.as_str();
                            pending.push((&fragment.node.selection_set.node, owner));
                        }
                    }
                }
            }
        }
        found
    }
}

/// Walks `path`, putting back what async-graphql left out: the failed field itself, as null,
/// and the objects on the way that it turned into null because all their fields failed.
fn restore(data: &mut Value, path: &[PathSegment]) {
    let mut current = data;
    for (index, segment) in path.iter().enumerate() {
        if index > 0 && *current == Value::Null && matches!(segment, PathSegment::Field(_)) {
            // A field below it ran, so this position resolved to an object.
            *current = Value::Object(Default::default());
        }
        let last = index + 1 == path.len();
        let next = match (current, segment) {
            (Value::Object(fields), PathSegment::Field(key)) => {
                if last {
                    Some(fields.entry(Name::new(key)).or_insert(Value::Null))
                } else {
                    fields.get_mut(key.as_str())
                }
            }
            (Value::List(items), PathSegment::Index(at)) => items.get_mut(*at),
            _ => None,
        };
        let Some(next) = next else { return };
        current = next;
    }
}

/// Makes the parent of a null in a non-null position null, up to a nullable position.
fn propagate(data: &mut Value, path: &[PathSegment], nullable: &[bool]) {
    let Some(mut position) = first_null(data, path) else {
        return;
    };
    // The value at `path[..=position]` is null; positions of unknown type count as nullable.
    while !nullable.get(position).copied().unwrap_or(true) {
        if position == 0 {
            *data = Value::Null;
            return;
        }
        match value_at_mut(data, &path[..position]) {
            Some(parent) => *parent = Value::Null,
            None => return,
        }
        position -= 1;
    }
}

/// The index in `path` of the first null met walking down it.
fn first_null(data: &Value, path: &[PathSegment]) -> Option<usize> {
    let mut current = data;
    for (index, segment) in path.iter().enumerate() {
        current = match (current, segment) {
            (Value::Object(fields), PathSegment::Field(key)) => fields.get(key.as_str())?,
            (Value::List(items), PathSegment::Index(at)) => items.get(*at)?,
            _ => return None,
        };
        if *current == Value::Null {
            return Some(index);
        }
    }
    None
}

fn value_at_mut<'v>(data: &'v mut Value, path: &[PathSegment]) -> Option<&'v mut Value> {
    let mut current = data;
    for segment in path {
        current = match (current, segment) {
            (Value::Object(fields), PathSegment::Field(key)) => fields.get_mut(key.as_str())?,
            (Value::List(items), PathSegment::Index(at)) => items.get_mut(*at)?,
            _ => return None,
        };
    }
    Some(current)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use async_graphql::ServerError;
    use async_graphql::parser::parse_query;
    use serde_json::{Value as Json, json};

    use super::*;

    const SDL: &str = "
        type Query { a: String b: String! obj: Obj objs: [Obj!] strict: Obj! }
        type Obj { x: String y: String! inner: Obj }
        interface Node { id: ID! }
    ";

    fn run(query: &str, data: Json, paths: &[Json]) -> Json {
        let document = parse_query(query).unwrap();
        let types = SchemaTypes::from_sdl(SDL);
        let executed = Executed {
            document: &document,
            operation_name: None,
            root_type: "Query",
            types: &types,
        };
        let mut response = Response::new(Value::from_json(data).unwrap());
        response.errors = paths
            .iter()
            .map(|path| {
                ServerError::new("failed", None)
                    .with_path(serde_json::from_value(path.clone()).unwrap())
            })
            .collect();
        executed.propagate_nulls(&mut response);
        response.data.into_json().unwrap()
    }

    #[test]
    fn a_failed_nullable_field_becomes_null() {
        let data = run("{ a b }", json!({ "b": "ok" }), &[json!(["a"])]);
        assert_eq!(data, json!({ "b": "ok", "a": null }));
    }

    #[test]
    fn a_failed_non_null_root_field_nulls_the_data() {
        assert_eq!(
            run("{ a b }", json!({ "a": "ok" }), &[json!(["b"])]),
            Json::Null
        );
    }

    #[test]
    fn every_root_field_failing_keeps_nullable_ones() {
        assert_eq!(
            run("{ a }", Json::Null, &[json!(["a"])]),
            json!({ "a": null })
        );
    }

    #[test]
    fn a_non_null_field_nulls_its_nullable_parent() {
        let data = run(
            "{ a obj { x y } }",
            json!({ "a": "ok", "obj": { "x": "1" } }),
            &[json!(["obj", "y"])],
        );
        assert_eq!(data, json!({ "a": "ok", "obj": null }));
    }

    #[test]
    fn a_collapsed_object_is_rebuilt() {
        let data = run(
            "{ obj { x } }",
            json!({ "obj": null }),
            &[json!(["obj", "x"])],
        );
        assert_eq!(data, json!({ "obj": { "x": null } }));
    }

    #[test]
    fn nulls_stop_at_a_nullable_list_item_or_go_on_through_non_null_ones() {
        let query = "{ objs { y } }";
        let data = run(
            query,
            json!({ "objs": [{ "y": "1" }, {}] }),
            &[json!(["objs", 1, "y"])],
        );
        assert_eq!(
            data,
            json!({ "objs": null }),
            "items are non-null, the list is nullable"
        );
    }

    #[test]
    fn two_failures_under_one_object_both_count() {
        let errors = [json!(["obj", "y"]), json!(["obj", "x"])];
        assert_eq!(
            run("{ obj { x y } }", json!({ "obj": null }), &errors),
            json!({ "obj": null })
        );
        let errors = [json!(["obj", "x"]), json!(["obj", "y"])];
        assert_eq!(
            run("{ obj { x y } }", json!({ "obj": null }), &errors),
            json!({ "obj": null })
        );
    }

    #[test]
    fn aliases_and_fragments_are_followed() {
        let query = "{ o: obj { ...F } } fragment F on Obj { ... on Obj { deep: inner { y } } }";
        let data = run(
            query,
            json!({ "o": { "deep": {} } }),
            &[json!(["o", "deep", "y"])],
        );
        assert_eq!(data, json!({ "o": { "deep": null } }));
    }

    #[test]
    fn unknown_types_are_left_alone() {
        let data = run(
            "{ __schema { types { name } } }",
            json!({}),
            &[json!(["__schema", "types"])],
        );
        assert_eq!(data, json!({}));
        let data = run(
            "{ strict { x } }",
            json!({ "strict": { "x": "1" } }),
            &[json!(["nope", 3])],
        );
        assert_eq!(data, json!({ "strict": { "x": "1" } }));
    }
}
