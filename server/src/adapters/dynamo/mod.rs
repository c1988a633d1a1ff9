//! DynamoDB adapters. Every rule that matters under concurrency is in the write itself (an
//! update expression or a condition), never in a read before it.

mod chat;
mod comments;
mod counters;
mod media;
mod posts;

pub use chat::{DynamoChatStore, MEMBER_ROOMS_INDEX};
pub use comments::DynamoCommentStore;
pub use counters::DynamoCounterStore;
pub use media::{DynamoMediaCatalog, UNATTACHED_INDEX};
pub use posts::{DynamoPostStore, FEED_INDEX};

use std::collections::HashMap;

use aws_sdk_dynamodb::{
    Client,
    error::SdkError,
    operation::{
        query::builders::QueryFluentBuilder,
        transact_write_items::TransactWriteItemsError,
        update_item::{UpdateItemError, builders::UpdateItemFluentBuilder},
    },
    types::{AttributeValue, KeysAndAttributes, ReturnValue, ReturnValuesOnConditionCheckFailure},
};

use crate::ports::StoreError;

/// An item as the SDK holds it.
type Item = HashMap<String, AttributeValue>;

/// A number attribute (DynamoDB sends numbers as decimal strings).
fn number(value: impl ToString) -> AttributeValue {
    AttributeValue::N(value.to_string())
}

/// A string attribute.
fn text(value: impl Into<String>) -> AttributeValue {
    AttributeValue::S(value.into())
}

/// The string attribute `name` of `item`, if it is one.
fn string_attribute<'a>(item: &'a Item, name: &str) -> Option<&'a str> {
    item.get(name)
        .and_then(|value| value.as_s().ok())
        .map(String::as_str)
}

/// The number attribute `name` of `item`, if it is one of type `T`.
fn number_attribute<T: std::str::FromStr>(item: &Item, name: &str) -> Option<T> {
    item.get(name)
        .and_then(|value| value.as_n().ok())
        .and_then(|value| value.parse().ok())
}

/// Every item `query` finds, following its pages.
async fn query_all(query: QueryFluentBuilder) -> Result<Vec<Item>, StoreError> {
    let mut items = Vec::new();
    let mut start = None;
    loop {
        let output = query
            .clone()
            .set_exclusive_start_key(start)
            .send()
            .await
            .map_err(StoreError::unavailable)?;
        items.extend(output.items.unwrap_or_default());
        start = output.last_evaluated_key;
        if start.is_none() {
            return Ok(items);
        }
    }
}

/// The item of `table` at `key`, read consistently.
async fn read_item(client: &Client, table: &str, key: Item) -> Result<Option<Item>, StoreError> {
    let output = client
        .get_item()
        .table_name(table)
        .set_key(Some(key))
        .consistent_read(true)
        .send()
        .await
        .map_err(StoreError::unavailable)?;
    Ok(output.item)
}

/// Sends a conditional `UpdateItem` that returns the item as it became, or, when its
/// condition refused it, the item as it was (`None` if there was none).
async fn conditional_update(
    request: UpdateItemFluentBuilder,
) -> Result<Result<Item, Option<Item>>, StoreError> {
    let sent = request
        .return_values(ReturnValue::AllNew)
        .return_values_on_condition_check_failure(ReturnValuesOnConditionCheckFailure::AllOld)
        .send()
        .await;
    match sent {
        Ok(output) => output
            .attributes
            .map(Ok)
            .ok_or_else(|| StoreError::Corrupt("an update returned no item".into())),
        Err(err) => match err.as_service_error() {
            Some(UpdateItemError::ConditionalCheckFailedException(refused)) => {
                Ok(Err(refused.item.clone()))
            }
            _ => Err(StoreError::unavailable(err)),
        },
    }
}

/// Which items of a cancelled transaction failed their condition, in request order.
fn failed_conditions<R>(err: &SdkError<TransactWriteItemsError, R>) -> Option<Vec<bool>> {
    match err.as_service_error() {
        Some(TransactWriteItemsError::TransactionCanceledException(cancelled)) => Some(
            cancelled
                .cancellation_reasons()
                .iter()
                .map(|reason| reason.code() == Some("ConditionalCheckFailed"))
                .collect(),
        ),
        _ => None,
    }
}

/// A short random pause before retrying a lost race, so racers spread out.
async fn back_off(attempt: u32) {
    let mut byte = [0u8; 1];
    let _ = aws_lc_rs::rand::fill(&mut byte);
    let millis = u64::from(byte[0] % 8) + u64::from(attempt.min(10));
    tokio::time::sleep(std::time::Duration::from_millis(millis)).await;
}

/// Items of `table` by key, consistently read, in batches of at most 100 keys (the API's
/// limit), asking again for whatever DynamoDB left unprocessed.
async fn batch_get(client: &Client, table: &str, keys: Vec<Item>) -> Result<Vec<Item>, StoreError> {
    let mut found = Vec::new();
    for chunk in keys.chunks(100) {
        let mut pending = Some(
            KeysAndAttributes::builder()
                .set_keys(Some(chunk.to_vec()))
                .consistent_read(true)
                .build()
                .map_err(StoreError::unavailable)?,
        );
        while let Some(request) = pending.take() {
            let output = client
                .batch_get_item()
                .request_items(table, request)
                .send()
                .await
                .map_err(StoreError::unavailable)?;
            if let Some(items) = output.responses.and_then(|mut r| r.remove(table)) {
                found.extend(items);
            }
            pending = output
                .unprocessed_keys
                .and_then(|mut unprocessed| unprocessed.remove(table));
        }
    }
    Ok(found)
}
