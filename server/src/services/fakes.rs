//! In-memory stand-ins for the ports, so service rules are tested in milliseconds without a
//! database or a provider. They keep the ports' promises (atomic ids, conditional writes)
//! in the simplest way, behind one mutex each.

use std::{
    collections::{BTreeMap, HashMap},
    sync::{
        Arc, Mutex,
        atomic::{AtomicU64, Ordering},
    },
};

use app::{
    domain::{
        CommentId, ConfirmationCode, Email, ImageType, Language, MediaId, Password, PostId, RoomId,
        Username,
    },
    services::{Caller, SessionHandle},
};
use async_trait::async_trait;

use crate::ports::{
    Attachment, Avatar, AvatarDirectory, ChatStore, ChatWriteError, Comment, CommentEdit,
    CommentPage, CommentStore, CommentWriteError, Created, FeatureFlags, FlagRules, IdentityError,
    IdentityProvider, IssuedTokens, MAX_MEMBERS, MediaCatalog, MediaKey, MediaRecord, MediaStore,
    Membership, MessagePage, NewMessage, NewRoom, Person, Picture, Post, PostEdit, PostPage,
    PostStore, PostWriteError, Profile, ReadError, Remover, Room, Stage, StageError, StoreError,
    StoredMessage, UploadPolicy, UploadTarget, UserDirectory,
};

/// A caller named `name`, whose `sub` is `sub-<name>`, in no group.
pub fn caller(name: &str) -> Caller {
    Caller {
        sub: format!("sub-{name}"),
        username: name.to_owned(),
        groups: Vec::new(),
    }
}

/// A dependency that fails every call, in one of the two ways a store can.
pub enum Failing {
    /// Unreachable: nothing was written.
    Unavailable,
    /// It answered with data this build cannot read.
    Corrupt,
}

impl Failing {
    fn error(&self) -> StoreError {
        match self {
            Self::Unavailable => {
                StoreError::unavailable(std::io::Error::other("connection refused"))
            }
            Self::Corrupt => StoreError::Corrupt("a row with no title".into()),
        }
    }
}

#[async_trait]
impl PostStore for Failing {
    async fn next_id(&self) -> Result<PostId, StoreError> {
        Err(self.error())
    }
    async fn create(&self, _post: &Post) -> Result<(), StoreError> {
        Err(self.error())
    }
    async fn get(&self, _id: PostId) -> Result<Option<Post>, StoreError> {
        Err(self.error())
    }
    async fn list(&self, _limit: usize, _before: Option<PostId>) -> Result<PostPage, StoreError> {
        Err(self.error())
    }
    async fn update(&self, _: PostId, _: &str, _: &PostEdit) -> Result<Post, PostWriteError> {
        Err(self.error().into())
    }
    async fn delete(&self, _: PostId, _: &str) -> Result<Post, PostWriteError> {
        Err(self.error().into())
    }
}

#[async_trait]
impl IdentityProvider for Failing {
    async fn sign_up(
        &self,
        _: &Username,
        _: &Password,
        _: &Email,
        _: Language,
    ) -> Result<(), IdentityError> {
        Err(self.error().into())
    }
    async fn confirm(&self, _: &Username, _: &ConfirmationCode) -> Result<(), IdentityError> {
        Err(self.error().into())
    }
    async fn resend_code(&self, _: &Username) -> Result<(), IdentityError> {
        Err(self.error().into())
    }
    async fn log_in(&self, _: &Username, _: &Password) -> Result<IssuedTokens, IdentityError> {
        Err(self.error().into())
    }
    async fn refresh(&self, _: &SessionHandle) -> Result<IssuedTokens, IdentityError> {
        Err(self.error().into())
    }
    async fn log_out(&self, _: &SessionHandle) -> Result<(), IdentityError> {
        Err(self.error().into())
    }
    async fn profile(&self, _: &Caller) -> Result<Profile, IdentityError> {
        Err(self.error().into())
    }
}

/// Posts and their comments in memory, ids from a counter, each write checked under the
/// lock. Clones share the same board, as two adapters on one database do.
#[derive(Clone, Default)]
pub struct InMemoryPosts(Arc<Board>);

#[derive(Default)]
struct Board {
    next: AtomicU64,
    posts: Mutex<BTreeMap<PostId, Post>>,
    comments: Mutex<BTreeMap<(PostId, CommentId), Comment>>,
}

#[async_trait]
impl PostStore for InMemoryPosts {
    async fn next_id(&self) -> Result<PostId, StoreError> {
        let value = self.0.next.fetch_add(1, Ordering::SeqCst) + 1;
        Ok(PostId::from_counter(value).unwrap())
    }

    async fn create(&self, post: &Post) -> Result<(), StoreError> {
        self.0.posts.lock().unwrap().insert(post.id, post.clone());
        Ok(())
    }

    async fn get(&self, id: PostId) -> Result<Option<Post>, StoreError> {
        Ok(self.0.posts.lock().unwrap().get(&id).cloned())
    }

    async fn list(&self, limit: usize, before: Option<PostId>) -> Result<PostPage, StoreError> {
        let posts = self.0.posts.lock().unwrap();
        let newest_first = posts
            .values()
            .rev()
            .filter(|post| before.is_none_or(|before| post.id < before))
            .take(limit + 1)
            .cloned()
            .collect();
        Ok(PostPage::from_overfetch(newest_first, limit))
    }

    async fn update(
        &self,
        id: PostId,
        editor_sub: &str,
        edit: &PostEdit,
    ) -> Result<Post, PostWriteError> {
        let mut posts = self.0.posts.lock().unwrap();
        let current = posts.get(&id).cloned();
        match posts.get_mut(&id) {
            Some(post)
                if post.author.sub == editor_sub && edit.expected_version == post.version =>
            {
                post.title = edit.title.clone();
                post.content = edit.content.clone();
                post.images = edit.images.clone();
                post.updated_at_ms = edit.at_ms;
                post.version += 1;
                Ok(post.clone())
            }
            _ => Err(PostWriteError::edit_refused(current, editor_sub)),
        }
    }

    async fn delete(&self, id: PostId, owner_sub: &str) -> Result<Post, PostWriteError> {
        let mut posts = self.0.posts.lock().unwrap();
        match posts.get(&id) {
            Some(post) if post.author.sub == owner_sub => Ok(posts.remove(&id).unwrap()),
            current => Err(PostWriteError::delete_refused(current.cloned())),
        }
    }
}

#[async_trait]
impl CommentStore for InMemoryPosts {
    async fn add(&self, comment: &Comment) -> Result<(), CommentWriteError> {
        let mut posts = self.0.posts.lock().unwrap();
        let post = posts
            .get_mut(&comment.post)
            .ok_or(CommentWriteError::PostNotFound)?;
        post.comment_count += 1;
        self.0
            .comments
            .lock()
            .unwrap()
            .insert((comment.post, comment.id.clone()), comment.clone());
        Ok(())
    }

    async fn get(&self, post: PostId, id: &CommentId) -> Result<Option<Comment>, StoreError> {
        if !self.0.posts.lock().unwrap().contains_key(&post) {
            return Ok(None);
        }
        Ok(self
            .0
            .comments
            .lock()
            .unwrap()
            .get(&(post, id.clone()))
            .cloned())
    }

    async fn list(
        &self,
        post: PostId,
        limit: usize,
        after: Option<&CommentId>,
    ) -> Result<Option<CommentPage>, StoreError> {
        if !self.0.posts.lock().unwrap().contains_key(&post) {
            return Ok(None);
        }
        let comments = self.0.comments.lock().unwrap();
        let page = comments
            .values()
            .filter(|c| c.post == post && after.is_none_or(|after| c.id > *after))
            .take(limit + 1)
            .cloned()
            .collect();
        Ok(Some(CommentPage::from_overfetch(page, limit)))
    }

    async fn update(
        &self,
        post: PostId,
        id: &CommentId,
        editor_sub: &str,
        edit: &CommentEdit,
    ) -> Result<Comment, CommentWriteError> {
        let mut comments = self.0.comments.lock().unwrap();
        let key = (post, id.clone());
        let current = comments.get(&key).cloned();
        match comments.get_mut(&key) {
            Some(c) if c.author.sub == editor_sub && c.version == edit.expected_version => {
                c.text = edit.text.clone();
                c.updated_at_ms = edit.at_ms;
                c.version += 1;
                Ok(c.clone())
            }
            _ => Err(CommentWriteError::edit_refused(current, editor_sub)),
        }
    }

    async fn delete(
        &self,
        post: PostId,
        id: &CommentId,
        by: &Remover,
    ) -> Result<(), CommentWriteError> {
        let mut posts = self.0.posts.lock().unwrap();
        let thread = posts
            .get_mut(&post)
            .ok_or(CommentWriteError::PostNotFound)?;
        let mut comments = self.0.comments.lock().unwrap();
        let key = (post, id.clone());
        let comment = comments.get(&key).ok_or(CommentWriteError::NotFound)?;
        let allowed = match by {
            Remover::Author(sub) => comment.author.sub == *sub,
            Remover::PostAuthor(sub) => thread.author.sub == *sub,
        };
        if !allowed {
            return Err(CommentWriteError::NotYours);
        }
        comments.remove(&key);
        thread.comment_count -= 1;
        Ok(())
    }

    async fn delete_all(&self, post: PostId) -> Result<u64, StoreError> {
        let mut comments = self.0.comments.lock().unwrap();
        let before = comments.len();
        comments.retain(|(of, _), _| *of != post);
        Ok((before - comments.len()) as u64)
    }
}

struct FakeAccount {
    sub: String,
    password: String,
    email: String,
    language: Language,
    confirmed: bool,
}

/// Accounts in memory. The code is always `123456`; refresh tokens rotate when `rotates`.
#[derive(Default)]
pub struct FakeIdentity {
    accounts: Mutex<HashMap<String, FakeAccount>>,
    sessions: Mutex<HashMap<String, String>>,
    issued: AtomicU64,
    rotates: bool,
    cooling_down: bool,
    at_capacity: bool,
}

impl FakeIdentity {
    /// The code every account is sent.
    pub const CODE: &str = "123456";

    /// The language `username`'s codes are written in, if they signed up.
    pub fn language_of(&self, username: &str) -> Option<Language> {
        let accounts = self.accounts.lock().unwrap();
        accounts.get(username).map(|account| account.language)
    }

    /// A provider that already has a confirmed `username` with `password`.
    pub fn with_confirmed(username: &str, password: &str) -> Self {
        Self::default().and_confirmed(username, password)
    }

    /// This provider with one more confirmed account.
    pub fn and_confirmed(self, username: &str, password: &str) -> Self {
        let identity = self;
        identity.accounts.lock().unwrap().insert(
            username.to_owned(),
            FakeAccount {
                sub: format!("sub-{username}"),
                password: password.to_owned(),
                email: format!("{username}@example.com"),
                language: Language::English,
                confirmed: true,
            },
        );
        identity
    }

    /// Refresh hands out a new refresh token each time, as the local provider does (Cognito
    /// does not).
    pub fn rotating(self) -> Self {
        Self {
            rotates: true,
            ..self
        }
    }

    /// Every resend is refused as too soon, as a provider in its cool-down does.
    pub fn cooling_down(self) -> Self {
        Self {
            cooling_down: true,
            ..self
        }
    }

    /// Every log-in is refused because the provider is at capacity (its hashing queue full).
    pub fn at_capacity(self) -> Self {
        Self {
            at_capacity: true,
            ..self
        }
    }

    /// How many sessions are live.
    pub fn live_sessions(&self) -> usize {
        self.sessions.lock().unwrap().len()
    }

    fn open_session(&self, sub: &str) -> SessionHandle {
        let token = format!("refresh-{}", self.issued.fetch_add(1, Ordering::SeqCst));
        self.sessions
            .lock()
            .unwrap()
            .insert(token.clone(), sub.to_owned());
        SessionHandle {
            subject: sub.to_owned(),
            refresh_token: token,
        }
    }

    fn tokens(sub: &str, session: Option<SessionHandle>) -> IssuedTokens {
        IssuedTokens {
            access_token: format!("access-for-{sub}"),
            id_token: format!("id-for-{sub}"),
            expires_in: 900,
            session,
        }
    }
}

#[async_trait]
impl IdentityProvider for FakeIdentity {
    async fn sign_up(
        &self,
        username: &Username,
        password: &Password,
        email: &Email,
        language: Language,
    ) -> Result<(), IdentityError> {
        let mut accounts = self.accounts.lock().unwrap();
        if accounts.contains_key(username.as_ref()) {
            return Err(IdentityError::UsernameTaken);
        }
        accounts.insert(
            username.as_ref().to_owned(),
            FakeAccount {
                sub: format!("sub-{}", username.as_ref()),
                password: password.expose().to_owned(),
                email: email.as_ref().to_owned(),
                language,
                confirmed: false,
            },
        );
        Ok(())
    }

    async fn confirm(
        &self,
        username: &Username,
        code: &ConfirmationCode,
    ) -> Result<(), IdentityError> {
        let mut accounts = self.accounts.lock().unwrap();
        match accounts.get_mut(username.as_ref()) {
            Some(account) if code.as_ref() == Self::CODE => {
                account.confirmed = true;
                Ok(())
            }
            _ => Err(IdentityError::InvalidCode),
        }
    }

    async fn resend_code(&self, _username: &Username) -> Result<(), IdentityError> {
        if self.cooling_down {
            return Err(IdentityError::Throttled {
                retry_after_secs: 25,
            });
        }
        Ok(())
    }

    async fn log_in(
        &self,
        username: &Username,
        password: &Password,
    ) -> Result<IssuedTokens, IdentityError> {
        if self.at_capacity {
            return Err(IdentityError::Busy {
                retry_after_secs: 1,
            });
        }
        let sub = {
            let accounts = self.accounts.lock().unwrap();
            let account = accounts
                .get(username.as_ref())
                .filter(|account| account.password == password.expose())
                .ok_or(IdentityError::InvalidCredentials)?;
            if !account.confirmed {
                return Err(IdentityError::NotConfirmed);
            }
            account.sub.clone()
        };
        let session = self.open_session(&sub);
        Ok(Self::tokens(&sub, Some(session)))
    }

    async fn refresh(&self, session: &SessionHandle) -> Result<IssuedTokens, IdentityError> {
        let sub = self
            .sessions
            .lock()
            .unwrap()
            .get(&session.refresh_token)
            .cloned()
            .ok_or(IdentityError::SessionInvalid)?;
        let rotated = self.rotates.then(|| {
            self.sessions.lock().unwrap().remove(&session.refresh_token);
            self.open_session(&sub)
        });
        Ok(Self::tokens(&sub, rotated))
    }

    async fn log_out(&self, session: &SessionHandle) -> Result<(), IdentityError> {
        self.sessions.lock().unwrap().remove(&session.refresh_token);
        Ok(())
    }

    async fn profile(&self, caller: &Caller) -> Result<Profile, IdentityError> {
        let accounts = self.accounts.lock().unwrap();
        let (username, account) = accounts
            .iter()
            .find(|(_, account)| account.sub == caller.sub)
            .ok_or(IdentityError::SessionInvalid)?;
        Ok(Profile {
            sub: account.sub.clone(),
            username: username.clone(),
            email: account.email.clone(),
            email_verified: account.confirmed,
        })
    }
}

/// Chat in memory: one lock, so every write is atomic with its membership check.
#[derive(Default)]
pub struct InMemoryChat {
    rooms: Mutex<BTreeMap<RoomId, ChatRoomState>>,
}

struct ChatRoomState {
    room: Room,
    read_marks: HashMap<String, u64>,
    messages: Vec<StoredMessage>,
}

impl ChatRoomState {
    fn membership(&self, sub: &str) -> Option<Membership> {
        let person = self.room.members.iter().find(|p| p.sub == sub)?.clone();
        Some(Membership {
            person,
            last_read_seq: self.read_marks.get(sub).copied().unwrap_or_default(),
        })
    }
}

#[async_trait]
impl ChatStore for InMemoryChat {
    async fn create_room(&self, room: &NewRoom) -> Result<Created, ChatWriteError> {
        let mut rooms = self.rooms.lock().unwrap();
        if let Some(existing) = rooms.get(&room.id) {
            return Ok(Created::Existing(existing.room.clone()));
        }
        let created = Room {
            id: room.id.clone(),
            name: room.name.clone(),
            created_at_ms: room.at_ms,
            last_activity_ms: room.at_ms,
            last_preview: None,
            last_seq: 0,
            members: room.members.clone(),
        };
        rooms.insert(
            room.id.clone(),
            ChatRoomState {
                room: created.clone(),
                read_marks: HashMap::new(),
                messages: Vec::new(),
            },
        );
        Ok(Created::New(created))
    }

    async fn room_for(
        &self,
        id: &RoomId,
        sub: &str,
    ) -> Result<Option<(Room, Membership)>, StoreError> {
        let rooms = self.rooms.lock().unwrap();
        Ok(rooms
            .get(id)
            .and_then(|state| Some((state.room.clone(), state.membership(sub)?))))
    }

    async fn rooms_of(&self, sub: &str) -> Result<Vec<(Room, Membership)>, StoreError> {
        let rooms = self.rooms.lock().unwrap();
        Ok(rooms
            .values()
            .filter_map(|state| Some((state.room.clone(), state.membership(sub)?)))
            .collect())
    }

    async fn append(
        &self,
        room: &RoomId,
        message: &NewMessage,
    ) -> Result<(StoredMessage, Room), ChatWriteError> {
        let mut rooms = self.rooms.lock().unwrap();
        let state = rooms.get_mut(room).ok_or(ChatWriteError::NotMember)?;
        state
            .membership(&message.sender.sub)
            .ok_or(ChatWriteError::NotMember)?;
        state.room.last_seq += 1;
        state.room.last_activity_ms = message.at_ms;
        state.room.last_preview = Some(message.preview.clone());
        let stored = StoredMessage {
            room_id: room.clone(),
            seq: state.room.last_seq,
            sender: message.sender.clone(),
            text: message.text.clone(),
            sent_at_ms: message.at_ms,
        };
        state.messages.push(stored.clone());
        state
            .read_marks
            .insert(message.sender.sub.clone(), stored.seq);
        Ok((stored, state.room.clone()))
    }

    async fn messages(
        &self,
        room: &RoomId,
        limit: usize,
        before: Option<u64>,
    ) -> Result<MessagePage, StoreError> {
        let rooms = self.rooms.lock().unwrap();
        let newest_first = rooms
            .get(room)
            .map(|state| {
                state
                    .messages
                    .iter()
                    .rev()
                    .filter(|m| before.is_none_or(|before| m.seq < before))
                    .take(limit + 1)
                    .cloned()
                    .collect()
            })
            .unwrap_or_default();
        Ok(MessagePage::from_overfetch(newest_first, limit))
    }

    async fn mark_read(
        &self,
        room: &RoomId,
        sub: &str,
        seq: u64,
    ) -> Result<(Room, Membership), ChatWriteError> {
        let mut rooms = self.rooms.lock().unwrap();
        let state = rooms.get_mut(room).ok_or(ChatWriteError::NotMember)?;
        state.membership(sub).ok_or(ChatWriteError::NotMember)?;
        let mark = seq.min(state.room.last_seq);
        let current = state.read_marks.entry(sub.to_owned()).or_default();
        *current = (*current).max(mark);
        let me = state.membership(sub).ok_or(ChatWriteError::NotMember)?;
        Ok((state.room.clone(), me))
    }

    async fn add_member(
        &self,
        room: &RoomId,
        by: &str,
        person: &Person,
    ) -> Result<Room, ChatWriteError> {
        let mut rooms = self.rooms.lock().unwrap();
        let state = rooms.get_mut(room).ok_or(ChatWriteError::NotMember)?;
        state.membership(by).ok_or(ChatWriteError::NotMember)?;
        if state.membership(&person.sub).is_some() {
            return Err(ChatWriteError::AlreadyMember);
        }
        if state.room.members.len() >= MAX_MEMBERS {
            return Err(ChatWriteError::Full);
        }
        state.room.members.push(person.clone());
        Ok(state.room.clone())
    }

    async fn remove_member(&self, room: &RoomId, sub: &str) -> Result<Room, ChatWriteError> {
        let mut rooms = self.rooms.lock().unwrap();
        let state = rooms.get_mut(room).ok_or(ChatWriteError::NotMember)?;
        state.membership(sub).ok_or(ChatWriteError::NotMember)?;
        state.room.members.retain(|person| person.sub != sub);
        state.read_marks.remove(sub);
        Ok(state.room.clone())
    }
}

#[async_trait]
impl UserDirectory for FakeIdentity {
    async fn find(&self, username: &Username) -> Result<Option<Person>, IdentityError> {
        let accounts = self.accounts.lock().unwrap();
        Ok(accounts
            .get(username.as_ref())
            .filter(|account| account.confirmed)
            .map(|account| Person {
                sub: account.sub.clone(),
                username: username.as_ref().to_owned(),
            }))
    }
}

/// Pictures in memory: the catalog, the directory and the object store in one, so a test
/// can put an "uploaded" file where a form points and look at what was written.
#[derive(Default)]
pub struct InMemoryMedia {
    records: Mutex<HashMap<(String, MediaId), MediaRecord>>,
    avatars: Mutex<HashMap<String, MediaId>>,
    objects: Mutex<HashMap<MediaKey, Vec<u8>>>,
}

impl InMemoryMedia {
    /// Puts `bytes` at `key`, as a browser's upload would.
    pub fn put(&self, key: &MediaKey, bytes: Vec<u8>) {
        self.objects.lock().unwrap().insert(key.clone(), bytes);
    }

    /// The object at `key`.
    pub fn object(&self, key: &MediaKey) -> Option<Vec<u8>> {
        self.objects.lock().unwrap().get(key).cloned()
    }

    /// How many objects are stored.
    pub fn object_count(&self) -> usize {
        self.objects.lock().unwrap().len()
    }

    /// Changes the owner's record `id` with `change`, which says whether the record's stage
    /// allows it.
    fn change<T>(
        &self,
        owner: &str,
        id: &MediaId,
        change: impl FnOnce(&mut MediaRecord) -> Option<T>,
    ) -> Result<T, StageError> {
        let mut records = self.records.lock().unwrap();
        let record = records
            .get_mut(&(owner.to_owned(), id.clone()))
            .ok_or(StageError::NotFound)?;
        let before = record.clone();
        change(record).ok_or_else(|| StageError::WrongStage(Box::new(before)))
    }
}

#[async_trait]
impl AvatarDirectory for InMemoryMedia {
    async fn avatars(&self, owners: &[String]) -> Result<HashMap<String, Avatar>, StoreError> {
        let avatars = self.avatars.lock().unwrap();
        let records = self.records.lock().unwrap();
        Ok(owners
            .iter()
            .filter_map(|owner| {
                let picture = avatars.get(owner)?;
                let record = records.get(&(owner.clone(), picture.clone()))?;
                let Stage::Attached(variants, Attachment::Avatar) = &record.stage else {
                    return None;
                };
                let variants = variants.clone();
                Some((
                    owner.clone(),
                    Avatar {
                        picture: picture.clone(),
                        variants,
                    },
                ))
            })
            .collect())
    }
}

#[async_trait]
impl MediaCatalog for InMemoryMedia {
    async fn insert(&self, record: &MediaRecord) -> Result<(), StoreError> {
        self.records
            .lock()
            .unwrap()
            .insert((record.owner.clone(), record.id.clone()), record.clone());
        Ok(())
    }

    async fn get(&self, owner: &str, id: &MediaId) -> Result<Option<MediaRecord>, StoreError> {
        Ok(self
            .records
            .lock()
            .unwrap()
            .get(&(owner.to_owned(), id.clone()))
            .cloned())
    }

    async fn unattached(&self, owner: &str) -> Result<Vec<MediaRecord>, StoreError> {
        let mut found: Vec<MediaRecord> = self
            .records
            .lock()
            .unwrap()
            .values()
            .filter(|r| r.owner == owner && !matches!(r.stage, Stage::Attached(..)))
            .cloned()
            .collect();
        found.sort_by_key(|r| r.created_at_ms);
        Ok(found)
    }

    async fn start_processing(
        &self,
        owner: &str,
        id: &MediaId,
        at_ms: i64,
        stuck_before_ms: i64,
    ) -> Result<(), StageError> {
        self.change(owner, id, |r| {
            r.start_processing(at_ms, stuck_before_ms).then_some(())
        })
    }

    async fn stop_processing(
        &self,
        owner: &str,
        id: &MediaId,
        at_ms: i64,
    ) -> Result<(), StageError> {
        self.change(owner, id, |r| r.stop_processing(at_ms).then_some(()))
    }

    async fn finish(
        &self,
        owner: &str,
        id: &MediaId,
        picture: &Picture,
        at_ms: i64,
    ) -> Result<(), StageError> {
        self.change(owner, id, |r| r.finish(picture, at_ms).then_some(()))
    }

    async fn attach(
        &self,
        owner: &str,
        id: &MediaId,
        to: Attachment,
        at_ms: i64,
    ) -> Result<Picture, StageError> {
        self.change(owner, id, |r| r.attach(to, at_ms))
    }

    async fn detach(
        &self,
        owner: &str,
        id: &MediaId,
        from: Attachment,
        at_ms: i64,
    ) -> Result<(), StageError> {
        self.change(owner, id, |r| r.detach(from, at_ms).then_some(()))
    }

    async fn set_avatar(
        &self,
        owner: &str,
        id: &MediaId,
        at_ms: i64,
    ) -> Result<(Picture, Option<MediaId>), StageError> {
        let picture = self.attach(owner, id, Attachment::Avatar, at_ms).await?;
        let previous = self
            .avatars
            .lock()
            .unwrap()
            .insert(owner.to_owned(), id.clone());
        Ok((picture, previous))
    }

    async fn clear_avatar(&self, owner: &str) -> Result<Option<MediaId>, StoreError> {
        Ok(self.avatars.lock().unwrap().remove(owner))
    }

    async fn remove(&self, owner: &str, id: &MediaId) -> Result<Option<MediaRecord>, StoreError> {
        Ok(self
            .records
            .lock()
            .unwrap()
            .remove(&(owner.to_owned(), id.clone())))
    }
}

#[async_trait]
impl MediaStore for InMemoryMedia {
    async fn presign_upload(&self, policy: &UploadPolicy) -> Result<UploadTarget, StoreError> {
        Ok(UploadTarget {
            url: "memory://uploads".into(),
            fields: BTreeMap::from([
                ("key".to_owned(), policy.key.as_ref().to_owned()),
                (
                    "Content-Type".to_owned(),
                    policy.content_type.mime().to_owned(),
                ),
            ]),
        })
    }

    async fn read(&self, key: &MediaKey, max_bytes: u64) -> Result<Vec<u8>, ReadError> {
        ReadError::bounded(self.object(key).ok_or(ReadError::Missing)?, max_bytes)
    }

    async fn write_variant(
        &self,
        key: &MediaKey,
        bytes: Vec<u8>,
        _kind: ImageType,
    ) -> Result<(), StoreError> {
        self.put(key, bytes);
        Ok(())
    }

    async fn delete(&self, key: &MediaKey) -> Result<(), StoreError> {
        self.objects.lock().unwrap().remove(key);
        Ok(())
    }
}

/// Flag rules that stay as they were given.
pub struct FixedFlags(Arc<FlagRules>);

impl FixedFlags {
    /// Always `rules`.
    pub fn new(rules: FlagRules) -> Self {
        Self(Arc::new(rules))
    }
}

#[async_trait]
impl FeatureFlags for FixedFlags {
    async fn rules(&self) -> Arc<FlagRules> {
        Arc::clone(&self.0)
    }
}
