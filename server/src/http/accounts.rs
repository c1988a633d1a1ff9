//! The reference REST contract for accounts: `/api/auth/*` and `/api/myinfo`. Each handler
//! unwraps the request, calls the account service, and writes the cookie it asks for.

use app::{
    dto::{
        ConfirmEmailRequest, LoginRequest, MessageResponse, MyInfoResponse, ResendEmailRequest,
        SignupRequest, TokenResponse,
    },
    error::AppError,
    services::WithCookies,
};
use axum::{
    Json,
    extract::State,
    http::header::SET_COOKIE,
    response::{AppendHeaders, IntoResponse, Response},
};
use serde::Serialize;
use utoipa_axum::{router::OpenApiRouter, routes};

use super::{
    ApiError, AppState,
    extract::{AuthUser, CookieSession, JsonBody},
    openapi::{
        BadRequest, Conflict, Forbidden, NotJson, Throttled, TooLarge, Unauthorized, Unavailable,
    },
};

/// The routes under `/api/auth`, which the origin guard covers.
pub fn cookie_routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(sign_up))
        .routes(routes!(confirm_email))
        .routes(routes!(resend_email))
        .routes(routes!(log_in))
        .routes(routes!(refresh))
        .routes(routes!(log_out))
}

/// `/api/myinfo`, which needs the bearer token and no cookie.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(my_info))
}

/// The body, with the `Set-Cookie` the service asked for.
fn with_cookies<T: Serialize>(state: &AppState, answer: WithCookies<T>) -> Response {
    let cookie = state.refresh_cookie.set_cookie(&answer.session);
    let headers = AppendHeaders(cookie.map(|cookie| (SET_COOKIE, cookie)));
    (headers, Json(answer.body)).into_response()
}

/// Creates an unconfirmed account and sends its six-digit code to the email address.
#[utoipa::path(post,
    path = "/api/auth/signup",
    operation_id = "signUp", tag = "accounts",
    request_body = SignupRequest,
    responses(
        (status = 200, description = "Created; the code is on its way.", body = MessageResponse),
        BadRequest, Forbidden, Conflict, TooLarge, NotJson, Throttled, Unavailable,
    ),
)]
async fn sign_up(
    State(state): State<AppState>,
    JsonBody(body): JsonBody<SignupRequest>,
) -> Result<Response, ApiError> {
    Ok(Json(state.accounts.sign_up(body).await?).into_response())
}

/// Confirms the address with the code from the email.
#[utoipa::path(post,
    path = "/api/auth/confirmEmail",
    operation_id = "confirmEmail", tag = "accounts",
    request_body = ConfirmEmailRequest,
    responses(
        (status = 200, description = "Confirmed; the person may log in.", body = MessageResponse),
        BadRequest, Forbidden, TooLarge, NotJson, Throttled, Unavailable,
    ),
)]
async fn confirm_email(
    State(state): State<AppState>,
    JsonBody(body): JsonBody<ConfirmEmailRequest>,
) -> Result<Response, ApiError> {
    Ok(Json(state.accounts.confirm_email(body).await?).into_response())
}

/// Sends the confirmation code again (at most every 30 seconds).
#[utoipa::path(post,
    path = "/api/auth/resendEmail",
    operation_id = "resendEmail", tag = "accounts",
    request_body = ResendEmailRequest,
    responses(
        (status = 200, description = "Sent, or nothing to send: the answer is the same.", body = MessageResponse),
        BadRequest, Forbidden, TooLarge, NotJson, Throttled, Unavailable,
    ),
)]
async fn resend_email(
    State(state): State<AppState>,
    JsonBody(body): JsonBody<ResendEmailRequest>,
) -> Result<Response, ApiError> {
    Ok(Json(state.accounts.resend_email(body).await?).into_response())
}

/// Logs in: the access token in the body, the refresh token in an `HttpOnly` cookie.
#[utoipa::path(post,
    path = "/api/auth/login",
    operation_id = "logIn", tag = "accounts",
    request_body = LoginRequest,
    responses(
        (status = 200, description = "Logged in.", body = TokenResponse,
            headers(("Set-Cookie" = String, description = "The refresh cookie."))),
        BadRequest, Unauthorized,
        (status = 403, description = "The address is not confirmed yet (`ERR_NOT_CONFIRMED`), or the request came from another site.", body = AppError),
        TooLarge, NotJson, Throttled, Unavailable,
    ),
)]
async fn log_in(
    State(state): State<AppState>,
    JsonBody(body): JsonBody<LoginRequest>,
) -> Result<Response, ApiError> {
    let answer = state.accounts.log_in(body).await?;
    Ok(with_cookies(&state, answer))
}

/// Needs no body: the refresh cookie is the whole request. No cookie is a 401 here, as the
/// reference contract says.
#[utoipa::path(post,
    path = "/api/auth/refresh",
    operation_id = "refresh", tag = "accounts",
    security(("refreshCookie" = [])),
    responses(
        (status = 200, description = "A new access token (and, locally, a rotated cookie).", body = TokenResponse,
            headers(("Set-Cookie" = String, description = "The refresh cookie, when rotated."))),
        Unauthorized, Forbidden, Throttled, Unavailable,
    ),
)]
async fn refresh(
    State(state): State<AppState>,
    CookieSession(session): CookieSession,
) -> Result<Response, ApiError> {
    let refreshed = state.accounts.refresh(session).await?;
    let refreshed = refreshed.ok_or_else(|| AppError::unauthorized("You are not logged in."))?;
    Ok(with_cookies(&state, refreshed))
}

/// Needs no body, and no valid access token: an expired session must still be able to end.
#[utoipa::path(post,
    path = "/api/auth/logout",
    operation_id = "logOut", tag = "accounts",
    security((), ("refreshCookie" = [])),
    responses(
        (status = 200, description = "Logged out; the cookie is cleared.", body = MessageResponse,
            headers(("Set-Cookie" = String, description = "The cleared refresh cookie."))),
        Forbidden, Unavailable,
    ),
)]
async fn log_out(
    State(state): State<AppState>,
    CookieSession(session): CookieSession,
) -> Result<Response, ApiError> {
    let answer = state.accounts.log_out(session).await?;
    Ok(with_cookies(&state, answer))
}

/// The signed-in person.
#[utoipa::path(get,
    path = "/api/myinfo",
    operation_id = "myInfo", tag = "accounts",
    security(("bearer" = [])),
    responses((status = 200, description = "Who the caller is.", body = MyInfoResponse), Unauthorized, Unavailable),
)]
async fn my_info(
    State(state): State<AppState>,
    AuthUser(caller): AuthUser,
) -> Result<Response, ApiError> {
    Ok(Json(state.accounts.my_info(&caller).await?).into_response())
}
