//! The `IdentityProvider` contract. Shared cases run on every adapter through a harness (how
//! to read the code that was sent); the local provider also runs the cases further down.
//! Those are local-only because Cognito on moto cannot express them: moto accepts any
//! confirmation code (so wrong, expired and exhausted codes cannot fail), implements neither
//! `ResendConfirmationCode` nor `RevokeToken`, cannot move time, and does not rotate refresh
//! tokens. Against real Cognito those behaviours are Cognito's own.

use std::sync::Arc;

use app::{
    domain::{ConfirmationCode, Email, Language, Password, Username},
    services::{Caller, SessionHandle},
};
use async_trait::async_trait;
use server::{
    adapters::{
        cognito::{CognitoIdentityProvider, CognitoSettings},
        local_idp::{LocalIdentityProvider, LocalIdpSettings},
        sqlite::SqliteDatabase,
    },
    auth::{
        jwks::HttpJwks,
        signing::SigningKey,
        verifier::{AccessTokenVerifier, VerifierSettings},
    },
    ports::{
        ConfirmationEmail, DevMailbox, IdentityError, IdentityProvider, IssuedTokens, ManualClock,
    },
};

use crate::moto::{UserPool, create_user_pool, moto, sdk_config};

const PASSWORD: &str = "Correct1Horse";

/// What the shared cases need beyond the port itself.
#[async_trait]
trait Harness: Sync {
    fn provider(&self) -> &dyn IdentityProvider;

    /// The code the provider sent to `username` most recently.
    async fn latest_code(&self, username: &str) -> ConfirmationCode;

    /// The language `username`'s confirmation emails are written in.
    async fn email_language(&self, username: &str) -> Language;

    /// Whether confirming the code marks the email verified (Cognito does, with
    /// `AutoVerifiedAttributes: email`; moto's `ConfirmSignUp` does not).
    fn confirming_verifies_email(&self) -> bool {
        true
    }

    async fn confirmed(&self, username: &str) {
        let provider = self.provider();
        provider
            .sign_up(
                &name(username),
                &password(),
                &email(username),
                Language::English,
            )
            .await
            .unwrap();
        let code = self.latest_code(username).await;
        provider.confirm(&name(username), &code).await.unwrap();
    }

    async fn logged_in(&self, username: &str) -> IssuedTokens {
        self.confirmed(username).await;
        self.provider()
            .log_in(&name(username), &password())
            .await
            .unwrap()
    }
}

/// Runs every shared case against one adapter's harness.
macro_rules! identity_provider_contract {
    ($adapter:ident, $harness:expr) => {
        mod $adapter {
            use super::*;

            #[tokio::test]
            async fn an_unconfirmed_account_cannot_log_in() {
                super::an_unconfirmed_account_cannot_log_in(&$harness).await;
            }

            #[tokio::test]
            async fn the_confirmation_email_is_in_the_language_signed_up_in() {
                super::the_confirmation_email_is_in_the_language_signed_up_in(&$harness).await;
            }

            #[tokio::test]
            async fn a_username_can_be_taken_once_whatever_its_case() {
                super::a_username_can_be_taken_once_whatever_its_case(&$harness).await;
            }

            #[tokio::test]
            async fn a_wrong_password_and_an_unknown_user_are_the_same_error() {
                super::a_wrong_password_and_an_unknown_user_are_the_same_error(&$harness).await;
            }

            #[tokio::test]
            async fn a_confirmed_account_logs_in_and_its_session_refreshes() {
                super::a_confirmed_account_logs_in_and_its_session_refreshes(&$harness).await;
            }

            #[tokio::test]
            async fn the_profile_is_the_confirmed_account() {
                super::the_profile_is_the_confirmed_account(&$harness).await;
            }
        }
    };
}

identity_provider_contract!(local, LocalHarness::new());
identity_provider_contract!(cognito, CognitoHarness::new(false).await);
identity_provider_contract!(cognito_with_client_secret, CognitoHarness::new(true).await);

fn name(raw: &str) -> Username {
    Username::parse(raw).unwrap()
}

fn password() -> Password {
    Password::parse(PASSWORD).unwrap()
}

fn email(username: &str) -> Email {
    Email::parse(&format!("{username}@example.com")).unwrap()
}

fn session(tokens: IssuedTokens) -> SessionHandle {
    tokens.session.expect("a session handle")
}

/// The local provider with a clock the test moves.
struct LocalHarness {
    provider: LocalIdentityProvider<Arc<ManualClock>>,
    clock: Arc<ManualClock>,
    settings: LocalIdpSettings,
    _dir: tempfile::TempDir,
}

impl LocalHarness {
    fn new() -> Self {
        Self::with_settings(LocalIdpSettings::default())
    }

    fn with_settings(settings: LocalIdpSettings) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let database = SqliteDatabase::open(dir.path()).unwrap();
        let key = Arc::new(SigningKey::load_or_create(dir.path()).unwrap());
        let clock = Arc::new(ManualClock::at_ms(1_800_000_000_000));
        let provider =
            LocalIdentityProvider::new(database, key, settings.clone(), Arc::clone(&clock));
        Self {
            provider,
            clock,
            settings,
            _dir: dir,
        }
    }

    fn advance(&self, secs: u64) {
        self.clock.advance_secs(secs);
    }
}

#[async_trait]
impl Harness for LocalHarness {
    fn provider(&self) -> &dyn IdentityProvider {
        &self.provider
    }

    async fn latest_code(&self, username: &str) -> ConfirmationCode {
        let mails = self.provider.messages(&name(username)).await.unwrap();
        ConfirmationCode::parse(&mails.last().expect("a code was sent").code).unwrap()
    }

    /// Read off the mail itself: its subject and body are those of one language's email.
    async fn email_language(&self, username: &str) -> Language {
        let mails = self.provider.messages(&name(username)).await.unwrap();
        let mail = mails.last().expect("a code was sent");
        Language::ALL
            .into_iter()
            .find(|language| {
                let written =
                    ConfirmationEmail::new(*language, &mail.code, self.settings.code_secs / 3600);
                written.subject == mail.subject && written.body == mail.body
            })
            .expect("the mail is one language's confirmation email")
    }
}

/// Cognito through moto: a fresh user pool and app client per harness, with or without a
/// client secret (moto checks `SECRET_HASH` on refresh).
struct CognitoHarness {
    provider: CognitoIdentityProvider,
    pool_id: String,
    client_id: String,
}

impl CognitoHarness {
    async fn new(with_secret: bool) -> Self {
        let client = aws_sdk_cognitoidentityprovider::Client::new(&sdk_config().await);
        let UserPool {
            pool_id,
            client_id,
            client_secret,
        } = create_user_pool(with_secret).await;
        assert_eq!(client_secret.is_some(), with_secret);
        Self {
            provider: CognitoIdentityProvider::new(
                client,
                CognitoSettings {
                    user_pool_id: pool_id.clone(),
                    client_id: client_id.clone(),
                    client_secret,
                },
            ),
            pool_id,
            client_id,
        }
    }
}

#[async_trait]
impl Harness for CognitoHarness {
    fn provider(&self) -> &dyn IdentityProvider {
        &self.provider
    }

    /// moto sends no email and accepts any code.
    async fn latest_code(&self, _username: &str) -> ConfirmationCode {
        ConfirmationCode::parse("123456").unwrap()
    }

    /// moto sends no email and runs no trigger: the user's `locale` attribute is what
    /// Cognito's custom message trigger writes the email in (`lambda::cognito` tests that).
    async fn email_language(&self, username: &str) -> Language {
        let client = aws_sdk_cognitoidentityprovider::Client::new(&sdk_config().await);
        let user = client
            .admin_get_user()
            .user_pool_id(&self.pool_id)
            .username(username)
            .send()
            .await
            .unwrap();
        let locale = user
            .user_attributes()
            .iter()
            .find(|attribute| attribute.name() == "locale")
            .and_then(|attribute| attribute.value())
            .expect("sign-up sets the locale attribute");
        Language::parse(locale).unwrap()
    }

    fn confirming_verifies_email(&self) -> bool {
        false
    }
}

async fn the_confirmation_email_is_in_the_language_signed_up_in(harness: &impl Harness) {
    let provider = harness.provider();
    for (username, language) in [("kim", Language::Korean), ("lee", Language::English)] {
        provider
            .sign_up(&name(username), &password(), &email(username), language)
            .await
            .unwrap();
        assert_eq!(harness.email_language(username).await, language);
    }
}

async fn an_unconfirmed_account_cannot_log_in(harness: &impl Harness) {
    let provider = harness.provider();
    provider
        .sign_up(&name("ann"), &password(), &email("ann"), Language::English)
        .await
        .unwrap();

    let early = provider.log_in(&name("ann"), &password()).await;

    assert!(
        matches!(early, Err(IdentityError::NotConfirmed)),
        "{early:?}"
    );
}

async fn a_username_can_be_taken_once_whatever_its_case(harness: &impl Harness) {
    let provider = harness.provider();
    provider
        .sign_up(&name("ben"), &password(), &email("ben"), Language::English)
        .await
        .unwrap();

    let again = provider
        .sign_up(&name("BEN"), &password(), &email("ben2"), Language::English)
        .await;

    assert!(
        matches!(again, Err(IdentityError::UsernameTaken)),
        "{again:?}"
    );
}

async fn a_wrong_password_and_an_unknown_user_are_the_same_error(harness: &impl Harness) {
    harness.confirmed("cal").await;
    let wrong = Password::presented("Wrong1Password").unwrap();

    let wrong_password = harness.provider().log_in(&name("cal"), &wrong).await;
    let unknown = harness
        .provider()
        .log_in(&name("nobody"), &password())
        .await;

    assert!(
        matches!(wrong_password, Err(IdentityError::InvalidCredentials)),
        "{wrong_password:?}"
    );
    assert!(
        matches!(unknown, Err(IdentityError::InvalidCredentials)),
        "{unknown:?}"
    );
}

async fn a_confirmed_account_logs_in_and_its_session_refreshes(harness: &impl Harness) {
    let tokens = harness.logged_in("cat").await;
    assert!(tokens.expires_in > 0);
    let handle = session(tokens);

    let refreshed = harness.provider().refresh(&handle).await.unwrap();
    assert!(!refreshed.access_token.is_empty());

    let bogus = SessionHandle {
        subject: handle.subject,
        refresh_token: "not-a-refresh-token".into(),
    };
    let refused = harness.provider().refresh(&bogus).await;
    assert!(
        matches!(refused, Err(IdentityError::SessionInvalid)),
        "{refused:?}"
    );
}

async fn the_profile_is_the_confirmed_account(harness: &impl Harness) {
    let tokens = harness.logged_in("jon").await;
    // The request path takes the caller from the verified access token.
    let sub = jsonwebtoken::dangerous::insecure_decode::<serde_json::Value>(&tokens.access_token)
        .unwrap()
        .claims["sub"]
        .as_str()
        .unwrap()
        .to_owned();

    let profile = harness
        .provider()
        .profile(&Caller {
            sub: sub.clone(),
            username: "jon".into(),
            groups: Vec::new(),
        })
        .await
        .unwrap();

    assert_eq!(profile.username, "jon");
    assert_eq!(profile.email, "jon@example.com");
    assert_eq!(profile.email_verified, harness.confirming_verifies_email());
    assert_eq!(profile.sub, sub);
}

#[tokio::test]
async fn cognito_access_tokens_pass_the_verifier_with_the_jwks_fetched_from_the_emulator() {
    let harness = CognitoHarness::new(false).await;
    let tokens = harness.logged_in("kim").await;
    let verifier = AccessTokenVerifier::new(
        VerifierSettings {
            issuer: format!(
                "https://cognito-idp.us-east-1.amazonaws.com/{}",
                harness.pool_id
            ),
            client_id: harness.client_id.clone(),
        },
        Arc::new(
            HttpJwks::new(format!(
                "{}/{}/.well-known/jwks.json",
                moto().endpoint,
                harness.pool_id
            ))
            .unwrap(),
        ),
        server::ports::SystemClock,
    );

    let caller = verifier.verify(&tokens.access_token).await.unwrap();

    assert_eq!(caller.username, "kim");
    assert!(
        verifier.verify(&tokens.id_token).await.is_err(),
        "an ID token is not an access token"
    );
}

fn wrong_code(right: &ConfirmationCode) -> ConfirmationCode {
    let other = if right.as_ref() == "000000" {
        "111111"
    } else {
        "000000"
    };
    ConfirmationCode::parse(other).unwrap()
}

#[tokio::test]
async fn local_a_code_expires() {
    let harness = LocalHarness::new();
    harness
        .provider
        .sign_up(&name("dee"), &password(), &email("dee"), Language::English)
        .await
        .unwrap();
    let code = harness.latest_code("dee").await;

    harness.advance(harness.settings.code_secs + 1);

    let late = harness.provider.confirm(&name("dee"), &code).await;
    assert!(matches!(late, Err(IdentityError::InvalidCode)));
}

#[tokio::test]
async fn local_a_code_dies_after_the_allowed_number_of_wrong_attempts() {
    let harness = LocalHarness::new();
    harness
        .provider
        .sign_up(&name("eve"), &password(), &email("eve"), Language::English)
        .await
        .unwrap();
    let code = harness.latest_code("eve").await;

    for _ in 0..harness.settings.max_code_attempts {
        let wrong = harness
            .provider
            .confirm(&name("eve"), &wrong_code(&code))
            .await;
        assert!(matches!(wrong, Err(IdentityError::InvalidCode)));
    }

    let right_but_too_late = harness.provider.confirm(&name("eve"), &code).await;
    assert!(matches!(
        right_but_too_late,
        Err(IdentityError::InvalidCode)
    ));
}

#[tokio::test]
async fn local_a_resend_waits_for_the_cool_down_and_replaces_the_old_code() {
    let harness = LocalHarness::new();
    harness
        .provider
        .sign_up(&name("fay"), &password(), &email("fay"), Language::English)
        .await
        .unwrap();
    let first = harness.latest_code("fay").await;

    let too_soon = harness.provider.resend_code(&name("fay")).await;
    assert!(
        matches!(too_soon, Err(IdentityError::Throttled { retry_after_secs }) if retry_after_secs > 0)
    );

    harness.advance(harness.settings.resend_cooldown_secs);
    harness.provider.resend_code(&name("fay")).await.unwrap();
    let second = harness.latest_code("fay").await;
    if first != second {
        let old = harness.provider.confirm(&name("fay"), &first).await;
        assert!(matches!(old, Err(IdentityError::InvalidCode)));
    }
    harness
        .provider
        .confirm(&name("fay"), &second)
        .await
        .unwrap();
}

#[tokio::test]
async fn local_a_code_sent_again_is_in_the_language_signed_up_in() {
    let harness = LocalHarness::new();
    harness
        .provider
        .sign_up(&name("yuna"), &password(), &email("yuna"), Language::Korean)
        .await
        .unwrap();
    harness.advance(harness.settings.resend_cooldown_secs);
    harness.provider.resend_code(&name("yuna")).await.unwrap();
    let mails = harness.provider.messages(&name("yuna")).await.unwrap();
    assert_eq!(mails.len(), 2);
    assert_eq!(harness.email_language("yuna").await, Language::Korean);
}

#[tokio::test]
async fn local_refresh_rotates_and_a_rotated_token_works_only_within_the_grace_period() {
    let harness = LocalHarness::new();
    let first = session(harness.logged_in("gus").await);

    let second = session(harness.provider.refresh(&first).await.unwrap());
    assert_ne!(first.refresh_token, second.refresh_token);

    let other_tab = harness.provider.refresh(&first).await.unwrap();
    assert!(
        other_tab.session.is_none(),
        "within the grace period the old token refreshes without rotating"
    );

    harness.advance(harness.settings.refresh_reuse_grace_secs + 1);
    let replayed = harness.provider.refresh(&first).await;
    assert!(matches!(replayed, Err(IdentityError::SessionInvalid)));

    let current = harness.provider.refresh(&second).await;
    assert!(
        matches!(current, Err(IdentityError::SessionInvalid)),
        "reuse revokes the whole family"
    );
}

#[tokio::test]
async fn local_a_session_ends_when_its_lifetime_does_however_often_it_rotated() {
    let harness = LocalHarness::new();
    let mut current = session(harness.logged_in("hal").await);
    for _ in 0..3 {
        harness.advance(harness.settings.refresh_token_secs / 4);
        current = session(harness.provider.refresh(&current).await.unwrap());
    }

    harness.advance(harness.settings.refresh_token_secs / 4 + 1);

    let expired = harness.provider.refresh(&current).await;
    assert!(matches!(expired, Err(IdentityError::SessionInvalid)));
}

#[tokio::test]
async fn local_log_out_revokes_only_this_session() {
    let harness = LocalHarness::new();
    let phone = session(harness.logged_in("ida").await);
    let laptop = session(
        harness
            .provider
            .log_in(&name("ida"), &password())
            .await
            .unwrap(),
    );

    harness.provider.log_out(&phone).await.unwrap();

    let revoked = harness.provider.refresh(&phone).await;
    assert!(matches!(revoked, Err(IdentityError::SessionInvalid)));
    assert!(harness.provider.refresh(&laptop).await.is_ok());
}

/// Tries a password every time the lock allows, for `secs` of simulated time; returns how
/// many attempts reached the password check.
async fn attempts_within(harness: &LocalHarness, username: &str, secs: u64) -> u32 {
    let wrong = Password::presented("Wrong1Password").unwrap();
    let (mut attempts, mut elapsed) = (0, 0);
    while elapsed < secs {
        match harness.provider.log_in(&name(username), &wrong).await {
            Err(IdentityError::InvalidCredentials) => attempts += 1,
            Err(IdentityError::Throttled { retry_after_secs }) => {
                harness.advance(retry_after_secs);
                elapsed += retry_after_secs;
            }
            other => panic!("unexpected {other:?}"),
        }
    }
    attempts
}

#[tokio::test]
async fn local_an_attacker_gets_17_password_tries_per_account_in_the_first_hour_and_4_after() {
    let harness = LocalHarness::new();
    harness.confirmed("ivy").await;

    let first_hour = attempts_within(&harness, "ivy", 3600).await;
    let second_hour = attempts_within(&harness, "ivy", 3600).await;
    let unknown = attempts_within(&harness, "nobody", 3600).await;

    println!(
        "log-in attempts per account: {first_hour} in the first hour, {second_hour} in the next"
    );
    assert_eq!(first_hour, 17);
    assert_eq!(second_hour, 4);
    assert_eq!(unknown, first_hour, "an unknown name is locked alike");
    harness.advance(900);
    harness
        .provider
        .log_in(&name("ivy"), &password())
        .await
        .unwrap();
    let wrong = Password::presented("Wrong1Password").unwrap();
    let after_success = harness.provider.log_in(&name("ivy"), &wrong).await;
    assert!(
        matches!(after_success, Err(IdentityError::InvalidCredentials)),
        "the right password clears the count"
    );
}

#[tokio::test]
async fn local_code_tries_are_capped_per_day_across_resends_for_known_and_unknown_names() {
    let harness = LocalHarness::new();
    harness
        .provider
        .sign_up(&name("jay"), &password(), &email("jay"), Language::English)
        .await
        .unwrap();
    let per_day = harness.settings.max_code_tries_per_day;
    let mut tries = 0;
    while tries < per_day {
        let code = harness.latest_code("jay").await;
        for _ in 0..harness.settings.max_code_attempts.min(per_day - tries) {
            let refused = harness
                .provider
                .confirm(&name("jay"), &wrong_code(&code))
                .await;
            assert!(matches!(refused, Err(IdentityError::InvalidCode)));
            tries += 1;
        }
        harness.advance(harness.settings.resend_cooldown_secs);
        harness.provider.resend_code(&name("jay")).await.unwrap();
    }

    let right_code = harness.latest_code("jay").await;
    let capped = harness.provider.confirm(&name("jay"), &right_code).await;
    assert!(
        matches!(capped, Err(IdentityError::Throttled { .. })),
        "{capped:?}"
    );
    for _ in 0..per_day {
        let _ = harness.provider.confirm(&name("nobody"), &right_code).await;
    }
    let unknown = harness.provider.confirm(&name("nobody"), &right_code).await;
    assert!(matches!(unknown, Err(IdentityError::Throttled { .. })));

    harness.advance(24 * 3600);
    harness
        .provider
        .confirm(&name("jay"), &right_code)
        .await
        .unwrap();
}

#[tokio::test]
async fn local_with_no_grace_a_rotated_token_is_refused_even_in_the_same_second() {
    let harness = LocalHarness::with_settings(LocalIdpSettings {
        refresh_reuse_grace_secs: 0,
        ..LocalIdpSettings::default()
    });
    let first = session(harness.logged_in("kit").await);
    let second = session(harness.provider.refresh(&first).await.unwrap());

    let replayed = harness.provider.refresh(&first).await;

    assert!(matches!(replayed, Err(IdentityError::SessionInvalid)));
    let current = harness.provider.refresh(&second).await;
    assert!(
        matches!(current, Err(IdentityError::SessionInvalid)),
        "reuse revokes the family"
    );
}

#[tokio::test]
async fn local_groups_reach_the_access_token_at_the_next_log_in_or_refresh() {
    let harness = LocalHarness::new();
    let before = harness.logged_in("gus").await;
    let verifier = AccessTokenVerifier::new(
        harness.provider.verifier_settings(),
        Arc::new(server::auth::jwks::StaticJwks(
            SigningKey::load_or_create(harness._dir.path())
                .unwrap()
                .jwks()
                .clone(),
        )),
        server::ports::SystemClock,
    );
    assert!(
        verifier
            .verify(&before.access_token)
            .await
            .unwrap()
            .groups
            .is_empty()
    );

    assert!(
        harness
            .provider
            .add_to_group(&name("gus"), "beta")
            .await
            .unwrap()
    );
    assert!(
        harness
            .provider
            .add_to_group(&name("gus"), "early")
            .await
            .unwrap()
    );
    assert!(
        !harness
            .provider
            .add_to_group(&name("nobody"), "beta")
            .await
            .unwrap()
    );
    let refreshed = harness.provider.refresh(&session(before)).await.unwrap();

    let caller = verifier.verify(&refreshed.access_token).await.unwrap();
    assert_eq!(caller.groups, ["beta", "early"]);
    assert!(
        harness
            .provider
            .remove_from_group(&name("gus"), "early")
            .await
            .unwrap()
    );
    assert_eq!(
        harness.provider.groups_of(&name("gus")).await.unwrap(),
        Some(vec!["beta".to_owned()])
    );
    let again = harness
        .provider
        .log_in(&name("gus"), &password())
        .await
        .unwrap();
    assert_eq!(
        verifier.verify(&again.access_token).await.unwrap().groups,
        ["beta"]
    );
}
