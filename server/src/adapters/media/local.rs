//! [`MediaStore`] on local files for the embedded default, laid out like the bucket:
//! `<data dir>/media/uploads/<owner>/<id>` and `<data dir>/media/media/<hash>.<ext>`. The
//! server itself plays S3's part for uploads ([`UploadReceiver`]): it signs the same policy
//! with a key that lives only in this process, and checks posted forms as S3 would.

use std::{
    collections::{BTreeMap, HashMap},
    io::Write,
    path::{Path, PathBuf},
    sync::Mutex,
};

use app::domain::ImageType;
use async_trait::async_trait;
use aws_lc_rs::hmac;
use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};

use super::policy;
use crate::ports::{
    Clock, LOCAL_UPLOAD_PATH, MediaKey, MediaStore, ReadError, StoreError, UploadPolicy,
    UploadReceiver, UploadRefused, UploadTarget,
};

/// The form field carrying the local signature (S3's is `x-amz-signature`).
const SIGNATURE_FIELD: &str = "x-boardwalk-signature";

/// Objects under one directory, with forms signed by a key made at start-up (forms handed
/// out before a restart stop working, as after five minutes anyway). Each form uploads
/// once: the keys it was used for are remembered until it expires.
pub struct LocalMediaStore<C> {
    root: PathBuf,
    key: hmac::Key,
    clock: C,
    used: Mutex<HashMap<MediaKey, i64>>,
}

impl<C: Clock> LocalMediaStore<C> {
    /// Objects under `root` (created if needed); forms expire by `clock`.
    pub fn new(root: &Path, clock: C) -> Result<Self, StoreError> {
        std::fs::create_dir_all(root).map_err(StoreError::unavailable)?;
        let rng = aws_lc_rs::rand::SystemRandom::new();
        let key = hmac::Key::generate(hmac::HMAC_SHA256, &rng).map_err(|_| {
            StoreError::unavailable(std::io::Error::other("no randomness for the upload key"))
        })?;
        Ok(Self {
            root: root.to_owned(),
            key,
            clock,
            used: Mutex::default(),
        })
    }

    /// The directory `/media/*` is served from.
    pub fn served_dir(&self) -> PathBuf {
        self.root.join("media")
    }

    fn path(&self, key: &MediaKey) -> PathBuf {
        self.root.join(key.as_ref())
    }

    fn sign(&self, encoded_policy: &str) -> String {
        URL_SAFE_NO_PAD.encode(hmac::sign(&self.key, encoded_policy.as_bytes()))
    }
}

/// Writes `bytes` to `path` through a temporary file beside it, so a reader never sees half
/// a file; with `replace` false an existing file wins and `Ok(false)` says so.
fn write_whole(path: &Path, bytes: &[u8], replace: bool) -> std::io::Result<bool> {
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)?;
    let mut temporary = tempfile::NamedTempFile::new_in(dir)?;
    temporary.write_all(bytes)?;
    temporary.as_file().sync_all()?;
    if replace {
        temporary.persist(path).map_err(|err| err.error)?;
        return Ok(true);
    }
    match temporary.persist_noclobber(path) {
        Ok(_) => Ok(true),
        Err(err) if err.error.kind() == std::io::ErrorKind::AlreadyExists => Ok(false),
        Err(err) => Err(err.error),
    }
}

async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> std::io::Result<T> + Send + 'static,
) -> std::io::Result<T> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(std::io::Error::other)?
}

#[async_trait]
impl<C: Clock> MediaStore for LocalMediaStore<C> {
    async fn presign_upload(&self, policy: &UploadPolicy) -> Result<UploadTarget, StoreError> {
        let encoded = policy::encode(policy, &[]);
        Ok(UploadTarget {
            url: LOCAL_UPLOAD_PATH.to_owned(),
            fields: BTreeMap::from([
                ("key".to_owned(), policy.key.as_ref().to_owned()),
                (
                    "Content-Type".to_owned(),
                    policy.content_type.mime().to_owned(),
                ),
                (SIGNATURE_FIELD.to_owned(), self.sign(&encoded)),
                ("policy".to_owned(), encoded),
            ]),
        })
    }

    async fn read(&self, key: &MediaKey, max_bytes: u64) -> Result<Vec<u8>, ReadError> {
        let path = self.path(key);
        // The size first, so a file too large is never read into memory.
        let size = match tokio::fs::metadata(&path).await {
            Ok(metadata) => metadata.len(),
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => {
                return Err(ReadError::Missing);
            }
            Err(err) => return Err(StoreError::unavailable(err).into()),
        };
        if size > max_bytes {
            return Err(ReadError::TooLarge(size));
        }
        let bytes = tokio::fs::read(&path)
            .await
            .map_err(StoreError::unavailable)?;
        // It may have grown since.
        ReadError::bounded(bytes, max_bytes)
    }

    async fn write_variant(
        &self,
        key: &MediaKey,
        bytes: Vec<u8>,
        _kind: ImageType,
    ) -> Result<(), StoreError> {
        let path = self.path(key);
        blocking(move || write_whole(&path, &bytes, true))
            .await
            .map_err(StoreError::unavailable)?;
        Ok(())
    }

    async fn delete(&self, key: &MediaKey) -> Result<(), StoreError> {
        match tokio::fs::remove_file(self.path(key)).await {
            Ok(()) => Ok(()),
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(err) => Err(StoreError::unavailable(err)),
        }
    }
}

#[async_trait]
impl<C: Clock> UploadReceiver for LocalMediaStore<C> {
    async fn receive(
        &self,
        fields: &BTreeMap<String, String>,
        file: Vec<u8>,
    ) -> Result<(), UploadRefused> {
        let forbidden = UploadRefused::Forbidden;
        let encoded = fields.get("policy").ok_or(forbidden("no policy"))?;
        let signature = fields
            .get(SIGNATURE_FIELD)
            .and_then(|raw| URL_SAFE_NO_PAD.decode(raw).ok())
            .ok_or(forbidden("no signature"))?;
        hmac::verify(&self.key, encoded.as_bytes(), &signature)
            .map_err(|_| forbidden("the signature does not match"))?;
        let now = self.clock.now_ms();
        let expires_ms = policy::check(encoded, fields, file.len() as u64, now, SIGNATURE_FIELD)?;
        // The policy named this exact key, so it has one of the two shapes.
        let key = fields
            .get("key")
            .and_then(|raw| MediaKey::parse_stored(raw))
            .ok_or(forbidden("no key"))?;
        {
            let mut used = self.used.lock().map_err(|_| forbidden("poisoned"))?;
            used.retain(|_, expires| *expires >= now);
            if used.insert(key.clone(), expires_ms).is_some() {
                return Err(UploadRefused::Used);
            }
        }
        let path = self.path(&key);
        let stored = blocking(move || write_whole(&path, &file, false))
            .await
            .map_err(StoreError::unavailable)?;
        if stored {
            Ok(())
        } else {
            Err(UploadRefused::Used)
        }
    }
}
