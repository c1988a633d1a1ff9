//! The picture rules: what may be uploaded and how much of it, that an upload is completed
//! once and only by its owner, that nothing is served before it was decoded and re-encoded
//! ([`imaging`]), that a picture belongs to one thing at most (a profile or a post) and is
//! deleted with it, and that what nobody attached is swept after a day.

pub mod imaging;

use std::{collections::HashMap, sync::Arc, time::Duration};

use app::{
    domain::{ImageType, MediaId, UploadSize},
    dto::{
        AvatarResponse, CreateUploadRequest, ImageVariant, PictureResponse, SetAvatarRequest,
        UploadPurpose, UploadTicketResponse,
    },
    error::AppError,
    services::{Caller, MediaService},
};
use async_trait::async_trait;
use tokio::sync::Semaphore;

use self::imaging::{Encoded, ImagingError, MAX_PIXELS};
use super::{rfc3339, store_failed};
use crate::{
    ports::{
        Avatar, AvatarDirectory, Clock, MediaCatalog, MediaKey, MediaRecord, MediaStore, Picture,
        ReadError, Stage, StageError, UploadPolicy, Variant,
    },
    telemetry::error_chain,
};

/// How long an upload form works.
pub const UPLOAD_LIFETIME: Duration = Duration::from_secs(5 * 60);
/// Uploads and pictures one person may hold that are attached to nothing; the next upload
/// is refused (429) until some are used or swept.
pub const MAX_UNATTACHED: usize = 20;
/// After this long unattached, an upload or picture is deleted the next time its owner
/// asks to upload.
pub const ABANDONED_AFTER: Duration = Duration::from_secs(24 * 3600);
/// A completion still "processing" after this long died; another may take over.
const STUCK_AFTER: Duration = Duration::from_secs(120);
/// Pictures decoded at once per server instance: each may hold 120 MB of pixels.
const PROCESSING_PERMITS: usize = 2;
/// How long a completion waits for a permit before answering "busy".
const PROCESSING_WAIT: Duration = Duration::from_secs(20);

fn millis(duration: Duration) -> i64 {
    i64::try_from(duration.as_millis()).unwrap_or(i64::MAX)
}

/// The pictures profiles and posts hold: shared by every service that shows or attaches
/// them, so deleting one always removes its record and its files together.
#[derive(Clone)]
pub struct Pictures {
    catalog: Arc<dyn MediaCatalog>,
    store: Arc<dyn MediaStore>,
}

impl Pictures {
    /// Records in `catalog`, bytes in `store`.
    pub fn new(catalog: Arc<dyn MediaCatalog>, store: Arc<dyn MediaStore>) -> Self {
        Self { catalog, store }
    }

    /// The catalog, for what only attaches (posts).
    pub(crate) fn catalog(&self) -> &dyn MediaCatalog {
        self.catalog.as_ref()
    }

    /// Who has which profile picture, as a directory the other services hold.
    pub fn directory(&self) -> Arc<dyn AvatarDirectory> {
        self.catalog.clone()
    }

    /// Deletes the owner's picture: the record first (so nothing can attach it again), then
    /// its files. A file that fails to go is logged; the lifecycle rule or an operator
    /// removes it, and no record points at it any more.
    pub async fn discard(&self, owner: &str, id: &MediaId) {
        let record = match self.catalog.remove(owner, id).await {
            Ok(Some(record)) => record,
            Ok(None) => return,
            Err(err) => {
                return tracing::error!(error = %error_chain(&err), picture = %id, "could not remove a picture record");
            }
        };
        let mut keys = vec![record.upload_key.clone()];
        if let Stage::Ready(picture) | Stage::Attached(picture, _) = &record.stage {
            keys.extend(picture.keys().into_iter().cloned());
        }
        for key in keys {
            if let Err(err) = self.store.delete(&key).await {
                tracing::warn!(error = %error_chain(&err), key = key.as_ref(), "could not delete a media object");
            }
        }
    }
}

/// The wire shape of a variant.
pub fn variant_response(variant: &Variant) -> ImageVariant {
    ImageVariant {
        url: variant.key.public_path(),
        width: variant.width,
        height: variant.height,
    }
}

/// The profile picture of each of `owners` who has one. A directory that fails only costs
/// the pictures (logged), never the page they decorate.
pub async fn avatars_of(
    directory: &dyn AvatarDirectory,
    mut owners: Vec<String>,
) -> HashMap<String, Avatar> {
    owners.sort_unstable();
    owners.dedup();
    if owners.is_empty() {
        return HashMap::new();
    }
    directory.avatars(&owners).await.unwrap_or_else(|err| {
        tracing::warn!(error = %error_chain(&err), "could not look up profile pictures");
        HashMap::new()
    })
}

/// The 64 px picture (what bylines show) of each of `owners` who has one.
pub async fn avatar_urls(
    directory: &dyn AvatarDirectory,
    owners: Vec<String>,
) -> HashMap<String, String> {
    avatars_of(directory, owners)
        .await
        .into_iter()
        .map(|(owner, avatar)| (owner, avatar.variants.small.key.public_path()))
        .collect()
}

fn avatar_response(avatar: &Avatar) -> AvatarResponse {
    AvatarResponse {
        picture_id: avatar.picture.to_string(),
        avatar_url: avatar.variants.small.key.public_path(),
        avatar_large_url: avatar.variants.large.key.public_path(),
    }
}

/// The media service every surface calls.
pub struct Media<C> {
    pictures: Pictures,
    clock: C,
    processing: Arc<Semaphore>,
}

impl<C: Clock> Media<C> {
    /// Pictures from `pictures`, timed by `clock`.
    pub fn new(pictures: Pictures, clock: C) -> Self {
        Self {
            pictures,
            clock,
            processing: Arc::new(Semaphore::new(PROCESSING_PERMITS)),
        }
    }

    /// Deletes the owner's abandoned uploads and pictures, then says whether they may start
    /// another.
    async fn make_room_for_upload(&self, owner: &str, now_ms: i64) -> Result<(), AppError> {
        let unattached = self
            .pictures
            .catalog
            .unattached(owner)
            .await
            .map_err(store_failed)?;
        let cutoff = now_ms - millis(ABANDONED_AFTER);
        let (abandoned, kept): (Vec<_>, Vec<_>) = unattached
            .into_iter()
            .partition(|record| record.created_at_ms < cutoff);
        for record in &abandoned {
            self.pictures.discard(owner, &record.id).await;
        }
        if kept.len() < MAX_UNATTACHED {
            return Ok(());
        }
        let oldest = kept.iter().map(|r| r.created_at_ms).min().unwrap_or(now_ms);
        let wait_secs = u64::try_from((oldest - cutoff) / 1000 + 1).unwrap_or(1);
        Err(AppError::too_many(
            format!(
                "You have {MAX_UNATTACHED} pictures that are not in a post or profile yet. \
                 Use or remove some before uploading more."
            ),
            wait_secs,
        ))
    }

    /// Reads, checks and cuts the uploaded file, then stores its variants.
    async fn process(&self, record: &MediaRecord) -> Result<Picture, AppError> {
        let store = &self.pictures.store;
        let bytes = match store.read(&record.upload_key, record.declared_bytes).await {
            Ok(bytes) => bytes,
            Err(ReadError::Missing) => {
                self.pictures
                    .catalog
                    .stop_processing(&record.owner, &record.id, self.clock.now_ms())
                    .await
                    .map_err(|err| stage_failed(err, &record.id))?;
                return Err(AppError::conflict(
                    Some("uploadId"),
                    "Nothing has been uploaded for this id yet. Upload the file, then complete.",
                ));
            }
            Err(ReadError::TooLarge(bytes)) => {
                self.pictures.discard(&record.owner, &record.id).await;
                return Err(AppError::too_large(
                    "file",
                    format!(
                        "The file is {bytes} bytes, more than the {} declared.",
                        record.declared_bytes
                    ),
                ));
            }
            Err(ReadError::Store(err)) => return Err(store_failed(err)),
        };
        let permit = tokio::time::timeout(
            PROCESSING_WAIT,
            Arc::clone(&self.processing).acquire_owned(),
        )
        .await
        .map_err(|_| AppError::busy(5))?
        .map_err(|_| AppError::internal())?;
        let (kind, purpose) = (record.content_type, record.purpose);
        let processed = tokio::task::spawn_blocking(move || {
            let _permit = permit;
            imaging::process(&bytes, kind, purpose)
        })
        .await
        .map_err(|err| {
            tracing::error!(%err, "picture processing panicked");
            AppError::internal()
        })?;
        let processed = match processed {
            Ok(processed) => processed,
            Err(err) => {
                self.pictures.discard(&record.owner, &record.id).await;
                return Err(refused_picture(&err));
            }
        };
        Ok(Picture {
            large: self.store_variant(&record.id, processed.large).await?,
            small: self.store_variant(&record.id, processed.small).await?,
        })
    }

    async fn store_variant(&self, id: &MediaId, encoded: Encoded) -> Result<Variant, AppError> {
        let key = MediaKey::variant(&content_hash(id, &encoded.bytes), encoded.kind)
            .ok_or_else(AppError::internal)?;
        self.pictures
            .store
            .write_variant(&key, encoded.bytes, encoded.kind)
            .await
            .map_err(store_failed)?;
        Ok(Variant {
            key,
            width: encoded.width,
            height: encoded.height,
        })
    }
}

/// The hex SHA-256 of the picture's id and a variant's bytes: the variant's file name.
/// The id keeps two people's identical pictures apart, so deleting one never deletes the
/// other's file.
fn content_hash(id: &MediaId, bytes: &[u8]) -> String {
    let mut context = aws_lc_rs::digest::Context::new(&aws_lc_rs::digest::SHA256);
    context.update(id.as_ref().as_bytes());
    context.update(bytes);
    context
        .finish()
        .as_ref()
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

fn random_id() -> Result<MediaId, AppError> {
    MediaId::parse(&uuid::Uuid::new_v4().simple().to_string(), "uploadId")
        .map_err(|_| AppError::internal())
}

fn no_such_upload() -> AppError {
    AppError::not_found("There is no upload with that id.")
}

/// What a refused stage change means to the person who asked for it.
fn stage_failed(err: StageError, id: &MediaId) -> AppError {
    match err {
        StageError::NotFound => no_such_upload(),
        StageError::Store(err) => store_failed(err),
        StageError::WrongStage(record) => match record.stage {
            Stage::Awaiting => AppError::conflict(
                Some("uploadId"),
                "This upload is not complete yet: complete it first.",
            ),
            Stage::Processing => AppError::conflict(
                Some("uploadId"),
                "This upload is being completed right now.",
            ),
            Stage::Ready(_) | Stage::Attached(..) => {
                tracing::debug!(upload = %id, "upload completed twice");
                AppError::conflict(Some("uploadId"), "This upload was already completed.")
            }
        },
    }
}

fn refused_picture(err: &ImagingError) -> AppError {
    match err {
        ImagingError::NotDeclaredType { declared } => AppError::unsupported_file(
            "file",
            format!("The uploaded file is not a {} picture.", declared.label()),
        ),
        ImagingError::TooManyPixels { width, height } => AppError::too_large(
            "file",
            format!(
                "The picture is {width} × {height} pixels; the most is {} megapixels.",
                MAX_PIXELS / 1_000_000
            ),
        ),
        ImagingError::Undecodable { declared, .. } => AppError::unsupported_file(
            "file",
            format!(
                "The file could not be read as a {} picture.",
                declared.label()
            ),
        ),
        ImagingError::Encode(cause) => {
            tracing::error!(%cause, "could not encode a picture");
            AppError::internal()
        }
    }
}

/// The wire shape of a processed picture.
fn picture_response(id: &MediaId, purpose: UploadPurpose, picture: &Picture) -> PictureResponse {
    PictureResponse {
        id: id.to_string(),
        purpose,
        large: variant_response(&picture.large),
        small: variant_response(&picture.small),
    }
}

#[async_trait]
impl<C: Clock> MediaService for Media<C> {
    async fn create_upload(
        &self,
        caller: &Caller,
        request: CreateUploadRequest,
    ) -> Result<UploadTicketResponse, AppError> {
        let content_type = ImageType::parse(&request.content_type)
            .map_err(|err| AppError::unsupported_file(err.field, err.message))?;
        let size = UploadSize::parse(request.size).map_err(|err| {
            if request.size == 0 {
                AppError::from(err)
            } else {
                AppError::too_large(err.field, err.message)
            }
        })?;
        let now = self.clock.now_ms();
        self.make_room_for_upload(&caller.sub, now).await?;
        let id = random_id()?;
        let upload_key = MediaKey::upload(&caller.sub, &id).ok_or_else(|| {
            tracing::error!(sub = %caller.sub, "a caller id that cannot name a key");
            AppError::internal()
        })?;
        let expires_at_ms = now + millis(UPLOAD_LIFETIME);
        let target = self
            .pictures
            .store
            .presign_upload(&UploadPolicy {
                key: upload_key.clone(),
                content_type,
                max_bytes: size.get(),
                expires_at_ms,
            })
            .await
            .map_err(store_failed)?;
        let record = MediaRecord {
            id: id.clone(),
            owner: caller.sub.clone(),
            purpose: request.purpose,
            content_type,
            declared_bytes: size.get(),
            upload_key,
            created_at_ms: now,
            stage_since_ms: now,
            stage: Stage::Awaiting,
        };
        self.pictures
            .catalog
            .insert(&record)
            .await
            .map_err(store_failed)?;
        Ok(UploadTicketResponse {
            upload_id: id.to_string(),
            url: target.url,
            fields: target.fields,
            expires_at: rfc3339(expires_at_ms),
        })
    }

    async fn complete_upload(
        &self,
        caller: &Caller,
        upload_id: &str,
    ) -> Result<PictureResponse, AppError> {
        let id = MediaId::parse(upload_id, "uploadId").map_err(|_| no_such_upload())?;
        let now = self.clock.now_ms();
        let catalog = &self.pictures.catalog;
        catalog
            .start_processing(&caller.sub, &id, now, now - millis(STUCK_AFTER))
            .await
            .map_err(|err| stage_failed(err, &id))?;
        let record = catalog
            .get(&caller.sub, &id)
            .await
            .map_err(store_failed)?
            .ok_or_else(no_such_upload)?;
        let picture = self.process(&record).await?;
        catalog
            .finish(&caller.sub, &id, &picture, self.clock.now_ms())
            .await
            .map_err(|err| stage_failed(err, &id))?;
        if let Err(err) = self.pictures.store.delete(&record.upload_key).await {
            tracing::warn!(error = %error_chain(&err), "could not delete a processed upload; the lifecycle rule will");
        }
        Ok(picture_response(&id, record.purpose, &picture))
    }

    async fn set_avatar(
        &self,
        caller: &Caller,
        request: SetAvatarRequest,
    ) -> Result<AvatarResponse, AppError> {
        let id = MediaId::parse(&request.picture_id, "pictureId")?;
        let catalog = &self.pictures.catalog;
        let (picture, previous) = match catalog
            .set_avatar(&caller.sub, &id, self.clock.now_ms())
            .await
        {
            Ok(done) => done,
            Err(StageError::NotFound) => {
                return Err(AppError::invalid_field(
                    "pictureId",
                    "That is not one of your pictures.",
                ));
            }
            Err(StageError::WrongStage(record)) if record.purpose != UploadPurpose::Avatar => {
                return Err(AppError::invalid_field(
                    "pictureId",
                    "This picture was uploaded for a post; upload it as a profile picture.",
                ));
            }
            Err(err) => return Err(stage_failed(err, &id)),
        };
        if let Some(previous) = previous.filter(|previous| *previous != id) {
            self.pictures.discard(&caller.sub, &previous).await;
        }
        Ok(avatar_response(&Avatar {
            picture: id,
            variants: picture,
        }))
    }

    async fn remove_avatar(&self, caller: &Caller) -> Result<(), AppError> {
        let previous = self
            .pictures
            .catalog
            .clear_avatar(&caller.sub)
            .await
            .map_err(store_failed)?;
        if let Some(previous) = previous {
            self.pictures.discard(&caller.sub, &previous).await;
        }
        Ok(())
    }
}

/// What attaching `to` may be refused for, in the words the person attaching needs.
pub(crate) fn attach_refused(err: StageError, what: &str) -> AppError {
    match err {
        StageError::NotFound => {
            AppError::invalid_field("images", format!("{what} is not one of your pictures."))
        }
        StageError::Store(err) => store_failed(err),
        StageError::WrongStage(record) => {
            let why = match (&record.stage, record.purpose) {
                (_, UploadPurpose::Avatar) => "is a profile picture; upload it for a post",
                (Stage::Awaiting | Stage::Processing, _) => "has not finished uploading",
                (Stage::Attached(..), _) => "is already in another post",
                (Stage::Ready(_), UploadPurpose::Post) => "cannot be attached",
            };
            AppError::invalid_field("images", format!("{what} {why}."))
        }
    }
}

#[cfg(test)]
mod tests;
