//! The HTTP edge: routes parse input, call a service and map its answer to a response. The
//! mapping from [`AppError`] to a status happens here and nowhere else.

pub mod accounts;
mod health;
pub mod posts;
mod rest_accounts;
mod rest_posts;
mod server_fns;
pub mod site;

use std::{sync::Arc, time::Duration};

use app::{error::AppError, services::VisitService};

use crate::{adapters::local_idp::LocalIdentityProvider, configuration::Origin};
use accounts::Accounts;
use axum::{
    Json, Router,
    http::{HeaderName, HeaderValue, Method, Request, StatusCode, header},
    response::{IntoResponse, Response},
    routing::{any, get, post},
};
use posts::Posts;
use tower_http::{
    cors::{AllowOrigin, CorsLayer},
    request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer},
    set_header::SetResponseHeaderLayer,
    trace::{DefaultOnResponse, TraceLayer},
};
use tracing::Level;

/// The header that carries a request's id to the client and through every log line.
pub const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// What every handler may need: the services, behind their interfaces.
#[derive(Clone)]
pub struct AppState {
    /// `"local"` or `"aws"`, reported by `/api/health`.
    pub mode: &'static str,
    /// Counts home-page visits.
    pub visits: Arc<dyn VisitService>,
    /// Accounts and sessions, on Cognito or the local identity provider.
    pub accounts: Arc<Accounts>,
    /// The board.
    pub posts: Arc<Posts>,
    /// The local provider's dev mailbox; present only in local mode.
    pub dev_mailbox: Option<LocalIdentityProvider>,
}

/// The API under `/api`: JSON in, JSON out, and a JSON 404 for anything unknown so an API
/// client never receives the SPA's HTML.
pub fn api_router(state: AppState) -> Router {
    let unknown_route = any(|| async {
        ApiError(AppError::not_found(
            "There is no API route at this address.",
        ))
    });
    Router::new()
        .route("/api/health", get(health::health))
        .route("/api/fn/{*fn_name}", post(server_fns::handle))
        .route("/api/auth/fn/{*fn_name}", post(server_fns::handle))
        .merge(rest_accounts::router(&state))
        .merge(rest_posts::router())
        .route("/api", unknown_route.clone())
        .route("/api/{*rest}", unknown_route)
        .method_not_allowed_fallback(|| async { ApiError(AppError::method_not_allowed()) })
        .with_state(state)
}

/// Lets the configured other origins call the API with credentials; the SPA itself is
/// same-origin and needs no CORS. With no origins configured nothing is added, so no
/// `Access-Control-*` header is ever sent.
pub fn with_cors(router: Router, allowed_origins: &[Origin]) -> Router {
    let origins: Vec<HeaderValue> = allowed_origins
        .iter()
        .filter_map(|origin| HeaderValue::from_str(origin.as_ref()).ok())
        .collect();
    if origins.is_empty() {
        return router;
    }
    router.layer(
        CorsLayer::new()
            .allow_origin(AllowOrigin::list(origins))
            .allow_credentials(true)
            .allow_methods([Method::GET, Method::POST, Method::PUT, Method::DELETE])
            .allow_headers([header::CONTENT_TYPE, header::AUTHORIZATION])
            .expose_headers([REQUEST_ID, rest_posts::NEXT_CURSOR])
            .max_age(Duration::from_secs(600)),
    )
}

/// The Content-Security-Policy CloudFront sends (infra/template.yaml, checked equal by the
/// infra tests): scripts only from this origin, WebAssembly allowed to compile, no inline
/// script or style, no framing.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; \
     style-src 'self'; img-src 'self' data:; connect-src 'self'; font-src 'self'; \
     object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'";

/// Sends the security headers CloudFront's response headers policy sends, so the local
/// server behaves like production and the browser tests run under the real CSP. (HSTS is
/// left to CloudFront: the local server speaks plain HTTP.)
pub fn with_security_headers(router: Router) -> Router {
    let headers = [
        (header::CONTENT_SECURITY_POLICY, CONTENT_SECURITY_POLICY),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::X_FRAME_OPTIONS, "DENY"),
        (header::REFERRER_POLICY, "strict-origin-when-cross-origin"),
    ];
    headers.into_iter().fold(router, |router, (name, value)| {
        router.layer(SetResponseHeaderLayer::overriding(
            name,
            HeaderValue::from_static(value),
        ))
    })
}

/// Adds a request id to every request (kept if the client sent one), a tracing span that
/// carries it, and the same id on every response.
pub fn with_request_ids(router: Router) -> Router {
    router
        .layer(PropagateRequestIdLayer::new(REQUEST_ID))
        .layer(
            TraceLayer::new_for_http()
                .on_response(DefaultOnResponse::new().level(Level::INFO))
                .make_span_with(|request: &Request<_>| {
                    let request_id = request
                        .headers()
                        .get(REQUEST_ID)
                        .and_then(|id| id.to_str().ok())
                        .unwrap_or_default();
                    tracing::info_span!(
                        "request",
                        method = %request.method(),
                        path = %request.uri().path(),
                        request_id,
                    )
                }),
        )
        .layer(SetRequestIdLayer::new(REQUEST_ID, MakeRequestUuid))
}

/// An [`AppError`] on its way out: the status comes from its code.
pub struct ApiError(pub AppError);

impl From<AppError> for ApiError {
    fn from(error: AppError) -> Self {
        Self(error)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status =
            StatusCode::from_u16(self.0.code.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let retry_after = self
            .0
            .retry_after_secs
            .map(|secs| [(header::RETRY_AFTER, secs.to_string())]);
        (status, retry_after, Json(self.0)).into_response()
    }
}
