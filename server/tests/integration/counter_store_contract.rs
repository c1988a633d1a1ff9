//! The `CounterStore` contract: every adapter must pass every case, so SQLite (the embedded
//! default) and DynamoDB (through moto) cannot drift apart.

use std::collections::BTreeSet;

use server::{
    adapters::{
        dynamo::DynamoCounterStore,
        sqlite::{SqliteCounterStore, SqliteDatabase},
    },
    ports::CounterStore,
};

use crate::moto::{create_counters_table, sdk_config, unique_table};

/// Runs every case of the contract against one adapter, each on a fresh store.
macro_rules! counter_store_contract {
    ($adapter:ident, $fresh_store:expr) => {
        mod $adapter {
            use super::*;

            #[tokio::test]
            async fn a_new_counter_starts_at_one_and_counts_up() {
                super::a_new_counter_starts_at_one_and_counts_up($fresh_store).await;
            }

            #[tokio::test]
            async fn counters_with_different_names_are_independent() {
                super::counters_with_different_names_are_independent($fresh_store).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn concurrent_increments_never_share_or_skip_a_value() {
                super::concurrent_increments_never_share_or_skip_a_value($fresh_store).await;
            }
        }
    };
}

counter_store_contract!(sqlite, sqlite_store().await);
counter_store_contract!(dynamodb, dynamo_store().await);

/// A store and, for SQLite, the directory its file lives in: kept alive for the whole test.
type Fresh<S> = (S, Option<tempfile::TempDir>);

async fn sqlite_store() -> Fresh<SqliteCounterStore> {
    let dir = tempfile::tempdir().expect("temporary directory");
    let database = SqliteDatabase::open(dir.path()).expect("database opens");
    (SqliteCounterStore::new(database), Some(dir))
}

async fn dynamo_store() -> Fresh<DynamoCounterStore> {
    let client = aws_sdk_dynamodb::Client::new(&sdk_config().await);
    let table = unique_table("counters");
    create_counters_table(&client, &table).await;
    (DynamoCounterStore::new(client, table), None)
}

async fn a_new_counter_starts_at_one_and_counts_up<S: CounterStore>((store, _dir): Fresh<S>) {
    for expected in 1..=3 {
        assert_eq!(store.increment("posts").await.unwrap(), expected);
    }
}

async fn counters_with_different_names_are_independent<S: CounterStore>((store, _dir): Fresh<S>) {
    store.increment("posts").await.unwrap();
    store.increment("posts").await.unwrap();
    assert_eq!(store.increment("visits").await.unwrap(), 1);
    assert_eq!(store.increment("posts").await.unwrap(), 3);
}

async fn concurrent_increments_never_share_or_skip_a_value<S: CounterStore + Clone + 'static>(
    (store, _dir): Fresh<S>,
) {
    const CALLERS: u64 = 100;
    let tasks: Vec<_> = (0..CALLERS)
        .map(|_| {
            let store = store.clone();
            tokio::spawn(async move { store.increment("posts").await.unwrap() })
        })
        .collect();
    let mut seen = BTreeSet::new();
    for task in tasks {
        assert!(
            seen.insert(task.await.unwrap()),
            "a value was handed out twice"
        );
    }
    assert_eq!(seen, (1..=CALLERS).collect());
}
