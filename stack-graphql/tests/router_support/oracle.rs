//! A test subgraph that answers from the data a federation audit case expects.
//!
//! The audit ships each suite's subgraph SDL and the client's expected response, not the
//! subgraphs' resolvers. The oracle stands in for every subgraph of a suite: a root field is
//! answered from the expected response at the same key; an entity is found in the expected
//! response by its key fields; a field the client never asked for (a key, a `@requires`
//! input) gets a placeholder that names where its object sits in the expected response, so
//! a later `_entities` call can find that object again. Field types, and so `__typename` of
//! objects, come from the subgraph's SDL.
//!
//! What it cannot do: fail on purpose, or hold state between operations, so audit cases that
//! expect errors cannot pass against it.

use std::collections::HashMap;

use async_graphql::parser::types::{
    DocumentOperations, ExecutableDocument, Selection, SelectionSet, TypeKind, TypeSystemDefinition,
};
use async_graphql::parser::{parse_query, parse_schema};
use serde_json::{Map, Value, json};

/// The prefix of placeholder values: `~` followed by a path like `users.0`.
const PLACEHOLDER: char = '~';

/// What the oracle knows of one subgraph's types.
#[derive(Debug, Default, Clone)]
pub struct SubgraphTypes {
    /// Field name to named type, per type.
    fields: HashMap<String, HashMap<String, String>>,
    /// Object types per interface or union.
    possible: HashMap<String, Vec<String>>,
    query: String,
    mutation: String,
}

impl SubgraphTypes {
    /// Reads the types of a subgraph SDL.
    pub fn from_sdl(sdl: &str) -> Self {
        let mut types = Self {
            query: "Query".to_owned(),
            mutation: "Mutation".to_owned(),
            ..Self::default()
        };
        let Ok(document) = parse_schema(sdl) else {
            return types;
        };
        for definition in document.definitions {
            let TypeSystemDefinition::Type(definition) = definition else {
                continue;
            };
            let definition = definition.node;
            let name = definition.name.node.to_string();
            match definition.kind {
                TypeKind::Object(object) => {
                    for interface in &object.implements {
                        types.implements(&interface.node, &name);
                    }
                    types.add_fields(&name, object.fields.iter().map(|f| &f.node));
                }
                TypeKind::Interface(interface) => {
                    types.add_fields(&name, interface.fields.iter().map(|f| &f.node));
                }
                TypeKind::Union(union) => {
                    for member in &union.members {
                        types.implements(&name, &member.node);
                    }
                }
                _ => {}
            }
        }
        types
    }

    fn implements(&mut self, abstract_type: &str, object: &str) {
        let list = self.possible.entry(abstract_type.to_owned()).or_default();
        if !list.iter().any(|o| o == object) {
            list.push(object.to_owned());
        }
    }

    fn add_fields<'a>(
        &mut self,
        type_name: &str,
        fields: impl Iterator<Item = &'a async_graphql::parser::types::FieldDefinition>,
    ) {
        let entry = self.fields.entry(type_name.to_owned()).or_default();
        for field in fields {
            let named = base_name(&field.ty.node.to_string());
            entry.insert(field.name.node.to_string(), named);
        }
    }

    fn field_type(&self, type_name: &str, field: &str) -> Option<&str> {
        self.fields.get(type_name)?.get(field).map(String::as_str)
    }

    /// The runtime type of `object` declared as `declared`.
    fn runtime(&self, declared: &str, object: Option<&Map<String, Value>>) -> String {
        if let Some(name) = object
            .and_then(|o| o.get("__typename"))
            .and_then(Value::as_str)
        {
            return name.to_owned();
        }
        let Some(candidates) = self.possible.get(declared) else {
            return declared.to_owned();
        };
        let keys: Vec<&String> = object.map(|o| o.keys().collect()).unwrap_or_default();
        let fits = |candidate: &&String| {
            let fields = self.fields.get(candidate.as_str());
            keys.iter()
                .all(|key| fields.is_some_and(|fields| fields.contains_key(key.as_str())))
        };
        candidates
            .iter()
            .find(fits)
            .or(candidates.first())
            .cloned()
            .unwrap_or_else(|| declared.to_owned())
    }
}

fn base_name(ty: &str) -> String {
    ty.trim_matches(|c| c == '[' || c == ']' || c == '!')
        .to_owned()
}

/// Runtime types of the objects of an expected response, by path (`users.0.pet`), decided
/// from the client's query: the type whose selected keys are exactly the object's keys.
pub type Typenames = HashMap<String, String>;

/// Works out [`Typenames`] for `expected` as the answer to `query` over `supergraph`.
pub fn typenames(supergraph: &SubgraphTypes, query: &str, expected: &Value) -> Typenames {
    let mut found = Typenames::new();
    let Ok(document) = parse_query(query) else {
        return found;
    };
    let Some((mutation, set)) = operation(&document) else {
        return found;
    };
    let oracle = Oracle {
        types: supergraph,
        expected,
        document: &document,
        typenames: &Typenames::new(),
    };
    let root = if mutation {
        &supergraph.mutation
    } else {
        &supergraph.query
    };
    oracle.learn(root, expected, set, "", &mut found);
    found
}

/// Answers one subgraph request body from the expected `data`.
pub fn answer(
    types: &SubgraphTypes,
    expected: &Value,
    typenames: &Typenames,
    body: &Value,
) -> Value {
    let query = body
        .get("query")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let Ok(document) = parse_query(query) else {
        return json!({ "errors": [{ "message": "oracle: unparsable query" }] });
    };
    let Some((mutation, selections)) = operation(&document) else {
        return json!({ "errors": [{ "message": "oracle: no operation" }] });
    };
    let variables = body.get("variables").cloned().unwrap_or(Value::Null);
    let oracle = Oracle {
        types,
        expected,
        document: &document,
        typenames,
    };
    let root_type = if mutation {
        &types.mutation
    } else {
        &types.query
    };
    let mut data = Map::new();
    oracle.root(root_type, selections, &variables, &mut data);
    json!({ "data": data })
}

fn operation(document: &ExecutableDocument) -> Option<(bool, &SelectionSet)> {
    let definition = match &document.operations {
        DocumentOperations::Single(operation) => &operation.node,
        DocumentOperations::Multiple(operations) => &operations.values().next()?.node,
    };
    let mutation = definition.ty == async_graphql::parser::types::OperationType::Mutation;
    Some((mutation, &definition.selection_set.node))
}

struct Oracle<'a> {
    types: &'a SubgraphTypes,
    expected: &'a Value,
    document: &'a ExecutableDocument,
    typenames: &'a Typenames,
}

impl Oracle<'_> {
    /// Walks the client's query over the expected data, recording object types.
    fn learn(
        &self,
        declared: &str,
        value: &Value,
        set: &SelectionSet,
        path: &str,
        found: &mut Typenames,
    ) {
        match value {
            Value::Array(items) => {
                for (i, item) in items.iter().enumerate() {
                    self.learn(declared, item, set, &join(path, &i.to_string()), found);
                }
            }
            Value::Object(object) => {
                let runtime = self.decide(declared, object, set);
                for (key, name, sub) in self.fields(&runtime, set) {
                    let (Some(child), Some(sub)) = (object.get(&key), sub) else {
                        continue;
                    };
                    let child_type = self
                        .types
                        .field_type(&runtime, &name)
                        .unwrap_or("")
                        .to_owned();
                    self.learn(&child_type, child, sub, &join(path, &key), found);
                }
                found.insert(path.to_owned(), runtime);
            }
            _ => {}
        }
    }

    /// The type this subgraph reports for an object declared as `declared`: the declared
    /// type when it is an object type here, else the concrete type the client expects.
    fn runtime_of(
        &self,
        declared: &str,
        object: Option<&Map<String, Value>>,
        set: Option<&SelectionSet>,
        path: &str,
    ) -> String {
        let concrete = object
            .and_then(|o| o.get("__typename"))
            .and_then(Value::as_str)
            .map(ToOwned::to_owned)
            .or_else(|| self.typenames.get(path).cloned());
        if let Some(candidates) = self.types.possible.get(declared) {
            if let Some(concrete) = concrete.filter(|c| candidates.contains(c)) {
                return concrete;
            }
            if let (Some(object), Some(set)) = (object, set) {
                // The expected type is not a member here: pick the member whose selected
                // fields explain most of the object.
                let overlap = |candidate: &&String| {
                    let keys = self.fields(candidate, set);
                    keys.iter()
                        .filter(|(key, ..)| object.contains_key(key))
                        .count()
                };
                if let Some(best) = candidates.iter().max_by_key(overlap) {
                    return best.clone();
                }
            }
            return self.types.runtime(declared, object);
        }
        if self.types.fields.contains_key(declared) {
            return declared.to_owned();
        }
        concrete.unwrap_or_else(|| declared.to_owned())
    }

    fn decide(&self, declared: &str, object: &Map<String, Value>, set: &SelectionSet) -> String {
        if let Some(name) = object.get("__typename").and_then(Value::as_str) {
            return name.to_owned();
        }
        let Some(candidates) = self.types.possible.get(declared) else {
            return declared.to_owned();
        };
        let mut keys: Vec<&String> = object.keys().collect();
        keys.sort();
        let exact = candidates.iter().find(|candidate| {
            let mut selected: Vec<String> = self
                .fields(candidate, set)
                .into_iter()
                .map(|f| f.0)
                .collect();
            selected.sort();
            selected.dedup();
            selected.iter().collect::<Vec<_>>() == keys
        });
        exact
            .or(candidates.first())
            .cloned()
            .unwrap_or_else(|| declared.to_owned())
    }

    fn root(
        &self,
        root: &str,
        set: &SelectionSet,
        variables: &Value,
        out: &mut Map<String, Value>,
    ) {
        for (key, name, sub) in self.fields(root, set) {
            let value = if name == "_entities" {
                let representations = variables.get("representations").or_else(|| {
                    // Batched entity calls name their representations variable otherwise.
                    variables.as_object()?.values().find(|v| v.is_array())
                });
                self.entities(representations, sub)
            } else if name == "__typename" {
                Value::String(root.to_owned())
            } else {
                let declared = self.types.field_type(root, &name).unwrap_or("").to_owned();
                let value = self.expected.get(&key).or_else(|| self.expected.get(&name));
                self.value(&declared, value, sub, &key)
            };
            out.insert(key, value);
        }
    }

    fn entities(&self, representations: Option<&Value>, set: Option<&SelectionSet>) -> Value {
        let Some(Value::Array(representations)) = representations else {
            return Value::Array(Vec::new());
        };
        let entities = representations.iter().map(|representation| {
            let typename = representation["__typename"].as_str().unwrap_or_default();
            let Some((path, object)) = self.find(representation, set) else {
                return Value::Null;
            };
            let mut merged = object.clone();
            if let (Some(merged), Some(rep)) = (merged.as_object_mut(), representation.as_object())
            {
                for (k, v) in rep {
                    if k != "__typename" && !is_placeholder(v) {
                        merged.entry(k.clone()).or_insert(v.clone());
                    }
                }
            }
            let runtime = self.runtime_of(typename, merged.as_object(), set, &path);
            let mut out = Map::new();
            self.object(&runtime, merged.as_object(), set, &path, &mut out);
            Value::Object(out)
        });
        Value::Array(entities.collect())
    }

    /// The object in the expected data that `representation` stands for, with its path.
    fn find(&self, representation: &Value, set: Option<&SelectionSet>) -> Option<(String, Value)> {
        let fields = representation.as_object()?;
        // A placeholder directly in the representation names the entity itself; nested ones
        // name objects inside it, so they are only a fallback.
        let direct = fields.values().find_map(|value| match value {
            Value::String(text) => text.strip_prefix(PLACEHOLDER).map(ToOwned::to_owned),
            _ => None,
        });
        if let Some(path) = direct.or_else(|| fields.values().find_map(placeholder_path)) {
            return Some((path.clone(), at_path(self.expected, &path)?.clone()));
        }
        let typename = fields.get("__typename")?.as_str()?;
        let mut found = Vec::new();
        search(self.expected, "", &mut found);
        let matches = |candidate: &Value| {
            let object = candidate.as_object();
            let same_type = object
                .and_then(|o| o.get("__typename"))
                .and_then(Value::as_str)
                .is_none_or(|t| {
                    t == typename
                        || self
                            .types
                            .possible
                            .get(typename)
                            .is_some_and(|p| p.iter().any(|x| x == t))
                });
            same_type
                && fields
                    .iter()
                    .filter(|(k, _)| *k != "__typename")
                    .all(|(k, v)| {
                        object
                            .and_then(|o| o.get(k))
                            .is_none_or(|mine| subset(v, mine))
                    })
                && fields
                    .iter()
                    .any(|(k, _)| k != "__typename" && object.is_some_and(|o| o.contains_key(k)))
        };
        let mut hits: Vec<_> = found
            .into_iter()
            .filter(|(_, candidate)| matches(candidate))
            .collect();
        // The occurrence that holds most of what is asked for is where the entity sits.
        let wanted: Vec<String> = set
            .map(|set| {
                self.fields(typename, set)
                    .into_iter()
                    .map(|f| f.0)
                    .collect()
            })
            .unwrap_or_default();
        let score = |candidate: &Value| {
            wanted
                .iter()
                .filter(|key| candidate.get(key.as_str()).is_some())
                .count()
        };
        hits.sort_by_key(|(_, candidate)| std::cmp::Reverse(score(candidate)));
        let mut hits = hits.into_iter();
        let (path, first) = hits.next()?;
        let mut merged = first;
        for (_, other) in hits {
            merge(&mut merged, other);
        }
        Some((path, merged))
    }

    fn value(
        &self,
        declared: &str,
        value: Option<&Value>,
        set: Option<&SelectionSet>,
        path: &str,
    ) -> Value {
        match value {
            Some(Value::Null) => Value::Null,
            Some(Value::Array(items)) => Value::Array(
                items
                    .iter()
                    .enumerate()
                    .map(|(i, item)| self.value(declared, Some(item), set, &format!("{path}.{i}")))
                    .collect(),
            ),
            Some(Value::Object(object)) if set.is_some() => {
                let runtime = self.runtime_of(declared, Some(object), set, path);
                let mut out = Map::new();
                self.object(&runtime, Some(object), set, path, &mut out);
                Value::Object(out)
            }
            Some(other) => other.clone(),
            // Never asked for by the client: a placeholder that leads back to the object.
            None => match set {
                Some(_) => {
                    let runtime = self.types.runtime(declared, None);
                    let mut out = Map::new();
                    self.object(&runtime, None, set, parent(path), &mut out);
                    Value::Object(out)
                }
                None => Value::String(format!("{PLACEHOLDER}{}", parent(path))),
            },
        }
    }

    fn object(
        &self,
        runtime: &str,
        object: Option<&Map<String, Value>>,
        set: Option<&SelectionSet>,
        path: &str,
        out: &mut Map<String, Value>,
    ) {
        let Some(set) = set else { return };
        for (key, name, sub) in self.fields(runtime, set) {
            let value = if name == "__typename" {
                Value::String(runtime.to_owned())
            } else {
                let declared = self
                    .types
                    .field_type(runtime, &name)
                    .unwrap_or("")
                    .to_owned();
                let found = object.and_then(|o| o.get(&key).or_else(|| o.get(&name)));
                let child = if path.is_empty() {
                    key.clone()
                } else {
                    format!("{path}.{key}")
                };
                match found {
                    Some(found) => self.value(&declared, Some(found), sub, &child),
                    None => self.value(&declared, None, sub, &format!("{path}.{key}")),
                }
            };
            out.insert(key, value);
        }
    }

    /// The fields selected on an object of type `runtime`, fragments expanded.
    fn fields<'s>(
        &'s self,
        runtime: &str,
        set: &'s SelectionSet,
    ) -> Vec<(String, String, Option<&'s SelectionSet>)> {
        let mut out = Vec::new();
        for item in &set.items {
            match &item.node {
                Selection::Field(field) => {
                    let field = &field.node;
                    let key = field.response_key().node.to_string();
                    let sub = (!field.selection_set.node.items.is_empty())
                        .then_some(&field.selection_set.node);
                    out.push((key, field.name.node.to_string(), sub));
                }
                Selection::InlineFragment(fragment) => {
                    let applies = fragment
                        .node
                        .type_condition
                        .as_ref()
                        .is_none_or(|condition| self.applies(runtime, &condition.node.on.node));
                    if applies {
                        out.extend(self.fields(runtime, &fragment.node.selection_set.node));
                    }
                }
                Selection::FragmentSpread(spread) => {
                    let name = &spread.node.fragment_name.node;
                    if let Some(fragment) = self.document.fragments.get(name)
                        && self.applies(runtime, &fragment.node.type_condition.node.on.node)
                    {
                        out.extend(self.fields(runtime, &fragment.node.selection_set.node));
                    }
                }
            }
        }
        out
    }

    fn applies(&self, runtime: &str, condition: &str) -> bool {
        runtime == condition
            || self
                .types
                .possible
                .get(condition)
                .is_some_and(|objects| objects.iter().any(|o| o == runtime))
    }
}

fn join(path: &str, step: &str) -> String {
    if path.is_empty() {
        step.to_owned()
    } else {
        format!("{path}.{step}")
    }
}

fn parent(path: &str) -> &str {
    path.rsplit_once('.').map_or("", |(parent, _)| parent)
}

fn is_placeholder(value: &Value) -> bool {
    placeholder_path(value).is_some()
}

fn placeholder_path(value: &Value) -> Option<String> {
    match value {
        Value::String(text) => text.strip_prefix(PLACEHOLDER).map(ToOwned::to_owned),
        Value::Object(object) => object.values().find_map(placeholder_path),
        Value::Array(items) => items.iter().find_map(placeholder_path),
        _ => None,
    }
}

fn at_path<'v>(value: &'v Value, path: &str) -> Option<&'v Value> {
    if path.is_empty() {
        return Some(value);
    }
    path.split('.')
        .try_fold(value, |value, step| match step.parse::<usize>() {
            Ok(index) if value.is_array() => value.get(index),
            _ => value.get(step),
        })
}

fn search(value: &Value, path: &str, found: &mut Vec<(String, Value)>) {
    let join = |step: &str| {
        if path.is_empty() {
            step.to_owned()
        } else {
            format!("{path}.{step}")
        }
    };
    match value {
        Value::Object(object) => {
            found.push((path.to_owned(), value.clone()));
            for (key, child) in object {
                search(child, &join(key), found);
            }
        }
        Value::Array(items) => {
            for (index, item) in items.iter().enumerate() {
                search(item, &join(&index.to_string()), found);
            }
        }
        _ => {}
    }
}

/// Whether the key value `key` agrees with what the expected data holds.
fn subset(key: &Value, mine: &Value) -> bool {
    match (key, mine) {
        (Value::Object(key), Value::Object(mine)) => key
            .iter()
            .all(|(k, v)| mine.get(k).is_none_or(|m| subset(v, m))),
        (Value::Array(key), Value::Array(mine)) => {
            key.len() == mine.len() && key.iter().zip(mine).all(|(k, m)| subset(k, m))
        }
        (key, mine) => key == mine || is_placeholder(key),
    }
}

fn merge(target: &mut Value, source: Value) {
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
        (target, source) if target.is_null() => *target = source,
        _ => {}
    }
}
