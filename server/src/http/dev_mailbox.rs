//! `GET /api/dev/mailbox/{username}`: the local identity provider's mailbox, so people and
//! tests can read confirmation codes without email. The route exists only when the state
//! carries a mailbox, which only local mode provides.

use app::domain::Username;
use axum::{
    Json,
    extract::State,
    response::{IntoResponse, Response},
};
use utoipa_axum::{router::OpenApiRouter, routes};

use super::{
    ApiError, AppState,
    extract::ApiPath,
    openapi::{BadRequest, NotFound, Unavailable},
};
use crate::ports::DevMail;
use app::error::AppError;

/// The mailbox route.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(mailbox))
}

/// What the local identity provider sent a person, oldest first. Local mode only: on AWS
/// there is no such route (404).
#[utoipa::path(get,
    path = "/api/dev/mailbox/{username}",
    operation_id = "devMailbox", tag = "service",
    params(("username" = String, Path, description = "Whose mail to read.")),
    responses((status = 200, description = "The messages.", body = Vec<DevMail>), BadRequest, NotFound, Unavailable),
)]
async fn mailbox(
    State(state): State<AppState>,
    ApiPath(username): ApiPath<String>,
) -> Result<Response, ApiError> {
    let mailbox = state
        .dev_mailbox
        .as_ref()
        .ok_or_else(|| AppError::not_found("No mailbox here."))?;
    let username = Username::parse(&username).map_err(AppError::from)?;
    let messages = mailbox.messages(&username).await.map_err(|err| {
        tracing::error!(error = %crate::telemetry::error_chain(&err), "could not read the dev mailbox");
        AppError::unavailable()
    })?;
    Ok(Json(messages).into_response())
}
