//! Sign up, confirm, log in and "my account". Each form checks the same domain rules as the
//! server before sending, then shows the server's answer beside the field it names.

use leptos::{ev::SubmitEvent, prelude::*};
use leptos_router::{components::A, hooks::use_navigate, hooks::use_query_map};

use crate::{
    domain::{ConfirmationCode, Email, Password, Username},
    dto::{ConfirmEmailRequest, LoginRequest, ResendEmailRequest, SignupRequest},
    error::{AppError, ErrorCode},
    server_fns::{
        accounts::{confirm_email, my_info, resend_email, sign_up},
        auth::log_in,
    },
    session::Session,
    ui::{
        Route,
        flags::{PICTURES, WhenFlag},
        forms::{FormError, PasswordRules, TextField, on_answer},
        pictures::AvatarEditor,
        require_sign_in::RequireSignIn,
    },
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
    let create = Action::new_local(|(request, name): &(SignupRequest, Username)| {
        let (request, name) = (request.clone(), name.clone());
        async move { sign_up(request).await.map(|_| name) }
    });
    let navigate = use_navigate();
    on_answer(create, error, move |name| {
        navigate(&Route::Confirm(name).to_string(), Default::default());
    });

    let submit = move |event: SubmitEvent| {
        event.prevent_default();
        let checked = Username::parse(&username.get_untracked()).and_then(|name| {
            Email::parse(&email.get_untracked())?;
            Password::parse(&password.get_untracked())?;
            Ok(name)
        });
        match checked {
            Ok(name) => {
                let request = SignupRequest {
                    username: username.get_untracked(),
                    password: password.get_untracked(),
                    email: email.get_untracked(),
                };
                create.dispatch_local((request, name));
            }
            Err(err) => error.set(Some(err.into())),
        }
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
            <button type="submit" disabled=move || create.pending().get()>"Create account"</button>
        </form>
        <p>"Already have an account? " <A href=Route::LOG_IN.to_string()>"Log in"</A></p>
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
    let confirm = Action::new_local(|request: &ConfirmEmailRequest| confirm_email(request.clone()));
    let resend = Action::new_local(|request: &ResendEmailRequest| resend_email(request.clone()));
    let navigate = use_navigate();
    on_answer(confirm, error, move |_| {
        navigate(
            &Route::LogIn {
                just_confirmed: true,
            }
            .to_string(),
            Default::default(),
        );
    });
    on_answer(resend, error, move |answer| {
        notice.set(Some(answer.message))
    });

    let submit = move |event: SubmitEvent| {
        event.prevent_default();
        notice.set(None);
        let checked = Username::parse(&username.get_untracked())
            .and(ConfirmationCode::parse(&code.get_untracked()));
        match checked {
            Ok(_) => {
                confirm.dispatch_local(ConfirmEmailRequest {
                    username: username.get_untracked(),
                    code: code.get_untracked(),
                });
            }
            Err(err) => error.set(Some(err.into())),
        }
    };
    let send_again = move |_| {
        error.set(None);
        resend.dispatch_local(ResendEmailRequest {
            username: username.get_untracked(),
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
            <button type="submit" disabled=move || confirm.pending().get()>"Confirm"</button>
            <button type="button" class="secondary" on:click=send_again disabled=move || resend.pending().get()>
                "Send a new code"
            </button>
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
    let enter = Action::new_local(|request: &LoginRequest| log_in(request.clone()));
    let navigate = use_navigate();
    on_answer(enter, error, move |tokens| {
        session.sign_in(&tokens);
        navigate(&Route::MyAccount.to_string(), Default::default());
    });

    let submit = move |event: SubmitEvent| {
        event.prevent_default();
        enter.dispatch_local(LoginRequest {
            username: username.get_untracked(),
            password: password.get_untracked(),
        });
    };
    let confirm_link = move || {
        let needs_confirmation = error
            .get()
            .is_some_and(|err| err.code == ErrorCode::NotConfirmed);
        let name = Username::parse(&username.get()).ok()?;
        needs_confirmation.then(|| {
            view! { <A href=Route::Confirm(name).to_string()>"Enter your confirmation code"</A> }
        })
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
            {confirm_link}
            <button type="submit" disabled=move || enter.pending().get()>"Log in"</button>
        </form>
        <p>"New here? " <A href=Route::SignUp.to_string()>"Create an account"</A></p>
    }
}

/// The signed-in person's account, from `my_info` with the bearer token.
#[component]
pub fn MyAccount() -> impl IntoView {
    view! {
        <h1>"My account"</h1>
        <RequireSignIn>
            <AccountDetails />
        </RequireSignIn>
    }
}

/// What the identity provider knows of the signed-in person.
#[component]
fn AccountDetails() -> impl IntoView {
    let session = expect_context::<Session>();
    let info = LocalResource::new(move || session.authorized(my_info()));

    view! {
        <Suspense fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || {
                info.get()
                    .map(|answer| match answer {
                        Ok(me) => {
                            let (picture, name) = (me.avatar_large_url.clone(), me.username.clone());
                            view! {
                                <WhenFlag flag=PICTURES>
                                    <AvatarEditor current=picture.clone() username=name.clone() />
                                </WhenFlag>
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
