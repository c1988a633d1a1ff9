//! Confirmation codes: six digits that expire, allow a bounded number of wrong tries, and can
//! be sent again after a cool-down. Each function runs inside the caller's transaction.

use app::domain::Language;
use rusqlite::{Connection, OptionalExtension, params};

use super::{
    LocalIdpSettings,
    mailbox::{self, CodeMail},
    secrets::{digest, six_digit_code},
    to_sql,
};

/// Who a code goes to, and in which language it is written.
pub(super) struct Recipient<'a> {
    pub username: &'a str,
    pub email: &'a str,
    pub language: Language,
}

/// Stores a fresh code for the recipient (replacing any earlier one, with its tries reset)
/// and delivers it.
pub(super) fn send_code(
    connection: &Connection,
    settings: &LocalIdpSettings,
    now: u64,
    to: &Recipient<'_>,
) -> rusqlite::Result<()> {
    let code = six_digit_code();
    let username = to.username;
    connection.execute(
        "INSERT INTO confirmation_codes (username, code_hash, expires_at, attempts, sent_at)
         VALUES (?1, ?2, ?3, 0, ?4)
         ON CONFLICT (username) DO UPDATE SET code_hash = ?2, expires_at = ?3, attempts = 0, sent_at = ?4",
        params![username, digest(&code), to_sql(now + settings.code_secs), to_sql(now)],
    )?;
    mailbox::deliver(
        connection,
        &CodeMail {
            username,
            email: to.email,
            language: to.language,
            code: &code,
            valid_hours: settings.code_secs / 3600,
            sent_at: to_sql(now),
        },
    )
}

/// How long a day of code tries lasts, in seconds.
const TRY_WINDOW_SECS: i64 = 24 * 3600;

/// What a confirmation attempt led to.
pub(super) enum CodeCheck {
    /// The account is confirmed.
    Confirmed,
    /// Wrong, expired or used-up code, or no such account.
    Refused,
    /// The day's tries for this username are spent.
    TooMany {
        /// Seconds until the day's window ends.
        retry_after_secs: u64,
    },
}

/// Counts one try for `username` in its 24-hour window (kept for unknown names too).
/// Returns the wait when the window's tries are spent.
fn spend_try(
    connection: &Connection,
    settings: &LocalIdpSettings,
    now: i64,
    username: &str,
) -> rusqlite::Result<Option<u64>> {
    let (window_start, tries): (i64, u32) = connection
        .query_row(
            "SELECT window_start, tries FROM code_tries WHERE username = ?1",
            [username],
            |row| Ok((row.get(0)?, row.get(1)?)),
        )
        .optional()?
        .filter(|(start, _)| now - start < TRY_WINDOW_SECS)
        .unwrap_or((now, 0));
    if tries >= settings.max_code_tries_per_day {
        let wait = window_start + TRY_WINDOW_SECS - now;
        return Ok(Some(u64::try_from(wait).unwrap_or(1).max(1)));
    }
    connection.execute(
        "INSERT INTO code_tries (username, window_start, tries) VALUES (?1, ?2, ?3)
         ON CONFLICT (username) DO UPDATE SET window_start = ?2, tries = ?3",
        params![username, window_start, tries + 1],
    )?;
    Ok(None)
}

/// Confirms `username` if `code` is its live code; a wrong code uses up one try of the code
/// and one of the day.
pub(super) fn confirm(
    connection: &Connection,
    settings: &LocalIdpSettings,
    now: u64,
    username: &str,
    code: &str,
) -> rusqlite::Result<CodeCheck> {
    if let Some(retry_after_secs) = spend_try(connection, settings, to_sql(now), username)? {
        return Ok(CodeCheck::TooMany { retry_after_secs });
    }
    let pending: Option<(String, i64, u32)> = connection
        .query_row(
            "SELECT code_hash, expires_at, attempts FROM confirmation_codes WHERE username = ?1",
            [username],
            |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)),
        )
        .optional()?;
    let Some((expected, expires_at, attempts)) = pending else {
        return Ok(CodeCheck::Refused);
    };
    let usable = attempts < settings.max_code_attempts && to_sql(now) <= expires_at;
    let confirmed = usable && expected == digest(code);
    if confirmed {
        connection.execute(
            "UPDATE users SET confirmed = 1 WHERE username = ?1",
            [username],
        )?;
        connection.execute(
            "DELETE FROM confirmation_codes WHERE username = ?1",
            [username],
        )?;
    } else {
        connection.execute(
            "UPDATE confirmation_codes SET attempts = attempts + 1 WHERE username = ?1",
            [username],
        )?;
    }
    Ok(if confirmed {
        CodeCheck::Confirmed
    } else {
        CodeCheck::Refused
    })
}

/// Sends a new code to an unconfirmed `username` unless the last one went out less than the
/// cool-down ago. Returns the seconds still to wait (0: sent, or nothing to send).
pub(super) fn resend(
    connection: &Connection,
    settings: &LocalIdpSettings,
    now: u64,
    username: &str,
) -> rusqlite::Result<u64> {
    let pending: Option<(String, String, Option<i64>)> = connection
        .query_row(
            "SELECT users.email, users.language, codes.sent_at FROM users
             LEFT JOIN confirmation_codes AS codes ON codes.username = users.username
             WHERE users.username = ?1 AND users.confirmed = 0",
            [username],
            |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)),
        )
        .optional()?;
    let Some((email, language, sent_at)) = pending else {
        return Ok(0);
    };
    let ready_at = sent_at.map_or(0, |sent| {
        sent.saturating_add(to_sql(settings.resend_cooldown_secs))
    });
    if to_sql(now) < ready_at {
        return Ok(u64::try_from(ready_at - to_sql(now)).unwrap_or_default());
    }
    // Only `en` or `ko` is ever stored; anything else reads as the default.
    let language = Language::parse(&language).unwrap_or_default();
    let to = Recipient {
        username,
        email: &email,
        language,
    };
    send_code(connection, settings, now, &to)?;
    Ok(0)
}
