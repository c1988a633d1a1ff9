//! `GET /api/dev/mailbox/{username}`: the local identity provider's mailbox, so people and
//! tests can read confirmation codes without email. The route exists only when the state
//! carries a mailbox, which only local mode provides.

use app::domain::Username;
use axum::{
    Json, Router,
    extract::State,
    response::{IntoResponse, Response},
    routing::get,
};

use super::{ApiError, AppState, extract::ApiPath};
use app::error::AppError;

/// The mailbox route.
pub fn router() -> Router<AppState> {
    Router::new().route("/api/dev/mailbox/{username}", get(mailbox))
}

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
