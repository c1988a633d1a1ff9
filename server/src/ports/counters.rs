//! Atomic named counters.

use async_trait::async_trait;

use super::StoreError;

/// Named counters that only go up, each step atomic: they number visits and posts, so two
/// concurrent callers never receive the same value.
#[async_trait]
pub trait CounterStore: Send + Sync {
    /// Adds one to `counter` (starting from zero) and returns the new value.
    async fn increment(&self, counter: &str) -> Result<u64, StoreError>;
}
