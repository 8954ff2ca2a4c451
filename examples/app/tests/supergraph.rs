//! The committed supergraph is what the subgraphs' code composes: a change to either schema
//! that is not composed again fails here. `STACK_UPDATE_SUPERGRAPH=1` rewrites the file.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use app_router::SUPERGRAPH;
use app_router::settings::SUBGRAPHS;
use stack_graphql::compose::{Composer, check_committed};
use stack_graphql::router::Router;

/// Where the subgraphs listen when each runs on its own locally.
const TODO_URL: &str = "http://127.0.0.1:4001/graphql";
const MEDIA_URL: &str = "http://127.0.0.1:4002/graphql";

fn composed() -> String {
    let supergraph = Composer::new()
        .subgraph("todo", TODO_URL, todo_service::sdl())
        .subgraph("media", MEDIA_URL, media_service::sdl())
        .compose()
        .unwrap_or_else(|error| panic!("the subgraphs do not compose:\n{error}"));
    assert!(
        supergraph.warnings().is_empty(),
        "composition warnings: {:?}",
        supergraph.warnings()
    );
    supergraph.sdl().to_owned()
}

#[test]
fn the_committed_supergraph_is_what_the_subgraphs_compose() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../router/supergraph.graphql");
    check_committed(path, &composed()).unwrap_or_else(|drift| panic!("{drift}"));
}

#[test]
fn the_embedded_supergraph_plans_with_both_subgraphs_over_their_urls() {
    for name in SUBGRAPHS {
        assert!(
            SUPERGRAPH.contains(&format!("@join__graph(name: \"{name}\"")),
            "{name} is missing from the supergraph"
        );
    }
    Router::builder(SUPERGRAPH)
        .http_to_supergraph_urls()
        .build()
        .unwrap();
}
