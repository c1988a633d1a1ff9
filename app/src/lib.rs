//! What the browser and the server share.
//!
//! The SPA and the server both compile this crate: the browser gets the UI and client stubs of
//! the server functions, the server (feature `ssr`) gets their bodies and the service interface
//! those bodies call. The server implements that interface and provides it as Leptos context,
//! because this crate cannot depend on the server.
//!
//! Dependencies point one way: `ui` → `session` → `client`; `ui` → `server_fns` →
//! (`client`, `services`) → `dto`, `domain`, `error`. `client` learns how to refresh at start-up
//! instead of importing the refresh call, so no module imports one that imports it back.

pub mod client;
pub mod domain;
pub mod dto;
pub mod error;
pub mod server_fns;
#[cfg(feature = "ssr")]
pub mod services;
pub mod session;
mod ui;

pub use ui::{App, Route};
