//! Accounts and sessions: who people are, and the local-only mailbox the embedded provider
//! delivers its codes to.

use app::{
    domain::{ConfirmationCode, Email, Language, Password, Username},
    services::{Caller, SessionHandle},
};
use async_trait::async_trait;
use serde::Serialize;

use super::StoreError;

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
    /// The provider is at capacity (too many password hashes waiting); nothing was written,
    /// retry shortly.
    #[error("the identity provider is busy; retry in {retry_after_secs} s")]
    Busy {
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

impl From<StoreError> for IdentityError {
    fn from(err: StoreError) -> Self {
        Self::Unavailable(Box::new(err))
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
    /// Creates an unconfirmed account and sends a confirmation code to `email`, written in
    /// `language` (and so is every code sent again later).
    async fn sign_up(
        &self,
        username: &Username,
        password: &Password,
        email: &Email,
        language: Language,
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
    /// The caller's account as the provider stores it now.
    async fn profile(&self, caller: &Caller) -> Result<Profile, IdentityError>;
}

/// One message in the local-only dev mailbox (`GET /api/dev/mailbox/{username}`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct DevMail {
    /// Recipient address.
    pub to: String,
    /// Subject line.
    pub subject: String,
    /// Text as a person would read it.
    pub body: String,
    /// The code alone, so tests need not parse the body.
    pub code: String,
}

/// Where the embedded default delivers mail instead of sending it: people and tests read
/// their codes here. Only the local identity provider has one; AWS mode has no such route.
#[async_trait]
pub trait DevMailbox: Send + Sync {
    /// Messages sent to `username`, oldest first.
    async fn messages(&self, username: &Username) -> Result<Vec<DevMail>, StoreError>;
}

/// Finds people by username, to put them in a room.
#[async_trait]
pub trait UserDirectory: Send + Sync {
    /// The confirmed account called `username`, if there is one.
    async fn find(&self, username: &Username) -> Result<Option<super::Person>, IdentityError>;
}

/// The confirmation email in the language the person signed up in. The local mailbox and
/// Cognito's custom message trigger both write it from here, so the words are the same on
/// both backends.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfirmationEmail {
    /// The subject line.
    pub subject: &'static str,
    /// The text, with `code` in it.
    pub body: String,
}

impl ConfirmationEmail {
    /// The email carrying `code` (the digits, or Cognito's `{####}` placeholder), valid for
    /// `valid_hours`.
    pub fn new(language: Language, code: &str, valid_hours: u64) -> Self {
        match language {
            Language::English => Self {
                subject: "Your Boardwalk confirmation code",
                body: format!(
                    "Your Boardwalk confirmation code is {code}. It expires in {valid_hours} hours."
                ),
            },
            Language::Korean => Self {
                subject: "게시판 인증 코드",
                body: format!(
                    "게시판 인증 코드는 {code}입니다. 이 코드는 {valid_hours}시간 뒤에 만료됩니다."
                ),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_language_writes_its_own_email_around_the_code() {
        let english = ConfirmationEmail::new(Language::English, "123456", 24);
        let korean = ConfirmationEmail::new(Language::Korean, "123456", 24);
        assert!(english.body.contains("123456") && english.body.contains("24 hours"));
        assert!(korean.body.contains("123456") && korean.body.contains("24시간"));
        assert_ne!(english.subject, korean.subject);
    }
}
