//! `GET /api/health`: proves the process answers, and which build and mode it runs.

use app::dto::HealthResponse;
use axum::{Json, extract::State};

use super::AppState;

/// Answers without touching any dependency, so a slow database cannot fail a health probe.
pub async fn health(State(state): State<AppState>) -> Json<HealthResponse> {
    Json(HealthResponse {
        status: "ok".into(),
        mode: state.mode.into(),
        version: env!("CARGO_PKG_VERSION").into(),
    })
}
