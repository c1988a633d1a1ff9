//! Comments under posts. Each write moves the post's comment count in the same atomic step,
//! and writing under a post that is gone fails, so the count is exact and no comment is
//! born an orphan.

use app::domain::{CommentId, CommentText, PostId};
use async_trait::async_trait;

use super::{Author, StoreError};

/// A stored comment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Comment {
    /// Its id, which sorts oldest first.
    pub id: CommentId,
    /// The post it is under.
    pub post: PostId,
    /// What it says.
    pub text: CommentText,
    /// Who wrote it.
    pub author: Author,
    /// Milliseconds since the Unix epoch.
    pub created_at_ms: i64,
    /// Milliseconds since the Unix epoch of the last edit (or creation).
    pub updated_at_ms: i64,
    /// 1 at creation, one more per edit.
    pub version: u64,
}

/// An edit: the new text and the version it replaces.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommentEdit {
    /// New text.
    pub text: CommentText,
    /// The version the edit replaces; any other is refused as stale.
    pub expected_version: u64,
    /// When, in milliseconds since the Unix epoch.
    pub at_ms: i64,
}

/// One page of a post's comments, oldest first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommentPage {
    /// At most the requested number.
    pub comments: Vec<Comment>,
    /// Where the next page starts (comments after this one), if there are more.
    pub next_after: Option<CommentId>,
}

impl CommentPage {
    /// A page from a query that asked for one comment more than `limit`.
    pub fn from_overfetch(mut comments: Vec<Comment>, limit: usize) -> Self {
        let more = comments.len() > limit;
        comments.truncate(limit);
        let next_after = if more {
            comments.last().map(|comment| comment.id.clone())
        } else {
            None
        };
        Self {
            comments,
            next_after,
        }
    }
}

/// Who is deleting a comment, which decides what the store checks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Remover {
    /// Its author (`sub`).
    Author(String),
    /// The author (`sub`) of the post it is under: moderation of one's own thread.
    PostAuthor(String),
}

/// Why a comment write did not happen. The write's own condition decides; the variants
/// only explain it.
#[derive(Debug, thiserror::Error)]
pub enum CommentWriteError {
    /// The post does not exist (never did, or was deleted).
    #[error("no such post")]
    PostNotFound,
    /// The post has no comment with this id.
    #[error("no such comment")]
    NotFound,
    /// The comment (or, for a moderator, the post) belongs to someone else.
    #[error("the comment belongs to someone else")]
    NotYours,
    /// The comment changed since the editor's version; here it is now.
    #[error("the comment changed since it was read")]
    Stale(Box<Comment>),
    /// The store failed; nothing was written.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl CommentWriteError {
    /// Why an edit by `editor_sub` was refused, from the comment as it is after the refusal.
    pub fn edit_refused(current: Option<Comment>, editor_sub: &str) -> Self {
        match current {
            None => Self::NotFound,
            Some(comment) if comment.author.sub != editor_sub => Self::NotYours,
            Some(comment) => Self::Stale(Box::new(comment)),
        }
    }
}

/// The comments of every post.
#[async_trait]
pub trait CommentStore: Send + Sync {
    /// Stores a new comment and adds one to its post's count, atomically; refused if the
    /// post does not exist.
    async fn add(&self, comment: &Comment) -> Result<(), CommentWriteError>;
    /// The comment, if it and its post exist.
    async fn get(&self, post: PostId, id: &CommentId) -> Result<Option<Comment>, StoreError>;
    /// Up to `limit` comments of the post, oldest first, after `after` when given; `None`
    /// when the post does not exist (its leftover comments are never shown).
    async fn list(
        &self,
        post: PostId,
        limit: usize,
        after: Option<&CommentId>,
    ) -> Result<Option<CommentPage>, StoreError>;
    /// Applies `edit` if `editor_sub` wrote the comment and the version matches.
    async fn update(
        &self,
        post: PostId,
        id: &CommentId,
        editor_sub: &str,
        edit: &CommentEdit,
    ) -> Result<Comment, CommentWriteError>;
    /// Deletes the comment if `by` may, and takes one from its post's count, atomically.
    async fn delete(
        &self,
        post: PostId,
        id: &CommentId,
        by: &Remover,
    ) -> Result<(), CommentWriteError>;
    /// Deletes every comment of a post that was just deleted; how many went.
    async fn delete_all(&self, post: PostId) -> Result<u64, StoreError>;
}
