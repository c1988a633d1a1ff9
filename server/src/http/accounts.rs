//! The reference REST contract for accounts: `/api/auth/*` and `/api/myinfo`. Each handler
//! unwraps the request, calls the account service, and writes the cookie it asks for.

use app::{
    dto::{ConfirmEmailRequest, LoginRequest, ResendEmailRequest, SignupRequest},
    error::AppError,
    services::WithCookies,
};
use axum::{
    Json, Router,
    extract::State,
    http::header::SET_COOKIE,
    response::{AppendHeaders, IntoResponse, Response},
    routing::{get, post},
};
use serde::Serialize;

use super::{
    ApiError, AppState,
    extract::{AuthUser, CookieSession, JsonBody},
};

/// The routes under `/api/auth`, which the origin guard covers.
pub fn cookie_routes() -> Router<AppState> {
    Router::new()
        .route("/api/auth/signup", post(sign_up))
        .route("/api/auth/confirmEmail", post(confirm_email))
        .route("/api/auth/resendEmail", post(resend_email))
        .route("/api/auth/login", post(log_in))
        .route("/api/auth/refresh", post(refresh))
        .route("/api/auth/logout", post(log_out))
}

/// `/api/myinfo`, which needs the bearer token and no cookie.
pub fn router() -> Router<AppState> {
    Router::new().route("/api/myinfo", get(my_info))
}

/// The body, with the `Set-Cookie` the service asked for.
fn with_cookies<T: Serialize>(state: &AppState, answer: WithCookies<T>) -> Response {
    let cookie = state.refresh_cookie.set_cookie(&answer.session);
    let headers = AppendHeaders(cookie.map(|cookie| (SET_COOKIE, cookie)));
    (headers, Json(answer.body)).into_response()
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
    let answer = state.accounts.log_in(body).await?;
    Ok(with_cookies(&state, answer))
}

/// Needs no body: the refresh cookie is the whole request. No cookie is a 401 here, as the
/// reference contract says.
async fn refresh(
    State(state): State<AppState>,
    CookieSession(session): CookieSession,
) -> Result<Response, ApiError> {
    let refreshed = state.accounts.refresh(session).await?;
    let refreshed = refreshed.ok_or_else(|| AppError::unauthorized("You are not logged in."))?;
    Ok(with_cookies(&state, refreshed))
}

/// Needs no body, and no valid access token: an expired session must still be able to end.
async fn log_out(
    State(state): State<AppState>,
    CookieSession(session): CookieSession,
) -> Result<Response, ApiError> {
    let answer = state.accounts.log_out(session).await?;
    Ok(with_cookies(&state, answer))
}

async fn my_info(
    State(state): State<AppState>,
    AuthUser(caller): AuthUser,
) -> Result<Response, ApiError> {
    Ok(Json(state.accounts.my_info(&caller).await?).into_response())
}
