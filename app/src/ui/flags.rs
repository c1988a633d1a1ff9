//! Feature flags in the SPA: asked of the server at start-up and whenever someone signs in
//! or out, so what is off for a person is not shown to them (the server refuses it too).
//! Until the answer arrives, flagged features stay hidden rather than flash and vanish.

use leptos::{prelude::*, task::spawn_local};

use crate::{dto::FlagsResponse, server_fns::flags::get_flags, session::Session};

/// The chat rooms.
pub const CHAT: &str = "chat";
/// Profile pictures and images in posts.
pub const PICTURES: &str = "pictures";
/// Comments under posts.
pub const COMMENTS: &str = "comments";
/// What is being tried on a group first (the post editor's live preview).
pub const BETA: &str = "beta";

/// The flags as they apply to whoever uses this tab, provided as context by [`crate::App`].
#[derive(Debug, Clone, Copy)]
pub struct Flags {
    current: RwSignal<Option<FlagsResponse>>,
}

impl Flags {
    /// Follows `session`: the flags are asked again once it is restored and whenever the
    /// person changes.
    pub fn start(session: Session) -> Self {
        let flags = Self {
            current: RwSignal::new(None),
        };
        Effect::new(move || {
            if !session.restored() {
                return;
            }
            let _person = session.user().map(|user| user.sub);
            spawn_local(async move {
                if let Ok(answer) = get_flags().await {
                    flags.current.set(Some(answer));
                }
            });
        });
        flags
    }

    /// Whether `flag` is on for this person (and known to be).
    pub fn on(self, flag: &str) -> bool {
        self.current
            .with(|current| current.as_ref().is_some_and(|flags| flags.enabled(flag)))
    }

    /// Whether the server has answered yet.
    pub fn known(self) -> bool {
        self.current.with(Option::is_some)
    }
}

/// Its children while `flag` is on; `fallback` once the flags say it is off.
#[component]
pub fn WhenFlag(
    flag: &'static str,
    children: ChildrenFn,
    #[prop(optional, into)] fallback: ViewFn,
) -> impl IntoView {
    let flags = expect_context::<Flags>();
    move || {
        if flags.on(flag) {
            Some(children().into_any())
        } else if flags.known() {
            Some(fallback.run().into_any())
        } else {
            None
        }
    }
}
