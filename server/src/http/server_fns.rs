//! Leptos server functions under `/api/fn/…`, given the services as context.

use std::sync::Arc;

use app::{
    error::AppError,
    services::{AccountService, PostService},
};
use axum::{
    body::{Body, to_bytes},
    extract::{Request, State},
    http::header::CONTENT_TYPE,
    response::{IntoResponse, Response},
};
use leptos::prelude::provide_context;
use leptos_axum::handle_server_fns_with_context;

use super::{ApiError, AppState};

/// Marks a server function's error response (set by `server_fn`).
const SERVER_FN_ERROR: &str = "serverfnerror";

/// Largest error body read back to find its status; errors are a few hundred bytes.
const ERROR_BODY_LIMIT: usize = 16 * 1024;

/// Runs the requested server function with the services in its context. Every Boardwalk
/// server function takes JSON, so any other body is refused before it runs.
pub async fn handle(State(state): State<AppState>, request: Request) -> Response {
    if server_fn::axum::get_server_fn_service(request.uri().path(), request.method().clone())
        .is_none()
    {
        return ApiError(AppError::not_found(
            "There is no server function at this address.",
        ))
        .into_response();
    }
    if !is_json(&request) {
        return ApiError(AppError::unsupported_media_type()).into_response();
    }
    let services = move || {
        provide_context(state.visits.clone());
        provide_context::<Arc<dyn AccountService>>(state.accounts.clone());
        provide_context::<Arc<dyn PostService>>(state.posts.clone());
    };
    let response = handle_server_fns_with_context(services, request)
        .await
        .into_response();
    with_error_status(response).await
}

fn is_json(request: &Request) -> bool {
    request
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.split(';').next())
        .is_some_and(|mime| mime.trim().eq_ignore_ascii_case("application/json"))
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
