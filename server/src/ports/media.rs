//! Pictures: where the bytes live ([`MediaStore`]: S3 or local files) and what is known about
//! each upload and picture ([`MediaCatalog`]: DynamoDB or SQLite).
//!
//! An upload moves through [`Stage`]s, each step a conditional write on its record, so a
//! second "complete" or an attach of something unfinished is refused by the store itself.

use std::collections::{BTreeMap, HashMap};

use app::{
    domain::{ImageType, MediaId, PostId},
    dto::UploadPurpose,
};
use async_trait::async_trait;

use super::StoreError;

/// Where an object lives in the media store. Only the constructors here make one, so an
/// adapter can use it as a path without checking it again: it is always `uploads/<owner>/<id>`
/// or `media/<64 hex>.<ext>`, nothing that climbs out of a directory.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct MediaKey(String);

impl MediaKey {
    /// Where `owner`'s upload `id` goes; `None` for an owner id outside `[A-Za-z0-9-]`
    /// (Cognito and the local provider both use UUIDs).
    pub fn upload(owner: &str, id: &MediaId) -> Option<Self> {
        let plain = !owner.is_empty()
            && owner.len() <= 64
            && owner
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-');
        plain.then(|| Self(format!("uploads/{owner}/{id}")))
    }

    /// Where a processed variant goes: named by the hash of its bytes (and its picture), so
    /// a name never points at other bytes and can be cached forever.
    pub fn variant(sha256_hex: &str, kind: ImageType) -> Option<Self> {
        let valid = sha256_hex.len() == 64
            && sha256_hex
                .bytes()
                .all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'));
        valid.then(|| Self(format!("media/{sha256_hex}.{}", kind.extension())))
    }

    /// A key read back from a catalog: accepted only if it has one of the two shapes.
    pub fn parse_stored(raw: &str) -> Option<Self> {
        if let Some(rest) = raw.strip_prefix("media/") {
            let (hash, extension) = rest.split_once('.')?;
            let kind = ImageType::ALL
                .into_iter()
                .find(|kind| kind.extension() == extension)?;
            return Self::variant(hash, kind);
        }
        let rest = raw.strip_prefix("uploads/")?;
        let (owner, id) = rest.split_once('/')?;
        Self::upload(owner, &MediaId::parse(id, "key").ok()?)
    }

    /// The path a browser fetches a variant from: `/` and the key (CloudFront serves
    /// `/media/*` from the bucket, the local server from its media directory).
    pub fn public_path(&self) -> String {
        format!("/{}", self.0)
    }
}

impl AsRef<str> for MediaKey {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

/// A signed form a browser posts a file with: S3's presigned POST, or the local equivalent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UploadTarget {
    /// Where to post it.
    pub url: String,
    /// Every field to send before the file.
    pub fields: BTreeMap<String, String>,
}

/// What an upload may be: its key, exact type, largest size and deadline, all of which the
/// signed form enforces.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UploadPolicy {
    /// Where the file must go.
    pub key: MediaKey,
    /// The one `Content-Type` accepted.
    pub content_type: ImageType,
    /// The largest file accepted, in bytes.
    pub max_bytes: u64,
    /// When the form stops working, in milliseconds since the Unix epoch.
    pub expires_at_ms: i64,
}

/// Why reading an uploaded object failed.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    /// Nothing was uploaded there (yet, or any more).
    #[error("no object at that key")]
    Missing,
    /// The object is larger than allowed; it was not read.
    #[error("the object is {0} bytes, more than allowed")]
    TooLarge(u64),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl ReadError {
    /// `bytes` if there are at most `max_bytes` of them: every store's last check.
    pub fn bounded(bytes: Vec<u8>, max_bytes: u64) -> Result<Vec<u8>, Self> {
        let size = bytes.len() as u64;
        if size > max_bytes {
            return Err(Self::TooLarge(size));
        }
        Ok(bytes)
    }
}

/// The bytes: uploads land here, processed variants are written and served from here.
#[async_trait]
pub trait MediaStore: Send + Sync {
    /// A signed form that lets a browser upload one file as `policy` describes, and nothing
    /// else.
    async fn presign_upload(&self, policy: &UploadPolicy) -> Result<UploadTarget, StoreError>;
    /// The object at `key`, if it is at most `max_bytes` long.
    async fn read(&self, key: &MediaKey, max_bytes: u64) -> Result<Vec<u8>, ReadError>;
    /// Stores a processed variant, to be served as `kind` and cached forever.
    async fn write_variant(
        &self,
        key: &MediaKey,
        bytes: Vec<u8>,
        kind: ImageType,
    ) -> Result<(), StoreError>;
    /// Removes the object at `key`; removing one that is not there succeeds.
    async fn delete(&self, key: &MediaKey) -> Result<(), StoreError>;
}

/// One size of a processed picture.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Variant {
    /// Where it is stored (and, through [`MediaKey::public_path`], served).
    pub key: MediaKey,
    /// Pixels.
    pub width: u32,
    /// Pixels.
    pub height: u32,
}

/// A processed picture: the two sizes its purpose calls for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Picture {
    /// Avatar 256 px; post image at most 1600 px wide.
    pub large: Variant,
    /// Avatar 64 px; post image 480 px wide.
    pub small: Variant,
}

impl Picture {
    /// Both variants' keys, for deleting the picture.
    pub fn keys(&self) -> [&MediaKey; 2] {
        [&self.large.key, &self.small.key]
    }
}

/// What a picture is attached to. Each picture belongs to one thing at most, so deleting
/// that thing deletes the picture without asking who else uses it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Attachment {
    /// Its owner's profile picture.
    Avatar,
    /// An image in one of its owner's posts.
    Post(PostId),
}

/// Where an upload is in its life.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Stage {
    /// The form was handed out; the file may or may not have arrived.
    Awaiting,
    /// Someone is completing it (since the record's `stage_since_ms`).
    Processing,
    /// Checked and cut to size; may be attached.
    Ready(Picture),
    /// In use.
    Attached(Picture, Attachment),
}

/// Everything known about one upload or picture.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MediaRecord {
    /// The upload's id, which the picture keeps.
    pub id: MediaId,
    /// Who uploaded it (`sub`); records are only ever found under their owner.
    pub owner: String,
    /// What it is for.
    pub purpose: UploadPurpose,
    /// The type the upload declared.
    pub content_type: ImageType,
    /// The size the upload declared (the policy's upper bound).
    pub declared_bytes: u64,
    /// Where the uploaded file goes.
    pub upload_key: MediaKey,
    /// When the upload was granted, in milliseconds since the Unix epoch.
    pub created_at_ms: i64,
    /// When it entered its current stage.
    pub stage_since_ms: i64,
    /// Its stage.
    pub stage: Stage,
}

/// The stage changes, as rules on the record. Adapters that lock (SQLite, the test fakes)
/// apply them to the record they read under the lock; DynamoDB states the same rules as
/// conditions on its writes, and the contract suite holds both to the same answers.
impl MediaRecord {
    fn enter(&mut self, stage: Stage, at_ms: i64) {
        self.stage = stage;
        self.stage_since_ms = at_ms;
    }

    /// Awaiting → Processing, or a takeover of a completion that died (processing since
    /// before `stuck_before_ms`); `false` if the stage does not allow it.
    pub fn start_processing(&mut self, at_ms: i64, stuck_before_ms: i64) -> bool {
        let allowed = match self.stage {
            Stage::Awaiting => true,
            Stage::Processing => self.stage_since_ms < stuck_before_ms,
            Stage::Ready(_) | Stage::Attached(..) => false,
        };
        if allowed {
            self.enter(Stage::Processing, at_ms);
        }
        allowed
    }

    /// Processing → Awaiting.
    pub fn stop_processing(&mut self, at_ms: i64) -> bool {
        let allowed = self.stage == Stage::Processing;
        if allowed {
            self.enter(Stage::Awaiting, at_ms);
        }
        allowed
    }

    /// Processing → Ready with `picture`.
    pub fn finish(&mut self, picture: &Picture, at_ms: i64) -> bool {
        let allowed = self.stage == Stage::Processing;
        if allowed {
            self.enter(Stage::Ready(picture.clone()), at_ms);
        }
        allowed
    }

    /// Ready → Attached to `to`, if it was uploaded for that kind of use (attached to `to`
    /// already is fine); the picture, or `None` if not allowed.
    pub fn attach(&mut self, to: Attachment, at_ms: i64) -> Option<Picture> {
        let fits = matches!(
            (self.purpose, to),
            (UploadPurpose::Avatar, Attachment::Avatar)
                | (UploadPurpose::Post, Attachment::Post(_))
        );
        let picture = match &self.stage {
            Stage::Ready(picture) if fits => picture.clone(),
            Stage::Attached(picture, current) if fits && *current == to => picture.clone(),
            _ => return None,
        };
        self.enter(Stage::Attached(picture.clone(), to), at_ms);
        Some(picture)
    }

    /// Attached to `from` → Ready.
    pub fn detach(&mut self, from: Attachment, at_ms: i64) -> bool {
        match &self.stage {
            Stage::Attached(picture, to) if *to == from => {
                let picture = picture.clone();
                self.enter(Stage::Ready(picture), at_ms);
                true
            }
            _ => false,
        }
    }
}

/// How stores spell a record's purpose, stage and attachment: one spelling for both adapters
/// (DynamoDB's conditions name the stages too).
pub mod stored {
    use app::{domain::PostId, dto::UploadPurpose};

    use super::{Attachment, Picture, Stage};

    /// [`Stage::Awaiting`].
    pub const AWAITING: &str = "awaiting";
    /// [`Stage::Processing`].
    pub const PROCESSING: &str = "processing";
    /// [`Stage::Ready`].
    pub const READY: &str = "ready";
    /// [`Stage::Attached`].
    pub const ATTACHED: &str = "attached";

    /// A purpose's stored name.
    pub fn purpose(purpose: UploadPurpose) -> &'static str {
        match purpose {
            UploadPurpose::Avatar => "avatar",
            UploadPurpose::Post => "post",
        }
    }

    /// The purpose a stored name spells.
    pub fn purpose_from(raw: &str) -> Option<UploadPurpose> {
        match raw {
            "avatar" => Some(UploadPurpose::Avatar),
            "post" => Some(UploadPurpose::Post),
            _ => None,
        }
    }

    /// An attachment's stored name: `avatar` or `post:<id>`.
    pub fn attachment(to: Attachment) -> String {
        match to {
            Attachment::Avatar => "avatar".into(),
            Attachment::Post(id) => format!("post:{id}"),
        }
    }

    /// The attachment a stored name spells.
    pub fn attachment_from(raw: &str) -> Option<Attachment> {
        if raw == "avatar" {
            return Some(Attachment::Avatar);
        }
        let id = raw.strip_prefix("post:")?;
        PostId::parse(id).ok().map(Attachment::Post)
    }

    /// A stage as three stored values: its name, its picture and what it is attached to.
    pub fn stage(stage: &Stage) -> (&'static str, Option<&Picture>, Option<String>) {
        match stage {
            Stage::Awaiting => (AWAITING, None, None),
            Stage::Processing => (PROCESSING, None, None),
            Stage::Ready(picture) => (READY, Some(picture), None),
            Stage::Attached(picture, to) => (ATTACHED, Some(picture), Some(attachment(*to))),
        }
    }

    /// The stage three stored values spell, if they are consistent.
    pub fn stage_from(
        name: &str,
        picture: Option<Picture>,
        attached_to: Option<&str>,
    ) -> Option<Stage> {
        match (name, picture, attached_to) {
            (AWAITING, _, _) => Some(Stage::Awaiting),
            (PROCESSING, _, _) => Some(Stage::Processing),
            (READY, Some(picture), _) => Some(Stage::Ready(picture)),
            (ATTACHED, Some(picture), Some(to)) => {
                attachment_from(to).map(|to| Stage::Attached(picture, to))
            }
            _ => None,
        }
    }
}

/// Why a stage change did not happen. The store's condition decides; this explains it.
#[derive(Debug, thiserror::Error)]
pub enum StageError {
    /// The owner has no record with this id.
    #[error("no such upload")]
    NotFound,
    /// The record is not in a stage that allows the change; here it is as it is now.
    #[error("the upload is in another stage")]
    WrongStage(Box<MediaRecord>),
    /// The store failed; nothing was written.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// A profile picture as lists show it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Avatar {
    /// The picture.
    pub picture: MediaId,
    /// Its two sizes.
    pub variants: Picture,
}

/// Profile pictures by person: what posts, chat and `/api/myinfo` show beside a name.
#[async_trait]
pub trait AvatarDirectory: Send + Sync {
    /// The profile pictures of those of `owners` who have one (at most 100 asked at once).
    async fn avatars(&self, owners: &[String]) -> Result<HashMap<String, Avatar>, StoreError>;
}

/// The records of uploads and pictures, and who uses which as a profile picture.
#[async_trait]
pub trait MediaCatalog: AvatarDirectory {
    /// Records a new upload in [`Stage::Awaiting`].
    async fn insert(&self, record: &MediaRecord) -> Result<(), StoreError>;
    /// The owner's record with this id.
    async fn get(&self, owner: &str, id: &MediaId) -> Result<Option<MediaRecord>, StoreError>;
    /// The owner's records not attached to anything, oldest first: uploads not completed
    /// and pictures not used. Their number is bounded per person.
    async fn unattached(&self, owner: &str) -> Result<Vec<MediaRecord>, StoreError>;
    /// Awaiting → Processing; also takes over a record stuck in Processing since before
    /// `stuck_before_ms` (a completion that died).
    async fn start_processing(
        &self,
        owner: &str,
        id: &MediaId,
        at_ms: i64,
        stuck_before_ms: i64,
    ) -> Result<(), StageError>;
    /// Processing → Awaiting: the file was not there yet, so completing may be tried again.
    async fn stop_processing(
        &self,
        owner: &str,
        id: &MediaId,
        at_ms: i64,
    ) -> Result<(), StageError>;
    /// Processing → Ready.
    async fn finish(
        &self,
        owner: &str,
        id: &MediaId,
        picture: &Picture,
        at_ms: i64,
    ) -> Result<(), StageError>;
    /// Ready → Attached to `to` (already attached to `to` is fine), if the picture was
    /// uploaded for what `to` is (avatars as profile pictures, post pictures in posts);
    /// returns the picture.
    async fn attach(
        &self,
        owner: &str,
        id: &MediaId,
        to: Attachment,
        at_ms: i64,
    ) -> Result<Picture, StageError>;
    /// Attached to `from` → Ready: the write that attached it failed.
    async fn detach(
        &self,
        owner: &str,
        id: &MediaId,
        from: Attachment,
        at_ms: i64,
    ) -> Result<(), StageError>;
    /// Attaches a Ready avatar picture (or the current one again) as the owner's profile
    /// picture and returns the one it replaced (not yet deleted), in one atomic step.
    async fn set_avatar(
        &self,
        owner: &str,
        id: &MediaId,
        at_ms: i64,
    ) -> Result<(Picture, Option<MediaId>), StageError>;
    /// Clears the owner's profile picture, returning which it was.
    async fn clear_avatar(&self, owner: &str) -> Result<Option<MediaId>, StoreError>;
    /// Removes the record, returning it as it was.
    async fn remove(&self, owner: &str, id: &MediaId) -> Result<Option<MediaRecord>, StoreError>;
}

/// Explains a refused stage change from the record as it is afterwards.
pub fn stage_refused(current: Option<MediaRecord>) -> StageError {
    match current {
        None => StageError::NotFound,
        Some(record) => StageError::WrongStage(Box::new(record)),
    }
}

/// Where browsers post uploads on the embedded default (on this origin): the local store's
/// forms point here and the edge serves the [`UploadReceiver`] here.
pub const LOCAL_UPLOAD_PATH: &str = "/api/media/local-upload";

/// Receives a browser's upload where no S3 does it: the embedded default's upload route
/// hands the posted form here, which checks it exactly as S3 checks a presigned POST.
#[async_trait]
pub trait UploadReceiver: Send + Sync {
    /// Stores `file` if `fields` are a valid, unexpired, unused signed form that allows it.
    async fn receive(
        &self,
        fields: &BTreeMap<String, String>,
        file: Vec<u8>,
    ) -> Result<(), UploadRefused>;
}

/// Why a posted form was refused.
#[derive(Debug, thiserror::Error)]
pub enum UploadRefused {
    /// The signature does not match the fields, a field was changed, or the form expired.
    #[error("the form is not valid: {0}")]
    Forbidden(&'static str),
    /// The file is larger (or smaller) than the policy allows.
    #[error("the file's size is outside the allowed range")]
    Size,
    /// Something was already uploaded with this form.
    #[error("this form was already used")]
    Used,
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id() -> MediaId {
        MediaId::parse("0123456789abcdef0123456789abcdef", "id").unwrap()
    }

    #[test]
    fn keys_have_one_of_two_shapes_and_never_climb_out() {
        let upload = MediaKey::upload("5f0c-uuid", &id()).unwrap();
        assert_eq!(
            upload.as_ref(),
            "uploads/5f0c-uuid/0123456789abcdef0123456789abcdef"
        );
        assert_eq!(MediaKey::upload("../etc", &id()), None);
        assert_eq!(MediaKey::upload("", &id()), None);
        let variant = MediaKey::variant(&"a".repeat(64), ImageType::Jpeg).unwrap();
        assert_eq!(
            variant.public_path(),
            format!("/media/{}.jpg", "a".repeat(64))
        );
        assert_eq!(MediaKey::variant("abc", ImageType::Png), None);
    }

    #[test]
    fn stored_keys_are_read_back_only_in_their_shapes() {
        for key in [
            MediaKey::upload("owner-1", &id()).unwrap(),
            MediaKey::variant(&"0".repeat(64), ImageType::Png).unwrap(),
        ] {
            assert_eq!(MediaKey::parse_stored(key.as_ref()), Some(key));
        }
        for bad in [
            "media/../secret.jpg",
            "uploads/a/b/c",
            "/etc/passwd",
            "media/0000.jpg",
        ] {
            assert_eq!(MediaKey::parse_stored(bad), None, "{bad}");
        }
    }
}
