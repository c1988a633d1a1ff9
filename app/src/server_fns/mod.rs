//! Leptos server functions: the SPA's typed calls into the service layer, one file per
//! surface.
//!
//! Each is JSON-encoded (never the URL-encoded default, a CORS "simple" request) under a fixed
//! path. Bodies run 3–5 lines: find the service, read what the edge already established about
//! the request (the caller, the session), call, return. The ones that read or write the
//! refresh cookie live under `/api/auth/fn`, the cookie's path ([`auth`]).
#![allow(
    missing_docs,
    reason = "#[server] turns each argument into a field of a generated struct; the functions are documented"
)]

pub mod accounts;
pub mod auth;
pub mod chat;
pub mod comments;
pub mod flags;
pub mod media;
pub mod posts;

/// Server-side helpers for the bodies: what the edge put in the context.
#[cfg(feature = "ssr")]
mod ssr {
    use crate::{
        error::AppError,
        services::{Caller, PresentedSession, RequestContext, WithCookies, from_context},
    };

    /// The verified caller, or the 401 the edge decided on.
    pub fn caller() -> Result<Caller, AppError> {
        from_context::<RequestContext>()?.caller
    }

    /// The caller, or `None` for a visitor (no token at all); a refused token is still a
    /// 401, since its holder believes they are signed in.
    pub fn viewer() -> Result<Option<Caller>, AppError> {
        let context = from_context::<RequestContext>()?;
        if context.anonymous {
            return Ok(None);
        }
        context.caller.map(Some)
    }

    /// The session(s) the refresh cookie names.
    pub fn session() -> Result<PresentedSession, AppError> {
        Ok(from_context::<RequestContext>()?.session)
    }

    /// Records the session change for the edge to send as a cookie, and returns the body.
    pub fn with_cookies<T>(answer: WithCookies<T>) -> Result<T, AppError> {
        let context = from_context::<RequestContext>()?;
        let mut slot = context
            .session_cookie
            .lock()
            .map_err(|_| AppError::internal())?;
        *slot = answer.session;
        Ok(answer.body)
    }
}
