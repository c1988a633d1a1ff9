//! The embedded default store: one SQLite file in the data directory, in WAL mode.
//!
//! rusqlite is synchronous, so every call runs on tokio's blocking pool; one connection behind
//! a mutex serialises writers, which is what SQLite does anyway and keeps each statement's
//! read-modify-write atomic. Callers wait for the connection asynchronously and only then
//! take a blocking thread, so a burst of requests queues as cheap tasks rather than as one
//! parked thread (stack and allocator arena) each. Each table's schema lives beside the adapter that owns it; the
//! list below only fixes the order they were introduced in.

mod chat;
mod comments;
mod counters;
mod media;
mod posts;

pub use chat::SqliteChatStore;
pub use comments::SqliteCommentStore;
pub use counters::SqliteCounterStore;
pub use media::SqliteMediaCatalog;
pub use posts::SqlitePostStore;

use std::{path::Path, sync::Arc};

use rusqlite::Connection;
use rusqlite_migration::{M, Migrations};
use tokio::sync::Mutex;

use crate::{adapters::local_idp, ports::StoreError};

/// The database file's name inside the data directory.
const DATABASE_FILE: &str = "boardwalk.sqlite3";

/// Schema changes in order; `PRAGMA user_version` records how many have run, so entries are
/// only ever appended.
const MIGRATIONS: &[M<'static>] = &[
    M::up(counters::SCHEMA),
    M::up(local_idp::SCHEMA),
    M::up(posts::SCHEMA),
    M::up(local_idp::SCHEMA_ABUSE_LIMITS),
    M::up(chat::SCHEMA),
    M::up(posts::SCHEMA_IMAGES),
    M::up(media::SCHEMA),
    M::up(comments::SCHEMA),
    M::up(local_idp::SCHEMA_GROUPS),
    M::up(local_idp::SCHEMA_LANGUAGE),
];

/// A shared handle on the database file; adapters for each port clone it.
#[derive(Clone)]
pub struct SqliteDatabase {
    connection: Arc<Mutex<Connection>>,
}

impl SqliteDatabase {
    /// Opens (creating if needed) the database in `data_dir` and brings its schema up to date.
    /// A new file is readable by its owner only (it holds password hashes); SQLite gives its
    /// WAL the same permissions.
    pub fn open(data_dir: &Path) -> Result<Self, StoreError> {
        std::fs::create_dir_all(data_dir).map_err(StoreError::unavailable)?;
        let path = data_dir.join(DATABASE_FILE);
        create_private(&path).map_err(StoreError::unavailable)?;
        let mut connection = Connection::open(&path).map_err(StoreError::unavailable)?;
        connection
            .pragma_update(None, "journal_mode", "WAL")
            .and_then(|()| connection.pragma_update(None, "foreign_keys", "ON"))
            .and_then(|()| connection.busy_timeout(std::time::Duration::from_secs(5)))
            .map_err(StoreError::unavailable)?;
        Migrations::from_slice(MIGRATIONS)
            .to_latest(&mut connection)
            .map_err(StoreError::unavailable)?;
        Ok(Self {
            connection: Arc::new(Mutex::new(connection)),
        })
    }

    /// Runs `work` on the blocking pool with the connection to itself. A row the closure
    /// could not read is reported with [`corrupt`] and comes out as [`StoreError::Corrupt`].
    pub(crate) async fn call<T: Send + 'static>(
        &self,
        work: impl FnOnce(&mut Connection) -> rusqlite::Result<T> + Send + 'static,
    ) -> Result<T, StoreError> {
        let mut connection = Arc::clone(&self.connection).lock_owned().await;
        tokio::task::spawn_blocking(move || {
            work(&mut connection).map_err(|err| match err {
                rusqlite::Error::FromSqlConversionFailure(_, _, cause) => {
                    StoreError::Corrupt(cause.to_string())
                }
                other => StoreError::unavailable(other),
            })
        })
        .await
        .map_err(StoreError::unavailable)?
    }
}

impl SqliteDatabase {
    /// Runs `work` in an immediate transaction, committed only when it answers `Ok`; its
    /// refusal (`Err`, a domain error) is returned as it is, its driver errors as the
    /// store's.
    pub(crate) async fn write<T: Send + 'static, E: From<StoreError> + Send + 'static>(
        &self,
        work: impl FnOnce(&Connection) -> rusqlite::Result<Result<T, E>> + Send + 'static,
    ) -> Result<T, E> {
        self.call(move |connection| {
            let transaction =
                connection.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
            let outcome = work(&transaction)?;
            if outcome.is_ok() {
                transaction.commit()?;
            }
            Ok(outcome)
        })
        .await?
    }
}

/// Creates an empty file readable by its owner only, unless it exists already.
fn create_private(path: &Path) -> std::io::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    match options.open(path) {
        Ok(_) => Ok(()),
        Err(err) if err.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(err) => Err(err),
    }
}

/// What a stored row failed to be, as an error rusqlite carries out of the closure; it
/// becomes [`StoreError::Corrupt`] (a 500), not an outage (a 503).
pub(crate) fn corrupt(what: String) -> rusqlite::Error {
    rusqlite::Error::FromSqlConversionFailure(0, rusqlite::types::Type::Null, what.into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_migrations_are_valid() {
        assert!(Migrations::from_slice(MIGRATIONS).validate().is_ok());
    }

    #[test]
    fn the_database_runs_in_wal_mode() {
        let dir = tempfile::tempdir().unwrap();
        let database = SqliteDatabase::open(dir.path()).unwrap();
        let mode: String = database
            .connection
            .try_lock()
            .unwrap()
            .query_row("PRAGMA journal_mode", [], |row| row.get(0))
            .unwrap();
        assert_eq!(mode, "wal");
    }

    #[cfg(unix)]
    #[tokio::test]
    async fn the_database_and_its_wal_are_readable_by_their_owner_only() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let database = SqliteDatabase::open(dir.path()).unwrap();
        database
            .call(|connection| connection.execute("INSERT INTO counters VALUES ('x', 1)", []))
            .await
            .unwrap();
        for file in [DATABASE_FILE.to_owned(), format!("{DATABASE_FILE}-wal")] {
            let mode = std::fs::metadata(dir.path().join(&file))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600, "{file}");
        }
    }

    #[tokio::test]
    async fn a_row_that_cannot_be_read_is_corrupt_not_unavailable() {
        let dir = tempfile::tempdir().unwrap();
        let database = SqliteDatabase::open(dir.path()).unwrap();
        let outcome = database
            .call(|_| Err::<(), _>(corrupt("post 1 has no title".into())))
            .await;
        assert!(
            matches!(outcome, Err(StoreError::Corrupt(_))),
            "{outcome:?}"
        );
    }
}
