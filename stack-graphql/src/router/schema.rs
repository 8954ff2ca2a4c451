//! The public schema: what clients of the router may see and send.
//!
//! It is the planner's consumer schema, the supergraph without its `@inaccessible` parts and
//! without the `join__`/`link__` machinery, indexed by name. Introspection answers from it
//! and variables are coerced against it, so neither ever reveals or accepts a hidden type,
//! field, argument or enum value.

use std::collections::HashMap;
use std::sync::Arc;

use graphql_tools::parser::schema::parse_schema;
use graphql_tools::static_graphql::schema::{
    Definition, Directive, DirectiveDefinition, Document, TypeDefinition,
};

use super::error::RouterError;

/// The directives every schema has, as the GraphQL specification describes them.
///
/// The planner's consumer schema declares them too, but without descriptions and with
/// `@deprecated` missing `ARGUMENT_DEFINITION`; these are the ones clients are shown.
const BUILT_IN_DIRECTIVES: &str = r#"
"Leaves out this field or fragment when `if` is true."
directive @skip("Left out when true." if: Boolean!) on FIELD | FRAGMENT_SPREAD | INLINE_FRAGMENT

"Keeps this field or fragment only when `if` is true."
directive @include("Kept when true." if: Boolean!) on FIELD | FRAGMENT_SPREAD | INLINE_FRAGMENT

"Marks an element of the schema as no longer meant to be used."
directive @deprecated(
  "Why it is deprecated and what to use instead, in Markdown."
  reason: String = "No longer supported"
) on FIELD_DEFINITION | ARGUMENT_DEFINITION | INPUT_FIELD_DEFINITION | ENUM_VALUE

"Gives the URL of the specification a custom scalar follows."
directive @specifiedBy("The URL of the specification." url: String!) on SCALAR
"#;

/// Directives of the consumer schema that are not shown as they are declared there: the
/// built-in ones (shown from [`BUILT_IN_DIRECTIVES`]) and `@oneOf`, which the consumer schema
/// declares on output types; `__Type.isOneOf` reports its use on input objects instead.
const REPLACED_DIRECTIVES: [&str; 5] = ["skip", "include", "deprecated", "specifiedBy", "oneOf"];

/// The public schema of a supergraph, indexed for lookups by name.
#[derive(Debug)]
pub(crate) struct PublicSchema {
    document: Arc<Document>,
    built_ins: Document,
    /// Named types, by name: their index in `document.definitions`.
    types: HashMap<String, usize>,
    /// The object types implementing each interface, in definition order.
    implementations: HashMap<String, Vec<String>>,
    query: String,
    mutation: Option<String>,
    subscription: Option<String>,
}

impl PublicSchema {
    /// Indexes the planner's consumer schema.
    pub(crate) fn new(document: Arc<Document>) -> Result<Self, RouterError> {
        let built_ins = parse_schema::<String>(BUILT_IN_DIRECTIVES)
            .map_err(|e| RouterError::InvalidSupergraph {
                reason: format!("the built-in directives do not parse: {e}"),
            })?
            .into_static();
        let mut types = HashMap::new();
        let mut implementations: HashMap<String, Vec<String>> = HashMap::new();
        for (index, definition) in document.definitions.iter().enumerate() {
            let Definition::TypeDefinition(definition) = definition else {
                continue;
            };
            let name = type_name(definition);
            types.entry(name.to_owned()).or_insert(index);
            if let TypeDefinition::Object(object) = definition {
                for interface in &object.implements_interfaces {
                    let objects = implementations.entry(interface.clone()).or_default();
                    objects.push(object.name.clone());
                }
            }
        }
        let root = |name: Option<&String>| name.filter(|n| types.contains_key(*n)).cloned();
        let query =
            root(document.query_type_name()).ok_or_else(|| RouterError::InvalidSupergraph {
                reason: "the public schema has no query type".to_owned(),
            })?;
        let mutation = root(document.mutation_type_name());
        let subscription = root(document.subscription_type_name());
        Ok(Self {
            document,
            built_ins,
            types,
            implementations,
            query,
            mutation,
            subscription,
        })
    }

    /// The type named `name`, when the public schema has it.
    pub(crate) fn named(&self, name: &str) -> Option<&TypeDefinition> {
        let index = *self.types.get(name)?;
        match self.document.definitions.get(index)? {
            Definition::TypeDefinition(definition) => Some(definition),
            _ => None,
        }
    }

    /// Every named type, in the order the schema declares them.
    pub(crate) fn types(&self) -> impl Iterator<Item = &TypeDefinition> {
        self.document
            .definitions
            .iter()
            .enumerate()
            .filter_map(|(index, definition)| match definition {
                Definition::TypeDefinition(definition)
                    if self.types.get(type_name(definition)) == Some(&index) =>
                {
                    Some(definition)
                }
                _ => None,
            })
    }

    /// The query root type's name.
    pub(crate) fn query_type(&self) -> &str {
        &self.query
    }

    /// The mutation root type's name, if the schema has mutations.
    pub(crate) fn mutation_type(&self) -> Option<&str> {
        self.mutation.as_deref()
    }

    /// The subscription root type's name, if the schema has subscriptions.
    pub(crate) fn subscription_type(&self) -> Option<&str> {
        self.subscription.as_deref()
    }

    /// The object types that implement the interface `name`, in the schema's order.
    pub(crate) fn implementations(&self, name: &str) -> &[String] {
        self.implementations.get(name).map_or(&[], Vec::as_slice)
    }

    /// Whether an object of type `object` matches the type condition `condition`.
    pub(crate) fn satisfies(&self, object: &str, condition: &str) -> bool {
        if object == condition {
            return true;
        }
        match self.named(condition) {
            Some(TypeDefinition::Interface(_)) => {
                self.implementations(condition).iter().any(|o| o == object)
            }
            Some(TypeDefinition::Union(union)) => union.types.iter().any(|m| m == object),
            _ => false,
        }
    }

    /// The directives clients are shown: the built-in ones, then those the schema declares.
    pub(crate) fn directives(&self) -> impl Iterator<Item = &DirectiveDefinition> {
        let declared = self.document.definitions.iter().filter_map(|d| match d {
            Definition::DirectiveDefinition(directive)
                if !REPLACED_DIRECTIVES.contains(&directive.name.as_str()) =>
            {
                Some(directive)
            }
            _ => None,
        });
        directive_definitions(&self.built_ins).chain(declared)
    }
}

fn directive_definitions(document: &Document) -> impl Iterator<Item = &DirectiveDefinition> {
    document.definitions.iter().filter_map(|d| match d {
        Definition::DirectiveDefinition(directive) => Some(directive),
        _ => None,
    })
}

/// The name of a type definition.
pub(crate) fn type_name(definition: &TypeDefinition) -> &str {
    match definition {
        TypeDefinition::Scalar(t) => &t.name,
        TypeDefinition::Object(t) => &t.name,
        TypeDefinition::Interface(t) => &t.name,
        TypeDefinition::Union(t) => &t.name,
        TypeDefinition::Enum(t) => &t.name,
        TypeDefinition::InputObject(t) => &t.name,
    }
}

/// The directive `name` among `directives`, if it is applied.
pub(crate) fn directive<'d>(directives: &'d [Directive], name: &str) -> Option<&'d Directive> {
    directives.iter().find(|d| d.name == name)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;
    use crate::router::plan::Plans;

    const SUPERGRAPH: &str = include_str!("../../tests/router_support/tiny.graphql");

    fn schema() -> PublicSchema {
        let plans = Plans::new(SUPERGRAPH, 1).unwrap();
        PublicSchema::new(plans.public_document()).unwrap()
    }

    #[test]
    fn the_machinery_of_federation_is_not_public() {
        let schema = schema();
        assert!(schema.named("User").is_some());
        assert!(schema.named("join__Graph").is_none());
        assert!(schema.named("link__Purpose").is_none());
        assert!(schema.named("join__FieldSet").is_none());
        let directives: Vec<&str> = schema.directives().map(|d| d.name.as_str()).collect();
        assert_eq!(directives, ["skip", "include", "deprecated", "specifiedBy"]);
    }

    #[test]
    fn roots_are_found() {
        let schema = schema();
        assert_eq!(schema.query_type(), "Query");
        assert_eq!(schema.mutation_type(), Some("Mutation"));
        assert_eq!(schema.subscription_type(), None);
    }
}
