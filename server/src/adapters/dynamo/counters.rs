//! [`CounterStore`] on DynamoDB: one `UpdateItem` with `if_not_exists(...) + :one`.

use async_trait::async_trait;
use aws_sdk_dynamodb::{Client, types::ReturnValue};

use super::{number, text};
use crate::ports::{CounterStore, StoreError};

/// [`CounterStore`] on a table keyed by the string attribute `name`, one item per counter.
#[derive(Clone)]
pub struct DynamoCounterStore {
    client: Client,
    table: String,
}

impl DynamoCounterStore {
    /// Counts in `table` through `client`.
    pub fn new(client: Client, table: impl Into<String>) -> Self {
        Self {
            client,
            table: table.into(),
        }
    }
}

#[async_trait]
impl CounterStore for DynamoCounterStore {
    async fn increment(&self, counter: &str) -> Result<u64, StoreError> {
        let output = self
            .client
            .update_item()
            .table_name(&self.table)
            .key("name", text(counter))
            .update_expression("SET #value = if_not_exists(#value, :zero) + :one")
            .expression_attribute_names("#value", "value")
            .expression_attribute_values(":zero", number(0))
            .expression_attribute_values(":one", number(1))
            .return_values(ReturnValue::UpdatedNew)
            .send()
            .await
            .map_err(StoreError::unavailable)?;
        let value = output
            .attributes()
            .and_then(|attributes| attributes.get("value"))
            .and_then(|value| value.as_n().ok())
            .ok_or_else(|| StoreError::Corrupt("counter update returned no value".into()))?;
        value
            .parse()
            .map_err(|_| StoreError::Corrupt(format!("counter value {value:?} is not a count")))
    }
}
