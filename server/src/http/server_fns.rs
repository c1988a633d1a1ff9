//! Leptos server functions under `/api/fn/…` and `/api/auth/fn/…`, given the services and
//! what the edge learned about the request (the caller, the cookie's session) as context.

use std::sync::{Arc, Mutex};

use app::{
    error::AppError,
    services::{
        AccountService, ChatService, CommentService, FlagService, MediaService, PostService,
        RequestContext, SessionCookie,
    },
};
use axum::{
    body::{Body, to_bytes},
    extract::{Request, State},
    http::header::SET_COOKIE,
    response::{IntoResponse, Response},
};
use http_body_util::LengthLimitError;
use leptos::prelude::provide_context;
use leptos_axum::handle_server_fns_with_context;

use super::{ApiError, AppState, cookies, extract};

/// Marks a server function's error response (set by `server_fn`).
const SERVER_FN_ERROR: &str = "serverfnerror";

/// Largest error body read back to find its status. Most are a few hundred bytes, but a
/// 409 carries the current post: 20,000 characters of up to four bytes, plus escapes.
const ERROR_BODY_LIMIT: usize = 1024 * 1024;

/// Runs the requested server function with the services in its context. Every Boardwalk
/// server function takes JSON, so any other body is refused before it runs. The caller is
/// authenticated here, once, from the bearer token; functions that need one read it.
pub async fn handle(State(state): State<AppState>, request: Request) -> Response {
    if server_fn::axum::get_server_fn_service(request.uri().path(), request.method().clone())
        .is_none()
    {
        return ApiError(AppError::not_found(
            "There is no server function at this address.",
        ))
        .into_response();
    }
    if !extract::is_json(request.headers()) {
        return ApiError(AppError::unsupported_media_type()).into_response();
    }
    let request = match within_body_limit(request).await {
        Ok(request) => request,
        Err(refusal) => return ApiError(refusal).into_response(),
    };
    let session_cookie = Arc::new(Mutex::new(SessionCookie::Unchanged));
    let context = RequestContext {
        caller: extract::authenticate(request.headers(), state.authenticator.as_ref()).await,
        anonymous: !request
            .headers()
            .contains_key(axum::http::header::AUTHORIZATION),
        session: cookies::session_from(request.headers()),
        session_cookie: Arc::clone(&session_cookie),
    };
    let services = {
        let state = state.clone();
        move || {
            provide_context::<Arc<dyn AccountService>>(state.accounts.clone());
            provide_context::<Arc<dyn PostService>>(state.posts.clone());
            provide_context::<Arc<dyn CommentService>>(state.comments.clone());
            provide_context::<Arc<dyn ChatService>>(state.chat.clone());
            provide_context::<Arc<dyn MediaService>>(state.media.clone());
            provide_context::<Arc<dyn FlagService>>(state.flags.clone());
            provide_context(context.clone());
        }
    };
    let response = handle_server_fns_with_context(services, request)
        .await
        .into_response();
    let mut response = with_error_status(response).await;
    let change = session_cookie
        .lock()
        .map(|change| change.clone())
        .unwrap_or_default();
    if let Some(cookie) = state
        .refresh_cookie
        .set_cookie(&change)
        .and_then(|cookie| cookie.parse().ok())
    {
        response.headers_mut().append(SET_COOKIE, cookie);
    }
    response
}

/// The request with its body read up to [`extract::MAX_BODY_BYTES`]: a larger one is a 413
/// (the framework would only see a truncated body and call it malformed).
async fn within_body_limit(request: Request) -> Result<Request, AppError> {
    let (parts, body) = request.into_parts();
    let bytes = to_bytes(body, extract::MAX_BODY_BYTES)
        .await
        .map_err(|err| {
            let too_large = std::error::Error::source(&err)
                .is_some_and(|source| source.is::<LengthLimitError>());
            if too_large {
                AppError::payload_too_large()
            } else {
                AppError::bad_request("The request body could not be read.")
            }
        })?;
    Ok(Request::from_parts(parts, Body::from(bytes)))
}

/// `server_fn` answers every error with 500; this gives it the status of its error code, so
/// server functions and REST routes report the same failure the same way.
async fn with_error_status(response: Response) -> Response {
    if !response.headers().contains_key(SERVER_FN_ERROR) {
        return response;
    }
    let (parts, body) = response.into_parts();
    let error = match to_bytes(body, ERROR_BODY_LIMIT).await {
        Ok(bytes) => serde_json::from_slice(&bytes).unwrap_or_else(|_| AppError::internal()),
        Err(_) => AppError::internal(),
    };
    let mut mapped = ApiError(error).into_response();
    if let Some(marker) = parts.headers.get(SERVER_FN_ERROR) {
        mapped.headers_mut().insert(SERVER_FN_ERROR, marker.clone());
    }
    mapped.map(Body::new)
}
