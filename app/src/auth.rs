//! The SPA's session. The access token lives only in this module's memory (never in
//! `localStorage`, `sessionStorage` or a script-readable cookie); the refresh token is in an
//! `HttpOnly` cookie the page cannot see. A reload therefore starts signed out and restores
//! the session through one call to `/api/auth/fn/refresh`.

use std::{cell::RefCell, future::Future};

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use futures::{
    FutureExt,
    future::{LocalBoxFuture, Shared},
};
use leptos::prelude::*;
use send_wrapper::SendWrapper;
use serde::Deserialize;
use server_fn::{
    Bytes,
    client::{Client, browser::BrowserClient},
    error::FromServerFnError,
    request::{ClientReq, browser::BrowserRequest},
    response::ClientRes,
};

use crate::{
    dto::TokenResponse,
    error::{AppError, ErrorCode},
    server_fns::refresh_session,
};

type PendingRefresh = Shared<LocalBoxFuture<'static, Result<Option<TokenResponse>, AppError>>>;

thread_local! {
    static ACCESS_TOKEN: RefCell<Option<String>> = const { RefCell::new(None) };
    static REFRESHING: RefCell<Option<PendingRefresh>> = const { RefCell::new(None) };
}

/// The server-function client for calls that need the signed-in person: the browser's
/// `fetch` with `Authorization: Bearer <access token>` from memory. On a 401 it refreshes
/// once (concurrent 401s share one refresh) and sends the call again with the new token.
pub struct BearerClient;

impl<E, IS, OS> Client<E, IS, OS> for BearerClient
where
    E: FromServerFnError,
    IS: FromServerFnError,
    OS: FromServerFnError,
{
    type Request = BrowserRequest;
    type Response = <BrowserClient as Client<E, IS, OS>>::Response;

    fn send(mut request: Self::Request) -> impl Future<Output = Result<Self::Response, E>> + Send {
        let copy = copy_for_retry(&mut request);
        let had_token = attach_access_token(request.headers());
        SendWrapper::new(async move {
            let response = <BrowserClient as Client<E, IS, OS>>::send(request).await?;
            if ClientRes::<E>::status(&response) != 401 || !had_token {
                return Ok(response);
            }
            let (Some(copy), Ok(Some(tokens))) = (copy, refresh_once().await) else {
                return Ok(response);
            };
            ACCESS_TOKEN.set(Some(tokens.access_token));
            match retry_request::<E>(copy).await {
                Some(retry) => <BrowserClient as Client<E, IS, OS>>::send(retry).await,
                None => Ok(response),
            }
        })
    }

    fn open_websocket(
        path: &str,
    ) -> impl Future<
        Output = Result<
            (
                impl futures::Stream<Item = Result<Bytes, Bytes>> + Send + 'static,
                impl futures::Sink<Bytes> + Send + 'static,
            ),
            E,
        >,
    > + Send {
        <BrowserClient as Client<E, IS, OS>>::open_websocket(path)
    }

    fn spawn(future: impl Future<Output = ()> + Send + 'static) {
        <BrowserClient as Client<E, IS, OS>>::spawn(future);
    }
}

/// Sets the bearer header when a token is held; says whether it did.
fn attach_access_token(headers: gloo_net::http::Headers) -> bool {
    match ACCESS_TOKEN.with_borrow(Clone::clone) {
        Some(token) => {
            headers.set("Authorization", &format!("Bearer {token}"));
            true
        }
        None => false,
    }
}

/// A copy of the request (the JS `Request.clone()`) taken before its body is sent, so the
/// call can be repeated. The request is taken out and put back, leaving server_fn's abort
/// guard in place.
fn copy_for_retry(request: &mut BrowserRequest) -> Option<web_sys::Request> {
    let placeholder = gloo_net::http::Request::get("/").build().ok()?;
    let original: web_sys::Request = std::mem::replace(&mut **request, placeholder).into();
    let copy = original.clone().ok();
    **request = gloo_net::http::Request::from(original);
    copy
}

/// The same call as `copy`, rebuilt with the new token.
async fn retry_request<E: FromServerFnError>(copy: web_sys::Request) -> Option<BrowserRequest> {
    let body = wasm_bindgen_futures::JsFuture::from(copy.text().ok()?)
        .await
        .ok()?
        .as_string()?;
    let header = |name: &str| copy.headers().get(name).ok().flatten().unwrap_or_default();
    let retry = <BrowserRequest as ClientReq<E>>::try_new_post(
        &copy.url(),
        &header("content-type"),
        &header("accept"),
        body,
    )
    .ok()?;
    attach_access_token(retry.headers());
    Some(retry)
}

/// Who is signed in, as the ID token says (for display only; the server trusts nothing but
/// the access token).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedIn {
    /// Stable user id, to recognise one's own posts.
    pub sub: String,
    /// Login name.
    pub username: String,
    /// Email address.
    pub email: String,
}

#[derive(Deserialize)]
struct IdClaims {
    sub: String,
    #[serde(rename = "cognito:username")]
    username: String,
    #[serde(default)]
    email: String,
}

fn signed_in_from(id_token: &str) -> Option<SignedIn> {
    let payload = id_token.split('.').nth(1)?;
    let claims: IdClaims = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).ok()?).ok()?;
    Some(SignedIn {
        sub: claims.sub,
        username: claims.username,
        email: claims.email,
    })
}

/// The session as the UI sees it, provided as context by [`crate::App`].
#[derive(Debug, Clone, Copy)]
pub struct Session {
    user: RwSignal<Option<SignedIn>>,
    restored: RwSignal<bool>,
}

impl Session {
    /// A signed-out session that has not tried to restore itself yet.
    pub fn new() -> Self {
        Self {
            user: RwSignal::new(None),
            restored: RwSignal::new(false),
        }
    }

    /// The signed-in person, reactively.
    pub fn user(&self) -> Option<SignedIn> {
        self.user.get()
    }

    /// Whether the start-up refresh has finished (so "signed out" is final, not pending).
    pub fn restored(&self) -> bool {
        self.restored.get()
    }

    /// Keeps fresh tokens: the access token in memory, the person in the signal.
    pub fn sign_in(&self, tokens: &TokenResponse) {
        ACCESS_TOKEN.set(Some(tokens.access_token.clone()));
        self.user.set(signed_in_from(&tokens.id_token));
    }

    /// Forgets the tokens.
    pub fn sign_out(&self) {
        ACCESS_TOKEN.set(None);
        self.user.set(None);
    }

    /// Tries the refresh cookie once, at start-up.
    pub async fn restore(self) {
        match refresh_once().await {
            Ok(Some(tokens)) => self.sign_in(&tokens),
            Ok(None) | Err(_) => self.sign_out(),
        }
        self.restored.set(true);
    }

    /// Runs a call made with [`BearerClient`] (which already refreshed and retried once on a
    /// 401). A 401 that survives that means the session is over: the person is signed out.
    pub async fn authorized<T>(
        self,
        call: impl Future<Output = Result<T, AppError>>,
    ) -> Result<T, AppError> {
        let outcome = call.await;
        if outcome
            .as_ref()
            .is_err_and(|err| err.code == ErrorCode::Unauthorized)
        {
            self.sign_out();
        }
        outcome
    }
}

impl Default for Session {
    fn default() -> Self {
        Self::new()
    }
}

/// One refresh at a time: concurrent callers await the same request.
async fn refresh_once() -> Result<Option<TokenResponse>, AppError> {
    let pending = REFRESHING.with_borrow_mut(|slot| {
        slot.get_or_insert_with(|| {
            async {
                let outcome = refresh_session().await;
                REFRESHING.set(None);
                outcome
            }
            .boxed_local()
            .shared()
        })
        .clone()
    });
    pending.await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_person_is_read_from_the_id_token_payload() {
        let payload = URL_SAFE_NO_PAD
            .encode(r#"{"sub":"s-1","cognito:username":"alice","email":"a@example.com"}"#);
        let user = signed_in_from(&format!("header.{payload}.signature")).unwrap();
        assert_eq!(user.sub, "s-1");
        assert_eq!(user.username, "alice");
        assert_eq!(user.email, "a@example.com");
        assert!(signed_in_from("not-a-jwt").is_none());
    }
}
