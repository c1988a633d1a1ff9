//! The `CommentStore` contract: SQLite (the embedded default) and DynamoDB (through moto)
//! keep the same threads, the same exact counts under concurrency, and leave nothing
//! readable of a post deleted while people were still commenting on it.

use std::{sync::Arc, time::Instant};

use app::domain::{CommentId, CommentText, PostContent, PostId, PostTitle};
use server::{
    adapters::{
        dynamo::{DynamoCommentStore, DynamoPostStore},
        sqlite::{SqliteCommentStore, SqliteDatabase, SqlitePostStore},
    },
    ports::{
        Author, Comment, CommentEdit, CommentStore, CommentWriteError, Post, PostStore, Remover,
    },
};

use crate::moto::{
    create_comments_table, create_counters_table, create_posts_table, sdk_config, unique_table,
};

/// The posts and comments of one store, and for SQLite the directory of its file.
struct Fresh {
    posts: Arc<dyn PostStore>,
    comments: Arc<dyn CommentStore>,
    _dir: Option<tempfile::TempDir>,
}

macro_rules! comment_store_contract {
    ($adapter:ident, $fresh:expr) => {
        mod $adapter {
            use super::*;

            #[tokio::test]
            async fn a_comment_needs_its_post_and_moves_the_count() {
                super::a_comment_needs_its_post_and_moves_the_count($fresh).await;
            }

            #[tokio::test]
            async fn a_thread_reads_oldest_first_and_pages_after_an_id() {
                super::a_thread_reads_oldest_first_and_pages_after_an_id($fresh).await;
            }

            #[tokio::test]
            async fn an_edit_needs_the_author_and_the_current_version() {
                super::an_edit_needs_the_author_and_the_current_version($fresh).await;
            }

            #[tokio::test]
            async fn the_author_or_the_posts_author_deletes_and_the_count_follows() {
                super::the_author_or_the_posts_author_deletes_and_the_count_follows($fresh).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn a_hundred_concurrent_comments_are_all_stored_counted_and_in_one_order() {
                super::a_hundred_concurrent_comments_are_all_stored_counted_and_in_one_order(
                    $fresh,
                )
                .await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn a_post_deleted_while_comments_arrive_leaves_nothing_readable() {
                super::a_post_deleted_while_comments_arrive_leaves_nothing_readable($fresh).await;
            }
        }
    };
}

comment_store_contract!(sqlite, sqlite_store());
comment_store_contract!(dynamodb, dynamo_store().await);

fn sqlite_store() -> Fresh {
    let dir = tempfile::tempdir().unwrap();
    let database = SqliteDatabase::open(dir.path()).unwrap();
    Fresh {
        posts: Arc::new(SqlitePostStore::new(database.clone())),
        comments: Arc::new(SqliteCommentStore::new(database)),
        _dir: Some(dir),
    }
}

async fn dynamo_store() -> Fresh {
    let client = aws_sdk_dynamodb::Client::new(&sdk_config().await);
    let (posts, counters, comments) = (
        unique_table("posts"),
        unique_table("counters"),
        unique_table("comments"),
    );
    create_posts_table(&client, &posts).await;
    create_counters_table(&client, &counters).await;
    create_comments_table(&client, &comments).await;
    Fresh {
        posts: Arc::new(DynamoPostStore::new(client.clone(), &posts, counters)),
        comments: Arc::new(DynamoCommentStore::new(client, comments, posts)),
        _dir: None,
    }
}

const ANN: &str = "sub-ann";
const BOB: &str = "sub-bob";
const T0: i64 = 1_800_000_000_000;

fn author(sub: &str) -> Author {
    Author {
        sub: sub.to_owned(),
        username: sub.trim_start_matches("sub-").to_owned(),
    }
}

async fn publish(posts: &dyn PostStore, by: &str) -> PostId {
    let id = posts.next_id().await.unwrap();
    posts
        .create(&Post {
            id,
            title: PostTitle::parse("A thread").unwrap(),
            content: PostContent::parse("Replies below").unwrap(),
            author: author(by),
            created_at_ms: T0,
            updated_at_ms: T0,
            version: 1,
            images: Vec::new(),
            comment_count: 0,
        })
        .await
        .unwrap();
    id
}

fn comment(post: PostId, by: &str, n: u32, text: &str) -> Comment {
    let at = T0 + i64::from(n);
    Comment {
        id: CommentId::new(at, n).unwrap(),
        post,
        text: CommentText::parse(text).unwrap(),
        author: author(by),
        created_at_ms: at,
        updated_at_ms: at,
        version: 1,
    }
}

async fn count(fresh: &Fresh, post: PostId) -> u64 {
    fresh.posts.get(post).await.unwrap().unwrap().comment_count
}

/// Every comment of the post, walking pages of `size`.
async fn walk(store: &dyn CommentStore, post: PostId, size: usize) -> Vec<CommentId> {
    let mut seen = Vec::new();
    let mut after = None;
    loop {
        let page = store
            .list(post, size, after.as_ref())
            .await
            .unwrap()
            .unwrap();
        seen.extend(page.comments.iter().map(|c| c.id.clone()));
        match page.next_after {
            Some(next) => after = Some(next),
            None => return seen,
        }
    }
}

async fn a_comment_needs_its_post_and_moves_the_count(fresh: Fresh) {
    let post = publish(&*fresh.posts, ANN).await;
    let written = comment(post, BOB, 1, "First!\nWith a second line");

    fresh.comments.add(&written).await.unwrap();

    assert_eq!(
        fresh.comments.get(post, &written.id).await.unwrap(),
        Some(written)
    );
    assert_eq!(count(&fresh, post).await, 1);
    let nowhere = PostId::parse("999").unwrap();
    assert!(matches!(
        fresh
            .comments
            .add(&comment(nowhere, BOB, 2, "hello?"))
            .await,
        Err(CommentWriteError::PostNotFound)
    ));
    assert_eq!(fresh.comments.list(nowhere, 10, None).await.unwrap(), None);
}

async fn a_thread_reads_oldest_first_and_pages_after_an_id(fresh: Fresh) {
    let post = publish(&*fresh.posts, ANN).await;
    let other = publish(&*fresh.posts, ANN).await;
    for n in [3, 1, 2] {
        fresh
            .comments
            .add(&comment(post, BOB, n, &format!("reply {n}")))
            .await
            .unwrap();
    }
    fresh
        .comments
        .add(&comment(other, BOB, 9, "elsewhere"))
        .await
        .unwrap();

    let first = fresh.comments.list(post, 2, None).await.unwrap().unwrap();
    let texts: Vec<&str> = first.comments.iter().map(|c| c.text.as_ref()).collect();
    assert_eq!(texts, ["reply 1", "reply 2"]);
    fresh
        .comments
        .add(&comment(post, BOB, 4, "reply 4"))
        .await
        .unwrap();
    let rest = fresh
        .comments
        .list(post, 2, first.next_after.as_ref())
        .await
        .unwrap()
        .unwrap();
    let texts: Vec<&str> = rest.comments.iter().map(|c| c.text.as_ref()).collect();
    assert_eq!(texts, ["reply 3", "reply 4"]);
    assert_eq!(rest.next_after, None);
}

async fn an_edit_needs_the_author_and_the_current_version(fresh: Fresh) {
    let post = publish(&*fresh.posts, ANN).await;
    let original = comment(post, BOB, 1, "tpyo");
    fresh.comments.add(&original).await.unwrap();
    let edit = |text: &str, expected_version| CommentEdit {
        text: CommentText::parse(text).unwrap(),
        expected_version,
        at_ms: T0 + 100,
    };

    let edited = fresh
        .comments
        .update(post, &original.id, BOB, &edit("typo", 1))
        .await
        .unwrap();
    assert_eq!(
        (edited.text.as_ref(), edited.version, edited.updated_at_ms),
        ("typo", 2, T0 + 100)
    );
    assert_eq!(edited.created_at_ms, original.created_at_ms);
    match fresh
        .comments
        .update(post, &original.id, BOB, &edit("stale", 1))
        .await
    {
        Err(CommentWriteError::Stale(current)) => assert_eq!(*current, edited),
        other => panic!("expected Stale, got {other:?}"),
    }
    assert!(matches!(
        fresh
            .comments
            .update(post, &original.id, ANN, &edit("not mine", 2))
            .await,
        Err(CommentWriteError::NotYours)
    ));
    let ghost = CommentId::new(T0, 0).unwrap();
    assert!(matches!(
        fresh
            .comments
            .update(post, &ghost, BOB, &edit("ghost", 1))
            .await,
        Err(CommentWriteError::NotFound)
    ));
}

async fn the_author_or_the_posts_author_deletes_and_the_count_follows(fresh: Fresh) {
    let post = publish(&*fresh.posts, ANN).await;
    let (first, second) = (comment(post, BOB, 1, "one"), comment(post, BOB, 2, "two"));
    fresh.comments.add(&first).await.unwrap();
    fresh.comments.add(&second).await.unwrap();

    let stranger = Remover::Author("sub-cat".into());
    let not_the_posts = Remover::PostAuthor("sub-cat".into());
    for by in [&stranger, &not_the_posts] {
        assert!(matches!(
            fresh.comments.delete(post, &first.id, by).await,
            Err(CommentWriteError::NotYours)
        ));
    }
    fresh
        .comments
        .delete(post, &first.id, &Remover::Author(BOB.into()))
        .await
        .unwrap();
    fresh
        .comments
        .delete(post, &second.id, &Remover::PostAuthor(ANN.into()))
        .await
        .unwrap();

    assert!(matches!(
        fresh
            .comments
            .delete(post, &first.id, &Remover::Author(BOB.into()))
            .await,
        Err(CommentWriteError::NotFound)
    ));
    assert_eq!(count(&fresh, post).await, 0);
    assert!(walk(&*fresh.comments, post, 10).await.is_empty());
}

async fn a_hundred_concurrent_comments_are_all_stored_counted_and_in_one_order(fresh: Fresh) {
    const WRITERS: u32 = 100;
    let post = publish(&*fresh.posts, ANN).await;
    let started = Instant::now();
    let tasks: Vec<_> = (0..WRITERS)
        .map(|n| {
            let store = Arc::clone(&fresh.comments);
            // All in one millisecond: the random part alone orders them.
            let written = Comment {
                id: CommentId::new(T0, n.wrapping_mul(2_654_435_761)).unwrap(),
                ..comment(post, BOB, n, &format!("concurrent {n}"))
            };
            tokio::spawn(async move { store.add(&written).await })
        })
        .collect();
    for task in tasks {
        task.await.unwrap().unwrap();
    }
    eprintln!("{WRITERS} concurrent comments took {:?}", started.elapsed());

    assert_eq!(count(&fresh, post).await, u64::from(WRITERS));
    let by_sevens = walk(&*fresh.comments, post, 7).await;
    let whole = walk(&*fresh.comments, post, 100).await;
    assert_eq!(by_sevens.len(), 100);
    assert_eq!(by_sevens, whole, "every walk sees one order");
    assert!(whole.windows(2).all(|pair| pair[0] < pair[1]));
}

async fn a_post_deleted_while_comments_arrive_leaves_nothing_readable(fresh: Fresh) {
    const WRITERS: u32 = 40;
    let post = publish(&*fresh.posts, ANN).await;
    let tasks: Vec<_> = (0..WRITERS)
        .map(|n| {
            let store = Arc::clone(&fresh.comments);
            let written = comment(post, BOB, n, &format!("racing {n}"));
            tokio::spawn(async move { store.add(&written).await.map(|()| written.id) })
        })
        .collect();
    tokio::task::yield_now().await;
    fresh.posts.delete(post, ANN).await.unwrap();
    fresh.comments.delete_all(post).await.unwrap();

    let mut landed = Vec::new();
    for task in tasks {
        match task.await.unwrap() {
            Ok(id) => landed.push(id),
            Err(CommentWriteError::PostNotFound) => {}
            Err(other) => panic!("unexpected {other:?}"),
        }
    }

    assert_eq!(fresh.comments.list(post, 100, None).await.unwrap(), None);
    for id in &landed {
        assert_eq!(fresh.comments.get(post, id).await.unwrap(), None);
    }
    assert_eq!(
        fresh.comments.delete_all(post).await.unwrap(),
        0,
        "nothing was written under the post after it was deleted"
    );
    eprintln!(
        "{} of {WRITERS} comments landed before the post was deleted",
        landed.len()
    );
}
