//! Chat at the HTTP edge: the reference chat service's routes (`POST /api/chats/send`,
//! `GET /api/chats/rooms/{roomId}/messages`, `GET /api/chats/rooms/{roomId}`), rooms, read
//! marks, socket tickets, and (embedded default only) the WebSocket itself at
//! `/api/chats/ws`. Every answer carries `success`, as the reference's do: errors keep
//! Boardwalk's shape and add `"success": false`.

use app::{
    dto::{
        AddMemberRequest, ChatOk, CreateRoomRequest, MarkReadRequest, MarkReadResponse,
        MessagesResponse, RoomResponse, RoomsResponse, SendMessageRequest, SendMessageResponse,
        SocketTicketResponse,
    },
    error::AppError,
};
use axum::{
    Json,
    body::{Body, to_bytes},
    extract::{
        Request, State,
        ws::{Message, WebSocket, WebSocketUpgrade, rejection::WebSocketUpgradeRejection},
    },
    http::header::CONTENT_LENGTH,
    middleware::{self, Next},
    response::{IntoResponse, Response},
};
use serde::Deserialize;

use super::{
    ApiError, AppState,
    extract::{ApiPath, ApiQuery, AuthUser, JsonBody, PageQuery},
    openapi::{
        BadRequest, Conflict, Forbidden, NotFound, NotJson, TooLarge, Unauthorized, Unavailable,
    },
};
use crate::ports::Subscription;
use utoipa_axum::{router::OpenApiRouter, routes};

/// The chat routes.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(send))
        .routes(routes!(my_rooms, create_room))
        .routes(routes!(room))
        .routes(routes!(messages))
        .routes(routes!(mark_read))
        .routes(routes!(leave))
        .routes(routes!(add_member))
        .routes(routes!(socket_ticket))
        .routes(routes!(socket))
        .layer(middleware::from_fn(with_success_false))
}

/// Largest error body rewritten; errors are a few hundred bytes.
const ERROR_BODY_LIMIT: usize = 64 * 1024;

/// Adds `"success": false` to every error answer, including extractor refusals (a missing
/// token, a malformed body), as the reference chat service's clients expect.
async fn with_success_false(request: Request, next: Next) -> Response {
    let response = next.run(request).await;
    if response.status().is_success() || response.status().is_informational() {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let Ok(bytes) = to_bytes(body, ERROR_BODY_LIMIT).await else {
        return ApiError(AppError::internal()).into_response();
    };
    let body = match serde_json::from_slice::<serde_json::Value>(&bytes) {
        Ok(serde_json::Value::Object(mut error)) => {
            error.insert("success".into(), false.into());
            serde_json::to_vec(&error).unwrap_or_else(|_| bytes.to_vec())
        }
        _ => bytes.to_vec(),
    };
    parts.headers.remove(CONTENT_LENGTH);
    Response::from_parts(parts, Body::from(body))
}

fn room_response(room: app::dto::ChatRoom) -> RoomResponse {
    RoomResponse {
        success: true,
        fields: room.clone(),
        room,
    }
}

/// Sends a message to a room the caller is in.
#[utoipa::path(post,
    path = "/api/chats/send",
    operation_id = "sendMessage", tag = "chat",
    security(("bearer" = [])),
    request_body = SendMessageRequest,
    responses(
        (status = 200, description = "Stored and delivered to everyone connected.", body = SendMessageResponse),
        BadRequest, Unauthorized, Forbidden, NotFound, TooLarge, NotJson, Unavailable,
    ),
)]
async fn send(
    State(state): State<AppState>,
    AuthUser(caller): AuthUser,
    JsonBody(body): JsonBody<SendMessageRequest>,
) -> Result<Response, ApiError> {
    let message = state.chat.send(&caller, body).await?;
    Ok(Json(SendMessageResponse {
        success: true,
        message,
    })
    .into_response())
}

/// The caller's rooms, most recent first, with unread counts.
#[utoipa::path(get,
    path = "/api/chats/rooms",
    operation_id = "listRooms", tag = "chat",
    security(("bearer" = [])),
    responses((status = 200, description = "The rooms.", body = RoomsResponse), Unauthorized, NotFound, Unavailable),
)]
async fn my_rooms(
    State(state): State<AppState>,
    AuthUser(caller): AuthUser,
) -> Result<Response, ApiError> {
    Ok(Json(state.chat.my_rooms(&caller).await?).into_response())
}

/// Opens a room with the people named (a direct room for one, a named group for more); a
/// direct room that exists already is returned as it is.
#[utoipa::path(post,
    path = "/api/chats/rooms",
    operation_id = "createRoom", tag = "chat",
    security(("bearer" = [])),
    request_body = CreateRoomRequest,
    responses(
        (status = 200, description = "The room.", body = RoomResponse),
        BadRequest, Unauthorized, NotFound, Conflict, TooLarge, NotJson, Unavailable,
    ),
)]
async fn create_room(
    State(state): State<AppState>,
    AuthUser(caller): AuthUser,
    JsonBody(body): JsonBody<CreateRoomRequest>,
) -> Result<Response, ApiError> {
    let room = state.chat.create_room(&caller, body).await?;
    Ok(Json(room_response(room)).into_response())
}

/// One of the caller's rooms.
#[utoipa::path(get,
    path = "/api/chats/rooms/{room_id}",
    operation_id = "readRoom", tag = "chat",
    security(("bearer" = [])),
    params(("room_id" = String, Path, description = "The room's id.")),
    responses((status = 200, description = "The room.", body = RoomResponse), BadRequest, Unauthorized, NotFound, Unavailable),
)]
async fn room(
    State(state): State<AppState>,
    AuthUser(caller): AuthUser,
    ApiPath(room_id): ApiPath<String>,
) -> Result<Response, ApiError> {
    let room = state.chat.room(&caller, &room_id).await?;
    Ok(Json(room_response(room)).into_response())
}

/// A page of a room's messages, newest first.
#[utoipa::path(get,
    path = "/api/chats/rooms/{room_id}/messages",
    operation_id = "listMessages", tag = "chat",
    security(("bearer" = [])),
    params(("room_id" = String, Path, description = "The room's id."), PageQuery),
    responses((status = 200, description = "The messages.", body = MessagesResponse), BadRequest, Unauthorized, NotFound, Unavailable),
)]
async fn messages(
    State(state): State<AppState>,
    AuthUser(caller): AuthUser,
    ApiPath(room_id): ApiPath<String>,
    ApiQuery(query): ApiQuery<PageQuery>,
) -> Result<Response, ApiError> {
    let limit = query.limit()?;
    let page = state
        .chat
        .messages(&caller, &room_id, limit, query.cursor)
        .await?;
    Ok(Json(page).into_response())
}

/// Marks the room read up to a message, for the unread counts.
#[utoipa::path(post,
    path = "/api/chats/rooms/{room_id}/read",
    operation_id = "markRead", tag = "chat",
    security(("bearer" = [])),
    params(("room_id" = String, Path, description = "The room's id.")),
    request_body = MarkReadRequest,
    responses(
        (status = 200, description = "Marked.", body = MarkReadResponse),
        BadRequest, Unauthorized, NotFound, TooLarge, NotJson, Unavailable,
    ),
)]
async fn mark_read(
    State(state): State<AppState>,
    AuthUser(caller): AuthUser,
    ApiPath(room_id): ApiPath<String>,
    JsonBody(body): JsonBody<MarkReadRequest>,
) -> Result<Response, ApiError> {
    Ok(Json(state.chat.mark_read(&caller, &room_id, body).await?).into_response())
}

/// Leaves a room; the others stay.
#[utoipa::path(post,
    path = "/api/chats/rooms/{room_id}/leave",
    operation_id = "leaveRoom", tag = "chat",
    security(("bearer" = [])),
    params(("room_id" = String, Path, description = "The room's id.")),
    responses((status = 200, description = "Left.", body = ChatOk), BadRequest, Unauthorized, NotFound, Unavailable),
)]
async fn leave(
    State(state): State<AppState>,
    AuthUser(caller): AuthUser,
    ApiPath(room_id): ApiPath<String>,
) -> Result<Response, ApiError> {
    state.chat.leave(&caller, &room_id).await?;
    Ok(Json(ChatOk { success: true }).into_response())
}

/// Adds someone to a group room the caller is in.
#[utoipa::path(post,
    path = "/api/chats/rooms/{room_id}/members",
    operation_id = "addMember", tag = "chat",
    security(("bearer" = [])),
    params(("room_id" = String, Path, description = "The room's id.")),
    request_body = AddMemberRequest,
    responses(
        (status = 200, description = "The room with its new member.", body = RoomResponse),
        BadRequest, Unauthorized, Forbidden, NotFound, Conflict, TooLarge, NotJson, Unavailable,
    ),
)]
async fn add_member(
    State(state): State<AppState>,
    AuthUser(caller): AuthUser,
    ApiPath(room_id): ApiPath<String>,
    JsonBody(body): JsonBody<AddMemberRequest>,
) -> Result<Response, ApiError> {
    let room = state.chat.add_member(&caller, &room_id, body).await?;
    Ok(Json(room_response(room)).into_response())
}

/// A single-use ticket, valid for a minute, to open the live socket with.
#[utoipa::path(post,
    path = "/api/chats/socket",
    operation_id = "socketTicket", tag = "chat",
    security(("bearer" = [])),
    responses((status = 200, description = "The ticket and the socket's address.", body = SocketTicketResponse), Unauthorized, NotFound, Unavailable),
)]
async fn socket_ticket(
    State(state): State<AppState>,
    AuthUser(caller): AuthUser,
) -> Result<Response, ApiError> {
    Ok(Json(state.chat.socket_ticket(&caller).await?).into_response())
}

#[derive(Deserialize)]
struct TicketQuery {
    ticket: String,
}

/// The embedded default's WebSocket: a valid ticket opens a socket that receives the
/// person's chat events. On AWS the WebSocket API serves sockets instead, so this is a 404.
#[utoipa::path(get,
    path = "/api/chats/ws",
    operation_id = "openSocket", tag = "chat",
    params(("ticket" = String, Query, description = "From `POST /api/chats/socket`.")),
    responses(
        (status = 101, description = "Upgraded; chat events follow as JSON text frames."),
        BadRequest,
        (status = 401, description = "The ticket is unknown, used or expired.", body = AppError),
        (status = 404, description = "Chat is off, or this is AWS, where the WebSocket API serves sockets.", body = AppError),
        Unavailable,
    ),
)]
async fn socket(
    State(state): State<AppState>,
    ApiQuery(query): ApiQuery<TicketQuery>,
    upgrade: Result<WebSocketUpgrade, WebSocketUpgradeRejection>,
) -> Result<Response, ApiError> {
    let hub = state
        .sockets
        .clone()
        .ok_or_else(|| AppError::not_found("Sockets are served by the WebSocket API here."))?;
    let upgrade = upgrade.map_err(|_| {
        AppError::bad_request("This address opens a WebSocket; send an upgrade request.")
    })?;
    let caller = state.chat.open_socket(&query.ticket).await?;
    let subscription = hub.attach(&caller.sub);
    Ok(upgrade.on_upgrade(move |socket| relay(socket, subscription)))
}

/// Forwards events to the socket until either side closes.
async fn relay(mut socket: WebSocket, mut subscription: Subscription) {
    loop {
        tokio::select! {
            event = subscription.events.recv() => {
                let Some(payload) = event else { break };
                if socket.send(Message::Text(payload.into())).await.is_err() {
                    break;
                }
            }
            incoming = socket.recv() => match incoming {
                Some(Ok(Message::Close(_)) | Err(_)) | None => break,
                Some(Ok(_)) => {}
            },
        }
    }
}
