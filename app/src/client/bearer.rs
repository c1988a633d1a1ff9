//! `BearerClient`: the browser's `fetch` with `Authorization: Bearer <token>` from memory.

use std::future::Future;

use send_wrapper::SendWrapper;
use server_fn::{
    Bytes,
    client::{Client, browser::BrowserClient},
    error::FromServerFnError,
    request::{ClientReq, browser::BrowserRequest},
    response::ClientRes,
};

use super::token::{access_token, refresh_once};

/// The server-function client for calls that need the signed-in person. On a 401 it
/// refreshes once (concurrent 401s share one refresh) and sends the call again with the new
/// token.
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
            let (Some(copy), Ok(Some(_))) = (copy, refresh_once().await) else {
                return Ok(response);
            };
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
    match access_token() {
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
