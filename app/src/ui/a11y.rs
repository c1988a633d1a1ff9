//! What keyboard and screen-reader users need from the shell: a skip link, focus moved to
//! the new page's heading after each navigation, and the confirmation step that takes focus
//! and gives it back.

use leptos::{html, prelude::*};
use leptos_router::hooks::use_location;
use wasm_bindgen::JsCast;
use web_sys::HtmlElement;

use super::i18n::{Text, use_i18n};

/// How long a new page may take to show its heading (it may wait for data) before focus
/// settles on `<main>` instead, in tries of [`HEADING_POLL`].
const HEADING_TRIES: u32 = 30;
const HEADING_POLL: std::time::Duration = std::time::Duration::from_millis(100);

/// Focuses `element`, making it focusable from script first if it is not.
fn focus(element: web_sys::Element) {
    if let Ok(element) = element.dyn_into::<HtmlElement>() {
        if !element.has_attribute("tabindex") {
            let _ = element.set_attribute("tabindex", "-1");
        }
        let _ = element.focus();
    }
}

/// The page's heading now, if it has one.
fn page_heading() -> Option<web_sys::Element> {
    document().query_selector("main h1").ok().flatten()
}

/// Where a navigation started: the heading of the page being left (which may linger until
/// the new page renders) and what had focus (the link or button that navigated).
struct Departure {
    heading: Option<web_sys::Element>,
    focused: Option<web_sys::Element>,
}

impl Departure {
    fn now() -> Self {
        Self {
            heading: page_heading(),
            focused: document().active_element(),
        }
    }

    /// Whether the person has put focus somewhere themselves since (typing into the new
    /// page before its heading arrived): then focus stays where they put it.
    fn focus_moved_on(&self) -> bool {
        let document = document();
        let now = document.active_element();
        let body: Option<web_sys::Element> = document.body().map(Into::into);
        now.is_some() && now != body && now != self.focused
    }
}

/// Focuses the new page's `<h1>` once it is there, or `<main>` if none comes, so that after
/// a navigation a screen reader starts at the new page and Tab from its top.
fn focus_page_heading(departure: Departure, tries_left: u32) {
    if departure.focus_moved_on() {
        return;
    }
    match page_heading() {
        Some(heading) if Some(&heading) != departure.heading.as_ref() => focus(heading),
        _ if tries_left == 0 => {
            if let Some(main) = document().get_element_by_id("main") {
                focus(main);
            }
        }
        _ => set_timeout(
            move || focus_page_heading(departure, tries_left - 1),
            HEADING_POLL,
        ),
    }
}

/// Moves focus to the new page on every navigation after the first (on the first load the
/// browser's own starting point is right).
#[component]
pub fn FocusOnNavigate() -> impl IntoView {
    let location = use_location();
    let first = StoredValue::new(true);
    Effect::new(move || {
        // Reading the path subscribes to it (here `track()` did not re-run the effect).
        let _ = location.pathname.get();
        if first.get_value() {
            first.set_value(false);
            return;
        }
        let departure = Departure::now();
        request_animation_frame(move || focus_page_heading(departure, HEADING_TRIES));
    });
}

/// "Skip to content": the first thing Tab reaches, straight to the page.
#[component]
pub fn SkipLink() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <a
            class="skip-link"
            href="#main"
            on:click=|event| {
                event.prevent_default();
                if let Some(target) = page_heading().or_else(|| document().get_element_by_id("main")) {
                    focus(target);
                }
            }
        >
            {i18n.text(|m| m.skip_to_content)}
        </a>
    }
}

/// A delete button that asks first. Asking moves focus to "Cancel" (the safe answer);
/// cancelling gives focus back to the button that asked.
#[component]
pub fn ConfirmDelete(
    /// The question, saying what goes.
    question: Text,
    /// What "cancel" says.
    #[prop(default = |m| m.cancel)]
    cancel: Text,
    /// Whether the deletion is under way.
    #[prop(into)]
    pending: Signal<bool>,
    /// Deletes.
    #[prop(into)]
    on_confirm: Callback<()>,
    /// The asking button's look.
    #[prop(default = "secondary")]
    class: &'static str,
) -> impl IntoView {
    let i18n = use_i18n();
    let asking = RwSignal::new(false);
    let ask_button = NodeRef::<html::Button>::new();
    let cancel_button = NodeRef::<html::Button>::new();
    let question_id = format!("confirm-{}", next_id());
    let ask = move |_| {
        asking.set(true);
        request_animation_frame(move || {
            if let Some(button) = cancel_button.get_untracked() {
                let _ = button.focus();
            }
        });
    };
    let back_out = move |_| {
        asking.set(false);
        request_animation_frame(move || {
            if let Some(button) = ask_button.get_untracked() {
                let _ = button.focus();
            }
        });
    };
    view! {
        <button type="button" class=class node_ref=ask_button on:click=ask hidden=move || asking.get()>
            {i18n.text(|m| m.delete)}
        </button>
        <Show when=move || asking.get()>
            <div class="confirm" role="alertdialog" aria-labelledby=question_id.clone()>
                <p id=question_id.clone()>{i18n.text(question)}</p>
                <button type="button" class="danger" disabled=move || pending.get() on:click=move |_| on_confirm.run(())>
                    {i18n.text(|m| m.yes_delete)}
                </button>
                <button type="button" class="secondary" node_ref=cancel_button on:click=back_out>
                    {i18n.text(cancel)}
                </button>
            </div>
        </Show>
    }
}

/// A suffix that makes an element id unique on the page.
fn next_id() -> u64 {
    thread_local! {
        static NEXT: std::cell::Cell<u64> = const { std::cell::Cell::new(0) };
    }
    NEXT.with(|next| {
        let id = next.get();
        next.set(id + 1);
        id
    })
}
