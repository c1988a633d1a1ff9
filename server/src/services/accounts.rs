//! The account rules: what a valid sign-up is, that log-in, confirm and resend never reveal
//! whether a username exists, and what becomes of the session cookie after each call. The
//! identity provider (Cognito or the local one) does the rest.

use std::sync::Arc;

use app::{
    domain::{ConfirmationCode, Email, Language, Password, Username},
    dto::{
        ConfirmEmailRequest, LoginRequest, MessageResponse, MyInfoResponse, ResendEmailRequest,
        SignupRequest, TokenResponse,
    },
    error::AppError,
    services::{AccountService, Caller, PresentedSession, SessionCookie, WithCookies},
};
use async_trait::async_trait;

use super::media::avatars_of;
use crate::{
    ports::{AvatarDirectory, IdentityError, IdentityProvider, IssuedTokens},
    telemetry::error_chain,
};

/// The account service every surface calls.
pub struct Accounts<I> {
    identity: I,
    avatars: Arc<dyn AvatarDirectory>,
}

impl<I: IdentityProvider> Accounts<I> {
    /// Accounts and sessions on `identity`; profile pictures from `avatars`.
    pub fn new(identity: I, avatars: Arc<dyn AvatarDirectory>) -> Self {
        Self { identity, avatars }
    }
}

fn wrong_credentials() -> AppError {
    AppError::unauthorized("Incorrect username or password.")
}

/// The one place identity failures become what clients see.
fn client_error(err: IdentityError) -> AppError {
    match err {
        IdentityError::UsernameTaken => {
            AppError::conflict(Some("username"), "That username is taken.")
        }
        IdentityError::PasswordRejected => Password::policy_error().into(),
        IdentityError::InvalidCredentials => wrong_credentials(),
        IdentityError::NotConfirmed => AppError::not_confirmed(),
        IdentityError::InvalidCode => AppError::invalid_field(
            "code",
            "That code is not valid or has expired. Check it, or ask for a new one.",
        ),
        IdentityError::Throttled { retry_after_secs } => AppError::throttled(retry_after_secs),
        IdentityError::Busy { retry_after_secs } => AppError::busy(retry_after_secs),
        IdentityError::SessionInvalid => {
            AppError::unauthorized("Your session has ended. Please log in again.")
        }
        IdentityError::Unavailable(_) => {
            tracing::error!(error = %error_chain(&err), "identity provider failed");
            AppError::unavailable()
        }
    }
}

/// The body every client gets, and the session for the cookie when the provider issued one.
fn with_session(tokens: IssuedTokens) -> WithCookies<TokenResponse> {
    WithCookies {
        session: tokens
            .session
            .map_or(SessionCookie::Unchanged, SessionCookie::Set),
        body: TokenResponse {
            access_token: tokens.access_token,
            id_token: tokens.id_token,
            expires_in: tokens.expires_in,
        },
    }
}

#[async_trait]
impl<I: IdentityProvider> AccountService for Accounts<I> {
    async fn sign_up(&self, request: SignupRequest) -> Result<MessageResponse, AppError> {
        let username = Username::parse(&request.username)?;
        let password = Password::parse(&request.password)?;
        let email = Email::parse(&request.email)?;
        let language = request
            .language
            .as_deref()
            .map(Language::parse)
            .transpose()?
            .unwrap_or_default();
        self.identity
            .sign_up(&username, &password, &email, language)
            .await
            .map_err(client_error)?;
        Ok(MessageResponse::new(
            "Account created. We sent a confirmation code to your email.",
        ))
    }

    async fn confirm_email(
        &self,
        request: ConfirmEmailRequest,
    ) -> Result<MessageResponse, AppError> {
        let username = Username::parse(&request.username)?;
        let code = ConfirmationCode::parse(&request.code)?;
        self.identity
            .confirm(&username, &code)
            .await
            .map_err(client_error)?;
        Ok(MessageResponse::new("Email confirmed. You can log in now."))
    }

    /// Answers the same whether the account exists, is confirmed, or asked moments ago:
    /// a cool-down answered with 429 would tell an attacker that an unconfirmed account by
    /// that name exists. Only an outage is reported.
    async fn resend_email(&self, request: ResendEmailRequest) -> Result<MessageResponse, AppError> {
        let username = Username::parse(&request.username)?;
        match self.identity.resend_code(&username).await {
            Ok(()) | Err(IdentityError::Throttled { .. }) => Ok(MessageResponse::new(
                "If that account is waiting for confirmation, a new code is on its way.",
            )),
            Err(err) => Err(client_error(err)),
        }
    }

    async fn log_in(&self, request: LoginRequest) -> Result<WithCookies<TokenResponse>, AppError> {
        // A name that cannot exist is answered exactly like a wrong password.
        let username = Username::parse(&request.username).map_err(|_| wrong_credentials())?;
        let password = Password::presented(&request.password)?;
        let tokens = self
            .identity
            .log_in(&username, &password)
            .await
            .map_err(client_error)?;
        Ok(with_session(tokens))
    }

    async fn refresh(
        &self,
        session: PresentedSession,
    ) -> Result<Option<WithCookies<TokenResponse>>, AppError> {
        let session = match session {
            PresentedSession::Absent => return Ok(None),
            PresentedSession::One(session) => session,
            PresentedSession::Ambiguous(_) => {
                tracing::warn!("several refresh cookies: refusing to pick one");
                return Err(AppError::unauthorized(
                    "Your browser holds more than one session for this site. Please log in again.",
                ));
            }
        };
        let tokens = self
            .identity
            .refresh(&session)
            .await
            .map_err(client_error)?;
        Ok(Some(with_session(tokens)))
    }

    async fn log_out(
        &self,
        session: PresentedSession,
    ) -> Result<WithCookies<MessageResponse>, AppError> {
        let sessions = match session {
            PresentedSession::Absent => Vec::new(),
            PresentedSession::One(session) => vec![session],
            PresentedSession::Ambiguous(all) => all,
        };
        for session in &sessions {
            self.identity.log_out(session).await.map_err(client_error)?;
        }
        Ok(WithCookies {
            body: MessageResponse::new("You are logged out."),
            session: SessionCookie::Clear,
        })
    }

    async fn my_info(&self, caller: &Caller) -> Result<MyInfoResponse, AppError> {
        let profile = self.identity.profile(caller).await.map_err(client_error)?;
        let avatar = avatars_of(self.avatars.as_ref(), vec![profile.sub.clone()])
            .await
            .remove(&profile.sub);
        Ok(MyInfoResponse {
            username: profile.username,
            email: profile.email,
            email_verified: profile.email_verified,
            sub: profile.sub,
            avatar_url: avatar
                .as_ref()
                .map(|avatar| avatar.variants.small.key.public_path()),
            avatar_large_url: avatar.map(|avatar| avatar.variants.large.key.public_path()),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::services::fakes::{Failing, FakeIdentity, InMemoryMedia};

    fn accounts<I: IdentityProvider>(identity: I) -> Accounts<I> {
        Accounts::new(identity, Arc::new(InMemoryMedia::default()))
    }
    use app::{error::ErrorCode, services::SessionHandle};

    const PASSWORD: &str = "Correct1Horse";

    fn signup(username: &str, password: &str, email: &str) -> SignupRequest {
        SignupRequest {
            username: username.into(),
            password: password.into(),
            email: email.into(),
            language: None,
        }
    }

    fn login(username: &str, password: &str) -> LoginRequest {
        LoginRequest {
            username: username.into(),
            password: password.into(),
        }
    }

    fn session_of<T>(answer: &WithCookies<T>) -> SessionHandle {
        match &answer.session {
            SessionCookie::Set(session) => session.clone(),
            other => panic!("expected a session cookie, got {other:?}"),
        }
    }

    #[tokio::test]
    async fn the_code_is_written_in_the_language_signed_up_in_english_by_default() {
        let accounts = accounts(FakeIdentity::default());
        let korean = SignupRequest {
            language: Some("ko".into()),
            ..signup("minji", PASSWORD, "minji@example.com")
        };
        accounts.sign_up(korean).await.unwrap();
        accounts
            .sign_up(signup("anna", PASSWORD, "anna@example.com"))
            .await
            .unwrap();
        assert_eq!(
            accounts.identity.language_of("minji"),
            Some(Language::Korean)
        );
        assert_eq!(
            accounts.identity.language_of("anna"),
            Some(Language::English)
        );

        let klingon = SignupRequest {
            language: Some("tlh".into()),
            ..signup("worf", PASSWORD, "worf@example.com")
        };
        let err = accounts.sign_up(klingon).await.unwrap_err();
        assert_eq!(err.field.as_deref(), Some("language"));
        assert_eq!(accounts.identity.language_of("worf"), None);
    }

    #[tokio::test]
    async fn sign_up_refuses_each_bad_field_by_name_before_asking_the_provider() {
        let accounts = accounts(FakeIdentity::default());
        for (request, field) in [
            (signup("a", PASSWORD, "a@example.com"), "username"),
            (signup("anna", "weak", "a@example.com"), "password"),
            (signup("anna", PASSWORD, "nope"), "email"),
        ] {
            let err = accounts.sign_up(request).await.unwrap_err();
            assert_eq!(
                (err.code, err.field.as_deref()),
                (ErrorCode::BadRequest, Some(field))
            );
        }
        accounts
            .sign_up(signup("anna", PASSWORD, "a@example.com"))
            .await
            .unwrap();
    }

    #[tokio::test]
    async fn a_taken_username_is_a_409_naming_the_field() {
        let accounts = accounts(FakeIdentity::with_confirmed("anna", PASSWORD));

        let err = accounts
            .sign_up(signup("Anna", PASSWORD, "x@example.com"))
            .await
            .unwrap_err();

        assert_eq!(
            (err.code, err.field.as_deref()),
            (ErrorCode::Conflict, Some("username"))
        );
    }

    #[tokio::test]
    async fn an_impossible_name_an_unknown_name_and_a_wrong_password_get_one_answer() {
        let accounts = accounts(FakeIdentity::with_confirmed("anna", PASSWORD));

        let wrong_password = accounts
            .log_in(login("anna", "Wrong1Password"))
            .await
            .unwrap_err();
        let unknown = accounts
            .log_in(login("nobody", PASSWORD))
            .await
            .unwrap_err();
        let impossible = accounts.log_in(login("x!", PASSWORD)).await.unwrap_err();

        assert_eq!(wrong_password.code, ErrorCode::Unauthorized);
        assert_eq!(unknown, wrong_password);
        assert_eq!(impossible, wrong_password);
    }

    #[tokio::test]
    async fn an_empty_password_is_a_field_error_not_a_failed_log_in() {
        let accounts = accounts(FakeIdentity::with_confirmed("anna", PASSWORD));
        let err = accounts.log_in(login("anna", "")).await.unwrap_err();
        assert_eq!(err.field.as_deref(), Some("password"));
    }

    #[tokio::test]
    async fn log_in_puts_the_session_in_the_cookie_and_only_tokens_in_the_body() {
        let identity = FakeIdentity::with_confirmed("anna", PASSWORD);
        let accounts = accounts(identity);

        let answer = accounts.log_in(login("Anna ", PASSWORD)).await.unwrap();

        assert_eq!(answer.body.access_token, "access-for-sub-anna");
        assert_eq!(answer.body.expires_in, 900);
        assert_eq!(session_of(&answer).subject, "sub-anna");
    }

    #[tokio::test]
    async fn an_unconfirmed_account_gets_the_not_confirmed_answer_only_with_the_right_password() {
        let accounts = accounts(FakeIdentity::default());
        accounts
            .sign_up(signup("anna", PASSWORD, "a@example.com"))
            .await
            .unwrap();

        let right = accounts.log_in(login("anna", PASSWORD)).await.unwrap_err();
        let wrong = accounts
            .log_in(login("anna", "Wrong1Password"))
            .await
            .unwrap_err();

        assert_eq!(right.code, ErrorCode::NotConfirmed);
        assert_eq!(wrong.code, ErrorCode::Unauthorized);
    }

    #[tokio::test]
    async fn a_wrong_code_and_an_unknown_user_get_one_answer_naming_the_code() {
        let accounts = accounts(FakeIdentity::default());
        accounts
            .sign_up(signup("anna", PASSWORD, "a@example.com"))
            .await
            .unwrap();
        let confirm = |username: &str, code: &str| ConfirmEmailRequest {
            username: username.into(),
            code: code.into(),
        };

        let wrong = accounts
            .confirm_email(confirm("anna", "000000"))
            .await
            .unwrap_err();
        let unknown = accounts
            .confirm_email(confirm("nobody", "123456"))
            .await
            .unwrap_err();

        assert_eq!(wrong.field.as_deref(), Some("code"));
        assert_eq!(unknown, wrong);
        accounts
            .confirm_email(confirm("anna", FakeIdentity::CODE))
            .await
            .unwrap();
        accounts.log_in(login("anna", PASSWORD)).await.unwrap();
    }

    #[tokio::test]
    async fn a_resend_for_anyone_says_the_same_thing() {
        let accounts = accounts(FakeIdentity::default());
        let request = ResendEmailRequest {
            username: "nobody".into(),
        };
        let answer = accounts.resend_email(request).await.unwrap();
        assert!(answer.message.starts_with("If that account"));
    }

    #[tokio::test]
    async fn a_resend_within_the_providers_cool_down_answers_like_any_other() {
        let accounts = accounts(FakeIdentity::default().cooling_down());
        let request = ResendEmailRequest {
            username: "anna".into(),
        };
        let answer = accounts.resend_email(request).await.unwrap();
        assert!(answer.message.starts_with("If that account"));
    }

    #[tokio::test]
    async fn several_session_cookies_are_refused_and_log_out_ends_every_one() {
        let accounts = accounts(FakeIdentity::with_confirmed("anna", PASSWORD));
        let mine = session_of(&accounts.log_in(login("anna", PASSWORD)).await.unwrap());
        let planted = session_of(&accounts.log_in(login("anna", PASSWORD)).await.unwrap());
        let both = PresentedSession::Ambiguous(vec![planted, mine.clone()]);

        let refused = accounts.refresh(both.clone()).await.unwrap_err();
        assert_eq!(refused.code, ErrorCode::Unauthorized);
        assert!(
            accounts
                .refresh(PresentedSession::One(mine.clone()))
                .await
                .is_ok()
        );

        let logged_out = accounts.log_out(both).await.unwrap();
        assert_eq!(logged_out.session, SessionCookie::Clear);
        assert_eq!(accounts.identity.live_sessions(), 0);
    }

    #[tokio::test]
    async fn a_provider_at_capacity_is_503_with_a_retry_after() {
        let accounts = accounts(FakeIdentity::with_confirmed("anna", PASSWORD).at_capacity());
        let err = accounts.log_in(login("anna", PASSWORD)).await.unwrap_err();
        assert_eq!(
            (err.code, err.retry_after_secs),
            (ErrorCode::Unavailable, Some(1))
        );
    }

    #[tokio::test]
    async fn refresh_without_a_session_is_no_answer_rather_than_an_error() {
        let accounts = accounts(FakeIdentity::default());
        assert_eq!(
            accounts.refresh(PresentedSession::Absent).await.unwrap(),
            None
        );
    }

    #[tokio::test]
    async fn refresh_sets_the_cookie_only_when_the_provider_rotated_the_token() {
        let rotating = accounts(FakeIdentity::with_confirmed("anna", PASSWORD).rotating());
        let first = session_of(&rotating.log_in(login("anna", PASSWORD)).await.unwrap());
        let rotated = rotating
            .refresh(PresentedSession::One(first))
            .await
            .unwrap()
            .unwrap();
        assert!(matches!(rotated.session, SessionCookie::Set(_)));

        let fixed = accounts(FakeIdentity::with_confirmed("anna", PASSWORD));
        let session = session_of(&fixed.log_in(login("anna", PASSWORD)).await.unwrap());
        let refreshed = fixed
            .refresh(PresentedSession::One(session))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(refreshed.session, SessionCookie::Unchanged);
    }

    #[tokio::test]
    async fn a_dead_session_is_a_401() {
        let accounts = accounts(FakeIdentity::default());
        let dead = SessionHandle {
            subject: "sub-x".into(),
            refresh_token: "revoked".into(),
        };
        let err = accounts
            .refresh(PresentedSession::One(dead))
            .await
            .unwrap_err();
        assert_eq!(err.code, ErrorCode::Unauthorized);
    }

    #[tokio::test]
    async fn log_out_revokes_the_session_and_clears_the_cookie_even_without_one() {
        let identity = FakeIdentity::with_confirmed("anna", PASSWORD);
        let accounts = accounts(identity);
        let session = session_of(&accounts.log_in(login("anna", PASSWORD)).await.unwrap());

        let with_session = accounts
            .log_out(PresentedSession::One(session.clone()))
            .await
            .unwrap();
        let without = accounts.log_out(PresentedSession::Absent).await.unwrap();

        assert_eq!(with_session.session, SessionCookie::Clear);
        assert_eq!(without.session, SessionCookie::Clear);
        assert_eq!(accounts.identity.live_sessions(), 0);
        assert!(
            accounts
                .refresh(PresentedSession::One(session))
                .await
                .is_err()
        );
    }

    #[tokio::test]
    async fn my_info_is_the_callers_account() {
        let accounts = accounts(FakeIdentity::with_confirmed("anna", PASSWORD));
        let caller = Caller {
            sub: "sub-anna".into(),
            username: "anna".into(),
            groups: Vec::new(),
        };

        let me = accounts.my_info(&caller).await.unwrap();

        assert_eq!(
            (
                me.username.as_str(),
                me.email.as_str(),
                me.email_verified,
                me.sub.as_str()
            ),
            ("anna", "anna@example.com", true, "sub-anna")
        );
    }

    #[tokio::test]
    async fn a_failing_provider_is_503_without_its_details() {
        let accounts = accounts(Failing::Unavailable);
        let err = accounts.log_in(login("anna", PASSWORD)).await.unwrap_err();
        assert_eq!(err.code, ErrorCode::Unavailable);
        assert!(!err.error.contains("refused"));
    }
}
