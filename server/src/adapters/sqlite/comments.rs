//! [`CommentStore`] in the local SQLite file. A comment and its post's count change in one
//! immediate transaction; comments reference their post with `ON DELETE CASCADE`, so
//! deleting a post deletes its comments in the same statement.

use app::domain::{CommentId, CommentText, PostId};
use async_trait::async_trait;
use rusqlite::{Connection, OptionalExtension, Row, params};

use super::{SqliteDatabase, corrupt, posts::sql_id};
use crate::ports::{
    Author, Comment, CommentEdit, CommentPage, CommentStore, CommentWriteError, Remover, StoreError,
};

/// The `comments` table, and the count on each post.
pub(super) const SCHEMA: &str = "CREATE TABLE comments (
            post_id INTEGER NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
            id TEXT NOT NULL,
            text TEXT NOT NULL,
            author_sub TEXT NOT NULL,
            author_name TEXT NOT NULL,
            created_at INTEGER NOT NULL,
            updated_at INTEGER NOT NULL,
            version INTEGER NOT NULL,
            PRIMARY KEY (post_id, id)
        ) STRICT;
        ALTER TABLE posts ADD COLUMN comment_count INTEGER NOT NULL DEFAULT 0;";

const COLUMNS: &str = "post_id, id, text, author_sub, author_name, created_at, updated_at, version";

fn comment_row(row: &Row<'_>) -> rusqlite::Result<Comment> {
    let id: String = row.get("id")?;
    let bad = |what: &str| corrupt(format!("{what} of comment {id}"));
    let post: i64 = row.get("post_id")?;
    let text: String = row.get("text")?;
    Ok(Comment {
        post: u64::try_from(post)
            .ok()
            .and_then(PostId::from_counter)
            .ok_or_else(|| bad("post"))?,
        text: CommentText::parse(&text).map_err(|_| bad("text"))?,
        author: Author {
            sub: row.get("author_sub")?,
            username: row.get("author_name")?,
        },
        created_at_ms: row.get("created_at")?,
        updated_at_ms: row.get("updated_at")?,
        version: u64::try_from(row.get::<_, i64>("version")?).map_err(|_| bad("version"))?,
        id: CommentId::parse(&id).map_err(|_| bad("id"))?,
    })
}

fn find(connection: &Connection, post: PostId, id: &str) -> rusqlite::Result<Option<Comment>> {
    connection
        .query_row(
            &format!("SELECT {COLUMNS} FROM comments WHERE post_id = ?1 AND id = ?2"),
            params![sql_id(post), id],
            comment_row,
        )
        .optional()
}

fn post_author(connection: &Connection, post: PostId) -> rusqlite::Result<Option<String>> {
    connection
        .query_row(
            "SELECT author_sub FROM posts WHERE id = ?1",
            [sql_id(post)],
            |row| row.get(0),
        )
        .optional()
}

/// Comments in the `comments` table.
#[derive(Clone)]
pub struct SqliteCommentStore {
    database: SqliteDatabase,
}

impl SqliteCommentStore {
    /// Comments in `database`.
    pub fn new(database: SqliteDatabase) -> Self {
        Self { database }
    }
}

#[async_trait]
impl CommentStore for SqliteCommentStore {
    async fn add(&self, comment: &Comment) -> Result<(), CommentWriteError> {
        let comment = comment.clone();
        self.database
            .write(move |connection| {
                let counted = connection.execute(
                    "UPDATE posts SET comment_count = comment_count + 1 WHERE id = ?1",
                    [sql_id(comment.post)],
                )?;
                if counted == 0 {
                    return Ok(Err(CommentWriteError::PostNotFound));
                }
                connection.execute(
                    &format!(
                        "INSERT INTO comments ({COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"
                    ),
                    params![
                        sql_id(comment.post),
                        comment.id.as_ref(),
                        comment.text.as_ref(),
                        comment.author.sub,
                        comment.author.username,
                        comment.created_at_ms,
                        comment.updated_at_ms,
                        i64::try_from(comment.version).unwrap_or(i64::MAX),
                    ],
                )?;
                Ok(Ok(()))
            })
            .await
    }

    async fn get(&self, post: PostId, id: &CommentId) -> Result<Option<Comment>, StoreError> {
        let id = id.to_string();
        self.database
            .call(move |connection| find(connection, post, &id))
            .await
    }

    async fn list(
        &self,
        post: PostId,
        limit: usize,
        after: Option<&CommentId>,
    ) -> Result<Option<CommentPage>, StoreError> {
        let after = after.map_or_else(String::new, ToString::to_string);
        let fetch = i64::try_from(limit).unwrap_or(i64::MAX).saturating_add(1);
        let comments = self
            .database
            .call(move |connection| {
                if post_author(connection, post)?.is_none() {
                    return Ok(None);
                }
                connection
                    .prepare(&format!(
                        "SELECT {COLUMNS} FROM comments WHERE post_id = ?1 AND id > ?2
                         ORDER BY id LIMIT ?3"
                    ))?
                    .query_map(params![sql_id(post), after, fetch], comment_row)?
                    .collect::<rusqlite::Result<Vec<_>>>()
                    .map(Some)
            })
            .await?;
        Ok(comments.map(|comments| CommentPage::from_overfetch(comments, limit)))
    }

    async fn update(
        &self,
        post: PostId,
        id: &CommentId,
        editor_sub: &str,
        edit: &CommentEdit,
    ) -> Result<Comment, CommentWriteError> {
        let (id, editor, edit) = (id.to_string(), editor_sub.to_owned(), edit.clone());
        self.database
            .write(move |connection| {
                let updated = connection
                    .query_row(
                        &format!(
                            "UPDATE comments SET text = ?1, updated_at = ?2, version = version + 1
                         WHERE post_id = ?3 AND id = ?4 AND author_sub = ?5 AND version = ?6
                         RETURNING {COLUMNS}"
                        ),
                        params![
                            edit.text.as_ref(),
                            edit.at_ms,
                            sql_id(post),
                            id,
                            editor,
                            i64::try_from(edit.expected_version).unwrap_or(i64::MAX),
                        ],
                        comment_row,
                    )
                    .optional()?;
                Ok(match updated {
                    Some(comment) => Ok(comment),
                    None => Err(CommentWriteError::edit_refused(
                        find(connection, post, &id)?,
                        &editor,
                    )),
                })
            })
            .await
    }

    async fn delete(
        &self,
        post: PostId,
        id: &CommentId,
        by: &Remover,
    ) -> Result<(), CommentWriteError> {
        let (id, by) = (id.to_string(), by.clone());
        self.database
            .write(move |connection| {
                let Some(owner_of_post) = post_author(connection, post)? else {
                    return Ok(Err(CommentWriteError::PostNotFound));
                };
                let Some(comment) = find(connection, post, &id)? else {
                    return Ok(Err(CommentWriteError::NotFound));
                };
                let allowed = match &by {
                    Remover::Author(sub) => comment.author.sub == *sub,
                    Remover::PostAuthor(sub) => owner_of_post == *sub,
                };
                if !allowed {
                    return Ok(Err(CommentWriteError::NotYours));
                }
                connection.execute(
                    "DELETE FROM comments WHERE post_id = ?1 AND id = ?2",
                    params![sql_id(post), id],
                )?;
                connection.execute(
                    "UPDATE posts SET comment_count = comment_count - 1 WHERE id = ?1",
                    [sql_id(post)],
                )?;
                Ok(Ok(()))
            })
            .await
    }

    async fn delete_all(&self, post: PostId) -> Result<u64, StoreError> {
        let deleted = self
            .database
            .call(move |connection| {
                connection.execute("DELETE FROM comments WHERE post_id = ?1", [sql_id(post)])
            })
            .await?;
        Ok(deleted as u64)
    }
}
