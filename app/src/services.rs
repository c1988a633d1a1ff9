//! The interface server functions call, implemented by the server crate.
//!
//! It lives here because `#[server]` bodies are compiled in this crate, which cannot depend on
//! the server. The server puts an `Arc<dyn …>` of each trait into the Leptos context; REST
//! handlers call the same implementation, so both surfaces share every rule.

use std::sync::Arc;

use async_trait::async_trait;
use leptos::prelude::use_context;

use crate::{
    dto::{
        ConfirmEmailRequest, LoginRequest, MessageResponse, MyInfoResponse, PostPageResponse,
        PostRequest, PostResponse, ResendEmailRequest, SignupRequest, TokenResponse,
        UpdatePostRequest,
    },
    error::AppError,
};

/// Counts visits to the board's home page.
#[async_trait]
pub trait VisitService: Send + Sync {
    /// Records one visit and returns the total so far, this one included.
    async fn record_visit(&self) -> Result<u64, AppError>;
}

/// An answer plus the `Set-Cookie` values that must go out with it; the server decides what
/// they are, so the cookie rules live in one place.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WithCookies<T> {
    /// The response body.
    pub body: T,
    /// Complete `Set-Cookie` header values.
    pub set_cookies: Vec<String>,
}

/// Accounts and sessions. Calls that read the refresh cookie or the bearer token take the
/// request's headers; everything else takes the parsed body.
#[async_trait]
pub trait AccountService: Send + Sync {
    /// Creates an unconfirmed account and sends a code.
    async fn sign_up(&self, request: SignupRequest) -> Result<MessageResponse, AppError>;
    /// Confirms an email address with its code.
    async fn confirm_email(
        &self,
        request: ConfirmEmailRequest,
    ) -> Result<MessageResponse, AppError>;
    /// Sends a new code.
    async fn resend_email(&self, request: ResendEmailRequest) -> Result<MessageResponse, AppError>;
    /// Opens a session: tokens in the body, the refresh token in a cookie.
    async fn log_in(&self, request: LoginRequest) -> Result<WithCookies<TokenResponse>, AppError>;
    /// New tokens from the refresh cookie; `None` when the request carries no session at
    /// all (a visitor who never logged in), which is not an error for restoring a session.
    async fn refresh(
        &self,
        headers: &http::HeaderMap,
    ) -> Result<Option<WithCookies<TokenResponse>>, AppError>;
    /// Revokes this session and clears the cookie, whatever state the access token is in.
    async fn log_out(
        &self,
        headers: &http::HeaderMap,
    ) -> Result<WithCookies<MessageResponse>, AppError>;
    /// The person behind the bearer token.
    async fn my_info(&self, headers: &http::HeaderMap) -> Result<MyInfoResponse, AppError>;
}

/// The board. Reading needs no account; writing takes the bearer token from the headers.
#[async_trait]
pub trait PostService: Send + Sync {
    /// Up to `limit` posts (1–100, default 20), newest first, after `cursor`.
    async fn list_posts(
        &self,
        limit: Option<u32>,
        cursor: Option<String>,
    ) -> Result<PostPageResponse, AppError>;
    /// One post by its id.
    async fn get_post(&self, id: &str) -> Result<PostResponse, AppError>;
    /// Publishes a post by the token's owner.
    async fn create_post(
        &self,
        headers: &http::HeaderMap,
        request: PostRequest,
    ) -> Result<PostResponse, AppError>;
    /// Edits the caller's own post; a stale `version` is a 409 carrying the current post.
    async fn update_post(
        &self,
        headers: &http::HeaderMap,
        id: &str,
        request: UpdatePostRequest,
    ) -> Result<PostResponse, AppError>;
    /// Deletes the caller's own post.
    async fn delete_post(
        &self,
        headers: &http::HeaderMap,
        id: &str,
    ) -> Result<MessageResponse, AppError>;
}

/// Finds a service the server provided; its absence is a wiring bug, so it is logged and the
/// client only sees a generic error.
pub fn service<T: ?Sized + Send + Sync + 'static>() -> Result<Arc<T>, AppError> {
    use_context::<Arc<T>>().ok_or_else(|| {
        leptos::logging::error!(
            "service {} missing from the server function context",
            std::any::type_name::<T>()
        );
        AppError::internal()
    })
}
