//! Lifetimes and limits of the local identity provider.

/// Lifetimes and limits; the defaults follow the user pool in `infra/template.yaml`.
#[derive(Debug, Clone)]
pub struct LocalIdpSettings {
    /// `iss` of every token.
    pub issuer: String,
    /// `client_id` (access) and `aud` (id) of every token.
    pub client_id: String,
    /// Access and ID token lifetime.
    pub access_token_secs: u64,
    /// How long a session lasts from log-in; rotation does not extend it.
    pub refresh_token_secs: u64,
    /// How long a rotated-out refresh token still works (`BOARDWALK_REFRESH_REUSE_GRACE_SECS`).
    pub refresh_reuse_grace_secs: u64,
    /// How long a confirmation code is valid.
    pub code_secs: u64,
    /// Wrong codes tolerated before the code is void and a new one is needed.
    pub max_code_attempts: u32,
    /// Code tries per username per day, across resends (a resend gives a fresh code, so
    /// without this bound slow guessing never ends).
    pub max_code_tries_per_day: u32,
    /// Wait between two resends.
    pub resend_cooldown_secs: u64,
}

impl Default for LocalIdpSettings {
    fn default() -> Self {
        Self {
            issuer: "urn:boardwalk:local-idp".into(),
            client_id: "boardwalk-local".into(),
            access_token_secs: 15 * 60,
            refresh_token_secs: 30 * 24 * 3600,
            refresh_reuse_grace_secs: 10,
            code_secs: 24 * 3600,
            max_code_attempts: 5,
            max_code_tries_per_day: 10,
            resend_cooldown_secs: 30,
        }
    }
}
