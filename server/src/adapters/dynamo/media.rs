//! [`MediaCatalog`] on DynamoDB: one table keyed by owner, so a record is only ever found
//! under the person who uploaded it.
//!
//! | item | `owner` (partition) | `item` (sort) |
//! |---|---|---|
//! | an upload or picture | owner's `sub` | `media#<id>` |
//! | the profile picture | owner's `sub` | `avatar` (its picture copied in) |
//!
//! Every stage change is one `UpdateItem` whose condition states the same rule
//! [`MediaRecord`]'s methods apply elsewhere; a refused one returns the item as it was
//! (`ALL_OLD`), which only explains the refusal. Records not attached to anything carry
//! `unattachedAt`, the sort key of the sparse [`UNATTACHED_INDEX`], so the per-person bound
//! and the sweep read only those.

use std::collections::HashMap;

use app::{
    domain::{ImageType, MediaId},
    dto::UploadPurpose,
};
use async_trait::async_trait;
use aws_sdk_dynamodb::{
    Client,
    types::{AttributeValue, Put, ReturnValue, TransactWriteItem, Update},
};

use super::{
    Item, back_off, batch_get, conditional_update, failed_conditions, number, number_attribute,
    query_all, read_item, string_attribute, text,
};
use crate::ports::{
    Attachment, Avatar, AvatarDirectory, MediaCatalog, MediaKey, MediaRecord, Picture, Stage,
    StageError, StoreError, Variant, stage_refused, stored,
};

/// The sparse index of records attached to nothing: partition `owner`, sort `unattachedAt`.
pub const UNATTACHED_INDEX: &str = "owner-unattached-index";
/// The sort key of a profile picture.
const AVATAR_ITEM: &str = "avatar";
/// How often setting a profile picture retries after losing a race with another setting.
const AVATAR_ATTEMPTS: u32 = 5;

fn media_item(id: &MediaId) -> String {
    format!("media#{id}")
}

fn key(owner: &str, item: impl Into<String>) -> Item {
    HashMap::from([
        ("owner".to_owned(), text(owner)),
        ("item".to_owned(), text(item)),
    ])
}

fn corrupt(what: &str) -> StoreError {
    StoreError::Corrupt(format!("media item without a valid {what}"))
}

fn string<'a>(item: &'a Item, name: &str) -> Result<&'a str, StoreError> {
    string_attribute(item, name).ok_or_else(|| corrupt(name))
}

fn integer(item: &Item, name: &str) -> Result<i64, StoreError> {
    number_attribute(item, name).ok_or_else(|| corrupt(name))
}

/// A picture as a map attribute: `{large: {key, width, height}, small: {…}}`. Posts copy
/// the same shape into their `images`.
pub(super) fn picture_value(picture: &Picture) -> AttributeValue {
    let variant = |v: &Variant| {
        AttributeValue::M(HashMap::from([
            ("key".to_owned(), text(v.key.as_ref())),
            ("width".to_owned(), number(v.width)),
            ("height".to_owned(), number(v.height)),
        ]))
    };
    AttributeValue::M(HashMap::from([
        ("large".to_owned(), variant(&picture.large)),
        ("small".to_owned(), variant(&picture.small)),
    ]))
}

/// The picture in a map attribute written by [`picture_value`].
pub(super) fn picture_from(value: &AttributeValue) -> Result<Picture, StoreError> {
    let map = value.as_m().map_err(|_| corrupt("picture"))?;
    let variant = |name: &str| -> Result<Variant, StoreError> {
        let variant = map
            .get(name)
            .and_then(|v| v.as_m().ok())
            .ok_or_else(|| corrupt("picture variant"))?;
        let side = |name: &str| {
            u32::try_from(integer(variant, name)?).map_err(|_| corrupt("picture size"))
        };
        Ok(Variant {
            key: MediaKey::parse_stored(string(variant, "key")?)
                .ok_or_else(|| corrupt("media key"))?,
            width: side("width")?,
            height: side("height")?,
        })
    };
    Ok(Picture {
        large: variant("large")?,
        small: variant("small")?,
    })
}

fn record_from(item: &Item) -> Result<MediaRecord, StoreError> {
    let purpose =
        stored::purpose_from(string(item, "purpose")?).ok_or_else(|| corrupt("purpose"))?;
    let picture = item.get("picture").map(picture_from).transpose()?;
    let stage = stored::stage_from(
        string(item, "stage")?,
        picture,
        string_attribute(item, "attachedTo"),
    )
    .ok_or_else(|| corrupt("stage"))?;
    Ok(MediaRecord {
        id: MediaId::parse(string(item, "id")?, "id").map_err(|_| corrupt("id"))?,
        owner: string(item, "owner")?.to_owned(),
        purpose,
        content_type: ImageType::parse(string(item, "contentType")?)
            .map_err(|_| corrupt("contentType"))?,
        declared_bytes: u64::try_from(integer(item, "declaredBytes")?)
            .map_err(|_| corrupt("declaredBytes"))?,
        upload_key: MediaKey::parse_stored(string(item, "uploadKey")?)
            .ok_or_else(|| corrupt("uploadKey"))?,
        created_at_ms: integer(item, "createdAt")?,
        stage_since_ms: integer(item, "stageSince")?,
        stage,
    })
}

/// A new upload's item: awaiting its file, and unattached.
fn item_from(record: &MediaRecord) -> Item {
    let mut item = key(&record.owner, media_item(&record.id));
    item.extend([
        ("id".to_owned(), text(record.id.as_ref())),
        ("purpose".to_owned(), text(stored::purpose(record.purpose))),
        ("contentType".to_owned(), text(record.content_type.mime())),
        ("declaredBytes".to_owned(), number(record.declared_bytes)),
        ("uploadKey".to_owned(), text(record.upload_key.as_ref())),
        ("createdAt".to_owned(), number(record.created_at_ms)),
        ("stage".to_owned(), text(stored::AWAITING)),
        ("stageSince".to_owned(), number(record.stage_since_ms)),
        ("unattachedAt".to_owned(), number(record.created_at_ms)),
    ]);
    item
}

/// Uploads, pictures and profile pictures in one table.
#[derive(Clone)]
pub struct DynamoMediaCatalog {
    client: Client,
    table: String,
}

/// One conditional stage change: the update, its condition, and its values.
struct StageChange<'a> {
    set: &'a str,
    condition: &'a str,
    values: Vec<(&'a str, AttributeValue)>,
}

impl DynamoMediaCatalog {
    /// Records in `table`.
    pub fn new(client: Client, table: impl Into<String>) -> Self {
        Self {
            client,
            table: table.into(),
        }
    }

    /// Applies `change` to the owner's record `id` if its condition holds; the record as it
    /// is afterwards.
    async fn change(
        &self,
        owner: &str,
        id: &MediaId,
        change: StageChange<'_>,
        at_ms: i64,
    ) -> Result<MediaRecord, StageError> {
        let mut request = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(key(owner, media_item(id))))
            .update_expression(format!("SET stageSince = :at, {}", change.set))
            .condition_expression(format!(
                "attribute_exists(#item) AND ({})",
                change.condition
            ))
            .expression_attribute_names("#item", "item")
            .expression_attribute_values(":at", number(at_ms));
        for (name, value) in change.values {
            request = request.expression_attribute_values(name, value);
        }
        match conditional_update(request).await? {
            Ok(item) => Ok(record_from(&item)?),
            Err(before) => Err(stage_refused(before.as_ref().map(record_from).transpose()?)),
        }
    }

    /// The condition and values under which a record may be attached to `to`.
    fn attach_change(to: Attachment) -> StageChange<'static> {
        let purpose = match to {
            Attachment::Avatar => UploadPurpose::Avatar,
            Attachment::Post(_) => UploadPurpose::Post,
        };
        StageChange {
            set: "stage = :attached, attachedTo = :to REMOVE unattachedAt",
            condition: "purpose = :purpose AND (stage = :ready OR (stage = :attached AND attachedTo = :to))",
            values: vec![
                (":attached", text(stored::ATTACHED)),
                (":ready", text(stored::READY)),
                (":to", text(stored::attachment(to))),
                (":purpose", text(stored::purpose(purpose))),
            ],
        }
    }

    async fn read(&self, owner: &str, item: String) -> Result<Option<Item>, StoreError> {
        read_item(&self.client, &self.table, key(owner, item)).await
    }

    fn avatar_from(item: &Item) -> Result<Avatar, StoreError> {
        Ok(Avatar {
            picture: MediaId::parse(string(item, "mediaId")?, "id")
                .map_err(|_| corrupt("mediaId"))?,
            variants: picture_from(item.get("picture").ok_or_else(|| corrupt("picture"))?)?,
        })
    }
}

/// The picture of a record the store just attached.
fn attached_picture(record: MediaRecord) -> Result<Picture, StageError> {
    match record.stage {
        Stage::Attached(picture, _) => Ok(picture),
        _ => Err(StoreError::Corrupt("an attached record without its picture".into()).into()),
    }
}

#[async_trait]
impl AvatarDirectory for DynamoMediaCatalog {
    async fn avatars(&self, owners: &[String]) -> Result<HashMap<String, Avatar>, StoreError> {
        let keys = owners.iter().map(|owner| key(owner, AVATAR_ITEM)).collect();
        batch_get(&self.client, &self.table, keys)
            .await?
            .iter()
            .map(|item| Ok((string(item, "owner")?.to_owned(), Self::avatar_from(item)?)))
            .collect()
    }
}

#[async_trait]
impl MediaCatalog for DynamoMediaCatalog {
    async fn insert(&self, record: &MediaRecord) -> Result<(), StoreError> {
        self.client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(item_from(record)))
            .condition_expression("attribute_not_exists(#item)")
            .expression_attribute_names("#item", "item")
            .send()
            .await
            .map_err(StoreError::unavailable)?;
        Ok(())
    }

    async fn get(&self, owner: &str, id: &MediaId) -> Result<Option<MediaRecord>, StoreError> {
        self.read(owner, media_item(id))
            .await?
            .as_ref()
            .map(record_from)
            .transpose()
    }

    async fn unattached(&self, owner: &str) -> Result<Vec<MediaRecord>, StoreError> {
        let query = self
            .client
            .query()
            .table_name(&self.table)
            .index_name(UNATTACHED_INDEX)
            .key_condition_expression("#owner = :owner")
            .expression_attribute_names("#owner", "owner")
            .expression_attribute_values(":owner", text(owner));
        query_all(query).await?.iter().map(record_from).collect()
    }

    async fn start_processing(
        &self,
        owner: &str,
        id: &MediaId,
        at_ms: i64,
        stuck_before_ms: i64,
    ) -> Result<(), StageError> {
        let change = StageChange {
            set: "stage = :processing",
            condition: "stage = :awaiting OR (stage = :processing AND stageSince < :stuck)",
            values: vec![
                (":processing", text(stored::PROCESSING)),
                (":awaiting", text(stored::AWAITING)),
                (":stuck", number(stuck_before_ms)),
            ],
        };
        self.change(owner, id, change, at_ms).await.map(|_| ())
    }

    async fn stop_processing(
        &self,
        owner: &str,
        id: &MediaId,
        at_ms: i64,
    ) -> Result<(), StageError> {
        let change = StageChange {
            set: "stage = :awaiting",
            condition: "stage = :processing",
            values: vec![
                (":processing", text(stored::PROCESSING)),
                (":awaiting", text(stored::AWAITING)),
            ],
        };
        self.change(owner, id, change, at_ms).await.map(|_| ())
    }

    async fn finish(
        &self,
        owner: &str,
        id: &MediaId,
        picture: &Picture,
        at_ms: i64,
    ) -> Result<(), StageError> {
        let change = StageChange {
            set: "stage = :ready, picture = :picture",
            condition: "stage = :processing",
            values: vec![
                (":processing", text(stored::PROCESSING)),
                (":ready", text(stored::READY)),
                (":picture", picture_value(picture)),
            ],
        };
        self.change(owner, id, change, at_ms).await.map(|_| ())
    }

    async fn attach(
        &self,
        owner: &str,
        id: &MediaId,
        to: Attachment,
        at_ms: i64,
    ) -> Result<Picture, StageError> {
        let record = self
            .change(owner, id, Self::attach_change(to), at_ms)
            .await?;
        attached_picture(record)
    }

    async fn detach(
        &self,
        owner: &str,
        id: &MediaId,
        from: Attachment,
        at_ms: i64,
    ) -> Result<(), StageError> {
        let change = StageChange {
            set: "stage = :ready, unattachedAt = createdAt REMOVE attachedTo",
            condition: "stage = :attached AND attachedTo = :from",
            values: vec![
                (":attached", text(stored::ATTACHED)),
                (":ready", text(stored::READY)),
                (":from", text(stored::attachment(from))),
            ],
        };
        self.change(owner, id, change, at_ms).await.map(|_| ())
    }

    async fn set_avatar(
        &self,
        owner: &str,
        id: &MediaId,
        at_ms: i64,
    ) -> Result<(Picture, Option<MediaId>), StageError> {
        let mut attempt = 0;
        loop {
            attempt += 1;
            let record = self.get(owner, id).await?.ok_or(StageError::NotFound)?;
            let Some(picture) = record.clone().attach(Attachment::Avatar, at_ms) else {
                return Err(StageError::WrongStage(Box::new(record)));
            };
            let previous = self
                .read(owner, AVATAR_ITEM.to_owned())
                .await?
                .as_ref()
                .map(Self::avatar_from)
                .transpose()?
                .map(|avatar| avatar.picture);
            let attach = Self::attach_change(Attachment::Avatar);
            let mut update = Update::builder()
                .table_name(&self.table)
                .set_key(Some(key(owner, media_item(id))))
                .update_expression(format!("SET stageSince = :at, {}", attach.set))
                .condition_expression(format!(
                    "attribute_exists(#item) AND ({})",
                    attach.condition
                ))
                .expression_attribute_names("#item", "item")
                .expression_attribute_values(":at", number(at_ms));
            for (name, value) in attach.values {
                update = update.expression_attribute_values(name, value);
            }
            let mut avatar = key(owner, AVATAR_ITEM);
            avatar.insert("mediaId".to_owned(), text(id.as_ref()));
            avatar.insert("picture".to_owned(), picture_value(&picture));
            let put = Put::builder()
                .table_name(&self.table)
                .set_item(Some(avatar));
            let put = match &previous {
                Some(previous) => put
                    .condition_expression("mediaId = :previous")
                    .expression_attribute_values(":previous", text(previous.as_ref())),
                None => put
                    .condition_expression("attribute_not_exists(#item)")
                    .expression_attribute_names("#item", "item"),
            };
            let written = self
                .client
                .transact_write_items()
                .transact_items(
                    TransactWriteItem::builder()
                        .update(update.build().map_err(StoreError::unavailable)?)
                        .build(),
                )
                .transact_items(
                    TransactWriteItem::builder()
                        .put(put.build().map_err(StoreError::unavailable)?)
                        .build(),
                )
                .send()
                .await;
            match written {
                Ok(_) => return Ok((picture, previous)),
                Err(err) => match failed_conditions(&err).as_deref() {
                    // The record changed since it was read: explain it as it is now.
                    Some([true, ..]) => {
                        return Err(stage_refused(self.get(owner, id).await?));
                    }
                    // Someone set another profile picture meanwhile: read it again.
                    Some([false, true]) if attempt < AVATAR_ATTEMPTS => back_off(attempt).await,
                    _ => return Err(StoreError::unavailable(err).into()),
                },
            }
        }
    }

    async fn clear_avatar(&self, owner: &str) -> Result<Option<MediaId>, StoreError> {
        let output = self
            .client
            .delete_item()
            .table_name(&self.table)
            .set_key(Some(key(owner, AVATAR_ITEM)))
            .return_values(ReturnValue::AllOld)
            .send()
            .await
            .map_err(StoreError::unavailable)?;
        output
            .attributes
            .as_ref()
            .map(|item| Self::avatar_from(item).map(|avatar| avatar.picture))
            .transpose()
    }

    async fn remove(&self, owner: &str, id: &MediaId) -> Result<Option<MediaRecord>, StoreError> {
        let output = self
            .client
            .delete_item()
            .table_name(&self.table)
            .set_key(Some(key(owner, media_item(id))))
            .return_values(ReturnValue::AllOld)
            .send()
            .await
            .map_err(StoreError::unavailable)?;
        output.attributes.as_ref().map(record_from).transpose()
    }
}
