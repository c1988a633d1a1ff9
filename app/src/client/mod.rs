//! The SPA's transport for calls on behalf of the signed-in person.
//!
//! The access token lives only in this module's memory (never in `localStorage`,
//! `sessionStorage` or a script-readable cookie); the refresh token is in an `HttpOnly`
//! cookie the page cannot see. [`BearerClient`] attaches the token and, on a 401, refreshes
//! once and resends. The refresh call itself is handed in at start-up ([`use_refresh`]),
//! so the transport does not depend on the server functions it carries.

mod bearer;
mod token;

pub use bearer::BearerClient;
pub use token::{
    Refresh, access_token, forget_access_token, keep_access_token, refresh_once, use_refresh,
};
