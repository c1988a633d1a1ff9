//! The `PostStore` contract: SQLite (the embedded default) and DynamoDB (through moto) give
//! the same answers to the same calls, including under concurrency.

use std::{collections::BTreeSet, sync::Arc, time::Instant};

use app::domain::{PostContent, PostId, PostTitle};
use server::{
    adapters::{
        dynamo::DynamoPostStore,
        sqlite::{SqliteDatabase, SqlitePostStore},
    },
    ports::{Author, Post, PostEdit, PostStore, PostWriteError},
};

use crate::moto::{create_counters_table, create_posts_table, sdk_config, unique_table};

/// A store and, for SQLite, the directory its file lives in.
type Fresh = (Arc<dyn PostStore>, Option<tempfile::TempDir>);

macro_rules! post_store_contract {
    ($adapter:ident, $fresh_store:expr) => {
        mod $adapter {
            use super::*;

            #[tokio::test]
            async fn ids_count_up_from_one_and_are_never_reused() {
                super::ids_count_up_from_one_and_are_never_reused($fresh_store).await;
            }

            #[tokio::test]
            async fn a_created_post_reads_back_as_written() {
                super::a_created_post_reads_back_as_written($fresh_store).await;
            }

            #[tokio::test]
            async fn listing_is_newest_first_and_pages_stay_stable_while_posts_are_added() {
                super::listing_is_newest_first_and_pages_stay_stable_while_posts_are_added(
                    $fresh_store,
                )
                .await;
            }

            #[tokio::test]
            async fn an_edit_needs_the_owner_and_the_current_version() {
                super::an_edit_needs_the_owner_and_the_current_version($fresh_store).await;
            }

            #[tokio::test]
            async fn a_deletion_needs_the_owner() {
                super::a_deletion_needs_the_owner($fresh_store).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn concurrent_creates_take_consecutive_ids_with_none_lost() {
                super::concurrent_creates_take_consecutive_ids_with_none_lost($fresh_store).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn of_concurrent_edits_from_one_version_exactly_one_wins() {
                super::of_concurrent_edits_from_one_version_exactly_one_wins($fresh_store).await;
            }
        }
    };
}

post_store_contract!(sqlite, sqlite_store());
post_store_contract!(dynamodb, dynamo_store().await);

fn sqlite_store() -> Fresh {
    let dir = tempfile::tempdir().expect("temporary directory");
    let database = SqliteDatabase::open(dir.path()).expect("database opens");
    (Arc::new(SqlitePostStore::new(database)), Some(dir))
}

async fn dynamo_store() -> Fresh {
    let client = aws_sdk_dynamodb::Client::new(&sdk_config().await);
    let (posts, counters) = (unique_table("posts"), unique_table("counters"));
    create_posts_table(&client, &posts).await;
    create_counters_table(&client, &counters).await;
    (
        Arc::new(DynamoPostStore::new(client, posts, counters)),
        None,
    )
}

const ALICE: &str = "sub-alice";
const BOB: &str = "sub-bob";

fn post(id: PostId, author: &str, title: &str) -> Post {
    Post {
        id,
        title: PostTitle::parse(title).unwrap(),
        content: PostContent::parse("Line one\nline <b>two</b>").unwrap(),
        author: Author {
            sub: author.to_owned(),
            username: author.trim_start_matches("sub-").to_owned(),
        },
        created_at_ms: 1_800_000_000_000 + i64::try_from(id.get()).unwrap(),
        updated_at_ms: 1_800_000_000_000 + i64::try_from(id.get()).unwrap(),
        version: 1,
    }
}

async fn publish(store: &dyn PostStore, author: &str, title: &str) -> Post {
    let id = store.next_id().await.unwrap();
    let post = post(id, author, title);
    store.create(&post).await.unwrap();
    post
}

fn edit(title: &str, expected_version: Option<u64>) -> PostEdit {
    PostEdit {
        title: PostTitle::parse(title).unwrap(),
        content: PostContent::parse("Edited").unwrap(),
        expected_version,
        at_ms: 1_900_000_000_000,
    }
}

fn ids(posts: &[Post]) -> Vec<u64> {
    posts.iter().map(|post| post.id.get()).collect()
}

async fn ids_count_up_from_one_and_are_never_reused((store, _dir): Fresh) {
    let first = publish(&*store, ALICE, "first").await;
    let second = publish(&*store, ALICE, "second").await;
    assert_eq!((first.id.get(), second.id.get()), (1, 2));

    store.delete(second.id, ALICE).await.unwrap();

    assert_eq!(store.next_id().await.unwrap().get(), 3);
}

async fn a_created_post_reads_back_as_written((store, _dir): Fresh) {
    let written = publish(&*store, ALICE, "  Hello, 게시판  ").await;

    assert_eq!(store.get(written.id).await.unwrap(), Some(written.clone()));
    assert_eq!(written.title.as_ref(), "Hello, 게시판");
    assert_eq!(
        store.get(PostId::parse("999").unwrap()).await.unwrap(),
        None
    );
}

async fn listing_is_newest_first_and_pages_stay_stable_while_posts_are_added((store, _dir): Fresh) {
    for n in 1..=5 {
        publish(&*store, ALICE, &format!("post {n}")).await;
    }

    let first = store.list(2, None).await.unwrap();
    assert_eq!(ids(&first.posts), [5, 4]);
    publish(&*store, BOB, "arrives while paging").await;
    let second = store.list(2, first.next_before).await.unwrap();
    assert_eq!(ids(&second.posts), [3, 2]);
    let last = store.list(2, second.next_before).await.unwrap();
    assert_eq!(ids(&last.posts), [1]);
    assert_eq!(last.next_before, None);

    let exact = store.list(6, None).await.unwrap();
    assert_eq!(ids(&exact.posts), [6, 5, 4, 3, 2, 1]);
    assert_eq!(
        exact.next_before, None,
        "no next page when the last one was exactly full"
    );
}

async fn an_edit_needs_the_owner_and_the_current_version((store, _dir): Fresh) {
    let original = publish(&*store, ALICE, "original").await;

    let edited = store
        .update(original.id, ALICE, &edit("edited", Some(1)))
        .await
        .unwrap();
    assert_eq!((edited.title.as_ref(), edited.version), ("edited", 2));
    assert_eq!(edited.created_at_ms, original.created_at_ms);
    assert_eq!(edited.updated_at_ms, 1_900_000_000_000);

    match store
        .update(original.id, ALICE, &edit("stale", Some(1)))
        .await
    {
        Err(PostWriteError::Stale(current)) => assert_eq!(*current, edited),
        other => panic!("expected Stale, got {other:?}"),
    }
    assert!(matches!(
        store
            .update(original.id, BOB, &edit("not mine", Some(2)))
            .await,
        Err(PostWriteError::NotYours)
    ));
    assert!(matches!(
        store
            .update(PostId::parse("999").unwrap(), ALICE, &edit("ghost", None))
            .await,
        Err(PostWriteError::NotFound)
    ));
    let unconditional = store
        .update(original.id, ALICE, &edit("last writer", None))
        .await
        .unwrap();
    assert_eq!(unconditional.version, 3);
    assert_eq!(store.get(original.id).await.unwrap(), Some(unconditional));
}

async fn a_deletion_needs_the_owner((store, _dir): Fresh) {
    let post = publish(&*store, ALICE, "to delete").await;

    assert!(matches!(
        store.delete(post.id, BOB).await,
        Err(PostWriteError::NotYours)
    ));
    assert_eq!(store.get(post.id).await.unwrap(), Some(post.clone()));
    store.delete(post.id, ALICE).await.unwrap();
    assert_eq!(store.get(post.id).await.unwrap(), None);
    assert!(matches!(
        store.delete(post.id, ALICE).await,
        Err(PostWriteError::NotFound)
    ));
}

async fn concurrent_creates_take_consecutive_ids_with_none_lost((store, _dir): Fresh) {
    const WRITERS: u64 = 200;
    let started = Instant::now();
    let tasks: Vec<_> = (0..WRITERS)
        .map(|n| {
            let store = Arc::clone(&store);
            tokio::spawn(async move {
                publish(&*store, ALICE, &format!("concurrent {n}"))
                    .await
                    .id
                    .get()
            })
        })
        .collect();
    let mut handed_out = BTreeSet::new();
    for task in tasks {
        assert!(
            handed_out.insert(task.await.unwrap()),
            "an id was handed out twice"
        );
    }
    eprintln!("{WRITERS} concurrent creates took {:?}", started.elapsed());

    assert_eq!(handed_out, (1..=WRITERS).collect());
    let stored = store
        .list(usize::try_from(WRITERS).unwrap(), None)
        .await
        .unwrap();
    assert_eq!(
        stored.posts.len(),
        usize::try_from(WRITERS).unwrap(),
        "every post was stored"
    );
}

async fn of_concurrent_edits_from_one_version_exactly_one_wins((store, _dir): Fresh) {
    const EDITORS: usize = 20;
    let post = publish(&*store, ALICE, "contested").await;
    let tasks: Vec<_> = (0..EDITORS)
        .map(|n| {
            let store = Arc::clone(&store);
            tokio::spawn(async move {
                store
                    .update(post.id, ALICE, &edit(&format!("edit {n}"), Some(1)))
                    .await
            })
        })
        .collect();
    let mut winners = Vec::new();
    let mut stale = 0;
    for task in tasks {
        match task.await.unwrap() {
            Ok(post) => winners.push(post),
            Err(PostWriteError::Stale(current)) => {
                assert_eq!(current.version, 2);
                stale += 1;
            }
            Err(other) => panic!("unexpected {other:?}"),
        }
    }

    assert_eq!((winners.len(), stale), (1, EDITORS - 1));
    assert_eq!(
        store.get(post.id).await.unwrap(),
        Some(winners.remove(0)),
        "the winner's edit is what is stored"
    );
}
