//! Live delivery on AWS. Browsers hold API Gateway WebSocket connections; `$connect` and
//! `$disconnect` record them in the live table, and a push posts to each of a person's
//! connections through the API Gateway Management API, forgetting those that answer 410
//! Gone. Tickets live in the same table, since the instance that issues one is rarely the one
//! that sees the socket open.
//!
//! Items (`pk`, `sk`), each with `expiresAt` in epoch seconds for DynamoDB's TTL:
//! - `TICKET#<ticket>` / `TICKET`: `sub`, `username`, `expiresAtMs`.
//! - `CONN#<id>` / `CONN`: `sub` — finds the person when a connection closes.
//! - `USER#<sub>` / `CONN#<id>` — a person's connections, one `Query`.

use std::collections::HashMap;

use app::services::Caller;
use async_trait::async_trait;
use aws_sdk_apigatewaymanagement::{
    Client as ManagementClient, operation::post_to_connection::PostToConnectionError,
    primitives::Blob,
};
use aws_sdk_dynamodb::{
    Client,
    operation::delete_item::DeleteItemError,
    types::{AttributeValue, Delete, Put, ReturnValue, TransactWriteItem},
};

use crate::ports::{ConnectionRegistry, LiveDelivery, SocketTickets, StoreError};

type Item = HashMap<String, AttributeValue>;

fn text(value: impl Into<String>) -> AttributeValue {
    AttributeValue::S(value.into())
}

fn number(value: impl ToString) -> AttributeValue {
    AttributeValue::N(value.to_string())
}

fn key(pk: String, sk: impl Into<String>) -> Item {
    HashMap::from([("pk".to_owned(), text(pk)), ("sk".to_owned(), text(sk))])
}

fn attribute<'a>(item: &'a Item, name: &str) -> Option<&'a str> {
    item.get(name)
        .and_then(|value| value.as_s().ok())
        .map(String::as_str)
}

/// TTL wants epoch seconds.
fn ttl(expires_at_ms: i64) -> AttributeValue {
    number(expires_at_ms.div_euclid(1000) + 1)
}

/// Connections in the live table, reached through the Management API.
#[derive(Clone)]
pub struct ApiGatewaySockets {
    table: String,
    dynamodb: Client,
    management: ManagementClient,
}

impl ApiGatewaySockets {
    /// Connections listed in `table`, posted to through `management` (whose endpoint is the
    /// WebSocket API's stage URL).
    pub fn new(dynamodb: Client, table: impl Into<String>, management: ManagementClient) -> Self {
        Self {
            table: table.into(),
            dynamodb,
            management,
        }
    }

    async fn connections_of(&self, sub: &str) -> Result<Vec<String>, StoreError> {
        let output = self
            .dynamodb
            .query()
            .table_name(&self.table)
            .key_condition_expression("pk = :pk AND begins_with(sk, :conn)")
            .expression_attribute_values(":pk", text(format!("USER#{sub}")))
            .expression_attribute_values(":conn", text("CONN#"))
            .send()
            .await
            .map_err(StoreError::unavailable)?;
        Ok(output
            .items()
            .iter()
            .filter_map(|item| {
                attribute(item, "sk")?
                    .strip_prefix("CONN#")
                    .map(str::to_owned)
            })
            .collect())
    }

    /// One transaction item deleting `key`.
    fn delete(&self, key: Item) -> Result<TransactWriteItem, StoreError> {
        let delete = Delete::builder()
            .table_name(&self.table)
            .set_key(Some(key))
            .build()
            .map_err(StoreError::unavailable)?;
        Ok(TransactWriteItem::builder().delete(delete).build())
    }

    /// One transaction item writing `item`, expiring at `expires_at_ms`.
    fn put(&self, mut item: Item, expires_at_ms: i64) -> Result<TransactWriteItem, StoreError> {
        item.insert("expiresAt".to_owned(), ttl(expires_at_ms));
        let put = Put::builder()
            .table_name(&self.table)
            .set_item(Some(item))
            .build()
            .map_err(StoreError::unavailable)?;
        Ok(TransactWriteItem::builder().put(put).build())
    }

    async fn forget(&self, connection_id: &str, sub: &str) -> Result<(), StoreError> {
        self.dynamodb
            .transact_write_items()
            .transact_items(self.delete(key(format!("CONN#{connection_id}"), "CONN"))?)
            .transact_items(
                self.delete(key(format!("USER#{sub}"), format!("CONN#{connection_id}")))?,
            )
            .send()
            .await
            .map_err(StoreError::unavailable)?;
        Ok(())
    }
}

#[async_trait]
impl LiveDelivery for ApiGatewaySockets {
    async fn push(&self, subs: &[String], payload: &str) -> Result<(), StoreError> {
        for sub in subs {
            for connection in self.connections_of(sub).await? {
                let posted = self
                    .management
                    .post_to_connection()
                    .connection_id(&connection)
                    .data(Blob::new(payload.as_bytes()))
                    .send()
                    .await;
                match posted {
                    Ok(_) => {}
                    Err(err)
                        if matches!(
                            err.as_service_error(),
                            Some(PostToConnectionError::GoneException(_))
                        ) =>
                    {
                        tracing::info!(%connection, "connection gone; forgetting it");
                        self.forget(&connection, sub).await?;
                    }
                    Err(err) => {
                        tracing::warn!(%connection, error = %crate::telemetry::error_chain(&err), "could not post to a connection");
                    }
                }
            }
        }
        Ok(())
    }
}

#[async_trait]
impl ConnectionRegistry for ApiGatewaySockets {
    async fn register(
        &self,
        connection_id: &str,
        sub: &str,
        expires_at_ms: i64,
    ) -> Result<(), StoreError> {
        let mut by_connection = key(format!("CONN#{connection_id}"), "CONN");
        by_connection.insert("sub".to_owned(), text(sub));
        let by_person = key(format!("USER#{sub}"), format!("CONN#{connection_id}"));
        self.dynamodb
            .transact_write_items()
            .transact_items(self.put(by_connection, expires_at_ms)?)
            .transact_items(self.put(by_person, expires_at_ms)?)
            .send()
            .await
            .map_err(StoreError::unavailable)?;
        Ok(())
    }

    async fn unregister(&self, connection_id: &str) -> Result<(), StoreError> {
        let found = self
            .dynamodb
            .get_item()
            .table_name(&self.table)
            .set_key(Some(key(format!("CONN#{connection_id}"), "CONN")))
            .consistent_read(true)
            .send()
            .await
            .map_err(StoreError::unavailable)?;
        match found.item().and_then(|item| attribute(item, "sub")) {
            Some(sub) => self.forget(connection_id, sub).await,
            None => Ok(()),
        }
    }
}

/// Tickets in the live table.
#[derive(Clone)]
pub struct DynamoTickets {
    table: String,
    dynamodb: Client,
}

impl DynamoTickets {
    /// Tickets in `table`.
    pub fn new(dynamodb: Client, table: impl Into<String>) -> Self {
        Self {
            table: table.into(),
            dynamodb,
        }
    }
}

#[async_trait]
impl SocketTickets for DynamoTickets {
    async fn issue(
        &self,
        ticket: &str,
        caller: &Caller,
        expires_at_ms: i64,
    ) -> Result<(), StoreError> {
        let mut item = key(format!("TICKET#{ticket}"), "TICKET");
        item.insert("sub".to_owned(), text(&caller.sub));
        item.insert("username".to_owned(), text(&caller.username));
        item.insert(
            "groups".to_owned(),
            AttributeValue::L(caller.groups.iter().map(text).collect()),
        );
        item.insert("expiresAtMs".to_owned(), number(expires_at_ms));
        item.insert("expiresAt".to_owned(), ttl(expires_at_ms));
        self.dynamodb
            .put_item()
            .table_name(&self.table)
            .set_item(Some(item))
            .condition_expression("attribute_not_exists(pk)")
            .send()
            .await
            .map_err(StoreError::unavailable)?;
        Ok(())
    }

    /// One `DeleteItem` both checks and uses the ticket, so two sockets can never share it.
    async fn redeem(&self, ticket: &str, now_ms: i64) -> Result<Option<Caller>, StoreError> {
        let deleted = self
            .dynamodb
            .delete_item()
            .table_name(&self.table)
            .set_key(Some(key(format!("TICKET#{ticket}"), "TICKET")))
            .condition_expression("attribute_exists(pk) AND expiresAtMs > :now")
            .expression_attribute_values(":now", number(now_ms))
            .return_values(ReturnValue::AllOld)
            .send()
            .await;
        match deleted {
            Ok(output) => {
                let item = output.attributes().cloned().unwrap_or_default();
                let caller = attribute(&item, "sub")
                    .zip(attribute(&item, "username"))
                    .map(|(sub, username)| Caller {
                        sub: sub.to_owned(),
                        username: username.to_owned(),
                        groups: item
                            .get("groups")
                            .and_then(|groups| groups.as_l().ok())
                            .map(|groups| {
                                groups
                                    .iter()
                                    .filter_map(|group| group.as_s().ok().cloned())
                                    .collect()
                            })
                            .unwrap_or_default(),
                    });
                caller
                    .ok_or_else(|| StoreError::Corrupt("a ticket without its caller".into()))
                    .map(Some)
            }
            Err(err)
                if matches!(
                    err.as_service_error(),
                    Some(DeleteItemError::ConditionalCheckFailedException(_))
                ) =>
            {
                Ok(None)
            }
            Err(err) => Err(StoreError::unavailable(err)),
        }
    }
}
