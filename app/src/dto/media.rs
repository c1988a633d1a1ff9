//! Pictures: `/api/media/uploads`, `/api/me/avatar`, and the images posts carry.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// What an upload will become, which decides the sizes it is cut to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum UploadPurpose {
    /// A profile picture: 256 and 64 pixel squares.
    Avatar,
    /// An image in a post: at most 1600 pixels wide, plus a 480 pixel wide thumbnail.
    Post,
}

/// `POST /api/media/uploads`: permission to upload one file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct CreateUploadRequest {
    /// What the picture is for.
    pub purpose: UploadPurpose,
    /// `image/jpeg`, `image/png`, `image/webp` or `image/gif`; the upload must send exactly
    /// this type, and its bytes must be of it.
    pub content_type: String,
    /// The file's size in bytes (at most 10 MiB); the upload may not be larger.
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 10485760))]
    pub size: u64,
}

/// Where and how to upload: a presigned POST in S3's own shape. Send every entry of `fields`
/// and then the file as `file`, as `multipart/form-data`, to `url`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct UploadTicketResponse {
    /// Completes the upload (`POST /api/media/uploads/{uploadId}/complete`), and becomes the
    /// picture's id.
    pub upload_id: String,
    /// Where to send the form.
    pub url: String,
    /// The form fields, signed: change one and the upload is refused.
    pub fields: BTreeMap<String, String>,
    /// RFC 3339; the form is refused after this (5 minutes).
    pub expires_at: String,
}

/// One size of a picture.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ImageVariant {
    /// Where it is served: `/media/<content hash>.<ext>`, cached forever.
    pub url: String,
    /// Pixels.
    pub width: u32,
    /// Pixels.
    pub height: u32,
}

/// A checked, re-encoded picture with no metadata: what completing an upload returns.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct PictureResponse {
    /// Attach it with this id (as `pictureId`).
    pub id: String,
    /// What it was uploaded for.
    pub purpose: UploadPurpose,
    /// Avatar: 256 px square. Post image: at most 1600 px wide.
    pub large: ImageVariant,
    /// Avatar: 64 px square. Post image: 480 px wide thumbnail.
    pub small: ImageVariant,
}

/// `PUT /api/me/avatar`: use a completed avatar picture as one's profile picture.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct SetAvatarRequest {
    /// A completed upload of purpose `avatar`.
    pub picture_id: String,
}

/// One's profile picture.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct AvatarResponse {
    /// The picture.
    pub picture_id: String,
    /// 64 px square, what bylines show (also `avatarUrl` in posts and chat).
    pub avatar_url: String,
    /// 256 px square.
    pub avatar_large_url: String,
}

/// An image to show in a post, as the author sends it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct PostImageRequest {
    /// A completed upload of purpose `post`, by the author.
    pub picture_id: String,
    /// What the image shows, for people who cannot see it (required).
    #[cfg_attr(feature = "openapi", schema(max_length = 500))]
    pub alt: String,
}

/// An image in a post.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct PostImage {
    /// The picture.
    pub picture_id: String,
    /// What it shows.
    pub alt: String,
    /// At most 1600 px wide.
    pub large: ImageVariant,
    /// 480 px wide.
    pub small: ImageVariant,
}
