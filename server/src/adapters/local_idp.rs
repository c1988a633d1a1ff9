//! The embedded default's identity provider: Cognito's behaviour, in the local SQLite file.
//!
//! Passwords are argon2id hashes; confirmation codes are six digits that expire, allow a
//! bounded number of attempts and can be resent after a cool-down; tokens are RS256 JWTs
//! shaped like Cognito's; refresh tokens are random, stored hashed, and rotated on every
//! use. A rotated-out token presented again within the grace period still refreshes (two
//! tabs refreshing at once must not log the person out); after it, the whole family is
//! revoked, since the token has evidently been copied.

use std::sync::{Arc, OnceLock};

use app::domain::{ConfirmationCode, Email, Password, Username};
use argon2::{
    Argon2, PasswordHash, PasswordHasher, PasswordVerifier,
    password_hash::{SaltString, rand_core::OsRng},
};
use async_trait::async_trait;
use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use rusqlite::{OptionalExtension, TransactionBehavior, params};
use serde::Serialize;

use crate::{
    adapters::sqlite::SqliteDatabase,
    auth::{signing::SigningKey, verifier::VerifierSettings},
    ports::{
        IdentityError, IdentityProvider, IssuedTokens, Principal, Profile, SessionHandle,
        StoreError,
    },
};

/// Lifetimes and limits; the defaults follow the user pool in `infra/template.yaml`.
#[derive(Debug, Clone)]
pub struct LocalIdpSettings {
    /// `iss` of every token.
    pub issuer: String,
    /// `client_id` (access) and `aud` (id) of every token.
    pub client_id: String,
    /// Access and ID token lifetime.
    pub access_token_secs: u64,
    /// How long a session lasts from log-in; rotation does not extend it.
    pub refresh_token_secs: u64,
    /// How long a rotated-out refresh token still works (`BOARDWALK_REFRESH_REUSE_GRACE_SECS`).
    pub refresh_reuse_grace_secs: u64,
    /// How long a confirmation code is valid.
    pub code_secs: u64,
    /// Wrong codes tolerated before the code is void and a new one is needed.
    pub max_code_attempts: u32,
    /// Wait between two resends.
    pub resend_cooldown_secs: u64,
}

impl Default for LocalIdpSettings {
    fn default() -> Self {
        Self {
            issuer: "urn:boardwalk:local-idp".into(),
            client_id: "boardwalk-local".into(),
            access_token_secs: 15 * 60,
            refresh_token_secs: 30 * 24 * 3600,
            refresh_reuse_grace_secs: 10,
            code_secs: 24 * 3600,
            max_code_attempts: 5,
            resend_cooldown_secs: 30,
        }
    }
}

/// Seconds since the Unix epoch; injectable so tests can move time.
pub type Clock = Arc<dyn Fn() -> u64 + Send + Sync>;

fn system_clock() -> Clock {
    Arc::new(|| {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |elapsed| elapsed.as_secs())
    })
}

/// One message in the local-only dev mailbox (`GET /api/dev/mailbox/{username}`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
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

/// [`IdentityProvider`] on the local SQLite database.
#[derive(Clone)]
pub struct LocalIdentityProvider {
    database: SqliteDatabase,
    key: Arc<SigningKey>,
    settings: Arc<LocalIdpSettings>,
    clock: Clock,
}

#[derive(Serialize)]
struct AccessClaims<'a> {
    sub: &'a str,
    username: &'a str,
    client_id: &'a str,
    token_use: &'static str,
    scope: &'static str,
    iss: &'a str,
    iat: u64,
    auth_time: u64,
    exp: u64,
    jti: String,
}

#[derive(Serialize)]
struct IdClaims<'a> {
    sub: &'a str,
    #[serde(rename = "cognito:username")]
    username: &'a str,
    email: &'a str,
    email_verified: bool,
    aud: &'a str,
    iss: &'a str,
    token_use: &'static str,
    iat: u64,
    auth_time: u64,
    exp: u64,
    jti: String,
}

struct Account {
    sub: String,
    username: String,
    email: String,
    confirmed: bool,
}

enum RefreshOutcome {
    Rotated { account: Account, next: String },
    WithinGrace { account: Account },
    Invalid,
}

impl LocalIdentityProvider {
    /// A provider on `database`, signing with `key`.
    pub fn new(database: SqliteDatabase, key: Arc<SigningKey>, settings: LocalIdpSettings) -> Self {
        Self::with_clock(database, key, settings, system_clock())
    }

    /// As [`Self::new`], with time from `clock`.
    pub fn with_clock(
        database: SqliteDatabase,
        key: Arc<SigningKey>,
        settings: LocalIdpSettings,
        clock: Clock,
    ) -> Self {
        Self {
            database,
            key,
            settings: Arc::new(settings),
            clock,
        }
    }

    /// What the verifier must check for this provider's tokens.
    pub fn verifier_settings(&self) -> VerifierSettings {
        VerifierSettings {
            issuer: self.settings.issuer.clone(),
            client_id: self.settings.client_id.clone(),
        }
    }

    /// Messages sent to `username`, oldest first.
    pub async fn mailbox(&self, username: &Username) -> Result<Vec<DevMail>, StoreError> {
        let username = username.as_ref().to_owned();
        self.database
            .call(move |connection| {
                let mut statement = connection.prepare(
                    "SELECT recipient, subject, body, code FROM dev_mailbox
                     WHERE username = ?1 ORDER BY id",
                )?;
                statement
                    .query_map([&username], |row| {
                        Ok(DevMail {
                            to: row.get(0)?,
                            subject: row.get(1)?,
                            body: row.get(2)?,
                            code: row.get(3)?,
                        })
                    })?
                    .collect()
            })
            .await
    }

    fn issue(
        &self,
        account: &Account,
        session: Option<SessionHandle>,
    ) -> Result<IssuedTokens, IdentityError> {
        let now = (self.clock)();
        let exp = now + self.settings.access_token_secs;
        let access = AccessClaims {
            sub: &account.sub,
            username: &account.username,
            client_id: &self.settings.client_id,
            token_use: "access",
            scope: "aws.cognito.signin.user.admin",
            iss: &self.settings.issuer,
            iat: now,
            auth_time: now,
            exp,
            jti: uuid::Uuid::new_v4().to_string(),
        };
        let id = IdClaims {
            sub: &account.sub,
            username: &account.username,
            email: &account.email,
            email_verified: account.confirmed,
            aud: &self.settings.client_id,
            iss: &self.settings.issuer,
            token_use: "id",
            iat: now,
            auth_time: now,
            exp,
            jti: uuid::Uuid::new_v4().to_string(),
        };
        let sign_failed = |err| IdentityError::Unavailable(Box::new(err));
        Ok(IssuedTokens {
            access_token: self.key.sign(&access).map_err(sign_failed)?,
            id_token: self.key.sign(&id).map_err(sign_failed)?,
            expires_in: self.settings.access_token_secs,
            session,
        })
    }

    /// Stores a code for `username` and delivers it to the log and the dev mailbox.
    fn send_code(
        connection: &rusqlite::Connection,
        settings: &LocalIdpSettings,
        now: u64,
        username: &str,
        email: &str,
    ) -> rusqlite::Result<()> {
        let code = six_digit_code();
        connection.execute(
            "INSERT INTO confirmation_codes (username, code_hash, expires_at, attempts, sent_at)
             VALUES (?1, ?2, ?3, 0, ?4)
             ON CONFLICT (username) DO UPDATE SET code_hash = ?2, expires_at = ?3, attempts = 0, sent_at = ?4",
            params![username, digest(&code), to_sql(now + settings.code_secs), to_sql(now)],
        )?;
        let body = format!(
            "Your Boardwalk confirmation code is {code}. It expires in {} hours.",
            settings.code_secs / 3600
        );
        connection.execute(
            "INSERT INTO dev_mailbox (username, recipient, subject, body, code, sent_at)
             VALUES (?1, ?2, 'Your Boardwalk confirmation code', ?3, ?4, ?5)",
            params![username, email, body, code, to_sql(now)],
        )?;
        tracing::info!(username, code = %code, "local identity provider: confirmation code sent to the dev mailbox");
        Ok(())
    }
}

fn unavailable(err: StoreError) -> IdentityError {
    IdentityError::Unavailable(Box::new(err))
}

fn to_sql(seconds: u64) -> i64 {
    i64::try_from(seconds).unwrap_or(i64::MAX)
}

/// Uniform over 000000–999999: draws below the largest multiple of a million are kept.
fn six_digit_code() -> String {
    loop {
        let mut bytes = [0u8; 4];
        if aws_lc_rs::rand::fill(&mut bytes).is_err() {
            continue;
        }
        let draw = u32::from_be_bytes(bytes);
        if draw < 4_294_000_000 {
            return format!("{:06}", draw % 1_000_000);
        }
    }
}

fn random_token() -> Result<String, IdentityError> {
    let mut bytes = [0u8; 32];
    aws_lc_rs::rand::fill(&mut bytes)
        .map_err(|_| IdentityError::Unavailable("no randomness".into()))?;
    Ok(URL_SAFE_NO_PAD.encode(bytes))
}

/// Refresh tokens and codes are stored as SHA-256, so a copy of the database opens no session.
fn digest(secret: &str) -> String {
    URL_SAFE_NO_PAD.encode(aws_lc_rs::digest::digest(
        &aws_lc_rs::digest::SHA256,
        secret.as_bytes(),
    ))
}

/// A hash to verify against when the user does not exist, so an unknown name takes as long
/// to refuse as a wrong password.
fn decoy_hash() -> &'static str {
    static DECOY: OnceLock<String> = OnceLock::new();
    DECOY.get_or_init(|| hash_password("decoy-password-nobody-has").unwrap_or_default())
}

fn hash_password(password: &str) -> Result<String, argon2::password_hash::Error> {
    let salt = SaltString::generate(&mut OsRng);
    Ok(Argon2::default()
        .hash_password(password.as_bytes(), &salt)?
        .to_string())
}

fn password_matches(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash).is_ok_and(|parsed| {
        Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok()
    })
}

async fn on_blocking_pool<T: Send + 'static>(
    work: impl FnOnce() -> T + Send + 'static,
) -> Result<T, IdentityError> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|err| IdentityError::Unavailable(Box::new(err)))
}

fn account_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<Account> {
    Ok(Account {
        sub: row.get("sub")?,
        username: row.get("username")?,
        email: row.get("email")?,
        confirmed: row.get("confirmed")?,
    })
}

#[async_trait]
impl IdentityProvider for LocalIdentityProvider {
    async fn sign_up(
        &self,
        username: &Username,
        password: &Password,
        email: &Email,
    ) -> Result<(), IdentityError> {
        let secret = password.expose().to_owned();
        let hash = on_blocking_pool(move || hash_password(&secret))
            .await?
            .map_err(|err| IdentityError::Unavailable(err.to_string().into()))?;
        let (username, email) = (username.as_ref().to_owned(), email.as_ref().to_owned());
        let (settings, now) = (Arc::clone(&self.settings), (self.clock)());
        let created =
            self.database
                .call(move |connection| {
                    let transaction =
                        connection.transaction_with_behavior(TransactionBehavior::Immediate)?;
                    let inserted = transaction.execute(
                    "INSERT INTO users (sub, username, email, password_hash, confirmed, created_at)
                     VALUES (?1, ?2, ?3, ?4, 0, ?5) ON CONFLICT (username) DO NOTHING",
                    params![uuid::Uuid::new_v4().to_string(), username, email, hash, to_sql(now)],
                )?;
                    if inserted == 1 {
                        Self::send_code(&transaction, &settings, now, &username, &email)?;
                    }
                    transaction.commit()?;
                    Ok(inserted == 1)
                })
                .await
                .map_err(unavailable)?;
        if created {
            Ok(())
        } else {
            Err(IdentityError::UsernameTaken)
        }
    }

    async fn confirm(
        &self,
        username: &Username,
        code: &ConfirmationCode,
    ) -> Result<(), IdentityError> {
        let (username, code_hash) = (username.as_ref().to_owned(), digest(code.as_ref()));
        let (max_attempts, now) = (self.settings.max_code_attempts, (self.clock)());
        let confirmed = self
            .database
            .call(move |connection| {
                let transaction = connection.transaction_with_behavior(TransactionBehavior::Immediate)?;
                let pending: Option<(String, i64, u32)> = transaction
                    .query_row(
                        "SELECT code_hash, expires_at, attempts FROM confirmation_codes WHERE username = ?1",
                        [&username],
                        |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)),
                    )
                    .optional()?;
                let Some((expected, expires_at, attempts)) = pending else {
                    return Ok(false);
                };
                let usable = attempts < max_attempts && to_sql(now) <= expires_at;
                let confirmed = usable && expected == code_hash;
                if confirmed {
                    transaction.execute("UPDATE users SET confirmed = 1 WHERE username = ?1", [&username])?;
                    transaction.execute("DELETE FROM confirmation_codes WHERE username = ?1", [&username])?;
                } else {
                    transaction.execute(
                        "UPDATE confirmation_codes SET attempts = attempts + 1 WHERE username = ?1",
                        [&username],
                    )?;
                }
                transaction.commit()?;
                Ok(confirmed)
            })
            .await
            .map_err(unavailable)?;
        if confirmed {
            Ok(())
        } else {
            Err(IdentityError::InvalidCode)
        }
    }

    async fn resend_code(&self, username: &Username) -> Result<(), IdentityError> {
        let username = username.as_ref().to_owned();
        let (settings, now) = (Arc::clone(&self.settings), (self.clock)());
        let wait = self
            .database
            .call(move |connection| {
                let transaction =
                    connection.transaction_with_behavior(TransactionBehavior::Immediate)?;
                let pending: Option<(String, Option<i64>)> = transaction
                    .query_row(
                        "SELECT users.email, codes.sent_at FROM users
                         LEFT JOIN confirmation_codes AS codes ON codes.username = users.username
                         WHERE users.username = ?1 AND users.confirmed = 0",
                        [&username],
                        |row| Ok((row.get(0)?, row.get(1)?)),
                    )
                    .optional()?;
                let Some((email, sent_at)) = pending else {
                    return Ok(0);
                };
                let ready_at = sent_at.map_or(0, |sent| {
                    sent.saturating_add(to_sql(settings.resend_cooldown_secs))
                });
                if to_sql(now) < ready_at {
                    return Ok(ready_at - to_sql(now));
                }
                Self::send_code(&transaction, &settings, now, &username, &email)?;
                transaction.commit()?;
                Ok(0)
            })
            .await
            .map_err(unavailable)?;
        match u64::try_from(wait) {
            Ok(0) | Err(_) => Ok(()),
            Ok(retry_after_secs) => Err(IdentityError::Throttled { retry_after_secs }),
        }
    }

    async fn log_in(
        &self,
        username: &Username,
        password: &Password,
    ) -> Result<IssuedTokens, IdentityError> {
        let name = username.as_ref().to_owned();
        let found = self
            .database
            .call(move |connection| {
                connection
                    .query_row(
                        "SELECT sub, username, email, confirmed, password_hash FROM users WHERE username = ?1",
                        [&name],
                        |row| Ok((account_row(row)?, row.get::<_, String>("password_hash")?)),
                    )
                    .optional()
            })
            .await
            .map_err(unavailable)?;
        let secret = password.expose().to_owned();
        let (account, hash) = match found {
            Some((account, hash)) => (Some(account), hash),
            None => (None, decoy_hash().to_owned()),
        };
        let matches = on_blocking_pool(move || password_matches(&secret, &hash)).await?;
        let account = account
            .filter(|_| matches)
            .ok_or(IdentityError::InvalidCredentials)?;
        if !account.confirmed {
            return Err(IdentityError::NotConfirmed);
        }

        let token = random_token()?;
        let (sub, token_hash, now) = (account.sub.clone(), digest(&token), (self.clock)());
        let expires_at = to_sql(now + self.settings.refresh_token_secs);
        self.database
            .call(move |connection| {
                connection.execute(
                    "INSERT INTO refresh_tokens (token_hash, family, sub, expires_at) VALUES (?1, ?2, ?3, ?4)",
                    params![token_hash, uuid::Uuid::new_v4().to_string(), sub, expires_at],
                )
            })
            .await
            .map_err(unavailable)?;
        let session = SessionHandle {
            subject: account.sub.clone(),
            refresh_token: token,
        };
        self.issue(&account, Some(session))
    }

    async fn refresh(&self, session: &SessionHandle) -> Result<IssuedTokens, IdentityError> {
        let presented = digest(&session.refresh_token);
        let next = random_token()?;
        let next_hash = digest(&next);
        let (grace, now) = (
            self.settings.refresh_reuse_grace_secs,
            to_sql((self.clock)()),
        );
        let outcome = self
            .database
            .call(move |connection| {
                let transaction = connection.transaction_with_behavior(TransactionBehavior::Immediate)?;
                let found: Option<(String, String, i64, Option<i64>, bool)> = transaction
                    .query_row(
                        "SELECT family, sub, expires_at, replaced_at, revoked FROM refresh_tokens
                         WHERE token_hash = ?1",
                        [&presented],
                        |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?, row.get(4)?)),
                    )
                    .optional()?;
                let Some((family, sub, expires_at, replaced_at, revoked)) = found else {
                    return Ok(RefreshOutcome::Invalid);
                };
                if revoked || now > expires_at {
                    return Ok(RefreshOutcome::Invalid);
                }
                if replaced_at.is_some_and(|replaced_at| now - replaced_at > to_sql(grace)) {
                    transaction.execute("UPDATE refresh_tokens SET revoked = 1 WHERE family = ?1", [&family])?;
                    transaction.commit()?;
                    tracing::warn!(%sub, "refresh token reused after its grace period: session revoked");
                    return Ok(RefreshOutcome::Invalid);
                }
                let account = transaction.query_row(
                    "SELECT sub, username, email, confirmed FROM users WHERE sub = ?1",
                    [&sub],
                    account_row,
                )?;
                if replaced_at.is_some() {
                    return Ok(RefreshOutcome::WithinGrace { account });
                }
                transaction.execute(
                    "UPDATE refresh_tokens SET replaced_at = ?1 WHERE token_hash = ?2",
                    params![now, presented],
                )?;
                transaction.execute(
                    "INSERT INTO refresh_tokens (token_hash, family, sub, expires_at) VALUES (?1, ?2, ?3, ?4)",
                    params![next_hash, family, sub, expires_at],
                )?;
                transaction.commit()?;
                Ok(RefreshOutcome::Rotated { account, next })
            })
            .await
            .map_err(unavailable)?;
        match outcome {
            RefreshOutcome::Rotated { account, next } => {
                let session = SessionHandle {
                    subject: account.sub.clone(),
                    refresh_token: next,
                };
                self.issue(&account, Some(session))
            }
            RefreshOutcome::WithinGrace { account } => self.issue(&account, None),
            RefreshOutcome::Invalid => Err(IdentityError::SessionInvalid),
        }
    }

    async fn log_out(&self, session: &SessionHandle) -> Result<(), IdentityError> {
        let presented = digest(&session.refresh_token);
        self.database
            .call(move |connection| {
                connection.execute(
                    "UPDATE refresh_tokens SET revoked = 1
                     WHERE family = (SELECT family FROM refresh_tokens WHERE token_hash = ?1)",
                    [&presented],
                )
            })
            .await
            .map_err(unavailable)?;
        Ok(())
    }

    async fn profile(&self, principal: &Principal) -> Result<Profile, IdentityError> {
        let sub = principal.sub.clone();
        let account = self
            .database
            .call(move |connection| {
                connection
                    .query_row(
                        "SELECT sub, username, email, confirmed FROM users WHERE sub = ?1",
                        [&sub],
                        account_row,
                    )
                    .optional()
            })
            .await
            .map_err(unavailable)?
            .ok_or(IdentityError::SessionInvalid)?;
        Ok(Profile {
            sub: account.sub,
            username: account.username,
            email: account.email,
            email_verified: account.confirmed,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_six_digits() {
        for _ in 0..200 {
            let code = six_digit_code();
            assert_eq!(code.len(), 6);
            assert!(code.bytes().all(|b| b.is_ascii_digit()));
        }
    }

    #[test]
    fn stored_secrets_are_digests_not_the_secret() {
        let token = random_token().unwrap();
        assert_ne!(digest(&token), token);
        assert_eq!(digest(&token), digest(&token));
    }

    #[test]
    fn a_password_matches_only_its_own_hash() {
        let hash = hash_password("Correct1Horse").unwrap();
        assert!(hash.starts_with("$argon2id$"));
        assert!(password_matches("Correct1Horse", &hash));
        assert!(!password_matches("Correct1Horsf", &hash));
    }
}
