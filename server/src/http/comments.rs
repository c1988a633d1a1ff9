//! Comments over REST: `/api/posts/{id}/comments` (oldest first, the next page's cursor in
//! `X-Next-Cursor` as for posts) and `/api/posts/{id}/comments/{commentId}`.

use app::dto::{CommentRequest, UpdateCommentRequest};
use axum::{
    Json, Router,
    extract::State,
    http::StatusCode,
    response::{IntoResponse, Response},
    routing::{get, put},
};

use super::{
    ApiError, AppState,
    extract::{ApiPath, ApiQuery, AuthUser, JsonBody, OptionalAuthUser, PageQuery},
    posts::NEXT_CURSOR,
};

/// The comment routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/posts/{id}/comments", get(list).post(create))
        .route(
            "/api/posts/{id}/comments/{comment_id}",
            put(update).delete(remove),
        )
}

async fn list(
    State(state): State<AppState>,
    OptionalAuthUser(viewer): OptionalAuthUser,
    ApiPath(post): ApiPath<String>,
    ApiQuery(query): ApiQuery<PageQuery>,
) -> Result<Response, ApiError> {
    let limit = query.limit()?;
    let page = state
        .comments
        .comments(viewer.as_ref(), &post, limit, query.cursor)
        .await?;
    let cursor = page.next_cursor.map(|cursor| [(NEXT_CURSOR, cursor)]);
    Ok((cursor, Json(page.comments)).into_response())
}

async fn create(
    State(state): State<AppState>,
    AuthUser(caller): AuthUser,
    ApiPath(post): ApiPath<String>,
    JsonBody(body): JsonBody<CommentRequest>,
) -> Result<Response, ApiError> {
    let comment = state.comments.add_comment(&caller, &post, body).await?;
    Ok((StatusCode::CREATED, Json(comment)).into_response())
}

async fn update(
    State(state): State<AppState>,
    AuthUser(caller): AuthUser,
    ApiPath((post, comment)): ApiPath<(String, String)>,
    JsonBody(body): JsonBody<UpdateCommentRequest>,
) -> Result<Response, ApiError> {
    let edited = state
        .comments
        .edit_comment(&caller, &post, &comment, body)
        .await?;
    Ok(Json(edited).into_response())
}

async fn remove(
    State(state): State<AppState>,
    AuthUser(caller): AuthUser,
    ApiPath((post, comment)): ApiPath<(String, String)>,
) -> Result<Response, ApiError> {
    let answer = state
        .comments
        .delete_comment(&caller, &post, &comment)
        .await?;
    Ok(Json(answer).into_response())
}
