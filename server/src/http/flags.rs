//! `GET /api/flags`: the feature flags as they apply to the caller (a visitor too).

use app::dto::FlagsResponse;
use axum::{Json, extract::State, response::IntoResponse};
use utoipa_axum::{router::OpenApiRouter, routes};

use super::{
    ApiError, AppState,
    extract::OptionalAuthUser,
    openapi::{Unauthorized, Unavailable},
};

/// The flags route.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(flags))
}

/// Which features are on for the caller; a visitor gets the defaults for everyone.
#[utoipa::path(get,
    path = "/api/flags",
    operation_id = "flags", tag = "service",
    security((), ("bearer" = [])),
    responses((status = 200, description = "The caller's flags.", body = FlagsResponse), Unauthorized, Unavailable),
)]
async fn flags(
    State(state): State<AppState>,
    OptionalAuthUser(caller): OptionalAuthUser,
) -> Result<impl IntoResponse, ApiError> {
    Ok(Json(state.flags.flags(caller.as_ref()).await?))
}
