//! Batches and transactions on DynamoDB.

use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError;
use aws_sdk_dynamodb::types::{
    ConditionCheck, Delete, DeleteRequest, KeysAndAttributes, Put, PutRequest,
    ReturnConsumedCapacity, TransactWriteItem, Update as AwsUpdate,
    WriteRequest as AwsWriteRequest,
};

use super::AwsBackend;
use super::convert::{
    item_from_aws, item_to_aws, key_from_aws, key_to_aws, record_capacity, sdk_error,
};
use super::expression::Expressions;
use crate::backend::{
    BatchGetOutput, MAX_BATCH_GET, MAX_BATCH_WRITE, MAX_TRANSACTION_ITEMS, TransactItem,
    WriteRequest,
};
use crate::backend::{check_distinct_keys, check_update};
use crate::{CancellationReason, Error};

pub(super) async fn get(
    backend: &AwsBackend,
    keys: Vec<crate::Key>,
) -> Result<BatchGetOutput, Error> {
    let keys = check_distinct_keys(keys.into_iter().map(Ok), MAX_BATCH_GET, "batch get")?;
    let wanted = KeysAndAttributes::builder()
        .set_keys(Some(keys.iter().map(key_to_aws).collect()))
        .consistent_read(true)
        .build()
        .map_err(|error| Error::internal_from("invalid batch get", error))?;

    let output = backend
        .client
        .batch_get_item()
        .request_items(&backend.table_name, wanted)
        .return_consumed_capacity(ReturnConsumedCapacity::Total)
        .send()
        .await
        .map_err(|error| sdk_error("BatchGetItem", error))?;
    record_capacity(output.consumed_capacity());

    let mut responses = output.responses.unwrap_or_default();
    let items = responses.remove(&backend.table_name).unwrap_or_default();
    let mut unprocessed = output.unprocessed_keys.unwrap_or_default();
    let unprocessed = unprocessed
        .remove(&backend.table_name)
        .map(|keys| keys.keys)
        .unwrap_or_default();
    Ok(BatchGetOutput::new(
        items
            .into_iter()
            .map(item_from_aws)
            .collect::<Result<_, _>>()?,
        unprocessed
            .into_iter()
            .map(key_from_aws)
            .collect::<Result<_, _>>()?,
    ))
}

pub(super) async fn write(
    backend: &AwsBackend,
    writes: Vec<WriteRequest>,
) -> Result<Vec<WriteRequest>, Error> {
    check_distinct_keys(
        writes.iter().map(WriteRequest::key),
        MAX_BATCH_WRITE,
        "batch write",
    )?;
    let requests = writes
        .into_iter()
        .map(write_request)
        .collect::<Result<Vec<_>, _>>()?;

    let output = backend
        .client
        .batch_write_item()
        .request_items(&backend.table_name, requests)
        .return_consumed_capacity(ReturnConsumedCapacity::Total)
        .send()
        .await
        .map_err(|error| sdk_error("BatchWriteItem", error))?;
    record_capacity(output.consumed_capacity());

    let mut unprocessed = output.unprocessed_items.unwrap_or_default();
    let unprocessed = unprocessed.remove(&backend.table_name).unwrap_or_default();
    unprocessed.into_iter().map(write_from_aws).collect()
}

fn write_request(write: WriteRequest) -> Result<AwsWriteRequest, Error> {
    let invalid = |error| Error::internal_from("invalid batch write", error);
    let request = match write {
        WriteRequest::Put(item) => {
            let put = PutRequest::builder()
                .set_item(Some(item_to_aws(item)))
                .build();
            AwsWriteRequest::builder().put_request(put.map_err(invalid)?)
        }
        WriteRequest::Delete(key) => {
            let delete = DeleteRequest::builder()
                .set_key(Some(key_to_aws(&key)))
                .build();
            AwsWriteRequest::builder().delete_request(delete.map_err(invalid)?)
        }
    };
    Ok(request.build())
}

fn write_from_aws(request: AwsWriteRequest) -> Result<WriteRequest, Error> {
    match (request.put_request, request.delete_request) {
        (Some(put), _) => Ok(WriteRequest::Put(item_from_aws(put.item)?)),
        (None, Some(delete)) => Ok(WriteRequest::Delete(key_from_aws(delete.key)?)),
        (None, None) => Err(Error::internal(
            "DynamoDB returned an empty unprocessed write",
        )),
    }
}

pub(super) async fn transact(backend: &AwsBackend, items: Vec<TransactItem>) -> Result<(), Error> {
    check_distinct_keys(
        items.iter().map(TransactItem::key),
        MAX_TRANSACTION_ITEMS,
        "transaction",
    )?;
    let items = items
        .into_iter()
        .map(|item| transact_item(&backend.table_name, item))
        .collect::<Result<Vec<_>, _>>()?;

    let sent = backend
        .client
        .transact_write_items()
        .set_transact_items(Some(items))
        .return_consumed_capacity(ReturnConsumedCapacity::Total)
        .send()
        .await;
    match sent {
        Ok(output) => {
            record_capacity(output.consumed_capacity());
            Ok(())
        }
        Err(error) => Err(transact_error(error)),
    }
}

/// A cancelled transaction with its reasons; any other failure as usual.
fn transact_error(
    error: aws_sdk_dynamodb::error::SdkError<
        TransactWriteItemsError,
        aws_sdk_dynamodb::config::http::HttpResponse,
    >,
) -> Error {
    if let Some(TransactWriteItemsError::TransactionCanceledException(cancelled)) =
        error.as_service_error()
    {
        let reasons = cancelled
            .cancellation_reasons()
            .iter()
            .map(|reason| {
                let code = reason.code().unwrap_or(CancellationReason::NONE);
                CancellationReason::new(code, reason.message().map(str::to_owned))
            })
            .collect();
        return Error::transaction_cancelled(reasons);
    }
    sdk_error("TransactWriteItems", error)
}

/// One transaction item in the SDK's form, with its own placeholders.
fn transact_item(table: &str, item: TransactItem) -> Result<TransactWriteItem, Error> {
    let invalid = |error| Error::internal_from("invalid transaction item", error);
    let mut expressions = Expressions::default();
    let builder = TransactWriteItem::builder();
    let built = match item {
        TransactItem::Put { item, condition } => {
            let condition = condition.map(|condition| expressions.condition(&condition));
            let (names, values) = expressions.into_parts();
            let put = Put::builder()
                .table_name(table)
                .set_item(Some(item_to_aws(item)))
                .set_condition_expression(condition)
                .set_expression_attribute_names(names)
                .set_expression_attribute_values(values)
                .build();
            builder.put(put.map_err(invalid)?)
        }
        TransactItem::Update {
            key,
            update,
            condition,
        } => {
            check_update(&update)?;
            let update = expressions.update(&update);
            let condition = condition.map(|condition| expressions.condition(&condition));
            let (names, values) = expressions.into_parts();
            let update = AwsUpdate::builder()
                .table_name(table)
                .set_key(Some(key_to_aws(&key)))
                .update_expression(update)
                .set_condition_expression(condition)
                .set_expression_attribute_names(names)
                .set_expression_attribute_values(values)
                .build();
            builder.update(update.map_err(invalid)?)
        }
        TransactItem::Delete { key, condition } => {
            let condition = condition.map(|condition| expressions.condition(&condition));
            let (names, values) = expressions.into_parts();
            let delete = Delete::builder()
                .table_name(table)
                .set_key(Some(key_to_aws(&key)))
                .set_condition_expression(condition)
                .set_expression_attribute_names(names)
                .set_expression_attribute_values(values)
                .build();
            builder.delete(delete.map_err(invalid)?)
        }
        TransactItem::Check { key, condition } => {
            let condition = expressions.condition(&condition);
            let (names, values) = expressions.into_parts();
            let check = ConditionCheck::builder()
                .table_name(table)
                .set_key(Some(key_to_aws(&key)))
                .condition_expression(condition)
                .set_expression_attribute_names(names)
                .set_expression_attribute_values(values)
                .build();
            builder.condition_check(check.map_err(invalid)?)
        }
    };
    Ok(built.build())
}
