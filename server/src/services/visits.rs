//! Visit counting: the smallest use case that crosses every layer.

use app::{error::AppError, services::VisitService};
use async_trait::async_trait;

use super::store_failed;
use crate::ports::CounterStore;

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
        self.store
            .increment(HOME_VISITS)
            .await
            .map_err(store_failed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::services::fakes::{Failing, InMemoryCounters};
    use app::error::ErrorCode;

    #[tokio::test]
    async fn each_visit_advances_the_count_by_one() {
        let visits = Visits::new(InMemoryCounters::default());
        assert_eq!(visits.record_visit().await.unwrap(), 1);
        assert_eq!(visits.record_visit().await.unwrap(), 2);
    }

    #[tokio::test]
    async fn a_store_failure_is_reported_as_unavailable_without_its_details() {
        let err = Visits::new(Failing::Unavailable)
            .record_visit()
            .await
            .unwrap_err();
        assert_eq!(err.code, ErrorCode::Unavailable);
        assert!(!err.error.contains("refused"));
    }

    #[tokio::test]
    async fn unreadable_stored_data_is_an_internal_error_not_a_retry() {
        let err = Visits::new(Failing::Corrupt)
            .record_visit()
            .await
            .unwrap_err();
        assert_eq!(err.code, ErrorCode::Internal);
    }
}
