//! Single-item reads and writes: create, get, put, replace, update, patch, delete.

use serde_dynamo::AttributeValue;
use stack_dynamo::{Condition, Entity, Error, Key, Patch, Query};

use crate::support::{Fixture, Other, Record, Todo};

pub(crate) async fn create_then_get(fx: Fixture) {
    let todo = fx
        .table
        .create(Todo::new("home", "1", "Milk"))
        .await
        .unwrap();
    assert_eq!(todo.version, 1);
    assert!(!todo.created_at.is_empty() && todo.created_at == todo.updated_at);

    let stored: Option<Todo> = fx.table.get(&todo.key().unwrap()).await.unwrap();
    assert_eq!(stored, Some(todo));
    let missing: Option<Todo> = fx.table.get(&Todo::key_of("home", "2")).await.unwrap();
    assert_eq!(missing, None);
}

pub(crate) async fn create_on_a_taken_key_conflicts(fx: Fixture) {
    fx.table
        .create(Todo::new("home", "1", "Milk"))
        .await
        .unwrap();

    let error = fx
        .table
        .create(Todo::new("home", "1", "Eggs"))
        .await
        .unwrap_err();
    assert!(
        error.is_conflict() && error.is_condition_failed(),
        "{error:?}"
    );
    let stored: Todo = fx
        .table
        .get(&Todo::key_of("home", "1"))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.title, "Milk");
}

pub(crate) async fn put_keeps_created_at_and_moves_updated_at(fx: Fixture) {
    let first = fx.table.put(Todo::new("home", "1", "Milk")).await.unwrap();
    fx.clock.advance(std::time::Duration::from_secs(90));

    let second = fx
        .table
        .put(Todo::new("home", "1", "Oat milk"))
        .await
        .unwrap();
    assert_eq!((second.version, second.title.as_str()), (2, "Oat milk"));
    assert_eq!(second.created_at, first.created_at);
    assert!(second.updated_at > first.updated_at, "{second:?}");
}

pub(crate) async fn replace_checks_the_version(fx: Fixture) {
    let todo = fx
        .table
        .create(Todo::new("home", "1", "Milk"))
        .await
        .unwrap();
    let mut changed = todo.clone();
    changed.title = "Oat milk".into();

    let replaced = fx.table.replace(changed.clone(), 1).await.unwrap();
    assert_eq!(
        (replaced.version, replaced.created_at),
        (2, todo.created_at)
    );
    let error = fx.table.replace(changed.clone(), 1).await.unwrap_err();
    assert!(error.is_conflict(), "{error:?}");
    let missing = fx
        .table
        .replace(Todo::new("home", "9", "x"), 1)
        .await
        .unwrap_err();
    assert!(missing.is_not_found(), "{missing:?}");
}

pub(crate) async fn put_if_checks_the_condition(fx: Fixture) {
    let open = || Condition::NotExists.or(Condition::equals("done", AttributeValue::Bool(false)));
    let mut todo = Todo::new("home", "1", "Milk");
    todo.done = true;
    fx.table.put_if(todo.clone(), open()).await.unwrap();

    todo.title = "Eggs".into();
    let error = fx.table.put_if(todo, open()).await.unwrap_err();
    assert!(error.is_conflict(), "{error:?}");
    let stored: Todo = fx
        .table
        .get(&Todo::key_of("home", "1"))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.title, "Milk");
}

pub(crate) async fn update_at_the_current_version_bumps_it(fx: Fixture) {
    let todo = fx
        .table
        .create(Todo::new("home", "1", "Milk"))
        .await
        .unwrap();

    let updated: Todo = fx
        .table
        .update(&todo.key().unwrap(), Some(1), retitle("Oat milk"))
        .await
        .unwrap();
    assert_eq!((updated.title.as_str(), updated.version), ("Oat milk", 2));
    let stored: Option<Todo> = fx.table.get(&todo.key().unwrap()).await.unwrap();
    assert_eq!(stored, Some(updated));
}

pub(crate) async fn update_at_a_stale_version_conflicts(fx: Fixture) {
    let key = Todo::key_of("home", "1");
    fx.table
        .create(Todo::new("home", "1", "Milk"))
        .await
        .unwrap();
    fx.table
        .update(&key, Some(1), retitle("Oat milk"))
        .await
        .unwrap();

    let error = fx
        .table
        .update(&key, Some(1), retitle("Soy milk"))
        .await
        .unwrap_err();
    assert!(error.is_conflict(), "{error:?}");
    let stored: Todo = fx.table.get(&key).await.unwrap().unwrap();
    assert_eq!((stored.title.as_str(), stored.version), ("Oat milk", 2));
}

pub(crate) async fn update_of_a_missing_item_is_not_found(fx: Fixture) {
    let key = Todo::key_of("home", "1");
    for expected_version in [Some(1), None] {
        let error = fx
            .table
            .update(&key, expected_version, retitle("Milk"))
            .await
            .unwrap_err();
        assert!(error.is_not_found(), "{error:?}");
    }
}

pub(crate) async fn update_refused_by_the_change_writes_nothing(fx: Fixture) {
    let todo = fx
        .table
        .create(Todo::new("home", "1", "Milk"))
        .await
        .unwrap();

    let refuse = |_: &mut Todo| Err(Error::validation("the title is too long"));
    let error = fx
        .table
        .update(&todo.key().unwrap(), None, refuse)
        .await
        .unwrap_err();
    assert!(error.is_validation(), "{error:?}");
    let stored: Todo = fx.table.get(&todo.key().unwrap()).await.unwrap().unwrap();
    assert_eq!(stored, todo);
}

pub(crate) async fn update_that_changes_the_key_is_refused(fx: Fixture) {
    fx.table
        .create(Todo::new("home", "1", "Milk"))
        .await
        .unwrap();

    let move_it = |todo: &mut Todo| {
        todo.id = "2".into();
        Ok(())
    };
    let error = fx
        .table
        .update(&Todo::key_of("home", "1"), None, move_it)
        .await
        .unwrap_err();
    assert!(error.is_validation(), "{error:?}");
    let moved: Option<Todo> = fx.table.get(&Todo::key_of("home", "2")).await.unwrap();
    assert_eq!(moved, None);
}

pub(crate) async fn patch_sets_removes_and_adds(fx: Fixture) {
    fx.table.create(Record::new("P", "S")).await.unwrap();
    fx.table
        .create(Todo::new("home", "1", "Milk").due("2030-01-01"))
        .await
        .unwrap();

    let counted = fx
        .table
        .patch(Patch::<Record>::new(Key::new("P", "S")).add("count", 5))
        .await
        .unwrap();
    assert_eq!((counted.count, counted.version), (5, 2));
    let patch = Patch::<Todo>::new(Todo::key_of("home", "1"))
        .set("title", "Oat milk")
        .remove("due")
        .expect_version(1);
    let todo = fx.table.patch(patch).await.unwrap();
    assert_eq!(
        (todo.title.as_str(), todo.due.as_deref(), todo.version),
        ("Oat milk", None, 2)
    );
}

pub(crate) async fn patch_checks_version_existence_and_key_fields(fx: Fixture) {
    let key = Todo::key_of("home", "1");
    let missing = fx
        .table
        .patch(Patch::<Todo>::new(key.clone()).set("title", "x"))
        .await
        .unwrap_err();
    assert!(missing.is_not_found(), "{missing:?}");

    fx.table
        .create(Todo::new("home", "1", "Milk"))
        .await
        .unwrap();
    let stale = Patch::<Todo>::new(key.clone())
        .set("title", "x")
        .expect_version(7);
    let error = fx.table.patch(stale).await.unwrap_err();
    assert!(
        error.is_conflict() && error.to_string().contains("version 1"),
        "{error:?}"
    );
    let key_field = fx
        .table
        .patch(Patch::<Todo>::new(key.clone()).set("id", "2"))
        .await
        .unwrap_err();
    assert!(
        key_field.is_conflict(),
        "a key field cannot change: {key_field:?}"
    );
    let removed = fx
        .table
        .patch(Patch::<Todo>::new(key.clone()).remove("list"))
        .await
        .unwrap_err();
    assert!(removed.is_validation(), "{removed:?}");
    let incomplete = fx
        .table
        .patch(Patch::<Todo>::new(key).set("done", true))
        .await
        .unwrap_err();
    assert!(
        incomplete.is_validation() && incomplete.to_string().contains("`list`"),
        "{incomplete}"
    );
}

pub(crate) async fn patch_recomputes_index_keys(fx: Fixture) {
    fx.table
        .create(Todo::new("home", "1", "Milk").due("2030-02-01"))
        .await
        .unwrap();
    fx.table
        .create(Todo::new("home", "2", "Eggs").due("2030-01-01"))
        .await
        .unwrap();

    let due = |prefix: &str| {
        Query::on_index("gsi1", "DUE").sk(stack_dynamo::SortKey::BeginsWith(prefix.into()))
    };
    let patch = Patch::<Todo>::new(Todo::key_of("home", "1"))
        .set("due", "2029-12-31")
        .set("id", "1");
    fx.table.patch(patch).await.unwrap();
    let patch = Patch::<Todo>::new(Todo::key_of("home", "1"))
        .set("done", true)
        .set("list", "home")
        .set("id", "1");
    fx.table.patch(patch).await.unwrap();

    let open = fx
        .table
        .query::<Todo>(Query::on_index("gsi2", "LIST#home#DONE#false"))
        .await
        .unwrap();
    let done = fx
        .table
        .query::<Todo>(Query::on_index("gsi2", "LIST#home#DONE#true"))
        .await
        .unwrap();
    assert_eq!(ids(&open.items), ["2"]);
    assert_eq!(ids(&done.items), ["1"]);
    let all_due = fx.table.query::<Todo>(due("20")).await.unwrap();
    assert_eq!(
        ids(&all_due.items),
        ["1", "2"],
        "todo 1 moved before todo 2"
    );
    assert!(
        fx.table
            .query::<Todo>(due("2030-02"))
            .await
            .unwrap()
            .items
            .is_empty()
    );
}

pub(crate) async fn delete_reports_whether_there_was_an_item(fx: Fixture) {
    let key = Todo::key_of("home", "1");
    fx.table
        .create(Todo::new("home", "1", "Milk"))
        .await
        .unwrap();

    assert!(fx.table.delete::<Todo>(&key).await.unwrap());
    assert_eq!(fx.table.get::<Todo>(&key).await.unwrap(), None);
    assert!(!fx.table.delete::<Todo>(&key).await.unwrap());
}

pub(crate) async fn delete_at_a_version_checks_it(fx: Fixture) {
    let key = Todo::key_of("home", "1");
    fx.table
        .create(Todo::new("home", "1", "Milk"))
        .await
        .unwrap();
    fx.table
        .update(&key, Some(1), retitle("Oat milk"))
        .await
        .unwrap();

    let error = fx
        .table
        .delete_if_version::<Todo>(&key, 1)
        .await
        .unwrap_err();
    assert!(error.is_conflict(), "{error:?}");
    assert!(fx.table.delete_if_version::<Todo>(&key, 2).await.unwrap());
    assert!(!fx.table.delete_if_version::<Todo>(&key, 2).await.unwrap());
}

pub(crate) async fn delete_if_checks_the_condition(fx: Fixture) {
    let key = Todo::key_of("home", "1");
    fx.table
        .create(Todo::new("home", "1", "Milk"))
        .await
        .unwrap();
    let done = || Condition::equals("done", AttributeValue::Bool(true));

    let error = fx.table.delete_if::<Todo>(&key, done()).await.unwrap_err();
    assert!(error.is_conflict(), "{error:?}");
    let not_done = done().not();
    assert!(fx.table.delete_if::<Todo>(&key, not_done).await.unwrap());
}

pub(crate) async fn delete_of_another_type_conflicts(fx: Fixture) {
    fx.table.create(Record::new("P", "S")).await.unwrap();

    let error = fx
        .table
        .delete::<Other>(&Key::new("P", "S"))
        .await
        .unwrap_err();
    assert!(error.is_conflict(), "{error:?}");
    assert!(
        fx.table
            .get::<Record>(&Key::new("P", "S"))
            .await
            .unwrap()
            .is_some()
    );
}

pub(crate) async fn get_of_another_type_is_refused(fx: Fixture) {
    fx.table.create(Record::new("P", "S")).await.unwrap();
    assert!(fx.table.get::<Other>(&Key::new("P", "S")).await.is_err());
}

pub(crate) async fn keys_preserve_case(fx: Fixture) {
    fx.table.create(Todo::new("Home", "A", "x")).await.unwrap();
    fx.table.create(Todo::new("home", "a", "y")).await.unwrap();

    let upper: Todo = fx
        .table
        .get(&Todo::key_of("Home", "A"))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(upper.title, "x");
    assert!(
        fx.table
            .get::<Todo>(&Todo::key_of("HOME", "A"))
            .await
            .unwrap()
            .is_none()
    );
    let stored = fx
        .table
        .backend()
        .get_item(&Key::new("LIST#Home", "TODO#A"))
        .await
        .unwrap();
    assert!(stored.is_some(), "the key is stored exactly as computed");
}

pub(crate) async fn concurrent_updates_lose_nothing(fx: Fixture) {
    const TASKS: u64 = 8;
    const INCREMENTS: u64 = 10;
    let counter = fx
        .table
        .create(Record::new("COUNTER", "hits"))
        .await
        .unwrap();
    let key = counter.key().unwrap();

    let tasks =
        (0..TASKS).map(|_| tokio::spawn(increment(fx.table.clone(), key.clone(), INCREMENTS)));
    for task in tasks.collect::<Vec<_>>() {
        task.await.unwrap();
    }
    let stored: Record = fx.table.get(&key).await.unwrap().unwrap();
    assert_eq!(
        (stored.count, stored.version),
        (TASKS * INCREMENTS, TASKS * INCREMENTS + 1)
    );
}

pub(crate) async fn concurrent_patches_add_atomically(fx: Fixture) {
    const WRITERS: u64 = 40;
    fx.table
        .create(Record::new("COUNTER", "adds"))
        .await
        .unwrap();
    let key = Key::new("COUNTER", "adds");

    let add_one = |table: stack_dynamo::Table, key: Key| async move {
        table
            .patch(Patch::<Record>::new(key).add("count", 1))
            .await
            .unwrap()
    };
    let tasks: Vec<_> = (0..WRITERS)
        .map(|_| tokio::spawn(add_one(fx.table.clone(), key.clone())))
        .collect();
    for task in tasks {
        task.await.unwrap();
    }
    let stored: Record = fx.table.get(&key).await.unwrap().unwrap();
    assert_eq!((stored.count, stored.version), (WRITERS, WRITERS + 1));
}

pub(crate) async fn invalid_input_is_refused(fx: Fixture) {
    let error = fx
        .table
        .get::<Record>(&Key::new("", "S"))
        .await
        .unwrap_err();
    assert!(error.is_validation(), "{error:?}");
    let error = fx
        .table
        .create(Record::new("P", &"s".repeat(1025)))
        .await
        .unwrap_err();
    assert!(error.is_validation(), "{error:?}");
}

pub(crate) async fn backend_writes_check_conditions(fx: Fixture) {
    let backend = fx.table.backend();
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

pub(crate) async fn backend_update_adds_and_compares_numbers(fx: Fixture) {
    let backend = fx.table.backend();
    let key = Key::new("P", "S");
    let add = |n: &str| stack_dynamo::Update::new().add("n", AttributeValue::N(n.into()));
    backend.update_item(&key, add("9"), None).await.unwrap();

    let over = |n: &str| {
        Condition::compare(
            "n",
            stack_dynamo::Comparison::Greater,
            AttributeValue::N(n.into()),
        )
    };
    let item = backend
        .update_item(&key, add("1"), Some(over("8")))
        .await
        .unwrap();
    assert_eq!(item["n"], AttributeValue::N("10".into()));
    let error = backend
        .update_item(&key, add("1"), Some(over("10")))
        .await
        .unwrap_err();
    assert!(
        error.is_condition_failed(),
        "numbers compare by value, not text: {error:?}"
    );
}

/// A change that sets a todo's title.
pub(crate) fn retitle(title: &str) -> impl FnMut(&mut Todo) -> Result<(), Error> + Send + use<> {
    let title = title.to_owned();
    move |todo| {
        todo.title.clone_from(&title);
        Ok(())
    }
}

pub(crate) fn ids(todos: &[Todo]) -> Vec<&str> {
    todos.iter().map(|todo| todo.id.as_str()).collect()
}

/// Adds one to a record's count `times` times, each time without an expected version.
///
/// Under this much contention on one item an update may run out of attempts; it then fails
/// with a conflict and writes nothing, so the caller tries again.
async fn increment(table: stack_dynamo::Table, key: Key, times: u64) {
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
