//! DynamoDB adapters. Every rule that matters under concurrency is in the write itself (an
//! update expression or a condition), never in a read before it.

mod chat;
mod counters;
mod posts;

pub use chat::{DynamoChatStore, MEMBER_ROOMS_INDEX};
pub use counters::DynamoCounterStore;
pub use posts::{DynamoPostStore, FEED_INDEX};

use aws_sdk_dynamodb::types::AttributeValue;

/// A number attribute (DynamoDB sends numbers as decimal strings).
fn number(value: impl ToString) -> AttributeValue {
    AttributeValue::N(value.to_string())
}

/// A string attribute.
fn text(value: impl Into<String>) -> AttributeValue {
    AttributeValue::S(value.into())
}
