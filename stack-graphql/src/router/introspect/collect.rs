//! Which fields a selection set asks of an object: fragments expanded, `@skip`/`@include`
//! applied, fields grouped by response key in the order the client wrote them.

use std::collections::{HashMap, HashSet};

use async_graphql::parser::types::Directive;
use async_graphql::parser::types::{Field, FragmentDefinition, Selection, SelectionSet};
use async_graphql::{Name, Positioned};
use async_graphql_value::Value as Literal;
use serde_json::{Map, Value};

use crate::router::schema::PublicSchema;

/// Fields by response key, in the order each key first appears.
pub(super) type Grouped<'d> = Vec<(&'d str, Vec<&'d Field>)>;

/// Collects fields of one operation, with its fragments and its coerced variables.
pub(super) struct Collector<'d> {
    pub(super) schema: &'d PublicSchema,
    pub(super) fragments: &'d HashMap<Name, Positioned<FragmentDefinition>>,
    pub(super) variables: &'d Map<String, Value>,
}

impl<'d> Collector<'d> {
    /// The fields that `sets` (the selection sets of fields merged under one response key)
    /// ask of an object of type `object`.
    pub(super) fn collect(&self, object: &str, sets: &[&'d SelectionSet]) -> Grouped<'d> {
        let mut groups = Groups::default();
        let mut visited = HashSet::new();
        for set in sets {
            self.walk(object, set, &mut groups, &mut visited);
        }
        groups.grouped
    }

    fn walk(
        &self,
        object: &str,
        set: &'d SelectionSet,
        groups: &mut Groups<'d>,
        visited: &mut HashSet<&'d str>,
    ) {
        for selection in &set.items {
            match &selection.node {
                Selection::Field(field) => {
                    let field = &field.node;
                    if self.included(&field.directives) {
                        groups.add(field);
                    }
                }
                Selection::FragmentSpread(spread) => {
                    let spread = &spread.node;
                    let name = spread.fragment_name.node.as_str();
                    // Each fragment is expanded once per selection set, as the specification
                    // asks; this also ends any cycle validation might have missed.
                    if !self.included(&spread.directives) || !visited.insert(name) {
                        continue;
                    }
                    let Some(fragment) = self.fragments.get(name) else {
                        continue;
                    };
                    let condition = fragment.node.type_condition.node.on.node.as_str();
                    if self.schema.satisfies(object, condition) {
                        self.walk(object, &fragment.node.selection_set.node, groups, visited);
                    }
                }
                Selection::InlineFragment(inline) => {
                    let inline = &inline.node;
                    let applies = inline.type_condition.as_ref().is_none_or(|condition| {
                        self.schema
                            .satisfies(object, condition.node.on.node.as_str())
                    });
                    if applies && self.included(&inline.directives) {
                        self.walk(object, &inline.selection_set.node, groups, visited);
                    }
                }
            }
        }
    }

    /// Whether `@skip` and `@include` keep a selection.
    fn included(&self, directives: &[Positioned<Directive>]) -> bool {
        directives.iter().all(|directive| {
            let directive = &directive.node;
            let condition = || {
                let argument = directive.get_argument("if")?;
                self.literal(&argument.node).as_bool()
            };
            match directive.name.node.as_str() {
                "skip" => condition() != Some(true),
                "include" => condition() != Some(false),
                _ => true,
            }
        })
    }

    /// The value of argument `name` of `field`, with variables replaced by their values.
    pub(super) fn argument(&self, field: &Field, name: &str) -> Value {
        field
            .get_argument(name)
            .map_or(Value::Null, |argument| self.literal(&argument.node))
    }

    fn literal(&self, literal: &Literal) -> Value {
        match literal {
            Literal::Variable(name) => self
                .variables
                .get(name.as_str())
                .cloned()
                .unwrap_or(Value::Null),
            Literal::List(items) => Value::Array(items.iter().map(|i| self.literal(i)).collect()),
            Literal::Object(fields) => Value::Object(
                fields
                    .iter()
                    .map(|(key, value)| (key.to_string(), self.literal(value)))
                    .collect(),
            ),
            other => other
                .clone()
                .into_const()
                .and_then(|value| value.into_json().ok())
                .unwrap_or(Value::Null),
        }
    }
}

/// The selection sets of fields merged under one response key.
pub(super) fn selection_sets<'d>(fields: &[&'d Field]) -> Vec<&'d SelectionSet> {
    fields
        .iter()
        .map(|field| &field.selection_set.node)
        .collect()
}

/// Fields grouped so far, with where each response key sits.
#[derive(Default)]
struct Groups<'d> {
    grouped: Grouped<'d>,
    positions: HashMap<&'d str, usize>,
}

impl<'d> Groups<'d> {
    fn add(&mut self, field: &'d Field) {
        let key = field.response_key().node.as_str();
        match self
            .positions
            .get(key)
            .and_then(|&at| self.grouped.get_mut(at))
        {
            Some((_, fields)) => fields.push(field),
            None => {
                self.positions.insert(key, self.grouped.len());
                self.grouped.push((key, vec![field]));
            }
        }
    }
}
