//! The board at the HTTP edge, shared by the REST routes and the server functions: parsing
//! ids, limits and cursors, authenticating writers, and mapping store outcomes to what
//! clients see.

use std::sync::Arc;

use app::{
    domain::{PostContent, PostId, PostTitle},
    dto::{MessageResponse, PostPageResponse, PostRequest, PostResponse, UpdatePostRequest},
    error::AppError,
    services::PostService,
};
use async_trait::async_trait;
use axum::http::HeaderMap;
use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use time::{OffsetDateTime, format_description::well_known::Rfc3339};

use super::accounts::Accounts;
use crate::{
    ports::{Author, Post, PostEdit, PostStore, PostWriteError, StoreError},
    telemetry::error_chain,
};

/// Posts per page when the client does not say.
pub const DEFAULT_PAGE_SIZE: u32 = 20;
/// Most posts per page.
pub const MAX_PAGE_SIZE: u32 = 100;

/// The post service every surface calls.
pub struct Posts {
    store: Arc<dyn PostStore>,
    accounts: Arc<Accounts>,
}

impl Posts {
    /// Posts in `store`; writers are authenticated by `accounts`.
    pub fn new(store: Arc<dyn PostStore>, accounts: Arc<Accounts>) -> Self {
        Self { store, accounts }
    }
}

fn now_ms() -> i64 {
    i64::try_from(OffsetDateTime::now_utc().unix_timestamp_nanos() / 1_000_000).unwrap_or(i64::MAX)
}

fn rfc3339(ms: i64) -> String {
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
        .ok()
        .and_then(|at| at.format(&Rfc3339).ok())
        .unwrap_or_default()
}

/// The wire shape of a stored post.
pub fn response(post: Post) -> PostResponse {
    PostResponse {
        id: post.id.to_string(),
        title: post.title.as_ref().to_owned(),
        content: post.content.as_ref().to_owned(),
        user_id: post.author.sub,
        user_name: post.author.username,
        created_at: rfc3339(post.created_at_ms),
        updated_at: rfc3339(post.updated_at_ms),
        version: post.version,
    }
}

/// Cursors are opaque to clients: the id the next page starts below, encoded.
fn encode_cursor(before: PostId) -> String {
    URL_SAFE_NO_PAD.encode(format!("before:{before}"))
}

fn decode_cursor(cursor: &str) -> Result<PostId, AppError> {
    let invalid =
        || AppError::invalid_field("cursor", "The cursor is not one this server gave out.");
    let decoded = URL_SAFE_NO_PAD.decode(cursor).map_err(|_| invalid())?;
    let text = std::str::from_utf8(&decoded).map_err(|_| invalid())?;
    let id = text.strip_prefix("before:").ok_or_else(invalid)?;
    PostId::parse(id).map_err(|_| invalid())
}

fn page_size(limit: Option<u32>) -> Result<usize, AppError> {
    match limit.unwrap_or(DEFAULT_PAGE_SIZE) {
        size @ 1..=MAX_PAGE_SIZE => Ok(usize::try_from(size).unwrap_or(1)),
        _ => Err(AppError::invalid_field(
            "limit",
            format!("limit must be between 1 and {MAX_PAGE_SIZE}."),
        )),
    }
}

fn store_failed(err: StoreError) -> AppError {
    tracing::error!(error = %error_chain(&err), "post store failed");
    AppError::unavailable()
}

fn refused(err: PostWriteError) -> AppError {
    match err {
        PostWriteError::NotFound => AppError::not_found("There is no post with that number."),
        PostWriteError::NotYours => AppError::forbidden("Only the author can change this post."),
        PostWriteError::Stale(current) => AppError::stale_post(response(*current)),
        PostWriteError::Store(err) => store_failed(err),
    }
}

#[async_trait]
impl PostService for Posts {
    async fn list_posts(
        &self,
        limit: Option<u32>,
        cursor: Option<String>,
    ) -> Result<PostPageResponse, AppError> {
        let limit = page_size(limit)?;
        let before = cursor.as_deref().map(decode_cursor).transpose()?;
        let page = self.store.list(limit, before).await.map_err(store_failed)?;
        Ok(PostPageResponse {
            posts: page.posts.into_iter().map(response).collect(),
            next_cursor: page.next_before.map(encode_cursor),
        })
    }

    async fn get_post(&self, id: &str) -> Result<PostResponse, AppError> {
        let id = PostId::parse(id)?;
        let post = self.store.get(id).await.map_err(store_failed)?;
        post.map(response)
            .ok_or_else(|| AppError::not_found("There is no post with that number."))
    }

    async fn create_post(
        &self,
        headers: &HeaderMap,
        request: PostRequest,
    ) -> Result<PostResponse, AppError> {
        let author = self.accounts.authenticate(headers).await?;
        let title = PostTitle::parse(&request.title)?;
        let content = PostContent::parse(&request.content)?;
        let id = self.store.next_id().await.map_err(store_failed)?;
        let at = now_ms();
        let post = Post {
            id,
            title,
            content,
            author: Author {
                sub: author.sub,
                username: author.username,
            },
            created_at_ms: at,
            updated_at_ms: at,
            version: 1,
        };
        self.store.create(&post).await.map_err(store_failed)?;
        Ok(response(post))
    }

    async fn update_post(
        &self,
        headers: &HeaderMap,
        id: &str,
        request: UpdatePostRequest,
    ) -> Result<PostResponse, AppError> {
        let editor = self.accounts.authenticate(headers).await?;
        let id = PostId::parse(id)?;
        let edit = PostEdit {
            title: PostTitle::parse(&request.title)?,
            content: PostContent::parse(&request.content)?,
            expected_version: request.version,
            at_ms: now_ms(),
        };
        let post = self
            .store
            .update(id, &editor.sub, &edit)
            .await
            .map_err(refused)?;
        Ok(response(post))
    }

    async fn delete_post(
        &self,
        headers: &HeaderMap,
        id: &str,
    ) -> Result<MessageResponse, AppError> {
        let owner = self.accounts.authenticate(headers).await?;
        let id = PostId::parse(id)?;
        self.store.delete(id, &owner.sub).await.map_err(refused)?;
        Ok(MessageResponse::new("The post was deleted."))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cursor_round_trips_and_a_forged_one_is_refused_by_field() {
        let id = PostId::parse("42").unwrap();
        assert_eq!(decode_cursor(&encode_cursor(id)).unwrap(), id);
        for forged in [
            "42",
            "not base64!",
            &URL_SAFE_NO_PAD.encode("before:0"),
            &URL_SAFE_NO_PAD.encode("after:4"),
        ] {
            assert_eq!(
                decode_cursor(forged).unwrap_err().field.as_deref(),
                Some("cursor"),
                "{forged}"
            );
        }
    }

    #[test]
    fn the_page_size_defaults_to_20_and_stays_within_1_to_100() {
        assert_eq!(page_size(None).unwrap(), 20);
        assert_eq!(page_size(Some(100)).unwrap(), 100);
        assert_eq!(
            page_size(Some(0)).unwrap_err().field.as_deref(),
            Some("limit")
        );
        assert_eq!(
            page_size(Some(101)).unwrap_err().field.as_deref(),
            Some("limit")
        );
    }

    #[test]
    fn times_are_rfc3339_utc_with_milliseconds() {
        assert_eq!(rfc3339(1_800_000_000_123), "2027-01-15T08:00:00.123Z");
    }
}
