//! The traits services need from storage and identity. Adapters implement them; one contract
//! test suite per trait runs against every adapter so they cannot drift apart.

use async_trait::async_trait;

/// Why a store call failed. Adapters keep the SDK or driver error as the source, for the log.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database could not be reached or refused the call; nothing was written.
    #[error("the store is unavailable")]
    Unavailable(#[source] Box<dyn std::error::Error + Send + Sync>),
    /// The store answered with data this build cannot read.
    #[error("the store returned unreadable data: {0}")]
    Corrupt(String),
}

/// Named counters that only go up, each step atomic: they number visits and, later, posts, so
/// two concurrent callers never receive the same value.
#[async_trait]
pub trait CounterStore: Send + Sync {
    /// Adds one to `counter` (starting from zero) and returns the new value.
    async fn increment(&self, counter: &str) -> Result<u64, StoreError>;
}
