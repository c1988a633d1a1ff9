//! The board's storage, and the rule both adapters use to number posts.

use app::domain::{AltText, MediaId, PostContent, PostId, PostTitle};
use async_trait::async_trait;

use super::{CounterStore, Picture, StoreError};

/// The counter post ids come from.
const POST_ID_COUNTER: &str = "post_id";

/// The next post id from `counters`: one atomic step, so no id is handed out twice, and
/// deleted posts never give theirs back.
pub async fn next_post_id(counters: &impl CounterStore) -> Result<PostId, StoreError> {
    let value = counters.increment(POST_ID_COUNTER).await?;
    PostId::from_counter(value)
        .ok_or_else(|| StoreError::Corrupt(format!("post id counter at {value}")))
}

/// Who wrote a post, as their verified token said.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Author {
    /// Stable user id; ownership is checked against it.
    pub sub: String,
    /// Username at the time of writing, for display.
    pub username: String,
}

/// An image in a post: the author's picture, attached to the post, and its description.
/// The sizes are copied into the post, so showing a page of posts reads only posts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PostImage {
    /// The picture (its record is attached to this post).
    pub picture: MediaId,
    /// What it shows.
    pub alt: AltText,
    /// Its sizes.
    pub variants: Picture,
}

/// A stored post.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Post {
    /// Its number.
    pub id: PostId,
    /// Plain-text title.
    pub title: PostTitle,
    /// Plain-text body.
    pub content: PostContent,
    /// Who wrote it.
    pub author: Author,
    /// Milliseconds since the Unix epoch.
    pub created_at_ms: i64,
    /// Milliseconds since the Unix epoch of the last edit (or creation).
    pub updated_at_ms: i64,
    /// 1 at creation, one more per edit.
    pub version: u64,
    /// Up to four images in order; posts from before pictures have none.
    pub images: Vec<PostImage>,
    /// How many comments it has; only comment writes change it.
    pub comment_count: u64,
}

/// An edit: the new text and images, and the version they replace.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PostEdit {
    /// New title.
    pub title: PostTitle,
    /// New body.
    pub content: PostContent,
    /// The images from now on.
    pub images: Vec<PostImage>,
    /// The version the edit replaces; any other is refused as stale.
    pub expected_version: u64,
    /// When the edit happens, in milliseconds since the Unix epoch.
    pub at_ms: i64,
}

/// One page of the board, newest first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PostPage {
    /// At most the requested number of posts.
    pub posts: Vec<Post>,
    /// Where the next page starts (posts with smaller ids), if there are more.
    pub next_before: Option<PostId>,
}

impl PostPage {
    /// A page from a query that asked for one post more than `limit`: that extra post only
    /// says there is a next page, which starts below the last post shown.
    pub fn from_overfetch(mut posts: Vec<Post>, limit: usize) -> Self {
        let more = posts.len() > limit;
        posts.truncate(limit);
        let next_before = if more {
            posts.last().map(|post| post.id)
        } else {
            None
        };
        Self { posts, next_before }
    }
}

/// Why an edit or a deletion did not happen. The write's own condition decides; the
/// variants only explain it.
#[derive(Debug, thiserror::Error)]
pub enum PostWriteError {
    /// No post has this id (never had, or deleted).
    #[error("no such post")]
    NotFound,
    /// The post belongs to someone else.
    #[error("the post belongs to someone else")]
    NotYours,
    /// The post changed since the editor's version; here is what it is now.
    #[error("the post changed since it was read")]
    Stale(Box<Post>),
    /// The store failed; nothing was written.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl PostWriteError {
    /// Why an edit by `editor_sub` was refused, from the post as it is after the refusal.
    pub fn edit_refused(current: Option<Post>, editor_sub: &str) -> Self {
        match current {
            None => Self::NotFound,
            Some(post) if post.author.sub != editor_sub => Self::NotYours,
            Some(post) => Self::Stale(Box::new(post)),
        }
    }

    /// Why a deletion was refused: the only condition is ownership, so a post that still
    /// exists belongs to someone else.
    pub fn delete_refused(current: Option<Post>) -> Self {
        match current {
            None => Self::NotFound,
            Some(_) => Self::NotYours,
        }
    }
}

/// The board's posts. Ownership and versions are checked by each write itself, so two
/// concurrent writers can never both win.
#[async_trait]
pub trait PostStore: Send + Sync {
    /// A new id, never handed out before, even after deletions.
    async fn next_id(&self) -> Result<PostId, StoreError>;
    /// Stores a new post under an id from [`Self::next_id`].
    async fn create(&self, post: &Post) -> Result<(), StoreError>;
    /// The post, if it exists.
    async fn get(&self, id: PostId) -> Result<Option<Post>, StoreError>;
    /// Up to `limit` posts, newest first, older than `before` when given.
    async fn list(&self, limit: usize, before: Option<PostId>) -> Result<PostPage, StoreError>;
    /// Applies `edit` if `editor_sub` owns the post and the version matches; returns the
    /// post as stored afterwards.
    async fn update(
        &self,
        id: PostId,
        editor_sub: &str,
        edit: &PostEdit,
    ) -> Result<Post, PostWriteError>;
    /// Deletes the post if `owner_sub` owns it, returning it as it was (its images and
    /// comments are deleted next). From then on no comment can be added under it.
    async fn delete(&self, id: PostId, owner_sub: &str) -> Result<Post, PostWriteError>;
}
