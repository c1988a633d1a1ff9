//! [`CommentStore`] on DynamoDB: a comments table keyed for "the comments of a post, in
//! order" (partition `postId`, sort `commentId`, which sorts oldest first), and the count on
//! the post item in the posts table.
//!
//! Adding and deleting are one `TransactWriteItems` each: the comment, and `ADD
//! commentCount ±1` on the post with `attribute_exists(id)`, so the count is exact and no
//! comment can be written under a deleted post. Concurrent comments on one post contend for
//! the post item; a transaction that loses (`TransactionConflict`) is retried.
//!
//! Deleting a post deletes its item first (from then on every read of its comments is a 404
//! and every new comment is refused), then [`CommentStore::delete_all`] queries the
//! comments' keys and deletes them 25 at a time.

use std::collections::HashMap;

use app::domain::{CommentId, CommentText, PostId};
use async_trait::async_trait;
use aws_sdk_dynamodb::{
    Client,
    error::SdkError,
    operation::transact_write_items::TransactWriteItemsError,
    types::{Delete, DeleteRequest, Put, TransactWriteItem, Update, WriteRequest},
};

use super::{
    Item, back_off, conditional_update, failed_conditions, number, number_attribute, query_all,
    read_item, string_attribute, text,
};
use crate::ports::{
    Author, Comment, CommentEdit, CommentPage, CommentStore, CommentWriteError, Remover, StoreError,
};

/// How often a comment write is tried when other writes to the same post keep winning.
const CONTENDED_ATTEMPTS: u32 = 10;
/// `BatchWriteItem`'s limit.
const DELETES_PER_BATCH: usize = 25;

fn corrupt(what: &str) -> StoreError {
    StoreError::Corrupt(format!("comment item without a valid {what}"))
}

fn key(post: PostId, id: &CommentId) -> Item {
    HashMap::from([
        ("postId".to_owned(), number(post.get())),
        ("commentId".to_owned(), text(id.as_ref())),
    ])
}

fn item_from(comment: &Comment) -> Item {
    let mut item = key(comment.post, &comment.id);
    item.extend([
        ("text".to_owned(), text(comment.text.as_ref())),
        ("authorSub".to_owned(), text(&comment.author.sub)),
        ("authorName".to_owned(), text(&comment.author.username)),
        ("createdAt".to_owned(), number(comment.created_at_ms)),
        ("updatedAt".to_owned(), number(comment.updated_at_ms)),
        ("version".to_owned(), number(comment.version)),
    ]);
    item
}

fn comment_from(item: &Item) -> Result<Comment, StoreError> {
    let string = |name: &str| string_attribute(item, name).ok_or_else(|| corrupt(name));
    let integer = |name: &str| number_attribute::<i64>(item, name).ok_or_else(|| corrupt(name));
    Ok(Comment {
        id: CommentId::parse(string("commentId")?).map_err(|_| corrupt("commentId"))?,
        post: number_attribute::<u64>(item, "postId")
            .and_then(PostId::from_counter)
            .ok_or_else(|| corrupt("postId"))?,
        text: CommentText::parse(string("text")?).map_err(|_| corrupt("text"))?,
        author: Author {
            sub: string("authorSub")?.to_owned(),
            username: string("authorName")?.to_owned(),
        },
        created_at_ms: integer("createdAt")?,
        updated_at_ms: integer("updatedAt")?,
        version: u64::try_from(integer("version")?).map_err(|_| corrupt("version"))?,
    })
}

/// Whether a cancelled transaction lost a race with another write, rather than a condition.
fn lost_a_race<R>(err: &SdkError<TransactWriteItemsError, R>) -> bool {
    matches!(
        err.as_service_error(),
        Some(TransactWriteItemsError::TransactionCanceledException(cancelled))
            if cancelled
                .cancellation_reasons()
                .iter()
                .any(|reason| reason.code() == Some("TransactionConflict"))
    )
}

/// Comments in one table, counts on the posts table's items.
#[derive(Clone)]
pub struct DynamoCommentStore {
    client: Client,
    table: String,
    posts_table: String,
}

impl DynamoCommentStore {
    /// Comments in `table`, counted on the items of `posts_table`.
    pub fn new(client: Client, table: impl Into<String>, posts_table: impl Into<String>) -> Self {
        Self {
            client,
            table: table.into(),
            posts_table: posts_table.into(),
        }
    }

    /// `ADD commentCount :step` on the post, which must exist (and, for a moderator, be
    /// theirs).
    fn count(
        &self,
        post: PostId,
        step: i64,
        owned_by: Option<&str>,
    ) -> Result<TransactWriteItem, StoreError> {
        let mut update = Update::builder()
            .table_name(&self.posts_table)
            .key("id", number(post.get()))
            .update_expression("ADD commentCount :step")
            .expression_attribute_values(":step", number(step));
        update = match owned_by {
            Some(sub) => update
                .condition_expression("attribute_exists(id) AND userId = :owner")
                .expression_attribute_values(":owner", text(sub)),
            None => update.condition_expression("attribute_exists(id)"),
        };
        let update = update.build().map_err(StoreError::unavailable)?;
        Ok(TransactWriteItem::builder().update(update).build())
    }

    /// Sends `items` as one transaction, again while it loses races with other writes.
    /// `Ok(None)` when it went through; `Ok(Some(failed))` says which conditions refused it.
    async fn transact(
        &self,
        items: Vec<TransactWriteItem>,
    ) -> Result<Option<Vec<bool>>, StoreError> {
        let mut attempt = 0;
        loop {
            attempt += 1;
            let sent = self
                .client
                .transact_write_items()
                .set_transact_items(Some(items.clone()))
                .send()
                .await;
            let Err(err) = sent else {
                return Ok(None);
            };
            if lost_a_race(&err) && attempt < CONTENDED_ATTEMPTS {
                back_off(attempt).await;
                continue;
            }
            return match failed_conditions(&err) {
                Some(failed) if failed.iter().any(|failed| *failed) => Ok(Some(failed)),
                _ => Err(StoreError::unavailable(err)),
            };
        }
    }

    async fn post_exists(&self, post: PostId) -> Result<Option<String>, StoreError> {
        let output = self
            .client
            .get_item()
            .table_name(&self.posts_table)
            .key("id", number(post.get()))
            .projection_expression("userId")
            .consistent_read(true)
            .send()
            .await
            .map_err(StoreError::unavailable)?;
        Ok(output.item.as_ref().map(|item| {
            string_attribute(item, "userId")
                .unwrap_or_default()
                .to_owned()
        }))
    }

    async fn read(&self, post: PostId, id: &CommentId) -> Result<Option<Comment>, StoreError> {
        read_item(&self.client, &self.table, key(post, id))
            .await?
            .as_ref()
            .map(comment_from)
            .transpose()
    }

    /// Every comment key of the post, read consistently.
    async fn keys_of(&self, post: PostId) -> Result<Vec<Item>, StoreError> {
        query_all(
            self.client
                .query()
                .table_name(&self.table)
                .key_condition_expression("postId = :post")
                .expression_attribute_values(":post", number(post.get()))
                .projection_expression("postId, commentId")
                .consistent_read(true),
        )
        .await
    }
}

#[async_trait]
impl CommentStore for DynamoCommentStore {
    async fn add(&self, comment: &Comment) -> Result<(), CommentWriteError> {
        let put = Put::builder()
            .table_name(&self.table)
            .set_item(Some(item_from(comment)))
            .condition_expression("attribute_not_exists(commentId)")
            .build()
            .map_err(StoreError::unavailable)?;
        let items = vec![
            self.count(comment.post, 1, None)?,
            TransactWriteItem::builder().put(put).build(),
        ];
        match self.transact(items).await? {
            None => Ok(()),
            Some(failed) if failed.first() == Some(&true) => Err(CommentWriteError::PostNotFound),
            Some(_) => Err(StoreError::Corrupt("a new comment id was taken".into()).into()),
        }
    }

    async fn get(&self, post: PostId, id: &CommentId) -> Result<Option<Comment>, StoreError> {
        let (exists, comment) = tokio::join!(self.post_exists(post), self.read(post, id));
        Ok(exists?.and(comment?))
    }

    async fn list(
        &self,
        post: PostId,
        limit: usize,
        after: Option<&CommentId>,
    ) -> Result<Option<CommentPage>, StoreError> {
        let mut query = self
            .client
            .query()
            .table_name(&self.table)
            .limit(i32::try_from(limit.saturating_add(1)).unwrap_or(i32::MAX))
            .expression_attribute_values(":post", number(post.get()));
        query = match after {
            Some(after) => query
                .key_condition_expression("postId = :post AND commentId > :after")
                .expression_attribute_values(":after", text(after.as_ref())),
            None => query.key_condition_expression("postId = :post"),
        };
        let (exists, page) = tokio::join!(self.post_exists(post), query.send());
        if exists?.is_none() {
            return Ok(None);
        }
        let comments = page
            .map_err(StoreError::unavailable)?
            .items
            .unwrap_or_default()
            .iter()
            .map(comment_from)
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Some(CommentPage::from_overfetch(comments, limit)))
    }

    async fn update(
        &self,
        post: PostId,
        id: &CommentId,
        editor_sub: &str,
        edit: &CommentEdit,
    ) -> Result<Comment, CommentWriteError> {
        let request = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(key(post, id)))
            .update_expression("SET #text = :text, updatedAt = :at, version = version + :one")
            .condition_expression(
                "attribute_exists(commentId) AND authorSub = :editor AND version = :expected",
            )
            .expression_attribute_names("#text", "text")
            .expression_attribute_values(":text", text(edit.text.as_ref()))
            .expression_attribute_values(":at", number(edit.at_ms))
            .expression_attribute_values(":one", number(1))
            .expression_attribute_values(":editor", text(editor_sub))
            .expression_attribute_values(":expected", number(edit.expected_version));
        match conditional_update(request).await? {
            Ok(item) => Ok(comment_from(&item)?),
            Err(before) => {
                let current = before.as_ref().map(comment_from).transpose()?;
                Err(CommentWriteError::edit_refused(current, editor_sub))
            }
        }
    }

    async fn delete(
        &self,
        post: PostId,
        id: &CommentId,
        by: &Remover,
    ) -> Result<(), CommentWriteError> {
        let mut delete = Delete::builder()
            .table_name(&self.table)
            .set_key(Some(key(post, id)));
        let owned_by = match by {
            Remover::Author(sub) => {
                delete = delete
                    .condition_expression("attribute_exists(commentId) AND authorSub = :author")
                    .expression_attribute_values(":author", text(sub));
                None
            }
            Remover::PostAuthor(sub) => {
                delete = delete.condition_expression("attribute_exists(commentId)");
                Some(sub.as_str())
            }
        };
        let items = vec![
            TransactWriteItem::builder()
                .delete(delete.build().map_err(StoreError::unavailable)?)
                .build(),
            self.count(post, -1, owned_by)?,
        ];
        if self.transact(items).await?.is_none() {
            return Ok(());
        }
        // Explain the refusal from the items as they are now.
        let (post_owner, comment) = tokio::join!(self.post_exists(post), self.read(post, id));
        Err(match (post_owner?, comment?) {
            (None, _) => CommentWriteError::PostNotFound,
            (_, None) => CommentWriteError::NotFound,
            _ => CommentWriteError::NotYours,
        })
    }

    async fn delete_all(&self, post: PostId) -> Result<u64, StoreError> {
        let keys = self.keys_of(post).await?;
        for batch in keys.chunks(DELETES_PER_BATCH) {
            let mut requests: Vec<WriteRequest> = batch
                .iter()
                .map(|key| {
                    DeleteRequest::builder()
                        .set_key(Some(key.clone()))
                        .build()
                        .map(|delete| WriteRequest::builder().delete_request(delete).build())
                        .map_err(StoreError::unavailable)
                })
                .collect::<Result<_, _>>()?;
            let mut attempt = 0;
            while !requests.is_empty() {
                attempt += 1;
                let output = self
                    .client
                    .batch_write_item()
                    .request_items(&self.table, requests)
                    .send()
                    .await
                    .map_err(StoreError::unavailable)?;
                requests = output
                    .unprocessed_items
                    .and_then(|mut left| left.remove(&self.table))
                    .unwrap_or_default();
                if !requests.is_empty() {
                    back_off(attempt).await;
                }
            }
        }
        Ok(keys.len() as u64)
    }
}
