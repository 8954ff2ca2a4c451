//! Queries of the table and its indexes, filters, projections, cursors, scans, collections.

use serde::Deserialize;
use serde_dynamo::AttributeValue;
use stack_dynamo::{Condition, Key, Query, QueryRequest, Scan, SortKey};

use crate::items::ids;
use crate::support::{Fixture, List, Other, Record, Todo, create_records, sort_keys};

pub(crate) async fn query_returns_the_prefix_in_order(fx: Fixture) {
    create_records(&fx.table, "P", &["B#2", "A#3", "A#1", "C#1", "A#2"]).await;
    create_records(&fx.table, "Q", &["A#0"]).await;

    let page = fx
        .table
        .query::<Record>(Query::new("P").sk_prefix("A#"))
        .await
        .unwrap();
    assert_eq!(sort_keys(&page.items), ["A#1", "A#2", "A#3"]);
    assert!(!page.has_next_page());
}

pub(crate) async fn query_descending_reverses_the_order(fx: Fixture) {
    create_records(&fx.table, "P", &["A#1", "A#3", "A#2", "B#1"]).await;

    let query = Query::new("P").sk_prefix("A#").descending();
    let page = fx.table.query::<Record>(query).await.unwrap();
    assert_eq!(sort_keys(&page.items), ["A#3", "A#2", "A#1"]);
}

pub(crate) async fn sort_key_conditions_select_ranges(fx: Fixture) {
    create_records(&fx.table, "P", &["a", "b", "b1", "c", "d"]).await;
    let cases = [
        (SortKey::Equals("b".into()), vec!["b"]),
        (SortKey::BeginsWith("b".into()), vec!["b", "b1"]),
        (
            SortKey::Between("b".into(), "c".into()),
            vec!["b", "b1", "c"],
        ),
        (SortKey::LessThan("b1".into()), vec!["a", "b"]),
        (SortKey::AtMost("b1".into()), vec!["a", "b", "b1"]),
        (SortKey::GreaterThan("b".into()), vec!["b1", "c", "d"]),
        (SortKey::AtLeast("c".into()), vec!["c", "d"]),
    ];
    for (condition, expected) in cases {
        let forward = fx
            .table
            .query::<Record>(Query::new("P").sk(condition.clone()))
            .await
            .unwrap();
        assert_eq!(sort_keys(&forward.items), expected, "{condition:?}");
        let pages = collect_pages(
            &fx,
            Query::new("P").sk(condition.clone()).limit(1).descending(),
        )
        .await;
        let backward: Vec<String> = pages.into_iter().flatten().collect();
        assert_eq!(
            backward,
            expected.into_iter().rev().collect::<Vec<_>>(),
            "{condition:?}"
        );
    }
}

pub(crate) async fn pages_are_exact_in_both_directions(fx: Fixture) {
    create_records(&fx.table, "P", &["1", "2", "3", "4"]).await;

    let forward = collect_pages(&fx, Query::new("P").limit(2)).await;
    assert_eq!(forward, [vec!["1", "2"], vec!["3", "4"]]);
    let backward = collect_pages(&fx, Query::new("P").limit(3).descending()).await;
    assert_eq!(backward, [vec!["4", "3", "2"], vec!["1"]]);
}

pub(crate) async fn cursor_from_another_query_is_refused(fx: Fixture) {
    create_records(&fx.table, "P", &["A#1", "A#2", "B#1", "B#2"]).await;
    let query = Query::new("P").sk_prefix("A#").limit(1);
    let cursor = fx
        .table
        .query::<Record>(query.clone())
        .await
        .unwrap()
        .next_cursor;

    let other_queries = [
        Query::new("P").sk_prefix("B#"),
        Query::new("P"),
        Query::new("Q").sk_prefix("A#"),
        Query::on_index("gsi1", "P").sk_prefix("A#"),
        query.clone().descending(),
    ];
    for other in other_queries {
        let error = fx
            .table
            .query::<Record>(other.after(cursor.clone()))
            .await
            .unwrap_err();
        assert!(error.is_validation(), "{error:?}");
    }
    let error = fx
        .table
        .query::<Other>(query.after(cursor))
        .await
        .unwrap_err();
    assert!(error.is_validation(), "{error:?}");
}

pub(crate) async fn changed_or_garbage_cursors_are_refused(fx: Fixture) {
    create_records(&fx.table, "P", &["1", "2", "3"]).await;
    let query = Query::new("P").limit(1);
    let cursor = fx
        .table
        .query::<Record>(query.clone())
        .await
        .unwrap()
        .next_cursor
        .unwrap();

    let mut changed = cursor.clone().into_bytes();
    let middle = changed.len() / 2;
    changed[middle] = if changed[middle] == b'A' { b'B' } else { b'A' };
    let changed = String::from_utf8(changed).unwrap();
    for bad in [
        changed.as_str(),
        "",
        "garbage",
        "%%%",
        "AQID",
        "x".repeat(20_000).as_str(),
    ] {
        let error = fx
            .table
            .query::<Record>(query.clone().after(Some(bad.to_owned())))
            .await
            .unwrap_err();
        assert!(error.is_validation(), "{bad:?}: {error:?}");
    }
    let page = fx
        .table
        .query::<Record>(query.after(Some(cursor)))
        .await
        .unwrap();
    assert_eq!(sort_keys(&page.items), ["2"]);
}

pub(crate) async fn other_entity_types_are_skipped(fx: Fixture) {
    for (index, sk) in ["A#1", "A#5", "A#9"].into_iter().enumerate() {
        fx.table.create(Record::new("P", sk)).await.unwrap();
        for other in 0..6 {
            fx.table
                .create(Other::new("P", &format!("A#{}{other}", index * 4 + 2)))
                .await
                .unwrap();
        }
    }

    let forward = collect_pages(&fx, Query::new("P").sk_prefix("A#").limit(1)).await;
    assert_eq!(forward, [vec!["A#1"], vec!["A#5"], vec!["A#9"]]);
    let backward = collect_pages(&fx, Query::new("P").limit(2).descending()).await;
    assert_eq!(backward, [vec!["A#9", "A#5"], vec!["A#1"]]);
}

pub(crate) async fn unicode_sort_keys_order_by_bytes(fx: Fixture) {
    // UTF-8 byte order; UTF-16 order would put "ｱ" (U+FF71) after "😀" (U+1F600).
    create_records(&fx.table, "P", &["😀", "é", "z", "ｱ", "Z", "a", "e\u{301}"]).await;
    let by_bytes = ["Z", "a", "e\u{301}", "z", "é", "ｱ", "😀"];

    let page = fx.table.query::<Record>(Query::new("P")).await.unwrap();
    assert_eq!(sort_keys(&page.items), by_bytes);
    let pages = collect_pages(&fx, Query::new("P").limit(3).descending()).await;
    let descending: Vec<String> = pages.into_iter().flatten().collect();
    assert_eq!(descending, by_bytes.into_iter().rev().collect::<Vec<_>>());
}

pub(crate) async fn index_queries_page_in_index_order(fx: Fixture) {
    let dues = [
        ("a", "1", "2030-03"),
        ("b", "2", "2030-01"),
        ("a", "3", "2030-02"),
        ("c", "4", "2030-01"),
    ];
    for (list, id, due) in dues {
        fx.table
            .create(Todo::new(list, id, "t").due(due))
            .await
            .unwrap();
    }
    fx.table
        .create(Todo::new("a", "5", "no due date"))
        .await
        .unwrap();

    let mut seen = Vec::new();
    let mut cursor = None;
    loop {
        let query = Query::on_index("gsi1", "DUE").limit(3).after(cursor);
        let page = fx.table.query::<Todo>(query).await.unwrap();
        seen.extend(page.items.into_iter().map(|todo| todo.id));
        match page.next_cursor {
            Some(next) => cursor = Some(next),
            None => break,
        }
    }
    assert_eq!(
        seen,
        ["2", "4", "3", "1"],
        "the sparse index leaves out todo 5"
    );
    let january = Query::on_index("gsi1", "DUE")
        .sk(SortKey::BeginsWith("2030-01".into()))
        .descending();
    assert_eq!(
        ids(&fx.table.query::<Todo>(january).await.unwrap().items),
        ["4", "2"]
    );
}

pub(crate) async fn filters_and_projections_apply(fx: Fixture) {
    for (id, done) in [("1", false), ("2", true), ("3", false)] {
        let mut todo = Todo::new("home", id, &format!("title {id}"));
        todo.done = done;
        fx.table.create(todo).await.unwrap();
    }
    let open =
        Query::new("LIST#home").filter(Condition::equals("done", AttributeValue::Bool(false)));
    let page = fx.table.query::<Todo>(open.clone().limit(1)).await.unwrap();
    assert_eq!(ids(&page.items), ["1"]);
    let rest = fx
        .table
        .query::<Todo>(open.limit(1).after(page.next_cursor))
        .await
        .unwrap();
    assert_eq!((ids(&rest.items), rest.has_next_page()), (vec!["3"], false));

    #[derive(Debug, PartialEq, Deserialize)]
    struct Title {
        title: String,
        done: Option<bool>,
    }
    let titles = fx
        .table
        .query_as::<Todo, Title>(Query::new("LIST#home").project(["title"]))
        .await
        .unwrap();
    let first = &titles.items[0];
    assert_eq!((first.title.as_str(), first.done), ("title 1", None));
}

pub(crate) async fn invalid_queries_are_refused(fx: Fixture) {
    for limit in [0, 1001] {
        let error = fx
            .table
            .query::<Record>(Query::new("P").limit(limit))
            .await
            .unwrap_err();
        assert!(error.is_validation(), "{error:?}");
    }
    let refused = [
        Query::new(""),
        Query::on_index("gsi1", "P").consistent_read(),
        Query::new("P").sk(SortKey::Between("b".into(), "a".into())),
        Query::new("P").sk(SortKey::Equals(String::new())),
    ];
    for query in refused {
        let error = fx.table.query::<Record>(query.clone()).await.unwrap_err();
        assert!(error.is_validation(), "{query:?}: {error:?}");
    }
}

pub(crate) async fn empty_partition_gives_an_empty_page(fx: Fixture) {
    let page = fx
        .table
        .query::<Record>(Query::new("nothing here"))
        .await
        .unwrap();
    assert!(page.items.is_empty() && !page.has_next_page());
}

pub(crate) async fn backend_limit_applies_before_the_filter(fx: Fixture) {
    fx.table.create(Other::new("P", "1")).await.unwrap();
    fx.table.create(Record::new("P", "2")).await.unwrap();
    fx.table.create(Other::new("P", "3")).await.unwrap();
    fx.table.create(Record::new("P", "4")).await.unwrap();

    let mut request = QueryRequest::new("P", 1);
    request.filter = Some(Condition::type_is("Record"));
    let output = fx.table.backend().query(request.clone()).await.unwrap();
    assert!(output.items.is_empty());
    assert_eq!(
        output.last_evaluated_key,
        Some(Key::new("P", "1").to_item())
    );

    request.limit = 2;
    request.exclusive_start = output.last_evaluated_key;
    let output = fx.table.backend().query(request).await.unwrap();
    assert_eq!(output.items.len(), 1);
    assert_eq!(
        output.last_evaluated_key,
        Some(Key::new("P", "3").to_item())
    );
}

pub(crate) async fn collections_read_several_types_in_one_query(fx: Fixture) {
    fx.table.create(List::new("home", "Home")).await.unwrap();
    for id in ["1", "2"] {
        fx.table.create(Todo::new("home", id, "t")).await.unwrap();
    }
    fx.table
        .create(Record::new("LIST#home", "ZZZ"))
        .await
        .unwrap();

    let page = fx
        .table
        .collection(Query::new("LIST#home"), &["List", "Todo"])
        .await
        .unwrap();
    assert_eq!(page.types().collect::<Vec<_>>(), ["List", "Todo", "Todo"]);
    let lists: Vec<List> = page.of().unwrap();
    let todos: Vec<Todo> = page.of().unwrap();
    assert_eq!(
        (lists[0].name.as_str(), ids(&todos)),
        ("Home", vec!["1", "2"])
    );
    let first = fx
        .table
        .collection(Query::new("LIST#home").limit(2), &["List", "Todo"])
        .await
        .unwrap();
    let rest = fx
        .table
        .collection(
            Query::new("LIST#home").limit(2).after(first.next_cursor),
            &["List", "Todo"],
        )
        .await
        .unwrap();
    assert_eq!((rest.items.len(), rest.has_next_page()), (1, false));
}

pub(crate) async fn scans_page_and_split_into_segments(fx: Fixture) {
    for pk in 0..30 {
        create_records(&fx.table, &format!("P{pk}"), &["a", "b"]).await;
    }
    fx.table.create(Other::new("P0", "c")).await.unwrap();

    let mut all: Vec<(String, String)> = fx
        .table
        .parallel_scan::<Record>(4)
        .await
        .unwrap()
        .into_iter()
        .map(|record| (record.pk, record.sk))
        .collect();
    all.sort();
    let before = all.len();
    all.dedup();
    assert_eq!((before, all.len()), (60, 60));

    let first = fx
        .table
        .scan::<Record>(Scan::new().segment(1, 3).limit(5))
        .await
        .unwrap();
    let second = fx
        .table
        .scan::<Record>(
            Scan::new()
                .segment(1, 3)
                .limit(5)
                .after(first.next_cursor.clone()),
        )
        .await
        .unwrap();
    assert!(first.items.iter().all(|one| !second.items.contains(one)));
    let error = fx
        .table
        .scan::<Record>(Scan::new().segment(2, 3).after(first.next_cursor))
        .await
        .unwrap_err();
    assert!(
        error.is_validation(),
        "a cursor of another segment: {error:?}"
    );
}

/// The sort keys of every page of a query, following cursors until there is none.
///
/// Every page but the last has a cursor, so an inexact `hasNextPage` shows as an extra, empty
/// page at the end.
async fn collect_pages(fx: &Fixture, query: Query) -> Vec<Vec<String>> {
    let mut pages = Vec::new();
    let mut cursor = None;
    loop {
        let page = fx
            .table
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
