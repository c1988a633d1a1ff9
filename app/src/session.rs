//! The session as the UI sees it: who is signed in, and whether the start-up refresh has
//! finished. The tokens themselves live in [`crate::client`]; a reload starts signed out and
//! restores the session through one refresh call.

use std::future::Future;

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use leptos::prelude::*;
use serde::Deserialize;

use crate::{
    client,
    dto::TokenResponse,
    error::{AppError, ErrorCode},
};

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

/// The session's signals, provided as context by [`crate::App`].
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
        client::keep_access_token(tokens.access_token.clone());
        self.user.set(signed_in_from(&tokens.id_token));
    }

    /// Forgets the tokens.
    pub fn sign_out(&self) {
        client::forget_access_token();
        self.user.set(None);
    }

    /// Tries the refresh cookie once, at start-up.
    pub async fn restore(self) {
        match client::refresh_once().await {
            Ok(Some(tokens)) => self.sign_in(&tokens),
            Ok(None) | Err(_) => self.sign_out(),
        }
        self.restored.set(true);
    }

    /// Runs a call made with [`client::BearerClient`] (which already refreshed and retried
    /// once on a 401). A 401 that survives that means the session is over: the person is
    /// signed out.
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
