//! The Leptos single-page app: the shell, its routes and pages.

mod a11y;
mod flags;
mod forms;
mod i18n;
mod live;
mod pages;
mod pictures;
mod require_sign_in;
mod routes;

use leptos::{prelude::*, task::spawn_local};
use leptos_router::{
    components::{A, Route as RoutePattern, Router, Routes},
    hooks::{use_location, use_navigate},
    path,
};

use crate::{
    client, server_fns::auth::log_out, server_fns::auth::refresh_session, session::Session,
};
use i18n::{I18n, LanguagePicker, around, counted, use_i18n};
pub use routes::Route;

/// The whole SPA. Routes are real URLs, so a reload or a deep link lands on the same page
/// through the server's (or CloudFront's) fallback to `index.html`. On start it restores the
/// session once from the refresh cookie.
#[component]
pub fn App() -> impl IntoView {
    client::use_refresh(|| Box::pin(refresh_session()));
    provide_context(I18n::start());
    let session = Session::new();
    provide_context(session);
    let flags = flags::Flags::start(session);
    provide_context(flags);
    provide_context(live::ChatLive::start(session, flags));
    spawn_local(session.restore());

    view! {
        <Router>
            <a11y::FocusOnNavigate />
            <SiteHeader />
            <main id="main" class="page" tabindex="-1">
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

/// The brand, then who is signed in (with log-out) or the ways in, and the language menu.
/// On a narrow screen the links fold into a menu behind one button, which closes again on
/// every navigation.
#[component]
fn SiteHeader() -> impl IntoView {
    let i18n = use_i18n();
    let open = RwSignal::new(false);
    let location = use_location();
    Effect::new(move || {
        // Reading the path subscribes to it (here `track()` did not re-run the effect).
        let _ = location.pathname.get();
        open.set(false);
    });

    view! {
        <header class="site-header">
            <a11y::SkipLink />
            <A href=Route::Home.to_string() attr:class="brand">{i18n.text(|m| m.brand)}</A>
            <button
                type="button"
                class="menu-toggle secondary"
                aria-controls="site-menu"
                aria-expanded=move || open.get().to_string()
                on:click=move |_| open.update(|open| *open = !*open)
            >
                <span aria-hidden="true">"☰ "</span>
                {i18n.text(|m| m.menu)}
            </button>
            <div id="site-menu" class="site-menu" class:open=move || open.get()>
                <AccountLinks />
                <LanguagePicker />
            </div>
        </header>
    }
}

/// Once the session is known: the signed-in person's links, or log in and sign up.
#[component]
fn AccountLinks() -> impl IntoView {
    let i18n = use_i18n();
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
        <nav aria-label=i18n.text(|m| m.account_nav)>
            <Show when=move || session.restored()>
                {
                    let sign_out = sign_out.clone();
                    move || match session.user() {
                        Some(user) => {
                            let name = user.username.clone();
                            let greeting = move || around(i18n.t().signed_in_as, "name");
                            view! {
                                <span class="signed-in-as" data-testid="signed-in-as">
                                    {move || greeting().0}
                                    <strong>{name.clone()}</strong>
                                    {move || greeting().1}
                                </span>
                                <flags::WhenFlag flag=flags::CHAT>
                                    <A href=Route::Chats.to_string()>
                                        {i18n.text(|m| m.chats)}
                                        {move || {
                                            let unread = live.unread_total();
                                            (unread > 0).then(|| {
                                                let label = move || {
                                                    counted(i18n.t(), unread, |m| m.unread_one, |m| m.unread_other)
                                                };
                                                view! {
                                                    <span class="badge" data-testid="unread-total" aria-label=label>
                                                        {unread}
                                                    </span>
                                                }
                                            })
                                        }}
                                    </A>
                                </flags::WhenFlag>
                                <A href=Route::MyAccount.to_string()>{i18n.text(|m| m.my_account)}</A>
                                <button type="button" class="link-button" on:click=sign_out.clone()>
                                    {i18n.text(|m| m.log_out)}
                                </button>
                            }
                                .into_any()
                        }
                        None => {
                            view! {
                                <A href=Route::LOG_IN.to_string()>{i18n.text(|m| m.log_in)}</A>
                                <A href=Route::SignUp.to_string()>{i18n.text(|m| m.sign_up)}</A>
                            }
                                .into_any()
                        }
                    }
                }
            </Show>
        </nav>
    }
}
