//! Chat storage: rooms, their members, numbered messages, and read marks.

use app::domain::{MessageText, RoomId, RoomName};
use async_trait::async_trait;

use super::StoreError;

/// Most people in one room. Creating a room writes it, each membership and each person's
/// room count in one DynamoDB transaction (at most 100 items): 1 + 2 × 49 fits.
pub const MAX_MEMBERS: usize = 49;
/// Most rooms one person can be in (so listing them stays one bounded read).
pub const MAX_ROOMS_PER_PERSON: usize = 200;

/// Someone who is, or is to be, in a room.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Person {
    /// Stable id.
    pub sub: String,
    /// Username.
    pub username: String,
}

/// A room as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Room {
    /// Its id.
    pub id: RoomId,
    /// Its name; `None` for a direct conversation, which takes the other person's name.
    pub name: Option<RoomName>,
    /// Milliseconds since the epoch.
    pub created_at_ms: i64,
    /// When the last message arrived, or the room was made.
    pub last_activity_ms: i64,
    /// The start of the last message.
    pub last_preview: Option<String>,
    /// The number of the last message (0: none yet). Messages are numbered 1, 2, 3, …
    /// without gaps, so `last_seq - last_read_seq` is a member's exact unread count.
    pub last_seq: u64,
    /// Everyone in it, in the order they joined (at most [`MAX_MEMBERS`], so the room
    /// carries them and listing rooms needs no read per room).
    pub members: Vec<Person>,
}

/// A person's place in a room.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Membership {
    /// Who.
    pub person: Person,
    /// Every message up to this number is read.
    pub last_read_seq: u64,
}

/// A message as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredMessage {
    /// Its room.
    pub room_id: RoomId,
    /// Its number in the room.
    pub seq: u64,
    /// Who sent it, as their token said.
    pub sender: Person,
    /// What it says.
    pub text: MessageText,
    /// Milliseconds since the epoch.
    pub sent_at_ms: i64,
}

/// One page of a room's messages, newest first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessagePage {
    /// At most the requested number.
    pub messages: Vec<StoredMessage>,
    /// Where the next (older) page starts, if there is one.
    pub next_before: Option<u64>,
}

impl MessagePage {
    /// A page from a query that asked for one message more than `limit`.
    pub fn from_overfetch(mut messages: Vec<StoredMessage>, limit: usize) -> Self {
        let more = messages.len() > limit;
        messages.truncate(limit);
        let next_before = if more {
            messages.last().map(|message| message.seq)
        } else {
            None
        };
        Self {
            messages,
            next_before,
        }
    }
}

/// A message to append.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewMessage {
    /// Who sends it, as their token said.
    pub sender: Person,
    /// What it says.
    pub text: MessageText,
    /// What the room list shows of it.
    pub preview: String,
    /// Milliseconds since the epoch.
    pub at_ms: i64,
}

/// A room to create.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewRoom {
    /// Its id (for a direct conversation, derived from the two people, so a second
    /// creation finds the first).
    pub id: RoomId,
    /// Its name; `None` for a direct conversation.
    pub name: Option<RoomName>,
    /// Everyone in it, the creator included.
    pub members: Vec<Person>,
    /// Milliseconds since the epoch.
    pub at_ms: i64,
}

/// What creating a room led to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Created {
    /// A new room.
    New(Room),
    /// A room with this id existed already (a direct conversation); nothing was changed.
    Existing(Room),
}

/// Why a chat write did not happen. The write's own condition decides.
#[derive(Debug, thiserror::Error)]
pub enum ChatWriteError {
    /// The room does not exist, or the person acting is not in it (indistinguishable on
    /// purpose).
    #[error("no such room for this person")]
    NotMember,
    /// The person to add is in the room already.
    #[error("already a member")]
    AlreadyMember,
    /// The room has [`MAX_MEMBERS`] members, or a person [`MAX_ROOMS_PER_PERSON`] rooms.
    #[error("the room or the person is full")]
    Full,
    /// The store failed; nothing was written.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Rooms, members, messages and read marks. Every membership check is part of the write it
/// guards, so a person removed a moment ago cannot still send.
#[async_trait]
pub trait ChatStore: Send + Sync {
    /// Creates the room and its memberships at once, or reports the room with that id.
    async fn create_room(&self, room: &NewRoom) -> Result<Created, ChatWriteError>;
    /// The room and `sub`'s membership, if the room exists and `sub` is in it.
    async fn room_for(
        &self,
        id: &RoomId,
        sub: &str,
    ) -> Result<Option<(Room, Membership)>, StoreError>;
    /// The rooms `sub` is in, each with their membership.
    async fn rooms_of(&self, sub: &str) -> Result<Vec<(Room, Membership)>, StoreError>;
    /// Appends a message by `sender` if they are in the room; it gets the next number,
    /// becomes the room's last activity, and marks the room read for its sender (one's own
    /// message is never unread), all in the same write. Returns it with the room as the
    /// write left it.
    async fn append(
        &self,
        room: &RoomId,
        message: &NewMessage,
    ) -> Result<(StoredMessage, Room), ChatWriteError>;
    /// Up to `limit` messages, newest first, numbered below `before` when given.
    async fn messages(
        &self,
        room: &RoomId,
        limit: usize,
        before: Option<u64>,
    ) -> Result<MessagePage, StoreError>;
    /// Marks messages up to `seq` (at most the room's last) read for `sub`; a mark never
    /// moves backwards. Returns the room and the membership afterwards.
    async fn mark_read(
        &self,
        room: &RoomId,
        sub: &str,
        seq: u64,
    ) -> Result<(Room, Membership), ChatWriteError>;
    /// Adds `person` to the room if `by` is in it; returns the room afterwards.
    async fn add_member(
        &self,
        room: &RoomId,
        by: &str,
        person: &Person,
    ) -> Result<Room, ChatWriteError>;
    /// Takes `sub` out of the room; returns the room afterwards.
    async fn remove_member(&self, room: &RoomId, sub: &str) -> Result<Room, ChatWriteError>;
}
