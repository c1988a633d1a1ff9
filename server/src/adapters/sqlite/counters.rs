//! [`CounterStore`] on the `counters` table: one upsert statement per step.

use async_trait::async_trait;

use super::SqliteDatabase;
use crate::ports::{CounterStore, StoreError};

/// The `counters` table.
pub(super) const SCHEMA: &str =
    "CREATE TABLE counters (name TEXT PRIMARY KEY NOT NULL, value INTEGER NOT NULL) STRICT;";

/// Named counters in the local database.
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
}
