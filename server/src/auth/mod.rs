//! Access tokens: how the local identity provider signs them ([`signing`]), where issuers'
//! public keys come from ([`jwks`]), and how every request's token is verified
//! ([`verifier`]), whichever provider issued it. The HTTP edge holds an [`Authenticator`] and
//! turns a bearer token into a [`Caller`] once per request.

pub mod jwks;
pub mod signing;
pub mod verifier;

use app::services::Caller;
use async_trait::async_trait;

/// Why a token was refused. Callers answer every variant with the same 401.
#[derive(Debug, thiserror::Error)]
pub enum VerifyError {
    /// Malformed, forged, expired, or issued for something else.
    #[error("the access token is not valid: {0}")]
    Invalid(&'static str),
    /// The issuer's keys could not be fetched.
    #[error("the signing keys could not be fetched")]
    KeysUnavailable(#[source] Box<dyn std::error::Error + Send + Sync>),
}

/// Who a bearer token belongs to, or why it is refused (every refusal is the same 401).
#[async_trait]
pub trait Authenticator: Send + Sync {
    /// The caller behind `token`, if every check passes.
    async fn caller(&self, token: &str) -> Result<Caller, VerifyError>;
}
