//! Sign up, confirm, log in and "my account". Each form checks the same domain rules as the
//! server before sending, then shows the server's answer beside the field it names.

use leptos::{ev::SubmitEvent, prelude::*, task::spawn_local};
use leptos_router::{components::A, hooks::use_navigate, hooks::use_query_map};

use super::forms::{FormError, PasswordRules, TextField};
use crate::{
    auth::Session,
    domain::{ConfirmationCode, Email, Password, Username},
    dto::{ConfirmEmailRequest, LoginRequest, ResendEmailRequest, SignupRequest},
    error::{AppError, ErrorCode},
    server_fns::{confirm_email, log_in, my_info, resend_email, sign_up},
};

/// Creates an account, then sends the person on to enter their code.
#[component]
pub fn SignUp() -> impl IntoView {
    let (username, email, password) = (
        RwSignal::new(String::new()),
        RwSignal::new(String::new()),
        RwSignal::new(String::new()),
    );
    let error = RwSignal::new(None::<AppError>);
    let pending = RwSignal::new(false);
    let navigate = use_navigate();

    let submit = move |event: SubmitEvent| {
        event.prevent_default();
        let checked = Username::parse(&username.get_untracked()).and_then(|name| {
            Email::parse(&email.get_untracked())?;
            Password::parse(&password.get_untracked())?;
            Ok(name)
        });
        let name = match checked {
            Ok(name) => name,
            Err(err) => return error.set(Some(err)),
        };
        let request = SignupRequest {
            username: username.get_untracked(),
            password: password.get_untracked(),
            email: email.get_untracked(),
        };
        let navigate = navigate.clone();
        pending.set(true);
        spawn_local(async move {
            match sign_up(request).await {
                Ok(_) => navigate(
                    &format!("/confirm?username={}", name.as_ref()),
                    Default::default(),
                ),
                Err(err) => error.set(Some(err)),
            }
            pending.set(false);
        });
    };

    view! {
        <h1>"Sign up"</h1>
        <form on:submit=submit novalidate>
            <TextField label="Username" name="username" value=username error=error autocomplete="username" />
            <TextField label="Email" name="email" kind="email" value=email error=error autocomplete="email" />
            <TextField
                label="Password"
                name="password"
                kind="password"
                value=password
                error=error
                autocomplete="new-password"
            />
            <PasswordRules password=password />
            <FormError error=error />
            <button type="submit" disabled=move || pending.get()>"Create account"</button>
        </form>
        <p>"Already have an account? " <A href="/login">"Log in"</A></p>
    }
}

/// Enters the emailed code; a new one can be requested.
#[component]
pub fn Confirm() -> impl IntoView {
    let query = use_query_map();
    let username = RwSignal::new(query.read_untracked().get("username").unwrap_or_default());
    let code = RwSignal::new(String::new());
    let error = RwSignal::new(None::<AppError>);
    let notice = RwSignal::new(None::<String>);
    let navigate = use_navigate();

    let submit = move |event: SubmitEvent| {
        event.prevent_default();
        notice.set(None);
        if let Err(err) = Username::parse(&username.get_untracked())
            .and(ConfirmationCode::parse(&code.get_untracked()))
        {
            return error.set(Some(err));
        }
        let request = ConfirmEmailRequest {
            username: username.get_untracked(),
            code: code.get_untracked(),
        };
        let navigate = navigate.clone();
        spawn_local(async move {
            match confirm_email(request).await {
                Ok(_) => navigate("/login?confirmed=1", Default::default()),
                Err(err) => error.set(Some(err)),
            }
        });
    };
    let resend = move |_| {
        error.set(None);
        let request = ResendEmailRequest {
            username: username.get_untracked(),
        };
        spawn_local(async move {
            match resend_email(request).await {
                Ok(answer) => notice.set(Some(answer.message)),
                Err(err) => error.set(Some(err)),
            }
        });
    };

    view! {
        <h1>"Confirm your email"</h1>
        <p>"We sent a six-digit code to the address you signed up with."</p>
        <form on:submit=submit novalidate>
            <TextField label="Username" name="username" value=username error=error autocomplete="username" />
            <TextField label="Code" name="code" value=code error=error autocomplete="one-time-code" />
            <FormError error=error />
            {move || notice.get().map(|text| view! { <p class="notice" role="status">{text}</p> })}
            <button type="submit">"Confirm"</button>
            <button type="button" class="secondary" on:click=resend>"Send a new code"</button>
        </form>
    }
}

/// Logs in and keeps the tokens in memory.
#[component]
pub fn LogIn() -> impl IntoView {
    let session = expect_context::<Session>();
    let query = use_query_map();
    let just_confirmed = query.read_untracked().get("confirmed").is_some();
    let (username, password) = (RwSignal::new(String::new()), RwSignal::new(String::new()));
    let error = RwSignal::new(None::<AppError>);
    let pending = RwSignal::new(false);
    let navigate = use_navigate();

    let submit = move |event: SubmitEvent| {
        event.prevent_default();
        let request = LoginRequest {
            username: username.get_untracked(),
            password: password.get_untracked(),
        };
        let navigate = navigate.clone();
        pending.set(true);
        spawn_local(async move {
            match log_in(request).await {
                Ok(tokens) => {
                    session.sign_in(&tokens);
                    navigate("/me", Default::default());
                }
                Err(err) => error.set(Some(err)),
            }
            pending.set(false);
        });
    };
    let needs_confirmation = move || {
        error
            .get()
            .is_some_and(|err| err.code == ErrorCode::NotConfirmed)
    };

    view! {
        <h1>"Log in"</h1>
        <Show when=move || just_confirmed>
            <p class="notice" role="status">"Email confirmed. You can log in now."</p>
        </Show>
        <form on:submit=submit novalidate>
            <TextField label="Username" name="username" value=username error=error autocomplete="username" />
            <TextField
                label="Password"
                name="password"
                kind="password"
                value=password
                error=error
                autocomplete="current-password"
            />
            <FormError error=error />
            <Show when=needs_confirmation>
                <A href=move || format!("/confirm?username={}", username.get())>"Enter your confirmation code"</A>
            </Show>
            <button type="submit" disabled=move || pending.get()>"Log in"</button>
        </form>
        <p>"New here? " <A href="/signup">"Create an account"</A></p>
    }
}

/// The signed-in person's account, from `/api/fn/my_info` with the bearer token. Without a
/// session it sends the person to log in.
#[component]
pub fn MyInfo() -> impl IntoView {
    let session = expect_context::<Session>();
    let navigate = use_navigate();
    let info = LocalResource::new(move || async move {
        session.user()?;
        Some(session.authorized(my_info()).await)
    });
    Effect::new(move || {
        let signed_out = session.restored() && session.user().is_none();
        let refused =
            matches!(info.get(), Some(Some(Err(ref err))) if err.code == ErrorCode::Unauthorized);
        if signed_out || refused {
            navigate("/login", Default::default());
        }
    });

    view! {
        <h1>"My account"</h1>
        <Suspense fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || {
                info.get()
                    .flatten()
                    .map(|answer| match answer {
                        Ok(me) => {
                            view! {
                                <dl class="account">
                                    <dt>"Username"</dt>
                                    <dd data-testid="my-username">{me.username}</dd>
                                    <dt>"Email"</dt>
                                    <dd data-testid="my-email">{me.email}</dd>
                                    <dt>"Email confirmed"</dt>
                                    <dd>{if me.email_verified { "yes" } else { "no" }}</dd>
                                    <dt>"User id"</dt>
                                    <dd><code>{me.sub}</code></dd>
                                </dl>
                            }
                                .into_any()
                        }
                        Err(err) => view! { <p class="error" role="alert">{err.error}</p> }.into_any(),
                    })
            }}
        </Suspense>
    }
}
