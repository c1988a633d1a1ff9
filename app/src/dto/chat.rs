//! Chat: `/api/chats/*`, kept compatible with the reference chat service (`POST
//! /chats/send`, `GET /chats/rooms/{roomId}/messages`, `GET /chats/rooms/{roomId}`, each
//! answering `{"success": true, …}`), plus rooms, read marks and the live socket.

use serde::{Deserialize, Serialize};

/// A message as every client receives it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct ChatMessage {
    /// Unique within its room; messages of a room are numbered 1, 2, 3, … in the order
    /// they were accepted.
    pub id: String,
    /// The room it belongs to.
    pub room_id: String,
    /// The sender's stable id (`sub`), taken from their token.
    pub sender_id: String,
    /// The sender's username when they sent it.
    pub sender_name: String,
    /// The sender's profile picture now (64 px), if they have one.
    #[serde(default)]
    pub avatar_url: Option<String>,
    /// Plain text, 1–2,000 characters.
    pub text: String,
    /// Milliseconds since the Unix epoch.
    pub sent_at: i64,
}

/// `POST /api/chats/send`. A `senderId` may be sent (the reference client does); it must be
/// the caller's own, since the sender always comes from the token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct SendMessageRequest {
    /// Where to send it.
    pub room_id: String,
    /// What to say.
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 2000))]
    pub text: String,
    /// Ignored unless it differs from the caller, which is a 403.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sender_id: Option<String>,
}

/// The answer to a send.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SendMessageResponse {
    /// Always `true` (failures use the error shape, with `success: false`).
    pub success: bool,
    /// The message as stored.
    pub message: ChatMessage,
}

/// One page of a room's messages, newest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct MessagesResponse {
    /// Always `true`.
    pub success: bool,
    /// Newest first.
    pub messages: Vec<ChatMessage>,
    /// Pass back as `cursor` for older messages; `null` on the last page.
    pub next_cursor: Option<String>,
}

/// Someone in a room.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct RoomMember {
    /// Stable id (`sub`).
    pub user_id: String,
    /// Username.
    pub username: String,
    /// Their profile picture (64 px), if they have one.
    #[serde(default)]
    pub avatar_url: Option<String>,
}

/// A room as one member sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct ChatRoom {
    /// Opaque id.
    pub room_id: String,
    /// The room's name; for a conversation between two people, the other person's name.
    pub name: String,
    /// Whether this is a conversation between exactly two people (found, never duplicated).
    pub direct: bool,
    /// Members' stable ids, as the reference contract lists them.
    pub member_ids: Vec<String>,
    /// Members with their names.
    pub members: Vec<RoomMember>,
    /// The start of the newest message, if any.
    pub last_message_preview: Option<String>,
    /// When the newest message was sent (ms since the epoch), or the room made.
    pub last_activity_at: i64,
    /// Messages the requester has not read.
    pub unread_count_for_requester: u64,
}

/// `GET /api/chats/rooms/{roomId}`: the room, and (as the reference returns the DTO's
/// fields) the same fields again beside `success`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RoomResponse {
    /// Always `true`.
    pub success: bool,
    /// The room.
    pub room: ChatRoom,
    /// The room's fields at the top level.
    #[serde(flatten)]
    pub fields: ChatRoom,
}

/// `GET /api/chats/rooms`: the requester's rooms, most recent activity first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct RoomsResponse {
    /// Always `true`.
    pub success: bool,
    /// Most recent activity first.
    pub rooms: Vec<ChatRoom>,
    /// Unread messages over all of them, for a badge.
    pub unread_total: u64,
}

/// `POST /api/chats/rooms`: a room with the requester and these people. With exactly one
/// other person and no name it is their direct conversation, found if it exists.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct CreateRoomRequest {
    /// Required for a group room; ignored for a direct conversation.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(max_length = 80))]
    pub name: Option<String>,
    /// Usernames of the other members (1–49).
    pub member_usernames: Vec<String>,
}

/// `POST /api/chats/rooms/{roomId}/read`: everything up to this message is read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct MarkReadRequest {
    /// A message of the room.
    pub message_id: String,
}

/// The unread count after marking.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct MarkReadResponse {
    /// Always `true`.
    pub success: bool,
    /// Messages still unread in the room.
    pub unread_count_for_requester: u64,
}

/// `POST /api/chats/rooms/{roomId}/members`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AddMemberRequest {
    /// Who to add.
    pub username: String,
}

/// `{"success": true}`, for actions with nothing else to say.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ChatOk {
    /// Always `true`.
    pub success: bool,
}

/// `POST /api/chats/socket`: a single-use ticket that admits one socket for 30 seconds, so
/// no long-lived token ever appears in a URL.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct SocketTicketResponse {
    /// Pass as `?ticket=` when opening the socket.
    pub ticket: String,
    /// Where to open it: an absolute `wss://` URL, or a path on this origin.
    pub url: String,
    /// Seconds the ticket stays valid.
    pub expires_in: u64,
}

/// What a socket receives.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(
    tag = "type",
    rename_all = "camelCase",
    rename_all_fields = "camelCase"
)]
pub enum ChatEvent {
    /// A new message in one of the person's rooms.
    Message {
        /// The message.
        message: ChatMessage,
    },
    /// A room the person is in changed (created, members changed).
    Room {
        /// Which room.
        room_id: String,
    },
}
