//! The dev mailbox: where the embedded default "sends" mail, readable by people and tests at
//! `GET /api/dev/mailbox/{username}` (local mode only).

use app::domain::{Language, Username};
use async_trait::async_trait;
use rusqlite::{Connection, params};

use super::LocalIdentityProvider;
use crate::ports::{Clock, ConfirmationEmail, DevMail, DevMailbox, StoreError};

/// A confirmation code, as the mail a person would receive.
pub(super) struct CodeMail<'a> {
    pub username: &'a str,
    pub email: &'a str,
    pub language: Language,
    pub code: &'a str,
    pub valid_hours: u64,
    pub sent_at: i64,
}

/// Puts the mail in the box and the code in the server log.
pub(super) fn deliver(connection: &Connection, mail: &CodeMail<'_>) -> rusqlite::Result<()> {
    let email = ConfirmationEmail::new(mail.language, mail.code, mail.valid_hours);
    connection.execute(
        "INSERT INTO dev_mailbox (username, recipient, subject, body, code, sent_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![
            mail.username,
            mail.email,
            email.subject,
            email.body,
            mail.code,
            mail.sent_at
        ],
    )?;
    tracing::info!(
        username = mail.username,
        code = mail.code,
        "local identity provider: confirmation code sent to the dev mailbox"
    );
    Ok(())
}

#[async_trait]
impl<C: Clock> DevMailbox for LocalIdentityProvider<C> {
    async fn messages(&self, username: &Username) -> Result<Vec<DevMail>, StoreError> {
        let username = username.as_ref().to_owned();
        self.database
            .call(move |connection| {
                let mut statement = connection.prepare(
                    "SELECT recipient, subject, body, code FROM dev_mailbox
                     WHERE username = ?1 ORDER BY id",
                )?;
                statement
                    .query_map([&username], |row| {
                        Ok(DevMail {
                            to: row.get(0)?,
                            subject: row.get(1)?,
                            body: row.get(2)?,
                            code: row.get(3)?,
                        })
                    })?
                    .collect()
            })
            .await
    }
}
