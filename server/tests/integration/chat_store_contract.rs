//! The `ChatStore` contract: SQLite (the embedded default) and DynamoDB (through moto) give
//! the same answers, including under concurrency: 50 concurrent sends to one room give 50
//! messages numbered 1..=50, listed once each in one order on every page walk, and unread
//! counts stay exact while people send and read at the same time.

use std::{collections::BTreeSet, sync::Arc, time::Instant};

use app::domain::{MessageText, RoomId, RoomName};
use server::{
    adapters::{
        dynamo::DynamoChatStore,
        sqlite::{SqliteChatStore, SqliteDatabase},
    },
    ports::{ChatStore, ChatWriteError, Created, MAX_MEMBERS, NewMessage, NewRoom, Person},
};

use crate::moto::{create_chat_table, sdk_config, unique_table};

/// A store and, for SQLite, the directory its file lives in.
type Fresh = (Arc<dyn ChatStore>, Option<tempfile::TempDir>);

macro_rules! chat_store_contract {
    ($adapter:ident, $fresh_store:expr) => {
        mod $adapter {
            use super::*;

            #[tokio::test]
            async fn a_room_is_created_with_its_members_and_found_again_by_its_id() {
                super::a_room_is_created_with_its_members_and_found_again_by_its_id($fresh_store)
                    .await;
            }

            #[tokio::test]
            async fn only_members_get_the_room_and_each_lists_their_own_rooms() {
                super::only_members_get_the_room_and_each_lists_their_own_rooms($fresh_store).await;
            }

            #[tokio::test]
            async fn messages_are_numbered_and_listed_newest_first_in_pages() {
                super::messages_are_numbered_and_listed_newest_first_in_pages($fresh_store).await;
            }

            #[tokio::test]
            async fn read_marks_stop_at_the_last_message_and_never_move_back() {
                super::read_marks_stop_at_the_last_message_and_never_move_back($fresh_store).await;
            }

            #[tokio::test]
            async fn people_outside_a_room_can_neither_write_nor_mark_nor_add() {
                super::people_outside_a_room_can_neither_write_nor_mark_nor_add($fresh_store).await;
            }

            #[tokio::test]
            async fn a_full_room_takes_no_one_more() {
                super::a_full_room_takes_no_one_more($fresh_store).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn fifty_concurrent_sends_are_fifty_messages_in_one_order() {
                super::fifty_concurrent_sends_are_fifty_messages_in_one_order($fresh_store).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn unread_counts_are_exact_while_people_send_and_read_at_once() {
                super::unread_counts_are_exact_while_people_send_and_read_at_once($fresh_store)
                    .await;
            }
        }
    };
}

chat_store_contract!(sqlite, sqlite_store());
chat_store_contract!(dynamodb, dynamo_store().await);

fn sqlite_store() -> Fresh {
    let dir = tempfile::tempdir().expect("temporary directory");
    let database = SqliteDatabase::open(dir.path()).expect("database opens");
    (Arc::new(SqliteChatStore::new(database)), Some(dir))
}

async fn dynamo_store() -> Fresh {
    let client = aws_sdk_dynamodb::Client::new(&sdk_config().await);
    let table = unique_table("chat");
    create_chat_table(&client, &table).await;
    (Arc::new(DynamoChatStore::new(client, table)), None)
}

fn person(name: &str) -> Person {
    Person {
        sub: format!("sub-{name}"),
        username: name.to_owned(),
    }
}

fn room_id(raw: &str) -> RoomId {
    RoomId::parse(raw).unwrap()
}

async fn room_with(store: &dyn ChatStore, id: &str, names: &[&str]) -> RoomId {
    let room = NewRoom {
        id: room_id(id),
        name: Some(RoomName::parse("Team").unwrap()),
        members: names.iter().map(|name| person(name)).collect(),
        at_ms: 1_800_000_000_000,
    };
    match store.create_room(&room).await.unwrap() {
        Created::New(created) => created.id,
        Created::Existing(_) => panic!("{id} existed"),
    }
}

fn message(sender: &str, text: &str, at_ms: i64) -> NewMessage {
    NewMessage {
        sender: person(sender),
        text: MessageText::parse(text).unwrap(),
        preview: text.chars().take(100).collect(),
        at_ms,
    }
}

async fn a_room_is_created_with_its_members_and_found_again_by_its_id((store, _dir): Fresh) {
    let new = NewRoom {
        id: room_id("dm_ab"),
        name: None,
        members: vec![person("alice"), person("bob")],
        at_ms: 1_800_000_000_000,
    };

    let first = store.create_room(&new).await.unwrap();
    let again = store
        .create_room(&NewRoom {
            at_ms: 1_900_000_000_000,
            ..new.clone()
        })
        .await
        .unwrap();

    let Created::New(room) = first else {
        panic!("a new room")
    };
    assert_eq!(room.members, [person("alice"), person("bob")]);
    assert_eq!(
        (room.name, room.last_seq, room.created_at_ms),
        (None, 0, 1_800_000_000_000)
    );
    let Created::Existing(existing) = again else {
        panic!("found, not duplicated")
    };
    assert_eq!(existing.created_at_ms, 1_800_000_000_000);
}

async fn only_members_get_the_room_and_each_lists_their_own_rooms((store, _dir): Fresh) {
    let team = room_with(&*store, "r_team", &["alice", "bob"]).await;
    let other = room_with(&*store, "r_other", &["bob", "carol"]).await;

    let (room, me) = store.room_for(&team, "sub-alice").await.unwrap().unwrap();
    assert_eq!(
        (room.id, me.person, me.last_read_seq),
        (team.clone(), person("alice"), 0)
    );
    assert!(store.room_for(&team, "sub-carol").await.unwrap().is_none());
    assert!(
        store
            .room_for(&room_id("r_none"), "sub-alice")
            .await
            .unwrap()
            .is_none()
    );

    let ids = |rooms: Vec<(server::ports::Room, server::ports::Membership)>| {
        rooms
            .into_iter()
            .map(|(room, _)| room.id)
            .collect::<BTreeSet<_>>()
    };
    assert_eq!(
        ids(store.rooms_of("sub-alice").await.unwrap()),
        BTreeSet::from([team.clone()])
    );
    assert_eq!(
        ids(store.rooms_of("sub-bob").await.unwrap()),
        BTreeSet::from([team, other])
    );
    assert!(store.rooms_of("sub-nobody").await.unwrap().is_empty());
}

async fn messages_are_numbered_and_listed_newest_first_in_pages((store, _dir): Fresh) {
    let room = room_with(&*store, "r_talk", &["alice", "bob"]).await;
    for n in 1..=5_i64 {
        let (stored, after) = store
            .append(&room, &message("alice", &format!("m{n}"), n))
            .await
            .unwrap();
        assert_eq!(
            (stored.seq, after.last_seq, after.last_activity_ms),
            (n as u64, n as u64, n)
        );
        assert_eq!(
            after.last_preview.as_deref(),
            Some(format!("m{n}").as_str())
        );
    }

    let first = store.messages(&room, 2, None).await.unwrap();
    let second = store.messages(&room, 2, first.next_before).await.unwrap();
    let last = store.messages(&room, 2, second.next_before).await.unwrap();

    let seqs =
        |page: &server::ports::MessagePage| page.messages.iter().map(|m| m.seq).collect::<Vec<_>>();
    assert_eq!(
        (seqs(&first), seqs(&second), seqs(&last)),
        (vec![5, 4], vec![3, 2], vec![1])
    );
    assert_eq!(last.next_before, None);
    assert_eq!(first.messages[0].sender, person("alice"));
    assert_eq!(first.messages[0].text.as_ref(), "m5");
    let (_, alice) = store.room_for(&room, "sub-alice").await.unwrap().unwrap();
    assert_eq!(
        alice.last_read_seq, 5,
        "a sender has read their own message"
    );
}

async fn read_marks_stop_at_the_last_message_and_never_move_back((store, _dir): Fresh) {
    let room = room_with(&*store, "r_marks", &["alice", "bob"]).await;
    for n in 1..=3 {
        store
            .append(&room, &message("alice", "x", n))
            .await
            .unwrap();
    }

    let (_, two) = store.mark_read(&room, "sub-bob", 2).await.unwrap();
    let (_, back) = store.mark_read(&room, "sub-bob", 1).await.unwrap();
    let (room_after, beyond) = store.mark_read(&room, "sub-bob", 99).await.unwrap();

    assert_eq!(
        (two.last_read_seq, back.last_read_seq, beyond.last_read_seq),
        (2, 2, 3)
    );
    assert_eq!(room_after.last_seq, 3);
}

async fn people_outside_a_room_can_neither_write_nor_mark_nor_add((store, _dir): Fresh) {
    let room = room_with(&*store, "r_closed", &["alice", "bob"]).await;
    let nowhere = room_id("r_nowhere");

    assert!(matches!(
        store.append(&room, &message("carol", "hi", 1)).await,
        Err(ChatWriteError::NotMember)
    ));
    assert!(matches!(
        store.append(&nowhere, &message("alice", "hi", 1)).await,
        Err(ChatWriteError::NotMember)
    ));
    assert!(matches!(
        store.mark_read(&room, "sub-carol", 1).await,
        Err(ChatWriteError::NotMember)
    ));
    assert!(matches!(
        store.add_member(&room, "sub-carol", &person("dave")).await,
        Err(ChatWriteError::NotMember)
    ));
    assert!(matches!(
        store.add_member(&room, "sub-alice", &person("bob")).await,
        Err(ChatWriteError::AlreadyMember)
    ));
    assert!(matches!(
        store.remove_member(&room, "sub-carol").await,
        Err(ChatWriteError::NotMember)
    ));

    let after_leaving = store.remove_member(&room, "sub-bob").await.unwrap();
    assert_eq!(after_leaving.members, [person("alice")]);
    assert!(matches!(
        store.append(&room, &message("bob", "still here?", 2)).await,
        Err(ChatWriteError::NotMember)
    ));
    let rejoined = store
        .add_member(&room, "sub-alice", &person("bob"))
        .await
        .unwrap();
    assert_eq!(rejoined.members, [person("alice"), person("bob")]);
    assert_eq!(
        store
            .messages(&room, 10, None)
            .await
            .unwrap()
            .messages
            .len(),
        0,
        "nothing was written"
    );
}

async fn a_full_room_takes_no_one_more((store, _dir): Fresh) {
    let names: Vec<String> = (0..MAX_MEMBERS).map(|n| format!("p{n}")).collect();
    let refs: Vec<&str> = names.iter().map(String::as_str).collect();
    let room = room_with(&*store, "r_full", &refs).await;

    let refused = store
        .add_member(&room, "sub-p0", &person("latecomer"))
        .await;

    assert!(matches!(refused, Err(ChatWriteError::Full)), "{refused:?}");
    assert!(
        store
            .room_for(&room, "sub-latecomer")
            .await
            .unwrap()
            .is_none()
    );
}

async fn fifty_concurrent_sends_are_fifty_messages_in_one_order((store, _dir): Fresh) {
    let room = room_with(&*store, "r_busy", &["alice", "bob"]).await;
    let started = Instant::now();
    let sends = (0..50).map(|n| {
        let (store, room) = (Arc::clone(&store), room.clone());
        let sender = if n % 2 == 0 { "alice" } else { "bob" };
        tokio::spawn(async move {
            store
                .append(&room, &message(sender, &format!("m{n}"), n))
                .await
        })
    });
    let sent: BTreeSet<u64> = futures::future::join_all(sends)
        .await
        .into_iter()
        .map(|joined| joined.unwrap().unwrap().0.seq)
        .collect();
    println!("50 concurrent sends took {:?}", started.elapsed());

    assert_eq!(sent, (1..=50).collect());
    let walk = || async {
        let (mut seen, mut before) = (Vec::new(), None);
        loop {
            let page = store.messages(&room, 7, before).await.unwrap();
            seen.extend(
                page.messages
                    .iter()
                    .map(|m| (m.seq, m.text.as_ref().to_owned())),
            );
            before = page.next_before;
            if before.is_none() {
                return seen;
            }
        }
    };
    let (first_walk, second_walk) = (walk().await, walk().await);
    assert_eq!(first_walk.len(), 50);
    assert_eq!(
        first_walk.iter().map(|(seq, _)| *seq).collect::<Vec<_>>(),
        (1..=50).rev().collect::<Vec<_>>()
    );
    assert_eq!(first_walk, second_walk, "one order on every walk");
    assert_eq!(
        first_walk
            .iter()
            .map(|(_, text)| text)
            .collect::<BTreeSet<_>>()
            .len(),
        50
    );
}

async fn unread_counts_are_exact_while_people_send_and_read_at_once((store, _dir): Fresh) {
    let room = room_with(&*store, "r_unread", &["alice", "bob", "carol"]).await;
    let sends = (0..30).map(|n| {
        let (store, room) = (Arc::clone(&store), room.clone());
        tokio::spawn(async move {
            store
                .append(&room, &message("alice", "x", n))
                .await
                .map(drop)
        })
    });
    let reads = (1..=10).map(|n| {
        let (store, room) = (Arc::clone(&store), room.clone());
        tokio::spawn(async move { store.mark_read(&room, "sub-bob", n * 3).await.map(drop) })
    });
    for joined in futures::future::join_all(sends.chain(reads)).await {
        joined.unwrap().unwrap();
    }

    let (room_now, bob) = store.room_for(&room, "sub-bob").await.unwrap().unwrap();
    let (_, carol) = store.room_for(&room, "sub-carol").await.unwrap().unwrap();
    let newer_than_bobs_mark = store
        .messages(&room, 100, None)
        .await
        .unwrap()
        .messages
        .iter()
        .filter(|m| m.seq > bob.last_read_seq)
        .count() as u64;
    assert_eq!(room_now.last_seq, 30);
    assert_eq!(room_now.last_seq - bob.last_read_seq, newer_than_bobs_mark);
    assert_eq!(room_now.last_seq - carol.last_read_seq, 30);
    let (_, caught_up) = store
        .mark_read(&room, "sub-bob", room_now.last_seq)
        .await
        .unwrap();
    assert_eq!(room_now.last_seq - caught_up.last_read_seq, 0);
}
