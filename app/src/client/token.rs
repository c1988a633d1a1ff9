//! The access token in memory and the single-flight refresh that renews it.

use std::cell::RefCell;

use futures::{
    FutureExt,
    future::{LocalBoxFuture, Shared},
};

use crate::{dto::TokenResponse, error::AppError};

/// Asks the server for new tokens from the refresh cookie; `None` without a session.
pub type Refresh = fn() -> LocalBoxFuture<'static, Result<Option<TokenResponse>, AppError>>;

type PendingRefresh = Shared<LocalBoxFuture<'static, Result<Option<TokenResponse>, AppError>>>;

thread_local! {
    static ACCESS_TOKEN: RefCell<Option<String>> = const { RefCell::new(None) };
    static REFRESH: RefCell<Option<Refresh>> = const { RefCell::new(None) };
    static REFRESHING: RefCell<Option<PendingRefresh>> = const { RefCell::new(None) };
}

/// Sets how tokens are refreshed; the app calls this once before any call needs it.
pub fn use_refresh(refresh: Refresh) {
    REFRESH.set(Some(refresh));
}

/// The access token held, if any.
pub fn access_token() -> Option<String> {
    ACCESS_TOKEN.with_borrow(Clone::clone)
}

/// Holds a fresh access token.
pub fn keep_access_token(token: String) {
    ACCESS_TOKEN.set(Some(token));
}

/// Drops the access token (log-out, or a session that ended).
pub fn forget_access_token() {
    ACCESS_TOKEN.set(None);
}

/// One refresh at a time: concurrent callers await the same request. New tokens are kept
/// before any caller sees them.
pub async fn refresh_once() -> Result<Option<TokenResponse>, AppError> {
    let Some(refresh) = REFRESH.with_borrow(|refresh| *refresh) else {
        return Ok(None);
    };
    let pending = REFRESHING.with_borrow_mut(|slot| {
        slot.get_or_insert_with(|| {
            async move {
                let outcome = refresh().await;
                if let Ok(Some(tokens)) = &outcome {
                    keep_access_token(tokens.access_token.clone());
                }
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
