//! Where an issuer's public keys come from: in-process for the local provider, over HTTPS for
//! Cognito (or HTTP, for an emulator on loopback).

use async_trait::async_trait;
use jsonwebtoken::jwk::JwkSet;

use super::VerifyError;

/// Where the issuer's public keys come from.
#[async_trait]
pub trait JwksSource: Send + Sync {
    /// The current key set.
    async fn fetch(&self) -> Result<JwkSet, VerifyError>;
}

/// A key set known in-process (the local identity provider's own).
pub struct StaticJwks(pub JwkSet);

#[async_trait]
impl JwksSource for StaticJwks {
    async fn fetch(&self) -> Result<JwkSet, VerifyError> {
        Ok(self.0.clone())
    }
}

/// The issuer's JWKS document at a URL.
pub struct HttpJwks {
    client: reqwest::Client,
    url: String,
}

impl HttpJwks {
    /// Fetches from `url` with a short timeout, so a slow issuer cannot hold requests.
    pub fn new(url: impl Into<String>) -> Result<Self, reqwest::Error> {
        Ok(Self {
            client: reqwest::Client::builder()
                .timeout(std::time::Duration::from_secs(5))
                .build()?,
            url: url.into(),
        })
    }
}

#[async_trait]
impl JwksSource for HttpJwks {
    async fn fetch(&self) -> Result<JwkSet, VerifyError> {
        let fetched = self
            .client
            .get(&self.url)
            .send()
            .await
            .and_then(reqwest::Response::error_for_status)
            .map_err(|err| VerifyError::KeysUnavailable(Box::new(err)))?;
        fetched
            .json()
            .await
            .map_err(|err| VerifyError::KeysUnavailable(Box::new(err)))
    }
}
