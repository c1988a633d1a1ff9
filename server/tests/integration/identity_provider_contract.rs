//! The `IdentityProvider` contract, written against a harness (how to read a sent code, how to
//! move time) rather than an adapter. The local provider's harness runs every case.

use std::sync::{
    Arc,
    atomic::{AtomicU64, Ordering},
};

use app::domain::{ConfirmationCode, Email, Password, Username};
use server::{
    adapters::{
        local_idp::{LocalIdentityProvider, LocalIdpSettings},
        sqlite::SqliteDatabase,
    },
    auth::signing::SigningKey,
    ports::{IdentityError, IdentityProvider, IssuedTokens, Principal, SessionHandle},
};

const PASSWORD: &str = "Correct1Horse";

/// What the cases need beyond the port itself.
struct LocalHarness {
    provider: LocalIdentityProvider,
    now: Arc<AtomicU64>,
    settings: LocalIdpSettings,
    _dir: tempfile::TempDir,
}

impl LocalHarness {
    fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let database = SqliteDatabase::open(dir.path()).unwrap();
        let key = Arc::new(SigningKey::load_or_create(dir.path()).unwrap());
        let now = Arc::new(AtomicU64::new(1_800_000_000));
        let clock_now = Arc::clone(&now);
        let settings = LocalIdpSettings::default();
        let provider = LocalIdentityProvider::with_clock(
            database,
            key,
            settings.clone(),
            Arc::new(move || clock_now.load(Ordering::SeqCst)),
        );
        Self {
            provider,
            now,
            settings,
            _dir: dir,
        }
    }

    fn advance(&self, secs: u64) {
        self.now.fetch_add(secs, Ordering::SeqCst);
    }

    async fn latest_code(&self, username: &str) -> ConfirmationCode {
        let mails = self.provider.mailbox(&name(username)).await.unwrap();
        ConfirmationCode::parse(&mails.last().expect("a code was sent").code).unwrap()
    }

    async fn confirmed(&self, username: &str) {
        self.provider
            .sign_up(&name(username), &password(), &email(username))
            .await
            .unwrap();
        let code = self.latest_code(username).await;
        self.provider.confirm(&name(username), &code).await.unwrap();
    }

    async fn logged_in(&self, username: &str) -> SessionHandle {
        self.confirmed(username).await;
        session(
            self.provider
                .log_in(&name(username), &password())
                .await
                .unwrap(),
        )
    }
}

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

fn wrong_code(right: &ConfirmationCode) -> ConfirmationCode {
    let other = if right.as_ref() == "000000" {
        "111111"
    } else {
        "000000"
    };
    ConfirmationCode::parse(other).unwrap()
}

#[tokio::test]
async fn an_unconfirmed_account_cannot_log_in() {
    let harness = LocalHarness::new();
    harness
        .provider
        .sign_up(&name("ann"), &password(), &email("ann"))
        .await
        .unwrap();

    let early = harness.provider.log_in(&name("ann"), &password()).await;

    assert!(matches!(early, Err(IdentityError::NotConfirmed)));
}

#[tokio::test]
async fn a_username_can_be_taken_once_whatever_its_case() {
    let harness = LocalHarness::new();
    harness
        .provider
        .sign_up(&name("ben"), &password(), &email("ben"))
        .await
        .unwrap();

    let again = harness
        .provider
        .sign_up(&name("BEN"), &password(), &email("ben2"))
        .await;

    assert!(matches!(again, Err(IdentityError::UsernameTaken)));
}

#[tokio::test]
async fn a_wrong_password_and_an_unknown_user_are_the_same_error() {
    let harness = LocalHarness::new();
    harness.confirmed("cal").await;
    let wrong = Password::presented("Wrong1Password").unwrap();

    let wrong_password = harness.provider.log_in(&name("cal"), &wrong).await;
    let unknown = harness.provider.log_in(&name("nobody"), &password()).await;

    assert!(matches!(
        wrong_password,
        Err(IdentityError::InvalidCredentials)
    ));
    assert!(matches!(unknown, Err(IdentityError::InvalidCredentials)));
}

#[tokio::test]
async fn a_code_expires() {
    let harness = LocalHarness::new();
    harness
        .provider
        .sign_up(&name("dee"), &password(), &email("dee"))
        .await
        .unwrap();
    let code = harness.latest_code("dee").await;

    harness.advance(harness.settings.code_secs + 1);

    let late = harness.provider.confirm(&name("dee"), &code).await;
    assert!(matches!(late, Err(IdentityError::InvalidCode)));
}

#[tokio::test]
async fn a_code_dies_after_the_allowed_number_of_wrong_attempts() {
    let harness = LocalHarness::new();
    harness
        .provider
        .sign_up(&name("eve"), &password(), &email("eve"))
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
async fn a_resend_waits_for_the_cool_down_and_replaces_the_old_code() {
    let harness = LocalHarness::new();
    harness
        .provider
        .sign_up(&name("fay"), &password(), &email("fay"))
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
async fn refresh_rotates_and_a_rotated_token_works_only_within_the_grace_period() {
    let harness = LocalHarness::new();
    let first = harness.logged_in("gus").await;

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
async fn a_session_ends_when_its_lifetime_does_however_often_it_rotated() {
    let harness = LocalHarness::new();
    let mut current = harness.logged_in("hal").await;
    for _ in 0..3 {
        harness.advance(harness.settings.refresh_token_secs / 4);
        current = session(harness.provider.refresh(&current).await.unwrap());
    }

    harness.advance(harness.settings.refresh_token_secs / 4 + 1);

    assert!(matches!(
        harness.provider.refresh(&current).await,
        Err(IdentityError::SessionInvalid)
    ));
}

#[tokio::test]
async fn log_out_revokes_only_this_session() {
    let harness = LocalHarness::new();
    let phone = harness.logged_in("ida").await;
    let laptop = session(
        harness
            .provider
            .log_in(&name("ida"), &password())
            .await
            .unwrap(),
    );

    harness.provider.log_out(&phone).await.unwrap();

    assert!(matches!(
        harness.provider.refresh(&phone).await,
        Err(IdentityError::SessionInvalid)
    ));
    assert!(harness.provider.refresh(&laptop).await.is_ok());
}

#[tokio::test]
async fn the_profile_is_the_confirmed_account() {
    let harness = LocalHarness::new();
    harness.confirmed("jon").await;
    let tokens = harness
        .provider
        .log_in(&name("jon"), &password())
        .await
        .unwrap();
    let handle = session(tokens.clone());

    let profile = harness
        .provider
        .profile(&Principal {
            sub: handle.subject.clone(),
            username: "jon".into(),
            access_token: tokens.access_token,
        })
        .await
        .unwrap();

    assert_eq!(profile.username, "jon");
    assert_eq!(profile.email, "jon@example.com");
    assert!(profile.email_verified);
    assert_eq!(profile.sub, handle.subject);
}
