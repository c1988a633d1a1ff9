//! The local identity provider's RS256 signing key, kept in the data directory so tokens
//! stay valid across restarts, and its public half as a JWKS.

use std::{io::Write, path::Path};

use aws_lc_rs::{
    encoding::AsDer,
    rsa::{KeyPair, KeySize},
    signature::KeyPair as _,
};
use base64::{Engine, engine::general_purpose::STANDARD, engine::general_purpose::URL_SAFE_NO_PAD};
use jsonwebtoken::{Algorithm, EncodingKey, Header, jwk::JwkSet};
use serde::Serialize;

/// The key file's name in the data directory (PKCS#8, DER).
const KEY_FILE: &str = "jwt-signing-key.p8";

/// Why the key could not be loaded or created.
#[derive(Debug, thiserror::Error)]
pub enum SigningKeyError {
    /// Reading or writing the key file failed.
    #[error("could not read or write the signing key file")]
    Io(#[from] std::io::Error),
    /// The file exists but holds no usable RSA key.
    #[error("the signing key file is not a usable RSA key")]
    Invalid,
}

/// Signs JWTs; `kid` names the key in the JWKS.
pub struct SigningKey {
    encoding: EncodingKey,
    kid: String,
    jwks: JwkSet,
}

impl SigningKey {
    /// Loads the key from `data_dir`, creating a 2048-bit one (readable by the owner only)
    /// the first time.
    pub fn load_or_create(data_dir: &Path) -> Result<Self, SigningKeyError> {
        let path = data_dir.join(KEY_FILE);
        let pkcs8 = match std::fs::read(&path) {
            Ok(bytes) => bytes,
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => {
                let key =
                    KeyPair::generate(KeySize::Rsa2048).map_err(|_| SigningKeyError::Invalid)?;
                let der = key.as_der().map_err(|_| SigningKeyError::Invalid)?;
                write_private(&path, der.as_ref())?;
                der.as_ref().to_vec()
            }
            Err(err) => return Err(err.into()),
        };
        Self::from_pkcs8(&pkcs8)
    }

    fn from_pkcs8(pkcs8: &[u8]) -> Result<Self, SigningKeyError> {
        let key = KeyPair::from_pkcs8(pkcs8).map_err(|_| SigningKeyError::Invalid)?;
        let public = key.public_key();
        let modulus = public.modulus().big_endian_without_leading_zero().to_vec();
        let exponent = public.exponent().big_endian_without_leading_zero().to_vec();
        let digest = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, &modulus);
        let kid = URL_SAFE_NO_PAD.encode(&digest.as_ref()[..12]);
        let jwks = serde_json::from_value(serde_json::json!({
            "keys": [{
                "kty": "RSA",
                "alg": "RS256",
                "use": "sig",
                "kid": kid,
                "n": URL_SAFE_NO_PAD.encode(&modulus),
                "e": URL_SAFE_NO_PAD.encode(&exponent),
            }]
        }))
        .map_err(|_| SigningKeyError::Invalid)?;
        let encoding = EncodingKey::from_rsa_pem(pem("PRIVATE KEY", pkcs8).as_bytes())
            .map_err(|_| SigningKeyError::Invalid)?;
        Ok(Self {
            encoding,
            kid,
            jwks,
        })
    }

    /// The public keys, as `/.well-known/jwks.json` serves them.
    pub fn jwks(&self) -> &JwkSet {
        &self.jwks
    }

    /// Signs `claims` with RS256 under this key's `kid`.
    pub fn sign(&self, claims: &impl Serialize) -> Result<String, jsonwebtoken::errors::Error> {
        let mut header = Header::new(Algorithm::RS256);
        header.kid = Some(self.kid.clone());
        jsonwebtoken::encode(&header, claims, &self.encoding)
    }
}

fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(path)?.write_all(bytes)
}

fn pem(label: &str, der: &[u8]) -> String {
    let body = STANDARD.encode(der);
    let lines: Vec<&str> = body
        .as_bytes()
        .chunks(64)
        .map(|line| std::str::from_utf8(line).unwrap_or_default())
        .collect();
    format!(
        "-----BEGIN {label}-----\n{}\n-----END {label}-----\n",
        lines.join("\n")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_key_survives_a_restart_and_keeps_its_kid() {
        let dir = tempfile::tempdir().unwrap();
        let first = SigningKey::load_or_create(dir.path()).unwrap();
        let second = SigningKey::load_or_create(dir.path()).unwrap();
        assert_eq!(first.kid, second.kid);
        assert_eq!(first.jwks().keys.len(), 1);
    }

    #[cfg(unix)]
    #[test]
    fn the_key_file_is_readable_by_its_owner_only() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        SigningKey::load_or_create(dir.path()).unwrap();
        let mode = std::fs::metadata(dir.path().join(KEY_FILE))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }
}
