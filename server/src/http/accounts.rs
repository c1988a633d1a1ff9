//! Accounts at the HTTP edge, shared by the REST routes and the server functions: parsing
//! bodies into domain types, the refresh cookie, the origin check on cookie-authenticated
//! calls, bearer-token authentication, and the one mapping from identity errors to
//! [`AppError`].

use std::sync::Arc;

use app::{
    domain::{ConfirmationCode, Email, Password, Username},
    dto::{
        ConfirmEmailRequest, LoginRequest, MessageResponse, MyInfoResponse, ResendEmailRequest,
        SignupRequest, TokenResponse,
    },
    error::AppError,
    services::{AccountService, WithCookies},
};
use async_trait::async_trait;
use axum::http::{HeaderMap, header};
use cookie::{Cookie, SameSite, time::Duration};

use crate::{
    auth::verifier::AccessTokenVerifier,
    configuration::Origin,
    ports::{IdentityError, IdentityProvider, IssuedTokens, Principal, SessionHandle},
    telemetry::error_chain,
};

/// The refresh cookie's name.
pub const REFRESH_COOKIE: &str = "boardwalk_refresh";
/// Where the browser sends the refresh cookie: only the routes that read it.
pub const REFRESH_COOKIE_PATH: &str = "/api/auth";

/// The account service every surface calls.
pub struct Accounts {
    identity: Arc<dyn IdentityProvider>,
    verifier: Arc<AccessTokenVerifier>,
    refresh_cookie_max_age_secs: u64,
    allowed_origins: Vec<Origin>,
}

impl Accounts {
    /// Accounts on `identity`, with tokens checked by `verifier`. The cookie lives at most
    /// `refresh_cookie_max_age_secs` (the refresh token's lifetime).
    pub fn new(
        identity: Arc<dyn IdentityProvider>,
        verifier: Arc<AccessTokenVerifier>,
        refresh_cookie_max_age_secs: u64,
        allowed_origins: Vec<Origin>,
    ) -> Self {
        Self {
            identity,
            verifier,
            refresh_cookie_max_age_secs,
            allowed_origins,
        }
    }

    /// The person behind `Authorization: Bearer …`, or 401.
    pub async fn authenticate(&self, headers: &HeaderMap) -> Result<Principal, AppError> {
        let token = headers
            .get(header::AUTHORIZATION)
            .and_then(|value| value.to_str().ok())
            .and_then(|value| value.strip_prefix("Bearer "))
            .ok_or_else(|| AppError::unauthorized("Log in to do this."))?;
        self.verifier.verify(token.trim()).await.map_err(|err| {
            tracing::info!(reason = %error_chain(&err), "access token refused");
            AppError::unauthorized("Your session has expired. Please log in again.")
        })
    }

    fn session_cookie(&self, session: &SessionHandle) -> String {
        let value = format!("{}:{}", session.subject, session.refresh_token);
        let max_age = i64::try_from(self.refresh_cookie_max_age_secs).unwrap_or(i64::MAX);
        refresh_cookie(value, Duration::seconds(max_age))
    }

    fn with_session_cookie(&self, tokens: IssuedTokens) -> WithCookies<TokenResponse> {
        WithCookies {
            set_cookies: tokens
                .session
                .iter()
                .map(|session| self.session_cookie(session))
                .collect(),
            body: TokenResponse {
                access_token: tokens.access_token,
                id_token: tokens.id_token,
                expires_in: tokens.expires_in,
            },
        }
    }

    /// Cookie-authenticated calls that change state must come from this site or an allowed
    /// origin. Browsers say where a request comes from in `Sec-Fetch-Site` and `Origin`;
    /// clients that send neither are not browsers, so no cookie was sent on their behalf.
    fn check_origin(&self, headers: &HeaderMap) -> Result<(), AppError> {
        let value = |name: &str| headers.get(name).and_then(|value| value.to_str().ok());
        let origin = value("origin");
        let allowed = origin.is_some_and(|origin| {
            self.allowed_origins
                .iter()
                .any(|allowed| allowed.as_ref() == origin.to_ascii_lowercase())
        });
        let same_origin = match value("sec-fetch-site") {
            Some(site) => site == "same-origin",
            None => match (origin, value("host")) {
                (Some(origin), Some(host)) => origin
                    .split_once("://")
                    .is_some_and(|(_, authority)| authority == host),
                (None, _) => true,
                (Some(_), None) => false,
            },
        };
        if same_origin || allowed {
            Ok(())
        } else {
            Err(AppError::forbidden(
                "This request did not come from Boardwalk.",
            ))
        }
    }
}

/// A `Set-Cookie` value for the refresh cookie with every attribute the token rules demand.
fn refresh_cookie(value: String, max_age: Duration) -> String {
    Cookie::build((REFRESH_COOKIE, value))
        .http_only(true)
        .secure(true)
        .same_site(SameSite::Strict)
        .path(REFRESH_COOKIE_PATH)
        .max_age(max_age)
        .build()
        .to_string()
}

/// Expires the refresh cookie in the browser.
fn cleared_cookie() -> String {
    refresh_cookie(String::new(), Duration::ZERO)
}

/// The session handle in the request's refresh cookie, if there is a well-formed one.
fn session_from(headers: &HeaderMap) -> Option<SessionHandle> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(Cookie::split_parse)
        .filter_map(Result::ok)
        .find(|cookie| cookie.name() == REFRESH_COOKIE)
        .and_then(|cookie| {
            let (subject, token) = cookie.value().split_once(':')?;
            (!subject.is_empty() && !token.is_empty()).then(|| SessionHandle {
                subject: subject.to_owned(),
                refresh_token: token.to_owned(),
            })
        })
}

/// The one place identity failures become what clients see.
fn client_error(err: IdentityError) -> AppError {
    match err {
        IdentityError::UsernameTaken => {
            AppError::conflict(Some("username"), "That username is taken.")
        }
        IdentityError::PasswordRejected => Password::policy_error(),
        IdentityError::InvalidCredentials => {
            AppError::unauthorized("Incorrect username or password.")
        }
        IdentityError::NotConfirmed => AppError::not_confirmed(),
        IdentityError::InvalidCode => AppError::invalid_field(
            "code",
            "That code is not valid or has expired. Check it, or ask for a new one.",
        ),
        IdentityError::Throttled { retry_after_secs } => AppError::throttled(retry_after_secs),
        IdentityError::SessionInvalid => {
            AppError::unauthorized("Your session has ended. Please log in again.")
        }
        IdentityError::Unavailable(_) => {
            tracing::error!(error = %error_chain(&err), "identity provider failed");
            AppError::unavailable()
        }
    }
}

#[async_trait]
impl AccountService for Accounts {
    async fn sign_up(&self, request: SignupRequest) -> Result<MessageResponse, AppError> {
        let username = Username::parse(&request.username)?;
        let password = Password::parse(&request.password)?;
        let email = Email::parse(&request.email)?;
        self.identity
            .sign_up(&username, &password, &email)
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

    async fn resend_email(&self, request: ResendEmailRequest) -> Result<MessageResponse, AppError> {
        let username = Username::parse(&request.username)?;
        self.identity
            .resend_code(&username)
            .await
            .map_err(client_error)?;
        Ok(MessageResponse::new(
            "If that account is waiting for confirmation, a new code is on its way.",
        ))
    }

    async fn log_in(&self, request: LoginRequest) -> Result<WithCookies<TokenResponse>, AppError> {
        // A name that cannot exist is answered exactly like a wrong password.
        let wrong = || AppError::unauthorized("Incorrect username or password.");
        let username = Username::parse(&request.username).map_err(|_| wrong())?;
        let password = Password::presented(&request.password)?;
        let tokens = self
            .identity
            .log_in(&username, &password)
            .await
            .map_err(client_error)?;
        Ok(self.with_session_cookie(tokens))
    }

    async fn refresh(
        &self,
        headers: &HeaderMap,
    ) -> Result<Option<WithCookies<TokenResponse>>, AppError> {
        self.check_origin(headers)?;
        let Some(session) = session_from(headers) else {
            return Ok(None);
        };
        let tokens = self
            .identity
            .refresh(&session)
            .await
            .map_err(client_error)?;
        Ok(Some(self.with_session_cookie(tokens)))
    }

    async fn log_out(&self, headers: &HeaderMap) -> Result<WithCookies<MessageResponse>, AppError> {
        self.check_origin(headers)?;
        if let Some(session) = session_from(headers) {
            self.identity
                .log_out(&session)
                .await
                .map_err(client_error)?;
        }
        Ok(WithCookies {
            body: MessageResponse::new("You are logged out."),
            set_cookies: vec![cleared_cookie()],
        })
    }

    async fn my_info(&self, headers: &HeaderMap) -> Result<MyInfoResponse, AppError> {
        let principal = self.authenticate(headers).await?;
        let profile = self
            .identity
            .profile(&principal)
            .await
            .map_err(client_error)?;
        Ok(MyInfoResponse {
            username: profile.username,
            email: profile.email,
            email_verified: profile.email_verified,
            sub: profile.sub,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        pairs
            .iter()
            .map(|(name, value)| {
                (
                    header::HeaderName::from_static(name),
                    HeaderValue::from_str(value).unwrap(),
                )
            })
            .collect()
    }

    #[test]
    fn the_refresh_cookie_is_http_only_secure_strict_and_scoped() {
        let cookie = refresh_cookie("sub:token".into(), Duration::seconds(60));
        for attribute in [
            "HttpOnly",
            "Secure",
            "SameSite=Strict",
            "Path=/api/auth",
            "Max-Age=60",
        ] {
            assert!(cookie.contains(attribute), "{cookie} lacks {attribute}");
        }
        assert!(cleared_cookie().contains("Max-Age=0"));
    }

    #[test]
    fn the_session_is_read_from_among_other_cookies() {
        let session = session_from(&headers(&[(
            "cookie",
            "theme=dark; boardwalk_refresh=abc:tok.en; x=1",
        )]))
        .unwrap();
        assert_eq!(
            (session.subject.as_str(), session.refresh_token.as_str()),
            ("abc", "tok.en")
        );
        assert!(session_from(&headers(&[("cookie", "boardwalk_refresh=notoken")])).is_none());
        assert!(session_from(&HeaderMap::new()).is_none());
    }
}
