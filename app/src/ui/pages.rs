//! One component per route.

use leptos::prelude::*;
use leptos_router::components::A;

use super::post_pages::Board;
use crate::server_fns::record_visit;

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
        <A href="/">"Back to the board"</A>
    }
}
