//! `_entities`: one result per representation, in order, whatever happens to the others.
//!
//! async-graphql resolves `_entities` all or nothing: an unknown `__typename`, a representation
//! no resolver matches, or one resolver error fails the whole field, and since the field is
//! `[_Entity]!` the whole `data` becomes null. A router then loses every entity of the batch.
//!
//! This module keeps the batch: representations that cannot resolve (not an object, no
//! `__typename`, not an entity type) get null and an error at `["_entities", i]` without being
//! sent to the engine. The rest run together; if the field still fails as a whole, each one
//! runs on its own and the results are put back in order, with error paths renumbered. Any
//! null left without an error gets a `NOT_FOUND` error at its position.
//!
//! This applies to operations whose only top-level selection is `_entities`, as routers send
//! them; other documents run unchanged.

use std::collections::HashSet;

use async_graphql::parser::types::{ExecutableDocument, Field, OperationType, Selection};
use async_graphql::{Executor, Name, PathSegment, Positioned, Response, ServerError, Variables};
use async_graphql_value::{ConstValue, Value};
use futures_util::future::join_all;
use stack_core::ErrorKind;

use crate::error;
use crate::subgraph::execute::{self, Call, Outcome};
use crate::subgraph::{document, limits};

/// An `_entities` operation, and where its representations come from.
#[derive(Debug)]
pub(crate) struct EntitiesPlan {
    /// The response key of the field (its alias, or `_entities`).
    key: Name,
    operation_name: Option<String>,
    representations: Vec<ConstValue>,
    source: Source,
}

#[derive(Debug)]
enum Source {
    /// `_entities(representations: $variable)`
    Variable(Name),
    /// `_entities(representations: [...])`
    Inline,
}

impl EntitiesPlan {
    /// The plan for an operation whose only top-level selection is `_entities`.
    pub(crate) fn find(
        document: &ExecutableDocument,
        operation_name: Option<&str>,
        variables: &Variables,
    ) -> Option<Self> {
        let (_, operation) = document::select(document, operation_name)?;
        let [selection] = operation.selection_set.node.items.as_slice() else {
            return None;
        };
        let Selection::Field(field) = &selection.node else {
            return None;
        };
        if operation.ty != OperationType::Query || field.node.name.node != "_entities" {
            return None;
        }
        let (representations, source) = representations_of(&field.node, variables)?;
        let key = field.node.response_key().node.clone();
        let operation_name = operation_name.map(str::to_owned);
        Some(Self {
            key,
            operation_name,
            representations,
            source,
        })
    }

    /// Resolves every representation, keeping the order and the length of the list.
    pub(crate) async fn run<E: Executor>(
        &self,
        executor: &E,
        call: &Call,
        document: ExecutableDocument,
        entity_types: Option<&HashSet<String>>,
        max_representations: usize,
    ) -> Outcome {
        if self.representations.len() > max_representations {
            let count = self.representations.len();
            let message = format!(
                "{count} representations in one `_entities` call; at most {max_representations} are allowed"
            );
            return Outcome::Refused(vec![limits::violation(
                message,
                "entities",
                max_representations,
            )]);
        }
        let checks: Vec<_> = self
            .representations
            .iter()
            .map(|r| check(r, entity_types))
            .collect();
        if checks.iter().all(Result::is_ok)
            && let Some(outcome) = self.run_together(executor, call, document.clone()).await
        {
            return outcome;
        }
        let items = self.run_alone(executor, call, &document, checks).await;
        Outcome::Executed(self.stitch(items))
    }

    /// Every representation in one execution; `None` when the field failed in a way that
    /// cannot be pinned on one representation.
    async fn run_together<E: Executor>(
        &self,
        executor: &E,
        call: &Call,
        document: ExecutableDocument,
    ) -> Option<Outcome> {
        match execute::run(executor, call, call.variables.clone(), document).await {
            Outcome::Executed(response) if self.is_attributable(&response) => {
                Some(Outcome::Executed(self.flag_missing(response)))
            }
            Outcome::Executed(_) => None,
            refused @ Outcome::Refused(_) => Some(refused),
        }
    }

    /// Each representation in an execution of its own, all at once; those that failed their
    /// check do not run.
    async fn run_alone<E: Executor>(
        &self,
        executor: &E,
        call: &Call,
        document: &ExecutableDocument,
        checks: Vec<Result<(), ServerError>>,
    ) -> Vec<Result<Outcome, ServerError>> {
        let pairs = self.representations.iter().zip(checks);
        let runs = pairs.map(|(one, check)| self.run_one(executor, call, document, one, check));
        join_all(runs).await
    }

    async fn run_one<E: Executor>(
        &self,
        executor: &E,
        call: &Call,
        document: &ExecutableDocument,
        representation: &ConstValue,
        check: Result<(), ServerError>,
    ) -> Result<Outcome, ServerError> {
        check?;
        let (variables, document) = self.single(representation, call, document);
        Ok(execute::run(executor, call, variables, document).await)
    }

    /// Whether the field resolved as a list of the right length, with every error under it
    /// at an index. async-graphql leaves the index out of the paths of errors inside entities
    /// (`["_entities", "name"]`), so such errors send each representation to run alone.
    fn is_attributable(&self, response: &Response) -> bool {
        let whole = matches!(
            self.entities(&response.data),
            Some(ConstValue::List(items)) if items.len() == self.representations.len()
        );
        let key = PathSegment::Field(self.key.to_string());
        whole
            && response
                .errors
                .iter()
                .all(|error| match error.path.as_slice() {
                    [field, PathSegment::Field(_), ..] => *field != key,
                    _ => true,
                })
    }

    fn entities<'r>(&self, data: &'r ConstValue) -> Option<&'r ConstValue> {
        match data {
            ConstValue::Object(fields) => fields.get(&self.key),
            _ => None,
        }
    }

    /// The variables and document that resolve one representation alone.
    fn single(
        &self,
        representation: &ConstValue,
        call: &Call,
        document: &ExecutableDocument,
    ) -> (Variables, ExecutableDocument) {
        let alone = ConstValue::List(vec![representation.clone()]);
        let mut variables = self.variables_besides_representations(call);
        let mut document = document.clone();
        match &self.source {
            Source::Variable(name) => {
                variables.insert(name.clone(), alone);
            }
            Source::Inline => {
                if let Some(argument) = self.argument_mut(&mut document) {
                    argument.node = alone.into_value();
                }
            }
        }
        (variables, document)
    }

    /// The call's variables without the representations list, and without variables the
    /// query never mentions, so resolving each representation alone costs no more than it.
    fn variables_besides_representations(&self, call: &Call) -> Variables {
        let skipped = match &self.source {
            Source::Variable(name) => Some(name),
            Source::Inline => None,
        };
        let used = |name: &Name| mentions_variable(&call.query, name);
        let kept = call
            .variables
            .iter()
            .filter(|(name, _)| Some(*name) != skipped && used(name));
        Variables::from_value(ConstValue::Object(
            kept.map(|(n, v)| (n.clone(), v.clone())).collect(),
        ))
    }

    fn argument_mut<'d>(
        &self,
        document: &'d mut ExecutableDocument,
    ) -> Option<&'d mut Positioned<Value>> {
        let operation = document::select_mut(document, self.operation_name.as_deref())?;
        let selection = operation.node.selection_set.node.items.first_mut()?;
        let Selection::Field(field) = &mut selection.node else {
            return None;
        };
        let (_, value) = field
            .node
            .arguments
            .iter_mut()
            .find(|(name, _)| name.node == "representations")?;
        Some(value)
    }

    /// Puts single results back into one response, in the order of the representations.
    fn stitch(&self, items: Vec<Result<Outcome, ServerError>>) -> Response {
        let mut entities = Vec::with_capacity(items.len());
        let mut errors = Vec::new();
        for (index, item) in items.into_iter().enumerate() {
            let (entity, item_errors) = match item {
                Ok(Outcome::Executed(response)) => (self.first_entity(&response), response.errors),
                Ok(Outcome::Refused(item_errors)) => (ConstValue::Null, item_errors),
                Err(error) => (ConstValue::Null, vec![error]),
            };
            entities.push(entity);
            errors.extend(
                item_errors
                    .into_iter()
                    .map(|error| self.renumber(error, index)),
            );
        }
        let data = ConstValue::Object([(self.key.clone(), ConstValue::List(entities))].into());
        let mut response = Response::new(data);
        response.errors = errors;
        self.flag_missing(response)
    }

    fn first_entity(&self, response: &Response) -> ConstValue {
        match self.entities(&response.data) {
            Some(ConstValue::List(items)) => items.first().cloned().unwrap_or(ConstValue::Null),
            _ => ConstValue::Null,
        }
    }

    /// Moves an error of a single run to the representation's position in the whole list.
    fn renumber(&self, mut error: ServerError, index: usize) -> ServerError {
        let key = PathSegment::Field(self.key.to_string());
        match error.path.as_mut_slice() {
            [field, PathSegment::Index(at), ..] if *field == key => *at = index,
            [field, ..] if *field == key => error.path.insert(1, PathSegment::Index(index)),
            [] => error.path = vec![key, PathSegment::Index(index)],
            _ => {}
        }
        error
    }

    /// Adds a `NOT_FOUND` error for each null entity that no error explains.
    fn flag_missing(&self, mut response: Response) -> Response {
        let Some(ConstValue::List(entities)) = self.entities(&response.data) else {
            return response;
        };
        let key = PathSegment::Field(self.key.to_string());
        let unexplained: Vec<usize> = (0..entities.len())
            .filter(|&index| entities[index] == ConstValue::Null)
            .filter(|&index| {
                !response
                    .errors
                    .iter()
                    .any(|error| is_at(error, &key, index))
            })
            .collect();
        for index in unexplained {
            let typename = typename_of(&self.representations[index]).unwrap_or("entity");
            let message = format!("no `{typename}` matches representation {index}");
            let mut error = error::coded(message, ErrorKind::NotFound.graphql_code());
            error.path = vec![key.clone(), PathSegment::Index(index)];
            response.errors.push(error);
        }
        response
    }
}

/// Reads the `representations` argument: a variable or an inline list.
fn representations_of(field: &Field, variables: &Variables) -> Option<(Vec<ConstValue>, Source)> {
    let value = field.get_argument("representations")?;
    let (list, source) = match &value.node {
        Value::Variable(name) => (variables.get(name)?.clone(), Source::Variable(name.clone())),
        inline => {
            let list = inline
                .clone()
                .into_const_with(|name| variables.get(&name).cloned().ok_or(()));
            (list.ok()?, Source::Inline)
        }
    };
    // Input coercion: a single value where a list is expected is a list of one.
    match list {
        ConstValue::List(items) => Some((items, source)),
        ConstValue::Null => None,
        single => Some((vec![single], source)),
    }
}

/// Whether a representation can resolve at all: an object naming an entity type.
fn check(
    representation: &ConstValue,
    entity_types: Option<&HashSet<String>>,
) -> Result<(), ServerError> {
    let bad_input = |message: String| error::coded(message, ErrorKind::BadUserInput.graphql_code());
    let Some(typename) = typename_of(representation) else {
        return Err(bad_input(
            "a representation must be an object with a `__typename` string".to_owned(),
        ));
    };
    match entity_types {
        Some(types) if !types.contains(typename) => Err(bad_input(format!(
            "`{typename}` is not an entity type of this subgraph"
        ))),
        _ => Ok(()),
    }
}

/// Whether the selected operation asks for `_entities` anywhere among its root fields (through
/// aliases, fragments or next to other fields), when it is not the plain shape routers send.
/// Such operations would bypass the representations limit, so they are refused.
pub(crate) fn asks_for_entities(
    document: &ExecutableDocument,
    operation_name: Option<&str>,
) -> bool {
    document::select(document, operation_name).is_some_and(|(_, operation)| {
        selects_entities(document, &operation.selection_set.node.items, 0)
    })
}

fn selects_entities(
    document: &ExecutableDocument,
    items: &[Positioned<Selection>],
    depth: usize,
) -> bool {
    // Fragments nest only as deep as the nesting limit already checked; this bound is a backstop.
    if depth > 64 {
        return true;
    }
    items.iter().any(|item| match &item.node {
        Selection::Field(field) => field.node.name.node == "_entities",
        Selection::InlineFragment(inline) => {
            selects_entities(document, &inline.node.selection_set.node.items, depth + 1)
        }
        Selection::FragmentSpread(spread) => document
            .fragments
            .get(&spread.node.fragment_name.node)
            .is_some_and(|fragment| {
                selects_entities(document, &fragment.node.selection_set.node.items, depth + 1)
            }),
    })
}

/// Whether `query` mentions `$name` as a whole variable name (a cheap, conservative check).
fn mentions_variable(query: &str, name: &str) -> bool {
    let needle = format!("${name}");
    query.match_indices(&needle).any(|(at, _)| {
        let next = query[at + needle.len()..].chars().next();
        !next.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_')
    })
}

fn typename_of(representation: &ConstValue) -> Option<&str> {
    match representation {
        ConstValue::Object(fields) => match fields.get("__typename")? {
            ConstValue::String(typename) => Some(typename),
            _ => None,
        },
        _ => None,
    }
}

/// Whether an error is at or under `[key, index]`.
fn is_at(error: &ServerError, key: &PathSegment, index: usize) -> bool {
    match error.path.as_slice() {
        [field, PathSegment::Index(at), ..] => field == key && *at == index,
        _ => false,
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use async_graphql::parser::parse_query;
    use serde_json::json;

    use super::*;

    fn plan(query: &str, variables: serde_json::Value) -> Option<EntitiesPlan> {
        let document = parse_query(query).ok()?;
        EntitiesPlan::find(&document, None, &Variables::from_json(variables))
    }

    #[test]
    fn a_router_query_is_planned_from_its_variable() {
        let query = "query($r: [_Any!]!) { e: _entities(representations: $r) { __typename } }";
        let plan = plan(
            query,
            json!({ "r": [{ "__typename": "A" }, { "__typename": "B" }] }),
        );
        let plan = plan.map(|p| (p.key.to_string(), p.representations.len()));
        assert_eq!(plan, Some(("e".to_owned(), 2)));
    }

    #[test]
    fn inline_representations_are_planned() {
        let query =
            r#"{ _entities(representations: [{ __typename: "A", id: $id }]) { __typename } }"#;
        let plan = plan(query, json!({ "id": "1" }));
        let first = plan.and_then(|p| p.representations.into_iter().next());
        assert_eq!(
            first.map(|r| r.into_json().unwrap_or_default()),
            Some(json!({ "__typename": "A", "id": "1" }))
        );
    }

    #[test]
    fn other_operations_are_not_planned() {
        assert!(plan("{ a }", json!({})).is_none());
        assert!(
            plan(
                "{ a _entities(representations: []) { __typename } }",
                json!({})
            )
            .is_none()
        );
        assert!(
            plan(
                "mutation { _entities(representations: []) { __typename } }",
                json!({})
            )
            .is_none()
        );
    }

    #[test]
    fn errors_are_renumbered_to_their_representation() {
        let plan = plan(
            "{ _entities(representations: []) { __typename } }",
            json!({}),
        );
        let plan = plan.expect("a plan");
        let field = |name: &str| PathSegment::Field(name.to_owned());
        let deep = ServerError::new("deep", None).with_path(vec![
            field("_entities"),
            PathSegment::Index(0),
            field("name"),
        ]);
        let renumbered = plan.renumber(deep, 7).path;
        assert_eq!(
            renumbered,
            vec![field("_entities"), PathSegment::Index(7), field("name")]
        );
        let whole = ServerError::new("whole", None).with_path(vec![field("_entities")]);
        assert_eq!(
            plan.renumber(whole, 3).path,
            vec![field("_entities"), PathSegment::Index(3)]
        );
        let unindexed =
            ServerError::new("inside", None).with_path(vec![field("_entities"), field("name")]);
        let renumbered = plan.renumber(unindexed, 2).path;
        assert_eq!(
            renumbered,
            vec![field("_entities"), PathSegment::Index(2), field("name")]
        );
        let pathless = ServerError::new("pathless", None);
        assert_eq!(
            plan.renumber(pathless, 1).path,
            vec![field("_entities"), PathSegment::Index(1)]
        );
    }

    #[test]
    fn variables_are_mentioned_only_as_whole_names() {
        let query =
            "query($r: [_Any!]!, $rich: Int) { _entities(representations: $r) { __typename } }";
        assert!(mentions_variable(query, "r"));
        assert!(mentions_variable(query, "rich"));
        assert!(!mentions_variable(query, "ri"));
        assert!(!mentions_variable(query, "unused"));
    }

    #[test]
    fn representations_are_checked_against_the_entity_types() {
        let types: HashSet<String> = ["Product".to_owned()].into();
        let object = |typename: &str| {
            ConstValue::from_json(json!({ "__typename": typename })).unwrap_or_default()
        };
        assert!(check(&object("Product"), Some(&types)).is_ok());
        assert!(check(&object("Nope"), Some(&types)).is_err());
        assert!(check(&object("Nope"), None).is_ok());
        assert!(check(&ConstValue::from(1), Some(&types)).is_err());
    }
}
