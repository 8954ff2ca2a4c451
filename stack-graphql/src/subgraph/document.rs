//! From `query` text to a document that is safe to hand to async-graphql.

use std::fmt;

use async_graphql::ServerError;
use async_graphql::parser::types::{DocumentOperations, ExecutableDocument, OperationDefinition};
use async_graphql::parser::{self, types::OperationType};
use async_graphql::{Name, Positioned};

use crate::error::{self, codes};
use crate::subgraph::http::Rejection;
use crate::subgraph::limits;
use crate::subgraph::options::Limits;

/// A request that ends before execution.
#[derive(Debug)]
pub(crate) enum Refusal {
    /// Not acceptable as HTTP (a mutation over GET).
    Http(Rejection),
    /// Not acceptable as GraphQL: parse, validation and limit errors.
    GraphQl(Vec<ServerError>),
}

impl From<ServerError> for Refusal {
    fn from(error: ServerError) -> Self {
        Self::GraphQl(vec![error])
    }
}

/// What a document may do on this request.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Rules<'a> {
    pub(crate) limits: &'a Limits,
    pub(crate) introspection: bool,
    /// GET requests may only read.
    pub(crate) read_only: bool,
}

/// The operation that will run, when the document and the operation name tell which.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Operation {
    pub(crate) name: Option<String>,
    pub(crate) kind: OperationKind,
}

/// The type of an operation, named as in OpenTelemetry's `graphql.operation.type`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum OperationKind {
    Query,
    Mutation,
    Subscription,
}

impl fmt::Display for OperationKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Query => "query",
            Self::Mutation => "mutation",
            Self::Subscription => "subscription",
        })
    }
}

/// A parsed document that passed every check this crate makes.
#[derive(Debug)]
pub(crate) struct Prepared {
    pub(crate) document: ExecutableDocument,
    pub(crate) operation: Option<Operation>,
}

/// Checks the text, parses it, measures it and applies the rules of the request.
pub(crate) fn prepare(
    query: &str,
    operation_name: Option<&str>,
    rules: Rules<'_>,
) -> Result<Prepared, Refusal> {
    limits::check_size(query, rules.limits)?;
    limits::check_nesting(query, rules.limits)?;
    let document = parse(query)?;
    let measured = limits::check_document(&document, rules.limits)?;

    let Some((name, definition)) = select(&document, operation_name) else {
        // An unknown or missing operation name: async-graphql reports it in its own words.
        return Ok(Prepared {
            document,
            operation: None,
        });
    };
    let operation = Operation {
        name: name.map(ToString::to_string),
        kind: kind_of(definition),
    };
    let introspects = measured
        .get(&name.cloned())
        .is_some_and(|metrics| metrics.introspection);
    check_rules(&operation, introspects, rules)?;
    Ok(Prepared {
        document,
        operation: Some(operation),
    })
}

fn parse(query: &str) -> Result<ExecutableDocument, ServerError> {
    parser::parse_query(query).map_err(|parse_error| {
        error::with_code(ServerError::from(parse_error), codes::GRAPHQL_PARSE_FAILED)
    })
}

/// The operation that runs: the named one, or the only one.
pub(crate) fn select<'d>(
    document: &'d ExecutableDocument,
    operation_name: Option<&str>,
) -> Option<(Option<&'d Name>, &'d OperationDefinition)> {
    match (&document.operations, operation_name) {
        (DocumentOperations::Single(operation), None) => Some((None, &operation.node)),
        (DocumentOperations::Single(_), Some(_)) => None,
        (DocumentOperations::Multiple(operations), Some(name)) => {
            let (name, operation) = operations.get_key_value(name)?;
            Some((Some(name), &operation.node))
        }
        (DocumentOperations::Multiple(operations), None) if operations.len() == 1 => {
            let (name, operation) = operations.iter().next()?;
            Some((Some(name), &operation.node))
        }
        (DocumentOperations::Multiple(_), None) => None,
    }
}

/// The same operation, to change it.
pub(crate) fn select_mut<'d>(
    document: &'d mut ExecutableDocument,
    operation_name: Option<&str>,
) -> Option<&'d mut Positioned<OperationDefinition>> {
    match (&mut document.operations, operation_name) {
        (DocumentOperations::Single(operation), None) => Some(operation),
        (DocumentOperations::Multiple(operations), Some(name)) => operations.get_mut(name),
        (DocumentOperations::Multiple(operations), None) if operations.len() == 1 => {
            operations.values_mut().next()
        }
        _ => None,
    }
}

fn kind_of(operation: &OperationDefinition) -> OperationKind {
    match operation.ty {
        OperationType::Query => OperationKind::Query,
        OperationType::Mutation => OperationKind::Mutation,
        OperationType::Subscription => OperationKind::Subscription,
    }
}

fn check_rules(operation: &Operation, introspects: bool, rules: Rules<'_>) -> Result<(), Refusal> {
    if rules.read_only && operation.kind == OperationKind::Mutation {
        return Err(Refusal::Http(Rejection::mutation_over_get()));
    }
    if operation.kind == OperationKind::Subscription {
        let message = "subscriptions are not served over HTTP";
        return Err(error::coded(message, codes::GRAPHQL_VALIDATION_FAILED).into());
    }
    if introspects && !rules.introspection {
        let message = "introspection is disabled: `__schema` and `__type` cannot be queried";
        return Err(error::coded(message, codes::GRAPHQL_VALIDATION_FAILED).into());
    }
    Ok(())
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    fn rules(limits: &Limits) -> Rules<'_> {
        Rules {
            limits,
            introspection: true,
            read_only: false,
        }
    }

    fn code(refusal: Refusal) -> Option<String> {
        match refusal {
            Refusal::GraphQl(errors) => Some(error::code_of(errors.first()?)?.to_string()),
            Refusal::Http(_) => None,
        }
    }

    #[test]
    fn the_operation_is_found_by_name_or_alone() {
        let limits = Limits::default();
        let prepared = prepare("query A { a } mutation B { b }", Some("B"), rules(&limits));
        let operation = prepared.ok().and_then(|p| p.operation);
        let expected = Operation {
            name: Some("B".to_owned()),
            kind: OperationKind::Mutation,
        };
        assert_eq!(operation, Some(expected));
        let anonymous = prepare("{ a }", None, rules(&limits))
            .ok()
            .and_then(|p| p.operation);
        assert_eq!(anonymous.map(|o| o.kind), Some(OperationKind::Query));
        let ambiguous = prepare("query A { a } query B { b }", None, rules(&limits));
        assert_eq!(ambiguous.ok().map(|p| p.operation), Some(None));
    }

    #[test]
    fn parse_errors_have_their_code() {
        let limits = Limits::default();
        let refusal = prepare("{", None, rules(&limits)).err();
        assert_eq!(
            refusal.and_then(code).as_deref(),
            Some("\"GRAPHQL_PARSE_FAILED\"")
        );
    }

    #[test]
    fn mutations_are_refused_over_get() {
        let limits = Limits::default();
        let get = Rules {
            read_only: true,
            ..rules(&limits)
        };
        let refusal = prepare("mutation { a }", None, get).err();
        assert!(matches!(
            refusal,
            Some(Refusal::Http(Rejection::MethodNotAllowed { .. }))
        ));
        assert!(prepare("query { a }", None, get).is_ok());
    }

    #[test]
    fn subscriptions_and_disabled_introspection_are_refused() {
        let limits = Limits::default();
        let closed = Rules {
            introspection: false,
            ..rules(&limits)
        };
        let validation = Some("\"GRAPHQL_VALIDATION_FAILED\"".to_owned());
        assert_eq!(
            prepare("subscription { a }", None, closed)
                .err()
                .and_then(code),
            validation
        );
        assert_eq!(
            prepare("{ __schema { a } }", None, closed)
                .err()
                .and_then(code),
            validation
        );
        assert!(prepare("{ __typename }", None, closed).is_ok());
    }
}
