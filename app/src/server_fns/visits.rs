//! The home page's visit counter.

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
