//! The board's rules: page sizes and opaque cursors, who may change a post, and what a
//! refused write means to the person who tried it. The store decides each write atomically;
//! this service only shapes the question and explains the answer.

use app::{
    domain::{PostContent, PostId, PostTitle},
    dto::{MessageResponse, PostPageResponse, PostRequest, PostResponse, UpdatePostRequest},
    error::AppError,
    services::{Caller, PostService},
};
use async_trait::async_trait;
use time::{OffsetDateTime, format_description::well_known::Rfc3339};

use super::{
    paging::{decode_before, encode_before, page_size},
    store_failed,
};
use crate::ports::{Author, Clock, Post, PostEdit, PostStore, PostWriteError};

/// The post service every surface calls.
pub struct Posts<S, C> {
    store: S,
    clock: C,
}

impl<S: PostStore, C: Clock> Posts<S, C> {
    /// Posts in `store`, timestamped by `clock`.
    pub fn new(store: S, clock: C) -> Self {
        Self { store, clock }
    }
}

fn rfc3339(ms: i64) -> String {
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
        .ok()
        .and_then(|at| at.format(&Rfc3339).ok())
        .unwrap_or_default()
}

/// The wire shape of a stored post.
fn response(post: Post) -> PostResponse {
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

fn no_such_post() -> AppError {
    AppError::not_found("There is no post with that number.")
}

/// An id from a URL: a malformed one names no post, so it is a 404 like a missing one.
fn post_id(raw: &str) -> Result<PostId, AppError> {
    PostId::parse(raw).map_err(|_| no_such_post())
}

/// The post a cursor continues below (cursors never hold 0, so the id always exists).
fn decode_cursor(cursor: &str) -> Result<PostId, AppError> {
    PostId::from_counter(decode_before(cursor)?).ok_or_else(AppError::internal)
}

fn refused(err: PostWriteError) -> AppError {
    match err {
        PostWriteError::NotFound => no_such_post(),
        PostWriteError::NotYours => AppError::forbidden("Only the author can change this post."),
        PostWriteError::Stale(current) => AppError::stale_post(response(*current)),
        PostWriteError::Store(err) => store_failed(err),
    }
}

#[async_trait]
impl<S: PostStore, C: Clock> PostService for Posts<S, C> {
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
            next_cursor: page.next_before.map(|before| encode_before(before.get())),
        })
    }

    async fn get_post(&self, id: &str) -> Result<PostResponse, AppError> {
        let post = self.store.get(post_id(id)?).await.map_err(store_failed)?;
        post.map(response).ok_or_else(no_such_post)
    }

    async fn create_post(
        &self,
        caller: &Caller,
        request: PostRequest,
    ) -> Result<PostResponse, AppError> {
        let title = PostTitle::parse(&request.title)?;
        let content = PostContent::parse(&request.content)?;
        let id = self.store.next_id().await.map_err(store_failed)?;
        let at = self.clock.now_ms();
        let post = Post {
            id,
            title,
            content,
            author: Author {
                sub: caller.sub.clone(),
                username: caller.username.clone(),
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
        caller: &Caller,
        id: &str,
        request: UpdatePostRequest,
    ) -> Result<PostResponse, AppError> {
        let id = post_id(id)?;
        let edit = PostEdit {
            title: PostTitle::parse(&request.title)?,
            content: PostContent::parse(&request.content)?,
            expected_version: request.version,
            at_ms: self.clock.now_ms(),
        };
        let post = self
            .store
            .update(id, &caller.sub, &edit)
            .await
            .map_err(refused)?;
        Ok(response(post))
    }

    async fn delete_post(&self, caller: &Caller, id: &str) -> Result<MessageResponse, AppError> {
        self.store
            .delete(post_id(id)?, &caller.sub)
            .await
            .map_err(refused)?;
        Ok(MessageResponse::new("The post was deleted."))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{
        ports::ManualClock,
        services::fakes::{Failing, InMemoryPosts},
    };
    use app::error::ErrorCode;

    const NOW_MS: i64 = 1_800_000_000_123;

    fn service() -> Posts<InMemoryPosts, ManualClock> {
        Posts::new(InMemoryPosts::default(), ManualClock::at_ms(NOW_MS))
    }

    fn caller(name: &str) -> Caller {
        Caller {
            sub: format!("sub-{name}"),
            username: name.to_owned(),
        }
    }

    fn request(title: &str) -> PostRequest {
        PostRequest {
            title: title.to_owned(),
            content: "Some text".to_owned(),
        }
    }

    fn edit(title: &str, version: Option<u64>) -> UpdatePostRequest {
        UpdatePostRequest {
            title: title.to_owned(),
            content: "Changed".to_owned(),
            version,
        }
    }

    #[tokio::test]
    async fn a_post_is_published_under_the_callers_name_at_version_one() {
        let posts = service();

        let post = posts
            .create_post(&caller("alice"), request("  Hello  "))
            .await
            .unwrap();

        assert_eq!(post.id, "1");
        assert_eq!(post.title, "Hello");
        assert_eq!(
            (post.user_id.as_str(), post.user_name.as_str()),
            ("sub-alice", "alice")
        );
        assert_eq!(post.version, 1);
        assert_eq!(post.created_at, "2027-01-15T08:00:00.123Z");
        assert_eq!(post.updated_at, post.created_at);
        assert_eq!(posts.get_post("1").await.unwrap(), post);
    }

    #[tokio::test]
    async fn invalid_fields_are_refused_by_name_and_nothing_is_stored() {
        let posts = service();
        for (title, content, field) in [("", "text", "title"), ("title", " \n", "content")] {
            let request = PostRequest {
                title: title.into(),
                content: content.into(),
            };
            let err = posts
                .create_post(&caller("alice"), request)
                .await
                .unwrap_err();
            assert_eq!(
                (err.code, err.field.as_deref()),
                (ErrorCode::BadRequest, Some(field))
            );
        }
        assert!(posts.list_posts(None, None).await.unwrap().posts.is_empty());
    }

    #[tokio::test]
    async fn a_malformed_id_names_no_post() {
        let posts = service();
        let alice = caller("alice");
        for id in ["0", "042", "abc", ""] {
            assert_eq!(
                posts.get_post(id).await.unwrap_err().code,
                ErrorCode::NotFound
            );
            let update = posts.update_post(&alice, id, edit("t", None)).await;
            assert_eq!(update.unwrap_err().code, ErrorCode::NotFound, "{id}");
            let delete = posts.delete_post(&alice, id).await;
            assert_eq!(delete.unwrap_err().code, ErrorCode::NotFound, "{id}");
        }
    }

    #[tokio::test]
    async fn a_missing_post_is_404_for_everyone_before_ownership_is_asked() {
        let posts = service();
        let err = posts
            .update_post(&caller("bob"), "9", edit("t", Some(1)))
            .await
            .unwrap_err();
        assert_eq!(err.code, ErrorCode::NotFound);
        let err = posts.delete_post(&caller("bob"), "9").await.unwrap_err();
        assert_eq!(err.code, ErrorCode::NotFound);
    }

    #[tokio::test]
    async fn someone_elses_post_is_403_even_from_a_stale_version_and_stays_untouched() {
        let posts = service();
        let original = posts
            .create_post(&caller("alice"), request("Mine"))
            .await
            .unwrap();

        let edit = posts
            .update_post(&caller("mallory"), "1", edit("Hijacked", Some(7)))
            .await
            .unwrap_err();
        let delete = posts
            .delete_post(&caller("mallory"), "1")
            .await
            .unwrap_err();

        assert_eq!(
            (edit.code, delete.code),
            (ErrorCode::Forbidden, ErrorCode::Forbidden)
        );
        assert_eq!(posts.get_post("1").await.unwrap(), original);
    }

    #[tokio::test]
    async fn a_stale_version_is_409_carrying_the_post_as_it_is_now() {
        let posts = service();
        let alice = caller("alice");
        posts.create_post(&alice, request("v1")).await.unwrap();
        let current = posts
            .update_post(&alice, "1", edit("v2", Some(1)))
            .await
            .unwrap();

        let err = posts
            .update_post(&alice, "1", edit("v2 again", Some(1)))
            .await
            .unwrap_err();

        assert_eq!(err.code, ErrorCode::Conflict);
        assert_eq!(err.current.as_deref(), Some(&current));
        assert_eq!(current.version, 2);
    }

    #[tokio::test]
    async fn an_edit_without_a_version_overwrites_and_bumps_it() {
        let posts = service();
        let alice = caller("alice");
        posts.create_post(&alice, request("v1")).await.unwrap();
        posts
            .update_post(&alice, "1", edit("v2", None))
            .await
            .unwrap();

        let third = posts
            .update_post(&alice, "1", edit("v3", None))
            .await
            .unwrap();

        assert_eq!((third.version, third.title.as_str()), (3, "v3"));
    }

    #[tokio::test]
    async fn the_author_deletes_and_the_id_is_not_reused() {
        let posts = service();
        let alice = caller("alice");
        posts
            .create_post(&alice, request("gone soon"))
            .await
            .unwrap();

        posts.delete_post(&alice, "1").await.unwrap();

        assert_eq!(
            posts.get_post("1").await.unwrap_err().code,
            ErrorCode::NotFound
        );
        let next = posts.create_post(&alice, request("next")).await.unwrap();
        assert_eq!(next.id, "2");
    }

    #[tokio::test]
    async fn pages_run_newest_first_and_the_cursor_continues_below_the_last_one() {
        let posts = service();
        for n in 1..=5 {
            posts
                .create_post(&caller("alice"), request(&format!("post {n}")))
                .await
                .unwrap();
        }
        let ids =
            |page: &PostPageResponse| page.posts.iter().map(|p| p.id.clone()).collect::<Vec<_>>();

        let first = posts.list_posts(Some(2), None).await.unwrap();
        let second = posts
            .list_posts(Some(2), first.next_cursor.clone())
            .await
            .unwrap();
        let last = posts
            .list_posts(Some(2), second.next_cursor.clone())
            .await
            .unwrap();

        assert_eq!(ids(&first), ["5", "4"]);
        assert_eq!(ids(&second), ["3", "2"]);
        assert_eq!(ids(&last), ["1"]);
        assert_eq!(last.next_cursor, None);
    }

    #[test]
    fn times_are_rfc3339_utc_with_milliseconds() {
        assert_eq!(rfc3339(1_800_000_000_123), "2027-01-15T08:00:00.123Z");
    }

    #[tokio::test]
    async fn a_store_that_is_down_is_503_and_one_with_unreadable_data_is_500() {
        let down = Posts::new(Failing::Unavailable, ManualClock::at_ms(NOW_MS));
        let broken = Posts::new(Failing::Corrupt, ManualClock::at_ms(NOW_MS));

        let unavailable = down.list_posts(None, None).await.unwrap_err();
        let internal = broken.get_post("1").await.unwrap_err();
        let write = down
            .update_post(&caller("a"), "1", edit("t", None))
            .await
            .unwrap_err();

        assert_eq!(unavailable.code, ErrorCode::Unavailable);
        assert_eq!(internal.code, ErrorCode::Internal);
        assert_eq!(write.code, ErrorCode::Unavailable);
        assert!(!unavailable.error.contains("refused") && !internal.error.contains("title"));
    }
}
