//! Small form pieces the pages share: a labelled field that shows its own error, the error
//! that belongs to no field, the password rules, a live character count, and the one way a
//! form reacts to its action's answer. Errors are announced (`role="alert"`) and tied to
//! their field (`aria-describedby`), in the person's language.

use leptos::prelude::*;

use crate::{
    domain::Password,
    error::AppError,
    ui::i18n::{Text, count, describe, fill, use_i18n},
};

/// Runs `on_ok` with each successful answer of `action`, and shows each failure in `error`
/// (beside its field, or under the form). Every form handles its answers this one way.
pub fn on_answer<I: 'static, T: Clone + 'static>(
    action: Action<I, Result<T, AppError>>,
    error: RwSignal<Option<AppError>>,
    on_ok: impl Fn(T) + 'static,
) {
    Effect::new(move || match action.value().get() {
        Some(Ok(answer)) => {
            error.set(None);
            on_ok(answer);
        }
        Some(Err(err)) => error.set(Some(err)),
        None => {}
    });
}

/// The error that names `field`, in the person's language, reactively.
pub fn field_message(
    error: RwSignal<Option<AppError>>,
    field: &'static str,
) -> impl Fn() -> Option<String> + Copy + Send + Sync + 'static {
    let i18n = use_i18n();
    move || {
        error
            .get()
            .filter(|err| err.field.as_deref() == Some(field))
            .map(|err| describe(i18n.t(), &err))
    }
}

/// The message beside a field, announced when it appears.
#[component]
pub fn FieldError(
    id: String,
    message: impl Fn() -> Option<String> + Send + Sync + 'static,
) -> impl IntoView {
    view! {
        {move || {
            message().map(|text| view! { <p class="field-error" id=id.clone() role="alert">{text}</p> })
        }}
    }
}

/// The ids a field is described by: its hint (if any) and, while there is one, its error.
pub fn described_by(
    hint: Option<String>,
    error_id: String,
    message: impl Fn() -> Option<String> + Send + Sync + 'static,
) -> impl Fn() -> Option<String> + Send + Sync + 'static {
    move || {
        let ids: Vec<&str> = hint
            .iter()
            .map(String::as_str)
            .chain(message().is_some().then_some(error_id.as_str()))
            .collect();
        (!ids.is_empty()).then(|| ids.join(" "))
    }
}

/// A labelled input bound to `value`; shows the error whose `field` is `name`.
#[component]
pub fn TextField(
    label: Text,
    name: &'static str,
    value: RwSignal<String>,
    error: RwSignal<Option<AppError>>,
    #[prop(default = "text")] kind: &'static str,
    #[prop(default = "off")] autocomplete: &'static str,
    /// The id of a hint that describes the field (the password rules).
    #[prop(optional)]
    hint: Option<&'static str>,
) -> impl IntoView {
    let i18n = use_i18n();
    let id = format!("field-{name}");
    let error_id = format!("{id}-error");
    let message = field_message(error, name);
    view! {
        <div class="field">
            <label for=id.clone()>{i18n.text(label)}</label>
            <input
                id=id
                type=kind
                name=name
                autocomplete=autocomplete
                prop:value=move || value.get()
                on:input=move |event| value.set(event_target_value(&event))
                aria-invalid=move || message().is_some().to_string()
                aria-describedby=described_by(hint.map(str::to_owned), error_id.clone(), message)
            />
            <FieldError id=error_id message />
        </div>
    }
}

/// An error that names no field (wrong password, service unavailable).
#[component]
pub fn FormError(error: RwSignal<Option<AppError>>) -> impl IntoView {
    let i18n = use_i18n();
    move || {
        error
            .get()
            .filter(|err| err.field.is_none())
            .map(|err| view! { <p class="error" role="alert">{describe(i18n.t(), &err)}</p> })
    }
}

/// Any error of a page's load, said in the person's language.
#[component]
pub fn LoadError(err: AppError) -> impl IntoView {
    let i18n = use_i18n();
    view! { <p class="error" role="alert">{move || describe(i18n.t(), &err)}</p> }
}

/// The password policy, shown before submitting, each rule ticked as it is met.
#[component]
pub fn PasswordRules(password: RwSignal<String>) -> impl IntoView {
    let i18n = use_i18n();
    let names: [Text; 3] = [|m| m.rule_length, |m| m.rule_cases, |m| m.rule_digit];
    let rules = names
        .into_iter()
        .enumerate()
        .map(|(index, name)| {
            let met = move || Password::rules(&password.get())[index].1;
            view! {
                <li class:met=met>
                    <span aria-hidden="true">{move || if met() { "✓ " } else { "• " }}</span>
                    {i18n.text(name)}
                </li>
            }
        })
        .collect_view();
    view! {
        <div class="hint" id="password-rules">
            {i18n.text(|m| m.password_needs)}
            <ul>{rules}</ul>
        </div>
    }
}

/// How many characters `value` holds of `max`, updated as the person types; it turns red
/// past the limit, before the server would refuse it.
#[component]
pub fn CharacterCount(
    value: RwSignal<String>,
    max: usize,
    #[prop(into)] id: String,
) -> impl IntoView {
    let i18n = use_i18n();
    let chars = move || value.with(|text| text.chars().count());
    view! {
        <p
            class=move || { if chars() > max { "counter over" } else { "counter" } }
            id=id
            aria-live="polite"
        >
            {move || {
                let language = i18n.language();
                fill(
                    i18n.t().count_of,
                    &[("count", &count(language, chars())), ("max", &count(language, max))],
                )
            }}
        </p>
    }
}

/// A labelled multi-line input bound to `value`, with its counter and its own error.
#[component]
pub fn TextArea(
    label: Text,
    name: &'static str,
    value: RwSignal<String>,
    error: RwSignal<Option<AppError>>,
    max: usize,
) -> impl IntoView {
    let i18n = use_i18n();
    let id = format!("field-{name}");
    let counter_id = format!("{id}-count");
    let error_id = format!("{id}-error");
    let message = field_message(error, name);
    view! {
        <div class="field">
            <label for=id.clone()>{i18n.text(label)}</label>
            <textarea
                id=id
                name=name
                rows="10"
                prop:value=move || value.get()
                on:input=move |event| value.set(event_target_value(&event))
                aria-invalid=move || message().is_some().to_string()
                aria-describedby=described_by(Some(counter_id.clone()), error_id.clone(), message)
            ></textarea>
            <CharacterCount value=value max=max id=counter_id />
            <FieldError id=error_id message />
        </div>
    }
}

/// The button under a paged list: shown while there is a next page (`next`, its cursor),
/// disabled while `load` fetches it.
#[component]
pub fn LoadMore<O: 'static>(
    label: Text,
    next: RwSignal<Option<String>>,
    load: Action<Option<String>, O>,
) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <Show when=move || next.get().is_some()>
            <button
                type="button"
                class="secondary"
                disabled=move || load.pending().get()
                on:click=move |_| {
                    load.dispatch_local(next.get_untracked());
                }
            >
                {i18n.text(label)}
            </button>
        </Show>
    }
}
