//! The Leptos single-page app: the shell, its routes and pages.

mod flags;
mod forms;
mod live;
mod pages;
mod pictures;
mod require_sign_in;
mod routes;

use leptos::{prelude::*, task::spawn_local};
use leptos_router::{
    components::{A, Route as RoutePattern, Router, Routes},
    hooks::use_navigate,
    path,
};

use crate::{
    client, server_fns::auth::log_out, server_fns::auth::refresh_session, session::Session,
};
pub use routes::Route;

/// The whole SPA. Routes are real URLs, so a reload or a deep link lands on the same page
/// through the server's (or CloudFront's) fallback to `index.html`. On start it restores the
/// session once from the refresh cookie.
#[component]
pub fn App() -> impl IntoView {
    client::use_refresh(|| Box::pin(refresh_session()));
    let session = Session::new();
    provide_context(session);
    let flags = flags::Flags::start(session);
    provide_context(flags);
    provide_context(live::ChatLive::start(session, flags));
    spawn_local(session.restore());

    view! {
        <Router>
            <SiteHeader />
            <main class="page">
                <Routes fallback=pages::home::NotFound>
                    <RoutePattern path=path!("/") view=pages::home::Home />
                    <RoutePattern path=path!("/signup") view=pages::accounts::SignUp />
                    <RoutePattern path=path!("/confirm") view=pages::accounts::Confirm />
                    <RoutePattern path=path!("/login") view=pages::accounts::LogIn />
                    <RoutePattern path=path!("/me") view=pages::accounts::MyAccount />
                    <RoutePattern path=path!("/posts/new") view=pages::posts::NewPost />
                    <RoutePattern path=path!("/posts/:id") view=pages::posts::PostView />
                    <RoutePattern path=path!("/posts/:id/edit") view=pages::posts::EditPost />
                    <RoutePattern path=path!("/chats") view=pages::chat::Chats />
                    <RoutePattern path=path!("/chats/:id") view=pages::chat::ChatRoomPage />
                </Routes>
            </main>
        </Router>
    }
}

/// The brand and, once the session is known, who is signed in (with log-out) or the ways in.
#[component]
fn SiteHeader() -> impl IntoView {
    let session = expect_context::<Session>();
    let live = expect_context::<live::ChatLive>();
    let navigate = use_navigate();
    let sign_out = move |_| {
        let navigate = navigate.clone();
        spawn_local(async move {
            // The cookie is cleared and the session revoked server-side; even if that call
            // fails, this tab forgets its tokens.
            let _ = log_out().await;
            session.sign_out();
            navigate(&Route::LOG_IN.to_string(), Default::default());
        });
    };

    view! {
        <header class="site-header">
            <A href=Route::Home.to_string() attr:class="brand">"Boardwalk"</A>
            <nav aria-label="Account">
                <Show when=move || session.restored()>
                    {
                        let sign_out = sign_out.clone();
                        move || match session.user() {
                            Some(user) => {
                                view! {
                                    <span data-testid="signed-in-as">
                                        "Signed in as " <strong>{user.username}</strong>
                                    </span>
                                    <flags::WhenFlag flag=flags::CHAT>
                                        <A href=Route::Chats.to_string()>
                                            "Chats"
                                            {move || {
                                                let unread = live.unread_total();
                                                (unread > 0).then(|| view! {
                                                    <span class="badge" data-testid="unread-total" aria-label=format!("{unread} unread")>
                                                        {unread}
                                                    </span>
                                                })
                                            }}
                                        </A>
                                    </flags::WhenFlag>
                                    <A href=Route::MyAccount.to_string()>"My account"</A>
                                    <button type="button" class="link-button" on:click=sign_out.clone()>
                                        "Log out"
                                    </button>
                                }
                                    .into_any()
                            }
                            None => {
                                view! {
                                    <A href=Route::LOG_IN.to_string()>"Log in"</A>
                                    <A href=Route::SignUp.to_string()>"Sign up"</A>
                                }
                                    .into_any()
                            }
                        }
                    }
                </Show>
            </nav>
        </header>
    }
}
