//! Query plans from the federation planner, cached per operation.

use std::collections::HashMap;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::panic::AssertUnwindSafe;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use graphql_tools::static_graphql::schema::Document;
use graphql_tools::validation::rules::default_rules_validation_plan;
use graphql_tools::validation::utils::ValidationError;
use graphql_tools::validation::validate::{ValidationPlan, validate};
use hive_router_query_planner::ast::normalization::normalize_operation;
use hive_router_query_planner::ast::operation::OperationDefinition;
use hive_router_query_planner::ast::selection_item::SelectionItem;
use hive_router_query_planner::graph::PlannerOverrideContext;
use hive_router_query_planner::planner::plan_nodes::QueryPlan;
use hive_router_query_planner::planner::{Planner, QueryPlannerOptions};
use hive_router_query_planner::state::supergraph_state::{OperationKind, SupergraphState};
use hive_router_query_planner::utils::cancellation::CancellationToken;
use hive_router_query_planner::utils::parsing::{safe_parse_operation, safe_parse_schema};

use super::error::RouterError;

/// How long planning one operation may take before it is abandoned.
const PLANNING_TIME_LIMIT: Duration = Duration::from_secs(2);

/// An operation ready to run: its normalized form (for shaping the response) and its plan.
#[derive(Debug)]
pub(crate) struct Planned {
    pub(crate) operation: OperationDefinition,
    pub(crate) plan: QueryPlan,
}

/// Why an operation could not be planned; shown to the client.
#[derive(Debug, Clone)]
pub(crate) struct PlanError {
    pub(crate) message: String,
    pub(crate) code: &'static str,
    /// The document was valid but the planner found no way to run it: the request counts as
    /// executed (with `data: null`), not as refused.
    pub(crate) after_validation: bool,
}

/// The code of a valid operation the planner could not plan.
const QUERY_PLANNING_FAILED: &str = "QUERY_PLANNING_FAILED";

/// The planner for one supergraph and the plans it made.
pub(crate) struct Plans {
    planner: Planner,
    rules: ValidationPlan,
    cache: Mutex<Cache>,
}

impl Plans {
    /// Reads the supergraph and prepares the planner, keeping up to `capacity` plans.
    pub(crate) fn new(supergraph_sdl: &str, capacity: usize) -> Result<Self, RouterError> {
        let schema =
            safe_parse_schema(supergraph_sdl).map_err(|e| RouterError::InvalidSupergraph {
                reason: e.to_string(),
            })?;
        let planner = Planner::new_from_supergraph(&schema, QueryPlannerOptions::default())
            .map_err(|e| RouterError::Planner {
                reason: e.to_string(),
            })?;
        Ok(Self {
            planner,
            rules: default_rules_validation_plan(),
            cache: Mutex::new(Cache::new(capacity)),
        })
    }

    /// The supergraph's types, as the planner read them.
    pub(crate) fn supergraph(&self) -> &SupergraphState {
        &self.planner.supergraph
    }

    /// The public schema (the consumer schema of the planner): no `@inaccessible` parts, no
    /// federation machinery, with the introspection types.
    pub(crate) fn public_document(&self) -> Arc<Document> {
        self.planner.consumer_schema.document.clone()
    }

    /// The plan for `query` (and `operation_name`), from the cache or freshly made.
    pub(crate) fn get(
        &self,
        query: &str,
        operation_name: Option<&str>,
    ) -> Result<Arc<Planned>, PlanError> {
        let key = cache_key(query, operation_name);
        if let Some(planned) = self.lock().get(key) {
            return Ok(planned);
        }
        // The planner is not ours and has `expect`s inside: a panic on some document must not
        // take the process down, so it becomes a planning error.
        let planning =
            std::panic::catch_unwind(AssertUnwindSafe(|| self.plan(query, operation_name)));
        let planned = Arc::new(planning.unwrap_or_else(|_| {
            Err(PlanError {
                message: "the query planner failed on this operation".to_owned(),
                code: QUERY_PLANNING_FAILED,
                after_validation: true,
            })
        })?);
        self.lock().insert(key, planned.clone());
        Ok(planned)
    }

    fn plan(&self, query: &str, operation_name: Option<&str>) -> Result<Planned, PlanError> {
        let document = safe_parse_operation(query).map_err(|e| PlanError {
            message: e.to_string(),
            code: crate::codes::GRAPHQL_PARSE_FAILED,
            after_validation: false,
        })?;
        let schema = &self.planner.consumer_schema.document;
        let errors = validate(schema, &document, &self.rules);
        if !errors.is_empty() {
            return Err(invalid(describe(&errors)));
        }
        let mut normalized =
            normalize_operation(&self.planner.supergraph, &document, operation_name)
                .map_err(|e| invalid(e.to_string()))?;
        check_meta_fields(&normalized.operation, &self.planner.supergraph)?;
        let root = &mut normalized.operation.selection_set.items;
        remove_introspection(root);
        if !needs_subgraph(root) {
            return Ok(Planned {
                operation: normalized.operation,
                plan: QueryPlan {
                    kind: "QueryPlan",
                    node: None,
                },
            });
        }
        let cancellation = CancellationToken::with_timeout(PLANNING_TIME_LIMIT);
        let plan = self
            .planner
            .plan_from_normalized_operation(
                &normalized.operation,
                PlannerOverrideContext::default(),
                &cancellation,
            )
            .map_err(|e| PlanError {
                message: e.to_string(),
                code: QUERY_PLANNING_FAILED,
                after_validation: true,
            })?;
        if tracing::enabled!(target: "stack_graphql::plan", tracing::Level::DEBUG) {
            let text = serde_json::to_string(&plan).unwrap_or_default();
            tracing::debug!(target: "stack_graphql::plan", plan = %text, "planned an operation");
        }
        Ok(Planned {
            operation: normalized.operation,
            plan,
        })
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Cache> {
        self.cache.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// Refuses fields named `__...` that the schema does not have.
///
/// The validation rules let every such field through; only `__typename` exists everywhere,
/// and `__schema` and `__type` only at the root of a query (a field returning the query type
/// further down is not a place the router answers them).
fn check_meta_fields(
    operation: &OperationDefinition,
    supergraph: &SupergraphState,
) -> Result<(), PlanError> {
    let (root, introspects) = match operation.operation_kind {
        Some(OperationKind::Query) | None => (supergraph.query_type.as_str(), true),
        Some(OperationKind::Mutation) => (supergraph.mutation_type.as_deref().unwrap_or(""), false),
        Some(OperationKind::Subscription) => {
            let root = supergraph.subscription_type.as_deref().unwrap_or("");
            (root, false)
        }
    };
    check_root_meta_fields(&operation.selection_set.items, root, introspects)
}

fn check_root_meta_fields(
    items: &[SelectionItem],
    root: &str,
    introspects: bool,
) -> Result<(), PlanError> {
    for item in items {
        match item {
            SelectionItem::Field(field) if matches!(field.name.as_str(), "__schema" | "__type") => {
                if !introspects {
                    return Err(unknown_field(&field.name, Some(root)));
                }
                check_nested_meta_fields(&field.selections.items)?;
            }
            SelectionItem::Field(field) if is_unknown_meta_field(&field.name) => {
                return Err(unknown_field(&field.name, Some(root)));
            }
            SelectionItem::Field(field) => check_nested_meta_fields(&field.selections.items)?,
            SelectionItem::InlineFragment(fragment) => {
                check_root_meta_fields(&fragment.selections.items, root, introspects)?;
            }
            SelectionItem::FragmentSpread(_) => {}
        }
    }
    Ok(())
}

fn check_nested_meta_fields(items: &[SelectionItem]) -> Result<(), PlanError> {
    for item in items {
        match item {
            SelectionItem::Field(field) if is_unknown_meta_field(&field.name) => {
                return Err(unknown_field(&field.name, None));
            }
            SelectionItem::Field(field) => check_nested_meta_fields(&field.selections.items)?,
            SelectionItem::InlineFragment(fragment) => {
                check_nested_meta_fields(&fragment.selections.items)?;
            }
            SelectionItem::FragmentSpread(_) => {}
        }
    }
    Ok(())
}

fn is_unknown_meta_field(name: &str) -> bool {
    name.starts_with("__") && name != "__typename"
}

fn unknown_field(name: &str, parent: Option<&str>) -> PlanError {
    invalid(match parent {
        Some(parent) => format!("Cannot query field \"{name}\" on type \"{parent}\"."),
        None => format!(
            "Cannot query field \"{name}\" here: below the root only \"__typename\" may be \
             selected among fields starting with \"__\"."
        ),
    })
}

/// Takes the root introspection fields (`__schema`, `__type`) out of the operation.
///
/// The planner finds no subgraph for them; the router answers them itself from the public
/// schema (see `introspect`) and puts them back in the client's order.
fn remove_introspection(items: &mut Vec<SelectionItem>) {
    items.retain_mut(|item| match item {
        SelectionItem::Field(field) => !matches!(field.name.as_str(), "__schema" | "__type"),
        SelectionItem::InlineFragment(fragment) => {
            remove_introspection(&mut fragment.selections.items);
            !fragment.selections.items.is_empty()
        }
        SelectionItem::FragmentSpread(_) => true,
    });
}

/// Whether a selection set asks for anything a subgraph must answer; the root `__typename`
/// is the router's to answer.
fn needs_subgraph(items: &[SelectionItem]) -> bool {
    items.iter().any(|item| match item {
        SelectionItem::Field(field) => field.name != "__typename",
        SelectionItem::InlineFragment(fragment) => needs_subgraph(&fragment.selections.items),
        SelectionItem::FragmentSpread(_) => true,
    })
}

fn invalid(message: String) -> PlanError {
    PlanError {
        message,
        code: crate::codes::GRAPHQL_VALIDATION_FAILED,
        after_validation: false,
    }
}

fn describe(errors: &[ValidationError]) -> String {
    let messages: Vec<&str> = errors.iter().map(|e| e.message.as_str()).collect();
    messages.join("; ")
}

fn cache_key(query: &str, operation_name: Option<&str>) -> u64 {
    let mut hasher = DefaultHasher::new();
    query.hash(&mut hasher);
    operation_name.hash(&mut hasher);
    hasher.finish()
}

/// A bounded map of plans that forgets the least recently used one when full.
///
/// Lookups stamp entries with a counter; eviction scans for the oldest stamp, which is cheap
/// at the few hundred entries a router keeps and happens only on a miss.
#[derive(Debug)]
struct Cache {
    capacity: usize,
    clock: u64,
    entries: HashMap<u64, (u64, Arc<Planned>)>,
}

impl Cache {
    fn new(capacity: usize) -> Self {
        Self {
            capacity,
            clock: 0,
            entries: HashMap::new(),
        }
    }

    fn get(&mut self, key: u64) -> Option<Arc<Planned>> {
        self.clock += 1;
        let entry = self.entries.get_mut(&key)?;
        entry.0 = self.clock;
        Some(entry.1.clone())
    }

    fn insert(&mut self, key: u64, planned: Arc<Planned>) {
        if self.capacity == 0 {
            return;
        }
        if self.entries.len() >= self.capacity && !self.entries.contains_key(&key) {
            let oldest = self.entries.iter().min_by_key(|(_, (used, _))| *used);
            if let Some(oldest) = oldest.map(|(key, _)| *key) {
                self.entries.remove(&oldest);
            }
        }
        self.clock += 1;
        self.entries.insert(key, (self.clock, planned));
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        self.entries.len()
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    const SUPERGRAPH: &str = include_str!("../../tests/router_support/tiny.graphql");

    #[test]
    fn plans_are_cached_and_reused() {
        let plans = Plans::new(SUPERGRAPH, 8).unwrap();
        let first = plans.get("{ me { id } }", None).unwrap();
        let second = plans.get("{ me { id } }", None).unwrap();
        assert!(Arc::ptr_eq(&first, &second));
    }

    #[test]
    fn bad_documents_are_plan_errors_not_panics() {
        let plans = Plans::new(SUPERGRAPH, 8).unwrap();
        assert!(plans.get("{ me { ", None).is_err());
        assert!(plans.get("{ nope }", None).is_err());
    }

    #[test]
    fn introspection_and_the_root_typename_need_no_subgraph() {
        let plans = Plans::new(SUPERGRAPH, 8).unwrap();
        for query in [
            "{ __typename }",
            "{ __schema { types { name } } }",
            r#"{ t: __type(name: "User") { name } __typename }"#,
        ] {
            let planned = plans.get(query, None).unwrap();
            assert!(planned.plan.node.is_none(), "{query}");
        }
        let mixed = plans
            .get("{ __schema { types { name } } me { id } }", None)
            .unwrap();
        assert!(mixed.plan.node.is_some());
        assert!(!mixed.operation.to_string().contains("__schema"));
    }

    #[test]
    fn unknown_meta_fields_are_invalid() {
        let plans = Plans::new(SUPERGRAPH, 8).unwrap();
        for query in [
            "{ __nope }",
            "{ me { __schema { types { name } } } }",
            "mutation { __type(name: \"User\") { name } }",
            "{ __schema { types { __fields } } }",
        ] {
            let error = plans.get(query, None).unwrap_err();
            assert_eq!(
                error.code,
                crate::codes::GRAPHQL_VALIDATION_FAILED,
                "{query}"
            );
            assert!(!error.after_validation);
        }
    }

    #[test]
    fn the_least_recently_used_plan_is_evicted() {
        let plans = Plans::new(SUPERGRAPH, 8).unwrap();
        let planned = plans.get("{ me { id } }", None).unwrap();
        let mut cache = Cache::new(2);
        cache.insert(1, planned.clone());
        cache.insert(2, planned.clone());
        assert!(cache.get(1).is_some());
        cache.insert(3, planned);
        assert_eq!(cache.len(), 2);
        assert!(cache.get(2).is_none());
        assert!(cache.get(1).is_some());
    }
}
