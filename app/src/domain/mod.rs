//! Domain types that input becomes at the edge. Each has a private field and a `parse` that is
//! the only way in, so code that holds one never checks it again. They live in `app` so the
//! SPA applies the same rules as the server while a person types.

mod account;
mod post;

pub use account::{ConfirmationCode, Email, Password, Username};
pub use post::{PostContent, PostId, PostTitle};
