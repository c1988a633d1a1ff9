//! The flagged services, each behind its flag's gate: chat behind `chat`, pictures behind
//! `pictures`, comments behind `comments`, and images in posts behind `pictures` too. Each
//! wrapper asks the gate, then hands the call on unchanged, so the services themselves
//! know nothing of flags.

use std::sync::Arc;

use app::{
    dto::{
        AddMemberRequest, AvatarResponse, ChatMessage, ChatRoom, CommentPageResponse,
        CommentRequest, CommentResponse, CreateRoomRequest, CreateUploadRequest, MarkReadRequest,
        MarkReadResponse, MessageResponse, MessagesResponse, PictureResponse, PostPageResponse,
        PostRequest, PostResponse, RoomsResponse, SendMessageRequest, SetAvatarRequest,
        SocketTicketResponse, UpdateCommentRequest, UpdatePostRequest, UploadTicketResponse,
    },
    error::AppError,
    services::{Caller, ChatService, CommentService, MediaService, PostService},
};
use async_trait::async_trait;

use super::flags::FlagGate;

/// A service that answers only to whom its flag is on for.
pub struct Gated<T: ?Sized> {
    gate: FlagGate,
    inner: Arc<T>,
}

impl<T: ?Sized> Gated<T> {
    /// `inner` behind `gate`.
    pub fn new(gate: FlagGate, inner: Arc<T>) -> Self {
        Self { gate, inner }
    }
}

#[async_trait]
impl ChatService for Gated<dyn ChatService> {
    async fn create_room(
        &self,
        caller: &Caller,
        request: CreateRoomRequest,
    ) -> Result<ChatRoom, AppError> {
        self.gate.admit(Some(caller)).await?;
        self.inner.create_room(caller, request).await
    }

    async fn my_rooms(&self, caller: &Caller) -> Result<RoomsResponse, AppError> {
        self.gate.admit(Some(caller)).await?;
        self.inner.my_rooms(caller).await
    }

    async fn room(&self, caller: &Caller, room_id: &str) -> Result<ChatRoom, AppError> {
        self.gate.admit(Some(caller)).await?;
        self.inner.room(caller, room_id).await
    }

    async fn send(
        &self,
        caller: &Caller,
        request: SendMessageRequest,
    ) -> Result<ChatMessage, AppError> {
        self.gate.admit(Some(caller)).await?;
        self.inner.send(caller, request).await
    }

    async fn messages(
        &self,
        caller: &Caller,
        room_id: &str,
        limit: Option<u32>,
        cursor: Option<String>,
    ) -> Result<MessagesResponse, AppError> {
        self.gate.admit(Some(caller)).await?;
        self.inner.messages(caller, room_id, limit, cursor).await
    }

    async fn mark_read(
        &self,
        caller: &Caller,
        room_id: &str,
        request: MarkReadRequest,
    ) -> Result<MarkReadResponse, AppError> {
        self.gate.admit(Some(caller)).await?;
        self.inner.mark_read(caller, room_id, request).await
    }

    async fn leave(&self, caller: &Caller, room_id: &str) -> Result<(), AppError> {
        self.gate.admit(Some(caller)).await?;
        self.inner.leave(caller, room_id).await
    }

    async fn add_member(
        &self,
        caller: &Caller,
        room_id: &str,
        request: AddMemberRequest,
    ) -> Result<ChatRoom, AppError> {
        self.gate.admit(Some(caller)).await?;
        self.inner.add_member(caller, room_id, request).await
    }

    async fn socket_ticket(&self, caller: &Caller) -> Result<SocketTicketResponse, AppError> {
        self.gate.admit(Some(caller)).await?;
        self.inner.socket_ticket(caller).await
    }

    async fn open_socket(&self, ticket: &str) -> Result<Caller, AppError> {
        let caller = self.inner.open_socket(ticket).await?;
        self.gate.admit(Some(&caller)).await?;
        Ok(caller)
    }
}

#[async_trait]
impl MediaService for Gated<dyn MediaService> {
    async fn create_upload(
        &self,
        caller: &Caller,
        request: CreateUploadRequest,
    ) -> Result<UploadTicketResponse, AppError> {
        self.gate.admit(Some(caller)).await?;
        self.inner.create_upload(caller, request).await
    }

    async fn complete_upload(
        &self,
        caller: &Caller,
        upload_id: &str,
    ) -> Result<PictureResponse, AppError> {
        self.gate.admit(Some(caller)).await?;
        self.inner.complete_upload(caller, upload_id).await
    }

    async fn set_avatar(
        &self,
        caller: &Caller,
        request: SetAvatarRequest,
    ) -> Result<AvatarResponse, AppError> {
        self.gate.admit(Some(caller)).await?;
        self.inner.set_avatar(caller, request).await
    }

    async fn remove_avatar(&self, caller: &Caller) -> Result<(), AppError> {
        self.gate.admit(Some(caller)).await?;
        self.inner.remove_avatar(caller).await
    }
}

#[async_trait]
impl CommentService for Gated<dyn CommentService> {
    async fn comments(
        &self,
        viewer: Option<&Caller>,
        post_id: &str,
        limit: Option<u32>,
        cursor: Option<String>,
    ) -> Result<CommentPageResponse, AppError> {
        self.gate.admit(viewer).await?;
        self.inner.comments(viewer, post_id, limit, cursor).await
    }

    async fn add_comment(
        &self,
        caller: &Caller,
        post_id: &str,
        request: CommentRequest,
    ) -> Result<CommentResponse, AppError> {
        self.gate.admit(Some(caller)).await?;
        self.inner.add_comment(caller, post_id, request).await
    }

    async fn edit_comment(
        &self,
        caller: &Caller,
        post_id: &str,
        comment_id: &str,
        request: UpdateCommentRequest,
    ) -> Result<CommentResponse, AppError> {
        self.gate.admit(Some(caller)).await?;
        self.inner
            .edit_comment(caller, post_id, comment_id, request)
            .await
    }

    async fn delete_comment(
        &self,
        caller: &Caller,
        post_id: &str,
        comment_id: &str,
    ) -> Result<MessageResponse, AppError> {
        self.gate.admit(Some(caller)).await?;
        self.inner.delete_comment(caller, post_id, comment_id).await
    }
}

/// Posts are never gated, but images in them are: a post that names images needs the
/// `pictures` gate; one without (or an edit that keeps them) does not.
#[async_trait]
impl PostService for Gated<dyn PostService> {
    async fn list_posts(
        &self,
        limit: Option<u32>,
        cursor: Option<String>,
    ) -> Result<PostPageResponse, AppError> {
        self.inner.list_posts(limit, cursor).await
    }

    async fn get_post(&self, id: &str) -> Result<PostResponse, AppError> {
        self.inner.get_post(id).await
    }

    async fn create_post(
        &self,
        caller: &Caller,
        request: PostRequest,
    ) -> Result<PostResponse, AppError> {
        if !request.images.is_empty() {
            self.gate.admit(Some(caller)).await?;
        }
        self.inner.create_post(caller, request).await
    }

    async fn update_post(
        &self,
        caller: &Caller,
        id: &str,
        request: UpdatePostRequest,
    ) -> Result<PostResponse, AppError> {
        if request
            .images
            .as_ref()
            .is_some_and(|images| !images.is_empty())
        {
            self.gate.admit(Some(caller)).await?;
        }
        self.inner.update_post(caller, id, request).await
    }

    async fn delete_post(&self, caller: &Caller, id: &str) -> Result<MessageResponse, AppError> {
        self.inner.delete_post(caller, id).await
    }
}
