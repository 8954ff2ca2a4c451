//! Running a query plan: fetches to subgraphs, their answers merged into one response.
//!
//! The plan is a tree of nodes: a `Fetch` asks one subgraph, `Sequence` runs its children in
//! order, `Parallel` runs them at the same time, `Flatten` runs an entity fetch for every
//! object at a path of the data gathered so far, `Condition` picks a branch from a boolean
//! variable (`@skip`/`@include`), and `BatchFetch` asks one subgraph for several kinds of
//! entities in one request. The data lives behind a lock that is held only to read
//! representations and to merge answers, never across a request.

mod data;
mod errors;
mod path;
mod project;
mod types;

use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard, PoisonError};

use futures_util::future::{BoxFuture, join_all};
use hive_router_query_planner::ast::selection_set::SelectionSet;
use hive_router_query_planner::planner::plan_nodes::{
    BatchFetchNode, ConditionNode, FetchNode, FetchRewrite, FlattenNodePath, PlanNode,
};
use hive_router_query_planner::state::supergraph_state::{OperationKind, SupergraphState};
use serde_json::{Map, Value, json};

use self::errors::Errors;
use self::path::ResponsePath;
use super::plan::Planned;
use super::subgraphs::Subgraphs;
use super::transport::SubgraphRequest;

/// What the client gets: `data` (absent when a null reached the root) and the errors.
#[derive(Debug)]
pub(crate) struct Executed {
    pub(crate) data: Value,
    pub(crate) errors: Vec<Value>,
}

/// The parts of the client request every subgraph request repeats.
pub(crate) struct Outgoing {
    /// The request every subgraph request is cloned from (headers, identity, edge).
    pub(crate) template: SubgraphRequest,
    /// The operation's variables, coerced (defaults applied, values checked and converted).
    pub(crate) variables: Map<String, Value>,
}

/// Runs `planned` and shapes the response.
pub(crate) async fn execute(
    planned: &Planned,
    schema: &SupergraphState,
    subgraphs: &Subgraphs,
    outgoing: &Outgoing,
) -> Executed {
    let run = Run {
        schema,
        subgraphs,
        outgoing,
        state: Mutex::new(State::default()),
    };
    if let Some(node) = &planned.plan.node {
        run.node(node).await;
    }
    let State { data, mut errors } = run
        .state
        .into_inner()
        .unwrap_or_else(PoisonError::into_inner);
    let data = project::shape(
        &planned.operation,
        &data,
        schema,
        &outgoing.variables,
        &mut errors,
    );
    Executed {
        data: data.unwrap_or(Value::Null),
        errors: errors.into_vec(),
    }
}

#[derive(Debug)]
struct State {
    data: Value,
    errors: Errors,
}

impl Default for State {
    fn default() -> Self {
        Self {
            data: Value::Object(Map::new()),
            errors: Errors::default(),
        }
    }
}

struct Run<'a> {
    schema: &'a SupergraphState,
    subgraphs: &'a Subgraphs,
    outgoing: &'a Outgoing,
    state: Mutex<State>,
}

/// An aliased `_entities` field of an answer: its name, the objects its entities belong to
/// (with the index of each one's representation) and the rewrites for its entities.
type EntityField<'f> = (
    &'f str,
    &'f Vec<(ResponsePath, usize)>,
    Option<&'f [FetchRewrite]>,
);

/// Where the objects an entity fetch asked about sit in the response, per representation.
struct Targets {
    representations: Vec<Value>,
    /// Response path of each object, and the index of its representation.
    objects: Vec<(ResponsePath, usize)>,
}

impl<'a> Run<'a> {
    fn node(&'a self, node: &'a PlanNode) -> BoxFuture<'a, ()> {
        Box::pin(async move {
            match node {
                PlanNode::Fetch(fetch) => self.root_fetch(fetch).await,
                PlanNode::Flatten(flatten) => self.flatten(&flatten.path, &flatten.node).await,
                PlanNode::Sequence(sequence) => {
                    for child in &sequence.nodes {
                        self.node(child).await;
                    }
                }
                PlanNode::Parallel(parallel) => {
                    join_all(parallel.nodes.iter().map(|child| self.node(child))).await;
                }
                PlanNode::Condition(condition) => self.condition(condition).await,
                PlanNode::BatchFetch(batch) => self.batch_fetch(batch).await,
                PlanNode::Subscription(_) | PlanNode::Defer(_) => {
                    let message = "subscriptions and @defer are not supported by this router";
                    self.lock().errors.message(message, Some("UNSUPPORTED"));
                }
            }
        })
    }

    async fn condition(&'a self, condition: &'a ConditionNode) {
        let on = self
            .outgoing
            .variables
            .get(&condition.condition)
            .and_then(Value::as_bool)
            .unwrap_or(false);
        let branch = if on {
            &condition.if_clause
        } else {
            &condition.else_clause
        };
        if let Some(branch) = branch {
            self.node(branch).await;
        }
    }

    async fn root_fetch(&self, fetch: &FetchNode) {
        let read_only = !matches!(fetch.operation_kind, Some(OperationKind::Mutation));
        let variables = self.variables_for(fetch.variable_usages.iter().flatten());
        let body = request_body(&fetch.operation.document_str, &variables);
        let answer = self.send(&fetch.service_name, body, read_only).await;
        let mut state = self.lock();
        let (mut data, errors) = match answer {
            Ok(answer) => answer,
            Err(error) => {
                state.errors.root_fetch_failed();
                return state.errors.transport(&error, &fetch.service_name, None);
            }
        };
        if data.is_null() && !errors.is_empty() {
            state.errors.root_fetch_failed();
        }
        if let Some(rewrites) = &fetch.output_rewrites {
            data::rewrite(&mut data, rewrites, self.schema);
        }
        for error in errors {
            state
                .errors
                .subgraph(&fetch.service_name, error.clone(), error_path(&error));
        }
        data::merge(&mut state.data, data);
    }

    async fn flatten(&'a self, path: &'a FlattenNodePath, node: &'a PlanNode) {
        let PlanNode::Fetch(fetch) = node else {
            // The planner only flattens fetches; anything else runs at the root.
            return self.node(node).await;
        };
        let Some(requires) = &fetch.requires else {
            return self.root_fetch(fetch).await;
        };
        let targets = self.targets(&[(path, requires, fetch.input_rewrites.as_deref())]);
        let Some(targets) = targets.into_iter().next() else {
            return;
        };
        if targets.representations.is_empty() {
            return;
        }
        let mut variables = self.variables_for(fetch.variable_usages.iter().flatten());
        variables.insert(
            "representations".to_owned(),
            Value::Array(targets.representations),
        );
        let body = request_body(&fetch.operation.document_str, &variables);
        let answer = self.send(&fetch.service_name, body, true).await;
        let rewrites = fetch.output_rewrites.as_deref();
        self.merge_entities(
            &fetch.service_name,
            answer,
            &[("_entities", &targets.objects, rewrites)],
        );
    }

    async fn batch_fetch(&self, batch: &BatchFetchNode) {
        let mut variables = self.variables_for(batch.variable_usages.iter().flatten());
        let mut all_objects = Vec::new();
        for alias in &batch.entity_batch.aliases {
            let sources: Vec<_> = alias
                .merge_paths
                .iter()
                .map(|path| (path, &alias.requires, alias.input_rewrites.as_deref()))
                .collect();
            let (representations, objects) = combine(self.targets(&sources));
            let name = alias.representations_variable_name.clone();
            variables.insert(name, Value::Array(representations));
            all_objects.push((
                alias.alias.as_str(),
                objects,
                alias.output_rewrites.as_deref(),
            ));
        }
        if all_objects.iter().all(|(_, objects, _)| objects.is_empty()) {
            return;
        }
        let body = request_body(&batch.operation.document_str, &variables);
        let answer = self.send(&batch.service_name, body, true).await;
        let fields: Vec<_> = all_objects
            .iter()
            .map(|(alias, objects, rewrites)| (*alias, objects, *rewrites))
            .collect();
        self.merge_entities(&batch.service_name, answer, &fields);
    }

    /// Reads the representations for each `(path, requires, rewrites)` from the data.
    fn targets(
        &self,
        sources: &[(&FlattenNodePath, &SelectionSet, Option<&[FetchRewrite]>)],
    ) -> Vec<Targets> {
        let state = self.lock();
        sources
            .iter()
            .map(|(path, requires, rewrites)| {
                let found = path::objects_at(&state.data, path.as_slice(), self.schema);
                let mut seen: HashMap<String, usize> = HashMap::new();
                let mut targets = Targets {
                    representations: Vec::new(),
                    objects: Vec::new(),
                };
                for (at, entity) in found {
                    let Some(mut representation) =
                        data::representation(entity, requires, self.schema)
                    else {
                        continue;
                    };
                    if let Some(rewrites) = rewrites {
                        data::rewrite(&mut representation, rewrites, self.schema);
                    }
                    let next = targets.representations.len();
                    let index = *seen.entry(representation.to_string()).or_insert(next);
                    if index == next {
                        targets.representations.push(representation);
                    }
                    targets.objects.push((at, index));
                }
                targets
            })
            .collect()
    }

    /// Merges the entities of each aliased `_entities` field into the objects they belong to.
    fn merge_entities(
        &self,
        service: &str,
        answer: Result<(Value, Vec<Value>), crate::router::TransportError>,
        fields: &[EntityField<'_>],
    ) {
        let mut state = self.lock();
        let (mut data, errors) = match answer {
            Ok(answer) => answer,
            Err(error) => {
                for (_, objects, _) in fields {
                    for (at, _) in objects.iter() {
                        state
                            .errors
                            .transport(&error, service, Some(path::to_json(at)));
                    }
                }
                return;
            }
        };
        for (field, objects, rewrites) in fields {
            let mut entities = match data.get_mut(*field).map(Value::take) {
                Some(Value::Array(entities)) => entities,
                _ => Vec::new(),
            };
            if let Some(rewrites) = rewrites {
                entities
                    .iter_mut()
                    .for_each(|e| data::rewrite(e, rewrites, self.schema));
            }
            for (at, index) in objects.iter() {
                let entity = entities.get(*index).cloned().unwrap_or(Value::Null);
                if let Some(target) = path::get_mut(&mut state.data, at) {
                    data::merge(target, entity);
                }
            }
            for error in &errors {
                for at in entity_error_paths(error, field, objects) {
                    state.errors.subgraph(service, error.clone(), at);
                }
            }
        }
    }

    /// Sends one request and reads the answer as `(data, errors)`.
    async fn send(
        &self,
        service: &str,
        body: Vec<u8>,
        read_only: bool,
    ) -> Result<(Value, Vec<Value>), crate::router::TransportError> {
        let mut request = self.outgoing.template.clone();
        request.service = service.to_owned();
        request.body = body.into();
        request.read_only = read_only;
        let body = self.subgraphs.send(request).await?;
        Ok(read_answer(service, &body))
    }

    fn variables_for<'v>(&self, names: impl Iterator<Item = &'v String>) -> Map<String, Value> {
        names
            .filter_map(|name| {
                let value = self.outgoing.variables.get(name)?;
                Some((name.clone(), value.clone()))
            })
            .collect()
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

fn combine(targets: Vec<Targets>) -> (Vec<Value>, Vec<(ResponsePath, usize)>) {
    let mut representations = Vec::new();
    let mut objects = Vec::new();
    for target in targets {
        let offset = representations.len();
        representations.extend(target.representations);
        objects.extend(
            target
                .objects
                .into_iter()
                .map(|(at, index)| (at, index + offset)),
        );
    }
    (representations, objects)
}

fn request_body(query: &str, variables: &Map<String, Value>) -> Vec<u8> {
    let body = if variables.is_empty() {
        json!({ "query": query })
    } else {
        json!({ "query": query, "variables": variables })
    };
    body.to_string().into_bytes()
}

/// Reads a subgraph's answer; a body that is not a GraphQL response becomes one error.
fn read_answer(service: &str, body: &[u8]) -> (Value, Vec<Value>) {
    let Ok(Value::Object(mut response)) = serde_json::from_slice::<Value>(body) else {
        let message = format!("subgraph `{service}` did not answer with a GraphQL response");
        return (Value::Null, vec![json!({ "message": message })]);
    };
    let data = response.remove("data").unwrap_or(Value::Null);
    let errors = match response.remove("errors") {
        Some(Value::Array(errors)) => errors,
        _ => Vec::new(),
    };
    (data, errors)
}

/// A root fetch error keeps its path: the subgraph's root is the client's root.
fn error_path(error: &Value) -> Option<Value> {
    error.get("path").filter(|path| path.is_array()).cloned()
}

/// Where an error of an `_entities` field belongs in the client's response: at every object
/// that shared the failed representation, followed by the rest of the error's path.
fn entity_error_paths(
    error: &Value,
    field: &str,
    objects: &[(ResponsePath, usize)],
) -> Vec<Option<Value>> {
    let steps = error.get("path").and_then(Value::as_array);
    let index = match steps.map(Vec::as_slice) {
        Some([Value::String(name), Value::Number(index), ..]) if name == field => index.as_u64(),
        Some([Value::String(name), ..]) if name != field => return Vec::new(),
        _ => None,
    };
    let Some(index) = index.and_then(|i| usize::try_from(i).ok()) else {
        return vec![None];
    };
    let rest = steps.map(|steps| steps[2..].to_vec()).unwrap_or_default();
    objects
        .iter()
        .filter(|(_, i)| *i == index)
        .map(|(at, _)| {
            let mut full = path::to_json(at).as_array().cloned().unwrap_or_default();
            full.extend(rest.iter().cloned());
            Some(Value::Array(full))
        })
        .collect()
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::path::Step;
    use super::*;

    #[test]
    fn entity_errors_move_to_every_object_of_their_representation() {
        let objects = vec![
            (vec![Step::Key("a".into()), Step::Index(0)], 0),
            (vec![Step::Key("a".into()), Step::Index(1)], 1),
            (vec![Step::Key("b".into())], 0),
        ];
        let error = json!({"message": "x", "path": ["_entities", 0, "name"]});
        let paths = entity_error_paths(&error, "_entities", &objects);
        assert_eq!(
            paths,
            vec![Some(json!(["a", 0, "name"])), Some(json!(["b", "name"]))]
        );
    }

    #[test]
    fn errors_without_an_entity_index_keep_no_path() {
        let error = json!({"message": "x"});
        assert_eq!(entity_error_paths(&error, "_entities", &[]), vec![None]);
    }

    #[test]
    fn answers_that_are_not_graphql_become_errors() {
        let (data, errors) = read_answer("a", b"<html>");
        assert!(data.is_null());
        assert_eq!(errors.len(), 1);
    }
}
