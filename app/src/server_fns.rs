//! Leptos server functions: the SPA's typed calls into the service layer.
//!
//! Each is JSON-encoded (never the URL-encoded default, a CORS "simple" request) under a fixed
//! path below `/api/fn`, and its body only finds a service, calls it and returns its answer.

use leptos::prelude::*;
use server_fn::codec::Json;

use crate::{dto::VisitsResponse, error::AppError};

/// Records a visit to the home page and returns the running total.
#[server(prefix = "/api/fn", endpoint = "record_visit", input = Json)]
pub async fn record_visit() -> Result<VisitsResponse, AppError> {
    use crate::services::{VisitService, service};

    let visits = service::<dyn VisitService>()?.record_visit().await?;
    Ok(VisitsResponse { visits })
}
