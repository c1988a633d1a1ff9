//! Password hashing with argon2id (the crate's default parameters: 19 MiB, 2 passes).
//!
//! The 19 MiB of working memory is allocated once per thread and reused for every hash on
//! it. Allocating it per hash let the allocator keep freed blocks in each thread's arena,
//! fragmented three to an arena (228 MiB measured after a log-in flood); reused, it is one
//! block per hashing thread for the life of the process.

use std::{cell::RefCell, sync::OnceLock};

use argon2::{
    Algorithm, Argon2, Block, Params, Version,
    password_hash::{Output, ParamsString, PasswordHash, SaltString, rand_core::OsRng},
};

use crate::ports::IdentityError;

thread_local! {
    /// This thread's argon2 working memory.
    static WORKING_MEMORY: RefCell<Vec<Block>> = const { RefCell::new(Vec::new()) };
}

/// Computes the argon2 output for `password` and `salt` into `out`, in this thread's
/// working memory.
fn argon2_into(
    argon2: &Argon2<'_>,
    password: &[u8],
    salt: &[u8],
    out: &mut [u8],
) -> argon2::Result<()> {
    let blocks = argon2.params().block_count();
    WORKING_MEMORY.with_borrow_mut(|memory| {
        if memory.len() < blocks {
            memory.resize(blocks, Block::default());
        }
        argon2.hash_password_into_with_memory(password, salt, out, &mut memory[..blocks])
    })
}

fn unavailable(err: impl std::fmt::Display) -> IdentityError {
    IdentityError::Unavailable(err.to_string().into())
}

/// A PHC-format argon2id hash of `password` with a fresh salt.
pub(super) fn hash_password(password: &str) -> Result<String, IdentityError> {
    let argon2 = Argon2::default();
    let params = argon2.params().clone();
    let salt = SaltString::generate(&mut OsRng);
    let mut salt_bytes = [0u8; 64];
    let salt_bytes = salt.decode_b64(&mut salt_bytes).map_err(unavailable)?;
    let length = params.output_len().unwrap_or(Params::DEFAULT_OUTPUT_LEN);
    let output = Output::init_with(length, |out| {
        argon2_into(&argon2, password.as_bytes(), salt_bytes, out).map_err(Into::into)
    })
    .map_err(unavailable)?;
    let hash = PasswordHash {
        algorithm: Algorithm::Argon2id.ident(),
        version: Some(Version::V0x13.into()),
        params: ParamsString::try_from(&params).map_err(unavailable)?,
        salt: Some(salt.as_salt()),
        hash: Some(output),
    };
    Ok(hash.to_string())
}

/// Whether `password` is the one `hash` was made from (compared in constant time).
pub(super) fn password_matches(password: &str, hash: &str) -> bool {
    let recompute = || -> Option<bool> {
        let parsed = PasswordHash::new(hash).ok()?;
        let algorithm = Algorithm::try_from(parsed.algorithm).ok()?;
        let version = parsed
            .version
            .map_or(Ok(Version::default()), Version::try_from)
            .ok()?;
        let params = Params::try_from(&parsed).ok()?;
        let expected = parsed.hash?;
        let mut salt = [0u8; 64];
        let salt = parsed.salt?.decode_b64(&mut salt).ok()?;
        let argon2 = Argon2::new(algorithm, version, params);
        let actual = Output::init_with(expected.len(), |out| {
            argon2_into(&argon2, password.as_bytes(), salt, out).map_err(Into::into)
        })
        .ok()?;
        Some(actual == expected)
    };
    recompute().unwrap_or(false)
}

/// A hash to verify against when the user does not exist, so an unknown name takes as long
/// to refuse as a wrong password.
pub(super) fn decoy_hash() -> &'static str {
    static DECOY: OnceLock<String> = OnceLock::new();
    DECOY.get_or_init(|| hash_password("decoy-password-nobody-has").unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;
    use argon2::{PasswordHasher, PasswordVerifier};

    #[test]
    fn a_password_matches_only_its_own_hash() {
        let hash = hash_password("Correct1Horse").unwrap();
        assert!(hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
        assert!(password_matches("Correct1Horse", &hash));
        assert!(!password_matches("Correct1Horsf", &hash));
        assert!(!password_matches("Correct1Horse", "not a hash"));
    }

    #[test]
    fn hashes_agree_with_the_argon2_crates_own_hasher_both_ways() {
        let ours = hash_password("Correct1Horse").unwrap();
        let parsed = PasswordHash::new(&ours).unwrap();
        assert!(
            Argon2::default()
                .verify_password(b"Correct1Horse", &parsed)
                .is_ok()
        );

        let salt = SaltString::generate(&mut OsRng);
        let theirs = Argon2::default()
            .hash_password(b"Correct1Horse", &salt)
            .unwrap()
            .to_string();
        assert!(password_matches("Correct1Horse", &theirs));
    }
}
