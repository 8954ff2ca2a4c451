//! One conformance suite, run on every backend: the embedded one in memory and on disk, and
//! DynamoDB through moto.
//!
//! Each behaviour is written once, in `conformance/*.rs`, as an async fn taking a fresh
//! [`Fixture`](support::Fixture) (a table and its clock). The DynamoDB cases need a moto
//! server:
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

#[path = "conformance/batches.rs"]
mod batches;
#[path = "conformance/items.rs"]
mod items;
#[path = "conformance/queries.rs"]
mod queries;
#[path = "conformance/support.rs"]
mod support;

/// Runs each case on each backend, as `<backend>::<case>`.
macro_rules! conformance {
    ($($module:ident :: $case:ident),+ $(,)?) => {
        mod embedded_in_memory {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $case() {
                    super::$module::$case(super::support::in_memory()).await;
                }
            )+
        }

        mod embedded_on_disk {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $case() {
                    let dir = tempfile::tempdir().unwrap();
                    super::$module::$case(super::support::on_disk(dir.path())).await;
                }
            )+
        }

        mod aws_moto {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $case() {
                    if let Some(fixture) = super::support::moto().await {
                        super::$module::$case(fixture).await;
                    }
                }
            )+
        }
    };
}

conformance!(
    items::create_then_get,
    items::create_on_a_taken_key_conflicts,
    items::put_keeps_created_at_and_moves_updated_at,
    items::replace_checks_the_version,
    items::put_if_checks_the_condition,
    items::update_at_the_current_version_bumps_it,
    items::update_at_a_stale_version_conflicts,
    items::update_of_a_missing_item_is_not_found,
    items::update_refused_by_the_change_writes_nothing,
    items::update_that_changes_the_key_is_refused,
    items::patch_sets_removes_and_adds,
    items::patch_checks_version_existence_and_key_fields,
    items::patch_recomputes_index_keys,
    items::delete_reports_whether_there_was_an_item,
    items::delete_at_a_version_checks_it,
    items::delete_if_checks_the_condition,
    items::delete_of_another_type_conflicts,
    items::get_of_another_type_is_refused,
    items::keys_preserve_case,
    items::concurrent_updates_lose_nothing,
    items::concurrent_patches_add_atomically,
    items::invalid_input_is_refused,
    items::backend_writes_check_conditions,
    items::backend_update_adds_and_compares_numbers,
    queries::query_returns_the_prefix_in_order,
    queries::query_descending_reverses_the_order,
    queries::sort_key_conditions_select_ranges,
    queries::pages_are_exact_in_both_directions,
    queries::cursor_from_another_query_is_refused,
    queries::changed_or_garbage_cursors_are_refused,
    queries::other_entity_types_are_skipped,
    queries::unicode_sort_keys_order_by_bytes,
    queries::index_queries_page_in_index_order,
    queries::filters_and_projections_apply,
    queries::invalid_queries_are_refused,
    queries::empty_partition_gives_an_empty_page,
    queries::backend_limit_applies_before_the_filter,
    queries::collections_read_several_types_in_one_query,
    queries::scans_page_and_split_into_segments,
    batches::batches_go_beyond_the_api_limits,
    batches::a_batch_naming_a_key_twice_is_refused,
    batches::transactions_write_everything,
    batches::a_cancelled_transaction_says_which_item_failed,
    batches::transactions_over_the_limit_are_refused,
    batches::expired_items_are_never_returned,
    batches::idempotency_records_run_an_operation_once,
    batches::abandoned_idempotency_records_can_be_taken_over,
);
