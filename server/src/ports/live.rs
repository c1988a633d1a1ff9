//! Live delivery of chat events to open sockets, and the single-use tickets that open them.

use std::time::Duration;

use app::services::Caller;
use async_trait::async_trait;
use tokio::sync::mpsc;

use super::StoreError;

/// How long a socket ticket stays valid.
pub const TICKET_LIFETIME: Duration = Duration::from_secs(30);

/// Pushes events to people's open sockets: in-process sockets on the embedded default,
/// API Gateway WebSocket connections on AWS.
#[async_trait]
pub trait LiveDelivery: Send + Sync {
    /// Sends `payload` to every open socket of each of `subs`. Sockets found closed are
    /// forgotten; a person with none receives nothing (they will read it on their next
    /// load). Delivery is best-effort: the message is already stored.
    async fn push(&self, subs: &[String], payload: &str) -> Result<(), StoreError>;
}

/// The edge and the chat service share one registry of sockets.
#[async_trait]
impl<T: LiveDelivery + ?Sized> LiveDelivery for std::sync::Arc<T> {
    async fn push(&self, subs: &[String], payload: &str) -> Result<(), StoreError> {
        (**self).push(subs, payload).await
    }
}

/// Single-use tickets that admit one socket: issued to a caller after a bearer-token call,
/// redeemed once within [`TICKET_LIFETIME`] when the socket opens, so a long-lived token
/// never travels in a URL (URLs end up in logs).
#[async_trait]
pub trait SocketTickets: Send + Sync {
    /// Stores `ticket` for `caller` until `expires_at_ms`.
    async fn issue(
        &self,
        ticket: &str,
        caller: &Caller,
        expires_at_ms: i64,
    ) -> Result<(), StoreError>;
    /// The caller `ticket` was issued to, if it exists, is unused and has not expired at
    /// `now_ms`; it is used up either way.
    async fn redeem(&self, ticket: &str, now_ms: i64) -> Result<Option<Caller>, StoreError>;
}

/// One open in-process socket's stream of payloads; dropping it closes the socket's place.
pub struct Subscription {
    /// Payloads for this socket, in order.
    pub events: mpsc::Receiver<String>,
}

/// The embedded default's sockets live in this process: the HTTP edge attaches each
/// upgraded WebSocket here.
pub trait SocketHub: Send + Sync {
    /// Registers a socket for `sub`.
    fn attach(&self, sub: &str) -> Subscription;
}

/// API Gateway WebSocket connections, as `$connect` and `$disconnect` report them.
#[async_trait]
pub trait ConnectionRegistry: Send + Sync {
    /// `connection_id` belongs to `sub` until it disconnects or `expires_at_ms`.
    async fn register(
        &self,
        connection_id: &str,
        sub: &str,
        expires_at_ms: i64,
    ) -> Result<(), StoreError>;
    /// The connection closed.
    async fn unregister(&self, connection_id: &str) -> Result<(), StoreError>;
}
