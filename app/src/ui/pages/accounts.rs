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
        forms::{FormError, LoadError, PasswordRules, TextField, on_answer},
        i18n::{PageTitle, titled, use_i18n},
        pictures::AvatarEditor,
        require_sign_in::RequireSignIn,
    },
};

/// Creates an account, then sends the person on to enter their code.
#[component]
pub fn SignUp() -> impl IntoView {
    let i18n = use_i18n();
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
                    language: Some(i18n.language().tag().to_owned()),
                };
                create.dispatch_local((request, name));
            }
            Err(err) => error.set(Some(err.into())),
        }
    };

    view! {
        <PageTitle page=titled(|m| m.sign_up) />
        <h1>{i18n.text(|m| m.sign_up)}</h1>
        <form on:submit=submit novalidate>
            <TextField label=|m| m.username name="username" value=username error=error autocomplete="username" />
            <TextField label=|m| m.email name="email" kind="email" value=email error=error autocomplete="email" />
            <TextField
                label=|m| m.password
                name="password"
                kind="password"
                value=password
                error=error
                autocomplete="new-password"
                hint="password-rules"
            />
            <PasswordRules password=password />
            <FormError error=error />
            <button type="submit" disabled=move || create.pending().get()>{i18n.text(|m| m.create_account)}</button>
        </form>
        <p>{i18n.text(|m| m.have_account)} " " <A href=Route::LOG_IN.to_string()>{i18n.text(|m| m.log_in)}</A></p>
    }
}

/// Enters the emailed code; a new one can be requested.
#[component]
pub fn Confirm() -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let username = RwSignal::new(query.read_untracked().get("username").unwrap_or_default());
    let code = RwSignal::new(String::new());
    let error = RwSignal::new(None::<AppError>);
    let notice = RwSignal::new(false);
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
    on_answer(resend, error, move |_| notice.set(true));

    let submit = move |event: SubmitEvent| {
        event.prevent_default();
        notice.set(false);
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
        <PageTitle page=titled(|m| m.confirm_title) />
        <h1>{i18n.text(|m| m.confirm_title)}</h1>
        <p>{i18n.text(|m| m.confirm_intro)}</p>
        <form on:submit=submit novalidate>
            <TextField label=|m| m.username name="username" value=username error=error autocomplete="username" />
            <TextField label=|m| m.code name="code" value=code error=error autocomplete="one-time-code" />
            <FormError error=error />
            <p class="notice" role="status">
                {move || notice.get().then(|| i18n.t().code_sent)}
            </p>
            <button type="submit" disabled=move || confirm.pending().get()>{i18n.text(|m| m.confirm)}</button>
            <button type="button" class="secondary" on:click=send_again disabled=move || resend.pending().get()>
                {i18n.text(|m| m.send_new_code)}
            </button>
        </form>
    }
}

/// Logs in and keeps the tokens in memory.
#[component]
pub fn LogIn() -> impl IntoView {
    let i18n = use_i18n();
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
            view! { <A href=Route::Confirm(name).to_string()>{i18n.text(|m| m.enter_code)}</A> }
        })
    };

    view! {
        <PageTitle page=titled(|m| m.log_in) />
        <h1>{i18n.text(|m| m.log_in)}</h1>
        <Show when=move || just_confirmed>
            <p class="notice" role="status">{i18n.text(|m| m.just_confirmed)}</p>
        </Show>
        <form on:submit=submit novalidate>
            <TextField label=|m| m.username name="username" value=username error=error autocomplete="username" />
            <TextField
                label=|m| m.password
                name="password"
                kind="password"
                value=password
                error=error
                autocomplete="current-password"
            />
            <FormError error=error />
            {confirm_link}
            <button type="submit" disabled=move || enter.pending().get()>{i18n.text(|m| m.log_in)}</button>
        </form>
        <p>{i18n.text(|m| m.new_here)} " " <A href=Route::SignUp.to_string()>{i18n.text(|m| m.create_an_account)}</A></p>
    }
}

/// The signed-in person's account, from `my_info` with the bearer token.
#[component]
pub fn MyAccount() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <PageTitle page=titled(|m| m.my_account) />
        <h1>{i18n.text(|m| m.my_account)}</h1>
        <RequireSignIn>
            <AccountDetails />
        </RequireSignIn>
    }
}

/// What the identity provider knows of the signed-in person.
#[component]
fn AccountDetails() -> impl IntoView {
    let i18n = use_i18n();
    let session = expect_context::<Session>();
    let info = LocalResource::new(move || session.authorized(my_info()));

    view! {
        <Suspense fallback=move || view! { <p class="muted">{i18n.text(|m| m.loading)}</p> }>
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
                                    <dt>{i18n.text(|m| m.username)}</dt>
                                    <dd data-testid="my-username">{me.username}</dd>
                                    <dt>{i18n.text(|m| m.email)}</dt>
                                    <dd data-testid="my-email">{me.email}</dd>
                                    <dt>{i18n.text(|m| m.email_confirmed)}</dt>
                                    <dd>{move || { let m = i18n.t(); if me.email_verified { m.yes } else { m.no } }}</dd>
                                    <dt>{i18n.text(|m| m.user_id)}</dt>
                                    <dd><code>{me.sub}</code></dd>
                                </dl>
                            }
                                .into_any()
                        }
                        Err(err) => view! { <LoadError err /> }.into_any(),
                    })
            }}
        </Suspense>
    }
}
