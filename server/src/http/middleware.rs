//! Layers around the Router: request ids and their log span, the security headers CloudFront
//! sends, CORS for configured origins, the origin guard on cookie-authenticated calls, and
//! who may reach the server at all (local: known host names; AWS: only through CloudFront).

use std::{sync::Arc, time::Duration};

use app::error::AppError;
use aws_lc_rs::constant_time::verify_slices_are_equal;
use axum::{
    Router,
    extract::{Request, State},
    http::{HeaderMap, HeaderName, HeaderValue, Method, header},
    middleware::{self, Next},
    response::{IntoResponse, Response},
};
use tower_http::{
    CompressionLevel,
    catch_panic::CatchPanicLayer,
    compression::CompressionLayer,
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
     style-src 'self'; img-src 'self' data: blob:; connect-src 'self'; font-src 'self'; \
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

/// Compresses responses with brotli or gzip, whichever the client accepts, as CloudFront
/// does in front of the Lambda (so only the local server needs it; on Lambda it would be
/// billed CPU). Pictures are already compressed and are left alone.
pub fn with_compression(router: Router) -> Router {
    router.layer(
        CompressionLayer::new()
            .br(true)
            .gzip(true)
            .quality(CompressionLevel::Default),
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

/// The header CloudFront adds to every request it forwards to the API, holding a secret the
/// function also knows: a request without it reached API Gateway directly.
pub const ORIGIN_VERIFY: HeaderName = HeaderName::from_static("x-origin-verify");

/// Longest client-supplied request id kept.
const MAX_REQUEST_ID_LEN: usize = 64;

/// Whether a client-supplied request id is safe to log and echo: short, and only characters
/// that cannot forge a log line or a header.
fn is_acceptable_request_id(id: &HeaderValue) -> bool {
    let bytes = id.as_bytes();
    !bytes.is_empty()
        && bytes.len() <= MAX_REQUEST_ID_LEN
        && bytes
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b':'))
}

/// Drops a client-supplied request id that is too long or holds odd characters, so a fresh
/// one is made instead.
async fn drop_unacceptable_request_id(mut request: Request) -> Request {
    if request
        .headers()
        .get(REQUEST_ID)
        .is_some_and(|id| !is_acceptable_request_id(id))
    {
        request.headers_mut().remove(REQUEST_ID);
    }
    request
}

/// Adds a request id to every request (kept if the client sent an acceptable one), a tracing
/// span that carries it, and the same id on every response. Inside the span, a handler that
/// panics answers `500` in the error shape, with the id, instead of dropping the connection.
pub fn with_request_ids(router: Router) -> Router {
    router
        .layer(CatchPanicLayer::custom(answer_panic))
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
                    let api_gateway_request_id =
                        super::metrics::api_gateway_request_id(request).unwrap_or_default();
                    tracing::info_span!(
                        "request",
                        method = %request.method(),
                        path = %request.uri().path(),
                        request_id,
                        api_gateway_request_id,
                    )
                }),
        )
        .layer(SetRequestIdLayer::new(REQUEST_ID, MakeRequestUuid))
        .layer(middleware::map_request(drop_unacceptable_request_id))
}

/// Local mode: answers only requests whose `Host` is one of `hosts`, so a web page that
/// points its own domain at 127.0.0.1 (DNS rebinding) cannot read anything.
pub fn guard_host(router: Router, hosts: &[String]) -> Router {
    let hosts: Arc<[String]> = hosts.into();
    router.layer(middleware::from_fn_with_state(hosts, host_guard))
}

async fn host_guard(State(hosts): State<Arc<[String]>>, request: Request, next: Next) -> Response {
    let known = request
        .headers()
        .get(header::HOST)
        .and_then(|host| host.to_str().ok())
        .map(host_name)
        .is_some_and(|name| hosts.contains(&name));
    if known {
        next.run(request).await
    } else {
        ApiError(AppError::misdirected()).into_response()
    }
}

/// `Host` without its port and IPv6 brackets, lower-cased.
fn host_name(host: &str) -> String {
    let name = match host.strip_prefix('[') {
        Some(bracketed) => bracketed.split(']').next().unwrap_or_default(),
        None => host.rsplit_once(':').map_or(host, |(name, _)| name),
    };
    name.to_ascii_lowercase()
}

/// AWS mode: refuses every request that does not carry CloudFront's secret origin header,
/// so nobody can call API Gateway directly and skip CloudFront's headers and WAF.
pub fn guard_cloudfront_secret(router: Router, secret: &str) -> Router {
    let secret: Arc<str> = secret.into();
    router.layer(middleware::from_fn_with_state(secret, cloudfront_guard))
}

async fn cloudfront_guard(
    State(secret): State<Arc<str>>,
    request: Request,
    next: Next,
) -> Response {
    let presented = request
        .headers()
        .get(ORIGIN_VERIFY)
        .map(HeaderValue::as_bytes)
        .unwrap_or_default();
    if verify_slices_are_equal(presented, secret.as_bytes()).is_ok() {
        next.run(request).await
    } else {
        ApiError(AppError::forbidden(
            "Reach Boardwalk through its site address.",
        ))
        .into_response()
    }
}

/// Which browser origins may use the refresh cookie: the site's own and the allowed ones.
#[derive(Debug, Clone)]
pub struct SiteOrigins {
    /// The site's origin as browsers see it; without one, `http://<Host>` (the local
    /// server speaks plain HTTP).
    pub public: Option<Origin>,
    /// Other origins configured on purpose.
    pub allowed: Vec<Origin>,
}

/// The answer to a panic: logged under the request's span, and a fixed `500` for the client.
fn answer_panic(panic: Box<dyn std::any::Any + Send>) -> Response {
    let detail = panic
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| panic.downcast_ref::<&str>().copied())
        .unwrap_or("(no message)");
    tracing::error!(detail, "a handler panicked");
    ApiError(AppError::internal()).into_response()
}

/// Guards the routes that read or set the refresh cookie (everything under `/api/auth`):
/// a browser request must come from this site or an allowed origin.
pub fn guard_origin(routes: Router<AppState>, origins: SiteOrigins) -> Router<AppState> {
    routes.layer(middleware::from_fn_with_state(
        Arc::new(origins),
        origin_guard,
    ))
}

async fn origin_guard(
    State(origins): State<Arc<SiteOrigins>>,
    request: Request,
    next: Next,
) -> Response {
    if comes_from_this_site(request.headers(), &origins) {
        next.run(request).await
    } else {
        ApiError(AppError::forbidden(
            "This request did not come from Boardwalk.",
        ))
        .into_response()
    }
}

/// Browsers say where a request comes from in `Sec-Fetch-Site` and `Origin`; clients that
/// send neither are not browsers, so no cookie was sent on their behalf. Origins are compared
/// whole (scheme, host and port): `http://site` is not `https://site`.
fn comes_from_this_site(headers: &HeaderMap, origins: &SiteOrigins) -> bool {
    let value = |name: &str| headers.get(name).and_then(|value| value.to_str().ok());
    let origin = value("origin").map(str::to_ascii_lowercase);
    let allowed = origin.as_deref().is_some_and(|origin| {
        origins
            .allowed
            .iter()
            .any(|allowed| allowed.as_ref() == origin)
    });
    let same_origin = match (value("sec-fetch-site"), origin.as_deref()) {
        (Some(site), _) => site == "same-origin",
        (None, None) => true,
        (None, Some(origin)) => match &origins.public {
            Some(public) => public.as_ref() == origin,
            None => value("host")
                .is_some_and(|host| origin == format!("http://{}", host.to_ascii_lowercase())),
        },
    };
    same_origin || allowed
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        pairs
            .iter()
            .map(|(name, value)| (HeaderName::from_static(name), value.parse().unwrap()))
            .collect()
    }

    fn origins(public: Option<&str>) -> SiteOrigins {
        SiteOrigins {
            public: public.map(|origin| Origin::parse(origin).unwrap()),
            allowed: vec![Origin::parse("https://app.example.com").unwrap()],
        }
    }

    #[tokio::test]
    async fn a_panicking_handler_answers_500_in_the_error_shape_with_its_request_id() {
        use tower::ServiceExt;
        async fn boom() -> &'static str {
            panic!("a bug")
        }
        let router = with_request_ids(Router::new().route("/boom", axum::routing::get(boom)));
        let response = router
            .oneshot(
                Request::get("/boom")
                    .body(axum::body::Body::empty())
                    .unwrap(),
            )
            .await
            .unwrap();
        assert_eq!(response.status(), 500);
        assert!(response.headers().contains_key(REQUEST_ID));
        let body = axum::body::to_bytes(response.into_body(), 4096)
            .await
            .unwrap();
        let error: AppError = serde_json::from_slice(&body).unwrap();
        assert_eq!(error.code, app::error::ErrorCode::Internal);
    }

    #[test]
    fn without_fetch_metadata_the_scheme_counts() {
        let local = origins(None);
        let host = ("host", "127.0.0.1:3000");
        assert!(comes_from_this_site(
            &headers(&[host, ("origin", "http://127.0.0.1:3000")]),
            &local
        ));
        assert!(!comes_from_this_site(
            &headers(&[host, ("origin", "https://127.0.0.1:3000")]),
            &local
        ));
    }

    #[test]
    fn behind_cloudfront_the_public_origin_is_the_site_not_the_host_header() {
        let cloud = origins(Some("https://d111.cloudfront.net"));
        let api_host = ("host", "abc.execute-api.eu-west-1.amazonaws.com");
        let from_site = headers(&[api_host, ("origin", "https://d111.cloudfront.net")]);
        let from_api_host = headers(&[
            api_host,
            ("origin", "https://abc.execute-api.eu-west-1.amazonaws.com"),
        ]);
        assert!(comes_from_this_site(&from_site, &cloud));
        assert!(!comes_from_this_site(&from_api_host, &cloud));
    }

    #[test]
    fn fetch_metadata_decides_when_present_and_allowed_origins_pass() {
        let any = origins(None);
        assert!(comes_from_this_site(
            &headers(&[("sec-fetch-site", "same-origin")]),
            &any
        ));
        assert!(!comes_from_this_site(
            &headers(&[("sec-fetch-site", "same-site")]),
            &any
        ));
        let allowed = headers(&[
            ("sec-fetch-site", "cross-site"),
            ("origin", "https://app.example.com"),
        ]);
        assert!(comes_from_this_site(&allowed, &any));
        assert!(
            comes_from_this_site(&HeaderMap::new(), &any),
            "not a browser: no cookie was sent for it"
        );
    }

    #[test]
    fn a_request_id_is_kept_only_when_short_and_plain() {
        let ok = |id: &str| is_acceptable_request_id(&HeaderValue::from_str(id).unwrap());
        assert!(ok("trace-me-123") && ok("1-65a:b_c.d"));
        assert!(
            !ok("Root=1-65a"),
            "no = or ; that could start another field"
        );
        assert!(!ok(&"x".repeat(65)));
        assert!(!ok("has space") && !ok("quote\"") && !ok(""));
    }

    #[test]
    fn the_host_name_drops_port_and_brackets() {
        assert_eq!(host_name("127.0.0.1:3000"), "127.0.0.1");
        assert_eq!(host_name("LocalHost"), "localhost");
        assert_eq!(host_name("[::1]:8080"), "::1");
    }
}
