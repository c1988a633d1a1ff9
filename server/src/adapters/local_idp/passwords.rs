//! Password hashing with argon2id, off the async runtime.

use std::sync::OnceLock;

use argon2::{
    Argon2, PasswordHash, PasswordHasher, PasswordVerifier,
    password_hash::{SaltString, rand_core::OsRng},
};

use crate::ports::IdentityError;

/// A PHC-format argon2id hash of `password` with a fresh salt.
pub(super) fn hash_password(password: &str) -> Result<String, IdentityError> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|hash| hash.to_string())
        .map_err(|err| IdentityError::Unavailable(err.to_string().into()))
}

/// Whether `password` is the one `hash` was made from.
pub(super) fn password_matches(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash).is_ok_and(|parsed| {
        Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok()
    })
}

/// A hash to verify against when the user does not exist, so an unknown name takes as long
/// to refuse as a wrong password.
pub(super) fn decoy_hash() -> &'static str {
    static DECOY: OnceLock<String> = OnceLock::new();
    DECOY.get_or_init(|| hash_password("decoy-password-nobody-has").unwrap_or_default())
}

/// Runs CPU-heavy work (a hash takes tens of milliseconds) on the blocking pool, so it does
/// not stall other requests.
pub(super) async fn on_blocking_pool<T: Send + 'static>(
    work: impl FnOnce() -> T + Send + 'static,
) -> Result<T, IdentityError> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|err| IdentityError::Unavailable(Box::new(err)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_password_matches_only_its_own_hash() {
        let hash = hash_password("Correct1Horse").unwrap();
        assert!(hash.starts_with("$argon2id$"));
        assert!(password_matches("Correct1Horse", &hash));
        assert!(!password_matches("Correct1Horsf", &hash));
    }
}
