//! The front page and the page for unknown addresses.

use leptos::prelude::*;
use leptos_router::components::A;

use super::posts::Board;
use crate::{server_fns::visits::record_visit, ui::Route};

/// The board's front page: the latest posts, and how often the board has been opened.
#[component]
pub fn Home() -> impl IntoView {
    let visits = LocalResource::new(record_visit);

    view! {
        <h1>"Welcome to Boardwalk"</h1>
        <p>"A bulletin board for your team."</p>
        <Suspense fallback=|| view! { <p class="muted">"Counting visits…"</p> }>
            {move || {
                visits
                    .get()
                    .map(|answer| match answer {
                        Ok(count) => {
                            view! {
                                <p data-testid="visits">
                                    "This board has been opened " {count.visits}
                                    {if count.visits == 1 { " time." } else { " times." }}
                                </p>
                            }
                                .into_any()
                        }
                        Err(err) => {
                            view! {
                                <p role="alert" class="error">
                                    {err.error}
                                </p>
                            }
                                .into_any()
                        }
                    })
            }}
        </Suspense>
        <Board />
    }
}

/// What a person sees at an address the SPA does not know.
#[component]
pub fn NotFound() -> impl IntoView {
    view! {
        <h1>"Page not found"</h1>
        <p>"There is nothing at this address."</p>
        <A href=Route::Home.to_string()>"Back to the board"</A>
    }
}
