//! One module per area of the SPA, one component per route.

pub mod accounts;
pub mod chat;
pub mod comments;
pub mod home;
pub mod posts;
