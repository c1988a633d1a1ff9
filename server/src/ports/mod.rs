//! The traits services need from the outside world, one port per file with its error.
//! Adapters implement them; one contract test suite per port runs against every adapter so
//! they cannot drift apart.

mod chat;
mod clock;
mod comments;
mod counters;
mod flags;
mod identity;
mod live;
mod media;
mod posts;

pub use chat::{
    ChatStore, ChatWriteError, Created, MAX_MEMBERS, MAX_ROOMS_PER_PERSON, Membership, MessagePage,
    NewMessage, NewRoom, Person, Room, StoredMessage,
};
pub use clock::{Clock, ManualClock, SystemClock};
pub use comments::{Comment, CommentEdit, CommentPage, CommentStore, CommentWriteError, Remover};
pub use counters::CounterStore;
pub use flags::{
    BETA, BETA_GROUP, CHAT, COMMENTS, FeatureFlags, FlagRule, FlagRules, PICTURES, bucket,
};
pub use identity::{
    ConfirmationEmail, DevMail, DevMailbox, IdentityError, IdentityProvider, IssuedTokens, Profile,
    UserDirectory,
};
pub use live::{
    ConnectionRegistry, LiveDelivery, SocketHub, SocketTickets, Subscription, TICKET_LIFETIME,
};
pub use media::{
    Attachment, Avatar, AvatarDirectory, LOCAL_UPLOAD_PATH, MediaCatalog, MediaKey, MediaRecord,
    MediaStore, Picture, ReadError, Stage, StageError, UploadPolicy, UploadReceiver, UploadRefused,
    UploadTarget, Variant, stage_refused, stored,
};
pub use posts::{
    Author, Post, PostEdit, PostImage, PostPage, PostStore, PostWriteError, next_post_id,
};

/// Why a store call failed. Adapters keep the SDK or driver error as the source, for the log.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database could not be reached or refused the call; nothing was written, so a
    /// retry is safe.
    #[error("the store is unavailable")]
    Unavailable(#[source] Box<dyn std::error::Error + Send + Sync>),
    /// The store answered with data this build cannot read: a bug or a bad migration, not
    /// something a retry fixes.
    #[error("the store returned unreadable data: {0}")]
    Corrupt(String),
}

impl StoreError {
    /// The dependency failed with `err`; every adapter wraps its driver's errors this way.
    pub fn unavailable(err: impl std::error::Error + Send + Sync + 'static) -> Self {
        Self::Unavailable(Box::new(err))
    }
}
