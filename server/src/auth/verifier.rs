//! One verifier for access tokens from either identity provider. It trusts nothing in the
//! token's header but the key id: the algorithm is pinned to RS256, and the signature, `iss`,
//! `client_id`, `token_use` and `exp` are all checked.
//!
//! The issuer's key set is cached. It is fetched again when a token names a key the cache
//! lacks (at most every 30 s, so forged `kid`s cannot make the server hammer the issuer), and
//! on a schedule (hourly), so a key the issuer rotated out stops being trusted. A failed
//! fetch keeps the keys already known and backs off (30 s, doubling to 5 min), so an issuer
//! outage neither locks everyone out nor makes every request wait on it.

use std::sync::{Arc, RwLock};

use app::services::Caller;
use async_trait::async_trait;
use jsonwebtoken::{Algorithm, DecodingKey, Validation, jwk::JwkSet};
use serde::Deserialize;
use tokio::sync::Mutex;

use super::{Authenticator, VerifyError, jwks::JwksSource};
use crate::{ports::Clock, telemetry::error_chain};

/// Seconds of clock skew tolerated on `exp`.
const LEEWAY_SECS: u64 = 30;
/// Fewest milliseconds between two fetches.
const REFETCH_INTERVAL_MS: i64 = 30_000;
/// Age at which the key set is fetched again even if every `kid` is known.
const KEYS_MAX_AGE_MS: i64 = 3_600_000;
/// The longest wait after failed fetches.
const MAX_BACKOFF_MS: i64 = 300_000;

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
    /// Cognito leaves the claim out for someone in no group.
    #[serde(rename = "cognito:groups", default)]
    groups: Vec<String>,
}

/// The keys known, when they were fetched, and when the next fetch may happen.
struct CachedKeys {
    keys: JwkSet,
    fetched_at_ms: Option<i64>,
    failures: u32,
    next_fetch_ms: i64,
}

impl CachedKeys {
    fn fetch_allowed(&self, now_ms: i64) -> bool {
        now_ms >= self.next_fetch_ms
    }

    fn stale(&self, now_ms: i64) -> bool {
        self.fetched_at_ms
            .is_none_or(|fetched| now_ms - fetched >= KEYS_MAX_AGE_MS)
    }
}

/// Verifies access tokens against the issuer's JWKS, cached as the module says.
pub struct AccessTokenVerifier<C> {
    settings: VerifierSettings,
    source: Arc<dyn JwksSource>,
    clock: C,
    cache: RwLock<CachedKeys>,
    fetching: Mutex<()>,
}

impl<C: Clock> AccessTokenVerifier<C> {
    /// A verifier with an empty cache; the first token triggers the first fetch.
    pub fn new(settings: VerifierSettings, source: Arc<dyn JwksSource>, clock: C) -> Self {
        Self {
            settings,
            source,
            clock,
            cache: RwLock::new(CachedKeys {
                keys: JwkSet { keys: Vec::new() },
                fetched_at_ms: None,
                failures: 0,
                next_fetch_ms: i64::MIN,
            }),
            fetching: Mutex::new(()),
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
            groups: claims.groups,
        })
    }

    fn read_cache<T>(&self, read: impl FnOnce(&CachedKeys) -> T) -> Result<T, VerifyError> {
        self.cache
            .read()
            .map(|cache| read(&cache))
            .map_err(|_| VerifyError::Invalid("key cache poisoned"))
    }

    async fn decoding_key(&self, kid: &str) -> Result<DecodingKey, VerifyError> {
        let now = self.clock.now_ms();
        // A scheduled refresh is done by whoever gets there first; the rest go on with the
        // keys they have.
        if self.read_cache(|cache| cache.stale(now) && cache.fetch_allowed(now))?
            && let Ok(_fetching) = self.fetching.try_lock()
        {
            self.fetch_if_allowed(now).await?;
        }
        if let Some(key) = self.cached_key(kid)? {
            return Ok(key);
        }
        let _fetching = self.fetching.lock().await;
        if let Some(key) = self.cached_key(kid)? {
            return Ok(key);
        }
        self.fetch_if_allowed(self.clock.now_ms()).await?;
        self.cached_key(kid)?
            .ok_or(VerifyError::Invalid("unknown key id"))
    }

    /// Fetches the key set if the interval or back-off allows; the caller holds `fetching`.
    async fn fetch_if_allowed(&self, now: i64) -> Result<(), VerifyError> {
        if !self.read_cache(|cache| cache.fetch_allowed(now))? {
            return Ok(());
        }
        let fetched = self.source.fetch().await;
        let mut cache = self
            .cache
            .write()
            .map_err(|_| VerifyError::Invalid("key cache poisoned"))?;
        match fetched {
            Ok(keys) => {
                *cache = CachedKeys {
                    keys,
                    fetched_at_ms: Some(now),
                    failures: 0,
                    next_fetch_ms: now + REFETCH_INTERVAL_MS,
                };
            }
            Err(err) => {
                cache.failures = cache.failures.saturating_add(1);
                let backoff = REFETCH_INTERVAL_MS
                    .checked_shl(cache.failures - 1)
                    .filter(|ms| *ms <= MAX_BACKOFF_MS)
                    .unwrap_or(MAX_BACKOFF_MS);
                cache.next_fetch_ms = now + backoff;
                tracing::warn!(
                    error = %error_chain(&err),
                    failures = cache.failures,
                    backoff_ms = backoff,
                    "could not fetch the issuer's keys; keeping the ones known"
                );
            }
        }
        Ok(())
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
impl<C: Clock> Authenticator for AccessTokenVerifier<C> {
    async fn caller(&self, token: &str) -> Result<Caller, VerifyError> {
        self.verify(token).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{
        auth::{jwks::StaticJwks, signing::SigningKey},
        ports::{ManualClock, SystemClock},
    };
    use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
    use jsonwebtoken::{EncodingKey, Header, get_current_timestamp};
    use serde_json::{Value, json};

    const ISSUER: &str = "urn:test:issuer";
    const CLIENT: &str = "test-client";

    struct Fixture {
        key: SigningKey,
        verifier: AccessTokenVerifier<SystemClock>,
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
            SystemClock,
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
        assert!(
            caller.groups.is_empty(),
            "no cognito:groups claim, no groups"
        );
    }

    #[tokio::test]
    async fn the_cognito_groups_claim_becomes_the_callers_groups() {
        let fixture = fixture();
        let claims = with(json!({"cognito:groups": ["beta", "premium"]}));
        let token = fixture.key.sign(&claims).unwrap();
        let caller = fixture.verifier.verify(&token).await.unwrap();
        assert_eq!(caller.groups, ["beta", "premium"]);
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

    /// A key source whose answer the test sets, counting the fetches.
    struct ScriptedJwks {
        answer: std::sync::Mutex<Option<JwkSet>>,
        fetches: std::sync::atomic::AtomicUsize,
    }

    impl ScriptedJwks {
        fn answering(keys: Option<JwkSet>) -> Arc<Self> {
            Arc::new(Self {
                answer: std::sync::Mutex::new(keys),
                fetches: 0.into(),
            })
        }

        fn answer(&self, keys: Option<JwkSet>) {
            *self.answer.lock().unwrap() = keys;
        }

        fn fetches(&self) -> usize {
            self.fetches.load(std::sync::atomic::Ordering::SeqCst)
        }
    }

    #[async_trait]
    impl JwksSource for ScriptedJwks {
        async fn fetch(&self) -> Result<JwkSet, VerifyError> {
            self.fetches
                .fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            self.answer
                .lock()
                .unwrap()
                .clone()
                .ok_or_else(|| VerifyError::KeysUnavailable("issuer down".into()))
        }
    }

    fn scripted_verifier(
        source: &Arc<ScriptedJwks>,
        clock: &Arc<ManualClock>,
    ) -> AccessTokenVerifier<Arc<ManualClock>> {
        AccessTokenVerifier::new(
            VerifierSettings {
                issuer: ISSUER.into(),
                client_id: CLIENT.into(),
            },
            Arc::clone(source) as Arc<dyn JwksSource>,
            Arc::clone(clock),
        )
    }

    fn token_with_unknown_kid() -> String {
        let mut header = Header::new(Algorithm::RS256);
        header.kid = Some("unknown-kid".into());
        let payload = URL_SAFE_NO_PAD.encode(access_claims().to_string());
        let header = URL_SAFE_NO_PAD.encode(serde_json::to_string(&header).unwrap());
        format!("{header}.{payload}.c2ln")
    }

    #[tokio::test]
    async fn an_unknown_key_id_is_refused_without_refetching_each_time() {
        let fixture = fixture();
        let source = ScriptedJwks::answering(Some(fixture.key.jwks().clone()));
        let clock = Arc::new(ManualClock::at_ms(1_000_000));
        let verifier = scripted_verifier(&source, &clock);

        for _ in 0..5 {
            assert!(verifier.verify(&token_with_unknown_kid()).await.is_err());
        }
        assert_eq!(source.fetches(), 1);
        clock.advance_secs(31);
        assert!(verifier.verify(&token_with_unknown_kid()).await.is_err());
        assert_eq!(source.fetches(), 2);
    }

    #[tokio::test]
    async fn after_a_failed_fetch_the_issuer_is_asked_again_only_after_a_growing_pause() {
        let source = ScriptedJwks::answering(None);
        let clock = Arc::new(ManualClock::at_ms(1_000_000));
        let verifier = scripted_verifier(&source, &clock);

        for _ in 0..5 {
            assert!(verifier.verify(&token_with_unknown_kid()).await.is_err());
        }
        assert_eq!(source.fetches(), 1, "one failure, then back-off");
        clock.advance_secs(29);
        assert!(verifier.verify(&token_with_unknown_kid()).await.is_err());
        assert_eq!(source.fetches(), 1);
        clock.advance_secs(2);
        assert!(verifier.verify(&token_with_unknown_kid()).await.is_err());
        assert_eq!(source.fetches(), 2, "30 s after the first failure");
        clock.advance_secs(31);
        assert!(verifier.verify(&token_with_unknown_kid()).await.is_err());
        assert_eq!(
            source.fetches(),
            2,
            "the second failure doubled the pause to 60 s"
        );
        clock.advance_secs(30);
        assert!(verifier.verify(&token_with_unknown_kid()).await.is_err());
        assert_eq!(source.fetches(), 3);
    }

    #[tokio::test]
    async fn a_key_the_issuer_rotated_out_stops_working_at_the_next_scheduled_refresh() {
        let fixture = fixture();
        let source = ScriptedJwks::answering(Some(fixture.key.jwks().clone()));
        let clock = Arc::new(ManualClock::at_ms(1_000_000));
        let verifier = scripted_verifier(&source, &clock);
        let token = fixture.key.sign(&access_claims()).unwrap();
        assert!(verifier.verify(&token).await.is_ok());

        let successor_dir = tempfile::tempdir().unwrap();
        let successor = SigningKey::load_or_create(successor_dir.path()).unwrap();
        source.answer(Some(successor.jwks().clone()));
        clock.advance_secs(60);
        assert!(
            verifier.verify(&token).await.is_ok(),
            "within the hour the cache holds"
        );
        assert_eq!(source.fetches(), 1);

        clock.advance_secs(3600);
        assert!(
            refused_by(&verifier, &token).await,
            "rotated out after the refresh"
        );
        assert_eq!(source.fetches(), 2);
    }

    #[tokio::test]
    async fn when_a_scheduled_refresh_fails_the_known_keys_keep_working() {
        let fixture = fixture();
        let source = ScriptedJwks::answering(Some(fixture.key.jwks().clone()));
        let clock = Arc::new(ManualClock::at_ms(1_000_000));
        let verifier = scripted_verifier(&source, &clock);
        let token = fixture.key.sign(&access_claims()).unwrap();
        assert!(verifier.verify(&token).await.is_ok());

        source.answer(None);
        clock.advance_secs(3700);

        assert!(verifier.verify(&token).await.is_ok());
        assert_eq!(source.fetches(), 2);
    }

    async fn refused_by(verifier: &AccessTokenVerifier<Arc<ManualClock>>, token: &str) -> bool {
        matches!(verifier.verify(token).await, Err(VerifyError::Invalid(_)))
    }
}
