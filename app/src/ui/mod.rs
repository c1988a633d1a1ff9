//! The Leptos single-page app: the shell, its routes and pages.

mod pages;

use leptos::prelude::*;
use leptos_router::{
    components::{A, Route, Router, Routes},
    path,
};

/// The whole SPA. Routes are real URLs, so a reload or a deep link lands on the same page
/// through the server's (or CloudFront's) fallback to `index.html`.
#[component]
pub fn App() -> impl IntoView {
    view! {
        <Router>
            <header class="site-header">
                <A href="/" attr:class="brand">"Boardwalk"</A>
            </header>
            <main class="page">
                <Routes fallback=pages::NotFound>
                    <Route path=path!("/") view=pages::Home />
                </Routes>
            </main>
        </Router>
    }
}
