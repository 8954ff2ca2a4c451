//! Composition errors name the subgraph and the place in its SDL they are about.

#![cfg(feature = "compose")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use stack_graphql::compose::{ComposeError, Composer, Severity};

const ACCOUNTS: &str = r#"extend schema @link(url: "https://specs.apollo.dev/federation/v2.5", import: ["@key"])

type Query {
  me: User
}

type User @key(fields: "id") {
  id: ID!
  name: String!
}
"#;

fn compose(reviews: &str) -> ComposeError {
    Composer::new()
        .subgraph("accounts", "http://127.0.0.1:4001/graphql", ACCOUNTS)
        .subgraph("reviews", "http://127.0.0.1:4002/graphql", reviews)
        .compose()
        .unwrap_err()
}

#[test]
fn a_field_resolved_by_two_subgraphs_without_shareable_points_at_both_definitions() {
    let reviews = r#"extend schema @link(url: "https://specs.apollo.dev/federation/v2.5", import: ["@key"])

type User @key(fields: "id") {
  id: ID!
  reviews: [String!]!
  name: String!
}
"#;
    let error = compose(reviews);
    let [diagnostic] = error.diagnostics() else {
        panic!("one error expected: {error}");
    };
    assert_eq!(diagnostic.severity(), Severity::Error);
    assert!(diagnostic.message().contains("@shareable"), "{diagnostic}");
    let sites: Vec<String> = diagnostic.sites().iter().map(ToString::to_string).collect();
    assert_eq!(
        sites,
        ["accounts:9:3 (User.name)", "reviews:6:3 (User.name)"]
    );
    assert_eq!(diagnostic.subgraph(), Some("accounts"));
    let location = diagnostic.location().unwrap();
    assert_eq!((location.line(), location.column()), (Some(9), Some(3)));
    assert_eq!(location.path(), Some("User.name"));
    assert!(error.concerns("reviews"));
    assert!(
        error
            .to_string()
            .contains("error in accounts:9:3 (User.name), reviews:6:3"),
        "{error}"
    );
}

#[test]
fn conflicting_field_types_point_at_both_definitions() {
    let reviews = r#"extend schema @link(url: "https://specs.apollo.dev/federation/v2.5", import: ["@key", "@shareable"])

type User @key(fields: "id") {
  id: ID!
  name: Int! @shareable
}
"#;
    let error = compose(reviews);
    let diagnostic = &error.diagnostics()[0];
    assert!(
        diagnostic.message().contains("conflicting types"),
        "{error}"
    );
    let sites: Vec<String> = diagnostic.sites().iter().map(ToString::to_string).collect();
    assert_eq!(
        sites,
        ["accounts:9:3 (User.name)", "reviews:5:3 (User.name)"]
    );
}

#[test]
fn a_type_defined_as_two_kinds_names_both_subgraphs() {
    let reviews = "type Query { top: [User!]! }\n\ninterface User {\n  id: ID!\n}\n";
    let error = compose(reviews);
    let diagnostic = &error.diagnostics()[0];
    assert!(diagnostic.message().contains("Cannot merge"), "{error}");
    let sites: Vec<String> = diagnostic.sites().iter().map(ToString::to_string).collect();
    assert_eq!(sites, ["accounts:7:6 (User)", "reviews:3:11 (User)"]);
}

#[test]
fn a_syntax_error_points_at_its_line_and_column() {
    // The composition library's own parser reads this as `top: String!`.
    let reviews = "type Query {\n  top: [String!\n}\n";
    let error = compose(reviews);
    let [diagnostic] = error.diagnostics() else {
        panic!("one error expected: {error}");
    };
    assert_eq!(diagnostic.subgraph(), Some("reviews"));
    assert!(
        diagnostic.message().starts_with("the SDL does not parse"),
        "{diagnostic}"
    );
    let location = diagnostic.location().unwrap();
    assert_eq!(
        (location.line(), location.column()),
        (Some(2), Some(8)),
        "{diagnostic}"
    );
    assert_eq!(
        diagnostic.to_string(),
        "error in reviews:2:8: the SDL does not parse: expected type_"
    );
}

#[test]
fn every_unparsable_subgraph_is_reported() {
    let error = Composer::new()
        .subgraph("a", "http://127.0.0.1:4001/graphql", "type Query {")
        .subgraph("b", "http://127.0.0.1:4002/graphql", "type Query { x: }")
        .compose()
        .unwrap_err();
    let subgraphs: Vec<_> = error.diagnostics().iter().map(|d| d.subgraph()).collect();
    assert_eq!(subgraphs, [Some("a"), Some("b")]);
    assert!(
        error
            .to_string()
            .starts_with("supergraph composition failed with 2 errors")
    );
}

#[test]
fn no_subgraphs_is_an_error() {
    let error = Composer::new().compose().unwrap_err();
    assert_eq!(error.diagnostics().len(), 1, "{error}");
    assert!(error.diagnostics()[0].sites().is_empty());
}

#[test]
fn an_invalid_subgraph_name_is_an_error() {
    let error = Composer::new()
        .subgraph("my_accounts", "http://127.0.0.1:4001/graphql", ACCOUNTS)
        .compose()
        .unwrap_err();
    let diagnostic = &error.diagnostics()[0];
    assert!(diagnostic.message().contains("my_accounts"), "{error}");
    assert_eq!(diagnostic.subgraph(), Some("my_accounts"));
}
