//! Refresh tokens: random, stored hashed, grouped in a family per log-in, rotated on every
//! use. A rotated-out token presented again within the grace period still refreshes (two
//! tabs refreshing at once must not log the person out); after it, the whole family is
//! revoked, since the token has evidently been copied. Each function runs inside the
//! caller's transaction.

use rusqlite::{Connection, OptionalExtension, params};

/// What presenting a refresh token led to.
pub(super) enum Refreshed {
    /// The token was current: it is now replaced by `next`.
    Rotated {
        /// The session's owner.
        sub: String,
    },
    /// The token was replaced moments ago (another tab): it still works, unrotated.
    WithinGrace {
        /// The session's owner.
        sub: String,
    },
    /// Unknown, expired, revoked, or reused too late (which revoked its family).
    Invalid,
}

/// Starts a new family with the token hashed as `token_hash`.
pub(super) fn open(
    connection: &Connection,
    sub: &str,
    token_hash: &str,
    expires_at: i64,
) -> rusqlite::Result<()> {
    connection.execute(
        "INSERT INTO refresh_tokens (token_hash, family, sub, expires_at) VALUES (?1, ?2, ?3, ?4)",
        params![
            token_hash,
            uuid::Uuid::new_v4().to_string(),
            sub,
            expires_at
        ],
    )?;
    Ok(())
}

/// Presents the token hashed as `presented` at `now_ms`; on success its family continues
/// with the token hashed as `next_hash`, which expires when the family does. A replaced
/// token works again only within `grace_ms` of its replacement (zero: never).
pub(super) fn rotate(
    connection: &Connection,
    presented: &str,
    next_hash: &str,
    now_ms: i64,
    grace_ms: i64,
) -> rusqlite::Result<Refreshed> {
    let found: Option<(String, String, i64, Option<i64>, bool)> = connection
        .query_row(
            "SELECT family, sub, expires_at, replaced_at_ms, revoked FROM refresh_tokens
             WHERE token_hash = ?1",
            [presented],
            |row| {
                Ok((
                    row.get(0)?,
                    row.get(1)?,
                    row.get(2)?,
                    row.get(3)?,
                    row.get(4)?,
                ))
            },
        )
        .optional()?;
    let Some((family, sub, expires_at, replaced_at, revoked)) = found else {
        return Ok(Refreshed::Invalid);
    };
    if revoked || now_ms / 1000 > expires_at {
        return Ok(Refreshed::Invalid);
    }
    let within_grace =
        |replaced_at_ms: i64| grace_ms > 0 && now_ms.saturating_sub(replaced_at_ms) < grace_ms;
    if replaced_at.is_some_and(|replaced_at_ms| !within_grace(replaced_at_ms)) {
        connection.execute(
            "UPDATE refresh_tokens SET revoked = 1 WHERE family = ?1",
            [&family],
        )?;
        tracing::warn!(%sub, "refresh token reused after its grace period: session revoked");
        return Ok(Refreshed::Invalid);
    }
    if replaced_at.is_some() {
        return Ok(Refreshed::WithinGrace { sub });
    }
    connection.execute(
        "UPDATE refresh_tokens SET replaced_at_ms = ?1 WHERE token_hash = ?2",
        params![now_ms, presented],
    )?;
    connection.execute(
        "INSERT INTO refresh_tokens (token_hash, family, sub, expires_at) VALUES (?1, ?2, ?3, ?4)",
        params![next_hash, family, sub, expires_at],
    )?;
    Ok(Refreshed::Rotated { sub })
}

/// Revokes the family of the token hashed as `presented`, if it exists.
pub(super) fn revoke(connection: &Connection, presented: &str) -> rusqlite::Result<()> {
    connection.execute(
        "UPDATE refresh_tokens SET revoked = 1
         WHERE family = (SELECT family FROM refresh_tokens WHERE token_hash = ?1)",
        [presented],
    )?;
    Ok(())
}
