//! The reference REST contract for accounts: `/api/auth/*` and `/api/myinfo`. Each handler
//! only unwraps the request and calls [`Accounts`], the same code the server functions call.

use app::{
    dto::{ConfirmEmailRequest, LoginRequest, ResendEmailRequest, SignupRequest},
    error::AppError,
    services::{AccountService, WithCookies},
};
use axum::{
    Json, Router,
    extract::{FromRequest, Path, Request, State, rejection::JsonRejection},
    http::{HeaderMap, StatusCode, header::SET_COOKIE},
    response::{AppendHeaders, IntoResponse, Response},
    routing::{get, post},
};
use serde::{Serialize, de::DeserializeOwned};

use super::{ApiError, AppState};

/// The account routes; the dev mailbox is added only when the local provider runs.
pub fn router(state: &AppState) -> Router<AppState> {
    let routes = Router::new()
        .route("/api/auth/signup", post(sign_up))
        .route("/api/auth/confirmEmail", post(confirm_email))
        .route("/api/auth/resendEmail", post(resend_email))
        .route("/api/auth/login", post(log_in))
        .route("/api/auth/refresh", post(refresh))
        .route("/api/auth/logout", post(log_out))
        .route("/api/myinfo", get(my_info));
    if state.dev_mailbox.is_some() {
        routes.route("/api/dev/mailbox/{username}", get(dev_mailbox))
    } else {
        routes
    }
}

/// A JSON body whose rejections use the API's error shape: 415 for another content type,
/// 413 when too large, 400 saying what is wrong with it.
pub struct JsonBody<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for JsonBody<T> {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        Json::<T>::from_request(request, state)
            .await
            .map(|Json(body)| Self(body))
            .map_err(|rejection: JsonRejection| {
                ApiError(match rejection.status() {
                    StatusCode::UNSUPPORTED_MEDIA_TYPE => AppError::unsupported_media_type(),
                    StatusCode::PAYLOAD_TOO_LARGE => AppError::payload_too_large(),
                    _ => AppError::bad_request(format!(
                        "The request body is not valid: {}",
                        rejection.body_text()
                    )),
                })
            })
    }
}

fn with_cookies<T: Serialize>(answer: WithCookies<T>) -> Response {
    let cookies: Vec<_> = answer
        .set_cookies
        .into_iter()
        .map(|cookie| (SET_COOKIE, cookie))
        .collect();
    (AppendHeaders(cookies), Json(answer.body)).into_response()
}

async fn sign_up(
    State(state): State<AppState>,
    JsonBody(body): JsonBody<SignupRequest>,
) -> Result<Response, ApiError> {
    Ok(Json(state.accounts.sign_up(body).await?).into_response())
}

async fn confirm_email(
    State(state): State<AppState>,
    JsonBody(body): JsonBody<ConfirmEmailRequest>,
) -> Result<Response, ApiError> {
    Ok(Json(state.accounts.confirm_email(body).await?).into_response())
}

async fn resend_email(
    State(state): State<AppState>,
    JsonBody(body): JsonBody<ResendEmailRequest>,
) -> Result<Response, ApiError> {
    Ok(Json(state.accounts.resend_email(body).await?).into_response())
}

async fn log_in(
    State(state): State<AppState>,
    JsonBody(body): JsonBody<LoginRequest>,
) -> Result<Response, ApiError> {
    Ok(with_cookies(state.accounts.log_in(body).await?))
}

/// Needs no body: the refresh cookie is the whole request. No cookie is a 401 here, as the
/// reference contract says.
async fn refresh(State(state): State<AppState>, headers: HeaderMap) -> Result<Response, ApiError> {
    let refreshed = state.accounts.refresh(&headers).await?;
    let refreshed = refreshed.ok_or_else(|| AppError::unauthorized("You are not logged in."))?;
    Ok(with_cookies(refreshed))
}

/// Needs no body, and no valid access token: an expired session must still be able to end.
async fn log_out(State(state): State<AppState>, headers: HeaderMap) -> Result<Response, ApiError> {
    Ok(with_cookies(state.accounts.log_out(&headers).await?))
}

async fn my_info(State(state): State<AppState>, headers: HeaderMap) -> Result<Response, ApiError> {
    Ok(Json(state.accounts.my_info(&headers).await?).into_response())
}

async fn dev_mailbox(
    State(state): State<AppState>,
    Path(username): Path<String>,
) -> Result<Response, ApiError> {
    let mailbox = state
        .dev_mailbox
        .as_ref()
        .ok_or_else(|| ApiError(AppError::not_found("No mailbox here.")))?;
    let username = app::domain::Username::parse(&username)?;
    let messages = mailbox.mailbox(&username).await.map_err(|err| {
        tracing::error!(error = %crate::telemetry::error_chain(&err), "could not read the dev mailbox");
        ApiError(AppError::unavailable())
    })?;
    Ok(Json(messages).into_response())
}
