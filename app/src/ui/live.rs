//! The live chat connection. While someone is signed in it keeps one WebSocket open (a fresh
//! single-use ticket each time), publishes what arrives as signals, keeps the unread total
//! for the header, and says whether it is up, so pages poll when it is not. A dropped socket
//! is reopened after 1 s, doubling to 30 s.

use std::time::Duration;

use leptos::{prelude::*, task::spawn_local};
use wasm_bindgen::{JsCast, closure::Closure};
use web_sys::{CloseEvent, MessageEvent, WebSocket};

use crate::{
    dto::ChatEvent,
    server_fns::chat::{chat_rooms, socket_ticket},
    session::Session,
    ui::flags::{CHAT, Flags},
};

/// The longest wait before reopening a dropped socket.
const MAX_BACKOFF: Duration = Duration::from_secs(30);

/// What pages read of the live connection, provided as context by [`crate::App`].
#[derive(Debug, Clone, Copy)]
pub struct ChatLive {
    connected: RwSignal<bool>,
    last_event: RwSignal<Option<ChatEvent>>,
    unread_total: RwSignal<u64>,
    /// Numbers each unread request, so an answer that was overtaken by a later event is
    /// dropped instead of overwriting a newer total.
    unread_asked: StoredValue<u64>,
}

/// The open socket and the handlers it calls (dropped together).
struct OpenSocket {
    socket: WebSocket,
    _on_message: Closure<dyn FnMut(MessageEvent)>,
    _on_close: Closure<dyn FnMut(CloseEvent)>,
}

impl Drop for OpenSocket {
    fn drop(&mut self) {
        self.socket.set_onmessage(None);
        self.socket.set_onclose(None);
        let _ = self.socket.close();
    }
}

impl ChatLive {
    /// Starts following `session`: a socket while signed in with chat on, none otherwise.
    pub fn start(session: Session, flags: Flags) -> Self {
        let live = Self {
            connected: RwSignal::new(false),
            last_event: RwSignal::new(None),
            unread_total: RwSignal::new(0),
            unread_asked: StoredValue::new(0),
        };
        let open = StoredValue::new_local(None::<OpenSocket>);
        let backoff = StoredValue::new(Duration::from_secs(1));
        Effect::new(move || match session.user().filter(|_| flags.on(CHAT)) {
            Some(_) => live.connect(open, backoff, session),
            None => {
                open.set_value(None);
                live.connected.set(false);
                live.unread_total.set(0);
            }
        });
        live
    }

    /// Whether events arrive live; when not, pages poll.
    pub fn connected(&self) -> bool {
        self.connected.get()
    }

    /// The latest event, reactively.
    pub fn last_event(&self) -> Option<ChatEvent> {
        self.last_event.get()
    }

    /// Unread messages over all the person's rooms.
    pub fn unread_total(&self) -> u64 {
        self.unread_total.get()
    }

    /// Asks the server for the unread total again (after reading, on every event, or when
    /// events were missed). Only the answer to the latest request counts: the server stores
    /// a message before announcing it, so that answer includes every event seen so far.
    pub fn refresh_unread(self) {
        self.unread_asked.update_value(|asked| *asked += 1);
        let this_request = self.unread_asked.get_value();
        spawn_local(async move {
            if let Ok(rooms) = chat_rooms().await
                && self.unread_asked.get_value() == this_request
            {
                self.unread_total.set(rooms.unread_total);
            }
        });
    }

    fn connect(
        self,
        open: StoredValue<Option<OpenSocket>, LocalStorage>,
        backoff: StoredValue<Duration>,
        session: Session,
    ) {
        spawn_local(async move {
            let opened = match socket_ticket().await {
                Ok(ticket) => socket_url(&ticket.url, &ticket.ticket)
                    .and_then(|url| WebSocket::new(&url).ok()),
                Err(_) => None,
            };
            let Some(socket) = opened else {
                return self.retry_later(open, backoff, session);
            };
            let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
                let Some(text) = event.data().as_string() else {
                    return;
                };
                let Ok(event) = serde_json::from_str::<ChatEvent>(&text) else {
                    return;
                };
                let mine = matches!(&event, ChatEvent::Message { message } if session.user().is_some_and(|me| me.sub == message.sender_id));
                if !mine {
                    self.refresh_unread();
                }
                self.last_event.set(Some(event));
            });
            let on_close = Closure::<dyn FnMut(CloseEvent)>::new(move |_: CloseEvent| {
                self.connected.set(false);
                self.retry_later(open, backoff, session);
            });
            let on_open = Closure::once_into_js(move || {
                backoff.set_value(Duration::from_secs(1));
                self.connected.set(true);
                self.refresh_unread();
            });
            socket.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
            socket.set_onclose(Some(on_close.as_ref().unchecked_ref()));
            socket.set_onopen(Some(on_open.unchecked_ref()));
            open.set_value(Some(OpenSocket {
                socket,
                _on_message: on_message,
                _on_close: on_close,
            }));
        });
    }

    /// Tries again after the current back-off, doubling it, if the person is still signed in.
    fn retry_later(
        self,
        open: StoredValue<Option<OpenSocket>, LocalStorage>,
        backoff: StoredValue<Duration>,
        session: Session,
    ) {
        let wait = backoff.get_value();
        backoff.set_value((wait * 2).min(MAX_BACKOFF));
        set_timeout(
            move || {
                if session.user().is_some() {
                    self.connect(open, backoff, session);
                }
            },
            wait,
        );
    }
}

/// The socket's address: `url` as given when absolute, else on this page's host with the
/// matching scheme (`wss` for `https`).
fn socket_url(url: &str, ticket: &str) -> Option<String> {
    let base = if url.starts_with("ws://") || url.starts_with("wss://") {
        url.to_owned()
    } else {
        let location = web_sys::window()?.location();
        let scheme = if location.protocol().ok()? == "https:" {
            "wss"
        } else {
            "ws"
        };
        format!("{scheme}://{}{url}", location.host().ok()?)
    };
    Some(format!("{base}?ticket={ticket}"))
}
