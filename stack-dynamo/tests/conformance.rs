//! One conformance suite, run on every backend: the embedded one in memory and on disk, and
//! DynamoDB through moto.
//!
//! Each behaviour is written once, in `conformance/cases.rs`, as an async fn taking a fresh
//! [`Table`](stack_dynamo::Table). The DynamoDB cases need a moto server:
//!
//! ```sh
//! moto_server -H 127.0.0.1 -p 5055 &
//! STACK_TEST_MOTO_URL=http://127.0.0.1:5055 STACK_TEST_REQUIRE_MOTO=1 cargo test -p stack-dynamo
//! ```
//!
//! Without `STACK_TEST_MOTO_URL` they print a notice and pass, unless `STACK_TEST_REQUIRE_MOTO=1`.

#![cfg(all(feature = "aws", feature = "local"))]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::print_stderr
)]

#[path = "conformance/cases.rs"]
mod cases;
#[path = "conformance/support.rs"]
mod support;

/// Runs each case on each backend, as `<backend>::<case>`.
macro_rules! conformance {
    ($($case:ident),+ $(,)?) => {
        mod embedded_in_memory {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $case() {
                    super::cases::$case(super::support::in_memory()).await;
                }
            )+
        }

        mod embedded_on_disk {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $case() {
                    let dir = tempfile::tempdir().unwrap();
                    super::cases::$case(super::support::on_disk(dir.path())).await;
                }
            )+
        }

        mod aws_moto {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $case() {
                    if let Some(table) = super::support::moto().await {
                        super::cases::$case(table).await;
                    }
                }
            )+
        }
    };
}

conformance!(
    create_then_get,
    create_on_a_taken_key_conflicts,
    update_at_the_current_version_bumps_it,
    update_at_a_stale_version_conflicts,
    update_of_a_missing_item_is_not_found,
    update_refused_by_the_change_writes_nothing,
    update_that_changes_the_key_is_refused,
    delete_reports_whether_there_was_an_item,
    delete_at_a_version_checks_it,
    delete_of_another_type_conflicts,
    get_of_another_type_is_refused,
    query_returns_the_prefix_in_order,
    query_descending_reverses_the_order,
    pages_are_exact_in_both_directions,
    cursor_from_another_query_is_refused,
    garbage_cursor_is_refused,
    other_entity_types_are_skipped,
    keys_preserve_case,
    unicode_sort_keys_order_by_bytes,
    concurrent_updates_lose_nothing,
    invalid_input_is_refused,
    empty_partition_gives_an_empty_page,
    backend_limit_applies_before_the_filter,
    backend_writes_check_conditions,
);
