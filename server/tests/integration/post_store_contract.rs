//! The `PostStore` contract: SQLite (the embedded default) and DynamoDB (through moto) give
//! the same answers to the same calls, including under concurrency.

use std::{collections::BTreeSet, sync::Arc, time::Instant};

use app::domain::{AltText, ImageType, MediaId, PostContent, PostId, PostTitle};
use server::{
    adapters::{
        dynamo::DynamoPostStore,
        sqlite::{SqliteDatabase, SqlitePostStore},
    },
    ports::{
        Author, MediaKey, Picture, Post, PostEdit, PostImage, PostStore, PostWriteError, Variant,
    },
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
            async fn images_are_kept_in_order_through_edits_and_returned_by_a_deletion() {
                super::images_are_kept_in_order_through_edits_and_returned_by_a_deletion(
                    $fresh_store,
                )
                .await;
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
        images: Vec::new(),
        comment_count: 0,
    }
}

async fn publish(store: &dyn PostStore, author: &str, title: &str) -> Post {
    let id = store.next_id().await.unwrap();
    let post = post(id, author, title);
    store.create(&post).await.unwrap();
    post
}

fn edit(title: &str, expected_version: u64) -> PostEdit {
    PostEdit {
        title: PostTitle::parse(title).unwrap(),
        content: PostContent::parse("Edited").unwrap(),
        images: Vec::new(),
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
        .update(original.id, ALICE, &edit("edited", 1))
        .await
        .unwrap();
    assert_eq!((edited.title.as_ref(), edited.version), ("edited", 2));
    assert_eq!(edited.created_at_ms, original.created_at_ms);
    assert_eq!(edited.updated_at_ms, 1_900_000_000_000);

    match store.update(original.id, ALICE, &edit("stale", 1)).await {
        Err(PostWriteError::Stale(current)) => assert_eq!(*current, edited),
        other => panic!("expected Stale, got {other:?}"),
    }
    assert!(matches!(
        store.update(original.id, BOB, &edit("not mine", 2)).await,
        Err(PostWriteError::NotYours)
    ));
    assert!(matches!(
        store
            .update(PostId::parse("999").unwrap(), ALICE, &edit("ghost", 1))
            .await,
        Err(PostWriteError::NotFound)
    ));
    let second = store
        .update(original.id, ALICE, &edit("second edit", 2))
        .await
        .unwrap();
    assert_eq!(second.version, 3);
    assert_eq!(store.get(original.id).await.unwrap(), Some(second));
}

/// An image of picture `n`, described as `alt`.
fn image(n: u8, alt: &str) -> PostImage {
    let variant = |size: u8, width| Variant {
        key: MediaKey::variant(&format!("{n:02x}{size:02x}").repeat(16), ImageType::Png).unwrap(),
        width,
        height: 90,
    };
    PostImage {
        picture: MediaId::parse(&format!("{n:032x}"), "id").unwrap(),
        alt: AltText::parse(alt).unwrap(),
        variants: Picture {
            large: variant(1, 1600),
            small: variant(2, 480),
        },
    }
}

async fn images_are_kept_in_order_through_edits_and_returned_by_a_deletion((store, _dir): Fresh) {
    let id = store.next_id().await.unwrap();
    let mut written = post(id, ALICE, "with pictures");
    written.images = vec![image(2, "second first"), image(1, "a 게시판 sign")];
    store.create(&written).await.unwrap();
    assert_eq!(store.get(id).await.unwrap(), Some(written.clone()));
    assert_eq!(store.list(1, None).await.unwrap().posts, [written.clone()]);

    let mut change = edit("one left", 1);
    change.images = vec![image(1, "a sign")];
    let edited = store.update(id, ALICE, &change).await.unwrap();
    assert_eq!(edited.images, change.images);

    let deleted = store.delete(id, ALICE).await.unwrap();
    assert_eq!(deleted.images, change.images);
}

async fn a_deletion_needs_the_owner((store, _dir): Fresh) {
    let post = publish(&*store, ALICE, "to delete").await;

    assert!(matches!(
        store.delete(post.id, BOB).await,
        Err(PostWriteError::NotYours)
    ));
    assert_eq!(store.get(post.id).await.unwrap(), Some(post.clone()));
    assert_eq!(store.delete(post.id, ALICE).await.unwrap(), post);
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
                    .update(post.id, ALICE, &edit(&format!("edit {n}"), 1))
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

/// Posts written before images existed have no `images` column value of their own (SQLite
/// gave them the column's default) or attribute (DynamoDB): both read back with none.
mod posts_from_before_images {
    use super::*;

    #[tokio::test]
    async fn read_back_with_no_images_in_sqlite() {
        let dir = tempfile::tempdir().unwrap();
        let store = SqlitePostStore::new(SqliteDatabase::open(dir.path()).unwrap());
        let file = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|entry| entry.unwrap().path())
            .find(|path| path.extension().is_some_and(|ext| ext == "sqlite3"))
            .unwrap();
        rusqlite::Connection::open(file)
            .unwrap()
            .execute(
                "INSERT INTO posts (id, title, content, author_sub, author_name, created_at, updated_at, version)
                 VALUES (7, 'Old', 'From before', 'sub-old', 'old', 1, 1, 1)",
                [],
            )
            .unwrap();

        let old = store
            .get(PostId::parse("7").unwrap())
            .await
            .unwrap()
            .unwrap();

        assert_eq!((old.title.as_ref(), old.images.len()), ("Old", 0));
    }

    #[tokio::test]
    async fn read_back_with_no_images_in_dynamodb() {
        use aws_sdk_dynamodb::types::AttributeValue::{N, S};
        let client = aws_sdk_dynamodb::Client::new(&sdk_config().await);
        let (posts, counters) = (unique_table("posts"), unique_table("counters"));
        create_posts_table(&client, &posts).await;
        create_counters_table(&client, &counters).await;
        client
            .put_item()
            .table_name(&posts)
            .item("id", N("7".into()))
            .item("feed", S("posts".into()))
            .item("title", S("Old".into()))
            .item("content", S("From before".into()))
            .item("userId", S("sub-old".into()))
            .item("userName", S("old".into()))
            .item("createdAt", N("1".into()))
            .item("updatedAt", N("1".into()))
            .item("version", N("1".into()))
            .send()
            .await
            .unwrap();
        let store = DynamoPostStore::new(client, posts, counters);

        let old = store
            .get(PostId::parse("7").unwrap())
            .await
            .unwrap()
            .unwrap();
        let listed = store.list(10, None).await.unwrap();

        assert_eq!((old.title.as_ref(), old.images.len()), ("Old", 0));
        assert_eq!(listed.posts, [old]);
    }
}
