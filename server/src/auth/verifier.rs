//! One verifier for access tokens from either identity provider. It trusts nothing in the
//! token's header but the key id: the algorithm is pinned to RS256, and the signature, `iss`,
//! `client_id`, `token_use` and `exp` are all checked.

use std::{
    sync::{Arc, RwLock},
    time::{Duration, Instant},
};

use app::services::Caller;
use async_trait::async_trait;
use jsonwebtoken::{Algorithm, DecodingKey, Validation, jwk::JwkSet};
use serde::Deserialize;
use tokio::sync::Mutex;

use super::{Authenticator, VerifyError, jwks::JwksSource};

/// Seconds of clock skew tolerated on `exp`.
const LEEWAY_SECS: u64 = 30;
/// Fewest seconds between two JWKS fetches triggered by unknown key ids, so forged `kid`s
/// cannot make the server hammer the issuer.
const REFETCH_INTERVAL: Duration = Duration::from_secs(30);

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
    pub async fn verify(&self, token: &str) -> Result<Caller, VerifyError> {
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
        Ok(Caller {
            sub: claims.sub,
            username: claims.username,
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

#[async_trait]
impl Authenticator for AccessTokenVerifier {
    async fn caller(&self, token: &str) -> Result<Caller, VerifyError> {
        self.verify(token).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::{jwks::StaticJwks, signing::SigningKey};
    use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
    use jsonwebtoken::{EncodingKey, Header, get_current_timestamp};
    use serde_json::{Value, json};

    const ISSUER: &str = "urn:test:issuer";
    const CLIENT: &str = "test-client";

    struct Fixture {
        key: SigningKey,
        verifier: AccessTokenVerifier,
        _dir: tempfile::TempDir,
    }

    fn fixture() -> Fixture {
        let dir = tempfile::tempdir().unwrap();
        let key = SigningKey::load_or_create(dir.path()).unwrap();
        let verifier = AccessTokenVerifier::new(
            VerifierSettings {
                issuer: ISSUER.into(),
                client_id: CLIENT.into(),
            },
            Arc::new(StaticJwks(key.jwks().clone())),
        );
        Fixture {
            key,
            verifier,
            _dir: dir,
        }
    }

    fn access_claims() -> Value {
        json!({
            "sub": "3f1c", "username": "alice", "client_id": CLIENT, "token_use": "access",
            "iss": ISSUER, "iat": get_current_timestamp(), "exp": get_current_timestamp() + 600,
        })
    }

    fn with(changes: Value) -> Value {
        let mut claims = access_claims();
        for (name, value) in changes.as_object().unwrap() {
            claims[name] = value.clone();
        }
        claims
    }

    fn kid(fixture: &Fixture) -> String {
        fixture.key.jwks().keys[0].common.key_id.clone().unwrap()
    }

    async fn refused(fixture: &Fixture, token: &str) -> bool {
        matches!(
            fixture.verifier.verify(token).await,
            Err(VerifyError::Invalid(_))
        )
    }

    #[tokio::test]
    async fn a_well_formed_access_token_yields_its_caller() {
        let fixture = fixture();
        let token = fixture.key.sign(&access_claims()).unwrap();
        let caller = fixture.verifier.verify(&token).await.unwrap();
        assert_eq!(
            (caller.sub.as_str(), caller.username.as_str()),
            ("3f1c", "alice")
        );
    }

    #[tokio::test]
    async fn a_tampered_payload_is_refused() {
        let fixture = fixture();
        let token = fixture.key.sign(&access_claims()).unwrap();
        let mut parts: Vec<String> = token.split('.').map(str::to_owned).collect();
        parts[1] = URL_SAFE_NO_PAD.encode(with(json!({"sub": "someone-else"})).to_string());
        assert!(refused(&fixture, &parts.join(".")).await);
    }

    #[tokio::test]
    async fn a_token_signed_by_another_key_with_the_same_kid_is_refused() {
        let fixture = fixture();
        let stranger_dir = tempfile::tempdir().unwrap();
        let stranger = SigningKey::load_or_create(stranger_dir.path()).unwrap();
        let forged = stranger.sign(&access_claims()).unwrap();
        let mut parts: Vec<String> = forged.split('.').map(str::to_owned).collect();
        let header = json!({"alg": "RS256", "typ": "JWT", "kid": kid(&fixture)});
        parts[0] = URL_SAFE_NO_PAD.encode(header.to_string());
        assert!(refused(&fixture, &parts.join(".")).await);
    }

    #[tokio::test]
    async fn alg_none_is_refused() {
        let fixture = fixture();
        let header = URL_SAFE_NO_PAD
            .encode(json!({"alg": "none", "typ": "JWT", "kid": kid(&fixture)}).to_string());
        let payload = URL_SAFE_NO_PAD.encode(access_claims().to_string());
        assert!(refused(&fixture, &format!("{header}.{payload}.")).await);
    }

    #[tokio::test]
    async fn hs256_signed_with_the_public_key_is_refused() {
        let fixture = fixture();
        let jwk = serde_json::to_string(&fixture.key.jwks().keys[0]).unwrap();
        let mut header = Header::new(Algorithm::HS256);
        header.kid = Some(kid(&fixture));
        let token = jsonwebtoken::encode(
            &header,
            &access_claims(),
            &EncodingKey::from_secret(jwk.as_bytes()),
        )
        .unwrap();
        assert!(refused(&fixture, &token).await);
    }

    #[tokio::test]
    async fn a_wrong_issuer_is_refused() {
        let fixture = fixture();
        let token = fixture
            .key
            .sign(&with(json!({"iss": "urn:someone:else"})))
            .unwrap();
        assert!(refused(&fixture, &token).await);
    }

    #[tokio::test]
    async fn a_token_for_another_client_is_refused() {
        let fixture = fixture();
        let token = fixture
            .key
            .sign(&with(json!({"client_id": "other-app"})))
            .unwrap();
        assert!(refused(&fixture, &token).await);
    }

    #[tokio::test]
    async fn an_id_token_where_an_access_token_is_required_is_refused() {
        let fixture = fixture();
        let token = fixture.key.sign(&with(json!({"token_use": "id"}))).unwrap();
        assert!(refused(&fixture, &token).await);
    }

    #[tokio::test]
    async fn an_expired_token_is_refused_beyond_the_leeway() {
        let fixture = fixture();
        let expired = get_current_timestamp() - LEEWAY_SECS - 5;
        let token = fixture.key.sign(&with(json!({"exp": expired}))).unwrap();
        assert!(refused(&fixture, &token).await);
    }

    #[tokio::test]
    async fn an_unknown_key_id_is_refused_without_refetching_each_time() {
        struct CountingJwks(std::sync::atomic::AtomicUsize, JwkSet);

        #[async_trait]
        impl JwksSource for CountingJwks {
            async fn fetch(&self) -> Result<JwkSet, VerifyError> {
                self.0.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                Ok(self.1.clone())
            }
        }

        let fixture = fixture();
        let source = Arc::new(CountingJwks(0.into(), fixture.key.jwks().clone()));
        let verifier = AccessTokenVerifier::new(
            VerifierSettings {
                issuer: ISSUER.into(),
                client_id: CLIENT.into(),
            },
            source.clone(),
        );
        let mut header = Header::new(Algorithm::RS256);
        header.kid = Some("unknown-kid".into());
        let payload = URL_SAFE_NO_PAD.encode(access_claims().to_string());
        let header = URL_SAFE_NO_PAD.encode(serde_json::to_string(&header).unwrap());
        for _ in 0..5 {
            assert!(
                verifier
                    .verify(&format!("{header}.{payload}.c2ln"))
                    .await
                    .is_err()
            );
        }
        assert_eq!(source.0.load(std::sync::atomic::Ordering::SeqCst), 1);
    }
}
