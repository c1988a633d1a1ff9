//! What handlers take from a request, with every refusal in the API's error shape: the JSON
//! body, the verified caller, and the session in the refresh cookie.

use app::{
    error::AppError,
    services::{Caller, PresentedSession},
};
use axum::{
    body::Bytes,
    extract::{
        FromRequest, FromRequestParts, Path, Query, Request,
        path::ErrorKind,
        rejection::{PathRejection, QueryRejection},
    },
    http::{HeaderMap, StatusCode, header, request::Parts},
};
use serde::de::DeserializeOwned;
use serde_path_to_error::Segment;

use super::{ApiError, AppState, cookies};
use crate::{auth::Authenticator, telemetry::error_chain};

/// The largest request body any route reads (axum's default, stated once): a post is at most
/// 20,000 characters, so this leaves room without letting a body exhaust memory.
pub const MAX_BODY_BYTES: usize = 2 * 1024 * 1024;

/// Whether the body is declared JSON; every JSON endpoint refuses anything else with 415,
/// which also stops cross-site form posts (a form cannot send `application/json`).
pub fn is_json(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.split(';').next())
        .is_some_and(|mime| mime.trim().eq_ignore_ascii_case("application/json"))
}

/// A JSON body: 415 for another content type, 413 when too large, 400 naming the field at
/// fault. Messages name fields and types, never the values sent, so nothing a client wrote
/// is echoed back.
pub struct JsonBody<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for JsonBody<T> {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        if !is_json(request.headers()) {
            return Err(ApiError(AppError::unsupported_media_type()));
        }
        let bytes = Bytes::from_request(request, state)
            .await
            .map_err(|rejection| {
                ApiError(if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
                    AppError::payload_too_large()
                } else {
                    AppError::bad_request("The request body could not be read.")
                })
            })?;
        parse_json(&bytes).map(Self).map_err(ApiError)
    }
}

/// Parses a JSON body into `T`, naming the field that is missing or of the wrong type.
fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, AppError> {
    let mut deserializer = serde_json::Deserializer::from_slice(bytes);
    serde_path_to_error::deserialize(&mut deserializer).map_err(|err| {
        let inner = err.inner();
        if inner.is_syntax() || inner.is_eof() {
            return AppError::bad_request("The request body is not valid JSON.");
        }
        // A path made of object keys names one of our fields (unknown keys are ignored, so
        // they never appear in it); anything else means the body is not an object at all.
        let in_object = matches!(err.path().iter().next(), None | Some(Segment::Map { .. }));
        if !in_object {
            return AppError::bad_request("The request body must be a JSON object.");
        }
        // serde names a missing field in backticks; the name is ours, not the client's.
        let message = inner.to_string();
        let missing = message
            .strip_prefix("missing field `")
            .and_then(|rest| rest.split_once('`'))
            .map(|(name, _)| name);
        match (err.path().iter().next(), missing) {
            (None, Some(name)) => AppError::invalid_field(name, format!("`{name}` is required.")),
            (None, None) => AppError::bad_request("The request body must be a JSON object."),
            (Some(_), _) => {
                let field = err.path().to_string();
                AppError::invalid_field(
                    &field,
                    format!("`{field}` is missing or has the wrong type."),
                )
            }
        }
    })
}

/// `?limit=&cursor=` of every list. `limit` arrives as text so that a value that is not a
/// number is refused by name rather than as an unreadable query.
#[derive(Debug, Default, serde::Deserialize)]
pub struct PageQuery {
    limit: Option<String>,
    /// Where the page continues, as the previous page said.
    pub cursor: Option<String>,
}

/// `limit` is documented as the number it must be, though it is parsed from text.
impl utoipa::IntoParams for PageQuery {
    fn into_params(
        _: impl Fn() -> Option<utoipa::openapi::path::ParameterIn>,
    ) -> Vec<utoipa::openapi::path::Parameter> {
        use utoipa::openapi::{
            ObjectBuilder, Type,
            path::{ParameterBuilder, ParameterIn},
        };
        let query = |name: &str, description: &str, schema: ObjectBuilder| {
            ParameterBuilder::new()
                .name(name)
                .parameter_in(ParameterIn::Query)
                .description(Some(description))
                .schema(Some(schema))
                .build()
        };
        vec![
            query(
                "limit",
                "How many to return, 1 to 100 (the route's default when absent).",
                ObjectBuilder::new()
                    .schema_type(Type::Integer)
                    .minimum(Some(1))
                    .maximum(Some(100)),
            ),
            query(
                "cursor",
                "Where the page continues, as the previous page's `X-Next-Cursor` said.",
                ObjectBuilder::new().schema_type(Type::String),
            ),
        ]
    }
}

impl PageQuery {
    /// The page size asked for, if any; the service checks its range.
    pub fn limit(&self) -> Result<Option<u32>, AppError> {
        self.limit
            .as_deref()
            .map(|raw| {
                raw.parse::<u32>().map_err(|_| {
                    AppError::invalid_field("limit", "limit must be a whole number from 1 to 100.")
                })
            })
            .transpose()
    }
}

/// Path parameters, refused as a 400 naming the parameter when they cannot be decoded (a
/// segment that is not UTF-8 once percent-decoded, such as `%ff`).
pub struct ApiPath<T>(pub T);

impl<T: DeserializeOwned + Send, S: Send + Sync> FromRequestParts<S> for ApiPath<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        Path::<T>::from_request_parts(parts, state)
            .await
            .map(|Path(value)| Self(value))
            .map_err(|rejection| {
                let key = match &rejection {
                    PathRejection::FailedToDeserializePathParams(err) => match err.kind() {
                        ErrorKind::InvalidUtf8InPathParam { key }
                        | ErrorKind::ParseErrorAtKey { key, .. } => Some(key.clone()),
                        _ => None,
                    },
                    _ => None,
                };
                let field = key.unwrap_or_else(|| "path".to_owned());
                ApiError(AppError::invalid_field(
                    &field,
                    format!("The {field} in the address is not valid."),
                ))
            })
    }
}

/// Query parameters, refused as a 400 naming the parameter when they cannot be read (a
/// parameter given twice, or of the wrong kind).
pub struct ApiQuery<T>(pub T);

impl<T: DeserializeOwned + Send, S: Send + Sync> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        Query::<T>::from_request_parts(parts, state)
            .await
            .map(|Query(value)| Self(value))
            .map_err(|rejection: QueryRejection| {
                // serde names the field at fault in backticks; the name is ours.
                let text = rejection.body_text();
                let field = text
                    .split('`')
                    .nth(1)
                    .filter(|name| name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_'))
                    .unwrap_or("query")
                    .to_owned();
                ApiError(AppError::invalid_field(
                    &field,
                    format!(
                        "The query parameter {field} is not valid (given twice, or malformed)."
                    ),
                ))
            })
    }
}

/// The caller behind `Authorization: Bearer …`, or the 401 that says why not.
pub async fn authenticate(
    headers: &HeaderMap,
    authenticator: &dyn Authenticator,
) -> Result<Caller, AppError> {
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.strip_prefix("Bearer "))
        .ok_or_else(|| AppError::unauthorized("Log in to do this."))?;
    authenticator.caller(token.trim()).await.map_err(|err| {
        tracing::info!(reason = %error_chain(&err), "access token refused");
        AppError::unauthorized("Your session has expired. Please log in again.")
    })
}

/// Add this to a handler to require a signed-in caller. It reads only the headers, so it
/// runs before the body is looked at: a request without a valid token is a 401 whatever its
/// body.
pub struct AuthUser(pub Caller);

impl FromRequestParts<AppState> for AuthUser {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        authenticate(&parts.headers, state.authenticator.as_ref())
            .await
            .map(Self)
            .map_err(ApiError)
    }
}

/// The caller when the request carries a bearer token, `None` for a visitor without one. A
/// token that is refused is still a 401: its holder thinks they are signed in.
pub struct OptionalAuthUser(pub Option<Caller>);

impl FromRequestParts<AppState> for OptionalAuthUser {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        if !parts.headers.contains_key(header::AUTHORIZATION) {
            return Ok(Self(None));
        }
        authenticate(&parts.headers, state.authenticator.as_ref())
            .await
            .map(|caller| Self(Some(caller)))
            .map_err(ApiError)
    }
}

/// The session(s) named by the refresh cookie.
pub struct CookieSession(pub PresentedSession);

impl<S: Send + Sync> FromRequestParts<S> for CookieSession {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        Ok(Self(cookies::session_from(&parts.headers)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use app::dto::UpdatePostRequest;

    fn field_of(body: &str) -> Option<String> {
        parse_json::<UpdatePostRequest>(body.as_bytes())
            .unwrap_err()
            .field
    }

    #[test]
    fn a_missing_field_is_named() {
        assert_eq!(field_of(r#"{"title": "t"}"#).as_deref(), Some("content"));
    }

    #[test]
    fn a_field_of_the_wrong_type_is_named_without_echoing_its_value() {
        let err = parse_json::<UpdatePostRequest>(
            br#"{"title": "t", "content": "c", "version": "secret-value"}"#,
        )
        .unwrap_err();
        assert_eq!(err.field.as_deref(), Some("version"));
        assert!(!err.error.contains("secret-value"), "{}", err.error);
    }

    #[test]
    fn broken_json_and_a_non_object_are_400_without_a_field() {
        for body in ["[1", "", "[1, 2]", "\"text\""] {
            let err = parse_json::<UpdatePostRequest>(body.as_bytes()).unwrap_err();
            assert_eq!(err.code.status(), 400, "{body}");
            assert_eq!(err.field, None, "{body}");
        }
    }

    #[test]
    fn only_application_json_counts_as_json() {
        let headers = |value: &'static str| {
            HeaderMap::from_iter([(header::CONTENT_TYPE, value.parse().unwrap())])
        };
        assert!(is_json(&headers("application/json; charset=utf-8")));
        assert!(!is_json(&headers("text/plain")));
        assert!(!is_json(&HeaderMap::new()));
    }
}
