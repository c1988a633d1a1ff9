use std::sync::Arc;

use app::{
    dto::{PostRequest, UpdateCommentRequest},
    error::ErrorCode,
    services::PostService,
};

use super::*;
use crate::{
    ports::ManualClock,
    services::{
        Pictures, Posts,
        fakes::{InMemoryMedia, InMemoryPosts, caller},
    },
};

const NOW_MS: i64 = 1_800_000_000_000;

struct Fixture {
    comments: Comments<InMemoryPosts, InMemoryPosts, Arc<ManualClock>>,
    posts: Posts<InMemoryPosts, Arc<ManualClock>>,
    clock: Arc<ManualClock>,
}

fn fixture() -> Fixture {
    let board = InMemoryPosts::default();
    let media = Arc::new(InMemoryMedia::default());
    let clock = Arc::new(ManualClock::at_ms(NOW_MS));
    Fixture {
        comments: Comments::new(board.clone(), board.clone(), media.clone(), clock.clone()),
        posts: Posts::new(
            board.clone(),
            clock.clone(),
            Pictures::new(media.clone(), media),
            Arc::new(board),
        ),
        clock,
    }
}

fn say(text: &str) -> CommentRequest {
    CommentRequest {
        text: text.to_owned(),
    }
}

impl Fixture {
    async fn post_by(&self, name: &str) -> String {
        let request = PostRequest {
            title: "A thread".into(),
            content: "Reply below".into(),
            images: Vec::new(),
        };
        self.posts
            .create_post(&caller(name), request)
            .await
            .unwrap()
            .id
    }

    async fn count(&self, post: &str) -> u64 {
        self.posts.get_post(post).await.unwrap().comment_count
    }

    /// Writes `text` as `name`, a second later than the last comment.
    async fn comment(&self, name: &str, post: &str, text: &str) -> CommentResponse {
        self.clock.advance_secs(1);
        self.comments
            .add_comment(&caller(name), post, say(text))
            .await
            .unwrap()
    }
}

#[tokio::test]
async fn anyone_reads_a_thread_oldest_first_a_page_at_a_time() {
    let f = fixture();
    let post = f.post_by("ann").await;
    for n in 1..=5 {
        f.comment("bob", &post, &format!("reply {n}")).await;
    }

    let first = f
        .comments
        .comments(None, &post, Some(2), None)
        .await
        .unwrap();
    let second = f
        .comments
        .comments(None, &post, Some(2), first.next_cursor.clone())
        .await
        .unwrap();
    let rest = f
        .comments
        .comments(None, &post, None, second.next_cursor.clone())
        .await
        .unwrap();

    let texts = |page: &CommentPageResponse| {
        page.comments
            .iter()
            .map(|c| c.text.clone())
            .collect::<Vec<_>>()
    };
    assert_eq!(texts(&first), ["reply 1", "reply 2"]);
    assert_eq!(texts(&second), ["reply 3", "reply 4"]);
    assert_eq!(texts(&rest), ["reply 5"]);
    assert_eq!(rest.next_cursor, None);
    assert_eq!(first.comments[0].user_name, "bob");
    assert_eq!(first.comments[0].created_at, "2027-01-15T08:00:01Z");
}

#[tokio::test]
async fn a_missing_post_has_no_thread_and_a_forged_cursor_is_400() {
    let f = fixture();
    let post = f.post_by("ann").await;

    let missing = f
        .comments
        .comments(None, "99", None, None)
        .await
        .unwrap_err();
    let malformed = f
        .comments
        .comments(None, "abc", None, None)
        .await
        .unwrap_err();
    let forged = f
        .comments
        .comments(None, &post, None, Some("bm9wZQ".into()))
        .await
        .unwrap_err();
    let write = f
        .comments
        .add_comment(&caller("bob"), "99", say("hello?"))
        .await
        .unwrap_err();

    assert_eq!(missing.code, ErrorCode::NotFound);
    assert_eq!(malformed.code, ErrorCode::NotFound);
    assert_eq!(
        (forged.code, forged.field.as_deref()),
        (ErrorCode::BadRequest, Some("cursor"))
    );
    assert_eq!(write.code, ErrorCode::NotFound);
}

#[tokio::test]
async fn each_comment_counts_and_bad_text_is_refused_by_field() {
    let f = fixture();
    let post = f.post_by("ann").await;
    f.comment("bob", &post, "first").await;
    f.comment("cat", &post, "second").await;

    let blank = f
        .comments
        .add_comment(&caller("bob"), &post, say("   "))
        .await
        .unwrap_err();

    assert_eq!(f.count(&post).await, 2);
    assert_eq!(
        (blank.code, blank.field.as_deref()),
        (ErrorCode::BadRequest, Some("text"))
    );
}

#[tokio::test]
async fn the_author_edits_from_the_version_they_saw() {
    let f = fixture();
    let post = f.post_by("ann").await;
    let comment = f.comment("bob", &post, "tpyo").await;
    let edit = |text: &str, version| UpdateCommentRequest {
        text: text.to_owned(),
        version,
    };

    let fixed = f
        .comments
        .edit_comment(&caller("bob"), &post, &comment.id, edit("typo", Some(1)))
        .await
        .unwrap();
    let stale = f
        .comments
        .edit_comment(&caller("bob"), &post, &comment.id, edit("again", Some(1)))
        .await
        .unwrap_err();
    let theirs = f
        .comments
        .edit_comment(&caller("ann"), &post, &comment.id, edit("hijack", None))
        .await
        .unwrap_err();
    let unversioned = f
        .comments
        .edit_comment(&caller("bob"), &post, &comment.id, edit("last word", None))
        .await
        .unwrap();

    assert_eq!((fixed.text.as_str(), fixed.version), ("typo", 2));
    assert_eq!(stale.code, ErrorCode::Conflict);
    assert_eq!(stale.current_comment.as_deref(), Some(&fixed));
    assert_eq!(
        theirs.code,
        ErrorCode::Forbidden,
        "the post's author may not edit it"
    );
    assert_eq!(
        (unversioned.text.as_str(), unversioned.version),
        ("last word", 3)
    );
}

#[tokio::test]
async fn authors_delete_their_own_and_the_post_author_any_under_their_post() {
    let f = fixture();
    let post = f.post_by("ann").await;
    let bobs = f.comment("bob", &post, "bob's").await;
    let cats = f.comment("cat", &post, "cat's").await;
    let dans = f.comment("dan", &post, "dan's").await;

    let by_stranger = f
        .comments
        .delete_comment(&caller("cat"), &post, &bobs.id)
        .await
        .unwrap_err();
    f.comments
        .delete_comment(&caller("bob"), &post, &bobs.id)
        .await
        .unwrap();
    f.comments
        .delete_comment(&caller("ann"), &post, &cats.id)
        .await
        .unwrap();
    let again = f
        .comments
        .delete_comment(&caller("bob"), &post, &bobs.id)
        .await
        .unwrap_err();

    assert_eq!(by_stranger.code, ErrorCode::Forbidden);
    assert_eq!(again.code, ErrorCode::NotFound);
    let left = f.comments.comments(None, &post, None, None).await.unwrap();
    assert_eq!(left.comments, [dans]);
    assert_eq!(f.count(&post).await, 1);
}

#[tokio::test]
async fn deleting_a_post_deletes_its_thread() {
    let f = fixture();
    let post = f.post_by("ann").await;
    f.comment("bob", &post, "soon gone").await;

    f.posts.delete_post(&caller("ann"), &post).await.unwrap();

    let thread = f
        .comments
        .comments(None, &post, None, None)
        .await
        .unwrap_err();
    assert_eq!(thread.code, ErrorCode::NotFound);
}

#[tokio::test]
async fn a_flood_of_comments_is_slowed_to_one_every_five_seconds() {
    let f = fixture();
    let post = f.post_by("ann").await;
    for n in 0..10 {
        f.comments
            .add_comment(&caller("bob"), &post, say(&format!("{n}")))
            .await
            .unwrap();
    }

    let eleventh = f
        .comments
        .add_comment(&caller("bob"), &post, say("more"))
        .await
        .unwrap_err();
    let someone_else = f
        .comments
        .add_comment(&caller("cat"), &post, say("mine"))
        .await;

    assert_eq!(eleventh.code, ErrorCode::Throttled);
    assert!(
        eleventh
            .retry_after_secs
            .is_some_and(|secs| secs <= SECONDS_PER_COMMENT + 1)
    );
    assert!(someone_else.is_ok());
}
