//! The reference REST contract for posts: `/api/posts` and `/api/posts/{id}`. Listing
//! answers a JSON array, newest first, with the next page's cursor in `X-Next-Cursor`
//! (absent on the last page); pass it back as `?cursor=`.

use app::{
    dto::{MessageResponse, PostRequest, PostResponse, UpdatePostRequest},
    error::AppError,
};
use axum::{
    Json,
    extract::State,
    http::{HeaderMap, HeaderName, HeaderValue, StatusCode, header::LOCATION},
    response::{IntoResponse, Response},
};
use utoipa_axum::{router::OpenApiRouter, routes};

use super::{
    ApiError, AppState,
    caching::{BOARD_FRONT, REVALIDATE, cacheable_json},
    extract::{ApiPath, ApiQuery, AuthUser, JsonBody, PageQuery},
    openapi::{
        BadRequest, Conflict, Forbidden, NotFound, NotJson, TooLarge, Unauthorized, Unavailable,
    },
};

/// The header that carries the next page's cursor.
pub const NEXT_CURSOR: HeaderName = HeaderName::from_static("x-next-cursor");

/// The post routes.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(read, update, remove))
}

/// The board, a page at a time. The first page is what everyone opens, so caches may keep
/// it a few seconds; later pages are revalidated. Both carry a tag for `If-None-Match`.
#[utoipa::path(get,
    path = "/api/posts",
    operation_id = "listPosts", tag = "posts",
    params(PageQuery),
    responses(
        (status = 200, description = "A page of posts, newest first.", body = Vec<PostResponse>, headers(
            ("X-Next-Cursor" = String, description = "The next page's cursor; absent on the last page."),
            ("ETag" = String, description = "Strong tag of this page, for `If-None-Match`."),
            ("Cache-Control" = String, description = "A few seconds for the first page, revalidation for later ones."),
        )),
        (status = 304, description = "The page is unchanged since the tag in `If-None-Match`."),
        BadRequest, Unavailable,
    ),
)]
async fn list(
    State(state): State<AppState>,
    ApiQuery(query): ApiQuery<PageQuery>,
    request: HeaderMap,
) -> Result<Response, ApiError> {
    let limit = query.limit()?;
    let front = query.cursor.is_none();
    let page = state.posts.list_posts(limit, query.cursor).await?;
    let mut headers = HeaderMap::new();
    if let Some(cursor) = page
        .next_cursor
        .and_then(|c| HeaderValue::from_str(&c).ok())
    {
        headers.insert(NEXT_CURSOR, cursor);
    }
    let cache_control = if front { BOARD_FRONT } else { REVALIDATE };
    cacheable_json(&request, cache_control, headers, &page.posts)
}

/// One post, revalidated on every read so an edit shows at once.
#[utoipa::path(get,
    path = "/api/posts/{id}",
    operation_id = "readPost", tag = "posts",
    params(("id" = String, Path, description = "The post's number.")),
    responses(
        (status = 200, description = "The post.", body = PostResponse, headers(
            ("ETag" = String, description = "Strong tag of this version, for `If-None-Match`."),
            ("Cache-Control" = String, description = "Revalidate on every read."),
        )),
        (status = 304, description = "The post is unchanged since the tag in `If-None-Match`."),
        BadRequest, NotFound, Unavailable,
    ),
)]
async fn read(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<String>,
    request: HeaderMap,
) -> Result<Response, ApiError> {
    let post = state.posts.get_post(&id).await?;
    cacheable_json(&request, REVALIDATE, HeaderMap::new(), &post)
}

/// Writes a new post as the caller.
#[utoipa::path(post,
    path = "/api/posts",
    operation_id = "createPost", tag = "posts",
    security(("bearer" = [])),
    request_body = PostRequest,
    responses(
        (status = 201, description = "Created.", body = PostResponse,
            headers(("Location" = String, description = "The new post's address."))),
        BadRequest, Unauthorized, NotFound, TooLarge, NotJson, Unavailable,
    ),
)]
async fn create(
    State(state): State<AppState>,
    AuthUser(caller): AuthUser,
    JsonBody(body): JsonBody<PostRequest>,
) -> Result<Response, ApiError> {
    let post = state.posts.create_post(&caller, body).await?;
    let location = [(LOCATION, format!("/api/posts/{}", post.id))];
    Ok((StatusCode::CREATED, location, Json(post)).into_response())
}

/// Edits the caller's own post; with `version`, only if nobody edited it since.
#[utoipa::path(put,
    path = "/api/posts/{id}",
    operation_id = "updatePost", tag = "posts",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "The post's number.")),
    request_body = UpdatePostRequest,
    responses(
        (status = 200, description = "Edited.", body = PostResponse),
        BadRequest, Unauthorized, Forbidden, NotFound,
        (status = 409, description = "Edited by someone since `version`; `current` holds the post as it is now.", body = AppError),
        TooLarge, NotJson, Unavailable,
    ),
)]
async fn update(
    State(state): State<AppState>,
    AuthUser(caller): AuthUser,
    ApiPath(id): ApiPath<String>,
    JsonBody(body): JsonBody<UpdatePostRequest>,
) -> Result<Response, ApiError> {
    Ok(Json(state.posts.update_post(&caller, &id, body).await?).into_response())
}

/// Deletes the caller's own post, its comments and its images.
#[utoipa::path(delete,
    path = "/api/posts/{id}",
    operation_id = "deletePost", tag = "posts",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "The post's number.")),
    responses(
        (status = 200, description = "Deleted.", body = MessageResponse),
        BadRequest, Unauthorized, Forbidden, NotFound, Conflict, Unavailable,
    ),
)]
async fn remove(
    State(state): State<AppState>,
    AuthUser(caller): AuthUser,
    ApiPath(id): ApiPath<String>,
) -> Result<Response, ApiError> {
    Ok(Json(state.posts.delete_post(&caller, &id).await?).into_response())
}
