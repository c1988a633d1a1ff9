//! The built SPA, served as CloudFront serves it from S3: real files as they are, any other
//! client-side route as `index.html`, hashed assets cached for a year and `index.html`
//! revalidated (`Last-Modified`, so a revalidation is a `304`). Files go out as the build's
//! brotli or gzip copies when the browser accepts them, as CloudFront compresses.

use std::path::{Path, PathBuf};

use axum::{
    Router,
    extract::Request,
    http::{HeaderValue, StatusCode, header},
    middleware::{self, Next},
    response::{IntoResponse, Response},
};
use tower::ServiceExt;
use tower_http::services::{ServeDir, ServeFile};

/// For files whose name changes with their content.
const IMMUTABLE: HeaderValue = HeaderValue::from_static("public, max-age=31536000, immutable");
/// For `index.html` and unhashed files: always revalidate, so a deploy shows at once.
const REVALIDATE: HeaderValue = HeaderValue::from_static("no-cache");

/// Longest file name the file system takes; a longer segment can name no file.
const MAX_NAME_BYTES: usize = 255;
/// Longest path worth asking the file system about; no file of the site comes close.
const MAX_PATH_BYTES: usize = 1024;

/// Serves `site_dir` with the SPA fallback and cache headers.
pub fn router(site_dir: &Path) -> Router {
    let index = site_dir.join("index.html");
    let files = ServeDir::new(site_dir)
        .precompressed_br()
        .precompressed_gzip()
        .fallback(tower::service_fn(move |request: Request| {
            spa_fallback(index.clone(), request)
        }));
    Router::new()
        .fallback_service(files)
        .layer(middleware::from_fn(cache_control))
        .layer(middleware::from_fn(refuse_impossible_names))
}

/// A path no file can have (a segment or the whole too long for the file system) is a 404
/// here, before the file system answers it with an error that would become a 500.
async fn refuse_impossible_names(request: Request, next: Next) -> Response {
    let path = request.uri().path();
    let impossible = path.len() > MAX_PATH_BYTES
        || path
            .split('/')
            .any(|segment| segment.len() > MAX_NAME_BYTES);
    if impossible {
        return (StatusCode::NOT_FOUND, "Not found").into_response();
    }
    next.run(request).await
}

/// A path with a file extension that does not exist is a missing file (404), not a page: a
/// stale script must not receive HTML. Every other path is a client-side route.
async fn spa_fallback(
    index: PathBuf,
    request: Request,
) -> Result<Response, std::convert::Infallible> {
    let last_segment = request.uri().path().rsplit('/').next().unwrap_or_default();
    if last_segment.contains('.') {
        return Ok((StatusCode::NOT_FOUND, "Not found").into_response());
    }
    let response = ServeFile::new(index)
        .precompressed_br()
        .precompressed_gzip()
        .oneshot(request)
        .await?;
    Ok(response.into_response())
}

async fn cache_control(request: Request, next: Next) -> Response {
    let hashed = is_content_hashed(request.uri().path());
    let mut response = next.run(request).await;
    if response.status().is_success() {
        let policy = if hashed { IMMUTABLE } else { REVALIDATE };
        response.headers_mut().insert(header::CACHE_CONTROL, policy);
    }
    response
}

/// trunk names built assets `<name>-<hex hash>[_bg].<ext>`.
fn is_content_hashed(path: &str) -> bool {
    let file = path.rsplit('/').next().unwrap_or_default();
    let stem = file.split('.').next().unwrap_or_default();
    stem.split(['-', '_'])
        .skip(1)
        .any(|part| part.len() >= 12 && part.bytes().all(|b| b.is_ascii_hexdigit()))
}

#[cfg(test)]
mod tests {
    use super::is_content_hashed;

    #[test]
    fn trunk_asset_names_count_as_hashed() {
        assert!(is_content_hashed("/frontend-4c6d1bd3e5f2a7b8.js"));
        assert!(is_content_hashed("/frontend-4c6d1bd3e5f2a7b8_bg.wasm"));
        assert!(is_content_hashed("/style-0a1b2c3d4e5f6071.css"));
    }

    #[test]
    fn plain_names_and_pages_do_not() {
        assert!(!is_content_hashed("/index.html"));
        assert!(!is_content_hashed("/"));
        assert!(!is_content_hashed("/posts/42"));
        assert!(!is_content_hashed("/favicon.svg"));
        assert!(!is_content_hashed("/my-very-long-name.js"));
    }
}
