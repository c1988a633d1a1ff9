//! Every page of the SPA as a value: links and redirects name a [`Route`], so each path is
//! written once, here, beside the router's patterns in [`super::App`].

use std::fmt;

use crate::domain::Username;

/// A page and what its address carries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Route {
    /// The board.
    Home,
    /// Create an account.
    SignUp,
    /// Enter the emailed code for this account.
    Confirm(Username),
    /// Log in; `just_confirmed` thanks the person for confirming first.
    LogIn {
        /// Arrived straight from a successful confirmation.
        just_confirmed: bool,
    },
    /// The signed-in person's account.
    MyAccount,
    /// Write a post.
    NewPost,
    /// One post.
    Post(String),
    /// Edit one's own post.
    EditPost(String),
    /// One's chat rooms.
    Chats,
    /// One chat room.
    ChatRoom(String),
}

impl Route {
    /// The log-in page, as redirects use it.
    pub const LOG_IN: Self = Self::LogIn {
        just_confirmed: false,
    };
}

impl fmt::Display for Route {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Home => f.write_str("/"),
            Self::SignUp => f.write_str("/signup"),
            // Usernames are letters, digits, '.', '_' and '-': nothing to escape.
            Self::Confirm(username) => write!(f, "/confirm?username={}", username.as_ref()),
            Self::LogIn { just_confirmed } => f.write_str(if *just_confirmed {
                "/login?confirmed=1"
            } else {
                "/login"
            }),
            Self::MyAccount => f.write_str("/me"),
            Self::NewPost => f.write_str("/posts/new"),
            Self::Post(id) => write!(f, "/posts/{id}"),
            Self::EditPost(id) => write!(f, "/posts/{id}/edit"),
            Self::Chats => f.write_str("/chats"),
            Self::ChatRoom(id) => write!(f, "/chats/{id}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_route_has_the_address_the_router_serves_it_at() {
        let alice = Username::parse("Alice").unwrap();
        for (route, path) in [
            (Route::Home, "/"),
            (Route::SignUp, "/signup"),
            (Route::Confirm(alice), "/confirm?username=alice"),
            (Route::LOG_IN, "/login"),
            (
                Route::LogIn {
                    just_confirmed: true,
                },
                "/login?confirmed=1",
            ),
            (Route::MyAccount, "/me"),
            (Route::NewPost, "/posts/new"),
            (Route::Post("7".into()), "/posts/7"),
            (Route::EditPost("7".into()), "/posts/7/edit"),
            (Route::Chats, "/chats"),
            (Route::ChatRoom("r_1".into()), "/chats/r_1"),
        ] {
            assert_eq!(route.to_string(), path);
        }
    }
}
