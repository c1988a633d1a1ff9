//! Comments over REST: `/api/posts/{id}/comments` (oldest first, the next page's cursor in
//! `X-Next-Cursor` as for posts) and `/api/posts/{id}/comments/{commentId}`.

use app::{
    dto::{CommentRequest, CommentResponse, MessageResponse, UpdateCommentRequest},
    error::AppError,
};
use axum::{
    Json,
    extract::State,
    http::StatusCode,
    response::{IntoResponse, Response},
};
use utoipa_axum::{router::OpenApiRouter, routes};

use super::{
    ApiError, AppState,
    extract::{ApiPath, ApiQuery, AuthUser, JsonBody, OptionalAuthUser, PageQuery},
    openapi::{
        BadRequest, Forbidden, NotFound, NotJson, Throttled, TooLarge, Unauthorized, Unavailable,
    },
    posts::NEXT_CURSOR,
};

/// The comment routes.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(update, remove))
}

/// A post's comments, oldest first. A visitor may read them; a token, when sent, must be
/// valid.
#[utoipa::path(get,
    path = "/api/posts/{id}/comments",
    operation_id = "listComments", tag = "comments",
    security((), ("bearer" = [])),
    params(("id" = String, Path, description = "The post's number."), PageQuery),
    responses(
        (status = 200, description = "A page of comments, oldest first.", body = Vec<CommentResponse>,
            headers(("X-Next-Cursor" = String, description = "The next page's cursor; absent on the last page."))),
        BadRequest, Unauthorized, NotFound, Unavailable,
    ),
)]
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

/// Comments on a post as the caller.
#[utoipa::path(post,
    path = "/api/posts/{id}/comments",
    operation_id = "createComment", tag = "comments",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "The post's number.")),
    request_body = CommentRequest,
    responses(
        (status = 201, description = "Created.", body = CommentResponse),
        BadRequest, Unauthorized, NotFound, TooLarge, NotJson, Throttled, Unavailable,
    ),
)]
async fn create(
    State(state): State<AppState>,
    AuthUser(caller): AuthUser,
    ApiPath(post): ApiPath<String>,
    JsonBody(body): JsonBody<CommentRequest>,
) -> Result<Response, ApiError> {
    let comment = state.comments.add_comment(&caller, &post, body).await?;
    Ok((StatusCode::CREATED, Json(comment)).into_response())
}

/// Edits the caller's own comment; with `version`, only if nobody edited it since.
#[utoipa::path(put,
    path = "/api/posts/{id}/comments/{comment_id}",
    operation_id = "updateComment", tag = "comments",
    security(("bearer" = [])),
    params(
        ("id" = String, Path, description = "The post's number."),
        ("comment_id" = String, Path, description = "The comment's id."),
    ),
    request_body = UpdateCommentRequest,
    responses(
        (status = 200, description = "Edited.", body = CommentResponse),
        BadRequest, Unauthorized, Forbidden, NotFound,
        (status = 409, description = "Edited since `version`; `currentComment` holds it as it is now.", body = AppError),
        TooLarge, NotJson, Unavailable,
    ),
)]
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

/// Deletes the caller's own comment.
#[utoipa::path(delete,
    path = "/api/posts/{id}/comments/{comment_id}",
    operation_id = "deleteComment", tag = "comments",
    security(("bearer" = [])),
    params(
        ("id" = String, Path, description = "The post's number."),
        ("comment_id" = String, Path, description = "The comment's id."),
    ),
    responses(
        (status = 200, description = "Deleted.", body = MessageResponse),
        BadRequest, Unauthorized, Forbidden, NotFound, Unavailable,
    ),
)]
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
