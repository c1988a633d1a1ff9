//! The board's rules: page sizes and opaque cursors, who may change a post, and what a
//! refused write means to the person who tried it. The store decides each write atomically;
//! this service only shapes the question and explains the answer.

use std::{collections::HashMap, sync::Arc};

use app::{
    domain::{AltText, MAX_POST_IMAGES, MediaId, PostContent, PostId, PostTitle},
    dto::{
        MessageResponse, PostImageRequest, PostPageResponse, PostRequest, PostResponse,
        UpdatePostRequest,
    },
    error::AppError,
    services::{Caller, PostService},
};
use async_trait::async_trait;

use super::{
    media::{Pictures, attach_refused, avatar_urls, variant_response},
    paging::{decode_before, encode_before, page_size},
    rfc3339, store_failed,
};
use crate::{
    ports::{
        Attachment, Author, Clock, CommentStore, Post, PostEdit, PostImage, PostStore,
        PostWriteError,
    },
    telemetry::error_chain,
};

/// How often an edit without a version is retried when another edit lands between reading
/// the post and writing it.
const UNVERSIONED_EDIT_ATTEMPTS: usize = 3;

/// The post service every surface calls.
pub struct Posts<S, C> {
    store: S,
    clock: C,
    pictures: Pictures,
    comments: Arc<dyn CommentStore>,
}

impl<S: PostStore, C: Clock> Posts<S, C> {
    /// Posts in `store`, timestamped by `clock`, showing and attaching `pictures`; a deleted
    /// post's comments go from `comments`.
    pub fn new(store: S, clock: C, pictures: Pictures, comments: Arc<dyn CommentStore>) -> Self {
        Self {
            store,
            clock,
            pictures,
            comments,
        }
    }

    /// The wire shapes of `posts`, each with its author's profile picture.
    async fn responses(&self, posts: Vec<Post>) -> Vec<PostResponse> {
        let directory = self.pictures.directory();
        let avatars = avatar_urls(
            directory.as_ref(),
            posts.iter().map(|post| post.author.sub.clone()).collect(),
        )
        .await;
        posts
            .into_iter()
            .map(|post| response(post, &avatars))
            .collect()
    }

    async fn one_response(&self, post: Post) -> PostResponse {
        let directory = self.pictures.directory();
        let avatars = avatar_urls(directory.as_ref(), vec![post.author.sub.clone()]).await;
        response(post, &avatars)
    }

    /// What a refused write means to the person who tried it.
    async fn refused(&self, err: PostWriteError) -> AppError {
        match err {
            PostWriteError::NotFound => no_such_post(),
            PostWriteError::NotYours => not_yours(),
            PostWriteError::Stale(current) => {
                AppError::stale_post(self.one_response(*current).await)
            }
            PostWriteError::Store(err) => store_failed(err),
        }
    }

    /// The images a post will show: those it has already keep their sizes; new ones are
    /// attached to it (and only then shown). On a refusal, what this call attached is let go.
    async fn attach(
        &self,
        owner: &str,
        post: PostId,
        requested: &[(MediaId, AltText)],
        already: &[PostImage],
    ) -> Result<Vec<PostImage>, AppError> {
        let mut images = Vec::with_capacity(requested.len());
        for (n, (picture, alt)) in requested.iter().enumerate() {
            if let Some(kept) = already.iter().find(|image| image.picture == *picture) {
                images.push(PostImage {
                    alt: alt.clone(),
                    ..kept.clone()
                });
                continue;
            }
            match self
                .pictures
                .catalog()
                .attach(owner, picture, Attachment::Post(post), self.clock.now_ms())
                .await
            {
                Ok(variants) => images.push(PostImage {
                    picture: picture.clone(),
                    alt: alt.clone(),
                    variants,
                }),
                Err(err) => {
                    self.let_go(owner, post, &images, already).await;
                    return Err(attach_refused(err, &format!("Image {}", n + 1)));
                }
            }
        }
        Ok(images)
    }

    /// Detaches the images of `images` that were not in `already` (a write that attached
    /// them failed), so they can be attached again.
    async fn let_go(&self, owner: &str, post: PostId, images: &[PostImage], already: &[PostImage]) {
        for image in images {
            if already.iter().any(|kept| kept.picture == image.picture) {
                continue;
            }
            let detached = self
                .pictures
                .catalog()
                .detach(
                    owner,
                    &image.picture,
                    Attachment::Post(post),
                    self.clock.now_ms(),
                )
                .await;
            if let Err(err) = detached {
                tracing::warn!(error = %error_chain(&err), picture = %image.picture, "could not detach a picture");
            }
        }
    }

    /// Deletes the images of `before` that `after` no longer shows.
    async fn discard_dropped(&self, owner: &str, before: &[PostImage], after: &[PostImage]) {
        for image in before {
            if !after.iter().any(|kept| kept.picture == image.picture) {
                self.pictures.discard(owner, &image.picture).await;
            }
        }
    }
}

/// The wire shape of a stored post.
fn response(post: Post, avatars: &HashMap<String, String>) -> PostResponse {
    PostResponse {
        id: post.id.to_string(),
        title: post.title.as_ref().to_owned(),
        content: post.content.as_ref().to_owned(),
        avatar_url: avatars.get(&post.author.sub).cloned(),
        user_id: post.author.sub,
        user_name: post.author.username,
        created_at: rfc3339(post.created_at_ms),
        updated_at: rfc3339(post.updated_at_ms),
        version: post.version,
        comment_count: post.comment_count,
        images: post
            .images
            .iter()
            .map(|image| app::dto::PostImage {
                picture_id: image.picture.to_string(),
                alt: image.alt.as_ref().to_owned(),
                large: variant_response(&image.variants.large),
                small: variant_response(&image.variants.small),
            })
            .collect(),
    }
}

/// The images a request names: at most four, each once, each described.
fn requested_images(raw: &[PostImageRequest]) -> Result<Vec<(MediaId, AltText)>, AppError> {
    if raw.len() > MAX_POST_IMAGES {
        return Err(AppError::invalid_field(
            "images",
            format!("A post shows at most {MAX_POST_IMAGES} images."),
        ));
    }
    let mut images: Vec<(MediaId, AltText)> = Vec::with_capacity(raw.len());
    for (n, image) in raw.iter().enumerate() {
        let which = n + 1;
        let id = MediaId::parse(&image.picture_id, "images").map_err(|_| {
            AppError::invalid_field(
                "images",
                format!("Image {which}: that is not a picture id."),
            )
        })?;
        let alt = AltText::parse(&image.alt).map_err(|err| {
            AppError::invalid_field("images", format!("Image {which}: {}", err.message))
        })?;
        if images.iter().any(|(seen, _)| *seen == id) {
            return Err(AppError::invalid_field(
                "images",
                format!("Image {which} is listed twice."),
            ));
        }
        images.push((id, alt));
    }
    Ok(images)
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

fn not_yours() -> AppError {
    AppError::forbidden("Only the author can change this post.")
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
            posts: self.responses(page.posts).await,
            next_cursor: page.next_before.map(|before| encode_before(before.get())),
        })
    }

    async fn get_post(&self, id: &str) -> Result<PostResponse, AppError> {
        let post = self.store.get(post_id(id)?).await.map_err(store_failed)?;
        Ok(self.one_response(post.ok_or_else(no_such_post)?).await)
    }

    async fn create_post(
        &self,
        caller: &Caller,
        request: PostRequest,
    ) -> Result<PostResponse, AppError> {
        let title = PostTitle::parse(&request.title)?;
        let content = PostContent::parse(&request.content)?;
        let requested = requested_images(&request.images)?;
        let id = self.store.next_id().await.map_err(store_failed)?;
        let images = self.attach(&caller.sub, id, &requested, &[]).await?;
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
            images,
            comment_count: 0,
        };
        if let Err(err) = self.store.create(&post).await {
            self.let_go(&caller.sub, id, &post.images, &[]).await;
            return Err(store_failed(err));
        }
        Ok(self.one_response(post).await)
    }

    async fn update_post(
        &self,
        caller: &Caller,
        id: &str,
        request: UpdatePostRequest,
    ) -> Result<PostResponse, AppError> {
        let id = post_id(id)?;
        let title = PostTitle::parse(&request.title)?;
        let content = PostContent::parse(&request.content)?;
        let requested = request
            .images
            .as_deref()
            .map(requested_images)
            .transpose()?;
        let mut attempts = 0;
        loop {
            attempts += 1;
            let current = self
                .store
                .get(id)
                .await
                .map_err(store_failed)?
                .ok_or_else(no_such_post)?;
            if current.author.sub != caller.sub {
                return Err(not_yours());
            }
            let expected_version = request.version.unwrap_or(current.version);
            if expected_version != current.version {
                return Err(AppError::stale_post(self.one_response(current).await));
            }
            let images = match &requested {
                Some(requested) => {
                    self.attach(&caller.sub, id, requested, &current.images)
                        .await?
                }
                None => current.images.clone(),
            };
            let edit = PostEdit {
                title: title.clone(),
                content: content.clone(),
                images,
                expected_version,
                at_ms: self.clock.now_ms(),
            };
            match self.store.update(id, &caller.sub, &edit).await {
                Ok(post) => {
                    self.discard_dropped(&caller.sub, &current.images, &post.images)
                        .await;
                    return Ok(self.one_response(post).await);
                }
                Err(err) => {
                    self.let_go(&caller.sub, id, &edit.images, &current.images)
                        .await;
                    let retry = request.version.is_none()
                        && matches!(err, PostWriteError::Stale(_))
                        && attempts < UNVERSIONED_EDIT_ATTEMPTS;
                    if !retry {
                        return Err(self.refused(err).await);
                    }
                }
            }
        }
    }

    async fn delete_post(&self, caller: &Caller, id: &str) -> Result<MessageResponse, AppError> {
        let deleted = match self.store.delete(post_id(id)?, &caller.sub).await {
            Ok(deleted) => deleted,
            Err(err) => return Err(self.refused(err).await),
        };
        self.discard_dropped(&caller.sub, &deleted.images, &[])
            .await;
        // The post is gone, so no comment can join it and none is shown: what is left of
        // its thread is only removed here, and a failure leaves nothing readable.
        if let Err(err) = self.comments.delete_all(deleted.id).await {
            tracing::error!(error = %error_chain(&err), post = %deleted.id, "could not delete a deleted post's comments");
        }
        Ok(MessageResponse::new("The post was deleted."))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{
        ports::{ManualClock, MediaCatalog, MediaKey, MediaRecord, Picture, Stage, Variant},
        services::fakes::{Failing, InMemoryMedia, InMemoryPosts, caller},
    };
    use app::{domain::ImageType, dto::UploadPurpose, error::ErrorCode};

    const NOW_MS: i64 = 1_800_000_000_123;

    fn pictures(media: &Arc<InMemoryMedia>) -> Pictures {
        Pictures::new(media.clone(), media.clone())
    }

    fn service() -> Posts<InMemoryPosts, ManualClock> {
        board().0
    }

    /// The post service and the pictures it attaches.
    fn board() -> (Posts<InMemoryPosts, ManualClock>, Arc<InMemoryMedia>) {
        let media = Arc::new(InMemoryMedia::default());
        let store = InMemoryPosts::default();
        let posts = Posts::new(
            store.clone(),
            ManualClock::at_ms(NOW_MS),
            pictures(&media),
            Arc::new(store),
        );
        (posts, media)
    }

    /// A completed picture of `owner`'s, its files in the store; `n` makes it unique.
    async fn ready_picture(
        media: &InMemoryMedia,
        owner: &str,
        purpose: UploadPurpose,
        n: u8,
    ) -> MediaId {
        let id = MediaId::parse(&format!("{n:032x}"), "id").unwrap();
        let variant = |size: u8, width| Variant {
            key: MediaKey::variant(&format!("{n:02x}{size:02x}").repeat(16), ImageType::Jpeg)
                .unwrap(),
            width,
            height: 10,
        };
        let picture = Picture {
            large: variant(1, 1600),
            small: variant(2, 480),
        };
        for key in picture.keys() {
            media.put(key, vec![n]);
        }
        media
            .insert(&MediaRecord {
                id: id.clone(),
                owner: owner.to_owned(),
                purpose,
                content_type: ImageType::Jpeg,
                declared_bytes: 10,
                upload_key: MediaKey::upload(owner, &id).unwrap(),
                created_at_ms: NOW_MS,
                stage_since_ms: NOW_MS,
                stage: Stage::Ready(picture),
            })
            .await
            .unwrap();
        id
    }

    fn image(id: &MediaId, alt: &str) -> PostImageRequest {
        PostImageRequest {
            picture_id: id.to_string(),
            alt: alt.to_owned(),
        }
    }

    fn with_images(title: &str, images: Vec<PostImageRequest>) -> PostRequest {
        PostRequest {
            images,
            ..request(title)
        }
    }

    fn request(title: &str) -> PostRequest {
        PostRequest {
            title: title.to_owned(),
            content: "Some text".to_owned(),
            images: Vec::new(),
        }
    }

    fn edit(title: &str, version: Option<u64>) -> UpdatePostRequest {
        UpdatePostRequest {
            title: title.to_owned(),
            content: "Changed".to_owned(),
            version,
            images: None,
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
                images: Vec::new(),
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

    #[tokio::test]
    async fn a_post_shows_its_images_in_order_with_their_sizes() {
        let (posts, media) = board();
        let first = ready_picture(&media, "sub-alice", UploadPurpose::Post, 1).await;
        let second = ready_picture(&media, "sub-alice", UploadPurpose::Post, 2).await;

        let post = posts
            .create_post(
                &caller("alice"),
                with_images(
                    "Pictures",
                    vec![image(&second, "A boat"), image(&first, "A dock")],
                ),
            )
            .await
            .unwrap();

        let shown: Vec<(&str, &str, u32)> = post
            .images
            .iter()
            .map(|i| (i.picture_id.as_str(), i.alt.as_str(), i.large.width))
            .collect();
        assert_eq!(
            shown,
            [
                (second.as_ref(), "A boat", 1600),
                (first.as_ref(), "A dock", 1600)
            ]
        );
        assert!(post.images[0].small.url.starts_with("/media/"));
        assert_eq!(posts.get_post("1").await.unwrap().images, post.images);
        let record = media.get("sub-alice", &first).await.unwrap().unwrap();
        assert!(
            matches!(record.stage, Stage::Attached(_, crate::ports::Attachment::Post(id)) if id.get() == 1)
        );
    }

    #[tokio::test]
    async fn images_that_cannot_be_attached_are_refused_by_number_and_nothing_is_stored() {
        let (posts, media) = board();
        let alice = caller("alice");
        let mine = ready_picture(&media, "sub-alice", UploadPurpose::Post, 1).await;
        let theirs = ready_picture(&media, "sub-bob", UploadPurpose::Post, 2).await;
        let avatar = ready_picture(&media, "sub-alice", UploadPurpose::Avatar, 3).await;
        let used = ready_picture(&media, "sub-alice", UploadPurpose::Post, 4).await;
        posts
            .create_post(&alice, with_images("first", vec![image(&used, "x")]))
            .await
            .unwrap();
        let five = (10..15u8)
            .map(|n| image(&MediaId::parse(&format!("{n:032x}"), "id").unwrap(), "x"))
            .collect();

        for (images, says) in [
            (
                vec![image(&mine, "ok"), image(&theirs, "x")],
                "Image 2 is not one of your pictures.",
            ),
            (
                vec![image(&avatar, "x")],
                "Image 1 is a profile picture; upload it for a post.",
            ),
            (
                vec![image(&used, "x")],
                "Image 1 is already in another post.",
            ),
            (
                vec![image(&mine, "a"), image(&mine, "b")],
                "Image 2 is listed twice.",
            ),
            (
                vec![image(&mine, " ")],
                "Image 1: Describe the image for people who cannot see it.",
            ),
            (five, "A post shows at most 4 images."),
        ] {
            let err = posts
                .create_post(&alice, with_images("second", images))
                .await
                .unwrap_err();
            assert_eq!(
                (err.code, err.field.as_deref(), err.error.as_str()),
                (ErrorCode::BadRequest, Some("images"), says)
            );
        }
        assert_eq!(posts.list_posts(None, None).await.unwrap().posts.len(), 1);
        let record = media.get("sub-alice", &mine).await.unwrap().unwrap();
        assert!(
            matches!(record.stage, Stage::Ready(_)),
            "let go again: {record:?}"
        );
    }

    #[tokio::test]
    async fn an_edit_replaces_the_images_and_deletes_those_left_out() {
        let (posts, media) = board();
        let alice = caller("alice");
        let kept = ready_picture(&media, "sub-alice", UploadPurpose::Post, 1).await;
        let dropped = ready_picture(&media, "sub-alice", UploadPurpose::Post, 2).await;
        let added = ready_picture(&media, "sub-alice", UploadPurpose::Post, 3).await;
        posts
            .create_post(
                &alice,
                with_images("t", vec![image(&kept, "k"), image(&dropped, "d")]),
            )
            .await
            .unwrap();
        let objects_before = media.object_count();

        let edited = posts
            .update_post(
                &alice,
                "1",
                UpdatePostRequest {
                    images: Some(vec![image(&added, "new"), image(&kept, "kept, described")]),
                    ..edit("t2", Some(1))
                },
            )
            .await
            .unwrap();

        let ids: Vec<&str> = edited
            .images
            .iter()
            .map(|i| i.picture_id.as_str())
            .collect();
        assert_eq!(ids, [added.as_ref(), kept.as_ref()]);
        assert_eq!(edited.images[1].alt, "kept, described");
        assert!(media.get("sub-alice", &dropped).await.unwrap().is_none());
        assert_eq!(media.object_count(), objects_before - 2);

        let text_only = posts
            .update_post(&alice, "1", edit("t3", None))
            .await
            .unwrap();
        assert_eq!(
            text_only.images, edited.images,
            "no images field keeps them"
        );
    }

    #[tokio::test]
    async fn deleting_a_post_deletes_its_pictures() {
        let (posts, media) = board();
        let alice = caller("alice");
        let picture = ready_picture(&media, "sub-alice", UploadPurpose::Post, 1).await;
        posts
            .create_post(&alice, with_images("t", vec![image(&picture, "p")]))
            .await
            .unwrap();

        posts.delete_post(&alice, "1").await.unwrap();

        assert!(media.get("sub-alice", &picture).await.unwrap().is_none());
        assert_eq!(media.object_count(), 0);
    }

    #[tokio::test]
    async fn posts_show_their_authors_current_profile_picture() {
        let (posts, media) = board();
        let avatar = ready_picture(&media, "sub-alice", UploadPurpose::Avatar, 9).await;
        posts
            .create_post(&caller("alice"), request("before"))
            .await
            .unwrap();
        posts
            .create_post(&caller("bob"), request("no picture"))
            .await
            .unwrap();

        media
            .set_avatar("sub-alice", &avatar, NOW_MS)
            .await
            .unwrap();

        let page = posts.list_posts(None, None).await.unwrap();
        let by_alice = page.posts.iter().find(|p| p.user_name == "alice").unwrap();
        let by_bob = page.posts.iter().find(|p| p.user_name == "bob").unwrap();
        assert!(
            by_alice
                .avatar_url
                .as_deref()
                .is_some_and(|url| url.starts_with("/media/"))
        );
        assert_eq!(by_bob.avatar_url, None);
    }

    #[test]
    fn times_are_rfc3339_utc_with_milliseconds() {
        assert_eq!(rfc3339(1_800_000_000_123), "2027-01-15T08:00:00.123Z");
    }

    #[tokio::test]
    async fn a_store_that_is_down_is_503_and_one_with_unreadable_data_is_500() {
        let media = Arc::new(InMemoryMedia::default());
        let comments = Arc::new(InMemoryPosts::default());
        let down = Posts::new(
            Failing::Unavailable,
            ManualClock::at_ms(NOW_MS),
            pictures(&media),
            comments.clone(),
        );
        let broken = Posts::new(
            Failing::Corrupt,
            ManualClock::at_ms(NOW_MS),
            pictures(&media),
            comments,
        );

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
