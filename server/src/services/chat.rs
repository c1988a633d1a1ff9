//! The chat rules: who may see and write in a room (members only; to anyone else a room is
//! the same 404 as one that does not exist), that the sender is always the caller, how fast
//! one person may send, how direct conversations are found rather than duplicated, and what
//! each member's socket is told.

use std::{
    collections::{BTreeSet, HashMap},
    num::NonZeroU32,
    sync::Arc,
};

use app::{
    domain::{MessageText, RoomId, RoomName, Username},
    dto::{
        AddMemberRequest, ChatEvent, ChatMessage, ChatRoom, CreateRoomRequest, MarkReadRequest,
        MarkReadResponse, MessagesResponse, RoomMember, RoomsResponse, SendMessageRequest,
        SocketTicketResponse,
    },
    error::AppError,
    services::{Caller, ChatService},
};
use async_trait::async_trait;
use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use governor::{
    DefaultKeyedRateLimiter, Quota, RateLimiter,
    clock::{Clock as _, DefaultClock},
};

use super::{
    media::avatar_urls,
    paging::{decode_before, encode_before, page_size},
    store_failed,
};
use crate::{
    ports::{
        AvatarDirectory, ChatStore, ChatWriteError, Clock, Created, IdentityError, LiveDelivery,
        MAX_MEMBERS, Membership, NewMessage, NewRoom, Person, Room, SocketTickets, StoredMessage,
        TICKET_LIFETIME, UserDirectory,
    },
    telemetry::error_chain,
};

/// Messages one person may send back to back.
const SEND_BURST: u32 = 10;
/// Characters of the last message shown in a room list.
const PREVIEW_CHARS: usize = 100;

/// What the chat service needs to know about where it runs.
#[derive(Debug, Clone)]
pub struct ChatSettings {
    /// Where browsers open their socket: a path on this origin locally, the WebSocket
    /// API's `wss://` URL on AWS.
    pub socket_url: String,
}

/// The chat service every surface calls.
pub struct Chats<S, D, T, U, C> {
    store: S,
    delivery: D,
    tickets: T,
    users: U,
    avatars: Arc<dyn AvatarDirectory>,
    clock: C,
    settings: ChatSettings,
    sends: DefaultKeyedRateLimiter<String>,
}

impl<S, D, T, U, C> Chats<S, D, T, U, C>
where
    S: ChatStore,
    D: LiveDelivery,
    T: SocketTickets,
    U: UserDirectory,
    C: Clock,
{
    /// Chat on `store`, pushing through `delivery`, admitting sockets with `tickets`, finding
    /// people in `users` and their pictures in `avatars`.
    pub fn new(
        store: S,
        delivery: D,
        tickets: T,
        users: U,
        avatars: Arc<dyn AvatarDirectory>,
        clock: C,
        settings: ChatSettings,
    ) -> Self {
        let one_per_second = Quota::per_second(NonZeroU32::MIN)
            .allow_burst(NonZeroU32::new(SEND_BURST).unwrap_or(NonZeroU32::MIN));
        Self {
            store,
            delivery,
            tickets,
            users,
            avatars,
            clock,
            settings,
            sends: RateLimiter::keyed(one_per_second),
        }
    }

    /// Tells every member's open sockets about `event`. A failure is logged, not returned:
    /// what triggered it is stored, and sockets fall back to polling.
    async fn announce(&self, room: &Room, event: &ChatEvent) {
        let subs: Vec<String> = room
            .members
            .iter()
            .map(|person| person.sub.clone())
            .collect();
        let payload = match serde_json::to_string(event) {
            Ok(payload) => payload,
            Err(err) => return tracing::error!(%err, "could not encode a chat event"),
        };
        if let Err(err) = self.delivery.push(&subs, &payload).await {
            tracing::warn!(error = %error_chain(&err), "live delivery failed; clients will poll");
        }
    }

    async fn person(&self, raw: &str) -> Result<Person, AppError> {
        let username = Username::parse(raw).map_err(|err| {
            AppError::invalid_field("memberUsernames", format!("{raw:?}: {}", err.message))
        })?;
        self.users
            .find(&username)
            .await
            .map_err(directory_failed)?
            .ok_or_else(|| {
                AppError::invalid_field(
                    "memberUsernames",
                    format!("There is no one called {}.", username.as_ref()),
                )
            })
    }

    /// The 64 px pictures of everyone in `rooms`.
    async fn avatars_in(&self, rooms: &[&Room]) -> HashMap<String, String> {
        let people = rooms
            .iter()
            .flat_map(|room| room.members.iter().map(|person| person.sub.clone()))
            .collect();
        avatar_urls(self.avatars.as_ref(), people).await
    }

    /// A room as `me` sees it, with its members' pictures.
    async fn view_of(&self, room: &Room, me: &Membership) -> ChatRoom {
        view(room, me, &self.avatars_in(&[room]).await)
    }

    /// The room and the caller's place in it, or the 404 anyone else gets.
    async fn room_for(
        &self,
        caller: &Caller,
        room_id: &str,
    ) -> Result<(Room, Membership), AppError> {
        let id = room_id_in_path(room_id)?;
        self.store
            .room_for(&id, &caller.sub)
            .await
            .map_err(store_failed)?
            .ok_or_else(no_such_room)
    }
}

fn no_such_room() -> AppError {
    AppError::not_found("There is no such room.")
}

/// A room id from a URL: a malformed one names no room, so it is the same 404.
fn room_id_in_path(raw: &str) -> Result<RoomId, AppError> {
    RoomId::parse(raw).map_err(|_| no_such_room())
}

fn directory_failed(err: IdentityError) -> AppError {
    tracing::error!(error = %error_chain(&err), "user directory failed");
    AppError::unavailable()
}

fn refused(err: ChatWriteError) -> AppError {
    match err {
        ChatWriteError::NotMember => no_such_room(),
        ChatWriteError::AlreadyMember => {
            AppError::conflict(Some("username"), "That person is in the room already.")
        }
        ChatWriteError::Full => AppError::conflict(
            None,
            format!("A room holds at most {MAX_MEMBERS} people, and a person at most 200 rooms."),
        ),
        ChatWriteError::Store(err) => store_failed(err),
    }
}

/// The id of the direct conversation between two people: the same whoever starts it, so a
/// second start finds the first.
fn direct_room_id(a: &str, b: &str) -> RoomId {
    let (low, high) = if a <= b { (a, b) } else { (b, a) };
    let digest = aws_lc_rs::digest::digest(
        &aws_lc_rs::digest::SHA256,
        format!("{low}\n{high}").as_bytes(),
    );
    let id = format!("dm_{}", URL_SAFE_NO_PAD.encode(&digest.as_ref()[..16]));
    RoomId::parse(&id).unwrap_or_else(|_| unreachable!("base64url is in the id alphabet"))
}

/// A fresh random room id.
fn random_room_id() -> Result<RoomId, AppError> {
    let mut bytes = [0u8; 16];
    aws_lc_rs::rand::fill(&mut bytes).map_err(|_| AppError::internal())?;
    RoomId::parse(&format!("r_{}", URL_SAFE_NO_PAD.encode(bytes))).map_err(|_| AppError::internal())
}

/// The start of a message, for lists.
fn preview(text: &str) -> String {
    text.chars().take(PREVIEW_CHARS).collect()
}

/// A room as `me` sees it; `avatars` holds its members' pictures.
fn view(room: &Room, me: &Membership, avatars: &HashMap<String, String>) -> ChatRoom {
    let others: Vec<&Person> = room
        .members
        .iter()
        .filter(|person| person.sub != me.person.sub)
        .collect();
    let name = match &room.name {
        Some(name) => name.as_ref().to_owned(),
        None => others.first().map_or_else(
            || me.person.username.clone(),
            |other| other.username.clone(),
        ),
    };
    ChatRoom {
        room_id: room.id.to_string(),
        name,
        direct: room.name.is_none(),
        member_ids: room
            .members
            .iter()
            .map(|person| person.sub.clone())
            .collect(),
        members: room
            .members
            .iter()
            .map(|person| RoomMember {
                user_id: person.sub.clone(),
                username: person.username.clone(),
                avatar_url: avatars.get(&person.sub).cloned(),
            })
            .collect(),
        last_message_preview: room.last_preview.clone(),
        last_activity_at: room.last_activity_ms,
        unread_count_for_requester: room.last_seq.saturating_sub(me.last_read_seq),
    }
}

/// The wire shape of a stored message; `avatars` holds its sender's picture.
fn message(stored: StoredMessage, avatars: &HashMap<String, String>) -> ChatMessage {
    ChatMessage {
        id: stored.seq.to_string(),
        room_id: stored.room_id.to_string(),
        avatar_url: avatars.get(&stored.sender.sub).cloned(),
        sender_id: stored.sender.sub,
        sender_name: stored.sender.username,
        text: stored.text.as_ref().to_owned(),
        sent_at: stored.sent_at_ms,
    }
}

fn caller_as_person(caller: &Caller) -> Person {
    Person {
        sub: caller.sub.clone(),
        username: caller.username.clone(),
    }
}

#[async_trait]
impl<S, D, T, U, C> ChatService for Chats<S, D, T, U, C>
where
    S: ChatStore,
    D: LiveDelivery,
    T: SocketTickets,
    U: UserDirectory,
    C: Clock,
{
    async fn create_room(
        &self,
        caller: &Caller,
        request: CreateRoomRequest,
    ) -> Result<ChatRoom, AppError> {
        let me = caller_as_person(caller);
        let mut wanted = BTreeSet::new();
        for raw in &request.member_usernames {
            let person = self.person(raw).await?;
            if person.sub != me.sub {
                wanted.insert(person);
            }
        }
        if wanted.is_empty() || wanted.len() >= MAX_MEMBERS {
            return Err(AppError::invalid_field(
                "memberUsernames",
                format!("Name 1 to {} other people.", MAX_MEMBERS - 1),
            ));
        }
        let name = request
            .name
            .as_deref()
            .filter(|name| !name.trim().is_empty())
            .map(RoomName::parse)
            .transpose()?;
        let direct_with = (name.is_none() && wanted.len() == 1)
            .then(|| wanted.first().cloned())
            .flatten();
        let id = match &direct_with {
            Some(other) => direct_room_id(&me.sub, &other.sub),
            None if name.is_none() => {
                return Err(AppError::invalid_field(
                    "name",
                    "A room with more than two people needs a name.",
                ));
            }
            None => random_room_id()?,
        };
        let members: Vec<Person> = std::iter::once(me.clone()).chain(wanted).collect();
        let new_room = NewRoom {
            id: id.clone(),
            name,
            members,
            at_ms: self.clock.now_ms(),
        };
        let room = match self.store.create_room(&new_room).await.map_err(refused)? {
            Created::New(room) => {
                self.announce(
                    &room,
                    &ChatEvent::Room {
                        room_id: id.to_string(),
                    },
                )
                .await;
                room
            }
            // Found, not duplicated; if the caller had left it, they come back.
            Created::Existing(room) if room.members.iter().any(|p| p.sub == me.sub) => room,
            Created::Existing(room) => {
                let other = direct_with
                    .as_ref()
                    .map_or(String::new(), |o| o.sub.clone());
                self.store
                    .add_member(&room.id, &other, &me)
                    .await
                    .map_err(refused)?
            }
        };
        let (room, membership) = self
            .store
            .room_for(&room.id, &me.sub)
            .await
            .map_err(store_failed)?
            .ok_or_else(no_such_room)?;
        Ok(self.view_of(&room, &membership).await)
    }

    async fn my_rooms(&self, caller: &Caller) -> Result<RoomsResponse, AppError> {
        let memberships = self
            .store
            .rooms_of(&caller.sub)
            .await
            .map_err(store_failed)?;
        let rooms: Vec<&Room> = memberships.iter().map(|(room, _)| room).collect();
        let avatars = self.avatars_in(&rooms).await;
        let mut rooms: Vec<ChatRoom> = memberships
            .iter()
            .map(|(room, me)| view(room, me, &avatars))
            .collect();
        rooms.sort_by(|a, b| {
            b.last_activity_at
                .cmp(&a.last_activity_at)
                .then_with(|| a.room_id.cmp(&b.room_id))
        });
        let unread_total = rooms
            .iter()
            .map(|room| room.unread_count_for_requester)
            .sum();
        Ok(RoomsResponse {
            success: true,
            rooms,
            unread_total,
        })
    }

    async fn room(&self, caller: &Caller, room_id: &str) -> Result<ChatRoom, AppError> {
        let (room, me) = self.room_for(caller, room_id).await?;
        Ok(self.view_of(&room, &me).await)
    }

    async fn send(
        &self,
        caller: &Caller,
        request: SendMessageRequest,
    ) -> Result<ChatMessage, AppError> {
        if request
            .sender_id
            .as_deref()
            .is_some_and(|claimed| claimed != caller.sub)
        {
            return Err(AppError::forbidden("You can only send as yourself."));
        }
        let room_id = RoomId::parse(&request.room_id)?;
        let text = MessageText::parse(&request.text)?;
        if let Err(not_until) = self.sends.check_key(&caller.sub) {
            let wait = not_until.wait_time_from(DefaultClock::default().now());
            return Err(AppError::throttled(wait.as_secs() + 1));
        }
        let new_message = NewMessage {
            sender: caller_as_person(caller),
            preview: preview(text.as_ref()),
            text,
            at_ms: self.clock.now_ms(),
        };
        let (stored, room) = self
            .store
            .append(&room_id, &new_message)
            .await
            .map_err(refused)?;
        let sender = avatar_urls(self.avatars.as_ref(), vec![caller.sub.clone()]).await;
        let sent = message(stored, &sender);
        self.announce(
            &room,
            &ChatEvent::Message {
                message: sent.clone(),
            },
        )
        .await;
        Ok(sent)
    }

    async fn messages(
        &self,
        caller: &Caller,
        room_id: &str,
        limit: Option<u32>,
        cursor: Option<String>,
    ) -> Result<MessagesResponse, AppError> {
        let limit = page_size(limit)?;
        let before = cursor.as_deref().map(decode_before).transpose()?;
        let (room, _) = self.room_for(caller, room_id).await?;
        let page = self
            .store
            .messages(&room.id, limit, before)
            .await
            .map_err(store_failed)?;
        let senders = avatar_urls(
            self.avatars.as_ref(),
            page.messages.iter().map(|m| m.sender.sub.clone()).collect(),
        )
        .await;
        Ok(MessagesResponse {
            success: true,
            messages: page
                .messages
                .into_iter()
                .map(|stored| message(stored, &senders))
                .collect(),
            next_cursor: page.next_before.map(encode_before),
        })
    }

    async fn mark_read(
        &self,
        caller: &Caller,
        room_id: &str,
        request: MarkReadRequest,
    ) -> Result<MarkReadResponse, AppError> {
        let room_id = room_id_in_path(room_id)?;
        let seq: u64 = request
            .message_id
            .parse()
            .ok()
            .filter(|seq| *seq > 0)
            .ok_or_else(|| AppError::invalid_field("messageId", "That is not a message id."))?;
        let (room, me) = self
            .store
            .mark_read(&room_id, &caller.sub, seq)
            .await
            .map_err(refused)?;
        Ok(MarkReadResponse {
            success: true,
            unread_count_for_requester: room.last_seq.saturating_sub(me.last_read_seq),
        })
    }

    async fn leave(&self, caller: &Caller, room_id: &str) -> Result<(), AppError> {
        let room_id = room_id_in_path(room_id)?;
        let room = self
            .store
            .remove_member(&room_id, &caller.sub)
            .await
            .map_err(refused)?;
        self.announce(
            &room,
            &ChatEvent::Room {
                room_id: room_id.to_string(),
            },
        )
        .await;
        Ok(())
    }

    async fn add_member(
        &self,
        caller: &Caller,
        room_id: &str,
        request: AddMemberRequest,
    ) -> Result<ChatRoom, AppError> {
        let room_id = room_id_in_path(room_id)?;
        let username = Username::parse(&request.username)?;
        let person = self
            .users
            .find(&username)
            .await
            .map_err(directory_failed)?
            .ok_or_else(|| AppError::invalid_field("username", "There is no one by that name."))?;
        let room = self
            .store
            .add_member(&room_id, &caller.sub, &person)
            .await
            .map_err(refused)?;
        self.announce(
            &room,
            &ChatEvent::Room {
                room_id: room_id.to_string(),
            },
        )
        .await;
        self.room(caller, room_id.as_ref()).await
    }

    async fn socket_ticket(&self, caller: &Caller) -> Result<SocketTicketResponse, AppError> {
        let mut bytes = [0u8; 32];
        aws_lc_rs::rand::fill(&mut bytes).map_err(|_| AppError::internal())?;
        let ticket = URL_SAFE_NO_PAD.encode(bytes);
        let lifetime_ms = i64::try_from(TICKET_LIFETIME.as_millis()).unwrap_or(i64::MAX);
        self.tickets
            .issue(&ticket, caller, self.clock.now_ms() + lifetime_ms)
            .await
            .map_err(store_failed)?;
        Ok(SocketTicketResponse {
            ticket,
            url: self.settings.socket_url.clone(),
            expires_in: TICKET_LIFETIME.as_secs(),
        })
    }

    async fn open_socket(&self, ticket: &str) -> Result<Caller, AppError> {
        self.tickets
            .redeem(ticket, self.clock.now_ms())
            .await
            .map_err(store_failed)?
            .ok_or_else(|| AppError::unauthorized("This socket ticket is not valid."))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{
        adapters::live::{LocalSockets, LocalTickets},
        ports::{ManualClock, SocketHub},
        services::fakes::{FakeIdentity, InMemoryChat, InMemoryMedia, caller},
    };
    use app::error::ErrorCode;

    type Service =
        Chats<InMemoryChat, Arc<LocalSockets>, LocalTickets, FakeIdentity, Arc<ManualClock>>;

    struct Fixture {
        chat: Service,
        sockets: Arc<LocalSockets>,
        clock: Arc<ManualClock>,
    }

    fn fixture() -> Fixture {
        let sockets = Arc::new(LocalSockets::default());
        let clock = Arc::new(ManualClock::at_ms(1_800_000_000_000));
        let people = FakeIdentity::with_confirmed("alice", "pw")
            .and_confirmed("bob", "pw")
            .and_confirmed("carol", "pw");
        let chat = Chats::new(
            InMemoryChat::default(),
            Arc::clone(&sockets),
            LocalTickets::default(),
            people,
            Arc::new(InMemoryMedia::default()),
            Arc::clone(&clock),
            ChatSettings {
                socket_url: "/api/chats/ws".into(),
            },
        );
        Fixture {
            chat,
            sockets,
            clock,
        }
    }

    fn with(names: &[&str], name: Option<&str>) -> CreateRoomRequest {
        CreateRoomRequest {
            name: name.map(str::to_owned),
            member_usernames: names.iter().map(|n| (*n).to_owned()).collect(),
        }
    }

    fn say(room: &str, text: &str) -> SendMessageRequest {
        SendMessageRequest {
            room_id: room.to_owned(),
            text: text.to_owned(),
            sender_id: None,
        }
    }

    #[tokio::test]
    async fn a_direct_conversation_is_found_whoever_starts_it_and_named_after_the_other() {
        let f = fixture();
        let first = f
            .chat
            .create_room(&caller("alice"), with(&["bob"], None))
            .await
            .unwrap();
        let again = f
            .chat
            .create_room(&caller("alice"), with(&["Bob"], None))
            .await
            .unwrap();
        let reverse = f
            .chat
            .create_room(&caller("bob"), with(&["alice"], None))
            .await
            .unwrap();

        assert!(first.direct);
        assert_eq!(first.name, "bob");
        assert_eq!(again.room_id, first.room_id);
        assert_eq!(reverse.room_id, first.room_id);
        assert_eq!(reverse.name, "alice");
        assert_eq!(
            f.chat.my_rooms(&caller("alice")).await.unwrap().rooms.len(),
            1
        );
    }

    #[tokio::test]
    async fn a_group_room_needs_a_name_and_people_who_exist() {
        let f = fixture();
        let alice = caller("alice");
        let cases = [
            (with(&["bob", "carol"], None), "name"),
            (with(&["nobody"], Some("Team")), "memberUsernames"),
            (with(&[], Some("Team")), "memberUsernames"),
            (with(&["alice"], Some("Just me")), "memberUsernames"),
            (with(&["bob"], Some("two\nlines")), "name"),
        ];
        for (request, field) in cases {
            let err = f.chat.create_room(&alice, request).await.unwrap_err();
            assert_eq!(err.field.as_deref(), Some(field));
        }
        let team = f
            .chat
            .create_room(&alice, with(&["bob", "carol"], Some(" Team ")))
            .await
            .unwrap();
        assert_eq!(
            (team.name.as_str(), team.direct, team.members.len()),
            ("Team", false, 3)
        );
    }

    #[tokio::test]
    async fn to_someone_outside_a_room_it_is_the_same_404_as_a_room_that_does_not_exist() {
        let f = fixture();
        let room = f
            .chat
            .create_room(&caller("alice"), with(&["bob"], None))
            .await
            .unwrap();
        let carol = caller("carol");
        let id = room.room_id.as_str();

        let answers = [
            f.chat.room(&carol, id).await.map(drop),
            f.chat.messages(&carol, id, None, None).await.map(drop),
            f.chat.send(&carol, say(id, "hi")).await.map(drop),
            f.chat
                .mark_read(
                    &carol,
                    id,
                    MarkReadRequest {
                        message_id: "1".into(),
                    },
                )
                .await
                .map(drop),
            f.chat.leave(&carol, id).await,
            f.chat
                .add_member(
                    &carol,
                    id,
                    AddMemberRequest {
                        username: "carol".into(),
                    },
                )
                .await
                .map(drop),
            f.chat.room(&carol, "r_nothing-here").await.map(drop),
            f.chat.room(&carol, "not a room id").await.map(drop),
        ];
        let nothing = f.chat.room(&carol, "r_nothing-here").await.unwrap_err();
        for answer in answers {
            assert_eq!(answer.unwrap_err(), nothing);
        }
        assert_eq!(nothing.code, ErrorCode::NotFound);
    }

    #[tokio::test]
    async fn the_sender_is_always_the_caller() {
        let f = fixture();
        let room = f
            .chat
            .create_room(&caller("alice"), with(&["bob"], None))
            .await
            .unwrap();
        let spoof = SendMessageRequest {
            sender_id: Some("sub-bob".into()),
            ..say(&room.room_id, "I am bob")
        };
        let own = SendMessageRequest {
            sender_id: Some("sub-alice".into()),
            ..say(&room.room_id, "I am alice")
        };

        let refused = f.chat.send(&caller("alice"), spoof).await.unwrap_err();
        let sent = f.chat.send(&caller("alice"), own).await.unwrap();

        assert_eq!(refused.code, ErrorCode::Forbidden);
        assert_eq!(
            (sent.sender_id.as_str(), sent.sender_name.as_str()),
            ("sub-alice", "alice")
        );
    }

    #[tokio::test]
    async fn messages_are_numbered_and_paged_newest_first() {
        let f = fixture();
        let room = f
            .chat
            .create_room(&caller("alice"), with(&["bob"], None))
            .await
            .unwrap();
        for n in 1..=5 {
            f.chat
                .send(&caller("alice"), say(&room.room_id, &format!("m{n}")))
                .await
                .unwrap();
        }
        let ids = |page: &MessagesResponse| {
            page.messages
                .iter()
                .map(|m| m.id.clone())
                .collect::<Vec<_>>()
        };

        let first = f
            .chat
            .messages(&caller("bob"), &room.room_id, Some(2), None)
            .await
            .unwrap();
        let second = f
            .chat
            .messages(
                &caller("bob"),
                &room.room_id,
                Some(2),
                first.next_cursor.clone(),
            )
            .await
            .unwrap();
        let last = f
            .chat
            .messages(
                &caller("bob"),
                &room.room_id,
                Some(2),
                second.next_cursor.clone(),
            )
            .await
            .unwrap();

        assert_eq!(
            (ids(&first), ids(&second), ids(&last)),
            (
                vec!["5".to_owned(), "4".into()],
                vec!["3".to_owned(), "2".into()],
                vec!["1".to_owned()]
            )
        );
        assert!(first.success && last.next_cursor.is_none());
        let forged = f
            .chat
            .messages(&caller("bob"), &room.room_id, None, Some("x".into()))
            .await
            .unwrap_err();
        assert_eq!(forged.field.as_deref(), Some("cursor"));
    }

    #[tokio::test]
    async fn unread_counts_follow_messages_and_read_marks_and_never_go_back() {
        let f = fixture();
        let room = f
            .chat
            .create_room(&caller("alice"), with(&["bob"], None))
            .await
            .unwrap();
        for text in ["one", "two", "three"] {
            f.chat
                .send(&caller("alice"), say(&room.room_id, text))
                .await
                .unwrap();
        }
        let unread = |n: u64| MarkReadRequest {
            message_id: n.to_string(),
        };

        assert_eq!(
            f.chat
                .room(&caller("bob"), &room.room_id)
                .await
                .unwrap()
                .unread_count_for_requester,
            3
        );
        assert_eq!(
            f.chat
                .room(&caller("alice"), &room.room_id)
                .await
                .unwrap()
                .unread_count_for_requester,
            0,
            "one's own messages are never unread"
        );
        let after_two = f
            .chat
            .mark_read(&caller("bob"), &room.room_id, unread(2))
            .await
            .unwrap();
        let backwards = f
            .chat
            .mark_read(&caller("bob"), &room.room_id, unread(1))
            .await
            .unwrap();
        let beyond = f
            .chat
            .mark_read(&caller("bob"), &room.room_id, unread(99))
            .await
            .unwrap();

        assert_eq!(after_two.unread_count_for_requester, 1);
        assert_eq!(backwards.unread_count_for_requester, 1);
        assert_eq!(beyond.unread_count_for_requester, 0);
        assert_eq!(
            f.chat.my_rooms(&caller("bob")).await.unwrap().unread_total,
            0
        );
        let bad = f
            .chat
            .mark_read(
                &caller("bob"),
                &room.room_id,
                MarkReadRequest {
                    message_id: "x".into(),
                },
            )
            .await
            .unwrap_err();
        assert_eq!(bad.field.as_deref(), Some("messageId"));
    }

    #[tokio::test]
    async fn one_person_gets_a_burst_of_ten_sends_then_waits_while_others_go_on() {
        let f = fixture();
        let room = f
            .chat
            .create_room(&caller("alice"), with(&["bob"], None))
            .await
            .unwrap();
        for n in 0..10 {
            f.chat
                .send(&caller("alice"), say(&room.room_id, &n.to_string()))
                .await
                .unwrap();
        }

        let throttled = f
            .chat
            .send(&caller("alice"), say(&room.room_id, "more"))
            .await
            .unwrap_err();
        assert_eq!(throttled.code, ErrorCode::Throttled);
        assert!(throttled.retry_after_secs.is_some_and(|secs| secs >= 1));
        f.chat
            .send(&caller("bob"), say(&room.room_id, "my turn"))
            .await
            .unwrap();
    }

    #[tokio::test]
    async fn each_member_s_socket_hears_a_message_and_a_stranger_s_hears_nothing() {
        let f = fixture();
        let room = f
            .chat
            .create_room(&caller("alice"), with(&["bob"], None))
            .await
            .unwrap();
        let mut bob = f.sockets.attach("sub-bob");
        let mut carol = f.sockets.attach("sub-carol");

        let sent = f
            .chat
            .send(&caller("alice"), say(&room.room_id, "hello bob"))
            .await
            .unwrap();

        let heard: ChatEvent = serde_json::from_str(&bob.events.recv().await.unwrap()).unwrap();
        assert_eq!(heard, ChatEvent::Message { message: sent });
        assert!(carol.events.try_recv().is_err());
    }

    #[tokio::test]
    async fn a_socket_ticket_opens_one_socket_once_within_thirty_seconds() {
        let f = fixture();
        let alice = caller("alice");
        let used = f.chat.socket_ticket(&alice).await.unwrap();
        let late = f.chat.socket_ticket(&alice).await.unwrap();
        assert_eq!((used.url.as_str(), used.expires_in), ("/api/chats/ws", 30));

        assert_eq!(f.chat.open_socket(&used.ticket).await.unwrap(), alice);
        let reused = f.chat.open_socket(&used.ticket).await.unwrap_err();
        f.clock.advance_secs(31);
        let expired = f.chat.open_socket(&late.ticket).await.unwrap_err();
        let forged = f.chat.open_socket("forged").await.unwrap_err();

        for refused in [reused, expired, forged] {
            assert_eq!(refused.code, ErrorCode::Unauthorized);
        }
    }

    #[tokio::test]
    async fn rooms_list_newest_activity_first_and_a_leaver_loses_the_room() {
        let f = fixture();
        let alice = caller("alice");
        let older = f
            .chat
            .create_room(&alice, with(&["bob"], None))
            .await
            .unwrap();
        f.clock.advance_secs(10);
        let newer = f
            .chat
            .create_room(&alice, with(&["bob", "carol"], Some("Team")))
            .await
            .unwrap();
        f.clock.advance_secs(10);
        f.chat
            .send(&alice, say(&older.room_id, "bump"))
            .await
            .unwrap();

        let order: Vec<String> = f
            .chat
            .my_rooms(&alice)
            .await
            .unwrap()
            .rooms
            .into_iter()
            .map(|r| r.room_id)
            .collect();
        assert_eq!(order, [older.room_id.clone(), newer.room_id.clone()]);

        f.chat
            .leave(&caller("carol"), &newer.room_id)
            .await
            .unwrap();
        assert!(f.chat.room(&caller("carol"), &newer.room_id).await.is_err());
        assert_eq!(
            f.chat
                .room(&alice, &newer.room_id)
                .await
                .unwrap()
                .members
                .len(),
            2
        );
        let back = f
            .chat
            .add_member(
                &caller("bob"),
                &newer.room_id,
                AddMemberRequest {
                    username: "carol".into(),
                },
            )
            .await
            .unwrap();
        assert_eq!(back.members.len(), 3);
        let twice = f
            .chat
            .add_member(
                &caller("bob"),
                &newer.room_id,
                AddMemberRequest {
                    username: "carol".into(),
                },
            )
            .await
            .unwrap_err();
        assert_eq!(twice.code, ErrorCode::Conflict);
    }

    #[tokio::test]
    async fn text_that_is_not_a_message_is_refused_by_field() {
        let f = fixture();
        let room = f
            .chat
            .create_room(&caller("alice"), with(&["bob"], None))
            .await
            .unwrap();
        for text in ["", "  ", &"x".repeat(2_001), "nul\0"] {
            let err = f
                .chat
                .send(&caller("alice"), say(&room.room_id, text))
                .await
                .unwrap_err();
            assert_eq!(err.field.as_deref(), Some("text"));
        }
    }
}
