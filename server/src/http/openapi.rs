//! The REST API's OpenAPI 3.1 document, generated from the routes themselves: every REST
//! handler carries a `#[utoipa::path]` and is registered through `utoipa_axum::routes!`, so
//! the address, the method and the document come from one place. Served at
//! `GET /api/openapi.json` and written to `docs/openapi.json` by `make openapi`.
//!
//! Not in it, on purpose: the server functions under `/api/fn/*` and `/api/auth/fn/*` (the
//! SPA's own calls, encoded by Leptos, not a contract for other clients), the embedded
//! default's stand-ins for S3 (`/api/media/local-upload`, `/media/*`), and the JSON 404 that
//! answers any other `/api/*` address.

use std::{collections::BTreeMap, sync::LazyLock};

use app::error::{AppError, ErrorCode};
use axum::{
    http::{
        HeaderValue,
        header::{CACHE_CONTROL, CONTENT_TYPE},
    },
    response::{IntoResponse, Response},
};
use utoipa::{
    Modify, OpenApi,
    openapi::{
        self, ContentBuilder, HeaderBuilder, Ref, RefOr, ResponseBuilder,
        security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme},
    },
};

use super::cookies::REFRESH_COOKIE;

/// The security scheme name of the access token; handlers' `security(...)` spell it out,
/// since the macro takes only literals, and the validator checks they agree.
const BEARER: &str = "bearer";
/// The security scheme name of the refresh cookie.
const REFRESH: &str = "refreshCookie";

/// The document's fixed part: what the API is, its error shape and how callers prove who
/// they are. The paths are added by [`super::rest_routes`].
#[derive(OpenApi)]
#[openapi(
    info(
        title = "Boardwalk",
        description = "A bulletin board with accounts, comments, pictures and chat. Every \
            error has the same shape (`AppError`): a message for a person, a stable `code` \
            for a program, and `field` when one input is at fault. Any response may also be \
            `421` when the request names a host the local server does not answer for, and \
            on AWS `403` when it bypassed the site's CloudFront address.",
        license(name = "MIT")
    ),
    components(schemas(AppError, ErrorCode)),
    modifiers(&SecuritySchemes),
    tags(
        (name = "accounts", description = "Sign-up, confirmation, log-in and the session cookie."),
        (name = "posts", description = "The board."),
        (name = "comments", description = "Comments under a post, oldest first."),
        (name = "chat", description = "Rooms and messages; live events arrive on a WebSocket."),
        (name = "media", description = "Uploads by signed form, pictures and profile pictures."),
        (name = "service", description = "Health, flags, metrics, this document and the local mailbox."),
    )
)]
struct ApiDoc;

/// Adds the bearer token and the refresh cookie as security schemes.
struct SecuritySchemes;

impl Modify for SecuritySchemes {
    fn modify(&self, openapi: &mut openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            BEARER,
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .description(Some("The access token from log-in or refresh."))
                    .build(),
            ),
        );
        components.add_security_scheme(
            REFRESH,
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::with_description(
                REFRESH_COOKIE,
                "HttpOnly, set by log-in and refresh, sent only to /api/auth.",
            ))),
        );
    }
}

/// The whole document: the fixed part and every documented route.
pub fn document() -> openapi::OpenApi {
    let mut document = ApiDoc::openapi();
    document.merge(super::rest_routes().into_openapi());
    document
}

/// The document as served, built once.
static DOCUMENT: LazyLock<String> = LazyLock::new(|| {
    document()
        .to_pretty_json()
        .unwrap_or_else(|err| unreachable!("a generated document serializes: {err}"))
});

/// The document as `make openapi` writes it (pretty JSON and a final newline).
pub fn document_json() -> String {
    format!("{}\n", *DOCUMENT)
}

/// The document itself, for clients to read or generate code from.
#[utoipa::path(
    get,
    path = "/api/openapi.json",
    operation_id = "openApiDocument",
    tag = "service",
    responses((status = 200, description = "This document (OpenAPI 3.1).", body = Object)),
)]
pub async fn serve_document() -> Response {
    let headers = [
        (CONTENT_TYPE, HeaderValue::from_static("application/json")),
        (
            CACHE_CONTROL,
            HeaderValue::from_static("public, max-age=300"),
        ),
    ];
    (headers, DOCUMENT.as_str()).into_response()
}

/// One error status in the error shape.
fn error_response(
    status: ErrorCode,
    description: &str,
) -> BTreeMap<String, RefOr<openapi::Response>> {
    let mut response = ResponseBuilder::new().description(description).content(
        "application/json",
        ContentBuilder::new()
            .schema(Some(Ref::from_schema_name("AppError")))
            .build(),
    );
    if status == ErrorCode::Throttled {
        response = response.header(
            "Retry-After",
            HeaderBuilder::new()
                .schema(openapi::ObjectBuilder::new().schema_type(openapi::Type::Integer))
                .description(Some("Seconds to wait before trying again."))
                .build(),
        );
    }
    BTreeMap::from([(status.status().to_string(), response.build().into())])
}

/// Declares the error answers handlers list in `responses(...)`, one type per status, so
/// each description is written once.
macro_rules! error_responses {
    ($($(#[doc = $doc:literal])* $name:ident => $code:ident;)*) => {$(
        $(#[doc = $doc])*
        pub struct $name;

        impl utoipa::IntoResponses for $name {
            fn responses() -> BTreeMap<String, RefOr<openapi::Response>> {
                error_response(ErrorCode::$code, concat!($($doc),*).trim())
            }
        }
    )*};
}

error_responses! {
    /// A field, parameter or the body is invalid; `field` names the one at fault.
    BadRequest => BadRequest;
    /// No valid credentials: the token or cookie is missing, expired or refused.
    Unauthorized => Unauthorized;
    /// The caller may not do this (not theirs, not a member, or a request from another site).
    Forbidden => Forbidden;
    /// Nothing here, or the feature is switched off for this caller.
    NotFound => NotFound;
    /// The write lost a race or is stale; the current state is in the body where it helps.
    Conflict => Conflict;
    /// The body is larger than this route accepts.
    TooLarge => PayloadTooLarge;
    /// The body is not `application/json`.
    NotJson => UnsupportedMediaType;
    /// Too many attempts from this address; wait `Retry-After` seconds.
    Throttled => Throttled;
    /// A dependency did not answer; nothing was half-written, so a retry is safe.
    Unavailable => Unavailable;
}
