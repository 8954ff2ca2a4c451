//! Conversions between our values and the SDK's, and from SDK errors to ours.

use std::collections::HashMap;

use aws_sdk_dynamodb::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_dynamodb::primitives::Blob;
use aws_sdk_dynamodb::types::AttributeValue as AwsValue;
use serde_dynamo::{AttributeValue, Item};

use crate::{Error, Key};

/// DynamoDB error codes that mean "slow down".
const THROTTLING_CODES: [&str; 3] = [
    "ProvisionedThroughputExceededException",
    "ThrottlingException",
    "RequestLimitExceeded",
];

/// DynamoDB error codes for a failure on the service's side.
const UNAVAILABLE_CODES: [&str; 2] = ["InternalServerError", "ServiceUnavailable"];

/// An item in the SDK's form.
pub(super) fn item_to_aws(item: Item) -> HashMap<String, AwsValue> {
    HashMap::from(item)
}

/// An item from the SDK's form.
///
/// Written here rather than taken from serde_dynamo, whose conversion panics on an attribute
/// type added to the SDK after it was released.
pub(super) fn item_from_aws(attributes: HashMap<String, AwsValue>) -> Result<Item, Error> {
    let attributes = attributes
        .into_iter()
        .map(|(name, value)| Ok((name, value_from_aws(value)?)));
    attributes
        .collect::<Result<HashMap<_, _>, Error>>()
        .map(Item::from)
}

/// A key from the SDK's form.
pub(super) fn key_from_aws(attributes: HashMap<String, AwsValue>) -> Result<Key, Error> {
    Key::from_item(&item_from_aws(attributes)?)
}

/// A key in the SDK's form.
pub(super) fn key_to_aws(key: &Key) -> HashMap<String, AwsValue> {
    item_to_aws(key.to_item())
}

/// Records the capacity a call consumed on the current span (the backend call's span).
pub(super) fn record_capacity<'a>(
    consumed: impl IntoIterator<Item = &'a aws_sdk_dynamodb::types::ConsumedCapacity>,
) {
    let units: f64 = consumed
        .into_iter()
        .filter_map(aws_sdk_dynamodb::types::ConsumedCapacity::capacity_units)
        .sum();
    tracing::Span::current().record("aws.dynamodb.consumed_capacity", units);
}

fn value_from_aws(value: AwsValue) -> Result<AttributeValue, Error> {
    let value = match value {
        AwsValue::S(text) => AttributeValue::S(text),
        AwsValue::N(number) => AttributeValue::N(number),
        AwsValue::Bool(flag) => AttributeValue::Bool(flag),
        AwsValue::Null(null) => AttributeValue::Null(null),
        AwsValue::B(blob) => AttributeValue::B(blob.into_inner()),
        AwsValue::M(map) => AttributeValue::M(item_from_aws(map)?.into_inner()),
        AwsValue::L(list) => AttributeValue::L(
            list.into_iter()
                .map(value_from_aws)
                .collect::<Result<_, _>>()?,
        ),
        AwsValue::Ss(texts) => AttributeValue::Ss(texts),
        AwsValue::Ns(numbers) => AttributeValue::Ns(numbers),
        AwsValue::Bs(blobs) => {
            AttributeValue::Bs(blobs.into_iter().map(Blob::into_inner).collect())
        }
        _ => {
            return Err(Error::internal(
                "DynamoDB returned an attribute type this crate does not know",
            ));
        }
    };
    Ok(value)
}

/// Our error for a failed SDK call: conditions, throttling and outages get their own kinds.
pub(super) fn sdk_error<E>(operation: &str, error: SdkError<E>) -> Error
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    if matches!(
        error,
        SdkError::TimeoutError(_) | SdkError::DispatchFailure(_)
    ) {
        return Error::unavailable(operation, error);
    }
    match error.code() {
        Some("ConditionalCheckFailedException") => Error::condition_failed(),
        Some(code) if THROTTLING_CODES.contains(&code) => Error::throttled(error),
        Some(code) if UNAVAILABLE_CODES.contains(&code) => Error::unavailable(operation, error),
        // Our own checks catch what a caller can get wrong before a request is sent, so a
        // request DynamoDB refuses is our bug: its message (table and attribute details) is
        // logged with the chain, never shown to the caller.
        Some("ValidationException") => {
            Error::internal_from(format!("DynamoDB refused a {operation} request"), error)
        }
        _ => Error::internal_from(format!("DynamoDB {operation} failed"), error),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn every_value_type_round_trips_through_the_sdk_form() {
        let mut item = Key::new("P", "S").to_item();
        let nested = HashMap::from([("n".to_owned(), AttributeValue::N("1.5".into()))]);
        let values = [
            AttributeValue::Bool(true),
            AttributeValue::Null(true),
            AttributeValue::B(vec![0, 255]),
            AttributeValue::M(nested),
            AttributeValue::L(vec![AttributeValue::S("x".into())]),
            AttributeValue::Ss(vec!["a".into()]),
            AttributeValue::Ns(vec!["2".into()]),
            AttributeValue::Bs(vec![vec![1]]),
        ];
        for (index, value) in values.into_iter().enumerate() {
            item.insert(format!("a{index}"), value);
        }
        assert_eq!(item_from_aws(item_to_aws(item.clone())).unwrap(), item);
    }
}
