//! Comments: reading needs nothing, writing needs the bearer token.

use leptos::prelude::*;
use server_fn::codec::Json;

use crate::{
    client::BearerClient,
    dto::{
        CommentPageResponse, CommentRequest, CommentResponse, MessageResponse, UpdateCommentRequest,
    },
    error::AppError,
};

#[cfg(feature = "ssr")]
use crate::services::{CommentService, service};

/// One page of a post's comments, oldest first (the token, when there is one, decides
/// which flags apply).
#[server(prefix = "/api/fn", endpoint = "list_comments", input = Json, client = BearerClient)]
pub async fn list_comments(
    post_id: String,
    limit: Option<u32>,
    cursor: Option<String>,
) -> Result<CommentPageResponse, AppError> {
    let viewer = super::ssr::viewer()?;
    service::<dyn CommentService>()?
        .comments(viewer.as_ref(), &post_id, limit, cursor)
        .await
}

/// Comments on a post as the signed-in person.
#[server(prefix = "/api/fn", endpoint = "add_comment", input = Json, client = BearerClient)]
pub async fn add_comment(
    post_id: String,
    request: CommentRequest,
) -> Result<CommentResponse, AppError> {
    let caller = super::ssr::caller()?;
    service::<dyn CommentService>()?
        .add_comment(&caller, &post_id, request)
        .await
}

/// Edits one's own comment.
#[server(prefix = "/api/fn", endpoint = "edit_comment", input = Json, client = BearerClient)]
pub async fn edit_comment(
    post_id: String,
    comment_id: String,
    request: UpdateCommentRequest,
) -> Result<CommentResponse, AppError> {
    let caller = super::ssr::caller()?;
    service::<dyn CommentService>()?
        .edit_comment(&caller, &post_id, &comment_id, request)
        .await
}

/// Deletes one's own comment, or any comment on one's own post.
#[server(prefix = "/api/fn", endpoint = "delete_comment", input = Json, client = BearerClient)]
pub async fn delete_comment(
    post_id: String,
    comment_id: String,
) -> Result<MessageResponse, AppError> {
    let caller = super::ssr::caller()?;
    service::<dyn CommentService>()?
        .delete_comment(&caller, &post_id, &comment_id)
        .await
}
