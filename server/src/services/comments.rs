//! The comment rules: threads are read oldest first by anyone; a signed-in person writes,
//! edits their own (from the version they saw) and deletes their own; the post's author may
//! delete any comment under their post; nobody may flood a thread. The store moves each
//! post's count with the write itself.

use std::{collections::HashMap, num::NonZeroU32, sync::Arc};

use app::{
    domain::{CommentId, CommentText, PostId},
    dto::{
        CommentPageResponse, CommentRequest, CommentResponse, MessageResponse, UpdateCommentRequest,
    },
    error::AppError,
    services::{Caller, CommentService},
};
use async_trait::async_trait;
use governor::{
    DefaultKeyedRateLimiter, Quota, RateLimiter,
    clock::{Clock as _, DefaultClock},
};

use super::{
    media::avatar_urls,
    paging::{decode_after, encode_after, invalid_cursor, page_size_or},
    rfc3339, store_failed,
};
use crate::ports::{
    Author, AvatarDirectory, Clock, Comment, CommentEdit, CommentStore, CommentWriteError,
    PostStore, Remover,
};

/// Comments per page when the client does not say.
pub const DEFAULT_COMMENT_PAGE: u32 = 50;
/// Comments one person may write back to back, before the steady rate applies.
const WRITE_BURST: u32 = 10;
/// The steady rate: one comment every this many seconds.
const SECONDS_PER_COMMENT: u64 = 5;
/// How often an edit without a version is retried when another edit lands in between.
const UNVERSIONED_EDIT_ATTEMPTS: usize = 3;

/// The comment service every surface calls.
pub struct Comments<S, P, C> {
    store: S,
    posts: P,
    avatars: Arc<dyn AvatarDirectory>,
    clock: C,
    writes: DefaultKeyedRateLimiter<String>,
}

impl<S: CommentStore, P: PostStore, C: Clock> Comments<S, P, C> {
    /// Comments in `store`, under the posts of `posts`, with pictures from `avatars`.
    pub fn new(store: S, posts: P, avatars: Arc<dyn AvatarDirectory>, clock: C) -> Self {
        let steady = Quota::with_period(std::time::Duration::from_secs(SECONDS_PER_COMMENT))
            .unwrap_or_else(|| Quota::per_minute(NonZeroU32::MIN))
            .allow_burst(NonZeroU32::new(WRITE_BURST).unwrap_or(NonZeroU32::MIN));
        Self {
            store,
            posts,
            avatars,
            clock,
            writes: RateLimiter::keyed(steady),
        }
    }

    async fn responses(&self, comments: Vec<Comment>) -> Vec<CommentResponse> {
        let authors = comments.iter().map(|c| c.author.sub.clone()).collect();
        let avatars = avatar_urls(self.avatars.as_ref(), authors).await;
        comments
            .into_iter()
            .map(|comment| response(comment, &avatars))
            .collect()
    }

    async fn one_response(&self, comment: Comment) -> CommentResponse {
        let mut shown = self.responses(vec![comment]).await;
        shown.remove(0)
    }

    /// A 429 when the caller writes faster than anyone needs to.
    fn pace(&self, caller: &Caller) -> Result<(), AppError> {
        self.writes.check_key(&caller.sub).map_err(|not_until| {
            let wait = not_until.wait_time_from(DefaultClock::default().now());
            AppError::throttled(wait.as_secs() + 1)
        })
    }

    /// What a refused write means to the person who tried it.
    async fn refused(&self, err: CommentWriteError) -> AppError {
        match err {
            CommentWriteError::PostNotFound => no_such_post(),
            CommentWriteError::NotFound => no_such_comment(),
            CommentWriteError::NotYours => AppError::forbidden(
                "Only the comment's author, or the post's author, can change this comment.",
            ),
            CommentWriteError::Stale(current) => {
                AppError::stale_comment(self.one_response(*current).await)
            }
            CommentWriteError::Store(err) => store_failed(err),
        }
    }
}

/// The wire shape of a stored comment.
fn response(comment: Comment, avatars: &HashMap<String, String>) -> CommentResponse {
    CommentResponse {
        id: comment.id.to_string(),
        post_id: comment.post.to_string(),
        text: comment.text.as_ref().to_owned(),
        avatar_url: avatars.get(&comment.author.sub).cloned(),
        user_id: comment.author.sub,
        user_name: comment.author.username,
        created_at: rfc3339(comment.created_at_ms),
        updated_at: rfc3339(comment.updated_at_ms),
        version: comment.version,
    }
}

fn no_such_post() -> AppError {
    AppError::not_found("There is no post with that number.")
}

fn no_such_comment() -> AppError {
    AppError::not_found("There is no comment with that id under this post.")
}

/// Ids from a URL: a malformed one names nothing, a 404 like a missing one.
fn post_id(raw: &str) -> Result<PostId, AppError> {
    PostId::parse(raw).map_err(|_| no_such_post())
}

fn comment_id(raw: &str) -> Result<CommentId, AppError> {
    CommentId::parse(raw).map_err(|_| no_such_comment())
}

fn new_comment_id(at_ms: i64) -> Result<CommentId, AppError> {
    let mut random = [0u8; 4];
    aws_lc_rs::rand::fill(&mut random).map_err(|_| AppError::internal())?;
    CommentId::new(at_ms, u32::from_be_bytes(random)).ok_or_else(AppError::internal)
}

#[async_trait]
impl<S: CommentStore, P: PostStore, C: Clock> CommentService for Comments<S, P, C> {
    async fn comments(
        &self,
        _viewer: Option<&Caller>,
        post: &str,
        limit: Option<u32>,
        cursor: Option<String>,
    ) -> Result<CommentPageResponse, AppError> {
        let post = post_id(post)?;
        let limit = page_size_or(limit, DEFAULT_COMMENT_PAGE)?;
        let after = cursor
            .as_deref()
            .map(|cursor| CommentId::parse(&decode_after(cursor)?).map_err(|_| invalid_cursor()))
            .transpose()?;
        let page = self
            .store
            .list(post, limit, after.as_ref())
            .await
            .map_err(store_failed)?
            .ok_or_else(no_such_post)?;
        Ok(CommentPageResponse {
            comments: self.responses(page.comments).await,
            next_cursor: page.next_after.map(|after| encode_after(after.as_ref())),
        })
    }

    async fn add_comment(
        &self,
        caller: &Caller,
        post: &str,
        request: CommentRequest,
    ) -> Result<CommentResponse, AppError> {
        let post = post_id(post)?;
        let text = CommentText::parse(&request.text)?;
        self.pace(caller)?;
        let at = self.clock.now_ms();
        let comment = Comment {
            id: new_comment_id(at)?,
            post,
            text,
            author: Author {
                sub: caller.sub.clone(),
                username: caller.username.clone(),
            },
            created_at_ms: at,
            updated_at_ms: at,
            version: 1,
        };
        if let Err(err) = self.store.add(&comment).await {
            return Err(self.refused(err).await);
        }
        Ok(self.one_response(comment).await)
    }

    async fn edit_comment(
        &self,
        caller: &Caller,
        post: &str,
        id: &str,
        request: UpdateCommentRequest,
    ) -> Result<CommentResponse, AppError> {
        let (post, id) = (post_id(post)?, comment_id(id)?);
        let text = CommentText::parse(&request.text)?;
        let mut attempts = 0;
        loop {
            attempts += 1;
            let current = self
                .store
                .get(post, &id)
                .await
                .map_err(store_failed)?
                .ok_or_else(no_such_comment)?;
            if current.author.sub != caller.sub {
                return Err(self.refused(CommentWriteError::NotYours).await);
            }
            let expected_version = request.version.unwrap_or(current.version);
            if expected_version != current.version {
                return Err(self
                    .refused(CommentWriteError::Stale(Box::new(current)))
                    .await);
            }
            let edit = CommentEdit {
                text: text.clone(),
                expected_version,
                at_ms: self.clock.now_ms(),
            };
            match self.store.update(post, &id, &caller.sub, &edit).await {
                Ok(comment) => return Ok(self.one_response(comment).await),
                Err(CommentWriteError::Stale(_))
                    if request.version.is_none() && attempts < UNVERSIONED_EDIT_ATTEMPTS => {}
                Err(err) => return Err(self.refused(err).await),
            }
        }
    }

    async fn delete_comment(
        &self,
        caller: &Caller,
        post: &str,
        id: &str,
    ) -> Result<MessageResponse, AppError> {
        let (post, id) = (post_id(post)?, comment_id(id)?);
        let thread = self
            .posts
            .get(post)
            .await
            .map_err(store_failed)?
            .ok_or_else(no_such_post)?;
        let by = if thread.author.sub == caller.sub {
            Remover::PostAuthor(caller.sub.clone())
        } else {
            Remover::Author(caller.sub.clone())
        };
        if let Err(err) = self.store.delete(post, &id, &by).await {
            return Err(self.refused(err).await);
        }
        Ok(MessageResponse::new("The comment was deleted."))
    }
}

#[cfg(test)]
mod tests;
