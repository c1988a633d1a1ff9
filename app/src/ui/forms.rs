//! Small form pieces the pages share: a labelled field that shows its own error, the error
//! that belongs to no field, the password rules, a live character count, and the one way a
//! form reacts to its action's answer.

use leptos::prelude::*;

use crate::{domain::Password, error::AppError};

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

/// The message of the error that names `field`, reactively.
fn field_message(
    error: RwSignal<Option<AppError>>,
    field: &'static str,
) -> impl Fn() -> Option<String> + Copy {
    move || {
        error
            .get()
            .filter(|err| err.field.as_deref() == Some(field))
            .map(|err| err.error)
    }
}

/// A labelled input bound to `value`; shows the error whose `field` is `name`.
#[component]
pub fn TextField(
    label: &'static str,
    name: &'static str,
    value: RwSignal<String>,
    error: RwSignal<Option<AppError>>,
    #[prop(default = "text")] kind: &'static str,
    #[prop(default = "off")] autocomplete: &'static str,
) -> impl IntoView {
    let id = format!("field-{name}");
    let message = field_message(error, name);
    view! {
        <div class="field">
            <label for=id.clone()>{label}</label>
            <input
                id=id
                type=kind
                name=name
                autocomplete=autocomplete
                prop:value=move || value.get()
                on:input=move |event| value.set(event_target_value(&event))
                aria-invalid=move || message().is_some().to_string()
            />
            {move || message().map(|text| view! { <p class="field-error" role="alert">{text}</p> })}
        </div>
    }
}

/// An error that names no field (wrong password, service unavailable).
#[component]
pub fn FormError(error: RwSignal<Option<AppError>>) -> impl IntoView {
    move || {
        error
            .get()
            .filter(|err| err.field.is_none())
            .map(|err| view! { <p class="error" role="alert">{err.error}</p> })
    }
}

/// The password policy, shown before submitting, each rule ticked as it is met.
#[component]
pub fn PasswordRules(password: RwSignal<String>) -> impl IntoView {
    let rules = Password::rules("")
        .into_iter()
        .enumerate()
        .map(|(index, (rule, _))| {
            let met = move || Password::rules(&password.get())[index].1;
            view! {
                <li class:met=met>
                    <span aria-hidden="true">{move || if met() { "✓ " } else { "• " }}</span>
                    {rule}
                </li>
            }
        })
        .collect_view();
    view! {
        <div class="hint" id="password-rules">
            "Your password needs:"
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
    let count = move || value.with(|text| text.chars().count());
    view! {
        <p
            class=move || { if count() > max { "counter over" } else { "counter" } }
            id=id
            aria-live="polite"
        >
            {move || format!("{} / {max}", count())}
        </p>
    }
}

/// A labelled multi-line input bound to `value`, with its counter and its own error.
#[component]
pub fn TextArea(
    label: &'static str,
    name: &'static str,
    value: RwSignal<String>,
    error: RwSignal<Option<AppError>>,
    max: usize,
) -> impl IntoView {
    let id = format!("field-{name}");
    let counter_id = format!("{id}-count");
    let message = field_message(error, name);
    view! {
        <div class="field">
            <label for=id.clone()>{label}</label>
            <textarea
                id=id
                name=name
                rows="10"
                prop:value=move || value.get()
                on:input=move |event| value.set(event_target_value(&event))
                aria-invalid=move || message().is_some().to_string()
                aria-describedby=counter_id.clone()
            ></textarea>
            <CharacterCount value=value max=max id=counter_id />
            {move || message().map(|text| view! { <p class="field-error" role="alert">{text}</p> })}
        </div>
    }
}

/// The button under a paged list: shown while there is a next page (`next`, its cursor),
/// disabled while `load` fetches it.
#[component]
pub fn LoadMore<O: 'static>(
    label: &'static str,
    next: RwSignal<Option<String>>,
    load: Action<Option<String>, O>,
) -> impl IntoView {
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
                {label}
            </button>
        </Show>
    }
}
