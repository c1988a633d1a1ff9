//! The embedded default store: one SQLite file in the data directory, in WAL mode.
//!
//! rusqlite is synchronous, so every call runs on tokio's blocking pool; one connection behind
//! a mutex serialises writers, which is what SQLite does anyway and keeps each statement's
//! read-modify-write atomic.

use std::{
    path::Path,
    sync::{Arc, Mutex},
};

use async_trait::async_trait;
use rusqlite::Connection;
use rusqlite_migration::{M, Migrations};

use crate::ports::{CounterStore, StoreError};

/// The database file's name inside the data directory.
const DATABASE_FILE: &str = "boardwalk.sqlite3";

/// Schema changes in order; `PRAGMA user_version` records how many have run.
const MIGRATIONS: &[M<'static>] = &[
    M::up("CREATE TABLE counters (name TEXT PRIMARY KEY NOT NULL, value INTEGER NOT NULL) STRICT;"),
    M::up(
        "CREATE TABLE users (
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
        CREATE INDEX dev_mailbox_by_username ON dev_mailbox (username, id);",
    ),
    M::up(
        "CREATE TABLE posts (
            id INTEGER PRIMARY KEY NOT NULL,
            title TEXT NOT NULL,
            content TEXT NOT NULL,
            author_sub TEXT NOT NULL,
            author_name TEXT NOT NULL,
            created_at INTEGER NOT NULL,
            updated_at INTEGER NOT NULL,
            version INTEGER NOT NULL
        ) STRICT;",
    ),
];

/// A shared handle on the database file; adapters for each port clone it.
#[derive(Clone)]
pub struct SqliteDatabase {
    connection: Arc<Mutex<Connection>>,
}

impl SqliteDatabase {
    /// Opens (creating if needed) the database in `data_dir` and brings its schema up to date.
    pub fn open(data_dir: &Path) -> Result<Self, StoreError> {
        std::fs::create_dir_all(data_dir).map_err(unavailable)?;
        let mut connection = Connection::open(data_dir.join(DATABASE_FILE)).map_err(unavailable)?;
        connection
            .pragma_update(None, "journal_mode", "WAL")
            .and_then(|()| connection.pragma_update(None, "foreign_keys", "ON"))
            .and_then(|()| connection.busy_timeout(std::time::Duration::from_secs(5)))
            .map_err(unavailable)?;
        Migrations::from_slice(MIGRATIONS)
            .to_latest(&mut connection)
            .map_err(unavailable)?;
        Ok(Self {
            connection: Arc::new(Mutex::new(connection)),
        })
    }

    /// Runs `work` on the blocking pool with the connection to itself.
    pub(crate) async fn call<T: Send + 'static>(
        &self,
        work: impl FnOnce(&mut Connection) -> rusqlite::Result<T> + Send + 'static,
    ) -> Result<T, StoreError> {
        let connection = Arc::clone(&self.connection);
        tokio::task::spawn_blocking(move || {
            let mut connection = connection
                .lock()
                .map_err(|_| StoreError::Corrupt("a previous call panicked".into()))?;
            work(&mut connection).map_err(unavailable)
        })
        .await
        .map_err(unavailable)?
    }
}

pub(crate) fn unavailable(err: impl std::error::Error + Send + Sync + 'static) -> StoreError {
    StoreError::Unavailable(Box::new(err))
}

/// [`CounterStore`] on the `counters` table: one upsert statement per step.
#[derive(Clone)]
pub struct SqliteCounterStore {
    database: SqliteDatabase,
}

impl SqliteCounterStore {
    /// Counts in `database`.
    pub fn new(database: SqliteDatabase) -> Self {
        Self { database }
    }
}

#[async_trait]
impl CounterStore for SqliteCounterStore {
    async fn increment(&self, counter: &str) -> Result<u64, StoreError> {
        let counter = counter.to_owned();
        let value: i64 = self
            .database
            .call(move |connection| {
                connection.query_row(
                    "INSERT INTO counters (name, value) VALUES (?1, 1)
                     ON CONFLICT (name) DO UPDATE SET value = value + 1
                     RETURNING value",
                    [&counter],
                    |row| row.get(0),
                )
            })
            .await?;
        u64::try_from(value).map_err(|_| StoreError::Corrupt(format!("negative counter {value}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_migrations_are_valid() {
        assert!(Migrations::from_slice(MIGRATIONS).validate().is_ok());
    }

    #[tokio::test]
    async fn counts_survive_reopening_the_data_directory() {
        let dir = tempfile::tempdir().unwrap();
        let first = SqliteCounterStore::new(SqliteDatabase::open(dir.path()).unwrap());
        first.increment("visits").await.unwrap();
        first.increment("visits").await.unwrap();
        drop(first);

        let reopened = SqliteCounterStore::new(SqliteDatabase::open(dir.path()).unwrap());
        assert_eq!(reopened.increment("visits").await.unwrap(), 3);
    }

    #[test]
    fn the_database_runs_in_wal_mode() {
        let dir = tempfile::tempdir().unwrap();
        let database = SqliteDatabase::open(dir.path()).unwrap();
        let mode: String = database
            .connection
            .lock()
            .unwrap()
            .query_row("PRAGMA journal_mode", [], |row| row.get(0))
            .unwrap();
        assert_eq!(mode, "wal");
    }
}
