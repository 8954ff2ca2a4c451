//! Batches, transactions, expiry and idempotency records.

use std::time::Duration;

use serde_dynamo::AttributeValue;
use stack_dynamo::idempotency::{Begin, Idempotency};
use stack_dynamo::{BatchWrite, Condition, Entity, Key, Patch, Query, Transaction};

use crate::support::{Fixture, List, Record, Session, Todo, epoch_seconds};

pub(crate) async fn batches_go_beyond_the_api_limits(fx: Fixture) {
    let mut batch = BatchWrite::new();
    for index in 0..130 {
        batch = batch.put(Record::new("BATCH", &format!("{index:03}")));
    }
    fx.table.batch_write(batch).await.unwrap();

    let keys: Vec<Key> = (0..140)
        .map(|index| Key::new("BATCH", format!("{index:03}")))
        .collect();
    let records: Vec<Record> = fx.table.batch_get(&keys).await.unwrap();
    assert_eq!(records.len(), 130, "the ten missing keys are left out");
    assert!(
        records.windows(2).all(|pair| pair[0].sk < pair[1].sk),
        "in the order of the keys"
    );

    let deletes = (0..100).fold(BatchWrite::new(), |batch, index| {
        batch.delete(keys[index].clone())
    });
    fx.table.batch_write(deletes).await.unwrap();
    let left: Vec<Record> = fx.table.batch_get(&keys).await.unwrap();
    assert_eq!(left.len(), 30);
}

pub(crate) async fn a_batch_naming_a_key_twice_is_refused(fx: Fixture) {
    let batch = BatchWrite::new()
        .put(Record::new("P", "1"))
        .delete(Key::new("P", "1"));
    let error = fx.table.batch_write(batch).await.unwrap_err();
    assert!(error.is_validation(), "{error:?}");
}

pub(crate) async fn transactions_write_everything(fx: Fixture) {
    fx.table.create(List::new("home", "Home")).await.unwrap();
    fx.table.create(List::new("work", "Work")).await.unwrap();
    fx.table
        .create(Todo::new("home", "old", "Old"))
        .await
        .unwrap();

    let transaction = Transaction::new()
        .create(Todo::new("home", "1", "Milk"))
        .patch(Patch::<List>::new(List::key_of("home")).add("count", 1))
        .delete::<Todo>(Todo::key_of("home", "old"))
        .check(List::key_of("work"), Condition::Exists);
    fx.table.transact(transaction).await.unwrap();

    let list: List = fx.table.get(&List::key_of("home")).await.unwrap().unwrap();
    assert_eq!(list.count, 1);
    assert!(
        fx.table
            .get::<Todo>(&Todo::key_of("home", "1"))
            .await
            .unwrap()
            .is_some()
    );
    assert!(
        fx.table
            .get::<Todo>(&Todo::key_of("home", "old"))
            .await
            .unwrap()
            .is_none()
    );
}

pub(crate) async fn a_cancelled_transaction_says_which_item_failed(fx: Fixture) {
    fx.table.create(List::new("home", "Home")).await.unwrap();
    fx.table
        .create(Todo::new("home", "1", "Milk"))
        .await
        .unwrap();

    let transaction = Transaction::new()
        .patch(Patch::<List>::new(List::key_of("home")).add("count", 1))
        .create(Todo::new("home", "1", "Milk again"))
        .create(Todo::new("home", "2", "Eggs"));
    let error = fx.table.transact(transaction).await.unwrap_err();

    assert!(
        error.is_transaction_cancelled() && error.is_conflict(),
        "{error:?}"
    );
    let failed: Vec<bool> = error
        .cancellation_reasons()
        .iter()
        .map(stack_dynamo::CancellationReason::is_condition_failed)
        .collect();
    assert_eq!(failed, [false, true, false]);
    let list: List = fx.table.get(&List::key_of("home")).await.unwrap().unwrap();
    assert_eq!(list.count, 0, "nothing was written");
    assert!(
        fx.table
            .get::<Todo>(&Todo::key_of("home", "2"))
            .await
            .unwrap()
            .is_none()
    );
}

pub(crate) async fn transactions_over_the_limit_are_refused(fx: Fixture) {
    let too_many = (0..101).fold(Transaction::new(), |transaction, index| {
        transaction.create(Record::new("T", &index.to_string()))
    });
    let error = fx.table.transact(too_many).await.unwrap_err();
    assert!(error.is_validation(), "{error:?}");

    let hundred = (0..100).fold(Transaction::new(), |transaction, index| {
        transaction.create(Record::new("T", &index.to_string()))
    });
    fx.table.transact(hundred).await.unwrap();
    let twice = Transaction::new()
        .create(Record::new("U", "1"))
        .delete::<Record>(Key::new("U", "1"));
    assert!(fx.table.transact(twice).await.unwrap_err().is_validation());
}

pub(crate) async fn expired_items_are_never_returned(fx: Fixture) {
    let now = epoch_seconds(&fx.clock);
    for (id, expires) in [("old", now - 10), ("soon", now + 60), ("later", now + 3600)] {
        let session = Session {
            id: id.into(),
            expires,
        };
        fx.table.create(session).await.unwrap();
    }
    let key = |id: &str| Session::KEYS.key_of(&[("id", id)]).unwrap();
    let ttl = fx
        .table
        .backend()
        .get_item(&key("soon"))
        .await
        .unwrap()
        .unwrap()["ttl"]
        .clone();
    assert_eq!(ttl, AttributeValue::N((now + 60).to_string()));

    assert!(
        fx.table
            .get::<Session>(&key("old"))
            .await
            .unwrap()
            .is_none()
    );
    fx.clock.advance(Duration::from_secs(120));
    assert!(
        fx.table
            .get::<Session>(&key("soon"))
            .await
            .unwrap()
            .is_none()
    );
    let page = fx
        .table
        .query::<Session>(Query::new("SESSIONS"))
        .await
        .unwrap();
    let live: Vec<&str> = page
        .items
        .iter()
        .map(|session| session.id.as_str())
        .collect();
    assert_eq!(live, ["later"]);
    let batch: Vec<Session> = fx
        .table
        .batch_get(&[key("old"), key("soon"), key("later")])
        .await
        .unwrap();
    assert_eq!(batch.len(), 1);

    // An expired item that is not deleted yet is gone for writes too.
    let patch = stack_dynamo::Patch::<Session>::new(key("soon")).set("expires", now);
    assert!(fx.table.patch(patch).await.unwrap_err().is_not_found());
    let update = fx
        .table
        .update(&key("soon"), None, |_: &mut Session| Ok(()))
        .await;
    assert!(update.unwrap_err().is_not_found());
    let again = Session {
        id: "soon".into(),
        expires: now + 7200,
    };
    let created = fx.table.create(again).await.unwrap();
    assert_eq!(created.expires, now + 7200);
}

pub(crate) async fn idempotency_records_run_an_operation_once(fx: Fixture) {
    let records = Idempotency::new(fx.table.clone()).with_expiry(Duration::from_secs(600));
    let payload = serde_json::json!({ "amount": 42 });

    assert_eq!(records.begin("k1", &payload).await.unwrap(), Begin::Started);
    let busy = records.begin("k1", &payload).await.unwrap_err();
    assert!(busy.is_conflict(), "{busy:?}");
    records.complete("k1", &"receipt").await.unwrap();

    let repeat = records.begin("k1", &payload).await.unwrap();
    assert_eq!(
        repeat.result::<String>().unwrap().as_deref(),
        Some("receipt")
    );
    let other = serde_json::json!({ "amount": 43 });
    assert!(
        records
            .begin("k1", &other)
            .await
            .unwrap_err()
            .is_validation()
    );

    assert_eq!(records.begin("k2", &payload).await.unwrap(), Begin::Started);
    records.release("k2").await.unwrap();
    assert_eq!(
        records.begin("k2", &other).await.unwrap(),
        Begin::Started,
        "released keys are free"
    );

    fx.clock.advance(Duration::from_secs(601));
    assert_eq!(
        records.begin("k1", &other).await.unwrap(),
        Begin::Started,
        "expired keys are free"
    );
}

pub(crate) async fn abandoned_idempotency_records_can_be_taken_over(fx: Fixture) {
    let records =
        Idempotency::new(fx.table.clone()).with_in_progress_timeout(Duration::from_secs(30));
    let payload = "order-1";
    assert_eq!(records.begin("k", &payload).await.unwrap(), Begin::Started);

    fx.clock.advance(Duration::from_secs(31));
    assert_eq!(records.begin("k", &payload).await.unwrap(), Begin::Started);
}
