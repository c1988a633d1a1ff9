//! The interface server functions call, implemented by the server crate.
//!
//! It lives here because `#[server]` bodies are compiled in this crate, which cannot depend on
//! the server. The server puts an `Arc<dyn …>` of each trait into the Leptos context; REST
//! handlers call the same implementation, so both surfaces share every rule.

use std::sync::Arc;

use async_trait::async_trait;
use leptos::prelude::use_context;

use crate::error::AppError;

/// Counts visits to the board's home page.
#[async_trait]
pub trait VisitService: Send + Sync {
    /// Records one visit and returns the total so far, this one included.
    async fn record_visit(&self) -> Result<u64, AppError>;
}

/// Finds a service the server provided; its absence is a wiring bug, so it is logged and the
/// client only sees a generic error.
pub fn service<T: ?Sized + Send + Sync + 'static>() -> Result<Arc<T>, AppError> {
    use_context::<Arc<T>>().ok_or_else(|| {
        leptos::logging::error!(
            "service {} missing from the server function context",
            std::any::type_name::<T>()
        );
        AppError::internal()
    })
}
