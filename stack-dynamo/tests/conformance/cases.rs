//! The behaviours every backend shares, each written once.

use stack_dynamo::{Condition, Entity, Error, Key, Query, QueryRequest, Table};

use crate::support::{Other, Record, Todo, create_records, sort_keys};

pub(crate) async fn create_then_get(table: Table) {
    let mut todo = Todo::new("home", "1", "Milk");
    table.create(&mut todo).await.unwrap();
    assert_eq!(todo.version, 1);

    let stored: Option<Todo> = table.get(&todo.key()).await.unwrap();
    assert_eq!(stored, Some(todo));
    let missing: Option<Todo> = table.get(&Key::new("LIST#home", "TODO#2")).await.unwrap();
    assert_eq!(missing, None);
}

pub(crate) async fn create_on_a_taken_key_conflicts(table: Table) {
    table
        .create(&mut Todo::new("home", "1", "Milk"))
        .await
        .unwrap();

    let error = table
        .create(&mut Todo::new("home", "1", "Eggs"))
        .await
        .unwrap_err();
    assert!(
        error.is_conflict() && error.is_condition_failed(),
        "{error:?}"
    );
    let stored: Todo = table
        .get(&Todo::new("home", "1", "").key())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.title, "Milk");
}

pub(crate) async fn update_at_the_current_version_bumps_it(table: Table) {
    let mut todo = Todo::new("home", "1", "Milk");
    table.create(&mut todo).await.unwrap();

    let updated: Todo = table
        .update(&todo.key(), Some(1), retitle("Oat milk"))
        .await
        .unwrap();
    assert_eq!((updated.title.as_str(), updated.version), ("Oat milk", 2));
    let stored: Option<Todo> = table.get(&todo.key()).await.unwrap();
    assert_eq!(stored, Some(updated));
}

pub(crate) async fn update_at_a_stale_version_conflicts(table: Table) {
    let mut todo = Todo::new("home", "1", "Milk");
    table.create(&mut todo).await.unwrap();
    table
        .update(&todo.key(), Some(1), retitle("Oat milk"))
        .await
        .unwrap();

    let error = table
        .update(&todo.key(), Some(1), retitle("Soy milk"))
        .await
        .unwrap_err();
    assert!(error.is_conflict(), "{error:?}");
    let stored: Todo = table.get(&todo.key()).await.unwrap().unwrap();
    assert_eq!((stored.title.as_str(), stored.version), ("Oat milk", 2));
}

pub(crate) async fn update_of_a_missing_item_is_not_found(table: Table) {
    let key = Todo::new("home", "1", "").key();
    for expected_version in [Some(1), None] {
        let error = table
            .update(&key, expected_version, retitle("Milk"))
            .await
            .unwrap_err();
        assert!(error.is_not_found(), "{error:?}");
    }
}

pub(crate) async fn update_refused_by_the_change_writes_nothing(table: Table) {
    let mut todo = Todo::new("home", "1", "Milk");
    table.create(&mut todo).await.unwrap();

    let refuse = |_: &mut Todo| Err(Error::validation("the title is too long"));
    let error = table.update(&todo.key(), None, refuse).await.unwrap_err();
    assert!(error.is_validation(), "{error:?}");
    let stored: Todo = table.get(&todo.key()).await.unwrap().unwrap();
    assert_eq!(stored, todo);
}

pub(crate) async fn update_that_changes_the_key_is_refused(table: Table) {
    let mut todo = Todo::new("home", "1", "Milk");
    table.create(&mut todo).await.unwrap();

    let move_it = |todo: &mut Todo| {
        todo.id = "2".into();
        Ok(())
    };
    assert!(table.update(&todo.key(), None, move_it).await.is_err());
    let moved: Option<Todo> = table.get(&Todo::new("home", "2", "").key()).await.unwrap();
    assert_eq!(moved, None);
}

pub(crate) async fn delete_reports_whether_there_was_an_item(table: Table) {
    let mut todo = Todo::new("home", "1", "Milk");
    table.create(&mut todo).await.unwrap();

    assert!(table.delete::<Todo>(&todo.key()).await.unwrap());
    assert_eq!(table.get::<Todo>(&todo.key()).await.unwrap(), None);
    assert!(!table.delete::<Todo>(&todo.key()).await.unwrap());
}

pub(crate) async fn delete_at_a_version_checks_it(table: Table) {
    let mut todo = Todo::new("home", "1", "Milk");
    table.create(&mut todo).await.unwrap();
    table
        .update(&todo.key(), Some(1), retitle("Oat milk"))
        .await
        .unwrap();

    let error = table
        .delete_if_version::<Todo>(&todo.key(), 1)
        .await
        .unwrap_err();
    assert!(error.is_conflict(), "{error:?}");
    assert!(
        table
            .delete_if_version::<Todo>(&todo.key(), 2)
            .await
            .unwrap()
    );
    assert!(
        !table
            .delete_if_version::<Todo>(&todo.key(), 2)
            .await
            .unwrap()
    );
}

pub(crate) async fn delete_of_another_type_conflicts(table: Table) {
    table.create(&mut Record::new("P", "S")).await.unwrap();

    let error = table
        .delete::<Other>(&Key::new("P", "S"))
        .await
        .unwrap_err();
    assert!(error.is_conflict(), "{error:?}");
    assert!(
        table
            .get::<Record>(&Key::new("P", "S"))
            .await
            .unwrap()
            .is_some()
    );
}

pub(crate) async fn get_of_another_type_is_refused(table: Table) {
    table.create(&mut Record::new("P", "S")).await.unwrap();
    assert!(table.get::<Other>(&Key::new("P", "S")).await.is_err());
}

pub(crate) async fn query_returns_the_prefix_in_order(table: Table) {
    create_records(&table, "P", &["B#2", "A#3", "A#1", "C#1", "A#2"]).await;
    create_records(&table, "Q", &["A#0"]).await;

    let page = table
        .query::<Record>(Query::new("P").sk_prefix("A#"))
        .await
        .unwrap();
    assert_eq!(sort_keys(&page.items), ["A#1", "A#2", "A#3"]);
    assert!(!page.has_next_page());
}

pub(crate) async fn query_descending_reverses_the_order(table: Table) {
    create_records(&table, "P", &["A#1", "A#3", "A#2", "B#1"]).await;

    let query = Query::new("P").sk_prefix("A#").descending();
    let page = table.query::<Record>(query).await.unwrap();
    assert_eq!(sort_keys(&page.items), ["A#3", "A#2", "A#1"]);
}

pub(crate) async fn pages_are_exact_in_both_directions(table: Table) {
    create_records(&table, "P", &["1", "2", "3", "4"]).await;

    let forward = collect_pages(&table, Query::new("P").limit(2)).await;
    assert_eq!(forward, [vec!["1", "2"], vec!["3", "4"]]);
    let backward = collect_pages(&table, Query::new("P").limit(3).descending()).await;
    assert_eq!(backward, [vec!["4", "3", "2"], vec!["1"]]);
}

pub(crate) async fn cursor_from_another_query_is_refused(table: Table) {
    create_records(&table, "P", &["A#1", "A#2", "B#1", "B#2"]).await;
    let query = Query::new("P").sk_prefix("A#").limit(1);
    let cursor = table
        .query::<Record>(query.clone())
        .await
        .unwrap()
        .next_cursor;

    let other_queries = [
        Query::new("P").sk_prefix("B#"),
        Query::new("P"),
        Query::new("Q").sk_prefix("A#"),
        query.clone().descending(),
    ];
    for other in other_queries {
        let error = table
            .query::<Record>(other.after(cursor.clone()))
            .await
            .unwrap_err();
        assert!(error.is_validation(), "{error:?}");
    }
    let error = table.query::<Other>(query.after(cursor)).await.unwrap_err();
    assert!(error.is_validation(), "{error:?}");
}

pub(crate) async fn garbage_cursor_is_refused(table: Table) {
    for garbage in ["", "garbage", "%%%", "AQID", "x".repeat(10_000).as_str()] {
        let query = Query::new("P").after(Some(garbage.to_owned()));
        let error = table.query::<Record>(query).await.unwrap_err();
        assert!(error.is_validation(), "{garbage:?}: {error:?}");
    }
}

pub(crate) async fn other_entity_types_are_skipped(table: Table) {
    for (index, sk) in ["A#1", "A#5", "A#9"].into_iter().enumerate() {
        table.create(&mut Record::new("P", sk)).await.unwrap();
        for other in 0..6 {
            table
                .create(&mut Other::new("P", &format!("A#{}{other}", index * 4 + 2)))
                .await
                .unwrap();
        }
    }

    let forward = collect_pages(&table, Query::new("P").sk_prefix("A#").limit(1)).await;
    assert_eq!(forward, [vec!["A#1"], vec!["A#5"], vec!["A#9"]]);
    let backward = collect_pages(&table, Query::new("P").limit(2).descending()).await;
    assert_eq!(backward, [vec!["A#9", "A#5"], vec!["A#1"]]);
}

pub(crate) async fn keys_preserve_case(table: Table) {
    create_records(&table, "Tenant", &["Todo#A", "todo#a", "TODO#a"]).await;
    create_records(&table, "tenant", &["Todo#A"]).await;

    let page = table
        .query::<Record>(Query::new("Tenant").sk_prefix("todo#"))
        .await
        .unwrap();
    assert_eq!(sort_keys(&page.items), ["todo#a"]);
    let page = table.query::<Record>(Query::new("Tenant")).await.unwrap();
    assert_eq!(sort_keys(&page.items), ["TODO#a", "Todo#A", "todo#a"]);
    let lower = table.query::<Record>(Query::new("tenant")).await.unwrap();
    assert_eq!(sort_keys(&lower.items), ["Todo#A"]);
    assert!(
        table
            .get::<Record>(&Key::new("TENANT", "Todo#A"))
            .await
            .unwrap()
            .is_none()
    );
}

pub(crate) async fn unicode_sort_keys_order_by_bytes(table: Table) {
    // UTF-8 byte order; UTF-16 order would put "ｱ" (U+FF71) after "😀" (U+1F600).
    create_records(&table, "P", &["😀", "é", "z", "ｱ", "Z", "a", "e\u{301}"]).await;
    let by_bytes = ["Z", "a", "e\u{301}", "z", "é", "ｱ", "😀"];

    let page = table.query::<Record>(Query::new("P")).await.unwrap();
    assert_eq!(sort_keys(&page.items), by_bytes);
    let pages = collect_pages(&table, Query::new("P").limit(3).descending()).await;
    let descending: Vec<String> = pages.into_iter().flatten().collect();
    assert_eq!(descending, by_bytes.into_iter().rev().collect::<Vec<_>>());
}

pub(crate) async fn concurrent_updates_lose_nothing(table: Table) {
    const TASKS: u64 = 8;
    const INCREMENTS: u64 = 10;
    let mut counter = Record::new("COUNTER", "hits");
    table.create(&mut counter).await.unwrap();

    let tasks =
        (0..TASKS).map(|_| tokio::spawn(increment(table.clone(), counter.key(), INCREMENTS)));
    for task in tasks.collect::<Vec<_>>() {
        task.await.unwrap();
    }
    let stored: Record = table.get(&counter.key()).await.unwrap().unwrap();
    assert_eq!(
        (stored.count, stored.version),
        (TASKS * INCREMENTS, TASKS * INCREMENTS + 1)
    );
}

pub(crate) async fn invalid_input_is_refused(table: Table) {
    let error = table.get::<Record>(&Key::new("", "S")).await.unwrap_err();
    assert!(error.is_validation(), "{error:?}");
    let error = table
        .create(&mut Record::new("P", &"s".repeat(1025)))
        .await
        .unwrap_err();
    assert!(error.is_validation(), "{error:?}");
    for limit in [0, 1001] {
        let error = table
            .query::<Record>(Query::new("P").limit(limit))
            .await
            .unwrap_err();
        assert!(error.is_validation(), "{error:?}");
    }
    let error = table.query::<Record>(Query::new("")).await.unwrap_err();
    assert!(error.is_validation(), "{error:?}");
}

pub(crate) async fn empty_partition_gives_an_empty_page(table: Table) {
    let page = table
        .query::<Record>(Query::new("nothing here"))
        .await
        .unwrap();
    assert!(page.items.is_empty() && !page.has_next_page());
}

/// A change that sets a todo's title.
fn retitle(title: &str) -> impl FnMut(&mut Todo) -> Result<(), Error> + Send + use<> {
    let title = title.to_owned();
    move |todo| {
        todo.title.clone_from(&title);
        Ok(())
    }
}

/// Adds one to a record's count `times` times, each time without an expected version.
///
/// Under this much contention on one item an update may run out of attempts; it then fails
/// with a conflict and writes nothing, so the caller tries again.
async fn increment(table: Table, key: Key, times: u64) {
    let mut done = 0;
    while done < times {
        let add_one = |record: &mut Record| {
            record.count += 1;
            Ok(())
        };
        match table.update(&key, None, add_one).await {
            Ok(_) => done += 1,
            Err(error) => assert!(error.is_conflict(), "{error:?}"),
        }
    }
}

/// The sort keys of every page of a query, following cursors until there is none.
///
/// Every page but the last has a cursor, so an inexact `hasNextPage` shows as an extra, empty
/// page at the end.
async fn collect_pages(table: &Table, query: Query) -> Vec<Vec<String>> {
    let mut pages = Vec::new();
    let mut cursor = None;
    loop {
        let page = table
            .query::<Record>(query.clone().after(cursor))
            .await
            .unwrap();
        pages.push(page.items.iter().map(|record| record.sk.clone()).collect());
        match page.next_cursor {
            Some(next) => cursor = Some(next),
            None => return pages,
        }
    }
}

pub(crate) async fn backend_limit_applies_before_the_filter(table: Table) {
    table.create(&mut Other::new("P", "1")).await.unwrap();
    table.create(&mut Record::new("P", "2")).await.unwrap();
    table.create(&mut Other::new("P", "3")).await.unwrap();
    table.create(&mut Record::new("P", "4")).await.unwrap();

    let mut request = QueryRequest::new("P", 1);
    request.filter = Some(Condition::type_is(Record::TYPE));
    let output = table.backend().query(request.clone()).await.unwrap();
    assert!(output.items.is_empty());
    assert_eq!(output.last_evaluated_key, Some(Key::new("P", "1")));

    request.limit = 2;
    request.exclusive_start = output.last_evaluated_key;
    let output = table.backend().query(request).await.unwrap();
    assert_eq!(output.items.len(), 1);
    assert_eq!(output.last_evaluated_key, Some(Key::new("P", "3")));
}

pub(crate) async fn backend_writes_check_conditions(table: Table) {
    let backend = table.backend();
    let item = Key::new("P", "S").to_item();
    backend
        .put_item(item.clone(), Some(Condition::NotExists))
        .await
        .unwrap();

    let error = backend
        .put_item(item.clone(), Some(Condition::NotExists))
        .await
        .unwrap_err();
    assert!(error.is_condition_failed(), "{error:?}");
    let error = backend
        .delete_item(&Key::new("P", "S"), Some(Condition::version_is(1)))
        .await;
    assert!(error.unwrap_err().is_condition_failed());
    let old = backend
        .delete_item(&Key::new("P", "S"), Some(Condition::Exists))
        .await
        .unwrap();
    assert_eq!(old, Some(item));
    assert_eq!(backend.get_item(&Key::new("P", "S")).await.unwrap(), None);
}
