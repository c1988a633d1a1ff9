//! Visit counting: the smallest use case that crosses every layer, and the pattern later
//! services follow.

use app::{error::AppError, services::VisitService};
use async_trait::async_trait;

use crate::{ports::CounterStore, telemetry::error_chain};

/// The counter that home-page visits advance.
const HOME_VISITS: &str = "home_visits";

/// Counts home-page visits in a [`CounterStore`].
pub struct Visits<S> {
    store: S,
}

impl<S: CounterStore> Visits<S> {
    /// Counts visits in `store`.
    pub fn new(store: S) -> Self {
        Self { store }
    }
}

#[async_trait]
impl<S: CounterStore> VisitService for Visits<S> {
    #[tracing::instrument(skip(self))]
    async fn record_visit(&self) -> Result<u64, AppError> {
        self.store.increment(HOME_VISITS).await.map_err(|err| {
            tracing::error!(error = %error_chain(&err), "could not record a visit");
            AppError::unavailable()
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ports::StoreError;
    use app::error::ErrorCode;
    use std::sync::atomic::{AtomicU64, Ordering};

    struct InMemoryCounter(AtomicU64);

    #[async_trait]
    impl CounterStore for InMemoryCounter {
        async fn increment(&self, _counter: &str) -> Result<u64, StoreError> {
            Ok(self.0.fetch_add(1, Ordering::SeqCst) + 1)
        }
    }

    struct BrokenStore;

    #[async_trait]
    impl CounterStore for BrokenStore {
        async fn increment(&self, _counter: &str) -> Result<u64, StoreError> {
            Err(StoreError::Unavailable("connection refused".into()))
        }
    }

    #[tokio::test]
    async fn each_visit_advances_the_count_by_one() {
        let visits = Visits::new(InMemoryCounter(AtomicU64::new(0)));
        assert_eq!(visits.record_visit().await.unwrap(), 1);
        assert_eq!(visits.record_visit().await.unwrap(), 2);
    }

    #[tokio::test]
    async fn a_store_failure_is_reported_as_unavailable_without_its_details() {
        let err = Visits::new(BrokenStore).record_visit().await.unwrap_err();
        assert_eq!(err.code, ErrorCode::Unavailable);
        assert!(!err.error.contains("refused"));
    }
}
