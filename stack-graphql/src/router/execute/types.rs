//! Questions about the supergraph's types that shaping a response asks.

use hive_router_query_planner::state::supergraph_state::{
    SupergraphDefinition, SupergraphField, SupergraphState,
};

/// Whether an object of type `runtime` satisfies the type condition `condition`: the same
/// type, an interface it implements, or a union it belongs to.
pub(crate) fn satisfies(schema: &SupergraphState, runtime: &str, condition: &str) -> bool {
    if runtime == condition {
        return true;
    }
    match schema.definitions.get(condition) {
        Some(SupergraphDefinition::Interface(_)) => schema
            .interface_to_object_types
            .get(condition)
            .is_some_and(|objects| objects.contains(runtime)),
        Some(SupergraphDefinition::Union(union)) => union.types.iter().any(|t| t == runtime),
        _ => false,
    }
}

/// The definition of field `name` on type `type_name`.
pub(crate) fn field<'s>(
    schema: &'s SupergraphState,
    type_name: &str,
    name: &str,
) -> Option<&'s SupergraphField> {
    schema.definitions.get(type_name)?.fields().get(name)
}

/// Whether `type_name` has fields (an object or an interface) or members (a union).
pub(crate) fn is_composite(schema: &SupergraphState, type_name: &str) -> bool {
    schema
        .definitions
        .get(type_name)
        .is_some_and(SupergraphDefinition::is_composite_type)
}
