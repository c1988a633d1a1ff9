//! Pictures: permission to upload, completing an upload, the profile picture. The file itself
//! goes from the browser straight to the upload URL, never through a server function.

use leptos::prelude::*;
use server_fn::codec::Json;

use crate::{
    client::BearerClient,
    dto::{
        AvatarResponse, CreateUploadRequest, PictureResponse, SetAvatarRequest,
        UploadTicketResponse,
    },
    error::AppError,
};

#[cfg(feature = "ssr")]
use crate::services::{MediaService, service};

/// A signed form for uploading one file.
#[server(prefix = "/api/fn", endpoint = "create_upload", input = Json, client = BearerClient)]
pub async fn create_upload(request: CreateUploadRequest) -> Result<UploadTicketResponse, AppError> {
    let caller = super::ssr::caller()?;
    service::<dyn MediaService>()?
        .create_upload(&caller, request)
        .await
}

/// Checks and processes an uploaded file into a picture.
#[server(prefix = "/api/fn", endpoint = "complete_upload", input = Json, client = BearerClient)]
pub async fn complete_upload(upload_id: String) -> Result<PictureResponse, AppError> {
    let caller = super::ssr::caller()?;
    service::<dyn MediaService>()?
        .complete_upload(&caller, &upload_id)
        .await
}

/// Sets the signed-in person's profile picture.
#[server(prefix = "/api/fn", endpoint = "set_avatar", input = Json, client = BearerClient)]
pub async fn set_avatar(request: SetAvatarRequest) -> Result<AvatarResponse, AppError> {
    let caller = super::ssr::caller()?;
    service::<dyn MediaService>()?
        .set_avatar(&caller, request)
        .await
}

/// Removes the signed-in person's profile picture.
#[server(prefix = "/api/fn", endpoint = "remove_avatar", input = Json, client = BearerClient)]
pub async fn remove_avatar() -> Result<(), AppError> {
    let caller = super::ssr::caller()?;
    service::<dyn MediaService>()?.remove_avatar(&caller).await
}
