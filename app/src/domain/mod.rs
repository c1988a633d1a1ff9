//! Domain types that input becomes at the edge. Each has a private field and a `parse` that is
//! the only way in, so code that holds one never checks it again. They live in `app` so the
//! SPA applies the same rules as the server while a person types.
//!
//! Parsers answer with a [`FieldError`], not a wire error: what a refusal means (a 400 naming
//! the field, or a 404 for an id in a path) is the caller's decision.

mod account;
mod chat;
mod comment;
mod language;
mod media;
mod post;
mod text;

pub use account::{ConfirmationCode, Email, Password, Username};
pub use chat::{MessageText, RoomId, RoomName};
pub use comment::{CommentId, CommentText};
pub use language::Language;
pub use media::{AltText, ImageType, MAX_POST_IMAGES, MAX_UPLOAD_BYTES, MediaId, UploadSize};
pub use post::{PostContent, PostId, PostTitle};
pub use text::{TextKind, lines_within, plain_text};

/// Which input is wrong and how to fix it, in words for a person.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    /// The request field at fault (`title`, `username`, …).
    pub field: &'static str,
    /// What to do about it.
    pub message: String,
}

impl FieldError {
    /// `field` is invalid; `message` says how to fix it.
    pub fn new(field: &'static str, message: impl Into<String>) -> Self {
        Self {
            field,
            message: message.into(),
        }
    }
}

impl std::fmt::Display for FieldError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.field, self.message)
    }
}

impl std::error::Error for FieldError {}
