//! The interface server functions call, implemented by the server crate.
//!
//! It lives here because `#[server]` bodies are compiled in this crate, which cannot depend on
//! the server. The server puts an `Arc<dyn …>` of each trait into the Leptos context; REST
//! handlers call the same implementation, so both surfaces share every rule.
//!
//! Nothing here is HTTP: the edge authenticates a request once and hands the services a
//! [`Caller`]; it reads the refresh cookie and hands them a [`SessionHandle`]; services say
//! what becomes of the session ([`SessionCookie`]) and the edge writes the cookie.

use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use leptos::prelude::use_context;

use crate::{
    dto::{
        AddMemberRequest, AvatarResponse, ChatMessage, ChatRoom, CommentPageResponse,
        CommentRequest, CommentResponse, ConfirmEmailRequest, CreateRoomRequest,
        CreateUploadRequest, FlagsResponse, LoginRequest, MarkReadRequest, MarkReadResponse,
        MessageResponse, MessagesResponse, MyInfoResponse, PictureResponse, PostPageResponse,
        PostRequest, PostResponse, ResendEmailRequest, RoomsResponse, SendMessageRequest,
        SetAvatarRequest, SignupRequest, SocketTicketResponse, TokenResponse, UpdateCommentRequest,
        UpdatePostRequest, UploadTicketResponse,
    },
    error::AppError,
};

/// The person behind a verified access token: what every write and every "mine" check needs,
/// and nothing a service could mistake for a credential.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Caller {
    /// Stable user id; ownership is checked against it.
    pub sub: String,
    /// Login name at the time the token was issued, for display.
    pub username: String,
    /// The groups the token names (`cognito:groups`), which feature flags target.
    pub groups: Vec<String>,
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

/// The refresh cookies a request carried. Browsers send every cookie whose domain and path
/// match, so a sibling subdomain can plant one of the same name; with two present nobody
/// can tell which is ours, and the service must not guess (it could pin the person into the
/// planter's session).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum PresentedSession {
    /// No refresh cookie: a visitor, or a signed-out browser.
    #[default]
    Absent,
    /// Exactly one well-formed refresh cookie.
    One(SessionHandle),
    /// Several cookies of that name.
    Ambiguous(Vec<SessionHandle>),
}

/// What becomes of the refresh cookie after a call. Services decide this; the edge owns the
/// cookie's name, attributes and lifetime.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum SessionCookie {
    /// Leave the cookie as it is.
    #[default]
    Unchanged,
    /// Store this session (a log-in, or a rotated refresh token).
    Set(SessionHandle),
    /// Forget the session in this browser.
    Clear,
}

/// An answer plus what the session cookie must become.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WithCookies<T> {
    /// The response body.
    pub body: T,
    /// The change to the refresh cookie.
    pub session: SessionCookie,
}

/// Accounts and sessions.
#[async_trait]
pub trait AccountService: Send + Sync {
    /// Creates an unconfirmed account and sends a code.
    async fn sign_up(&self, request: SignupRequest) -> Result<MessageResponse, AppError>;
    /// Confirms an email address with its code.
    async fn confirm_email(
        &self,
        request: ConfirmEmailRequest,
    ) -> Result<MessageResponse, AppError>;
    /// Sends a new code.
    async fn resend_email(&self, request: ResendEmailRequest) -> Result<MessageResponse, AppError>;
    /// Opens a session: tokens in the body, the session in the cookie.
    async fn log_in(&self, request: LoginRequest) -> Result<WithCookies<TokenResponse>, AppError>;
    /// New tokens for the cookie's session; `None` when the request carries no session at
    /// all (a visitor who never logged in), which is not an error for restoring a session.
    /// Several cookies are refused (401) and the cookie cleared.
    async fn refresh(
        &self,
        session: PresentedSession,
    ) -> Result<Option<WithCookies<TokenResponse>>, AppError>;
    /// Revokes every session the cookies name and clears the cookie, whatever state the
    /// access token is in.
    async fn log_out(
        &self,
        session: PresentedSession,
    ) -> Result<WithCookies<MessageResponse>, AppError>;
    /// The caller's account.
    async fn my_info(&self, caller: &Caller) -> Result<MyInfoResponse, AppError>;
}

/// The board. Reading needs no account; writing needs a [`Caller`].
#[async_trait]
pub trait PostService: Send + Sync {
    /// Up to `limit` posts (1–100, default 20), newest first, after `cursor`.
    async fn list_posts(
        &self,
        limit: Option<u32>,
        cursor: Option<String>,
    ) -> Result<PostPageResponse, AppError>;
    /// One post by its id as written in a URL; a malformed id names no post (404).
    async fn get_post(&self, id: &str) -> Result<PostResponse, AppError>;
    /// Publishes a post by the caller.
    async fn create_post(
        &self,
        caller: &Caller,
        request: PostRequest,
    ) -> Result<PostResponse, AppError>;
    /// Edits the caller's own post; a stale `version` is a 409 carrying the current post.
    async fn update_post(
        &self,
        caller: &Caller,
        id: &str,
        request: UpdatePostRequest,
    ) -> Result<PostResponse, AppError>;
    /// Deletes the caller's own post.
    async fn delete_post(&self, caller: &Caller, id: &str) -> Result<MessageResponse, AppError>;
}

/// Feature flags as they apply to one person (or to a visitor).
#[async_trait]
pub trait FlagService: Send + Sync {
    /// Every flag evaluated for `caller` (`None`: a visitor).
    async fn flags(&self, caller: Option<&Caller>) -> Result<FlagsResponse, AppError>;
}

/// Comments under posts. Reading needs no account; writing needs a [`Caller`]. A missing or
/// deleted post has no comments to read or write (404).
#[async_trait]
pub trait CommentService: Send + Sync {
    /// Up to `limit` comments (1–100, default 50), oldest first, after `cursor`, for
    /// `viewer` (`None`: a visitor).
    async fn comments(
        &self,
        viewer: Option<&Caller>,
        post_id: &str,
        limit: Option<u32>,
        cursor: Option<String>,
    ) -> Result<CommentPageResponse, AppError>;
    /// Writes a comment as the caller.
    async fn add_comment(
        &self,
        caller: &Caller,
        post_id: &str,
        request: CommentRequest,
    ) -> Result<CommentResponse, AppError>;
    /// Edits the caller's own comment; a stale `version` is a 409 carrying the current one.
    async fn edit_comment(
        &self,
        caller: &Caller,
        post_id: &str,
        comment_id: &str,
        request: UpdateCommentRequest,
    ) -> Result<CommentResponse, AppError>;
    /// Deletes a comment: the caller's own, or any on the caller's own post.
    async fn delete_comment(
        &self,
        caller: &Caller,
        post_id: &str,
        comment_id: &str,
    ) -> Result<MessageResponse, AppError>;
}

/// Chat rooms. Only members see a room or its messages; to anyone else a room is a 404,
/// exactly like one that does not exist.
#[async_trait]
pub trait ChatService: Send + Sync {
    /// A room with the caller and the named people; with one other person and no name,
    /// their direct conversation, found if it exists.
    async fn create_room(
        &self,
        caller: &Caller,
        request: CreateRoomRequest,
    ) -> Result<ChatRoom, AppError>;
    /// The caller's rooms, most recent activity first, with the unread total.
    async fn my_rooms(&self, caller: &Caller) -> Result<RoomsResponse, AppError>;
    /// One room the caller is in.
    async fn room(&self, caller: &Caller, room_id: &str) -> Result<ChatRoom, AppError>;
    /// Sends a message as the caller, and pushes it to every member's open sockets.
    async fn send(
        &self,
        caller: &Caller,
        request: SendMessageRequest,
    ) -> Result<ChatMessage, AppError>;
    /// Up to `limit` messages (1–100, default 20), newest first, older than `cursor`.
    async fn messages(
        &self,
        caller: &Caller,
        room_id: &str,
        limit: Option<u32>,
        cursor: Option<String>,
    ) -> Result<MessagesResponse, AppError>;
    /// Marks the room read up to a message.
    async fn mark_read(
        &self,
        caller: &Caller,
        room_id: &str,
        request: MarkReadRequest,
    ) -> Result<MarkReadResponse, AppError>;
    /// Takes the caller out of the room.
    async fn leave(&self, caller: &Caller, room_id: &str) -> Result<(), AppError>;
    /// Adds someone to a room the caller is in.
    async fn add_member(
        &self,
        caller: &Caller,
        room_id: &str,
        request: AddMemberRequest,
    ) -> Result<ChatRoom, AppError>;
    /// A single-use ticket that admits one socket for the caller.
    async fn socket_ticket(&self, caller: &Caller) -> Result<SocketTicketResponse, AppError>;
    /// Redeems a ticket as a socket opens: whose socket it is, or a 401.
    async fn open_socket(&self, ticket: &str) -> Result<Caller, AppError>;
}

/// Pictures: uploads straight to storage, checked and re-encoded before anyone sees them.
#[async_trait]
pub trait MediaService: Send + Sync {
    /// Signed permission for the caller to upload one file of the declared type and size.
    async fn create_upload(
        &self,
        caller: &Caller,
        request: CreateUploadRequest,
    ) -> Result<UploadTicketResponse, AppError>;
    /// Checks the uploaded file, strips its metadata and cuts it to size; only then may it
    /// be attached. The caller's own upload only (anyone else's is a 404); once only (409).
    async fn complete_upload(
        &self,
        caller: &Caller,
        upload_id: &str,
    ) -> Result<PictureResponse, AppError>;
    /// Makes a completed avatar picture the caller's profile picture; the one it replaces
    /// is deleted.
    async fn set_avatar(
        &self,
        caller: &Caller,
        request: SetAvatarRequest,
    ) -> Result<AvatarResponse, AppError>;
    /// Removes and deletes the caller's profile picture, if any.
    async fn remove_avatar(&self, caller: &Caller) -> Result<(), AppError>;
}

/// What the server learned about a request before it ran a server function: who is calling
/// and which session the cookie names. The server fills it in once per request; a server
/// function reads it and records the session change it wants sent back.
#[derive(Clone)]
pub struct RequestContext {
    /// The verified caller, or why there is none (no token, or a refused one): a 401.
    pub caller: Result<Caller, AppError>,
    /// Whether the request carried no bearer token at all (a visitor), as opposed to a
    /// refused one: reads open to visitors go ahead as one.
    pub anonymous: bool,
    /// The session(s) in the refresh cookie (sent only to `/api/auth`).
    pub session: PresentedSession,
    /// Filled in by the function; the server turns it into `Set-Cookie`.
    pub session_cookie: Arc<Mutex<SessionCookie>>,
}

/// Finds something the server provided; its absence is a wiring bug, so it is logged and
/// the client only sees a generic error.
pub fn from_context<T: Clone + Send + Sync + 'static>() -> Result<T, AppError> {
    use_context::<T>().ok_or_else(|| {
        leptos::logging::error!(
            "{} missing from the server function context",
            std::any::type_name::<T>()
        );
        AppError::internal()
    })
}

/// Finds a service the server provided.
pub fn service<T: ?Sized + Send + Sync + 'static>() -> Result<Arc<T>, AppError> {
    from_context::<Arc<T>>()
}
