//! Layers around the Router: request ids and their log span, the security headers CloudFront
//! sends, CORS for configured origins, and the origin guard on cookie-authenticated calls.

use std::{sync::Arc, time::Duration};

use app::error::AppError;
use axum::{
    Router,
    extract::{Request, State},
    http::{HeaderMap, HeaderName, HeaderValue, Method, header},
    middleware::{self, Next},
    response::{IntoResponse, Response},
};
use tower_http::{
    cors::{AllowOrigin, CorsLayer},
    request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer},
    set_header::SetResponseHeaderLayer,
    trace::{DefaultOnResponse, TraceLayer},
};
use tracing::Level;

use super::{ApiError, AppState, posts::NEXT_CURSOR};
use crate::configuration::Origin;

/// The header that carries a request's id to the client and through every log line.
pub const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// The Content-Security-Policy CloudFront sends (infra/template.yaml, checked equal by the
/// infra tests): scripts only from this origin, WebAssembly allowed to compile, no inline
/// script or style, no framing.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; \
     style-src 'self'; img-src 'self' data:; connect-src 'self'; font-src 'self'; \
     object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'";

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
            .expose_headers([REQUEST_ID, NEXT_CURSOR])
            .max_age(Duration::from_secs(600)),
    )
}

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

/// Guards the routes that read or set the refresh cookie (everything under `/api/auth`):
/// a browser request must come from this site or an allowed origin.
pub fn guard_origin(routes: Router<AppState>, allowed_origins: &[Origin]) -> Router<AppState> {
    let allowed: Arc<[Origin]> = allowed_origins.into();
    routes.layer(middleware::from_fn_with_state(allowed, origin_guard))
}

async fn origin_guard(
    State(allowed): State<Arc<[Origin]>>,
    request: Request,
    next: Next,
) -> Response {
    if comes_from_this_site(request.headers(), &allowed) {
        next.run(request).await
    } else {
        ApiError(AppError::forbidden(
            "This request did not come from Boardwalk.",
        ))
        .into_response()
    }
}

/// Browsers say where a request comes from in `Sec-Fetch-Site` and `Origin`; clients that
/// send neither are not browsers, so no cookie was sent on their behalf.
fn comes_from_this_site(headers: &HeaderMap, allowed: &[Origin]) -> bool {
    let value = |name: &str| headers.get(name).and_then(|value| value.to_str().ok());
    let origin = value("origin");
    let allowed = origin.is_some_and(|origin| {
        allowed
            .iter()
            .any(|allowed| allowed.as_ref() == origin.to_ascii_lowercase())
    });
    let same_origin = match value("sec-fetch-site") {
        Some(site) => site == "same-origin",
        None => match (origin, value("host")) {
            (Some(origin), Some(host)) => origin
                .split_once("://")
                .is_some_and(|(_, authority)| authority == host),
            (None, _) => true,
            (Some(_), None) => false,
        },
    };
    same_origin || allowed
}
