//! The one guard for pages that need a signed-in person.

use leptos::prelude::*;
use leptos_router::hooks::use_navigate;

use super::{i18n::use_i18n, routes::Route};
use crate::session::Session;

/// Shows `children` to a signed-in person. Anyone else is sent to log in as soon as the
/// start-up refresh has said they are signed out, or when their session ends on this page.
#[component]
pub fn RequireSignIn(children: ChildrenFn) -> impl IntoView {
    let i18n = use_i18n();
    let session = expect_context::<Session>();
    let navigate = use_navigate();
    Effect::new(move || {
        if session.restored() && session.user().is_none() {
            navigate(&Route::LOG_IN.to_string(), Default::default());
        }
    });
    view! {
        <Show
            when=move || session.user().is_some()
            fallback=move || view! { <p class="muted">{i18n.text(|m| m.loading)}</p> }
        >
            {children()}
        </Show>
    }
}
