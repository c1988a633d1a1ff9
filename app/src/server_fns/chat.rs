//! Chat for the SPA: every call needs the bearer token.

use leptos::prelude::*;
use server_fn::codec::Json;

use crate::{
    client::BearerClient,
    dto::{
        AddMemberRequest, ChatMessage, ChatRoom, CreateRoomRequest, MarkReadRequest,
        MarkReadResponse, MessagesResponse, RoomsResponse, SendMessageRequest,
        SocketTicketResponse,
    },
    error::AppError,
};

#[cfg(feature = "ssr")]
use crate::services::{ChatService, service};

/// The signed-in person's rooms, most recent activity first.
#[server(prefix = "/api/fn", endpoint = "chat_rooms", input = Json, client = BearerClient)]
pub async fn chat_rooms() -> Result<RoomsResponse, AppError> {
    let caller = super::ssr::caller()?;
    service::<dyn ChatService>()?.my_rooms(&caller).await
}

/// Starts a room (or finds the direct conversation).
#[server(prefix = "/api/fn", endpoint = "create_room", input = Json, client = BearerClient)]
pub async fn create_room(request: CreateRoomRequest) -> Result<ChatRoom, AppError> {
    let caller = super::ssr::caller()?;
    service::<dyn ChatService>()?
        .create_room(&caller, request)
        .await
}

/// One room.
#[server(prefix = "/api/fn", endpoint = "room_details", input = Json, client = BearerClient)]
pub async fn room_details(room_id: String) -> Result<ChatRoom, AppError> {
    let caller = super::ssr::caller()?;
    service::<dyn ChatService>()?.room(&caller, &room_id).await
}

/// A page of a room's messages, newest first.
#[server(prefix = "/api/fn", endpoint = "chat_messages", input = Json, client = BearerClient)]
pub async fn chat_messages(
    room_id: String,
    cursor: Option<String>,
) -> Result<MessagesResponse, AppError> {
    let caller = super::ssr::caller()?;
    service::<dyn ChatService>()?
        .messages(&caller, &room_id, None, cursor)
        .await
}

/// Sends a message.
#[server(prefix = "/api/fn", endpoint = "send_message", input = Json, client = BearerClient)]
pub async fn send_message(request: SendMessageRequest) -> Result<ChatMessage, AppError> {
    let caller = super::ssr::caller()?;
    service::<dyn ChatService>()?.send(&caller, request).await
}

/// Marks a room read up to a message.
#[server(prefix = "/api/fn", endpoint = "mark_read", input = Json, client = BearerClient)]
pub async fn mark_read(
    room_id: String,
    request: MarkReadRequest,
) -> Result<MarkReadResponse, AppError> {
    let caller = super::ssr::caller()?;
    service::<dyn ChatService>()?
        .mark_read(&caller, &room_id, request)
        .await
}

/// Leaves a room.
#[server(prefix = "/api/fn", endpoint = "leave_room", input = Json, client = BearerClient)]
pub async fn leave_room(room_id: String) -> Result<(), AppError> {
    let caller = super::ssr::caller()?;
    service::<dyn ChatService>()?.leave(&caller, &room_id).await
}

/// Adds someone to a room.
#[server(prefix = "/api/fn", endpoint = "add_member", input = Json, client = BearerClient)]
pub async fn add_member(room_id: String, request: AddMemberRequest) -> Result<ChatRoom, AppError> {
    let caller = super::ssr::caller()?;
    service::<dyn ChatService>()?
        .add_member(&caller, &room_id, request)
        .await
}

/// A ticket to open the live socket with.
#[server(prefix = "/api/fn", endpoint = "socket_ticket", input = Json, client = BearerClient)]
pub async fn socket_ticket() -> Result<SocketTicketResponse, AppError> {
    let caller = super::ssr::caller()?;
    service::<dyn ChatService>()?.socket_ticket(&caller).await
}
