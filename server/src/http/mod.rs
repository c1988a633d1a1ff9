//! The HTTP edge: routes parse input, call a service and map its answer to a response.
//!
//! - [`error`]: the one `IntoResponse` for [`app::error::AppError`].
//! - [`extract`]: `JsonBody`, `AuthUser` (the caller, authenticated once, before the body is
//!   read) and the session in the refresh cookie.
//! - [`cookies`]: what the refresh cookie looks like.
//! - [`middleware`]: request ids, security headers, CORS, the origin guard over
//!   `/api/auth`, the host guard (local) and the CloudFront secret check (AWS).
//! - [`throttle`]: the per-client-address budget for account attempts.
//! - [`metrics`]: latency and status class per route, as EMF lines on Lambda and
//!   `GET /api/metrics` locally.
//! - [`caching`]: entity tags, `Cache-Control` and `304` for the reads caches may serve.
//! - [`openapi`]: the REST document, generated from the annotated handlers.
//! - one file of routes per resource ([`accounts`], [`posts`], [`comments`], [`chat`], [`media`], [`flags`],
//!   [`health`], [`dev_mailbox`]), the server functions ([`server_fns`]) and the SPA's static
//!   files ([`site`]).

pub mod accounts;
pub mod caching;
pub mod chat;
pub mod comments;
pub mod cookies;
pub mod dev_mailbox;
pub mod error;
pub mod extract;
pub mod flags;
pub mod health;
pub mod media;
pub mod metrics;
pub mod middleware;
pub mod openapi;
pub mod posts;
pub mod server_fns;
pub mod site;
pub mod throttle;

use std::sync::Arc;

use app::{
    error::AppError,
    services::{
        AccountService, ChatService, CommentService, FlagService, MediaService, PostService,
    },
};
use axum::{
    Router,
    routing::{any, post},
};
use utoipa_axum::{router::OpenApiRouter, routes};

pub use error::ApiError;
pub use media::LocalMedia;
pub use middleware::CONTENT_SECURITY_POLICY;

use crate::{
    auth::Authenticator,
    configuration::{Backend, Settings},
    ports::{Clock, ConnectionRegistry, DevMailbox, SocketHub},
};

/// What every handler may need: the services behind their interfaces, the authenticator,
/// and how long the refresh cookie lives. No adapter type appears here.
#[derive(Clone)]
pub struct AppState {
    /// `"local"` or `"aws"`, reported by `/api/health`.
    pub mode: &'static str,
    /// Where each request's latency and status go: EMF on Lambda, Prometheus locally.
    pub metrics: Arc<metrics::RequestMetrics>,
    /// Accounts and sessions, on Cognito or the local identity provider.
    pub accounts: Arc<dyn AccountService>,
    /// The board.
    pub posts: Arc<dyn PostService>,
    /// Comments under posts.
    pub comments: Arc<dyn CommentService>,
    /// Chat rooms.
    pub chat: Arc<dyn ChatService>,
    /// Uploads, pictures and profile pictures.
    pub media: Arc<dyn MediaService>,
    /// Feature flags as they apply to a caller.
    pub flags: Arc<dyn FlagService>,
    /// The embedded default's upload receiver and picture folder; `None` on AWS, where S3
    /// and CloudFront do both.
    pub local_media: Option<LocalMedia>,
    /// The embedded default's in-process sockets; `None` on AWS.
    pub sockets: Option<Arc<dyn SocketHub>>,
    /// API Gateway's WebSocket connections; `None` locally.
    pub connections: Option<Arc<dyn ConnectionRegistry>>,
    /// The time, for edges that stamp things (connection expiry).
    pub clock: Arc<dyn Clock>,
    /// Turns a bearer token into a caller.
    pub authenticator: Arc<dyn Authenticator>,
    /// The refresh cookie's lifetime.
    pub refresh_cookie: cookies::RefreshCookie,
    /// The local provider's dev mailbox; present only in local mode.
    pub dev_mailbox: Option<Arc<dyn DevMailbox>>,
}

/// The whole edge both runtimes serve: the API, then the SPA for every other path, with the
/// layers the settings call for.
pub fn router(state: AppState, settings: &Settings) -> Router {
    let local_pictures = state
        .local_media
        .as_ref()
        .map(|local| local.served_dir.clone());
    let api = throttle::limit_account_attempts(api_router(state, settings), settings.auth_attempts);
    let api = middleware::with_cors(api, &settings.allowed_origins);
    let pictures = local_pictures.map(|dir| media::served_pictures(&dir));
    let edge = api
        .merge(pictures.unwrap_or_default())
        .merge(site::router(&settings.site_dir));
    let edge = match &settings.backend {
        Backend::Local { local_hosts, .. } => {
            middleware::with_compression(middleware::guard_host(edge, local_hosts))
        }
        Backend::Aws(aws) => match &aws.origin_verify_secret {
            Some(secret) => middleware::guard_cloudfront_secret(edge, secret),
            None => edge,
        },
    };
    middleware::with_request_ids(middleware::with_security_headers(edge))
}

/// The documented REST routes, in the groups that take different layers. The router and
/// the OpenAPI document are both read from this one value.
struct RestRoutes {
    /// Under `/api/auth`: they read or set the refresh cookie, behind the origin guard.
    cookie: OpenApiRouter<AppState>,
    /// Everything else that both modes serve.
    open: OpenApiRouter<AppState>,
    /// Only where the local identity provider keeps a mailbox.
    mailbox: OpenApiRouter<AppState>,
}

impl RestRoutes {
    fn into_openapi(self) -> utoipa::openapi::OpenApi {
        let mut document = self.cookie.into_openapi();
        document.merge(self.open.into_openapi());
        document.merge(self.mailbox.into_openapi());
        document
    }
}

fn rest_routes() -> RestRoutes {
    RestRoutes {
        cookie: accounts::cookie_routes(),
        open: OpenApiRouter::new()
            .merge(health::router())
            .merge(flags::router())
            .merge(accounts::router())
            .merge(posts::router())
            .merge(comments::router())
            .merge(chat::router())
            .merge(media::router())
            .merge(metrics::router())
            .routes(routes!(openapi::serve_document)),
        mailbox: dev_mailbox::router(),
    }
}

/// The API under `/api`: JSON in, JSON out, and a JSON 404 for anything unknown so an API
/// client never receives the SPA's HTML. Everything under `/api/auth` (the routes that set
/// or read the refresh cookie) sits behind the origin guard.
fn api_router(state: AppState, settings: &Settings) -> Router {
    let unknown_route = any(|| async {
        ApiError(AppError::not_found(
            "There is no API route at this address.",
        ))
    });
    let RestRoutes {
        cookie,
        open,
        mailbox,
    } = rest_routes();
    let cookie_routes =
        Router::from(cookie).route("/api/auth/fn/{*fn_name}", post(server_fns::handle));
    let mut routes = Router::from(open)
        .route("/api/fn/{*fn_name}", post(server_fns::handle))
        .merge(middleware::guard_origin(
            cookie_routes,
            middleware::SiteOrigins {
                public: settings.public_origin.clone(),
                allowed: settings.allowed_origins.clone(),
            },
        ));
    if state.dev_mailbox.is_some() {
        routes = routes.merge(Router::from(mailbox));
    }
    let routes = metrics::measured(routes, Arc::clone(&state.metrics));
    let local_uploads = state
        .local_media
        .as_ref()
        .map(|local| local.uploads.clone());
    let routes = routes
        .route("/api", unknown_route.clone())
        .route("/api/{*rest}", unknown_route)
        .method_not_allowed_fallback(|| async { ApiError(AppError::method_not_allowed()) })
        .with_state(state);
    match local_uploads {
        Some(uploads) => routes.merge(media::local_upload_router(uploads)),
        None => routes,
    }
}
