//! The front page and the page for unknown addresses.

use leptos::prelude::*;
use leptos_router::components::A;

use super::posts::Board;
use crate::ui::{
    Route,
    i18n::{PageTitle, titled, use_i18n},
};

/// The board's front page: what Boardwalk is, and the latest posts.
#[component]
pub fn Home() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <PageTitle page=titled(|m| m.brand) />
        <h1>{i18n.text(|m| m.welcome)}</h1>
        <p>{i18n.text(|m| m.tagline)}</p>
        <Board />
    }
}

/// What a person sees at an address the SPA does not know.
#[component]
pub fn NotFound() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <PageTitle page=titled(|m| m.not_found_title) />
        <h1>{i18n.text(|m| m.not_found_title)}</h1>
        <p>{i18n.text(|m| m.not_found_text)}</p>
        <A href=Route::Home.to_string()>{i18n.text(|m| m.back_to_board)}</A>
    }
}
