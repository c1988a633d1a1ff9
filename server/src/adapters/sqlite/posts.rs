//! [`PostStore`] in the local SQLite file. Each write and the explanation of its failure run
//! in one immediate transaction, so nothing can change between the two.

use app::domain::{PostContent, PostId, PostTitle};
use async_trait::async_trait;
use rusqlite::{OptionalExtension, Row, TransactionBehavior, params};

use super::{
    SqliteCounterStore, SqliteDatabase, corrupt,
    media::{StoredPostImage, from_json, to_json},
};
use crate::ports::{
    Author, Post, PostEdit, PostPage, PostStore, PostWriteError, StoreError, next_post_id,
};

/// The `posts` table.
pub(super) const SCHEMA: &str = "CREATE TABLE posts (
            id INTEGER PRIMARY KEY NOT NULL,
            title TEXT NOT NULL,
            content TEXT NOT NULL,
            author_sub TEXT NOT NULL,
            author_name TEXT NOT NULL,
            created_at INTEGER NOT NULL,
            updated_at INTEGER NOT NULL,
            version INTEGER NOT NULL
        ) STRICT;";

/// Images came later: posts written before have none (`[]`).
pub(super) const SCHEMA_IMAGES: &str =
    "ALTER TABLE posts ADD COLUMN images TEXT NOT NULL DEFAULT '[]';";

const COLUMNS: &str = "id, title, content, author_sub, author_name, created_at, updated_at, \
                       version, images, comment_count";

/// Posts in the `posts` table; ids from the `counters` table.
#[derive(Clone)]
pub struct SqlitePostStore {
    database: SqliteDatabase,
    ids: SqliteCounterStore,
}

impl SqlitePostStore {
    /// Posts in `database`.
    pub fn new(database: SqliteDatabase) -> Self {
        Self {
            ids: SqliteCounterStore::new(database.clone()),
            database,
        }
    }
}

fn post_row(row: &Row<'_>) -> rusqlite::Result<Post> {
    let id: i64 = row.get("id")?;
    let title: String = row.get("title")?;
    let content: String = row.get("content")?;
    let version: i64 = row.get("version")?;
    let images: Vec<StoredPostImage> = from_json(&row.get::<_, String>("images")?)?;
    let comment_count: i64 = row.get("comment_count")?;
    Ok(Post {
        id: u64::try_from(id)
            .ok()
            .and_then(PostId::from_counter)
            .ok_or_else(|| corrupt(format!("post id {id}")))?,
        title: PostTitle::parse(&title).map_err(|_| corrupt(format!("title of post {id}")))?,
        content: PostContent::parse(&content)
            .map_err(|_| corrupt(format!("content of post {id}")))?,
        author: Author {
            sub: row.get("author_sub")?,
            username: row.get("author_name")?,
        },
        created_at_ms: row.get("created_at")?,
        updated_at_ms: row.get("updated_at")?,
        version: u64::try_from(version).map_err(|_| corrupt(format!("version of post {id}")))?,
        images: images
            .into_iter()
            .map(StoredPostImage::into_image)
            .collect::<rusqlite::Result<_>>()?,
        comment_count: u64::try_from(comment_count)
            .map_err(|_| corrupt(format!("comment count of post {id}")))?,
    })
}

/// A post id as SQLite's integer.
pub(super) fn sql_id(id: PostId) -> i64 {
    i64::try_from(id.get()).unwrap_or(i64::MAX)
}

fn find(connection: &rusqlite::Connection, id: PostId) -> rusqlite::Result<Option<Post>> {
    connection
        .query_row(
            &format!("SELECT {COLUMNS} FROM posts WHERE id = ?1"),
            [sql_id(id)],
            post_row,
        )
        .optional()
}

enum Outcome<T> {
    Done(T),
    Refused(Option<Post>),
}

#[async_trait]
impl PostStore for SqlitePostStore {
    async fn next_id(&self) -> Result<PostId, StoreError> {
        next_post_id(&self.ids).await
    }

    async fn create(&self, post: &Post) -> Result<(), StoreError> {
        let post = post.clone();
        self.database
            .call(move |connection| {
                connection.execute(
                    &format!(
                        "INSERT INTO posts ({COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)"
                    ),
                    params![
                        sql_id(post.id),
                        post.title.as_ref(),
                        post.content.as_ref(),
                        post.author.sub,
                        post.author.username,
                        post.created_at_ms,
                        post.updated_at_ms,
                        i64::try_from(post.version).unwrap_or(i64::MAX),
                        to_json(&StoredPostImage::all(&post.images))?,
                        i64::try_from(post.comment_count).unwrap_or(i64::MAX),
                    ],
                )
            })
            .await?;
        Ok(())
    }

    async fn get(&self, id: PostId) -> Result<Option<Post>, StoreError> {
        self.database
            .call(move |connection| find(connection, id))
            .await
    }

    async fn list(&self, limit: usize, before: Option<PostId>) -> Result<PostPage, StoreError> {
        let fetch = i64::try_from(limit).unwrap_or(i64::MAX).saturating_add(1);
        let before = before.map_or(i64::MAX, sql_id);
        let posts = self
            .database
            .call(move |connection| {
                connection
                    .prepare(&format!(
                        "SELECT {COLUMNS} FROM posts WHERE id < ?1 ORDER BY id DESC LIMIT ?2"
                    ))?
                    .query_map(params![before, fetch], post_row)?
                    .collect::<rusqlite::Result<Vec<_>>>()
            })
            .await?;
        Ok(PostPage::from_overfetch(posts, limit))
    }

    async fn update(
        &self,
        id: PostId,
        editor_sub: &str,
        edit: &PostEdit,
    ) -> Result<Post, PostWriteError> {
        let (editor, edit) = (editor_sub.to_owned(), edit.clone());
        let expected = i64::try_from(edit.expected_version).unwrap_or(i64::MAX);
        let outcome = self
            .database
            .call(move |connection| {
                let transaction = connection.transaction_with_behavior(TransactionBehavior::Immediate)?;
                let updated = transaction
                    .query_row(
                        &format!(
                            "UPDATE posts SET title = ?1, content = ?2, updated_at = ?3, images = ?7, version = version + 1
                             WHERE id = ?4 AND author_sub = ?5 AND version = ?6
                             RETURNING {COLUMNS}"
                        ),
                        params![edit.title.as_ref(), edit.content.as_ref(), edit.at_ms, sql_id(id), editor, expected, to_json(&StoredPostImage::all(&edit.images))?],
                        post_row,
                    )
                    .optional()?;
                let outcome = match updated {
                    Some(post) => Outcome::Done(post),
                    None => Outcome::Refused(find(&transaction, id)?),
                };
                transaction.commit()?;
                Ok(outcome)
            })
            .await?;
        match outcome {
            Outcome::Done(post) => Ok(post),
            Outcome::Refused(current) => Err(PostWriteError::edit_refused(current, editor_sub)),
        }
    }

    async fn delete(&self, id: PostId, owner_sub: &str) -> Result<Post, PostWriteError> {
        let owner = owner_sub.to_owned();
        let outcome = self
            .database
            .call(move |connection| {
                let transaction =
                    connection.transaction_with_behavior(TransactionBehavior::Immediate)?;
                let deleted = transaction
                    .query_row(
                        &format!(
                            "DELETE FROM posts WHERE id = ?1 AND author_sub = ?2 RETURNING {COLUMNS}"
                        ),
                        params![sql_id(id), owner],
                        post_row,
                    )
                    .optional()?;
                let outcome = match deleted {
                    Some(post) => Outcome::Done(post),
                    None => Outcome::Refused(find(&transaction, id)?),
                };
                transaction.commit()?;
                Ok(outcome)
            })
            .await?;
        match outcome {
            Outcome::Done(post) => Ok(post),
            Outcome::Refused(current) => Err(PostWriteError::delete_refused(current)),
        }
    }
}
