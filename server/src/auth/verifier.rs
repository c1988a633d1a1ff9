//! One verifier for access tokens from either identity provider. It trusts nothing in the
//! token's header but the key id: the algorithm is pinned to RS256, and the signature, `iss`,
//! `client_id`, `token_use` and `exp` are all checked.

use std::{
    sync::{Arc, RwLock},
    time::{Duration, Instant},
};

use async_trait::async_trait;
use jsonwebtoken::{Algorithm, DecodingKey, Validation, jwk::JwkSet};
use serde::Deserialize;
use tokio::sync::Mutex;

use crate::ports::Principal;

/// Seconds of clock skew tolerated on `exp`.
const LEEWAY_SECS: u64 = 30;
/// Fewest seconds between two JWKS fetches triggered by unknown key ids, so forged `kid`s
/// cannot make the server hammer the issuer.
const REFETCH_INTERVAL: Duration = Duration::from_secs(30);

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

/// Which tokens to accept.
#[derive(Debug, Clone)]
pub struct VerifierSettings {
    /// Exact `iss` claim.
    pub issuer: String,
    /// Exact `client_id` claim: the app client tokens must be issued to.
    pub client_id: String,
}

#[derive(Deserialize)]
struct AccessClaims {
    sub: String,
    username: String,
    client_id: String,
    token_use: String,
}

struct CachedKeys {
    keys: JwkSet,
    fetched_at: Option<Instant>,
}

/// Verifies access tokens against the issuer's JWKS, fetched once and cached.
pub struct AccessTokenVerifier {
    settings: VerifierSettings,
    source: Arc<dyn JwksSource>,
    cache: RwLock<CachedKeys>,
    refetch: Mutex<()>,
}

impl AccessTokenVerifier {
    /// A verifier with an empty cache; the first token triggers the first fetch.
    pub fn new(settings: VerifierSettings, source: Arc<dyn JwksSource>) -> Self {
        Self {
            settings,
            source,
            cache: RwLock::new(CachedKeys {
                keys: JwkSet { keys: Vec::new() },
                fetched_at: None,
            }),
            refetch: Mutex::new(()),
        }
    }

    /// The person the token was issued to, if every check passes.
    pub async fn verify(&self, token: &str) -> Result<Principal, VerifyError> {
        let header =
            jsonwebtoken::decode_header(token).map_err(|_| VerifyError::Invalid("malformed"))?;
        if header.alg != Algorithm::RS256 {
            return Err(VerifyError::Invalid("algorithm is not RS256"));
        }
        let kid = header.kid.ok_or(VerifyError::Invalid("no key id"))?;
        let key = self.decoding_key(&kid).await?;

        let mut validation = Validation::new(Algorithm::RS256);
        validation.set_issuer(&[&self.settings.issuer]);
        validation.set_required_spec_claims(&["exp", "iss", "sub"]);
        validation.validate_aud = false;
        validation.leeway = LEEWAY_SECS;
        let claims = jsonwebtoken::decode::<AccessClaims>(token, &key, &validation)
            .map_err(|_| VerifyError::Invalid("signature or claims rejected"))?
            .claims;
        if claims.token_use != "access" {
            return Err(VerifyError::Invalid("not an access token"));
        }
        if claims.client_id != self.settings.client_id {
            return Err(VerifyError::Invalid("issued to another client"));
        }
        Ok(Principal {
            sub: claims.sub,
            username: claims.username,
            access_token: token.to_owned(),
        })
    }

    async fn decoding_key(&self, kid: &str) -> Result<DecodingKey, VerifyError> {
        if let Some(key) = self.cached_key(kid)? {
            return Ok(key);
        }
        let _one_fetch_at_a_time = self.refetch.lock().await;
        if let Some(key) = self.cached_key(kid)? {
            return Ok(key);
        }
        let recently = self
            .cache
            .read()
            .map_err(|_| VerifyError::Invalid("key cache poisoned"))?
            .fetched_at
            .is_some_and(|at| at.elapsed() < REFETCH_INTERVAL);
        if recently {
            return Err(VerifyError::Invalid("unknown key id"));
        }
        let keys = self.source.fetch().await?;
        *self
            .cache
            .write()
            .map_err(|_| VerifyError::Invalid("key cache poisoned"))? = CachedKeys {
            keys,
            fetched_at: Some(Instant::now()),
        };
        self.cached_key(kid)?
            .ok_or(VerifyError::Invalid("unknown key id"))
    }

    fn cached_key(&self, kid: &str) -> Result<Option<DecodingKey>, VerifyError> {
        let cache = self
            .cache
            .read()
            .map_err(|_| VerifyError::Invalid("key cache poisoned"))?;
        cache
            .keys
            .find(kid)
            .map(|jwk| DecodingKey::from_jwk(jwk).map_err(|_| VerifyError::Invalid("unusable key")))
            .transpose()
    }
}
