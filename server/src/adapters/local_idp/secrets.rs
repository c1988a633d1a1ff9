//! Random secrets and how they are stored: refresh tokens and codes are kept as SHA-256, so a
//! copy of the database opens no session and confirms no account.

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};

use crate::ports::IdentityError;

/// 32 random bytes, URL-safe: an opaque refresh token.
pub(super) fn random_token() -> Result<String, IdentityError> {
    let mut bytes = [0u8; 32];
    aws_lc_rs::rand::fill(&mut bytes)
        .map_err(|_| IdentityError::Unavailable("no randomness".into()))?;
    Ok(URL_SAFE_NO_PAD.encode(bytes))
}

/// Uniform over 000000–999999: draws below the largest multiple of a million are kept.
pub(super) fn six_digit_code() -> String {
    loop {
        let mut bytes = [0u8; 4];
        if aws_lc_rs::rand::fill(&mut bytes).is_err() {
            continue;
        }
        let draw = u32::from_be_bytes(bytes);
        if draw < 4_294_000_000 {
            return format!("{:06}", draw % 1_000_000);
        }
    }
}

/// What the database keeps of a secret.
pub(super) fn digest(secret: &str) -> String {
    URL_SAFE_NO_PAD.encode(aws_lc_rs::digest::digest(
        &aws_lc_rs::digest::SHA256,
        secret.as_bytes(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_six_digits() {
        for _ in 0..200 {
            let code = six_digit_code();
            assert_eq!(code.len(), 6);
            assert!(code.bytes().all(|b| b.is_ascii_digit()));
        }
    }

    #[test]
    fn stored_secrets_are_digests_not_the_secret() {
        let token = random_token().unwrap();
        assert_ne!(digest(&token), token);
        assert_eq!(digest(&token), digest(&token));
    }
}
