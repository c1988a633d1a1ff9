//! Access tokens: how the local identity provider signs them and how every request's token
//! is verified, whichever provider issued it.

pub mod signing;
pub mod verifier;
