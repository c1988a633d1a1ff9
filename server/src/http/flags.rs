//! `GET /api/flags`: the feature flags as they apply to the caller (a visitor too).

use axum::{Json, Router, extract::State, response::IntoResponse, routing::get};

use super::{ApiError, AppState, extract::OptionalAuthUser};

/// The flags route.
pub fn router() -> Router<AppState> {
    Router::new().route("/api/flags", get(flags))
}

async fn flags(
    State(state): State<AppState>,
    OptionalAuthUser(caller): OptionalAuthUser,
) -> Result<impl IntoResponse, ApiError> {
    Ok(Json(state.flags.flags(caller.as_ref()).await?))
}
