//! API Gateway WebSocket API events. A browser opens its socket with a single-use ticket
//! (`?ticket=`, from `POST /api/chats/socket`): `$connect` redeems it and records the
//! connection as that person's; `$disconnect` forgets it; `$default` (anything the browser
//! sends) is acknowledged and ignored, since messages are sent through the API. The chat
//! service then reaches each person's connections through the Management API.

use serde_json::{Value, json};

use crate::{http::AppState, telemetry::error_chain};

/// How long a connection is remembered without a `$disconnect` (API Gateway closes every
/// connection after two hours).
const CONNECTION_LIFETIME_MS: i64 = 3 * 3600 * 1000;

/// What a WebSocket event asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SocketEvent {
    /// A browser opens a socket, presenting `ticket`.
    Connect {
        /// API Gateway's id for the connection.
        connection_id: String,
        /// The ticket from the query string, if any.
        ticket: Option<String>,
    },
    /// The socket closed.
    Disconnect {
        /// Which connection.
        connection_id: String,
    },
    /// The browser sent something.
    Message,
}

impl SocketEvent {
    /// The socket event in `event`, or `None` when it is not a WebSocket API event.
    pub fn from_event(event: &Value) -> Option<Self> {
        let context = event.get("requestContext")?;
        let kind = context.get("eventType")?.as_str()?;
        let connection_id = context.get("connectionId")?.as_str()?.to_owned();
        Some(match kind {
            "CONNECT" => Self::Connect {
                connection_id,
                ticket: event
                    .pointer("/queryStringParameters/ticket")
                    .and_then(Value::as_str)
                    .map(str::to_owned),
            },
            "DISCONNECT" => Self::Disconnect { connection_id },
            _ => Self::Message,
        })
    }
}

fn status(code: u16) -> Value {
    json!({ "statusCode": code })
}

/// Answers one WebSocket event: 200 lets a connection open, anything else refuses it.
pub async fn handle(state: &AppState, event: SocketEvent) -> Value {
    let Some(connections) = state.connections.as_ref() else {
        tracing::error!("a WebSocket event reached a server without a connection registry");
        return status(500);
    };
    match event {
        SocketEvent::Connect {
            connection_id,
            ticket,
        } => {
            let Some(ticket) = ticket else {
                return status(401);
            };
            let caller = match state.chat.open_socket(&ticket).await {
                Ok(caller) => caller,
                Err(err) => return status(err.code.status()),
            };
            let expires_at_ms = state.clock.now_ms() + CONNECTION_LIFETIME_MS;
            match connections
                .register(&connection_id, &caller.sub, expires_at_ms)
                .await
            {
                Ok(()) => status(200),
                Err(err) => {
                    tracing::error!(error = %error_chain(&err), "could not record a connection");
                    status(503)
                }
            }
        }
        SocketEvent::Disconnect { connection_id } => {
            if let Err(err) = connections.unregister(&connection_id).await {
                tracing::warn!(error = %error_chain(&err), "could not forget a connection");
            }
            status(200)
        }
        SocketEvent::Message => status(200),
    }
}
