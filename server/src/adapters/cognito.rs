//! [`IdentityProvider`] on an Amazon Cognito user pool. Cognito's exceptions become the port's
//! errors here and nowhere else; their text never reaches a client. Calls that Cognito
//! answers differently for unknown users are folded so the answer is the same.

use app::{
    domain::{ConfirmationCode, Email, Language, Password, Username},
    services::{Caller, SessionHandle},
};
use async_trait::async_trait;
use aws_sdk_cognitoidentityprovider::{
    Client,
    error::{ProvideErrorMetadata, SdkError},
    types::{AttributeType, AuthFlowType, AuthenticationResultType, UserStatusType},
};
use base64::{Engine, engine::general_purpose::STANDARD};
use serde::Deserialize;

use crate::ports::{IdentityError, IdentityProvider, IssuedTokens, Person, Profile, UserDirectory};

/// Seconds a client is asked to wait when Cognito throttles and says nothing more precise.
const THROTTLE_RETRY_SECS: u64 = 30;

/// Which app client of which user pool to talk to. Its `Debug` hides the secret.
#[derive(Clone, PartialEq, Eq)]
pub struct CognitoSettings {
    /// The user pool, for the admin call that reads a profile.
    pub user_pool_id: String,
    /// The app client id.
    pub client_id: String,
    /// The app client secret, when the client has one (then every call carries `SECRET_HASH`).
    pub client_secret: Option<String>,
}

impl std::fmt::Debug for CognitoSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CognitoSettings")
            .field("user_pool_id", &self.user_pool_id)
            .field("client_id", &self.client_id)
            .field("has_client_secret", &self.client_secret.is_some())
            .finish()
    }
}

/// The adapter.
#[derive(Clone)]
pub struct CognitoIdentityProvider {
    client: Client,
    settings: CognitoSettings,
}

#[derive(Deserialize)]
struct IdClaims {
    #[serde(rename = "cognito:username")]
    username: String,
}

impl CognitoIdentityProvider {
    /// Talks to the pool of `settings.client_id` through `client`.
    pub fn new(client: Client, settings: CognitoSettings) -> Self {
        Self { client, settings }
    }

    /// `Base64(HMAC-SHA256(secret, username + client_id))`, only for clients with a secret.
    fn secret_hash(&self, username: &str) -> Option<String> {
        self.settings.client_secret.as_ref().map(|secret| {
            let key = aws_lc_rs::hmac::Key::new(aws_lc_rs::hmac::HMAC_SHA256, secret.as_bytes());
            let message = format!("{username}{}", self.settings.client_id);
            STANDARD.encode(aws_lc_rs::hmac::sign(&key, message.as_bytes()))
        })
    }

    fn tokens(result: Option<&AuthenticationResultType>) -> Result<IssuedTokens, IdentityError> {
        let result = result.ok_or_else(|| unexpected("no authentication result (a challenge?)"))?;
        let id_token = result
            .id_token()
            .ok_or_else(|| unexpected("no id token"))?
            .to_owned();
        let session = match result.refresh_token() {
            Some(refresh_token) => Some(SessionHandle {
                subject: internal_username(&id_token)?,
                refresh_token: refresh_token.to_owned(),
            }),
            None => None,
        };
        Ok(IssuedTokens {
            access_token: result
                .access_token()
                .ok_or_else(|| unexpected("no access token"))?
                .to_owned(),
            id_token,
            expires_in: u64::try_from(result.expires_in()).unwrap_or_default(),
            session,
        })
    }
}

/// Cognito's internal name for the user, from an ID token it just returned over TLS (so its
/// signature need not be checked here; the verifier checks every token a client presents).
/// `SECRET_HASH` on refresh is computed over this name, which is the `sub`-like id rather
/// than the sign-in name in pools that sign in with an email alias.
fn internal_username(id_token: &str) -> Result<String, IdentityError> {
    jsonwebtoken::dangerous::insecure_decode::<IdClaims>(id_token)
        .map(|data| data.claims.username)
        .map_err(|_| unexpected("unreadable id token"))
}

fn unexpected(what: &'static str) -> IdentityError {
    IdentityError::Unavailable(what.into())
}

/// Cognito's exception name, when the call reached Cognito and it refused.
fn exception<E: ProvideErrorMetadata, R>(err: &SdkError<E, R>) -> Option<&str> {
    err.as_service_error().and_then(ProvideErrorMetadata::code)
}

fn is_throttling(code: &str) -> bool {
    matches!(
        code,
        "TooManyRequestsException" | "LimitExceededException" | "TooManyFailedAttemptsException"
    )
}

/// A failed call: `known` maps the exceptions this call expects; anything else is
/// throttling or the provider failing.
fn refused<E, R>(
    err: SdkError<E, R>,
    known: impl Fn(&str) -> Option<IdentityError>,
) -> IdentityError
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    R: std::fmt::Debug + Send + Sync + 'static,
{
    if let Some(mapped) = exception(&err).and_then(known) {
        return mapped;
    }
    if exception(&err).is_some_and(is_throttling) {
        return IdentityError::Throttled {
            retry_after_secs: THROTTLE_RETRY_SECS,
        };
    }
    IdentityError::Unavailable(Box::new(err))
}

/// A call whose `benign` exceptions mean the goal already holds (an unknown user needs no
/// code, a dead token no revoking), so they succeed like the call itself.
fn quietly<O, E, R>(
    outcome: Result<O, SdkError<E, R>>,
    benign: &[&str],
) -> Result<(), IdentityError>
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    R: std::fmt::Debug + Send + Sync + 'static,
{
    match outcome {
        Ok(_) => Ok(()),
        Err(err) if exception(&err).is_some_and(|code| benign.contains(&code)) => Ok(()),
        Err(err) => Err(refused(err, |_| None)),
    }
}

#[async_trait]
impl IdentityProvider for CognitoIdentityProvider {
    async fn sign_up(
        &self,
        username: &Username,
        password: &Password,
        email: &Email,
        language: Language,
    ) -> Result<(), IdentityError> {
        let attribute = |name: &str, value: &str| {
            AttributeType::builder()
                .name(name)
                .value(value)
                .build()
                .map_err(|_| unexpected("user attribute"))
        };
        // `locale` is a standard attribute: the custom message trigger writes the
        // confirmation email in it, for this code and every one sent again.
        let attributes = vec![
            attribute("email", email.as_ref())?,
            attribute("locale", language.tag())?,
        ];
        self.client
            .sign_up()
            .client_id(&self.settings.client_id)
            .set_secret_hash(self.secret_hash(username.as_ref()))
            .username(username.as_ref())
            .password(password.expose())
            .set_user_attributes(Some(attributes))
            .send()
            .await
            .map_err(|err| {
                refused(err, |code| match code {
                    "UsernameExistsException" => Some(IdentityError::UsernameTaken),
                    "InvalidPasswordException" => Some(IdentityError::PasswordRejected),
                    _ => None,
                })
            })?;
        Ok(())
    }

    async fn confirm(
        &self,
        username: &Username,
        code: &ConfirmationCode,
    ) -> Result<(), IdentityError> {
        self.client
            .confirm_sign_up()
            .client_id(&self.settings.client_id)
            .set_secret_hash(self.secret_hash(username.as_ref()))
            .username(username.as_ref())
            .confirmation_code(code.as_ref())
            .send()
            .await
            .map_err(|err| {
                refused(err, |code| {
                    matches!(
                        code,
                        "CodeMismatchException"
                            | "ExpiredCodeException"
                            | "UserNotFoundException"
                            | "NotAuthorizedException"
                    )
                    .then_some(IdentityError::InvalidCode)
                })
            })?;
        Ok(())
    }

    async fn resend_code(&self, username: &Username) -> Result<(), IdentityError> {
        let outcome = self
            .client
            .resend_confirmation_code()
            .client_id(&self.settings.client_id)
            .set_secret_hash(self.secret_hash(username.as_ref()))
            .username(username.as_ref())
            .send()
            .await;
        // Unknown or already confirmed: the same quiet success as a real resend.
        quietly(
            outcome,
            &["UserNotFoundException", "InvalidParameterException"],
        )
    }

    async fn log_in(
        &self,
        username: &Username,
        password: &Password,
    ) -> Result<IssuedTokens, IdentityError> {
        let mut request = self
            .client
            .initiate_auth()
            .client_id(&self.settings.client_id)
            .auth_flow(AuthFlowType::UserPasswordAuth)
            .auth_parameters("USERNAME", username.as_ref())
            .auth_parameters("PASSWORD", password.expose());
        if let Some(hash) = self.secret_hash(username.as_ref()) {
            request = request.auth_parameters("SECRET_HASH", hash);
        }
        let output = request.send().await.map_err(|err| {
            refused(err, |code| match code {
                "NotAuthorizedException"
                | "UserNotFoundException"
                | "PasswordResetRequiredException" => Some(IdentityError::InvalidCredentials),
                "UserNotConfirmedException" => Some(IdentityError::NotConfirmed),
                _ => None,
            })
        })?;
        Self::tokens(output.authentication_result())
    }

    async fn refresh(&self, session: &SessionHandle) -> Result<IssuedTokens, IdentityError> {
        let mut request = self
            .client
            .initiate_auth()
            .client_id(&self.settings.client_id)
            .auth_flow(AuthFlowType::RefreshTokenAuth)
            .auth_parameters("REFRESH_TOKEN", &session.refresh_token);
        if let Some(hash) = self.secret_hash(&session.subject) {
            request = request.auth_parameters("SECRET_HASH", hash);
        }
        let output = request
            .send()
            .await
            .map_err(|err| refused(err, session_over))?;
        Self::tokens(output.authentication_result())
    }

    async fn log_out(&self, session: &SessionHandle) -> Result<(), IdentityError> {
        let outcome = self
            .client
            .revoke_token()
            .client_id(&self.settings.client_id)
            .set_client_secret(self.settings.client_secret.clone())
            .token(&session.refresh_token)
            .send()
            .await;
        // Already invalid: the session is over either way.
        quietly(
            outcome,
            &["UnsupportedTokenTypeException", "InvalidParameterException"],
        )
    }

    /// `AdminGetUser` by the verified caller's username: the edge already checked the token,
    /// so the service never handles it.
    async fn profile(&self, caller: &Caller) -> Result<Profile, IdentityError> {
        let output = self
            .client
            .admin_get_user()
            .user_pool_id(&self.settings.user_pool_id)
            .username(&caller.username)
            .send()
            .await
            .map_err(|err| refused(err, session_over))?;
        let attribute = |name: &str| {
            output
                .user_attributes()
                .iter()
                .find(|attribute| attribute.name() == name)
                .and_then(AttributeType::value)
                .map(str::to_owned)
        };
        Ok(Profile {
            sub: attribute("sub").unwrap_or_else(|| caller.sub.clone()),
            username: output.username().to_owned(),
            email: attribute("email").unwrap_or_default(),
            email_verified: attribute("email_verified").is_some_and(|value| value == "true"),
        })
    }
}

#[async_trait]
impl UserDirectory for CognitoIdentityProvider {
    /// `AdminGetUser`: confirmed accounts only.
    async fn find(&self, username: &Username) -> Result<Option<Person>, IdentityError> {
        let output = self
            .client
            .admin_get_user()
            .user_pool_id(&self.settings.user_pool_id)
            .username(username.as_ref())
            .send()
            .await;
        let user = match output {
            Ok(user) => user,
            Err(err) if exception(&err) == Some("UserNotFoundException") => return Ok(None),
            Err(err) => return Err(refused(err, |_| None)),
        };
        if user.user_status() != Some(&UserStatusType::Confirmed) {
            return Ok(None);
        }
        let sub = user
            .user_attributes()
            .iter()
            .find(|attribute| attribute.name() == "sub")
            .and_then(AttributeType::value)
            .ok_or_else(|| unexpected("a user without a sub"))?;
        Ok(Some(Person {
            sub: sub.to_owned(),
            username: user.username().to_owned(),
        }))
    }
}

/// The exceptions that mean a token or its user is gone.
fn session_over(code: &str) -> Option<IdentityError> {
    matches!(code, "NotAuthorizedException" | "UserNotFoundException")
        .then_some(IdentityError::SessionInvalid)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn provider(secret: Option<&str>) -> CognitoIdentityProvider {
        let config = aws_sdk_cognitoidentityprovider::Config::builder()
            .behavior_version(aws_sdk_cognitoidentityprovider::config::BehaviorVersion::latest())
            .region(aws_sdk_cognitoidentityprovider::config::Region::new(
                "us-east-1",
            ))
            .build();
        CognitoIdentityProvider::new(
            Client::from_conf(config),
            CognitoSettings {
                user_pool_id: "us-east-1_pool".into(),
                client_id: "client123".into(),
                client_secret: secret.map(str::to_owned),
            },
        )
    }

    #[test]
    fn the_client_secret_never_shows_in_debug_output() {
        let shown = format!("{:?}", provider(Some("very-secret-value")).settings);
        assert!(shown.contains("client123"));
        assert!(!shown.contains("very-secret-value"));
    }

    #[test]
    fn a_client_without_a_secret_sends_no_secret_hash() {
        assert_eq!(provider(None).secret_hash("alice"), None);
    }

    #[test]
    fn the_secret_hash_is_the_hmac_of_username_and_client_id() {
        // Base64(HMAC-SHA256("s3cret", "aliceclient123")), computed independently with
        // `printf aliceclient123 | openssl dgst -sha256 -hmac s3cret -binary | base64`.
        assert_eq!(
            provider(Some("s3cret")).secret_hash("alice").as_deref(),
            Some("niZNW/ZQghRxFdJYi0VOaDK45OiGfd7izxt7n+eqSJM=")
        );
    }
}
