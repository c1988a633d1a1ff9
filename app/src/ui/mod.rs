//! The Leptos single-page app: the shell, its routes and pages.

mod account_pages;
mod forms;
mod pages;
mod post_pages;

use leptos::{prelude::*, task::spawn_local};
use leptos_router::{
    components::{A, Route, Router, Routes},
    hooks::use_navigate,
    path,
};

use crate::{auth::Session, server_fns::log_out};

/// The whole SPA. Routes are real URLs, so a reload or a deep link lands on the same page
/// through the server's (or CloudFront's) fallback to `index.html`. On start it restores the
/// session once from the refresh cookie.
#[component]
pub fn App() -> impl IntoView {
    let session = Session::new();
    provide_context(session);
    spawn_local(session.restore());

    view! {
        <Router>
            <SiteHeader />
            <main class="page">
                <Routes fallback=pages::NotFound>
                    <Route path=path!("/") view=pages::Home />
                    <Route path=path!("/signup") view=account_pages::SignUp />
                    <Route path=path!("/confirm") view=account_pages::Confirm />
                    <Route path=path!("/login") view=account_pages::LogIn />
                    <Route path=path!("/me") view=account_pages::MyInfo />
                    <Route path=path!("/posts/new") view=post_pages::NewPost />
                    <Route path=path!("/posts/:id") view=post_pages::PostView />
                    <Route path=path!("/posts/:id/edit") view=post_pages::EditPost />
                </Routes>
            </main>
        </Router>
    }
}

/// The brand and, once the session is known, who is signed in (with log-out) or the ways in.
#[component]
fn SiteHeader() -> impl IntoView {
    let session = expect_context::<Session>();
    let navigate = use_navigate();
    let sign_out = move |_| {
        let navigate = navigate.clone();
        spawn_local(async move {
            // The cookie is cleared and the session revoked server-side; even if that call
            // fails, this tab forgets its tokens.
            let _ = log_out().await;
            session.sign_out();
            navigate("/login", Default::default());
        });
    };

    view! {
        <header class="site-header">
            <A href="/" attr:class="brand">"Boardwalk"</A>
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
                                    <A href="/me">"My account"</A>
                                    <button type="button" class="link-button" on:click=sign_out.clone()>
                                        "Log out"
                                    </button>
                                }
                                    .into_any()
                            }
                            None => {
                                view! {
                                    <A href="/login">"Log in"</A>
                                    <A href="/signup">"Sign up"</A>
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
