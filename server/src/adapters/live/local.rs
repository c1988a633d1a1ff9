//! The embedded default's sockets and tickets live in this process (one process serves
//! every browser), so plain maps behind mutexes are the whole store.

use std::{collections::HashMap, sync::Mutex};

use app::services::Caller;
use async_trait::async_trait;
use tokio::sync::mpsc;

use crate::ports::{
    LiveDelivery, SocketHub, SocketTickets, StoreError, Subscription, TICKET_LIFETIME,
};

/// Payloads buffered per socket before a slow reader starts missing them (it then catches
/// up by polling, as after any gap).
const SOCKET_BUFFER: usize = 64;

/// Open sockets by person.
#[derive(Default)]
pub struct LocalSockets {
    sockets: Mutex<HashMap<String, Vec<mpsc::Sender<String>>>>,
}

fn poisoned<T>(_: T) -> StoreError {
    StoreError::Corrupt("a socket registry lock was poisoned".into())
}

impl SocketHub for LocalSockets {
    fn attach(&self, sub: &str) -> Subscription {
        let (sender, events) = mpsc::channel(SOCKET_BUFFER);
        if let Ok(mut sockets) = self.sockets.lock() {
            sockets.entry(sub.to_owned()).or_default().push(sender);
        }
        Subscription { events }
    }
}

#[async_trait]
impl LiveDelivery for LocalSockets {
    async fn push(&self, subs: &[String], payload: &str) -> Result<(), StoreError> {
        let mut sockets = self.sockets.lock().map_err(poisoned)?;
        for sub in subs {
            if let Some(open) = sockets.get_mut(sub) {
                open.retain(|sender| match sender.try_send(payload.to_owned()) {
                    Ok(()) | Err(mpsc::error::TrySendError::Full(_)) => true,
                    Err(mpsc::error::TrySendError::Closed(_)) => false,
                });
                if open.is_empty() {
                    sockets.remove(sub);
                }
            }
        }
        Ok(())
    }
}

/// Tickets in memory: this process issues and redeems them all.
#[derive(Default)]
pub struct LocalTickets {
    tickets: Mutex<HashMap<String, (Caller, i64)>>,
}

#[async_trait]
impl SocketTickets for LocalTickets {
    async fn issue(
        &self,
        ticket: &str,
        caller: &Caller,
        expires_at_ms: i64,
    ) -> Result<(), StoreError> {
        let mut tickets = self.tickets.lock().map_err(poisoned)?;
        let issued_at_ms =
            expires_at_ms - i64::try_from(TICKET_LIFETIME.as_millis()).unwrap_or_default();
        tickets.retain(|_, (_, expires)| *expires > issued_at_ms);
        tickets.insert(ticket.to_owned(), (caller.clone(), expires_at_ms));
        Ok(())
    }

    async fn redeem(&self, ticket: &str, now_ms: i64) -> Result<Option<Caller>, StoreError> {
        let mut tickets = self.tickets.lock().map_err(poisoned)?;
        Ok(tickets
            .remove(ticket)
            .filter(|(_, expires)| *expires > now_ms)
            .map(|(caller, _)| caller))
    }
}
