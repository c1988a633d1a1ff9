//! The calls that set or read the refresh cookie. They live under `/api/auth/fn` because the
//! browser sends the cookie only to `/api/auth`, and the edge's origin guard covers that path.

use leptos::prelude::*;
use server_fn::codec::Json;

use crate::{
    dto::{LoginRequest, MessageResponse, TokenResponse},
    error::AppError,
};

#[cfg(feature = "ssr")]
use crate::services::{AccountService, service};

/// Logs in; the session goes into the refresh cookie.
#[server(prefix = "/api/auth/fn", endpoint = "log_in", input = Json)]
pub async fn log_in(request: LoginRequest) -> Result<TokenResponse, AppError> {
    let answer = service::<dyn AccountService>()?.log_in(request).await?;
    super::ssr::with_cookies(answer)
}

/// New tokens from the refresh cookie; `None` without a session.
#[server(prefix = "/api/auth/fn", endpoint = "refresh", input = Json)]
pub async fn refresh_session() -> Result<Option<TokenResponse>, AppError> {
    let session = super::ssr::session()?;
    let answer = service::<dyn AccountService>()?.refresh(session).await?;
    answer.map(super::ssr::with_cookies).transpose()
}

/// Ends this session and clears the refresh cookie.
#[server(prefix = "/api/auth/fn", endpoint = "log_out", input = Json)]
pub async fn log_out() -> Result<MessageResponse, AppError> {
    let session = super::ssr::session()?;
    let answer = service::<dyn AccountService>()?.log_out(session).await?;
    super::ssr::with_cookies(answer)
}
