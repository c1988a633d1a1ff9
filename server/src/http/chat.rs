//! Chat at the HTTP edge: the reference chat service's routes (`POST /api/chats/send`,
//! `GET /api/chats/rooms/{roomId}/messages`, `GET /api/chats/rooms/{roomId}`), rooms, read
//! marks, socket tickets, and (embedded default only) the WebSocket itself at
//! `/api/chats/ws`. Every answer carries `success`, as the reference's do: errors keep
//! Boardwalk's shape and add `"success": false`.

use app::{
    dto::{
        AddMemberRequest, ChatOk, CreateRoomRequest, MarkReadRequest, RoomResponse,
        SendMessageRequest, SendMessageResponse,
    },
    error::AppError,
};
use axum::{
    Json, Router,
    body::{Body, to_bytes},
    extract::{
        Request, State,
        ws::{Message, WebSocket, WebSocketUpgrade},
    },
    http::header::CONTENT_LENGTH,
    middleware::{self, Next},
    response::{IntoResponse, Response},
    routing::{get, post},
};
use serde::Deserialize;

use super::{
    ApiError, AppState,
    extract::{ApiPath, ApiQuery, AuthUser, JsonBody, PageQuery},
};
use crate::ports::Subscription;

/// The chat routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/chats/send", post(send))
        .route("/api/chats/rooms", get(my_rooms).post(create_room))
        .route("/api/chats/rooms/{room_id}", get(room))
        .route("/api/chats/rooms/{room_id}/messages", get(messages))
        .route("/api/chats/rooms/{room_id}/read", post(mark_read))
        .route("/api/chats/rooms/{room_id}/leave", post(leave))
        .route("/api/chats/rooms/{room_id}/members", post(add_member))
        .route("/api/chats/socket", post(socket_ticket))
        .route("/api/chats/ws", get(socket))
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

async fn my_rooms(
    State(state): State<AppState>,
    AuthUser(caller): AuthUser,
) -> Result<Response, ApiError> {
    Ok(Json(state.chat.my_rooms(&caller).await?).into_response())
}

async fn create_room(
    State(state): State<AppState>,
    AuthUser(caller): AuthUser,
    JsonBody(body): JsonBody<CreateRoomRequest>,
) -> Result<Response, ApiError> {
    let room = state.chat.create_room(&caller, body).await?;
    Ok(Json(room_response(room)).into_response())
}

async fn room(
    State(state): State<AppState>,
    AuthUser(caller): AuthUser,
    ApiPath(room_id): ApiPath<String>,
) -> Result<Response, ApiError> {
    let room = state.chat.room(&caller, &room_id).await?;
    Ok(Json(room_response(room)).into_response())
}

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

async fn mark_read(
    State(state): State<AppState>,
    AuthUser(caller): AuthUser,
    ApiPath(room_id): ApiPath<String>,
    JsonBody(body): JsonBody<MarkReadRequest>,
) -> Result<Response, ApiError> {
    Ok(Json(state.chat.mark_read(&caller, &room_id, body).await?).into_response())
}

async fn leave(
    State(state): State<AppState>,
    AuthUser(caller): AuthUser,
    ApiPath(room_id): ApiPath<String>,
) -> Result<Response, ApiError> {
    state.chat.leave(&caller, &room_id).await?;
    Ok(Json(ChatOk { success: true }).into_response())
}

async fn add_member(
    State(state): State<AppState>,
    AuthUser(caller): AuthUser,
    ApiPath(room_id): ApiPath<String>,
    JsonBody(body): JsonBody<AddMemberRequest>,
) -> Result<Response, ApiError> {
    let room = state.chat.add_member(&caller, &room_id, body).await?;
    Ok(Json(room_response(room)).into_response())
}

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
async fn socket(
    State(state): State<AppState>,
    ApiQuery(query): ApiQuery<TicketQuery>,
    upgrade: WebSocketUpgrade,
) -> Result<Response, ApiError> {
    let hub = state
        .sockets
        .clone()
        .ok_or_else(|| AppError::not_found("Sockets are served by the WebSocket API here."))?;
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
