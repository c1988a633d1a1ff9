//! The board: `/api/posts` and `/api/posts/{id}`.

use serde::{Deserialize, Serialize};

use super::{PostImage, PostImageRequest};

/// A post as every client receives it (the reference contract's shape).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct PostResponse {
    /// Decimal string from an atomic counter: `"1"`, `"2"`, …
    pub id: String,
    /// Plain text, 1–200 characters.
    pub title: String,
    /// Plain text, 1–20,000 characters.
    pub content: String,
    /// The author's stable id (`sub`).
    pub user_id: String,
    /// The author's username when they wrote it.
    pub user_name: String,
    /// The author's profile picture now (64 px), if they have one.
    #[serde(default)]
    pub avatar_url: Option<String>,
    /// Up to four images, in the author's order; empty for posts without any.
    #[serde(default)]
    pub images: Vec<PostImage>,
    /// How many comments the post has, kept exact by every comment's write.
    #[serde(default)]
    pub comment_count: u64,
    /// RFC 3339, UTC, millisecond precision.
    pub created_at: String,
    /// RFC 3339, UTC; equals `created_at` until the first edit.
    pub updated_at: String,
    /// Starts at 1, grows by one with every edit; send it back to edit without overwriting.
    pub version: u64,
}

/// `POST /api/posts`: a new post.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PostRequest {
    /// Plain text, 1–200 characters after trimming.
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 200))]
    pub title: String,
    /// Plain text, 1–20,000 characters.
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 20000))]
    pub content: String,
    /// Up to four completed `post` pictures of the author's, each with its description.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(max_items = 4))]
    pub images: Vec<PostImageRequest>,
}

/// `PUT /api/posts/{id}`: the new text, and optionally the version it was edited from
/// (without one, the edit overwrites whatever is there).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UpdatePostRequest {
    /// Plain text, 1–200 characters after trimming.
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 200))]
    pub title: String,
    /// Plain text, 1–20,000 characters.
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 20000))]
    pub content: String,
    /// The version the editor started from; a stale one is refused with 409.
    #[serde(default)]
    pub version: Option<u64>,
    /// The images the post shows from now on, in order; absent keeps them as they are.
    /// Images left out are deleted.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(max_items = 4))]
    pub images: Option<Vec<PostImageRequest>>,
}

/// One page of the board for the SPA; REST clients get the array and the cursor in a header.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct PostPageResponse {
    /// Newest first.
    pub posts: Vec<PostResponse>,
    /// Pass back as `cursor` for the next page; absent on the last page.
    pub next_cursor: Option<String>,
}
