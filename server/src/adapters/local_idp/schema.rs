//! The local identity provider's tables in the shared SQLite file (two migrations).

/// Accounts, pending codes, refresh tokens (hashed, grouped in families that rotate
/// together) and the dev mailbox.
pub(in crate::adapters) const SCHEMA: &str = "CREATE TABLE users (
            sub TEXT PRIMARY KEY NOT NULL,
            username TEXT NOT NULL UNIQUE,
            email TEXT NOT NULL,
            password_hash TEXT NOT NULL,
            confirmed INTEGER NOT NULL DEFAULT 0,
            created_at INTEGER NOT NULL
        ) STRICT;
        CREATE TABLE confirmation_codes (
            username TEXT PRIMARY KEY NOT NULL REFERENCES users (username) ON DELETE CASCADE,
            code_hash TEXT NOT NULL,
            expires_at INTEGER NOT NULL,
            attempts INTEGER NOT NULL DEFAULT 0,
            sent_at INTEGER NOT NULL
        ) STRICT;
        CREATE TABLE refresh_tokens (
            token_hash TEXT PRIMARY KEY NOT NULL,
            family TEXT NOT NULL,
            sub TEXT NOT NULL REFERENCES users (sub) ON DELETE CASCADE,
            expires_at INTEGER NOT NULL,
            replaced_at INTEGER,
            revoked INTEGER NOT NULL DEFAULT 0
        ) STRICT;
        CREATE INDEX refresh_tokens_by_family ON refresh_tokens (family);
        CREATE TABLE dev_mailbox (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            username TEXT NOT NULL,
            recipient TEXT NOT NULL,
            subject TEXT NOT NULL,
            body TEXT NOT NULL,
            code TEXT NOT NULL,
            sent_at INTEGER NOT NULL
        ) STRICT;
        CREATE INDEX dev_mailbox_by_username ON dev_mailbox (username, id);";

/// The lock-out counter per username, the daily count of code tries per username (both
/// kept for unknown names too, so neither reveals which exist), and rotation times in
/// milliseconds so a grace of zero really is none.
pub(in crate::adapters) const SCHEMA_ABUSE_LIMITS: &str = "CREATE TABLE login_failures (
            username TEXT PRIMARY KEY NOT NULL,
            attempts INTEGER NOT NULL,
            locked_until_ms INTEGER NOT NULL,
            last_attempt_ms INTEGER NOT NULL
        ) STRICT;
        CREATE INDEX login_failures_by_last_attempt ON login_failures (last_attempt_ms);
        CREATE TABLE code_tries (
            username TEXT PRIMARY KEY NOT NULL,
            window_start INTEGER NOT NULL,
            tries INTEGER NOT NULL
        ) STRICT;
        ALTER TABLE refresh_tokens RENAME COLUMN replaced_at TO replaced_at_ms;
        UPDATE refresh_tokens SET replaced_at_ms = replaced_at_ms * 1000 WHERE replaced_at_ms IS NOT NULL;";

/// The language each person signed up in, which their confirmation codes are written in.
pub(in crate::adapters) const SCHEMA_LANGUAGE: &str =
    "ALTER TABLE users ADD COLUMN language TEXT NOT NULL DEFAULT 'en';";
