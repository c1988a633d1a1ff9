//! The reference REST contract for posts: `/api/posts` and `/api/posts/{id}`. Listing
//! answers a JSON array, newest first, with the next page's cursor in `X-Next-Cursor`
//! (absent on the last page); pass it back as `?cursor=`.

use app::dto::{PostRequest, UpdatePostRequest};
use axum::{
    Json, Router,
    extract::State,
    http::{HeaderName, StatusCode, header::LOCATION},
    response::{IntoResponse, Response},
    routing::get,
};

use super::{
    ApiError, AppState,
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

async fn list(
    State(state): State<AppState>,
    ApiQuery(query): ApiQuery<PageQuery>,
) -> Result<Response, ApiError> {
    let limit = query.limit()?;
    let page = state.posts.list_posts(limit, query.cursor).await?;
    let cursor = page.next_cursor.map(|cursor| [(NEXT_CURSOR, cursor)]);
    Ok((cursor, Json(page.posts)).into_response())
}

async fn read(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<String>,
) -> Result<Response, ApiError> {
    Ok(Json(state.posts.get_post(&id).await?).into_response())
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
