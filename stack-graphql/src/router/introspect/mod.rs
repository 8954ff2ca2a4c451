//! Introspection (`__schema`, `__type`) answered by the router from the public schema.
//!
//! A subgraph's introspection would describe only its part of the graph, and would show what
//! the supergraph hides, so the router answers these fields itself: from the planner's
//! consumer schema, without `@inaccessible` elements and without the `join__`/`link__`
//! machinery (see [`PublicSchema`]). It follows the GraphQL specification of October 2021
//! with `specifiedByURL`, `isRepeatable`, `includeDeprecated` and `deprecationReason` on
//! arguments and input fields, and `isOneOf`.
//!
//! Planning takes the root introspection fields out of the operation (see `plan`), and an
//! operation left with nothing but `__typename` asks no subgraph at all. [`answer`] resolves
//! the client's selections on those fields and [`write_into`] puts them back among the fields
//! the plan answered, in the client's order.

mod collect;
mod literal;
mod resolve;

use async_graphql::parser::types::{ExecutableDocument, OperationDefinition, OperationType};
use serde_json::{Map, Value};

use self::collect::Collector;
use self::resolve::{Node, Resolver};
use super::schema::PublicSchema;

/// The root fields of `operation`, by response key in the client's order, with the answer of
/// those that introspect; `None` for the others, which the plan answers.
///
/// `variables` are the operation's coerced variables, for arguments and `@skip`/`@include`.
pub(crate) fn answer(
    schema: &PublicSchema,
    document: &ExecutableDocument,
    operation: &OperationDefinition,
    variables: &Map<String, Value>,
) -> Vec<(String, Option<Value>)> {
    // Only the query type has the introspection fields.
    if operation.ty != OperationType::Query {
        return Vec::new();
    }
    let resolver = Resolver {
        schema,
        collector: Collector {
            schema,
            fragments: &document.fragments,
            variables,
        },
    };
    let root = [&operation.selection_set.node];
    let selected = resolver.collector.collect(schema.query_type(), &root);
    let mut fields = Vec::with_capacity(selected.len());
    for (key, grouped) in &selected {
        let answer = match grouped.first() {
            Some(first) if first.name.node == "__schema" => {
                Some(resolver.object(Node::Schema, grouped))
            }
            Some(first) if first.name.node == "__type" => {
                Some(resolver.schema_field("__type", first, grouped))
            }
            _ => None,
        };
        fields.push(((*key).to_owned(), answer));
    }
    fields
}

/// Puts the introspection answers among the fields of `data`, in the order of `root`; nothing
/// when `data` is null (a null that reached the root from a failed non-null field).
pub(crate) fn write_into(data: &mut Value, root: Vec<(String, Option<Value>)>) {
    let Value::Object(object) = data else {
        return;
    };
    if root.iter().all(|(_, answer)| answer.is_none()) {
        return;
    }
    let mut planned = std::mem::take(object);
    for (key, answer) in root {
        let value = answer.or_else(|| planned.remove(&key));
        if let Some(value) = value {
            object.insert(key, value);
        }
    }
    object.append(&mut planned);
}
