//! The embedded default's identity provider: Cognito's behaviour, in the local SQLite file.
//!
//! One file per concern: [`settings`] (lifetimes and limits), [`schema`] (its tables),
//! `passwords` (argon2id), `hashing` (the bounded pool hashes run in), `lockout`
//! (Cognito's lock-out after failed log-ins), `secrets` (random tokens and codes, stored as
//! digests), `codes` (confirmation, with a daily cap on tries), `sessions` (refresh-token
//! rotation and reuse detection), `tokens` (the Cognito-shaped JWTs) and `mailbox` (the
//! local-only dev mailbox). This file only wires them into the [`IdentityProvider`] port,
//! one transaction per call.

mod codes;
mod groups;
mod hashing;
mod lockout;
mod mailbox;
mod passwords;
mod schema;
mod secrets;
mod sessions;
mod settings;
mod tokens;

pub(super) use groups::SCHEMA_GROUPS;
pub use groups::valid_group_name;
pub(super) use schema::{SCHEMA, SCHEMA_ABUSE_LIMITS, SCHEMA_LANGUAGE};
pub use settings::LocalIdpSettings;

use std::sync::Arc;

use app::{
    domain::{ConfirmationCode, Email, Language, Password, Username},
    services::{Caller, SessionHandle},
};
use async_trait::async_trait;
use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};

use self::{
    codes::CodeCheck,
    hashing::HashingPool,
    lockout::Gate,
    passwords::{decoy_hash, hash_password, password_matches},
    secrets::{digest, random_token},
    sessions::Refreshed,
};
use crate::{
    adapters::sqlite::SqliteDatabase,
    auth::{signing::SigningKey, verifier::VerifierSettings},
    ports::{
        Clock, IdentityError, IdentityProvider, IssuedTokens, Person, Profile, StoreError,
        UserDirectory,
    },
};

/// [`IdentityProvider`] on the local SQLite database, with time from `C`.
#[derive(Clone)]
pub struct LocalIdentityProvider<C> {
    database: SqliteDatabase,
    key: Arc<SigningKey>,
    settings: Arc<LocalIdpSettings>,
    hashing: Arc<HashingPool>,
    clock: C,
}

/// An account row, and its groups where tokens are about to be issued.
struct Account {
    sub: String,
    username: String,
    email: String,
    confirmed: bool,
    groups: Vec<String>,
}

fn account_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<Account> {
    Ok(Account {
        sub: row.get("sub")?,
        username: row.get("username")?,
        email: row.get("email")?,
        confirmed: row.get("confirmed")?,
        groups: Vec::new(),
    })
}

fn account_by_sub(connection: &Connection, sub: &str) -> rusqlite::Result<Option<Account>> {
    connection
        .query_row(
            "SELECT sub, username, email, confirmed FROM users WHERE sub = ?1",
            [sub],
            account_row,
        )
        .optional()
}

/// SQLite stores integers signed.
fn to_sql(seconds: u64) -> i64 {
    i64::try_from(seconds).unwrap_or(i64::MAX)
}

impl<C: Clock + Clone> LocalIdentityProvider<C> {
    /// A provider on `database`, signing with `key`, reading time from `clock`.
    pub fn new(
        database: SqliteDatabase,
        key: Arc<SigningKey>,
        settings: LocalIdpSettings,
        clock: C,
    ) -> Self {
        Self {
            database,
            key,
            settings: Arc::new(settings),
            hashing: Arc::new(HashingPool::sized_for_this_machine()),
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

    /// Puts `username` in `group` (an admin's command); `false` when there is no such
    /// account. Their tokens carry it from their next log-in or refresh.
    pub async fn add_to_group(&self, username: &Username, group: &str) -> Result<bool, StoreError> {
        let (name, group) = (username.as_ref().to_owned(), group.to_owned());
        self.database
            .call(move |connection| groups::add(connection, &name, &group))
            .await
    }

    /// Takes `username` out of `group`; `false` when there is no such account.
    pub async fn remove_from_group(
        &self,
        username: &Username,
        group: &str,
    ) -> Result<bool, StoreError> {
        let (name, group) = (username.as_ref().to_owned(), group.to_owned());
        self.database
            .call(move |connection| groups::remove(connection, &name, &group))
            .await
    }

    /// The groups of `username`; `None` when there is no such account.
    pub async fn groups_of(&self, username: &Username) -> Result<Option<Vec<String>>, StoreError> {
        let name = username.as_ref().to_owned();
        self.database
            .call(move |connection| groups::of_username(connection, &name))
            .await
    }

    fn issue(
        &self,
        account: &Account,
        session: Option<SessionHandle>,
    ) -> Result<IssuedTokens, IdentityError> {
        tokens::issue(
            &self.key,
            &self.settings,
            account,
            self.clock.now_secs(),
            session,
        )
    }

    /// Runs `work` in one immediate transaction, so what it reads cannot change before it
    /// writes.
    async fn in_transaction<T: Send + 'static>(
        &self,
        work: impl FnOnce(&Connection) -> rusqlite::Result<T> + Send + 'static,
    ) -> Result<T, IdentityError> {
        Ok(self
            .database
            .call(move |connection| {
                let transaction =
                    connection.transaction_with_behavior(TransactionBehavior::Immediate)?;
                let outcome = work(&transaction)?;
                transaction.commit()?;
                Ok(outcome)
            })
            .await?)
    }
}

#[async_trait]
impl<C: Clock + Clone> IdentityProvider for LocalIdentityProvider<C> {
    async fn sign_up(
        &self,
        username: &Username,
        password: &Password,
        email: &Email,
        language: Language,
    ) -> Result<(), IdentityError> {
        let secret = password.expose().to_owned();
        let hash = self.hashing.run(move || hash_password(&secret)).await??;
        let (username, email) = (username.as_ref().to_owned(), email.as_ref().to_owned());
        let (settings, now) = (Arc::clone(&self.settings), self.clock.now_secs());
        let created = self
            .in_transaction(move |connection| {
                let inserted = connection.execute(
                    "INSERT INTO users (sub, username, email, password_hash, confirmed, created_at, language)
                     VALUES (?1, ?2, ?3, ?4, 0, ?5, ?6) ON CONFLICT (username) DO NOTHING",
                    params![
                        uuid::Uuid::new_v4().to_string(),
                        username,
                        email,
                        hash,
                        to_sql(now),
                        language.tag()
                    ],
                )?;
                if inserted == 1 {
                    let to = codes::Recipient {
                        username: &username,
                        email: &email,
                        language,
                    };
                    codes::send_code(connection, &settings, now, &to)?;
                }
                Ok(inserted == 1)
            })
            .await?;
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
        let (username, code) = (username.as_ref().to_owned(), code.as_ref().to_owned());
        let (settings, now) = (Arc::clone(&self.settings), self.clock.now_secs());
        let checked = self
            .in_transaction(move |connection| {
                codes::confirm(connection, &settings, now, &username, &code)
            })
            .await?;
        match checked {
            CodeCheck::Confirmed => Ok(()),
            CodeCheck::Refused => Err(IdentityError::InvalidCode),
            CodeCheck::TooMany { retry_after_secs } => {
                Err(IdentityError::Throttled { retry_after_secs })
            }
        }
    }

    async fn resend_code(&self, username: &Username) -> Result<(), IdentityError> {
        let username = username.as_ref().to_owned();
        let (settings, now) = (Arc::clone(&self.settings), self.clock.now_secs());
        let wait = self
            .in_transaction(move |connection| codes::resend(connection, &settings, now, &username))
            .await?;
        match wait {
            0 => Ok(()),
            retry_after_secs => Err(IdentityError::Throttled { retry_after_secs }),
        }
    }

    async fn log_in(
        &self,
        username: &Username,
        password: &Password,
    ) -> Result<IssuedTokens, IdentityError> {
        let name = username.as_ref().to_owned();
        let now_ms = self.clock.now_ms();
        let (gate, found) = self
            .in_transaction(move |connection| {
                let gate = lockout::admit(connection, &name, now_ms)?;
                let found = connection
                    .query_row(
                        "SELECT sub, username, email, confirmed, password_hash FROM users WHERE username = ?1",
                        [&name],
                        |row| Ok((account_row(row)?, row.get::<_, String>("password_hash")?)),
                    )
                    .optional()?;
                Ok((gate, found))
            })
            .await?;
        if let Gate::Locked { wait_ms } = gate {
            let retry_after_secs = u64::try_from(wait_ms.div_euclid(1000) + 1).unwrap_or(1);
            return Err(IdentityError::Throttled { retry_after_secs });
        }
        let secret = password.expose().to_owned();
        let (account, hash) = match found {
            Some((account, hash)) => (Some(account), Some(hash)),
            None => (None, None),
        };
        let matches = self
            .hashing
            .run(move || {
                let hash = hash.as_deref().unwrap_or_else(|| decoy_hash());
                password_matches(&secret, hash)
            })
            .await?;
        let account = account
            .filter(|_| matches)
            .ok_or(IdentityError::InvalidCredentials)?;
        let name = account.username.clone();
        self.database
            .call(move |connection| lockout::succeeded(connection, &name))
            .await?;
        if !account.confirmed {
            return Err(IdentityError::NotConfirmed);
        }

        let token = random_token()?;
        let (sub, token_hash) = (account.sub.clone(), digest(&token));
        let expires_at = to_sql(self.clock.now_secs() + self.settings.refresh_token_secs);
        let mut account = account;
        account.groups = self
            .database
            .call(move |connection| {
                sessions::open(connection, &sub, &token_hash, expires_at)?;
                groups::of(connection, &sub)
            })
            .await?;
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
        let grace_ms = to_sql(self.settings.refresh_reuse_grace_secs).saturating_mul(1000);
        let now_ms = self.clock.now_ms();
        let (outcome, account) = self
            .in_transaction(move |connection| {
                let outcome =
                    sessions::rotate(connection, &presented, &next_hash, now_ms, grace_ms)?;
                let account = match &outcome {
                    Refreshed::Rotated { sub } | Refreshed::WithinGrace { sub } => {
                        account_by_sub(connection, sub)?
                            .map(|account| -> rusqlite::Result<Account> {
                                let groups = groups::of(connection, &account.sub)?;
                                Ok(Account { groups, ..account })
                            })
                            .transpose()?
                    }
                    Refreshed::Invalid => None,
                };
                Ok((outcome, account))
            })
            .await?;
        let account = account.ok_or(IdentityError::SessionInvalid)?;
        match outcome {
            Refreshed::Rotated { .. } => {
                let session = SessionHandle {
                    subject: account.sub.clone(),
                    refresh_token: next,
                };
                self.issue(&account, Some(session))
            }
            Refreshed::WithinGrace { .. } => self.issue(&account, None),
            Refreshed::Invalid => Err(IdentityError::SessionInvalid),
        }
    }

    async fn log_out(&self, session: &SessionHandle) -> Result<(), IdentityError> {
        let presented = digest(&session.refresh_token);
        self.database
            .call(move |connection| sessions::revoke(connection, &presented))
            .await?;
        Ok(())
    }

    async fn profile(&self, caller: &Caller) -> Result<Profile, IdentityError> {
        let sub = caller.sub.clone();
        let account = self
            .database
            .call(move |connection| account_by_sub(connection, &sub))
            .await?
            .ok_or(IdentityError::SessionInvalid)?;
        Ok(Profile {
            sub: account.sub,
            username: account.username,
            email: account.email,
            email_verified: account.confirmed,
        })
    }
}

#[async_trait]
impl<C: Clock + Clone> UserDirectory for LocalIdentityProvider<C> {
    async fn find(&self, username: &Username) -> Result<Option<Person>, IdentityError> {
        let name = username.as_ref().to_owned();
        Ok(self
            .database
            .call(move |connection| {
                connection
                    .query_row(
                        "SELECT sub, username FROM users WHERE username = ?1 AND confirmed = 1",
                        [&name],
                        |row| {
                            Ok(Person {
                                sub: row.get(0)?,
                                username: row.get(1)?,
                            })
                        },
                    )
                    .optional()
            })
            .await?)
    }
}
