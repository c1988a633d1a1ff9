//! Pictures: `POST /api/media/uploads` (a signed form), `POST
//! /api/media/uploads/{id}/complete`, and `PUT`/`DELETE /api/me/avatar`. On the embedded
//! default this edge also plays S3's two parts: it receives the posted form
//! (`POST /api/media/local-upload`) and serves the pictures (`GET /media/*`).

use std::{
    collections::BTreeMap,
    path::{Path, PathBuf},
    sync::Arc,
};

use app::{
    domain::MAX_UPLOAD_BYTES,
    dto::{
        AvatarResponse, CreateUploadRequest, PictureResponse, SetAvatarRequest,
        UploadTicketResponse,
    },
    error::AppError,
};
use axum::{
    Json, Router,
    extract::{DefaultBodyLimit, Multipart, State, multipart::MultipartError},
    http::{HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
    routing::post,
};
use tower_http::{services::ServeDir, set_header::SetResponseHeaderLayer};
use utoipa_axum::{router::OpenApiRouter, routes};

use super::{
    ApiError, AppState,
    extract::{ApiPath, AuthUser, JsonBody},
    openapi::{
        BadRequest, Conflict, Forbidden, NotFound, NotJson, Throttled, TooLarge, Unauthorized,
        Unavailable,
    },
};
use crate::ports::{LOCAL_UPLOAD_PATH, UploadReceiver, UploadRefused};

/// Room for the form fields around the largest file.
const FORM_OVERHEAD_BYTES: usize = 64 * 1024;
/// Served pictures are named by their content hash.
const IMMUTABLE: HeaderValue = HeaderValue::from_static("public, max-age=31536000, immutable");

/// The upload and profile picture routes, on every backend.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create_upload))
        .routes(routes!(complete_upload))
        .routes(routes!(set_avatar, remove_avatar))
}

/// The embedded default's stand-in for S3: the form upload route, handing forms to
/// `uploads`.
pub fn local_upload_router(uploads: Arc<dyn UploadReceiver>) -> Router {
    let limit = usize::try_from(MAX_UPLOAD_BYTES).unwrap_or(usize::MAX) + FORM_OVERHEAD_BYTES;
    Router::new()
        .route(
            LOCAL_UPLOAD_PATH,
            post(receive_upload).layer(DefaultBodyLimit::max(limit)),
        )
        .with_state(uploads)
}

/// The embedded default's stand-in for CloudFront's `/media/*`: pictures from `dir`,
/// cached forever, a 404 for anything else.
pub fn served_pictures(dir: &Path) -> Router {
    Router::new().nest_service(
        "/media",
        tower::ServiceBuilder::new()
            .layer(SetResponseHeaderLayer::overriding(
                header::CACHE_CONTROL,
                IMMUTABLE,
            ))
            .service(ServeDir::new(dir)),
    )
}

/// A signed form to post one picture to storage directly (S3, or this server locally).
#[utoipa::path(post,
    path = "/api/media/uploads",
    operation_id = "createUpload", tag = "media",
    security(("bearer" = [])),
    request_body = CreateUploadRequest,
    responses(
        (status = 201, description = "Post the file with these fields to `url` within the time given.", body = UploadTicketResponse),
        BadRequest, Unauthorized, NotFound, TooLarge, NotJson, Throttled, Unavailable,
    ),
)]
async fn create_upload(
    State(state): State<AppState>,
    AuthUser(caller): AuthUser,
    JsonBody(body): JsonBody<CreateUploadRequest>,
) -> Result<Response, ApiError> {
    let ticket = state.media.create_upload(&caller, body).await?;
    Ok((StatusCode::CREATED, Json(ticket)).into_response())
}

/// Checks the uploaded file, re-encodes it and makes the picture's sizes.
#[utoipa::path(post,
    path = "/api/media/uploads/{id}/complete",
    operation_id = "completeUpload", tag = "media",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "The upload's id from its ticket.")),
    responses(
        (status = 200, description = "The picture, ready to use.", body = PictureResponse),
        BadRequest, Unauthorized, Forbidden, NotFound, Conflict, Unavailable,
    ),
)]
async fn complete_upload(
    State(state): State<AppState>,
    AuthUser(caller): AuthUser,
    ApiPath(id): ApiPath<String>,
) -> Result<Response, ApiError> {
    Ok(Json(state.media.complete_upload(&caller, &id).await?).into_response())
}

/// Makes a completed `avatar` picture the caller's profile picture.
#[utoipa::path(put,
    path = "/api/me/avatar",
    operation_id = "setAvatar", tag = "media",
    security(("bearer" = [])),
    request_body = SetAvatarRequest,
    responses(
        (status = 200, description = "Set.", body = AvatarResponse),
        BadRequest, Unauthorized, Forbidden, NotFound, Conflict, TooLarge, NotJson, Unavailable,
    ),
)]
async fn set_avatar(
    State(state): State<AppState>,
    AuthUser(caller): AuthUser,
    JsonBody(body): JsonBody<SetAvatarRequest>,
) -> Result<Response, ApiError> {
    Ok(Json(state.media.set_avatar(&caller, body).await?).into_response())
}

/// Removes the caller's profile picture.
#[utoipa::path(delete,
    path = "/api/me/avatar",
    operation_id = "removeAvatar", tag = "media",
    security(("bearer" = [])),
    responses((status = 204, description = "Removed, or there was none."), Unauthorized, NotFound, Unavailable),
)]
async fn remove_avatar(
    State(state): State<AppState>,
    AuthUser(caller): AuthUser,
) -> Result<StatusCode, ApiError> {
    state.media.remove_avatar(&caller).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A posted form: its text fields, then the file (S3 ignores fields after `file`; so does
/// this). The signed policy in the fields is the only credential, as with S3.
async fn receive_upload(
    State(uploads): State<Arc<dyn UploadReceiver>>,
    mut form: Multipart,
) -> Result<StatusCode, ApiError> {
    let mut fields = BTreeMap::new();
    let mut file = None;
    while let Some(field) = form.next_field().await.map_err(unreadable_form)? {
        let name = field.name().unwrap_or_default().to_owned();
        if name == "file" {
            file = Some(field.bytes().await.map_err(unreadable_form)?.to_vec());
            break;
        }
        let value = field.text().await.map_err(unreadable_form)?;
        fields.insert(name, value);
    }
    let file =
        file.ok_or_else(|| ApiError(AppError::invalid_field("file", "The form has no file.")))?;
    uploads
        .receive(&fields, file)
        .await
        .map_err(|err| ApiError(refused_upload(err)))?;
    Ok(StatusCode::NO_CONTENT)
}

fn unreadable_form(err: MultipartError) -> ApiError {
    ApiError(if err.status() == StatusCode::PAYLOAD_TOO_LARGE {
        AppError::too_large("file", "The file is larger than any upload may be.")
    } else {
        AppError::bad_request("The upload form could not be read.")
    })
}

fn refused_upload(err: UploadRefused) -> AppError {
    match err {
        UploadRefused::Forbidden(why) => {
            tracing::info!(why, "upload form refused");
            AppError::forbidden("This upload form is not valid (changed, or expired).")
        }
        UploadRefused::Size => {
            AppError::too_large("file", "The file's size is not what this form allows.")
        }
        UploadRefused::Used => {
            AppError::conflict(Some("file"), "This upload form was already used.")
        }
        UploadRefused::Store(err) => {
            tracing::error!(error = %crate::telemetry::error_chain(&err), "could not store an upload");
            AppError::unavailable()
        }
    }
}

/// What the embedded default needs to play S3's part.
#[derive(Clone)]
pub struct LocalMedia {
    /// Receives posted forms.
    pub uploads: Arc<dyn UploadReceiver>,
    /// Where the pictures `/media/*` serves are.
    pub served_dir: PathBuf,
}
