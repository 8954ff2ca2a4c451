//! Shaping the merged data into the response the client asked for.
//!
//! The merged data holds more than the client selected (keys and `__typename` fetched for
//! entity calls) and may lack what a failed subgraph never sent. Shaping walks the client's
//! normalized operation: it keeps only selected fields, in the client's order and under the
//! client's aliases, applies `@skip`/`@include`, answers `__typename`, and propagates nulls
//! through non-null positions as the GraphQL specification asks.

use hive_router_query_planner::ast::operation::OperationDefinition;
use hive_router_query_planner::ast::selection_item::SelectionItem;
use hive_router_query_planner::ast::selection_set::SelectionSet;
use hive_router_query_planner::state::supergraph_state::{
    OperationKind, SupergraphState, TypeNode,
};
use serde_json::{Map, Value};

use super::errors::Errors;
use super::path::{ResponsePath, Step};
use super::types;

/// A null in a non-null position, on its way up to the nearest nullable parent.
struct NullBubble;

/// Shapes `data` for `operation`; `None` when a null reached the root.
pub(crate) fn shape(
    operation: &OperationDefinition,
    data: &Value,
    schema: &SupergraphState,
    variables: &Map<String, Value>,
    errors: &mut Errors,
) -> Option<Value> {
    let root = root_type(operation, schema)?;
    let empty = Map::new();
    let object = data.as_object().unwrap_or(&empty);
    let mut shaper = Shaper {
        schema,
        variables,
        errors,
        path: Vec::new(),
    };
    let mut out = Map::new();
    let items = &operation.selection_set.items;
    match shaper.fields(root, object, items, &mut out) {
        Ok(()) => Some(Value::Object(out)),
        Err(NullBubble) => None,
    }
}

fn root_type<'s>(operation: &OperationDefinition, schema: &'s SupergraphState) -> Option<&'s str> {
    match operation.operation_kind {
        Some(OperationKind::Query) | None => Some(&schema.query_type),
        Some(OperationKind::Mutation) => schema.mutation_type.as_deref(),
        Some(OperationKind::Subscription) => schema.subscription_type.as_deref(),
    }
}

struct Shaper<'a> {
    schema: &'a SupergraphState,
    variables: &'a Map<String, Value>,
    errors: &'a mut Errors,
    path: ResponsePath,
}

impl Shaper<'_> {
    fn fields(
        &mut self,
        runtime: &str,
        object: &Map<String, Value>,
        items: &[SelectionItem],
        out: &mut Map<String, Value>,
    ) -> Result<(), NullBubble> {
        for item in items {
            match item {
                SelectionItem::Field(field) => {
                    if field.omit_from_response || self.skipped(&field.skip_if, &field.include_if) {
                        continue;
                    }
                    let key = field.selection_identifier();
                    let value = if field.name == "__typename" {
                        Value::String(runtime.to_owned())
                    } else {
                        self.path.push(Step::Key(key.to_owned()));
                        let value = self.field(runtime, &field.name, object.get(key), field);
                        self.path.pop();
                        value?
                    };
                    match out.get_mut(key) {
                        Some(existing) => super::data::merge(existing, value),
                        None => {
                            out.insert(key.to_owned(), value);
                        }
                    }
                }
                SelectionItem::InlineFragment(fragment) => {
                    let skipped = self.skipped(&fragment.skip_if, &fragment.include_if);
                    if !skipped && types::satisfies(self.schema, runtime, &fragment.type_condition)
                    {
                        self.fields(runtime, object, &fragment.selections.items, out)?;
                    }
                }
                SelectionItem::FragmentSpread(_) => {}
            }
        }
        Ok(())
    }

    fn field(
        &mut self,
        parent: &str,
        name: &str,
        raw: Option<&Value>,
        field: &hive_router_query_planner::ast::selection_set::FieldSelection,
    ) -> Result<Value, NullBubble> {
        match types::field(self.schema, parent, name) {
            Some(definition) => self.value(&definition.field_type, raw, &field.selections),
            // Introspection and other fields the supergraph does not declare pass through.
            None => Ok(raw.cloned().unwrap_or(Value::Null)),
        }
    }

    fn value(
        &mut self,
        ty: &TypeNode,
        raw: Option<&Value>,
        selections: &SelectionSet,
    ) -> Result<Value, NullBubble> {
        let TypeNode::NonNull(inner) = ty else {
            return Ok(self.nullable(ty, raw, selections));
        };
        let value = self.nullable(inner, raw, selections);
        if value.is_null() {
            self.errors.null_in_non_null(&self.path);
            return Err(NullBubble);
        }
        Ok(value)
    }

    fn nullable(&mut self, ty: &TypeNode, raw: Option<&Value>, selections: &SelectionSet) -> Value {
        match (ty, raw) {
            (_, None | Some(Value::Null)) => Value::Null,
            (TypeNode::NonNull(_), Some(_)) => self.value(ty, raw, selections).unwrap_or_default(),
            (TypeNode::List(inner), Some(Value::Array(items))) => {
                self.list(inner, items, selections)
            }
            (TypeNode::List(_), Some(_)) => Value::Null,
            (TypeNode::Named(name), Some(Value::Object(object))) => {
                if types::is_composite(self.schema, name) {
                    self.object(name, object, selections)
                } else {
                    Value::Object(object.clone())
                }
            }
            (TypeNode::Named(_), Some(scalar)) => scalar.clone(),
        }
    }

    fn list(&mut self, inner: &TypeNode, items: &[Value], selections: &SelectionSet) -> Value {
        let mut out = Vec::with_capacity(items.len());
        for (index, item) in items.iter().enumerate() {
            self.path.push(Step::Index(index));
            let value = self.value(inner, Some(item), selections);
            self.path.pop();
            match value {
                Ok(value) => out.push(value),
                Err(NullBubble) => return Value::Null,
            }
        }
        Value::Array(out)
    }

    fn object(&mut self, declared: &str, object: &Map<String, Value>, sel: &SelectionSet) -> Value {
        let runtime = object
            .get("__typename")
            .and_then(Value::as_str)
            .unwrap_or(declared)
            .to_owned();
        let mut out = Map::new();
        match self.fields(&runtime, object, &sel.items, &mut out) {
            Ok(()) => Value::Object(out),
            Err(NullBubble) => Value::Null,
        }
    }

    /// Whether `@skip(if:)` or `@include(if:)` leaves a selection out.
    fn skipped(&self, skip_if: &Option<String>, include_if: &Option<String>) -> bool {
        let flag = |name: &String| self.variables.get(name).and_then(Value::as_bool);
        let skip = skip_if.as_ref().and_then(flag).unwrap_or(false);
        let include = include_if.as_ref().and_then(flag).unwrap_or(true);
        skip || !include
    }
}

#[cfg(test)]
#[allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::needless_pass_by_value
)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::router::plan::Plans;

    const SUPERGRAPH: &str = include_str!("../../../tests/router_support/tiny.graphql");

    fn shaped(query: &str, data: Value, variables: Value) -> (Option<Value>, Vec<Value>) {
        let plans = Plans::new(SUPERGRAPH, 4).unwrap();
        let planned = plans.get(query, None).unwrap();
        let variables = variables.as_object().cloned().unwrap_or_default();
        let mut errors = Errors::default();
        let data = shape(
            &planned.operation,
            &data,
            plans.supergraph(),
            &variables,
            &mut errors,
        );
        (data, errors.into_vec())
    }

    #[test]
    fn only_selected_fields_are_kept_under_their_aliases() {
        let data = json!({ "users": [{ "__typename": "User", "id": "1", "who": "Ada" }] });
        let (data, errors) = shaped("{ users { who: name } }", data, json!({}));
        assert_eq!(data, Some(json!({ "users": [{ "who": "Ada" }] })));
        assert!(errors.is_empty());
    }

    #[test]
    fn a_null_non_null_field_nulls_its_nullable_parent_with_one_error() {
        let data = json!({ "me": { "id": "1", "name": null } });
        let (data, errors) = shaped("{ me { id name } }", data, json!({}));
        assert_eq!(data, Some(json!({ "me": null })));
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0]["path"], json!(["me", "name"]));
    }

    #[test]
    fn a_null_that_reaches_a_non_null_root_field_nulls_the_data() {
        let data = json!({ "users": [{ "id": "1", "name": null }] });
        let (data, _) = shaped("{ users { name } }", data, json!({}));
        assert_eq!(data, None);
    }

    #[test]
    fn typename_is_answered_from_the_data_or_the_declared_type() {
        let data = json!({ "me": { "id": "1" } });
        let (data, _) = shaped("{ __typename me { __typename id } }", data, json!({}));
        assert_eq!(
            data,
            Some(json!({ "__typename": "Query", "me": { "__typename": "User", "id": "1" } }))
        );
    }

    #[test]
    fn skip_and_include_read_the_variables() {
        let data = json!({ "me": { "id": "1", "name": "Ada" } });
        let query = "query($x: Boolean!) { me { id name @skip(if: $x) } }";
        let (skipped, _) = shaped(query, data.clone(), json!({ "x": true }));
        assert_eq!(skipped, Some(json!({ "me": { "id": "1" } })));
        let (kept, _) = shaped(query, data, json!({ "x": false }));
        assert_eq!(kept, Some(json!({ "me": { "id": "1", "name": "Ada" } })));
    }
}
