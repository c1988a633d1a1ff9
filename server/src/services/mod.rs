//! The rules, generic over ports; nothing here knows HTTP or an SDK. Each service implements
//! one of the service traits `app::services` declares, so the server functions and the REST
//! routes call the same code with the same typed inputs.
//!
//! Every service follows one convention: it is generic over the ports it needs (and a
//! [`Clock`](crate::ports::Clock) when time matters), and it maps port failures to
//! [`AppError`]s here, once: a dependency that failed is a 503 (nothing was written, a retry
//! is safe), unreadable stored data is a 500 (a retry will not help).

mod accounts;
mod chat;
mod comments;
#[cfg(test)]
mod fakes;
mod flags;
mod gates;
pub mod media;
mod paging;
mod posts;

pub use accounts::Accounts;
pub use chat::{ChatSettings, Chats};
pub use comments::Comments;
pub use flags::{FlagGate, Flags};
pub use gates::Gated;
pub use media::{Media, Pictures};
pub use posts::Posts;

use app::error::AppError;
use time::{OffsetDateTime, format_description::well_known::Rfc3339};

use crate::{ports::StoreError, telemetry::error_chain};

/// Milliseconds since the epoch as the RFC 3339 text every timestamp on the wire uses.
fn rfc3339(ms: i64) -> String {
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
        .ok()
        .and_then(|at| at.format(&Rfc3339).ok())
        .unwrap_or_default()
}

/// What a client sees when a store fails; the cause goes to the log only.
fn store_failed(err: StoreError) -> AppError {
    tracing::error!(error = %error_chain(&err), "store call failed");
    match err {
        StoreError::Unavailable(_) => AppError::unavailable(),
        StoreError::Corrupt(_) => AppError::internal(),
    }
}
