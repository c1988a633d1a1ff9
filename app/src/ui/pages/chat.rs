//! Chat: the list of one's rooms (`/chats`) and one room (`/chats/{id}`). Messages are plain
//! text inserted as text nodes. New messages arrive over the live socket; while it is down
//! the pages poll. A message that could not be sent stays on screen, marked, with a retry.

use std::time::Duration;

use leptos::{ev::SubmitEvent, prelude::*, task::spawn_local};
use leptos_router::{
    components::A,
    hooks::{use_navigate, use_params_map},
};

use crate::{
    domain::MessageText,
    dto::{
        AddMemberRequest, ChatEvent, ChatMessage, ChatRoom, CreateRoomRequest, MarkReadRequest,
        SendMessageRequest,
    },
    error::AppError,
    server_fns::chat::{
        add_member, chat_messages, chat_rooms, create_room, leave_room, mark_read, room_details,
        send_message,
    },
    session::Session,
    ui::{
        Route,
        flags::{CHAT, WhenFlag},
        forms::{FieldError, FormError, LoadError, TextField, described_by, on_answer},
        i18n::{PageTitle, counted, describe, short_time, titled, use_i18n},
        live::ChatLive,
        pages::home::NotFound,
        pictures::Avatar,
        require_sign_in::RequireSignIn,
    },
};

/// How often a page asks for news while the live socket is down.
const POLL_EVERY: Duration = Duration::from_secs(3);

/// Runs `poll` every few seconds while the live socket is down.
fn poll_while_offline(live: ChatLive, poll: impl Fn() + Clone + 'static) {
    let handle = StoredValue::new_local(None::<IntervalHandle>);
    Effect::new(move || {
        if let Some(running) = handle.get_value() {
            running.clear();
        }
        let running = (!live.connected())
            .then(|| set_interval_with_handle(poll.clone(), POLL_EVERY).ok())
            .flatten();
        handle.set_value(running);
    });
    on_cleanup(move || {
        if let Some(running) = handle.get_value() {
            running.clear();
        }
    });
}

/// The signed-in person's rooms.
#[component]
pub fn Chats() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <WhenFlag flag=CHAT fallback=NotFound>
            <PageTitle page=titled(|m| m.chats) />
            <h1>{i18n.text(|m| m.chats)}</h1>
            <RequireSignIn>
                <RoomList />
                <NewRoom />
            </RequireSignIn>
        </WhenFlag>
    }
}

/// Rooms, most recent first, with unread counts; reloaded on every live event.
#[component]
fn RoomList() -> impl IntoView {
    let i18n = use_i18n();
    let live = expect_context::<ChatLive>();
    let session = expect_context::<Session>();
    let reloads = RwSignal::new(0_u32);
    let rooms = LocalResource::new(move || {
        live.last_event();
        reloads.get();
        session.authorized(chat_rooms())
    });
    poll_while_offline(live, move || reloads.update(|n| *n += 1));

    view! {
        <section aria-labelledby="rooms-title">
            <h2 id="rooms-title">{i18n.text(|m| m.your_rooms)}</h2>
            <Transition fallback=move || view! { <p class="muted">{i18n.text(|m| m.loading)}</p> }>
                {move || {
                    rooms.get().map(|answer| match answer {
                        Ok(list) if list.rooms.is_empty() => {
                            view! { <p class="muted">{i18n.text(|m| m.no_rooms)}</p> }.into_any()
                        }
                        Ok(list) => {
                            view! {
                                <ul class="room-list">
                                    {list.rooms.into_iter().map(|room| view! { <RoomRow room /> }).collect_view()}
                                </ul>
                            }
                                .into_any()
                        }
                        Err(err) => view! { <LoadError err /> }.into_any(),
                    })
                }}
            </Transition>
        </section>
    }
}

/// One room in the list.
#[component]
fn RoomRow(room: ChatRoom) -> impl IntoView {
    let i18n = use_i18n();
    let unread = room.unread_count_for_requester;
    let unread_label = move || counted(i18n.t(), unread, |m| m.unread_one, |m| m.unread_other);
    let preview = room.last_message_preview.clone();
    view! {
        <li class="room-item">
            <A href=Route::ChatRoom(room.room_id.clone()).to_string()>{room.name.clone()}</A>
            {(unread > 0).then(|| {
                view! {
                    <span class="badge" data-testid="room-unread" aria-label=unread_label>
                        {unread}
                    </span>
                }
            })}
            <p class="preview">
                {move || preview.clone().unwrap_or_else(|| i18n.t().no_messages.to_owned())}
            </p>
        </li>
    }
}

/// Starts a room: one person for a direct conversation, several (and a name) for a group.
#[component]
fn NewRoom() -> impl IntoView {
    let i18n = use_i18n();
    let session = expect_context::<Session>();
    let people = RwSignal::new(String::new());
    let name = RwSignal::new(String::new());
    let error = RwSignal::new(None::<AppError>);
    let start = Action::new_local(move |request: &CreateRoomRequest| {
        session.authorized(create_room(request.clone()))
    });
    let navigate = use_navigate();
    on_answer(start, error, move |room: ChatRoom| {
        navigate(
            &Route::ChatRoom(room.room_id).to_string(),
            Default::default(),
        );
    });
    let submit = move |event: SubmitEvent| {
        event.prevent_default();
        let member_usernames = people
            .get_untracked()
            .split([',', ' '])
            .map(str::trim)
            .filter(|name| !name.is_empty())
            .map(str::to_owned)
            .collect();
        start.dispatch_local(CreateRoomRequest {
            name: Some(name.get_untracked()),
            member_usernames,
        });
    };

    view! {
        <section aria-labelledby="new-room-title">
            <h2 id="new-room-title">{i18n.text(|m| m.start_room)}</h2>
            <form on:submit=submit novalidate>
                <TextField label=|m| m.people name="memberUsernames" value=people error=error />
                <TextField label=|m| m.room_name name="name" value=name error=error />
                <FormError error=error />
                <button type="submit" disabled=move || start.pending().get()>{i18n.text(|m| m.start)}</button>
            </form>
        </section>
    }
}

/// One room: its messages and a composer.
#[component]
pub fn ChatRoomPage() -> impl IntoView {
    let params = use_params_map();
    let id = StoredValue::new(params.read_untracked().get("id").unwrap_or_default());
    view! {
        <WhenFlag flag=CHAT fallback=NotFound>
            <RequireSignIn>
                <Conversation id=id.get_value() />
            </RequireSignIn>
        </WhenFlag>
    }
}

/// A message typed here that the server has not accepted (yet).
#[derive(Debug, Clone, PartialEq)]
struct Outgoing {
    key: u64,
    text: String,
    failed: Option<AppError>,
}

/// The room's header, messages, and composer.
#[component]
fn Conversation(id: String) -> impl IntoView {
    let i18n = use_i18n();
    let session = expect_context::<Session>();
    let live = expect_context::<ChatLive>();
    let room = {
        let id = id.clone();
        LocalResource::new(move || session.authorized(room_details(id.clone())))
    };
    let title = Signal::derive(move || match room.get() {
        Some(Ok(room)) => room.name,
        _ => i18n.t().chat.to_owned(),
    });
    let messages = RwSignal::new(Vec::<ChatMessage>::new());
    let older = RwSignal::new(None::<String>);
    let error = RwSignal::new(None::<AppError>);
    let read_up_to = StoredValue::new(0_u64);

    let merge = move |arrived: Vec<ChatMessage>| {
        messages.update(|shown| {
            for message in arrived {
                if !shown.iter().any(|m| m.id == message.id) {
                    shown.push(message);
                }
            }
            shown.sort_by_key(|m| m.id.parse::<u64>().unwrap_or_default());
        });
    };
    let mark_latest = {
        let id = id.clone();
        move || {
            let Some(last) = messages
                .with_untracked(|shown| shown.last().and_then(|m| m.id.parse::<u64>().ok()))
            else {
                return;
            };
            if last <= read_up_to.get_value() {
                return;
            }
            read_up_to.set_value(last);
            let id = id.clone();
            spawn_local(async move {
                let request = MarkReadRequest {
                    message_id: last.to_string(),
                };
                if session.authorized(mark_read(id, request)).await.is_ok() {
                    live.refresh_unread();
                }
            });
        }
    };
    let load_newest = {
        let (id, mark_latest) = (id.clone(), mark_latest.clone());
        move || {
            let (id, mark_latest) = (id.clone(), mark_latest.clone());
            spawn_local(async move {
                match session.authorized(chat_messages(id, None)).await {
                    Ok(page) => {
                        if messages.with_untracked(Vec::is_empty) {
                            older.set(page.next_cursor.clone());
                        }
                        merge(page.messages);
                        mark_latest();
                    }
                    Err(err) => error.set(Some(err)),
                }
            });
        }
    };
    load_newest();
    poll_while_offline(live, load_newest.clone());
    {
        let (id, mark_latest) = (id.clone(), mark_latest.clone());
        Effect::new(move || {
            if let Some(ChatEvent::Message { message }) = live.last_event()
                && message.room_id == id
            {
                merge(vec![message]);
                mark_latest();
            }
        });
    }
    let load_older = {
        let id = id.clone();
        move || {
            let Some(cursor) = older.get_untracked() else {
                return;
            };
            older.set(None);
            let id = id.clone();
            spawn_local(async move {
                if let Ok(page) = session.authorized(chat_messages(id, Some(cursor))).await {
                    older.set(page.next_cursor);
                    merge(page.messages);
                }
            });
        }
    };

    view! {
        <PageTitle page=title />
        <Transition fallback=move || view! { <p class="muted">{i18n.text(|m| m.loading)}</p> }>
            {move || {
                room.get().map(|answer| match answer {
                    Ok(room) => view! { <RoomHeader room /> }.into_any(),
                    Err(err) => view! { <h1>{i18n.text(|m| m.chat)}</h1><LoadError err /> }.into_any(),
                })
            }}
        </Transition>
        <FormError error=error />
        <MessageList messages older load_older=load_older.clone() />
        <Composer room_id=id merge />
    }
}

/// The room's name, members, and the ways to add someone or leave.
#[component]
fn RoomHeader(room: ChatRoom) -> impl IntoView {
    let i18n = use_i18n();
    let session = expect_context::<Session>();
    let someone = RwSignal::new(String::new());
    let error = RwSignal::new(None::<AppError>);
    let room_id = room.room_id.clone();
    let add = Action::new_local(move |request: &(String, AddMemberRequest)| {
        session.authorized(add_member(request.0.clone(), request.1.clone()))
    });
    on_answer(add, error, move |_| someone.set(String::new()));
    let leave =
        Action::new_local(move |room_id: &String| session.authorized(leave_room(room_id.clone())));
    let navigate = use_navigate();
    on_answer(leave, error, move |()| {
        navigate(&Route::Chats.to_string(), Default::default())
    });
    let submit = {
        let room_id = room_id.clone();
        move |event: SubmitEvent| {
            event.prevent_default();
            add.dispatch_local((
                room_id.clone(),
                AddMemberRequest {
                    username: someone.get_untracked(),
                },
            ));
        }
    };

    view! {
        <h1>{room.name.clone()}</h1>
        <ul class="room-members" data-testid="room-members" aria-label=i18n.text(|m| m.members)>
            {room
                .members
                .iter()
                .map(|member| {
                    view! {
                        <li>
                            <Avatar url=member.avatar_url.clone() name=member.username.clone() size=24 />
                            {member.username.clone()}
                        </li>
                    }
                })
                .collect_view()}
        </ul>
        <details class="room-settings">
            <summary>{i18n.text(|m| m.room_settings)}</summary>
            <form on:submit=submit novalidate>
                <TextField label=|m| m.add_someone name="username" value=someone error=error />
                <FormError error=error />
                <button type="submit" class="secondary" disabled=move || add.pending().get()>{i18n.text(|m| m.add)}</button>
            </form>
            <button type="button" class="danger" on:click=move |_| { leave.dispatch_local(room_id.clone()); }>
                {i18n.text(|m| m.leave_room)}
            </button>
        </details>
    }
}

/// Messages, oldest at the top; scrolling to the top loads older ones.
#[component]
fn MessageList(
    messages: RwSignal<Vec<ChatMessage>>,
    older: RwSignal<Option<String>>,
    load_older: impl Fn() + Clone + Send + Sync + 'static,
) -> impl IntoView {
    let i18n = use_i18n();
    let session = expect_context::<Session>();
    let list = NodeRef::<leptos::html::Ol>::new();
    // New messages scroll into view.
    Effect::new(move || {
        messages.with(Vec::len);
        if let Some(list) = list.get() {
            list.set_scroll_top(list.scroll_height());
        }
    });
    let on_scroll = {
        let load_older = load_older.clone();
        move |_| {
            if list.get().is_some_and(|list| list.scroll_top() < 40) {
                load_older();
            }
        }
    };

    view! {
        <Show when=move || older.get().is_some()>
            <button type="button" class="secondary" on:click={
                let load_older = load_older.clone();
                move |_| load_older()
            }>{i18n.text(|m| m.older_messages)}</button>
        </Show>
        <ol class="messages" node_ref=list on:scroll=on_scroll aria-label=i18n.text(|m| m.messages) aria-live="polite" tabindex="0">
            <For
                each=move || messages.get()
                key=|message| message.id.clone()
                children=move |message| {
                    let mine = session.user().is_some_and(|me| me.sub == message.sender_id);
                    let sent_at = message.sent_at;
                    view! {
                        <li class="message" class:mine=mine data-testid="message">
                            <p class="message-meta">
                                <Avatar url=message.avatar_url.clone() name=message.sender_name.clone() size=24 />
                                <span class="author">{message.sender_name.clone()}</span>
                                " · "
                                <time>{move || short_time(i18n.language(), sent_at)}</time>
                            </p>
                            <p class="message-text">{message.text.clone()}</p>
                        </li>
                    }
                }
            />
        </ol>
    }
}

/// Writes a message; Enter sends, Shift+Enter starts a new line.
#[component]
fn Composer(
    room_id: String,
    merge: impl Fn(Vec<ChatMessage>) + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let i18n = use_i18n();
    let session = expect_context::<Session>();
    let draft = RwSignal::new(String::new());
    let outgoing = RwSignal::new(Vec::<Outgoing>::new());
    let next_key = StoredValue::new(0_u64);
    let invalid = RwSignal::new(None::<AppError>);

    let deliver = move |room_id: String, key: u64, text: String| {
        spawn_local(async move {
            let request = SendMessageRequest {
                room_id,
                text,
                sender_id: None,
            };
            match session.authorized(send_message(request)).await {
                Ok(message) => {
                    outgoing.update(|pending| pending.retain(|o| o.key != key));
                    merge(vec![message]);
                }
                Err(err) => outgoing.update(|pending| {
                    if let Some(o) = pending.iter_mut().find(|o| o.key == key) {
                        o.failed = Some(err);
                    }
                }),
            }
        });
    };
    let send = {
        let room_id = room_id.clone();
        move || {
            let text = draft.get_untracked();
            if let Err(err) = MessageText::parse(&text) {
                return invalid.set(Some(err.into()));
            }
            invalid.set(None);
            let key = next_key.get_value();
            next_key.set_value(key + 1);
            outgoing.update(|pending| {
                pending.push(Outgoing {
                    key,
                    text: text.clone(),
                    failed: None,
                })
            });
            draft.set(String::new());
            deliver(room_id.clone(), key, text);
        }
    };
    let invalid_message = move || invalid.get().map(|err| describe(i18n.t(), &err));
    let on_keydown = {
        let send = send.clone();
        move |event: leptos::ev::KeyboardEvent| {
            if event.key() == "Enter" && !event.shift_key() && !event.is_composing() {
                event.prevent_default();
                send();
            }
        }
    };
    let on_submit = {
        let send = send.clone();
        move |event: SubmitEvent| {
            event.prevent_default();
            send();
        }
    };

    view! {
        <ul class="outgoing" aria-live="polite">
            <For
                each=move || outgoing.get()
                key=|o| (o.key, o.failed.is_some())
                children=move |o| {
                    let retry = {
                        let room_id = room_id.clone();
                        let (key, text) = (o.key, o.text.clone());
                        move |_| {
                            outgoing.update(|pending| {
                                if let Some(o) = pending.iter_mut().find(|o| o.key == key) {
                                    o.failed = None;
                                }
                            });
                            deliver(room_id.clone(), key, text.clone());
                        }
                    };
                    view! {
                        <li class="message mine" class:failed=o.failed.is_some() data-testid="outgoing">
                            <p class="message-text">{o.text.clone()}</p>
                            {match o.failed.clone() {
                                Some(why) => view! {
                                    <p class="error" role="alert">
                                        {i18n.text(|m| m.not_sent)} " " {move || describe(i18n.t(), &why)} " "
                                        <button type="button" class="link-button" on:click=retry>{i18n.text(|m| m.retry)}</button>
                                    </p>
                                }.into_any(),
                                None => view! { <p class="muted">{i18n.text(|m| m.sending)}</p> }.into_any(),
                            }}
                        </li>
                    }
                }
            />
        </ul>
        <form class="composer" on:submit=on_submit novalidate>
            <label for="message-text">{i18n.text(|m| m.message)}</label>
            <textarea
                id="message-text"
                name="text"
                rows="2"
                prop:value=move || draft.get()
                on:input=move |event| draft.set(event_target_value(&event))
                on:keydown=on_keydown
                aria-invalid=move || invalid.get().is_some().to_string()
                aria-describedby=described_by(Some("message-hint".to_owned()), "message-text-error".to_owned(), invalid_message)
            ></textarea>
            <p id="message-hint" class="hint">{i18n.text(|m| m.message_hint)}</p>
            <FieldError id="message-text-error".to_owned() message=invalid_message />
            <button type="submit">{i18n.text(|m| m.send)}</button>
        </form>
    }
}
