//! Wire types: plain serde structs, so any client (SPA, script, mobile app) can share them.

use serde::{Deserialize, Serialize};

/// Body of `GET /api/health`, what a deploy smoke test and a load balancer look at.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HealthResponse {
    /// Always `"ok"` when the process can answer at all.
    pub status: String,
    /// Which adapters are wired in: `"local"` or `"aws"`.
    pub mode: String,
    /// The server's crate version, to tell which build answered.
    pub version: String,
}

/// How many times the board's home page has been opened, counted by the server.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct VisitsResponse {
    /// The count including the visit that asked.
    pub visits: u64,
}

/// `POST /api/auth/signup`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignupRequest {
    /// The login name to claim.
    pub username: String,
    /// The new password.
    pub password: String,
    /// Where the confirmation code goes.
    pub email: String,
}

/// `POST /api/auth/confirmEmail`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConfirmEmailRequest {
    /// The account to confirm.
    pub username: String,
    /// The six digits from the email.
    pub code: String,
}

/// `POST /api/auth/resendEmail`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResendEmailRequest {
    /// The account whose code to send again.
    pub username: String,
}

/// `POST /api/auth/login`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LoginRequest {
    /// The login name.
    pub username: String,
    /// The password.
    pub password: String,
}

/// What log-in and refresh return in the body. The refresh token is never here: it travels
/// only in an `HttpOnly` cookie.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TokenResponse {
    /// Bearer token for API calls; the SPA keeps it in memory only.
    pub access_token: String,
    /// Who the person is (username, email), for display.
    pub id_token: String,
    /// Seconds until the access token expires.
    pub expires_in: u64,
}

/// A confirmation for a person, for actions that return nothing else.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MessageResponse {
    /// What happened.
    pub message: String,
}

impl MessageResponse {
    /// A response saying `message`.
    pub fn new(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
        }
    }
}

/// `GET /api/myinfo`: the signed-in person as the identity provider knows them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MyInfoResponse {
    /// The login name.
    pub username: String,
    /// The confirmed address.
    pub email: String,
    /// Whether the address was confirmed with a code.
    pub email_verified: bool,
    /// The stable user id (`sub`), which never changes even if the username could.
    pub sub: String,
}

/// A post as every client receives it (the reference contract's shape).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PostResponse {
    /// Decimal string from an atomic counter: `"1"`, `"2"`, …
    pub id: String,
    /// Plain text, 1–200 characters.
    pub title: String,
    /// Plain text, 1–20,000 characters.
    pub content: String,
    /// The author's stable id (`sub`).
    pub user_id: String,
    /// The author's username when they wrote it.
    pub user_name: String,
    /// RFC 3339, UTC, millisecond precision.
    pub created_at: String,
    /// RFC 3339, UTC; equals `created_at` until the first edit.
    pub updated_at: String,
    /// Starts at 1, grows by one with every edit; send it back to edit without overwriting.
    pub version: u64,
}

/// `POST /api/posts`: a new post.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PostRequest {
    /// Plain text, 1–200 characters after trimming.
    pub title: String,
    /// Plain text, 1–20,000 characters.
    pub content: String,
}

/// `PUT /api/posts/{id}`: the new text, and optionally the version it was edited from
/// (without one, the edit overwrites whatever is there).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UpdatePostRequest {
    /// Plain text, 1–200 characters after trimming.
    pub title: String,
    /// Plain text, 1–20,000 characters.
    pub content: String,
    /// The version the editor started from; a stale one is refused with 409.
    #[serde(default)]
    pub version: Option<u64>,
}

/// One page of the board for the SPA; REST clients get the array and the cursor in a header.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PostPageResponse {
    /// Newest first.
    pub posts: Vec<PostResponse>,
    /// Pass back as `cursor` for the next page; absent on the last page.
    pub next_cursor: Option<String>,
}
