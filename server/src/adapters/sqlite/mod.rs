//! The embedded default store: one SQLite file in the data directory, in WAL mode.
//!
//! rusqlite is synchronous, so every call runs on tokio's blocking pool; one connection behind
//! a mutex serialises writers, which is what SQLite does anyway and keeps each statement's
//! read-modify-write atomic. Each table's schema lives beside the adapter that owns it; the
//! list below only fixes the order they were introduced in.

mod counters;
mod posts;

pub use counters::SqliteCounterStore;
pub use posts::SqlitePostStore;

use std::{
    path::Path,
    sync::{Arc, Mutex},
};

use rusqlite::Connection;
use rusqlite_migration::{M, Migrations};

use crate::{adapters::local_idp, ports::StoreError};

/// The database file's name inside the data directory.
const DATABASE_FILE: &str = "boardwalk.sqlite3";

/// Schema changes in order; `PRAGMA user_version` records how many have run, so entries are
/// only ever appended.
const MIGRATIONS: &[M<'static>] = &[
    M::up(counters::SCHEMA),
    M::up(local_idp::SCHEMA),
    M::up(posts::SCHEMA),
];

/// A shared handle on the database file; adapters for each port clone it.
#[derive(Clone)]
pub struct SqliteDatabase {
    connection: Arc<Mutex<Connection>>,
}

impl SqliteDatabase {
    /// Opens (creating if needed) the database in `data_dir` and brings its schema up to date.
    pub fn open(data_dir: &Path) -> Result<Self, StoreError> {
        std::fs::create_dir_all(data_dir).map_err(StoreError::unavailable)?;
        let mut connection =
            Connection::open(data_dir.join(DATABASE_FILE)).map_err(StoreError::unavailable)?;
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
        let connection = Arc::clone(&self.connection);
        tokio::task::spawn_blocking(move || {
            let mut connection = connection
                .lock()
                .map_err(|_| StoreError::Corrupt("a previous call panicked".into()))?;
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
            .lock()
            .unwrap()
            .query_row("PRAGMA journal_mode", [], |row| row.get(0))
            .unwrap();
        assert_eq!(mode, "wal");
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
