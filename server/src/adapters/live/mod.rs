//! Live delivery adapters: in-process sockets and tickets for the embedded default, API
//! Gateway WebSocket connections (listed in DynamoDB, reached through the Management API)
//! and DynamoDB tickets for AWS.

mod apigw;
mod local;

pub use apigw::{ApiGatewaySockets, DynamoTickets};
pub use local::{LocalSockets, LocalTickets};
