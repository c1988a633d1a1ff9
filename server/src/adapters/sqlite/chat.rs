//! [`ChatStore`] in the local SQLite file. Every write runs in one immediate transaction
//! with the membership check that guards it, so SQLite's single writer gives exactly the
//! semantics DynamoDB's conditions give: gap-free message numbers, exact unread counts.

use app::domain::{MessageText, RoomId, RoomName};
use async_trait::async_trait;
use rusqlite::{Connection, OptionalExtension, Row, params};

use super::{SqliteDatabase, corrupt};
use crate::ports::{
    ChatStore, ChatWriteError, Created, MAX_MEMBERS, MAX_ROOMS_PER_PERSON, Membership, MessagePage,
    NewMessage, NewRoom, Person, Room, StoreError, StoredMessage,
};

/// Rooms, members (in the order they joined: rowid) and numbered messages.
pub(super) const SCHEMA: &str = "CREATE TABLE chat_rooms (
            id TEXT PRIMARY KEY NOT NULL,
            name TEXT,
            created_at INTEGER NOT NULL,
            last_activity INTEGER NOT NULL,
            last_preview TEXT,
            last_seq INTEGER NOT NULL DEFAULT 0
        ) STRICT;
        CREATE TABLE chat_members (
            room_id TEXT NOT NULL REFERENCES chat_rooms (id),
            sub TEXT NOT NULL,
            username TEXT NOT NULL,
            last_read_seq INTEGER NOT NULL DEFAULT 0,
            UNIQUE (room_id, sub)
        ) STRICT;
        CREATE INDEX chat_members_by_sub ON chat_members (sub);
        CREATE TABLE chat_messages (
            room_id TEXT NOT NULL REFERENCES chat_rooms (id),
            seq INTEGER NOT NULL,
            sender_sub TEXT NOT NULL,
            sender_name TEXT NOT NULL,
            text TEXT NOT NULL,
            sent_at INTEGER NOT NULL,
            PRIMARY KEY (room_id, seq)
        ) STRICT;";

/// Chat in the local database.
#[derive(Clone)]
pub struct SqliteChatStore {
    database: SqliteDatabase,
}

impl SqliteChatStore {
    /// Chat in `database`.
    pub fn new(database: SqliteDatabase) -> Self {
        Self { database }
    }
}

fn seq(value: i64, what: &str) -> rusqlite::Result<u64> {
    u64::try_from(value).map_err(|_| corrupt(format!("negative {what}")))
}

fn sql(value: u64) -> i64 {
    i64::try_from(value).unwrap_or(i64::MAX)
}

fn room_id(raw: &str) -> rusqlite::Result<RoomId> {
    RoomId::parse(raw).map_err(|_| corrupt(format!("room id {raw:?}")))
}

/// The room with its members, if it exists.
fn load_room(connection: &Connection, id: &str) -> rusqlite::Result<Option<Room>> {
    let found = connection
        .query_row(
            "SELECT id, name, created_at, last_activity, last_preview, last_seq
             FROM chat_rooms WHERE id = ?1",
            [id],
            |row| {
                let name: Option<String> = row.get("name")?;
                Ok(Room {
                    id: room_id(&row.get::<_, String>("id")?)?,
                    name: name
                        .map(|name| {
                            RoomName::parse(&name)
                                .map_err(|_| corrupt(format!("room name of {id}")))
                        })
                        .transpose()?,
                    created_at_ms: row.get("created_at")?,
                    last_activity_ms: row.get("last_activity")?,
                    last_preview: row.get("last_preview")?,
                    last_seq: seq(row.get("last_seq")?, "message number")?,
                    members: Vec::new(),
                })
            },
        )
        .optional()?;
    let Some(mut room) = found else {
        return Ok(None);
    };
    room.members = connection
        .prepare("SELECT sub, username FROM chat_members WHERE room_id = ?1 ORDER BY rowid")?
        .query_map([id], |row| {
            Ok(Person {
                sub: row.get(0)?,
                username: row.get(1)?,
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    Ok(Some(room))
}

fn membership(
    connection: &Connection,
    room: &str,
    sub: &str,
) -> rusqlite::Result<Option<Membership>> {
    connection
        .query_row(
            "SELECT sub, username, last_read_seq FROM chat_members WHERE room_id = ?1 AND sub = ?2",
            [room, sub],
            |row| {
                Ok(Membership {
                    person: Person {
                        sub: row.get(0)?,
                        username: row.get(1)?,
                    },
                    last_read_seq: seq(row.get(2)?, "read mark")?,
                })
            },
        )
        .optional()
}

fn rooms_count(connection: &Connection, sub: &str) -> rusqlite::Result<usize> {
    let count: i64 = connection.query_row(
        "SELECT COUNT(*) FROM chat_members WHERE sub = ?1",
        [sub],
        |row| row.get(0),
    )?;
    Ok(usize::try_from(count).unwrap_or(usize::MAX))
}

fn insert_member(connection: &Connection, room: &str, person: &Person) -> rusqlite::Result<()> {
    connection.execute(
        "INSERT INTO chat_members (room_id, sub, username) VALUES (?1, ?2, ?3)",
        params![room, person.sub, person.username],
    )?;
    Ok(())
}

fn message_row(row: &Row<'_>) -> rusqlite::Result<StoredMessage> {
    let text: String = row.get("text")?;
    Ok(StoredMessage {
        room_id: room_id(&row.get::<_, String>("room_id")?)?,
        seq: seq(row.get("seq")?, "message number")?,
        sender: Person {
            sub: row.get("sender_sub")?,
            username: row.get("sender_name")?,
        },
        text: MessageText::parse(&text).map_err(|_| corrupt("message text".into()))?,
        sent_at_ms: row.get("sent_at")?,
    })
}

#[async_trait]
impl ChatStore for SqliteChatStore {
    async fn create_room(&self, room: &NewRoom) -> Result<Created, ChatWriteError> {
        let room = room.clone();
        self.database.write(move |connection| {
            if let Some(existing) = load_room(connection, room.id.as_ref())? {
                return Ok(Ok(Created::Existing(existing)));
            }
            for person in &room.members {
                if rooms_count(connection, &person.sub)? >= MAX_ROOMS_PER_PERSON {
                    return Ok(Err(ChatWriteError::Full));
                }
            }
            connection.execute(
                "INSERT INTO chat_rooms (id, name, created_at, last_activity) VALUES (?1, ?2, ?3, ?3)",
                params![room.id.as_ref(), room.name.as_ref().map(AsRef::<str>::as_ref), room.at_ms],
            )?;
            for person in &room.members {
                insert_member(connection, room.id.as_ref(), person)?;
            }
            let created = load_room(connection, room.id.as_ref())?
                .ok_or_else(|| corrupt("a room vanished in its own transaction".into()))?;
            Ok(Ok(Created::New(created)))
        })
        .await
    }

    async fn room_for(
        &self,
        id: &RoomId,
        sub: &str,
    ) -> Result<Option<(Room, Membership)>, StoreError> {
        let (id, sub) = (id.to_string(), sub.to_owned());
        self.database
            .call(move |connection| {
                let Some(me) = membership(connection, &id, &sub)? else {
                    return Ok(None);
                };
                Ok(load_room(connection, &id)?.map(|room| (room, me)))
            })
            .await
    }

    async fn rooms_of(&self, sub: &str) -> Result<Vec<(Room, Membership)>, StoreError> {
        let sub = sub.to_owned();
        self.database
            .call(move |connection| {
                let ids: Vec<String> = connection
                    .prepare("SELECT room_id FROM chat_members WHERE sub = ?1")?
                    .query_map([&sub], |row| row.get(0))?
                    .collect::<rusqlite::Result<_>>()?;
                let mut rooms = Vec::with_capacity(ids.len());
                for id in ids {
                    if let (Some(room), Some(me)) = (
                        load_room(connection, &id)?,
                        membership(connection, &id, &sub)?,
                    ) {
                        rooms.push((room, me));
                    }
                }
                Ok(rooms)
            })
            .await
    }

    async fn append(
        &self,
        room: &RoomId,
        message: &NewMessage,
    ) -> Result<(StoredMessage, Room), ChatWriteError> {
        let (room, message) = (room.to_string(), message.clone());
        self.database.write(move |connection| {
            if membership(connection, &room, &message.sender.sub)?.is_none() {
                return Ok(Err(ChatWriteError::NotMember));
            }
            let next: i64 = connection.query_row(
                "UPDATE chat_rooms SET last_seq = last_seq + 1, last_activity = ?2, last_preview = ?3
                 WHERE id = ?1 RETURNING last_seq",
                params![room, message.at_ms, message.preview],
                |row| row.get(0),
            )?;
            connection.execute(
                "UPDATE chat_members SET last_read_seq = ?3 WHERE room_id = ?1 AND sub = ?2",
                params![room, message.sender.sub, next],
            )?;
            connection.execute(
                "INSERT INTO chat_messages (room_id, seq, sender_sub, sender_name, text, sent_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![
                    room,
                    next,
                    message.sender.sub,
                    message.sender.username,
                    message.text.as_ref(),
                    message.at_ms
                ],
            )?;
            let updated = load_room(connection, &room)?
                .ok_or_else(|| corrupt("a room vanished in its own transaction".into()))?;
            let stored = StoredMessage {
                room_id: updated.id.clone(),
                seq: seq(next, "message number")?,
                sender: message.sender,
                text: message.text,
                sent_at_ms: message.at_ms,
            };
            Ok(Ok((stored, updated)))
        })
        .await
    }

    async fn messages(
        &self,
        room: &RoomId,
        limit: usize,
        before: Option<u64>,
    ) -> Result<MessagePage, StoreError> {
        let room = room.to_string();
        let fetch = i64::try_from(limit).unwrap_or(i64::MAX).saturating_add(1);
        let before = before.map_or(i64::MAX, sql);
        let messages = self
            .database
            .call(move |connection| {
                connection
                    .prepare(
                        "SELECT room_id, seq, sender_sub, sender_name, text, sent_at FROM chat_messages
                         WHERE room_id = ?1 AND seq < ?2 ORDER BY seq DESC LIMIT ?3",
                    )?
                    .query_map(params![room, before, fetch], message_row)?
                    .collect::<rusqlite::Result<Vec<_>>>()
            })
            .await?;
        Ok(MessagePage::from_overfetch(messages, limit))
    }

    async fn mark_read(
        &self,
        room: &RoomId,
        sub: &str,
        up_to: u64,
    ) -> Result<(Room, Membership), ChatWriteError> {
        let (room, sub) = (room.to_string(), sub.to_owned());
        self.database
            .write(move |connection| {
                if membership(connection, &room, &sub)?.is_none() {
                    return Ok(Err(ChatWriteError::NotMember));
                }
                connection.execute(
                    "UPDATE chat_members SET last_read_seq = MAX(last_read_seq,
                    MIN(?3, (SELECT last_seq FROM chat_rooms WHERE id = ?1)))
                 WHERE room_id = ?1 AND sub = ?2",
                    params![room, sub, sql(up_to)],
                )?;
                let updated = load_room(connection, &room)?
                    .ok_or_else(|| corrupt("a room vanished in its own transaction".into()))?;
                let me = membership(connection, &room, &sub)?
                    .ok_or_else(|| corrupt("a member vanished in their own transaction".into()))?;
                Ok(Ok((updated, me)))
            })
            .await
    }

    async fn add_member(
        &self,
        room: &RoomId,
        by: &str,
        person: &Person,
    ) -> Result<Room, ChatWriteError> {
        let (room, by, person) = (room.to_string(), by.to_owned(), person.clone());
        self.database
            .write(move |connection| {
                if membership(connection, &room, &by)?.is_none() {
                    return Ok(Err(ChatWriteError::NotMember));
                }
                if membership(connection, &room, &person.sub)?.is_some() {
                    return Ok(Err(ChatWriteError::AlreadyMember));
                }
                let members = load_room(connection, &room)?.map_or(0, |room| room.members.len());
                if members >= MAX_MEMBERS
                    || rooms_count(connection, &person.sub)? >= MAX_ROOMS_PER_PERSON
                {
                    return Ok(Err(ChatWriteError::Full));
                }
                insert_member(connection, &room, &person)?;
                let updated = load_room(connection, &room)?
                    .ok_or_else(|| corrupt("a room vanished in its own transaction".into()))?;
                Ok(Ok(updated))
            })
            .await
    }

    async fn remove_member(&self, room: &RoomId, sub: &str) -> Result<Room, ChatWriteError> {
        let (room, sub) = (room.to_string(), sub.to_owned());
        self.database
            .write(move |connection| {
                let removed = connection.execute(
                    "DELETE FROM chat_members WHERE room_id = ?1 AND sub = ?2",
                    params![room, sub],
                )?;
                if removed == 0 {
                    return Ok(Err(ChatWriteError::NotMember));
                }
                let updated = load_room(connection, &room)?
                    .ok_or_else(|| corrupt("a room vanished in its own transaction".into()))?;
                Ok(Ok(updated))
            })
            .await
    }
}
