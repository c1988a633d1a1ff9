//! The one error shape every client sees: `{"error": "<for a person>", "code": "ERR_…"}`.
//!
//! Server functions and REST handlers both answer with [`AppError`]; the HTTP status is derived
//! from its [`ErrorCode`] in one place, so the two surfaces cannot disagree.

use serde::{Deserialize, Serialize};

use crate::{
    domain::FieldError,
    dto::{CommentResponse, PostResponse},
};
use server_fn::{
    ServerFnError,
    codec::JsonEncoding,
    error::{FromServerFnError, ServerFnErrorErr},
};

/// Machine-readable kind of failure; clients branch on this, never on the message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum ErrorCode {
    /// The request is malformed or a field is invalid.
    #[serde(rename = "ERR_BAD_REQUEST")]
    BadRequest,
    /// No valid credentials were presented.
    #[serde(rename = "ERR_UNAUTHORIZED")]
    Unauthorized,
    /// The caller is known but may not do this.
    #[serde(rename = "ERR_FORBIDDEN")]
    Forbidden,
    /// The password was right but the email address is not confirmed yet.
    #[serde(rename = "ERR_NOT_CONFIRMED")]
    NotConfirmed,
    /// Nothing lives at this address.
    #[serde(rename = "ERR_NOT_FOUND")]
    NotFound,
    /// The address exists but not for this HTTP method.
    #[serde(rename = "ERR_METHOD_NOT_ALLOWED")]
    MethodNotAllowed,
    /// The request lost a race with another write.
    #[serde(rename = "ERR_CONFLICT")]
    Conflict,
    /// The body is larger than the server accepts.
    #[serde(rename = "ERR_PAYLOAD_TOO_LARGE")]
    PayloadTooLarge,
    /// The body is not JSON.
    #[serde(rename = "ERR_UNSUPPORTED_MEDIA_TYPE")]
    UnsupportedMediaType,
    /// The request named a host this server does not answer for.
    #[serde(rename = "ERR_MISDIRECTED_REQUEST")]
    MisdirectedRequest,
    /// Too many requests; retry later.
    #[serde(rename = "ERR_THROTTLED")]
    Throttled,
    /// A dependency failed; nothing was half-written, so a retry is safe.
    #[serde(rename = "ERR_UNAVAILABLE")]
    Unavailable,
    /// Anything else; details are only in the server log, under the request id.
    #[serde(rename = "ERR_INTERNAL")]
    Internal,
}

impl ErrorCode {
    /// The HTTP status that carries this code; the only place the two are paired.
    pub fn status(self) -> u16 {
        match self {
            Self::BadRequest => 400,
            Self::Unauthorized => 401,
            Self::Forbidden | Self::NotConfirmed => 403,
            Self::NotFound => 404,
            Self::MethodNotAllowed => 405,
            Self::Conflict => 409,
            Self::MisdirectedRequest => 421,
            Self::PayloadTooLarge => 413,
            Self::UnsupportedMediaType => 415,
            Self::Throttled => 429,
            Self::Unavailable => 503,
            Self::Internal => 500,
        }
    }
}

/// An error as a client receives it. The message is written for a person and never carries
/// internal or SDK text: 5xx messages are fixed strings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[error("{error}")]
pub struct AppError {
    /// What went wrong, for a person.
    pub error: String,
    /// What went wrong, for a program.
    pub code: ErrorCode,
    /// The input field at fault, when one is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// For throttling: seconds to wait, also sent as `Retry-After`.
    #[serde(
        default,
        rename = "retryAfter",
        skip_serializing_if = "Option::is_none"
    )]
    pub retry_after_secs: Option<u64>,
    /// For a stale edit (409): the post as it is now, so a client can show what changed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub current: Option<Box<PostResponse>>,
    /// For a stale comment edit (409): the comment as it is now.
    #[serde(
        default,
        rename = "currentComment",
        skip_serializing_if = "Option::is_none"
    )]
    pub current_comment: Option<Box<CommentResponse>>,
}

impl AppError {
    fn new(code: ErrorCode, error: impl Into<String>) -> Self {
        Self {
            error: error.into(),
            code,
            field: None,
            retry_after_secs: None,
            current: None,
            current_comment: None,
        }
    }

    /// A field of the request is invalid; `message` says how to fix it.
    pub fn invalid_field(field: &str, message: impl Into<String>) -> Self {
        Self {
            field: Some(field.to_owned()),
            ..Self::new(ErrorCode::BadRequest, message)
        }
    }

    /// No valid credentials (or session) were presented.
    pub fn unauthorized(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::Unauthorized, message)
    }

    /// The caller may not do this.
    pub fn forbidden(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::Forbidden, message)
    }

    /// The account exists and the password was right, but its email is unconfirmed.
    pub fn not_confirmed() -> Self {
        Self::new(
            ErrorCode::NotConfirmed,
            "Confirm your email address first: enter the code we sent you.",
        )
    }

    /// The request conflicts with what exists (a taken username, a stale version).
    pub fn conflict(field: Option<&str>, message: impl Into<String>) -> Self {
        Self {
            field: field.map(str::to_owned),
            ..Self::new(ErrorCode::Conflict, message)
        }
    }

    /// The post changed since the editor read it; `current` is what it is now.
    pub fn stale_post(current: PostResponse) -> Self {
        Self {
            current: Some(Box::new(current)),
            ..Self::new(
                ErrorCode::Conflict,
                "This post changed since you opened it. Review the current version and edit again.",
            )
        }
    }

    /// The comment changed since the editor read it; `current` is what it is now.
    pub fn stale_comment(current: CommentResponse) -> Self {
        Self {
            current_comment: Some(Box::new(current)),
            ..Self::new(
                ErrorCode::Conflict,
                "This comment changed since you opened it. Review the current text and edit again.",
            )
        }
    }

    /// Too many attempts; try again after `retry_after_secs`.
    pub fn throttled(retry_after_secs: u64) -> Self {
        Self {
            retry_after_secs: Some(retry_after_secs),
            ..Self::new(
                ErrorCode::Throttled,
                format!("Too many attempts. Try again in {retry_after_secs} seconds."),
            )
        }
    }

    /// The caller holds as much of something as anyone may (unused uploads, say); it frees
    /// up by itself after `retry_after_secs`, or sooner if they use what they have.
    pub fn too_many(message: impl Into<String>, retry_after_secs: u64) -> Self {
        Self {
            retry_after_secs: Some(retry_after_secs),
            ..Self::new(ErrorCode::Throttled, message)
        }
    }

    /// The body is larger than the server accepts.
    pub fn payload_too_large() -> Self {
        Self::new(ErrorCode::PayloadTooLarge, "The request body is too large.")
    }

    /// A field describes something larger than allowed (a file, a picture's pixels).
    pub fn too_large(field: &str, message: impl Into<String>) -> Self {
        Self {
            field: Some(field.to_owned()),
            ..Self::new(ErrorCode::PayloadTooLarge, message)
        }
    }

    /// A file is not of a type this endpoint takes, or its bytes are not what it claims.
    pub fn unsupported_file(field: &str, message: impl Into<String>) -> Self {
        Self {
            field: Some(field.to_owned()),
            ..Self::new(ErrorCode::UnsupportedMediaType, message)
        }
    }

    /// The request could not be read at all.
    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::BadRequest, message)
    }

    /// Nothing lives at the requested address.
    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::NotFound, message)
    }

    /// The address exists, but not for this HTTP method.
    pub fn method_not_allowed() -> Self {
        Self::new(
            ErrorCode::MethodNotAllowed,
            "This address does not accept that HTTP method.",
        )
    }

    /// The body is not JSON; JSON endpoints refuse anything else, which also stops
    /// cross-site form posts.
    pub fn unsupported_media_type() -> Self {
        Self::new(
            ErrorCode::UnsupportedMediaType,
            "Send the request body as JSON (Content-Type: application/json).",
        )
    }

    /// A dependency (database, identity provider) failed; safe to retry.
    pub fn unavailable() -> Self {
        Self::new(
            ErrorCode::Unavailable,
            "The service is briefly unavailable. Please try again.",
        )
    }

    /// The server is at capacity for this kind of work; retry after `retry_after_secs`.
    /// Nothing was written.
    pub fn busy(retry_after_secs: u64) -> Self {
        Self {
            retry_after_secs: Some(retry_after_secs),
            ..Self::new(
                ErrorCode::Unavailable,
                "The service is busy. Please try again in a moment.",
            )
        }
    }

    /// The request's `Host` is not one this server answers for (DNS rebinding, or a
    /// misconfigured proxy).
    pub fn misdirected() -> Self {
        Self::new(
            ErrorCode::MisdirectedRequest,
            "This server does not answer for that host name.",
        )
    }

    /// Anything unexpected; the details stay in the server log.
    pub fn internal() -> Self {
        Self::new(ErrorCode::Internal, "Something went wrong on our side.")
    }
}

impl From<FieldError> for AppError {
    /// A field that failed to parse is a 400 naming the field.
    fn from(error: FieldError) -> Self {
        Self::invalid_field(error.field, error.message)
    }
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        match value {
            ServerFnErrorErr::Args(_) | ServerFnErrorErr::MissingArg(_) => {
                Self::bad_request("The request body is not valid JSON for this call.")
            }
            // On the server the only thing the framework deserializes is the request.
            ServerFnErrorErr::Deserialization(_) if cfg!(feature = "ssr") => {
                Self::bad_request("The request body is not valid JSON for this call.")
            }
            ServerFnErrorErr::Request(_) => Self::new(
                ErrorCode::Unavailable,
                "Could not reach the server. Check your connection and try again.",
            ),
            ServerFnErrorErr::Registration(_) => Self::not_found("No such server function."),
            ServerFnErrorErr::UnsupportedRequestMethod(_) => {
                Self::bad_request("This call only accepts POST.")
            }
            _ => Self::internal(),
        }
    }
}

impl From<ServerFnError> for AppError {
    fn from(_: ServerFnError) -> Self {
        Self::internal()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_error_serializes_to_the_reference_shape() {
        let json = serde_json_like(&AppError::not_found("No such post."));
        assert_eq!(json, r#"{"error":"No such post.","code":"ERR_NOT_FOUND"}"#);
    }

    #[test]
    fn a_field_error_names_the_field() {
        let json = serde_json_like(&AppError::invalid_field("title", "Title is empty."));
        assert_eq!(
            json,
            r#"{"error":"Title is empty.","code":"ERR_BAD_REQUEST","field":"title"}"#
        );
    }

    #[test]
    fn framework_argument_errors_become_bad_requests_without_echoing_input() {
        let err =
            AppError::from_server_fn_error(ServerFnErrorErr::Args("secret detail".to_owned()));
        assert_eq!(err.code, ErrorCode::BadRequest);
        assert!(!err.error.contains("secret"));
    }

    #[test]
    fn server_errors_are_generic() {
        let err = AppError::from_server_fn_error(ServerFnErrorErr::ServerError(
            "dynamodb: table boardwalk-posts not found".to_owned(),
        ));
        assert_eq!(err, AppError::internal());
        assert_eq!(err.code.status(), 500);
    }

    fn serde_json_like(err: &AppError) -> String {
        String::from_utf8(AppError::ser(err).to_vec()).expect("utf-8")
    }
}
