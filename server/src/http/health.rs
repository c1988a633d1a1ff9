//! `GET /api/health`: proves the process answers, and which build and mode it runs.

use app::dto::HealthResponse;
use axum::{Json, Router, extract::State, routing::get};

use super::AppState;

/// The health route.
pub fn router() -> Router<AppState> {
    Router::new().route("/api/health", get(health))
}

/// Answers without touching any dependency, so a slow database cannot fail a health probe.
async fn health(State(state): State<AppState>) -> Json<HealthResponse> {
    Json(HealthResponse {
        status: "ok".into(),
        mode: state.mode.into(),
        version: env!("CARGO_PKG_VERSION").into(),
    })
}
