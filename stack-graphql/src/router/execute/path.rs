//! Response paths and walking the response data along plan paths.

use hive_router_query_planner::planner::plan_nodes::FlattenNodePathSegment;
use hive_router_query_planner::state::supergraph_state::SupergraphState;
use serde_json::Value;

use super::types;

/// One step of a response path: a key of an object or an index into a list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Step {
    Key(String),
    Index(usize),
}

/// A path in the client's response, as GraphQL errors write it.
pub(crate) type ResponsePath = Vec<Step>;

/// Writes a path as the JSON array of an error's `path`.
pub(crate) fn to_json(path: &[Step]) -> Value {
    let steps = path.iter().map(|step| match step {
        Step::Key(key) => Value::String(key.clone()),
        Step::Index(index) => Value::from(*index),
    });
    Value::Array(steps.collect())
}

/// The objects a flatten path reaches in `data`, each with its response path.
///
/// Lists are entered whether or not the plan marks them (`@`), nulls end a branch, and a type
/// condition keeps only the objects whose `__typename` satisfies it.
pub(crate) fn objects_at<'d>(
    data: &'d Value,
    path: &[FlattenNodePathSegment],
    schema: &SupergraphState,
) -> Vec<(ResponsePath, &'d Value)> {
    let mut found = Vec::new();
    walk(data, path, schema, &mut Vec::new(), &mut found);
    found
}

fn walk<'d>(
    value: &'d Value,
    path: &[FlattenNodePathSegment],
    schema: &SupergraphState,
    at: &mut ResponsePath,
    found: &mut Vec<(ResponsePath, &'d Value)>,
) {
    if let Value::Array(items) = value {
        let rest = match path.first() {
            Some(FlattenNodePathSegment::List) => &path[1..],
            _ => path,
        };
        for (index, item) in items.iter().enumerate() {
            at.push(Step::Index(index));
            walk(item, rest, schema, at, found);
            at.pop();
        }
        return;
    }
    let Value::Object(object) = value else {
        return;
    };
    match path.first() {
        None => found.push((at.clone(), value)),
        Some(FlattenNodePathSegment::Field(key)) => {
            if let Some(child) = object.get(key) {
                at.push(Step::Key(key.clone()));
                walk(child, &path[1..], schema, at, found);
                at.pop();
            }
        }
        Some(FlattenNodePathSegment::TypeCondition(names)) => {
            let runtime = object.get("__typename").and_then(Value::as_str);
            let matches = runtime.is_some_and(|runtime| {
                names
                    .iter()
                    .any(|name| types::satisfies(schema, runtime, name))
            });
            if matches {
                walk(value, &path[1..], schema, at, found);
            }
        }
        Some(FlattenNodePathSegment::List) => walk(value, &path[1..], schema, at, found),
    }
}

/// The value at `path` in `data`, to change it.
pub(crate) fn get_mut<'d>(data: &'d mut Value, path: &[Step]) -> Option<&'d mut Value> {
    path.iter().try_fold(data, |value, step| match step {
        Step::Key(key) => value.get_mut(key.as_str()),
        Step::Index(index) => value.get_mut(*index),
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn paths_are_written_as_keys_and_indexes() {
        let path = vec![Step::Key("a".into()), Step::Index(2), Step::Key("b".into())];
        assert_eq!(to_json(&path), json!(["a", 2, "b"]));
    }

    #[test]
    fn get_mut_follows_keys_and_indexes() {
        let mut data = json!({"a": [{"b": 1}, {"b": 2}]});
        let path = vec![Step::Key("a".into()), Step::Index(1), Step::Key("b".into())];
        *get_mut(&mut data, &path).unwrap() = json!(3);
        assert_eq!(data, json!({"a": [{"b": 1}, {"b": 3}]}));
    }
}
