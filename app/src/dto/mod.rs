//! Wire types: plain serde structs, one file per resource, so any client (SPA, script, mobile
//! app) can share them. Nothing here knows a database or an SDK.

mod accounts;
mod chat;
mod comments;
mod flags;
mod health;
mod media;
mod posts;

pub use accounts::{
    ConfirmEmailRequest, LoginRequest, MessageResponse, MyInfoResponse, ResendEmailRequest,
    SignupRequest, TokenResponse,
};
pub use chat::{
    AddMemberRequest, ChatEvent, ChatMessage, ChatOk, ChatRoom, CreateRoomRequest, MarkReadRequest,
    MarkReadResponse, MessagesResponse, RoomMember, RoomResponse, RoomsResponse,
    SendMessageRequest, SendMessageResponse, SocketTicketResponse,
};
pub use comments::{CommentPageResponse, CommentRequest, CommentResponse, UpdateCommentRequest};
pub use flags::{FlagState, FlagsResponse};
pub use health::HealthResponse;
pub use media::{
    AvatarResponse, CreateUploadRequest, ImageVariant, PictureResponse, PostImage,
    PostImageRequest, SetAvatarRequest, UploadPurpose, UploadTicketResponse,
};
pub use posts::{PostPageResponse, PostRequest, PostResponse, UpdatePostRequest};
