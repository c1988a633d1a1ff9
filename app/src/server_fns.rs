//! Leptos server functions: the SPA's typed calls into the service layer.
//!
//! Each is JSON-encoded (never the URL-encoded default, a CORS "simple" request) under a fixed
//! path below `/api/fn`, and its body only finds a service, calls it and returns its answer.
#![allow(
    missing_docs,
    reason = "#[server] turns each argument into a field of a generated struct; the functions are documented"
)]

use leptos::prelude::*;
use server_fn::codec::Json;

use crate::{
    dto::{
        ConfirmEmailRequest, LoginRequest, MessageResponse, MyInfoResponse, PostPageResponse,
        PostRequest, PostResponse, ResendEmailRequest, SignupRequest, TokenResponse,
        UpdatePostRequest, VisitsResponse,
    },
    error::AppError,
};

#[cfg(feature = "ssr")]
mod ssr {
    use std::sync::Arc;

    use http::{HeaderMap, HeaderValue, header::SET_COOKIE};
    use leptos::prelude::use_context;
    use leptos_axum::ResponseOptions;

    use crate::{
        error::AppError,
        services::{AccountService, PostService, WithCookies, service},
    };

    /// The post service and the request's headers.
    pub async fn posts() -> Result<(Arc<dyn PostService>, HeaderMap), AppError> {
        let headers = leptos_axum::extract::<HeaderMap>()
            .await
            .map_err(|_| AppError::internal())?;
        Ok((service::<dyn PostService>()?, headers))
    }

    /// The account service and the request's headers.
    pub async fn accounts() -> Result<(Arc<dyn AccountService>, HeaderMap), AppError> {
        let headers = leptos_axum::extract::<HeaderMap>()
            .await
            .map_err(|_| AppError::internal())?;
        Ok((service::<dyn AccountService>()?, headers))
    }

    /// Sends the cookies along and returns the body.
    pub fn with_cookies<T>(answer: WithCookies<T>) -> Result<T, AppError> {
        let response = use_context::<ResponseOptions>().ok_or_else(AppError::internal)?;
        for cookie in answer.set_cookies {
            let value = HeaderValue::from_str(&cookie).map_err(|_| AppError::internal())?;
            response.append_header(SET_COOKIE, value);
        }
        Ok(answer.body)
    }
}

/// Records a visit to the home page and returns the running total.
#[server(prefix = "/api/fn", endpoint = "record_visit", input = Json)]
pub async fn record_visit() -> Result<VisitsResponse, AppError> {
    use crate::services::{VisitService, service};

    let visits = service::<dyn VisitService>()?.record_visit().await?;
    Ok(VisitsResponse { visits })
}

/// Creates an account and emails a confirmation code.
#[server(prefix = "/api/fn", endpoint = "sign_up", input = Json)]
pub async fn sign_up(request: SignupRequest) -> Result<MessageResponse, AppError> {
    let (accounts, _) = ssr::accounts().await?;
    accounts.sign_up(request).await
}

/// Confirms an email address with the code from the email.
#[server(prefix = "/api/fn", endpoint = "confirm_email", input = Json)]
pub async fn confirm_email(request: ConfirmEmailRequest) -> Result<MessageResponse, AppError> {
    let (accounts, _) = ssr::accounts().await?;
    accounts.confirm_email(request).await
}

/// Sends a new confirmation code.
#[server(prefix = "/api/fn", endpoint = "resend_email", input = Json)]
pub async fn resend_email(request: ResendEmailRequest) -> Result<MessageResponse, AppError> {
    let (accounts, _) = ssr::accounts().await?;
    accounts.resend_email(request).await
}

/// Logs in. It lives under `/api/auth` because it sets the refresh cookie, whose path is
/// `/api/auth`.
#[server(prefix = "/api/auth/fn", endpoint = "log_in", input = Json)]
pub async fn log_in(request: LoginRequest) -> Result<TokenResponse, AppError> {
    let (accounts, _) = ssr::accounts().await?;
    ssr::with_cookies(accounts.log_in(request).await?)
}

/// New tokens from the refresh cookie (sent only to `/api/auth`); `None` without a session.
#[server(prefix = "/api/auth/fn", endpoint = "refresh", input = Json)]
pub async fn refresh_session() -> Result<Option<TokenResponse>, AppError> {
    let (accounts, headers) = ssr::accounts().await?;
    accounts
        .refresh(&headers)
        .await?
        .map(ssr::with_cookies)
        .transpose()
}

/// Ends this session and clears the refresh cookie.
#[server(prefix = "/api/auth/fn", endpoint = "log_out", input = Json)]
pub async fn log_out() -> Result<MessageResponse, AppError> {
    let (accounts, headers) = ssr::accounts().await?;
    ssr::with_cookies(accounts.log_out(&headers).await?)
}

/// The signed-in person; needs the bearer token.
#[server(prefix = "/api/fn", endpoint = "my_info", input = Json, client = crate::auth::BearerClient)]
pub async fn my_info() -> Result<MyInfoResponse, AppError> {
    let (accounts, headers) = ssr::accounts().await?;
    accounts.my_info(&headers).await
}

/// One page of the board, newest first.
#[server(prefix = "/api/fn", endpoint = "list_posts", input = Json)]
pub async fn list_posts(
    limit: Option<u32>,
    cursor: Option<String>,
) -> Result<PostPageResponse, AppError> {
    let (posts, _) = ssr::posts().await?;
    posts.list_posts(limit, cursor).await
}

/// One post.
#[server(prefix = "/api/fn", endpoint = "get_post", input = Json)]
pub async fn get_post(id: String) -> Result<PostResponse, AppError> {
    let (posts, _) = ssr::posts().await?;
    posts.get_post(&id).await
}

/// Publishes a post as the signed-in person.
#[server(prefix = "/api/fn", endpoint = "create_post", input = Json, client = crate::auth::BearerClient)]
pub async fn create_post(request: PostRequest) -> Result<PostResponse, AppError> {
    let (posts, headers) = ssr::posts().await?;
    posts.create_post(&headers, request).await
}

/// Edits one's own post.
#[server(prefix = "/api/fn", endpoint = "update_post", input = Json, client = crate::auth::BearerClient)]
pub async fn update_post(id: String, request: UpdatePostRequest) -> Result<PostResponse, AppError> {
    let (posts, headers) = ssr::posts().await?;
    posts.update_post(&headers, &id, request).await
}

/// Deletes one's own post.
#[server(prefix = "/api/fn", endpoint = "delete_post", input = Json, client = crate::auth::BearerClient)]
pub async fn delete_post(id: String) -> Result<MessageResponse, AppError> {
    let (posts, headers) = ssr::posts().await?;
    posts.delete_post(&headers, &id).await
}
