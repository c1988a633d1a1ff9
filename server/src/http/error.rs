//! The one place an [`AppError`] becomes an HTTP response: status from its code,
//! `Retry-After` when it says how long to wait, and the JSON error shape.

use app::error::AppError;
use axum::{
    Json,
    http::{StatusCode, header},
    response::{IntoResponse, Response},
};

/// An [`AppError`] on its way out.
#[derive(Debug)]
pub struct ApiError(pub AppError);

impl From<AppError> for ApiError {
    fn from(error: AppError) -> Self {
        Self(error)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status =
            StatusCode::from_u16(self.0.code.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let retry_after = self
            .0
            .retry_after_secs
            .map(|secs| [(header::RETRY_AFTER, secs.to_string())]);
        (status, retry_after, Json(self.0)).into_response()
    }
}
