//! Reads that caches can serve: a strong `ETag` (a digest of the exact body), the
//! `Cache-Control` that suits the data, and `304 Not Modified` without a body when the
//! client (or CloudFront, revalidating) already holds that version. Any write changes the
//! body, so it changes the tag.

use app::error::AppError;
use aws_lc_rs::digest::{SHA256, digest};
use axum::{
    http::{
        HeaderMap, HeaderValue, StatusCode,
        header::{CACHE_CONTROL, CONTENT_TYPE, ETAG, IF_NONE_MATCH},
    },
    response::{IntoResponse, Response},
};
use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use serde::Serialize;

use super::ApiError;

/// A post: always revalidated, so an edit shows at once; a cache (or the browser) asks
/// with `If-None-Match` and gets a bodiless 304 while nothing changed.
pub const REVALIDATE: &str = "public, no-cache";

/// The board's first page: fresh for a few seconds, then served stale while a cache
/// revalidates in the background. New posts show within seconds, and a crowd opening the
/// board costs the origin one request per few seconds behind CloudFront.
pub const BOARD_FRONT: &str = "public, max-age=5, stale-while-revalidate=30";

/// The strong entity tag of `body`: 128 bits of its SHA-256, quoted.
fn entity_tag(body: &[u8]) -> HeaderValue {
    let hash = digest(&SHA256, body);
    let tag = format!("\"{}\"", URL_SAFE_NO_PAD.encode(&hash.as_ref()[..16]));
    HeaderValue::from_str(&tag).unwrap_or_else(|_| HeaderValue::from_static("\"\""))
}

/// Whether `If-None-Match` names `tag` (or is `*`). Weak comparison, as RFC 9110 asks for
/// this header: `W/"x"` matches `"x"`.
fn already_held(request: &HeaderMap, tag: &HeaderValue) -> bool {
    let Some(tag) = tag.to_str().ok() else {
        return false;
    };
    request
        .get_all(IF_NONE_MATCH)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .map(|candidate| candidate.trim().trim_start_matches("W/"))
        .any(|candidate| candidate == "*" || candidate == tag)
}

/// `body` as JSON with its tag and `cache_control`, or a 304 when the request already
/// holds this version. `headers` go on both (a 304 repeats what a cache must update).
pub fn cacheable_json(
    request: &HeaderMap,
    cache_control: &'static str,
    headers: HeaderMap,
    body: &impl Serialize,
) -> Result<Response, ApiError> {
    let bytes = serde_json::to_vec(body).map_err(|_| ApiError(AppError::internal()))?;
    let tag = entity_tag(&bytes);
    let mut response = if already_held(request, &tag) {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        (
            [(CONTENT_TYPE, HeaderValue::from_static("application/json"))],
            bytes,
        )
            .into_response()
    };
    let answer = response.headers_mut();
    answer.extend(headers);
    answer.insert(ETAG, tag);
    answer.insert(CACHE_CONTROL, HeaderValue::from_static(cache_control));
    Ok(response)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn asking(if_none_match: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(IF_NONE_MATCH, HeaderValue::from_str(if_none_match).unwrap());
        headers
    }

    #[test]
    fn tags_are_strong_quoted_and_follow_every_byte() {
        let one = entity_tag(br#"{"title":"a"}"#);
        assert!(one.to_str().unwrap().starts_with('"') && one.to_str().unwrap().ends_with('"'));
        assert_eq!(one, entity_tag(br#"{"title":"a"}"#));
        assert_ne!(one, entity_tag(br#"{"title":"b"}"#));
    }

    #[test]
    fn if_none_match_matches_the_tag_in_a_list_weakly_or_as_a_star() {
        let tag = entity_tag(b"x");
        let text = tag.to_str().unwrap().to_owned();
        assert!(already_held(&asking(&text), &tag));
        assert!(already_held(&asking(&format!("\"other\", W/{text}")), &tag));
        assert!(already_held(&asking("*"), &tag));
        assert!(!already_held(&asking("\"other\""), &tag));
        assert!(!already_held(&HeaderMap::new(), &tag));
    }
}
