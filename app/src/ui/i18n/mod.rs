//! Korean and English. The language is chosen from the browser's languages on the first
//! visit, switched in the header, and remembered in `localStorage` (a preference, not a
//! secret); `<html lang>` follows it. Strings come from typed catalogs ([`Messages`]), so a
//! missing translation does not compile; numbers, dates and relative times come from the
//! browser's own `Intl`, so they cost the `.wasm` nothing.

mod en;
mod errors;
mod format;
mod ko;
mod messages;

use leptos::prelude::*;

pub use errors::describe;
pub use format::{count, relative_time, short_time};
pub use messages::{Messages, around, fill};

use crate::domain::Language;

/// Where the chosen language is remembered.
const STORAGE_KEY: &str = "boardwalk.language";

/// A catalog's string, chosen by a field: what components take for a label.
pub type Text = fn(&'static Messages) -> &'static str;

/// "1 comment", "3 images": `one`, or `other` with `{n}` filled in.
pub fn counted(m: &'static Messages, n: u64, one: Text, other: Text) -> String {
    if n == 1 {
        one(m).to_owned()
    } else {
        fill(other(m), &[("n", &n.to_string())])
    }
}

/// The catalog of `language`.
pub fn messages_of(language: Language) -> &'static Messages {
    match language {
        Language::English => &en::EN,
        Language::Korean => &ko::KO,
    }
}

/// The language this tab shows, provided as context by [`crate::App`].
#[derive(Debug, Clone, Copy)]
pub struct I18n {
    language: RwSignal<Language>,
}

impl I18n {
    /// The remembered choice, else the browser's first language Boardwalk speaks; keeps
    /// `<html lang>` in step from now on.
    pub fn start() -> Self {
        let language = remembered().unwrap_or_else(browser_preference);
        let i18n = Self {
            language: RwSignal::new(language),
        };
        Effect::new(move || {
            let tag = i18n.language().tag();
            if let Some(root) = document().document_element() {
                let _ = root.set_attribute("lang", tag);
            }
        });
        i18n
    }

    /// The language shown now (reactive).
    pub fn language(self) -> Language {
        self.language.get()
    }

    /// The strings of the language shown now (reactive).
    pub fn t(self) -> &'static Messages {
        messages_of(self.language())
    }

    /// A label's text in the language shown now, as a reactive view.
    pub fn text(self, text: Text) -> impl Fn() -> &'static str + Copy + Send + Sync + 'static {
        move || text(self.t())
    }

    /// Shows `language` from now on, here and on the next visit.
    pub fn choose(self, language: Language) {
        self.language.set(language);
        if let Some(storage) = window().local_storage().ok().flatten() {
            let _ = storage.set_item(STORAGE_KEY, language.tag());
        }
    }
}

/// The [`I18n`] of the app.
pub fn use_i18n() -> I18n {
    expect_context()
}

fn remembered() -> Option<Language> {
    let storage = window().local_storage().ok().flatten()?;
    let tag = storage.get_item(STORAGE_KEY).ok().flatten()?;
    Language::parse(&tag).ok()
}

fn browser_preference() -> Language {
    let preferred: Vec<String> = window()
        .navigator()
        .languages()
        .iter()
        .filter_map(|tag| tag.as_string())
        .collect();
    Language::negotiate(preferred.iter().map(String::as_str))
}

/// The language menu: each language named in itself.
#[component]
pub fn LanguagePicker() -> impl IntoView {
    let i18n = use_i18n();
    let on_change = move |event: leptos::ev::Event| {
        if let Ok(language) = Language::parse(&event_target_value(&event)) {
            i18n.choose(language);
        }
    };
    view! {
        <label class="language-picker">
            <span class="visually-hidden">{i18n.text(|m| m.language)}</span>
            <select on:change=on_change data-testid="language">
                {Language::ALL
                    .into_iter()
                    .map(|language| {
                        view! {
                            <option
                                value=language.tag()
                                lang=language.tag()
                                selected=move || i18n.language() == language
                            >
                                {language.native_name()}
                            </option>
                        }
                    })
                    .collect_view()}
            </select>
        </label>
    }
}

/// A page title from the catalog, for [`PageTitle`].
pub fn titled(text: Text) -> Signal<String> {
    let i18n = use_i18n();
    Signal::derive(move || text(i18n.t()).to_owned())
}

/// Sets the tab's title to `page` and the brand, in the language shown; every route has
/// one, so a screen reader and the tab strip say where the person is.
#[component]
pub fn PageTitle(#[prop(into)] page: Signal<String>) -> impl IntoView {
    let i18n = use_i18n();
    Effect::new(move || {
        let brand = i18n.t().brand;
        let page = page.get();
        document().set_title(&if page.is_empty() || page == brand {
            brand.to_owned()
        } else {
            format!("{page} · {brand}")
        });
    });
}
