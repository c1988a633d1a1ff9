//! Comments: `/api/posts/{id}/comments` and `/api/posts/{id}/comments/{commentId}`.

use serde::{Deserialize, Serialize};

/// A comment as every client receives it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct CommentResponse {
    /// Sorts oldest first.
    pub id: String,
    /// The post it belongs to.
    pub post_id: String,
    /// Plain text, 1–2,000 characters.
    pub text: String,
    /// The author's stable id (`sub`).
    pub user_id: String,
    /// The author's username when they wrote it.
    pub user_name: String,
    /// The author's profile picture now (64 px), if they have one.
    #[serde(default)]
    pub avatar_url: Option<String>,
    /// RFC 3339, UTC, millisecond precision.
    pub created_at: String,
    /// RFC 3339; equals `created_at` until the first edit.
    pub updated_at: String,
    /// Starts at 1, one more per edit; send it back to edit without overwriting.
    pub version: u64,
}

/// `POST /api/posts/{id}/comments`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CommentRequest {
    /// Plain text, 1–2,000 characters.
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 2000))]
    pub text: String,
}

/// `PUT /api/posts/{id}/comments/{commentId}`: the new text, and optionally the version it
/// was edited from (a stale one is refused with 409 carrying the current comment).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UpdateCommentRequest {
    /// Plain text, 1–2,000 characters.
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 2000))]
    pub text: String,
    /// The version the editor started from.
    #[serde(default)]
    pub version: Option<u64>,
}

/// One page of a post's comments for the SPA; REST clients get the array and the cursor
/// in `X-Next-Cursor`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct CommentPageResponse {
    /// Oldest first.
    pub comments: Vec<CommentResponse>,
    /// Pass back as `cursor` for the next page; absent on the last page.
    pub next_cursor: Option<String>,
}
