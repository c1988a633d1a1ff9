//! The traits services need from storage and identity. Adapters implement them; one contract
//! test suite per trait runs against every adapter so they cannot drift apart.

use app::domain::{ConfirmationCode, Email, Password, PostContent, PostId, PostTitle, Username};
use async_trait::async_trait;

/// Why a store call failed. Adapters keep the SDK or driver error as the source, for the log.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database could not be reached or refused the call; nothing was written.
    #[error("the store is unavailable")]
    Unavailable(#[source] Box<dyn std::error::Error + Send + Sync>),
    /// The store answered with data this build cannot read.
    #[error("the store returned unreadable data: {0}")]
    Corrupt(String),
}

/// Named counters that only go up, each step atomic: they number visits and, later, posts, so
/// two concurrent callers never receive the same value.
#[async_trait]
pub trait CounterStore: Send + Sync {
    /// Adds one to `counter` (starting from zero) and returns the new value.
    async fn increment(&self, counter: &str) -> Result<u64, StoreError>;
}

/// Why an identity call failed, in terms the service can act on. Wrong password, unknown user
/// and (for confirm and resend) unknown user again are deliberately one variant each, so no
/// answer reveals whether a username exists.
#[derive(Debug, thiserror::Error)]
pub enum IdentityError {
    /// Sign-up with a username someone already has.
    #[error("the username is taken")]
    UsernameTaken,
    /// The provider refused the password (its policy may be stricter than ours).
    #[error("the password does not meet the policy")]
    PasswordRejected,
    /// Unknown user or wrong password.
    #[error("invalid username or password")]
    InvalidCredentials,
    /// Right password, but the email address was never confirmed.
    #[error("the account is not confirmed")]
    NotConfirmed,
    /// The code is wrong, expired, used up, or the user is unknown.
    #[error("the confirmation code is not valid")]
    InvalidCode,
    /// Too many wrong codes or too many requests: wait and retry.
    #[error("too many attempts; retry in {retry_after_secs} s")]
    Throttled {
        /// When the caller may try again.
        retry_after_secs: u64,
    },
    /// The refresh token is unknown, expired, revoked or reused after its grace period.
    #[error("the session is no longer valid")]
    SessionInvalid,
    /// The provider could not be reached or failed; nothing changed.
    #[error("the identity provider is unavailable")]
    Unavailable(#[source] Box<dyn std::error::Error + Send + Sync>),
}

/// What the refresh cookie holds: enough to refresh or revoke one session. Its `Debug`
/// hides the token.
#[derive(Clone, PartialEq, Eq)]
pub struct SessionHandle {
    /// Whom the session belongs to, as the provider names them internally (Cognito computes
    /// `SECRET_HASH` on refresh over this name).
    pub subject: String,
    /// The provider's refresh token, opaque here.
    pub refresh_token: String,
}

impl std::fmt::Debug for SessionHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SessionHandle")
            .field("subject", &self.subject)
            .finish_non_exhaustive()
    }
}

/// Tokens from a log-in or a refresh.
#[derive(Debug, Clone)]
pub struct IssuedTokens {
    /// RS256 JWT for `Authorization: Bearer`.
    pub access_token: String,
    /// RS256 JWT describing the person.
    pub id_token: String,
    /// Seconds the access token lives.
    pub expires_in: u64,
    /// A new session handle when the provider issued one (always at log-in; on refresh when
    /// it rotates refresh tokens).
    pub session: Option<SessionHandle>,
}

/// The person behind a verified access token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    /// Stable user id.
    pub sub: String,
    /// Login name at the time the token was issued.
    pub username: String,
    /// The raw token, for providers that look the user up by it (Cognito `GetUser`).
    pub access_token: String,
}

/// The person's account as the provider stores it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Profile {
    /// Stable user id.
    pub sub: String,
    /// Login name.
    pub username: String,
    /// Their address.
    pub email: String,
    /// Whether the address was confirmed.
    pub email_verified: bool,
}

/// Accounts and sessions: Cognito on AWS, the local identity provider on the embedded
/// default. Passwords and codes never leave this port's adapters except as calls to it.
#[async_trait]
pub trait IdentityProvider: Send + Sync {
    /// Creates an unconfirmed account and sends a confirmation code to `email`.
    async fn sign_up(
        &self,
        username: &Username,
        password: &Password,
        email: &Email,
    ) -> Result<(), IdentityError>;
    /// Confirms the account's email with the code that was sent.
    async fn confirm(
        &self,
        username: &Username,
        code: &ConfirmationCode,
    ) -> Result<(), IdentityError>;
    /// Sends a new code to an unconfirmed account; silently does nothing for unknown users.
    async fn resend_code(&self, username: &Username) -> Result<(), IdentityError>;
    /// Checks the password and opens a session.
    async fn log_in(
        &self,
        username: &Username,
        password: &Password,
    ) -> Result<IssuedTokens, IdentityError>;
    /// New access and ID tokens for a live session.
    async fn refresh(&self, session: &SessionHandle) -> Result<IssuedTokens, IdentityError>;
    /// Ends this session only: its refresh token stops working at once.
    async fn log_out(&self, session: &SessionHandle) -> Result<(), IdentityError>;
    /// The account behind a verified access token.
    async fn profile(&self, principal: &Principal) -> Result<Profile, IdentityError>;
}

/// Who wrote a post, as their verified token said.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Author {
    /// Stable user id; ownership is checked against it.
    pub sub: String,
    /// Username at the time of writing, for display.
    pub username: String,
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
}

/// An edit: the new text, and the version the editor saw (none: overwrite whatever is there).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PostEdit {
    /// New title.
    pub title: PostTitle,
    /// New body.
    pub content: PostContent,
    /// The version the editor started from.
    pub expected_version: Option<u64>,
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
    /// Deletes the post if `owner_sub` owns it.
    async fn delete(&self, id: PostId, owner_sub: &str) -> Result<(), PostWriteError>;
}
