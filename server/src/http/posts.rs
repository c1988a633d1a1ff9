//! The reference REST contract for posts: `/api/posts` and `/api/posts/{id}`. Listing
//! answers a JSON array, newest first, with the next page's cursor in `X-Next-Cursor`
//! (absent on the last page); pass it back as `?cursor=`.

use app::dto::{PostRequest, UpdatePostRequest};
use axum::{
    Json, Router,
    extract::State,
    http::{HeaderMap, HeaderName, HeaderValue, StatusCode, header::LOCATION},
    response::{IntoResponse, Response},
    routing::get,
};

use super::{
    ApiError, AppState,
    caching::{BOARD_FRONT, REVALIDATE, cacheable_json},
    extract::{ApiPath, ApiQuery, AuthUser, JsonBody, PageQuery},
};

/// The header that carries the next page's cursor.
pub const NEXT_CURSOR: HeaderName = HeaderName::from_static("x-next-cursor");

/// The post routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/posts", get(list).post(create))
        .route("/api/posts/{id}", get(read).put(update).delete(remove))
}

/// The board, a page at a time. The first page is what everyone opens, so caches may keep
/// it a few seconds; later pages are revalidated. Both carry a tag for `If-None-Match`.
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
async fn read(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<String>,
    request: HeaderMap,
) -> Result<Response, ApiError> {
    let post = state.posts.get_post(&id).await?;
    cacheable_json(&request, REVALIDATE, HeaderMap::new(), &post)
}

async fn create(
    State(state): State<AppState>,
    AuthUser(caller): AuthUser,
    JsonBody(body): JsonBody<PostRequest>,
) -> Result<Response, ApiError> {
    let post = state.posts.create_post(&caller, body).await?;
    let location = [(LOCATION, format!("/api/posts/{}", post.id))];
    Ok((StatusCode::CREATED, location, Json(post)).into_response())
}

async fn update(
    State(state): State<AppState>,
    AuthUser(caller): AuthUser,
    ApiPath(id): ApiPath<String>,
    JsonBody(body): JsonBody<UpdatePostRequest>,
) -> Result<Response, ApiError> {
    Ok(Json(state.posts.update_post(&caller, &id, body).await?).into_response())
}

async fn remove(
    State(state): State<AppState>,
    AuthUser(caller): AuthUser,
    ApiPath(id): ApiPath<String>,
) -> Result<Response, ApiError> {
    Ok(Json(state.posts.delete_post(&caller, &id).await?).into_response())
}
