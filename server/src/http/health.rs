//! `GET /api/health`: proves the process answers, and which build and mode it runs.

use app::dto::HealthResponse;
use axum::{Json, extract::State};
use utoipa_axum::{router::OpenApiRouter, routes};

use super::AppState;

/// The health route.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(health))
}

/// Answers without touching any dependency, so a slow database cannot fail a health probe.
#[utoipa::path(get,
    path = "/api/health",
    operation_id = "health", tag = "service",
    responses((status = 200, description = "The process answers.", body = HealthResponse)),
)]
async fn health(State(state): State<AppState>) -> Json<HealthResponse> {
    Json(HealthResponse {
        status: "ok".into(),
        mode: state.mode.into(),
        version: env!("CARGO_PKG_VERSION").into(),
    })
}
