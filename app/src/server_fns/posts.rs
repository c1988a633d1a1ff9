//! The board: reading needs nothing, writing needs the bearer token.

use leptos::prelude::*;
use server_fn::codec::Json;

use crate::{
    client::BearerClient,
    dto::{MessageResponse, PostPageResponse, PostRequest, PostResponse, UpdatePostRequest},
    error::AppError,
};

#[cfg(feature = "ssr")]
use crate::services::{PostService, service};

/// One page of the board, newest first.
#[server(prefix = "/api/fn", endpoint = "list_posts", input = Json)]
pub async fn list_posts(
    limit: Option<u32>,
    cursor: Option<String>,
) -> Result<PostPageResponse, AppError> {
    service::<dyn PostService>()?
        .list_posts(limit, cursor)
        .await
}

/// One post.
#[server(prefix = "/api/fn", endpoint = "get_post", input = Json)]
pub async fn get_post(id: String) -> Result<PostResponse, AppError> {
    service::<dyn PostService>()?.get_post(&id).await
}

/// Publishes a post as the signed-in person.
#[server(prefix = "/api/fn", endpoint = "create_post", input = Json, client = BearerClient)]
pub async fn create_post(request: PostRequest) -> Result<PostResponse, AppError> {
    let caller = super::ssr::caller()?;
    service::<dyn PostService>()?
        .create_post(&caller, request)
        .await
}

/// Edits one's own post.
#[server(prefix = "/api/fn", endpoint = "update_post", input = Json, client = BearerClient)]
pub async fn update_post(id: String, request: UpdatePostRequest) -> Result<PostResponse, AppError> {
    let caller = super::ssr::caller()?;
    service::<dyn PostService>()?
        .update_post(&caller, &id, request)
        .await
}

/// Deletes one's own post.
#[server(prefix = "/api/fn", endpoint = "delete_post", input = Json, client = BearerClient)]
pub async fn delete_post(id: String) -> Result<MessageResponse, AppError> {
    let caller = super::ssr::caller()?;
    service::<dyn PostService>()?
        .delete_post(&caller, &id)
        .await
}
