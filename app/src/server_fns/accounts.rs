//! Account calls that do not touch the refresh cookie: sign-up, confirmation, and the
//! signed-in person's details.

use leptos::prelude::*;
use server_fn::codec::Json;

use crate::{
    client::BearerClient,
    dto::{
        ConfirmEmailRequest, MessageResponse, MyInfoResponse, ResendEmailRequest, SignupRequest,
    },
    error::AppError,
};

#[cfg(feature = "ssr")]
use crate::services::{AccountService, service};

/// Creates an account and emails a confirmation code.
#[server(prefix = "/api/fn", endpoint = "sign_up", input = Json)]
pub async fn sign_up(request: SignupRequest) -> Result<MessageResponse, AppError> {
    service::<dyn AccountService>()?.sign_up(request).await
}

/// Confirms an email address with the code from the email.
#[server(prefix = "/api/fn", endpoint = "confirm_email", input = Json)]
pub async fn confirm_email(request: ConfirmEmailRequest) -> Result<MessageResponse, AppError> {
    service::<dyn AccountService>()?
        .confirm_email(request)
        .await
}

/// Sends a new confirmation code.
#[server(prefix = "/api/fn", endpoint = "resend_email", input = Json)]
pub async fn resend_email(request: ResendEmailRequest) -> Result<MessageResponse, AppError> {
    service::<dyn AccountService>()?.resend_email(request).await
}

/// The signed-in person; needs the bearer token.
#[server(prefix = "/api/fn", endpoint = "my_info", input = Json, client = BearerClient)]
pub async fn my_info() -> Result<MyInfoResponse, AppError> {
    let caller = super::ssr::caller()?;
    service::<dyn AccountService>()?.my_info(&caller).await
}
