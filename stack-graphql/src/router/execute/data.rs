//! Building entity representations and merging subgraph answers into the response data.

use hive_router_query_planner::ast::selection_item::SelectionItem;
use hive_router_query_planner::ast::selection_set::SelectionSet;
use hive_router_query_planner::planner::plan_nodes::{FetchNodePathSegment, FetchRewrite};
use hive_router_query_planner::state::supergraph_state::SupergraphState;
use serde_json::{Map, Value};

use super::types;

/// The representation of `entity` for an `_entities` call: the fields `requires` selects,
/// read by field name, with `__typename` among them.
///
/// `None` when the entity has no `__typename` or matches none of the required fragments, so
/// there is nothing the subgraph could resolve.
pub(crate) fn representation(
    entity: &Value,
    requires: &SelectionSet,
    schema: &SupergraphState,
) -> Option<Value> {
    let object = entity.as_object()?;
    let runtime = object.get("__typename")?.as_str()?;
    let mut out = Map::new();
    select_into(object, runtime, &requires.items, schema, &mut out);
    out.contains_key("__typename").then_some(Value::Object(out))
}

fn select_into(
    object: &Map<String, Value>,
    runtime: &str,
    items: &[SelectionItem],
    schema: &SupergraphState,
    out: &mut Map<String, Value>,
) {
    for item in items {
        match item {
            SelectionItem::Field(field) => {
                let Some(value) = object.get(&field.name) else {
                    continue;
                };
                let value = if field.selections.is_empty() {
                    value.clone()
                } else {
                    select_value(value, &field.selections, schema)
                };
                merge(out.entry(field.name.clone()).or_insert(Value::Null), value);
            }
            SelectionItem::InlineFragment(fragment) => {
                if types::satisfies(schema, runtime, &fragment.type_condition) {
                    select_into(object, runtime, &fragment.selections.items, schema, out);
                }
            }
            SelectionItem::FragmentSpread(_) => {}
        }
    }
}

fn select_value(value: &Value, selections: &SelectionSet, schema: &SupergraphState) -> Value {
    match value {
        Value::Array(items) => {
            let items = items
                .iter()
                .map(|item| select_value(item, selections, schema));
            Value::Array(items.collect())
        }
        Value::Object(object) => {
            let runtime = object
                .get("__typename")
                .and_then(Value::as_str)
                .unwrap_or("");
            let mut out = Map::new();
            select_into(object, runtime, &selections.items, schema, &mut out);
            Value::Object(out)
        }
        other => other.clone(),
    }
}

/// Applies the planner's rewrites to a representation or an answer.
pub(crate) fn rewrite(value: &mut Value, rewrites: &[FetchRewrite], schema: &SupergraphState) {
    for rewrite in rewrites {
        match rewrite {
            FetchRewrite::ValueSetter(setter) => {
                let to = Value::String(setter.set_value_to.clone());
                at_path(value, &setter.path, schema, &mut |object, key| {
                    object.insert(key.to_owned(), to.clone());
                });
            }
            FetchRewrite::KeyRenamer(renamer) => {
                at_path(value, &renamer.path, schema, &mut |object, key| {
                    if let Some(moved) = object.remove(key) {
                        object.insert(renamer.rename_key_to.clone(), moved);
                    }
                });
            }
        }
    }
}

/// Calls `change` with the object holding the last key of `path`, for every such object.
fn at_path(
    value: &mut Value,
    path: &[FetchNodePathSegment],
    schema: &SupergraphState,
    change: &mut dyn FnMut(&mut Map<String, Value>, &str),
) {
    if let Value::Array(items) = value {
        for item in items {
            at_path(item, path, schema, change);
        }
        return;
    }
    match path {
        [] => {}
        [FetchNodePathSegment::Key(key)] => {
            if let Value::Object(object) = value {
                change(object, key);
            }
        }
        [FetchNodePathSegment::Key(key), rest @ ..] => {
            if let Some(child) = value.get_mut(key.as_str()) {
                at_path(child, rest, schema, change);
            }
        }
        [FetchNodePathSegment::TypenameEquals(names), rest @ ..] => {
            let runtime = value.get("__typename").and_then(Value::as_str);
            let matches = runtime.is_some_and(|runtime| {
                names
                    .iter()
                    .any(|name| types::satisfies(schema, runtime, name))
            });
            if matches {
                at_path(value, rest, schema, change);
            }
        }
    }
}

/// Merges `source` into `target`: objects key by key, lists of the same length item by item.
///
/// A null never replaces a value that is already there: a subgraph that failed to add to an
/// object must not erase what another subgraph put in it.
pub(crate) fn merge(target: &mut Value, source: Value) {
    match (target, source) {
        (Value::Object(target), Value::Object(source)) => {
            for (key, value) in source {
                match target.get_mut(&key) {
                    Some(existing) => merge(existing, value),
                    None => {
                        target.insert(key, value);
                    }
                }
            }
        }
        (Value::Array(target), Value::Array(source)) if target.len() == source.len() => {
            for (existing, value) in target.iter_mut().zip(source) {
                merge(existing, value);
            }
        }
        (target, source) if !source.is_null() || target.is_null() => *target = source,
        _ => {}
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn merge_is_deep_and_keeps_values_over_nulls() {
        let mut target = json!({"a": {"b": 1}, "list": [{"x": 1}, {"x": 2}], "kept": 3});
        let source = json!({"a": {"c": 2}, "list": [{"y": 1}, {"y": 2}], "kept": null});
        merge(&mut target, source);
        assert_eq!(
            target,
            json!({"a": {"b": 1, "c": 2}, "list": [{"x": 1, "y": 1}, {"x": 2, "y": 2}], "kept": 3})
        );
    }
}
