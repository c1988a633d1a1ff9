//! [`PostStore`] on DynamoDB. Ownership and version checks are `ConditionExpression`s on the
//! write itself; when one fails, the item as it was (`ALL_OLD`, or a consistent read where
//! the service does not return it) only explains the refusal the condition already made.

use std::collections::HashMap;

use app::domain::{AltText, MediaId, PostContent, PostId, PostTitle};
use async_trait::async_trait;
use aws_sdk_dynamodb::{
    Client,
    operation::delete_item::DeleteItemError,
    types::{AttributeValue, ReturnValue, ReturnValuesOnConditionCheckFailure},
};

use super::{
    DynamoCounterStore, Item, conditional_update,
    media::{picture_from, picture_value},
    number, read_item, text,
};
use crate::ports::{
    Author, Post, PostEdit, PostImage, PostPage, PostStore, PostWriteError, StoreError,
    next_post_id,
};

/// The index that lists posts newest first: partition `feed` (one value), sort `id`.
pub const FEED_INDEX: &str = "feed-id-index";
/// The one partition of [`FEED_INDEX`].
const FEED: &str = "posts";

/// Posts in `table`; ids from the counters table.
#[derive(Clone)]
pub struct DynamoPostStore {
    client: Client,
    table: String,
    ids: DynamoCounterStore,
}

impl DynamoPostStore {
    /// Posts in `table`, ids from `counters_table`.
    pub fn new(
        client: Client,
        table: impl Into<String>,
        counters_table: impl Into<String>,
    ) -> Self {
        Self {
            ids: DynamoCounterStore::new(client.clone(), counters_table),
            client,
            table: table.into(),
        }
    }

    async fn consistent_read(&self, id: PostId) -> Result<Option<Post>, StoreError> {
        let key = HashMap::from([("id".to_owned(), number(id.get()))]);
        read_item(&self.client, &self.table, key)
            .await?
            .map(post_from)
            .transpose()
    }

    /// The item a refused write met: from the error when DynamoDB sent it, else read now.
    async fn refused_by(
        &self,
        id: PostId,
        returned: Option<Item>,
    ) -> Result<Option<Post>, StoreError> {
        match returned {
            Some(item) => post_from(item).map(Some),
            None => self.consistent_read(id).await,
        }
    }
}

fn item_from(post: &Post) -> Item {
    HashMap::from([
        ("id".to_owned(), number(post.id.get())),
        ("feed".to_owned(), text(FEED)),
        ("title".to_owned(), text(post.title.as_ref())),
        ("content".to_owned(), text(post.content.as_ref())),
        ("userId".to_owned(), text(&post.author.sub)),
        ("userName".to_owned(), text(&post.author.username)),
        ("createdAt".to_owned(), number(post.created_at_ms)),
        ("updatedAt".to_owned(), number(post.updated_at_ms)),
        ("version".to_owned(), number(post.version)),
        ("images".to_owned(), images_value(&post.images)),
        ("commentCount".to_owned(), number(post.comment_count)),
    ])
}

/// A post's images: a list of `{pictureId, alt, picture}` maps, in order.
fn images_value(images: &[PostImage]) -> AttributeValue {
    AttributeValue::L(
        images
            .iter()
            .map(|image| {
                AttributeValue::M(HashMap::from([
                    ("pictureId".to_owned(), text(image.picture.as_ref())),
                    ("alt".to_owned(), text(image.alt.as_ref())),
                    ("picture".to_owned(), picture_value(&image.variants)),
                ]))
            })
            .collect(),
    )
}

/// The images of a post item; items written before pictures have none.
fn images_from(value: Option<&AttributeValue>) -> Result<Vec<PostImage>, StoreError> {
    let Some(value) = value else {
        return Ok(Vec::new());
    };
    let corrupt = || StoreError::Corrupt("a post image is unreadable".into());
    let list = value.as_l().map_err(|_| corrupt())?;
    list.iter()
        .map(|entry| {
            let map = entry.as_m().map_err(|_| corrupt())?;
            let field = |name: &str| {
                map.get(name)
                    .and_then(|v| v.as_s().ok())
                    .ok_or_else(corrupt)
            };
            Ok(PostImage {
                picture: MediaId::parse(field("pictureId")?, "pictureId").map_err(|_| corrupt())?,
                alt: AltText::parse(field("alt")?).map_err(|_| corrupt())?,
                variants: picture_from(map.get("picture").ok_or_else(corrupt)?)?,
            })
        })
        .collect()
}

fn post_from(item: Item) -> Result<Post, StoreError> {
    let corrupt = |field: &str| StoreError::Corrupt(format!("post item without a valid {field}"));
    let text = |field: &str| {
        item.get(field)
            .and_then(|value| value.as_s().ok())
            .ok_or_else(|| corrupt(field))
    };
    let number = |field: &str| {
        item.get(field)
            .and_then(|value| value.as_n().ok())
            .and_then(|value| value.parse::<i64>().ok())
            .ok_or_else(|| corrupt(field))
    };
    Ok(Post {
        id: u64::try_from(number("id")?)
            .ok()
            .and_then(PostId::from_counter)
            .ok_or_else(|| corrupt("id"))?,
        title: PostTitle::parse(text("title")?).map_err(|_| corrupt("title"))?,
        content: PostContent::parse(text("content")?).map_err(|_| corrupt("content"))?,
        author: Author {
            sub: text("userId")?.clone(),
            username: text("userName")?.clone(),
        },
        created_at_ms: number("createdAt")?,
        updated_at_ms: number("updatedAt")?,
        version: u64::try_from(number("version")?).map_err(|_| corrupt("version"))?,
        images: images_from(item.get("images"))?,
        // Posts written before comments have no count: none.
        comment_count: match item.get("commentCount") {
            Some(_) => {
                u64::try_from(number("commentCount")?).map_err(|_| corrupt("commentCount"))?
            }
            None => 0,
        },
    })
}

#[async_trait]
impl PostStore for DynamoPostStore {
    async fn next_id(&self) -> Result<PostId, StoreError> {
        next_post_id(&self.ids).await
    }

    async fn create(&self, post: &Post) -> Result<(), StoreError> {
        self.client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(item_from(post)))
            .condition_expression("attribute_not_exists(id)")
            .send()
            .await
            .map_err(StoreError::unavailable)?;
        Ok(())
    }

    async fn get(&self, id: PostId) -> Result<Option<Post>, StoreError> {
        self.consistent_read(id).await
    }

    async fn list(&self, limit: usize, before: Option<PostId>) -> Result<PostPage, StoreError> {
        let mut query = self
            .client
            .query()
            .table_name(&self.table)
            .index_name(FEED_INDEX)
            .scan_index_forward(false)
            .limit(i32::try_from(limit.saturating_add(1)).unwrap_or(i32::MAX))
            .expression_attribute_values(":feed", text(FEED));
        query = match before {
            Some(before) => query
                .key_condition_expression("feed = :feed AND id < :before")
                .expression_attribute_values(":before", number(before.get())),
            None => query.key_condition_expression("feed = :feed"),
        };
        let output = query.send().await.map_err(StoreError::unavailable)?;
        let posts = output
            .items
            .unwrap_or_default()
            .into_iter()
            .map(post_from)
            .collect::<Result<Vec<_>, _>>()?;
        Ok(PostPage::from_overfetch(posts, limit))
    }

    async fn update(
        &self,
        id: PostId,
        editor_sub: &str,
        edit: &PostEdit,
    ) -> Result<Post, PostWriteError> {
        let request = self
            .client
            .update_item()
            .table_name(&self.table)
            .key("id", number(id.get()))
            .update_expression("SET #title = :title, #content = :content, images = :images, updatedAt = :at, version = version + :one")
            .condition_expression("attribute_exists(id) AND userId = :editor AND version = :expected")
            .expression_attribute_names("#title", "title")
            .expression_attribute_names("#content", "content")
            .expression_attribute_values(":title", text(edit.title.as_ref()))
            .expression_attribute_values(":content", text(edit.content.as_ref()))
            .expression_attribute_values(":images", images_value(&edit.images))
            .expression_attribute_values(":at", number(edit.at_ms))
            .expression_attribute_values(":one", number(1))
            .expression_attribute_values(":editor", text(editor_sub))
            .expression_attribute_values(":expected", number(edit.expected_version));
        match conditional_update(request).await? {
            Ok(item) => Ok(post_from(item)?),
            Err(before) => {
                let current = self.refused_by(id, before).await?;
                Err(PostWriteError::edit_refused(current, editor_sub))
            }
        }
    }

    async fn delete(&self, id: PostId, owner_sub: &str) -> Result<Post, PostWriteError> {
        let outcome = self
            .client
            .delete_item()
            .table_name(&self.table)
            .key("id", number(id.get()))
            .condition_expression("attribute_exists(id) AND userId = :owner")
            .expression_attribute_values(":owner", text(owner_sub))
            .return_values(ReturnValue::AllOld)
            .return_values_on_condition_check_failure(ReturnValuesOnConditionCheckFailure::AllOld)
            .send()
            .await;
        match outcome {
            Ok(output) => {
                let item = output
                    .attributes
                    .ok_or_else(|| StoreError::Corrupt("delete returned no item".into()))?;
                Ok(post_from(item)?)
            }
            Err(err) => {
                let Some(DeleteItemError::ConditionalCheckFailedException(refused)) =
                    err.as_service_error()
                else {
                    return Err(StoreError::unavailable(err).into());
                };
                let current = self.refused_by(id, refused.item.clone()).await?;
                Err(PostWriteError::delete_refused(current))
            }
        }
    }
}
