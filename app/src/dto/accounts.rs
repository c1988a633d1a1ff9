//! Accounts and sessions: `/api/auth/*` and `/api/myinfo`.

use serde::{Deserialize, Serialize};

/// `POST /api/auth/signup`. Its `Debug` hides the password, so logging a request cannot
/// leak one.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SignupRequest {
    /// The login name to claim.
    #[cfg_attr(
        feature = "openapi",
        schema(min_length = 3, max_length = 32, pattern = "^[A-Za-z0-9._-]+$")
    )]
    pub username: String,
    /// The new password.
    #[cfg_attr(feature = "openapi", schema(min_length = 10, max_length = 256))]
    pub password: String,
    /// Where the confirmation code goes.
    #[cfg_attr(feature = "openapi", schema(format = Email, max_length = 254))]
    pub email: String,
    /// The language the confirmation email is written in (`en` or `ko`); English when
    /// absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(pattern = "^(en|ko)$"))]
    pub language: Option<String>,
}

impl std::fmt::Debug for SignupRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SignupRequest")
            .field("username", &self.username)
            .field("email", &self.email)
            .field("language", &self.language)
            .finish_non_exhaustive()
    }
}

/// `POST /api/auth/confirmEmail`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ConfirmEmailRequest {
    /// The account to confirm.
    #[cfg_attr(
        feature = "openapi",
        schema(min_length = 3, max_length = 32, pattern = "^[A-Za-z0-9._-]+$")
    )]
    pub username: String,
    /// The six digits from the email.
    #[cfg_attr(feature = "openapi", schema(pattern = "^[0-9]{6}$"))]
    pub code: String,
}

/// `POST /api/auth/resendEmail`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ResendEmailRequest {
    /// The account whose code to send again.
    #[cfg_attr(
        feature = "openapi",
        schema(min_length = 3, max_length = 32, pattern = "^[A-Za-z0-9._-]+$")
    )]
    pub username: String,
}

/// `POST /api/auth/login`. Its `Debug` hides the password.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LoginRequest {
    /// The login name.
    #[cfg_attr(
        feature = "openapi",
        schema(min_length = 3, max_length = 32, pattern = "^[A-Za-z0-9._-]+$")
    )]
    pub username: String,
    /// The password.
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 256))]
    pub password: String,
}

impl std::fmt::Debug for LoginRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LoginRequest")
            .field("username", &self.username)
            .finish_non_exhaustive()
    }
}

/// What log-in and refresh return in the body. The refresh token is never here: it travels
/// only in an `HttpOnly` cookie.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
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
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
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

/// `GET /api/myinfo`: the signed-in person as the identity provider knows them, with their
/// profile picture.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MyInfoResponse {
    /// The login name.
    pub username: String,
    /// The confirmed address.
    pub email: String,
    /// Whether the address was confirmed with a code.
    pub email_verified: bool,
    /// The stable user id (`sub`), which never changes even if the username could.
    pub sub: String,
    /// The profile picture (64 px), if set.
    #[serde(default, rename = "avatarUrl")]
    pub avatar_url: Option<String>,
    /// The profile picture (256 px), if set.
    #[serde(default, rename = "avatarLargeUrl")]
    pub avatar_large_url: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_never_show_in_debug_output() {
        let signup = SignupRequest {
            username: "alice".into(),
            password: "Correct1Horse".into(),
            email: "a@example.com".into(),
            language: Some("ko".into()),
        };
        let login = LoginRequest {
            username: "alice".into(),
            password: "Correct1Horse".into(),
        };
        for shown in [format!("{signup:?}"), format!("{login:?}")] {
            assert!(shown.contains("alice"), "{shown}");
            assert!(!shown.contains("Horse"), "{shown}");
        }
    }
}
