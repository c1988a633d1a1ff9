//! [`MediaCatalog`] in the local SQLite file. Each stage change reads the record and writes
//! it back in one immediate transaction, applying the rules on [`MediaRecord`].

use std::collections::HashMap;

use app::domain::{AltText, ImageType, MediaId};
use async_trait::async_trait;
use rusqlite::{Connection, OptionalExtension, Row, TransactionBehavior, params};
use serde::{Deserialize, Serialize, de::DeserializeOwned};

use super::{SqliteDatabase, corrupt};
use crate::ports::{
    Attachment, Avatar, AvatarDirectory, MediaCatalog, MediaKey, MediaRecord, Picture, PostImage,
    StageError, StoreError, Variant, stage_refused, stored,
};

/// Uploads and pictures by owner, and who uses which as a profile picture. The partial
/// index finds a person's unattached records (the per-person bound and the sweep) without
/// reading their attached ones.
pub(super) const SCHEMA: &str = "CREATE TABLE media (
            owner_sub TEXT NOT NULL,
            id TEXT NOT NULL,
            purpose TEXT NOT NULL,
            content_type TEXT NOT NULL,
            declared_bytes INTEGER NOT NULL,
            upload_key TEXT NOT NULL,
            created_at INTEGER NOT NULL,
            stage TEXT NOT NULL,
            stage_since INTEGER NOT NULL,
            picture TEXT,
            attached_to TEXT,
            PRIMARY KEY (owner_sub, id)
        ) STRICT;
        CREATE INDEX media_unattached ON media (owner_sub, created_at) WHERE stage <> 'attached';
        CREATE TABLE avatars (
            owner_sub TEXT PRIMARY KEY NOT NULL,
            media_id TEXT NOT NULL
        ) STRICT;";

const COLUMNS: &str = "owner_sub, id, purpose, content_type, declared_bytes, upload_key, \
                       created_at, stage, stage_since, picture, attached_to";

/// How many owners one avatar query asks about (SQLite's parameter limit is far above).
const AVATAR_QUERY_CHUNK: usize = 500;

/// A picture as JSON: posts copy it into their `images` column, media rows keep it.
#[derive(Serialize, Deserialize)]
pub(super) struct StoredPicture {
    large: StoredVariant,
    small: StoredVariant,
}

#[derive(Serialize, Deserialize)]
struct StoredVariant {
    key: String,
    width: u32,
    height: u32,
}

impl StoredPicture {
    fn new(picture: &Picture) -> Self {
        let variant = |v: &Variant| StoredVariant {
            key: v.key.as_ref().to_owned(),
            width: v.width,
            height: v.height,
        };
        Self {
            large: variant(&picture.large),
            small: variant(&picture.small),
        }
    }

    fn into_picture(self) -> rusqlite::Result<Picture> {
        let variant = |v: StoredVariant| -> rusqlite::Result<Variant> {
            Ok(Variant {
                key: MediaKey::parse_stored(&v.key)
                    .ok_or_else(|| corrupt(format!("media key {:?}", v.key)))?,
                width: v.width,
                height: v.height,
            })
        };
        Ok(Picture {
            large: variant(self.large)?,
            small: variant(self.small)?,
        })
    }
}

/// One image of a post as JSON.
#[derive(Serialize, Deserialize)]
pub(super) struct StoredPostImage {
    picture_id: String,
    alt: String,
    picture: StoredPicture,
}

impl StoredPostImage {
    /// The JSON shape of a post's images.
    pub(super) fn all(images: &[PostImage]) -> Vec<Self> {
        images
            .iter()
            .map(|image| Self {
                picture_id: image.picture.to_string(),
                alt: image.alt.as_ref().to_owned(),
                picture: StoredPicture::new(&image.variants),
            })
            .collect()
    }

    /// Back to an image, checked as if it had just arrived.
    pub(super) fn into_image(self) -> rusqlite::Result<PostImage> {
        Ok(PostImage {
            picture: MediaId::parse(&self.picture_id, "pictureId")
                .map_err(|_| corrupt(format!("picture id {:?}", self.picture_id)))?,
            alt: AltText::parse(&self.alt).map_err(|_| corrupt("image description".into()))?,
            variants: self.picture.into_picture()?,
        })
    }
}

/// Serializes a column's JSON.
pub(super) fn to_json(value: &impl Serialize) -> rusqlite::Result<String> {
    serde_json::to_string(value).map_err(|err| rusqlite::Error::ToSqlConversionFailure(err.into()))
}

/// Reads a column's JSON; unreadable JSON is corrupt data.
pub(super) fn from_json<T: DeserializeOwned>(raw: &str) -> rusqlite::Result<T> {
    serde_json::from_str(raw).map_err(|err| corrupt(format!("stored JSON: {err}")))
}

fn record_row(row: &Row<'_>) -> rusqlite::Result<MediaRecord> {
    let id: String = row.get("id")?;
    let bad = |what: &str| corrupt(format!("{what} of media {id}"));
    let purpose =
        stored::purpose_from(&row.get::<_, String>("purpose")?).ok_or_else(|| bad("purpose"))?;
    let picture = row
        .get::<_, Option<String>>("picture")?
        .map(|raw| from_json::<StoredPicture>(&raw)?.into_picture())
        .transpose()?;
    let attached_to = row.get::<_, Option<String>>("attached_to")?;
    let stage = stored::stage_from(
        &row.get::<_, String>("stage")?,
        picture,
        attached_to.as_deref(),
    )
    .ok_or_else(|| bad("stage"))?;
    Ok(MediaRecord {
        id: MediaId::parse(&id, "id").map_err(|_| bad("id"))?,
        owner: row.get("owner_sub")?,
        purpose,
        content_type: ImageType::parse(&row.get::<_, String>("content_type")?)
            .map_err(|_| bad("content type"))?,
        declared_bytes: u64::try_from(row.get::<_, i64>("declared_bytes")?)
            .map_err(|_| bad("size"))?,
        upload_key: MediaKey::parse_stored(&row.get::<_, String>("upload_key")?)
            .ok_or_else(|| bad("upload key"))?,
        created_at_ms: row.get("created_at")?,
        stage_since_ms: row.get("stage_since")?,
        stage,
    })
}

fn find(connection: &Connection, owner: &str, id: &str) -> rusqlite::Result<Option<MediaRecord>> {
    connection
        .query_row(
            &format!("SELECT {COLUMNS} FROM media WHERE owner_sub = ?1 AND id = ?2"),
            params![owner, id],
            record_row,
        )
        .optional()
}

/// Writes `record` whole (insert or replace).
fn save(connection: &Connection, record: &MediaRecord) -> rusqlite::Result<()> {
    let (stage, picture, attached_to) = stored::stage(&record.stage);
    let picture = picture
        .map(|picture| to_json(&StoredPicture::new(picture)))
        .transpose()?;
    connection.execute(
        &format!(
            "INSERT OR REPLACE INTO media ({COLUMNS})
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)"
        ),
        params![
            record.owner,
            record.id.as_ref(),
            stored::purpose(record.purpose),
            record.content_type.mime(),
            i64::try_from(record.declared_bytes).unwrap_or(i64::MAX),
            record.upload_key.as_ref(),
            record.created_at_ms,
            stage,
            record.stage_since_ms,
            picture,
            attached_to,
        ],
    )?;
    Ok(())
}

enum Changed<T> {
    Done(T),
    Refused(Option<MediaRecord>),
}

fn previous_avatar(connection: &Connection, owner: &str) -> rusqlite::Result<Option<MediaId>> {
    let previous: Option<String> = connection
        .query_row(
            "SELECT media_id FROM avatars WHERE owner_sub = ?1",
            [owner],
            |row| row.get(0),
        )
        .optional()?;
    previous
        .map(|raw| MediaId::parse(&raw, "id").map_err(|_| corrupt(format!("avatar of {owner}"))))
        .transpose()
}

/// Uploads and pictures in the `media` table, profile pictures in `avatars`.
#[derive(Clone)]
pub struct SqliteMediaCatalog {
    database: SqliteDatabase,
}

impl SqliteMediaCatalog {
    /// Records in `database`.
    pub fn new(database: SqliteDatabase) -> Self {
        Self { database }
    }

    /// Applies `change` to the owner's record under an immediate transaction, then `after`
    /// (more work in the same transaction) if the change was allowed.
    async fn change<T: Send + 'static, U: Send + 'static>(
        &self,
        owner: &str,
        id: &MediaId,
        change: impl FnOnce(&mut MediaRecord) -> Option<T> + Send + 'static,
        after: impl FnOnce(&Connection, &MediaRecord) -> rusqlite::Result<U> + Send + 'static,
    ) -> Result<(T, U), StageError> {
        let (owner, id) = (owner.to_owned(), id.to_string());
        let outcome = self
            .database
            .call(move |connection| {
                let transaction =
                    connection.transaction_with_behavior(TransactionBehavior::Immediate)?;
                let Some(mut record) = find(&transaction, &owner, &id)? else {
                    return Ok(Changed::Refused(None));
                };
                let before = record.clone();
                let outcome = match change(&mut record) {
                    Some(done) => {
                        save(&transaction, &record)?;
                        let more = after(&transaction, &record)?;
                        Changed::Done((done, more))
                    }
                    None => Changed::Refused(Some(before)),
                };
                transaction.commit()?;
                Ok(outcome)
            })
            .await?;
        match outcome {
            Changed::Done(done) => Ok(done),
            Changed::Refused(current) => Err(stage_refused(current)),
        }
    }
}

/// For a stage change that needs nothing else in its transaction.
fn nothing_after(_: &Connection, _: &MediaRecord) -> rusqlite::Result<()> {
    Ok(())
}

#[async_trait]
impl AvatarDirectory for SqliteMediaCatalog {
    async fn avatars(&self, owners: &[String]) -> Result<HashMap<String, Avatar>, StoreError> {
        let owners = owners.to_vec();
        self.database
            .call(move |connection| {
                let mut found = HashMap::new();
                for chunk in owners.chunks(AVATAR_QUERY_CHUNK) {
                    let placeholders = vec!["?"; chunk.len()].join(", ");
                    let mut statement = connection.prepare(&format!(
                        "SELECT a.owner_sub, a.media_id, m.picture FROM avatars a
                         JOIN media m ON m.owner_sub = a.owner_sub AND m.id = a.media_id
                         WHERE a.owner_sub IN ({placeholders}) AND m.stage = 'attached'"
                    ))?;
                    let rows = statement.query_map(rusqlite::params_from_iter(chunk), |row| {
                        let media_id: String = row.get(1)?;
                        let picture: String = row.get(2)?;
                        Ok((row.get::<_, String>(0)?, media_id, picture))
                    })?;
                    for row in rows {
                        let (owner, media_id, picture) = row?;
                        let avatar = Avatar {
                            picture: MediaId::parse(&media_id, "id")
                                .map_err(|_| corrupt(format!("avatar of {owner}")))?,
                            variants: from_json::<StoredPicture>(&picture)?.into_picture()?,
                        };
                        found.insert(owner, avatar);
                    }
                }
                Ok(found)
            })
            .await
    }
}

#[async_trait]
impl MediaCatalog for SqliteMediaCatalog {
    async fn insert(&self, record: &MediaRecord) -> Result<(), StoreError> {
        let record = record.clone();
        self.database
            .call(move |connection| save(connection, &record))
            .await
    }

    async fn get(&self, owner: &str, id: &MediaId) -> Result<Option<MediaRecord>, StoreError> {
        let (owner, id) = (owner.to_owned(), id.to_string());
        self.database
            .call(move |connection| find(connection, &owner, &id))
            .await
    }

    async fn unattached(&self, owner: &str) -> Result<Vec<MediaRecord>, StoreError> {
        let owner = owner.to_owned();
        self.database
            .call(move |connection| {
                connection
                    .prepare(&format!(
                        "SELECT {COLUMNS} FROM media WHERE owner_sub = ?1 AND stage <> 'attached'
                         ORDER BY created_at"
                    ))?
                    .query_map([owner], record_row)?
                    .collect()
            })
            .await
    }

    async fn start_processing(
        &self,
        owner: &str,
        id: &MediaId,
        at_ms: i64,
        stuck_before_ms: i64,
    ) -> Result<(), StageError> {
        let start =
            move |r: &mut MediaRecord| r.start_processing(at_ms, stuck_before_ms).then_some(());
        self.change(owner, id, start, nothing_after)
            .await
            .map(|_| ())
    }

    async fn stop_processing(
        &self,
        owner: &str,
        id: &MediaId,
        at_ms: i64,
    ) -> Result<(), StageError> {
        let stop = move |r: &mut MediaRecord| r.stop_processing(at_ms).then_some(());
        self.change(owner, id, stop, nothing_after)
            .await
            .map(|_| ())
    }

    async fn finish(
        &self,
        owner: &str,
        id: &MediaId,
        picture: &Picture,
        at_ms: i64,
    ) -> Result<(), StageError> {
        let picture = picture.clone();
        let finish = move |r: &mut MediaRecord| r.finish(&picture, at_ms).then_some(());
        self.change(owner, id, finish, nothing_after)
            .await
            .map(|_| ())
    }

    async fn attach(
        &self,
        owner: &str,
        id: &MediaId,
        to: Attachment,
        at_ms: i64,
    ) -> Result<Picture, StageError> {
        let attach = move |r: &mut MediaRecord| r.attach(to, at_ms);
        let (picture, ()) = self.change(owner, id, attach, nothing_after).await?;
        Ok(picture)
    }

    async fn detach(
        &self,
        owner: &str,
        id: &MediaId,
        from: Attachment,
        at_ms: i64,
    ) -> Result<(), StageError> {
        let detach = move |r: &mut MediaRecord| r.detach(from, at_ms).then_some(());
        self.change(owner, id, detach, nothing_after)
            .await
            .map(|_| ())
    }

    async fn set_avatar(
        &self,
        owner: &str,
        id: &MediaId,
        at_ms: i64,
    ) -> Result<(Picture, Option<MediaId>), StageError> {
        let attach = move |r: &mut MediaRecord| r.attach(Attachment::Avatar, at_ms);
        let point_at = |connection: &Connection, record: &MediaRecord| {
            let previous = previous_avatar(connection, &record.owner)?;
            connection.execute(
                "INSERT INTO avatars (owner_sub, media_id) VALUES (?1, ?2)
                 ON CONFLICT (owner_sub) DO UPDATE SET media_id = excluded.media_id",
                params![record.owner, record.id.as_ref()],
            )?;
            Ok(previous)
        };
        self.change(owner, id, attach, point_at).await
    }

    async fn clear_avatar(&self, owner: &str) -> Result<Option<MediaId>, StoreError> {
        let owner = owner.to_owned();
        let previous: Option<String> = self
            .database
            .call(move |connection| {
                connection
                    .query_row(
                        "DELETE FROM avatars WHERE owner_sub = ?1 RETURNING media_id",
                        [owner],
                        |row| row.get(0),
                    )
                    .optional()
            })
            .await?;
        previous
            .map(|raw| MediaId::parse(&raw, "id"))
            .transpose()
            .map_err(|_| StoreError::Corrupt("avatar id".into()))
    }

    async fn remove(&self, owner: &str, id: &MediaId) -> Result<Option<MediaRecord>, StoreError> {
        let (owner, id) = (owner.to_owned(), id.to_string());
        self.database
            .call(move |connection| {
                connection
                    .query_row(
                        &format!(
                            "DELETE FROM media WHERE owner_sub = ?1 AND id = ?2 RETURNING {COLUMNS}"
                        ),
                        params![owner, id],
                        record_row,
                    )
                    .optional()
            })
            .await
    }
}
